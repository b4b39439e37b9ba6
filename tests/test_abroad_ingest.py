"""OCDS as publishers ship it: every packaging read as a stream, the real packages of nine
publishers imported or refused with their reason, and memory that does not grow with the file."""

import copy
import gzip
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from sousveil.extract.ocds import canonical
from sousveil.ingest.run import ingest
from sousveil.ingest.sources import Failure, Limits, Skipped, Source, iter_sources
from sousveil.store.db import open_db

REAL = Path(__file__).resolve().parents[2] / "shared" / "real" / "ocds"

RELEASE = {"ocid": "ocds-abc123-0001", "id": "r1", "date": "2019-05-02T00:00:00Z", "tag": ["award"],
           "initiationType": "tender", "buyer": {"id": "b", "name": "Ministerio del Interior"},
           "awards": [{"id": "a1", "value": {"amount": 1500000.5, "currency": "USD"},
                       "suppliers": [{"id": "s", "name": "Huawei Technologies Co., Ltd."}]}],
           # An extension's fields (lots, a publisher's own) are kept with the release.
           "tender": {"id": "t1", "title": "Sistema de videovigilancia", "lots": [{"id": "lot-1"}]},
           "x_publisherField": {"kept": True}}


def release(i: int, **changes) -> dict:
    r = copy.deepcopy(RELEASE)
    r.update(id=f"r{i}", ocid=f"ocds-abc123-{i:04d}", **changes)
    return r


def sources(path, **kw) -> list:
    return list(iter_sources([path], **kw))


def releases_of(items) -> list[dict]:
    return [json.loads(s.data) for s in items if isinstance(s, Source)]


def package(rels) -> dict:
    return {"uri": "https://example.org/p.json", "version": "1.1", "publishedDate": "2019-06-01T00:00:00Z",
            "extensions": ["https://example.org/lots/extension.json"], "publisher": {"name": "x"}, "releases": rels}


def record_package(rels) -> dict:
    return {"version": "1.1", "publishedDate": "2019-06-01T00:00:00Z", "publisher": {"name": "x"},
            "records": [{"ocid": r["ocid"], "releases": [r], "compiledRelease": r} for r in rels]}


SHAPES = {
    "package.json": lambda rs: json.dumps(package(rs)),
    "records.json": lambda rs: json.dumps(record_package(rs)),
    "releases.jsonl": lambda rs: "".join(json.dumps(r) + "\n" for r in rs),
    "records.jsonl": lambda rs: "".join(json.dumps({"ocid": r["ocid"], "releases": [r]}) + "\n" for r in rs),
    "packages.jsonl": lambda rs: "".join(json.dumps(package([r])) + "\n" for r in rs),
    "concatenated.json": lambda rs: "".join(json.dumps(r, indent=1) for r in rs),  # no separator at all
    "array.json": lambda rs: json.dumps(rs),
    "bom.json": lambda rs: "\ufeff" + json.dumps(package(rs)),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_packaging_gives_the_same_releases(tmp_path, shape):
    rels = [release(i) for i in range(3)]
    path = tmp_path / shape
    path.write_text(SHAPES[shape](rels), encoding="utf-8")
    items = sources(path)
    assert releases_of(items) == rels, [i for i in items if not isinstance(i, Source)]
    assert {s.data for s in items if isinstance(s, Source)} == {canonical(r) for r in rels}
    assert not [i for i in items if isinstance(i, Failure)]
    if shape == "records.json":  # the compiled release is derived: skipped, and said so
        assert sum(isinstance(i, Skipped) and "compiled" in i.reason for i in items) == 3
    if shape == "package.json":
        assert {s.url for s in items} == {"https://example.org/p.json"}
    assert all(r["x_publisherField"] == {"kept": True} and r["tender"]["lots"] for r in releases_of(items))


def test_gzip_and_zip_are_read_as_streams(tmp_path):
    rels = [release(i) for i in range(4)]
    gz = tmp_path / "releases.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(SHAPES["releases.jsonl"](rels))
    assert releases_of(sources(gz)) == rels
    zpath = tmp_path / "bulk.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2019/package.json", SHAPES["package.json"](rels[:2]))
        zf.writestr("2019/more.jsonl", SHAPES["releases.jsonl"](rels[2:]))
    assert releases_of(sources(zpath)) == rels
    # A member above the limit for a member read whole is streamed, not refused; and a zip above the
    # limit for a file read whole (a publisher's bulk download) is read from the file.
    for limits in (Limits(max_member_bytes=100), Limits(max_member_bytes=100, max_file_bytes=200)):
        items = sources(zpath, limits=limits)
        assert releases_of(items) == rels and not [i for i in items if isinstance(i, Failure)]
        assert {s.name.split("#")[0] for s in items} == {"bulk.zip!2019/package.json", "bulk.zip!2019/more.jsonl"}


