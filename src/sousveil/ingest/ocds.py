"""OCDS data as documents: one per release, read as a stream.

Publishers ship OCDS as release packages, record packages, bare releases or records, JSON Lines
of any of these, concatenated JSON values or a JSON array of them, often gzipped, up to several
gigabytes. All are read here with one incremental parser (ijson): one release is in memory at a
time (and the small fields of its package), never the whole file.

A release is keyed by the SHA-256 of its canonical JSON, so the same release in a one-release
package, in a package of the whole process and embedded in a record is one document with
three sources. Every field of a release is kept, those of extensions too. Compiled releases and
linked (not embedded) releases are derived or absent: they are skipped and counted.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from dataclasses import replace
from typing import BinaryIO, Iterator

import ijson

from ..extract.ocds import MEDIA_TYPE, canonical
from .sources import Failure, Skipped, Source

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".jsonlines")
_CONTAINERS = ("start_map", "start_array")


class NotOcds(Exception):
    """The stream is JSON, but its first value is no OCDS package, record or release."""


def is_json_name(name: str) -> bool:
    low = name.lower()
    return low.endswith(JSON_SUFFIXES) or low.endswith(tuple(s + ".gz" for s in JSON_SUFFIXES))


def open_stream(fh: BinaryIO) -> BinaryIO:
    """The JSON bytes of a file: gunzipped as they are read when the file is gzip."""
    head = fh.read(2)
    fh.seek(0)
    return gzip.GzipFile(fileobj=fh) if head == b"\x1f\x8b" else fh


def stream(fh: BinaryIO, src: Source) -> Iterator[Source | Skipped | Failure]:
    """Each release in the JSON values of `fh`, as a Source named after `src` (whose data is not
    used). Raises NotOcds before yielding anything when the first value is not OCDS; a stream
    that breaks off (invalid or truncated JSON) ends with a Failure saying how far it was read."""
    events = ijson.parse(_Unbom(fh), multiple_values=True, use_float=True)
    count, number = 0, -1
    try:
        for number, (_, event, value) in enumerate(events):
            for item in _top_value(events, event, value, src, f"{number}:" if number else ""):
                count += isinstance(item, Source)
                yield item
        if number < 0:
            yield Failure(src.name, "empty: no JSON value")
    except NotOcds:
        if count:  # a later value of a stream of releases
            yield Failure(src.name, "a JSON value that is not OCDS after the releases read; the rest not read")
            return
        raise
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as e:
        if number < 0 and "premature EOF" in str(e):
            yield Failure(src.name, "empty: no JSON value")
            return
        yield Failure(src.name, f"not valid JSON{f' after {count} releases' if count else ''}: {e}")
    except (OSError, EOFError, zlib.error) as e:  # a gzip stream that is corrupt or cut short
        yield Failure(src.name, f"truncated or corrupt gzip data{f' after {count} releases' if count else ''}: {e}")


def split(src: Source) -> Iterator[Source | Skipped | Failure]:
    """The releases of OCDS bytes already in memory (a zip member, a WARC record)."""
    try:
        yield from stream(io.BytesIO(src.data), src)
    except NotOcds:
        yield Failure(src.name, "JSON, but not an OCDS package or release")


def _top_value(events, event, value, src: Source, where: str):
    if event == "start_array":  # a JSON array of releases, records or packages
        for i, (_, ev, val) in enumerate(_elements(events)):
            obj = _build(events, ev, val)
            if not isinstance(obj, dict):
                raise NotOcds()
            yield from _whole(obj, src, f"{where}[{i}]")
        return
    if event != "start_map":
        raise NotOcds()
    head: dict = {}  # the package's (or the bare release's) other fields, read before its list
    streamed = None
    for prefix, ev, key in events:
        if ev == "end_map":
            break
        _, ev, val = next(events)
        if key in ("releases", "records") and ev == "start_array":
            streamed = key
            for i, (_, e2, v2) in enumerate(_elements(events)):
                item = _build(events, e2, v2)
                path = f"{where}{key}[{i}]"
                if key == "releases":
                    yield from _release(item, path, head, src)
                else:
                    yield from _record(item, path, head, src)
        else:
            head[key] = _build(events, ev, val)
    if streamed is None:
        yield from _whole(head, src, where.rstrip(":"))
    elif head.get("compiledRelease"):  # a bare record
        yield Skipped(f"{src.name}#{where}compiledRelease", "compiled release (derived from the releases)")


def _whole(obj: dict, src: Source, where: str):
    """A value read whole: a bare release or record, or a (small) package inside an array."""
    if isinstance(obj.get("releases"), list) and "ocid" in obj and "tag" not in obj:  # a bare record
        yield from _record(obj, where or "record", {}, src)
    elif isinstance(obj.get("releases"), list):
        for i, r in enumerate(obj["releases"]):
            yield from _release(r, f"{where}releases[{i}]", obj, src)
    elif isinstance(obj.get("records"), list):
        for i, r in enumerate(obj["records"]):
            yield from _record(r, f"{where}records[{i}]", obj, src)
    elif "ocid" in obj and "tag" in obj:
        yield from _release(obj, where or "release", {}, src)
    elif "ocid" in obj and "compiledRelease" in obj:
        yield Skipped(f"{src.name}#{where or 'record'}.compiledRelease", "compiled release (derived from the releases)")
    else:
        raise NotOcds()


def _record(record, where: str, package: dict, src: Source):
    if not isinstance(record, dict):
        yield Skipped(f"{src.name}#{where}", "not a record (a JSON object) in the records list")
        return
    for j, r in enumerate(record.get("releases") or []):
        yield from _release(r, f"{where}.releases[{j}]", package, src)
    if record.get("compiledRelease"):
        yield Skipped(f"{src.name}#{where}.compiledRelease", "compiled release (derived from the releases)")


def _release(rel, where: str, package: dict, src: Source):
    if not isinstance(rel, dict) or "tag" not in rel or "ocid" not in rel:
        yield Skipped(f"{src.name}#{where}", "linked release (only its URL is in the package)"
                      if isinstance(rel, dict) and "url" in rel else "not a release (no ocid or no tag)")
        return
    # A release sousveil exported from a synthetic notice stays synthetic when it comes back.
    meta = dict(src.meta, synthetic=True) if (rel.get("sousveil") or {}).get("synthetic") else src.meta
    url = src.url or (package.get("uri") if isinstance(package.get("uri"), str) else None)
    retrieved = src.retrieved_at or (package.get("publishedDate") if isinstance(package.get("publishedDate"), str) else None)
    yield replace(src, data=canonical(rel), name=f"{src.name}#{rel.get('id') or where}", url=url,
                  retrieved_at=retrieved, content_type=MEDIA_TYPE, meta=meta)


def _elements(events):
    """The first event of each element of the array just opened, up to its end."""
    for prefix, event, value in events:
        if event == "end_array":
            return
        yield prefix, event, value


def _build(events, event, value):
    """The value that starts with (event, value), built from the events that follow."""
    if event not in _CONTAINERS:
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, ev, val in events:
        builder.event(ev, val)
        if ev in _CONTAINERS:
            depth += 1
        elif ev in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise ijson.IncompleteJSONError("the data ends inside a value")


class _Unbom(io.RawIOBase):
    """The stream without its UTF-8 byte order mark, which the JSON parser refuses."""

    def __init__(self, fh: BinaryIO):
        self.fh, self.first = fh, True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        if self.first and data:  # the parser reads 0 bytes first, to see what the stream gives
            self.first = False
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)
