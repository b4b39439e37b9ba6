"""Load the reviewed data files shipped in sousveil/data/ (cached: they do not change at run time)."""

from __future__ import annotations

import csv
import functools
import json
from importlib import resources

import yaml


def data_path(name: str):
    return resources.files("sousveil") / "data" / name


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    with data_path(name).open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.lru_cache(maxsize=None)
def load_csv(name: str) -> tuple[dict, ...]:
    with data_path(name).open("r", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@functools.lru_cache(maxsize=None)
def load_json(name: str):
    with data_path(name).open("r", encoding="utf-8") as fh:
        return json.load(fh)