def test_a_broken_stream_keeps_what_came_before_and_says_where_it_broke(tmp_path):
    text = SHAPES["releases.jsonl"]([release(i) for i in range(5)])
    path = tmp_path / "cut.jsonl"
    path.write_text(text[: len(text) - 40], encoding="utf-8")
    items = sources(path)
    assert len(releases_of(items)) == 4
    assert [i.reason.split(":")[0] for i in items if isinstance(i, Failure)] == ["not valid JSON after 4 releases"]
    gz = tmp_path / "cut.jsonl.gz"
    gz.write_bytes(gzip.compress(text.encode())[:-30])
    failures = [i for i in sources(gz) if isinstance(i, Failure)]
    assert len(failures) == 1 and failures[0].reason.startswith("truncated or corrupt gzip data")
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert [(type(i), i.reason) for i in sources(empty)] == [(Failure, "empty: no JSON value")]


def test_json_that_is_not_ocds_is_still_told_apart(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "config.json").write_text('{"ocid": "x", "note": "no tag, no releases"}', encoding="utf-8")
    (tmp_path / "d" / "rows.jsonl").write_text('{"a": 1}\n{"a": 2}\n', encoding="utf-8")
    items = sources(tmp_path / "d")
    assert sorted((i.name, i.reason) for i in items) == [("config.json", "JSON, not OCDS"),
                                                         ("rows.jsonl", "JSON Lines, not OCDS")]


def test_ocds_1_0_releases_are_read(tmp_path):
    # 1.0: no parties; the buyer, the procuring entity and the suppliers are whole organizations.
    old = {"ocid": "ocds-abc123-0100", "id": "1", "date": "2015-03-01T00:00:00Z", "tag": ["award"],
           "language": "en", "buyer": {"name": "City of Springfield", "identifier": {"id": "1"},
                                       "address": {"locality": "Springfield", "countryName": "United States"}},
           "awards": [{"id": "a", "value": {"amount": 1000, "currency": "USD"},
                       "suppliers": [{"name": "Dahua Technology USA Inc.", "identifier": {"id": "9"}}]}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"version": "1.0", "releases": [old]}), encoding="utf-8")
    ingest([path], tmp_path / "o.db", progress=False)
    db = open_db(tmp_path / "o.db")
    assert db.execute("select buyer, type from notices").fetchall() == [("City of Springfield", "award")]
    assert db.execute("select name from suppliers").fetchall() == [("Dahua Technology USA Inc.",)]


def _peak_streaming(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(isinstance(s, Source) for s in iter_sources([path]))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_however_large_the_file(tmp_path):
    """The peak of memory while streaming a file of 4,000 releases (about 12 MB) is that of 500:
    one release at a time. bench/ocds_stream.py measures it on a file of several GB."""
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    filler = {"description": "x" * 2000}
    small.write_text(SHAPES["releases.jsonl"]([release(i, planning=filler) for i in range(500)]), encoding="utf-8")
    large.write_text(SHAPES["releases.jsonl"]([release(i, planning=filler) for i in range(4000)]), encoding="utf-8")
    _peak_streaming(small)  # imports and caches out of the measure
    n_small, peak_small = _peak_streaming(small)
    n_large, peak_large = _peak_streaming(large)
    assert (n_small, n_large) == (500, 4000)
    assert peak_large < 2 * peak_small + 256 * 1024 and peak_large < large.stat().st_size / 20


def _embedded_releases(folder: Path) -> tuple[set, int]:
    """The releases of the real packages as json.load reads them whole, independently of sousveil,
    and the number of files that are no JSON at all."""
    found, broken = set(), 0
    for path in folder.rglob("*.json"):
        try:
            doc = json.loads(path.read_bytes())
        except ValueError:
            broken += 1
            continue
        rels = doc.get("releases") if "releases" in doc else \
            [r for rec in doc.get("records") or [] for r in rec.get("releases") or []] if "records" in doc else [doc]
        found |= {canonical(r) for r in rels if isinstance(r, dict) and "ocid" in r and "tag" in r}
    return found, broken


def test_every_real_release_is_imported_or_refused_with_its_reason(tmp_path):
    summary = ingest([REAL], tmp_path / "real.db", progress=False)
    db = open_db(tmp_path / "real.db")
    expected, broken = _embedded_releases(REAL)
    stored = {bytes(r[0]) if isinstance(r[0], bytes) else r[0] for r in db.execute("select sha256 from documents")}
    assert len(stored) == db.execute("select count(*) from notices").fetchone()[0] == len(expected) == summary.new
    assert [reason for _, reason in summary.failures] == ["empty: no JSON value"] * broken
    assert db.execute("select count(*) from documents where status != 'ok'").fetchone()[0] == 0
