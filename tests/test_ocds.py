"""OCDS exports validated against the vendored 1.1.5 schemas, OCDS import, the round trip, and
FollowTheMoney entities."""

import copy
import csv
import io
import json
from pathlib import Path

import pytest
from followthemoney import model

from sousveil.data_files import data_path
from sousveil.export import ftm, ocds
from sousveil.ingest.run import ingest
from sousveil.store.db import open_db
from sousveil.store.queries import AWARD_VALUE

from .conftest import FIXTURES, run_cli

OCDS_SAMPLE = FIXTURES / "ocds"


def codes(name):
    with data_path(f"ocds-1.1.5/codelists/{name}").open(encoding="utf-8") as fh:
        return {r["Code"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def release_package(corpus_db):
    buf = io.StringIO()
    counts = ocds.write_release_package(corpus_db, buf)
    return json.loads(buf.getvalue()), counts


def test_release_package_is_valid_ocds(release_package, corpus_db):
    package, counts = release_package
    assert ocds.validate(package) == []
    notices = corpus_db.execute("select count(*) from notices").fetchone()[0]
    copies = corpus_db.execute("select count(*) from process_notices where duplicate_of is not null").fetchone()[0]
    assert counts["releases"] == len(package["releases"]) == notices - copies - counts["skipped_other"]
    tags, roles, methods = codes("releaseTag.csv"), codes("partyRole.csv"), codes("method.csv")
    for r in package["releases"]:
        assert set(r["tag"]) <= tags
        assert all(set(p["roles"]) <= roles for p in r["parties"])
        assert r["tender"].get("procurementMethod", "open") in methods
        assert r["sousveil"]["synthetic"] and r["sousveil"]["label"] == "SYNTHETIC"
        assert r["tender"]["description"].startswith("SYNTHETIC")
    assert "SYNTHETIC" in package["publisher"]["name"]


def test_validation_catches_errors(release_package):
    package = copy.deepcopy(release_package[0])
    del package["releases"][0]["date"]
    package["releases"][1]["tag"] = "award"  # must be an array
    errors = ocds.validate(package)
    assert len(errors) >= 2 and any("date" in e for e in errors)


def test_award_release_carries_the_facts(release_package, corpus_db):
    package, _ = release_package
    nid, total = corpus_db.execute("select id, award_total from notices where type = 'award' and award_total is not null and categories != ''"
                                   " and id not in (select notice_id from process_notices where duplicate_of is not null)"
                                   " limit 1").fetchone()
    r = next(r for r in package["releases"] if r["sousveil"]["noticeId"] == nid)
    assert r["tag"] == ["award"]
    assert sum(a["value"]["amount"] for a in r["awards"] if "value" in a) == pytest.approx(float(total))
    winners = {s["name"] for s in corpus_db.query("select name from suppliers where notice_id = ? and role = 'winner'", [nid])}
    assert {s["name"] for a in r["awards"] for s in a.get("suppliers", [])} == winners
    ocid = corpus_db.execute("select ocid from process_notices where notice_id = ?", [nid]).fetchone()[0]
    assert r["ocid"] == ocid and r["buyer"]["name"]
    assert r["sousveil"]["tags"] and all("spanStart" in t for t in r["sousveil"]["tags"])


def test_republished_copies_are_one_release_with_every_source(release_package, corpus_db):
    package, _ = release_package
    first, copy_id = corpus_db.execute("select duplicate_of, notice_id from process_notices where duplicate_of is not null"
                                       " limit 1").fetchone()
    r = next(r for r in package["releases"] if r["sousveil"]["noticeId"] == first)
    assert copy_id in r["sousveil"]["republishedAs"] and len(r["sousveil"]["sources"]) >= 2
    assert not any(x["sousveil"]["noticeId"] == copy_id for x in package["releases"])


def test_record_package_is_valid_and_compiled(corpus_db):
    buf = io.StringIO()
    counts = ocds.write_record_package(corpus_db, buf)
    package = json.loads(buf.getvalue())
    assert ocds.validate(package, "record") == []
    assert counts["records"] == len(package["records"]) == corpus_db.execute(
        "select count(distinct p.ocid) from process_notices p join notices n on n.id = p.notice_id"
        " where n.type != 'other'").fetchone()[0]
    multi = next(r for r in package["records"] if len(r["releases"]) >= 2)
    assert multi["compiledRelease"]["tag"] == ["compiled"] and multi["compiledRelease"]["ocid"] == multi["ocid"]
    dates = [r["date"] for r in multi["releases"]]
    assert dates == sorted(dates)


def test_round_trip_through_ocds(release_package, corpus_db, tmp_path):
    package, _ = release_package
    path = tmp_path / "export.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    ingest([path], tmp_path / "back.db", progress=False)
    back = open_db(tmp_path / "back.db")
    assert back.execute("select count(*) from notices").fetchone()[0] == len(package["releases"])
    assert back.execute("select count(*) from notices where synthetic = 0").fetchone()[0] == 0  # still synthetic
    cols = "n.type, n.title, n.buyer, n.budget, n.award_total, substr(n.published, 1, 10), n.province_code"
    mismatches = []
    for r in package["releases"]:
        original = corpus_db.execute(f"select {cols} from notices n where id = ?", [r["sousveil"]["noticeId"]]).fetchone()
        sha = back.execute("select sha256 from sources where name like ?", [f"%#{r['id']}"]).fetchone()[0]
        again = back.execute(f"select {cols} from notices n where sha256 = ?", [sha]).fetchone()
        want = ("tender" if original[0] == "single_source" else original[0],) + tuple(original[1:])
        if tuple(again) != want:
            mismatches.append((want, tuple(again)))
        nid = back.execute("select id from notices where sha256 = ?", [sha]).fetchone()[0]
        assert back.execute("select ocid from process_notices where notice_id = ?", [nid]).fetchone()[0] == r["ocid"]
        winners = lambda db, i: sorted(x[0] for x in db.execute(  # noqa: E731
            "select name from suppliers where notice_id = ? and role = 'winner'", [i]))
        assert winners(back, nid) == winners(corpus_db, r["sousveil"]["noticeId"])
    assert len(mismatches) <= 0.02 * len(package["releases"]), mismatches[:5]


def test_ocds_sample_is_imported_as_one_process(tmp_path):
    files = sorted(OCDS_SAMPLE.glob("*.json")) + sorted((OCDS_SAMPLE / "record").glob("*.json"))
    files = [f for f in files if not f.name.endswith(".meta.json")]
    summary = ingest(files, tmp_path / "o.db", progress=False)
    db = open_db(tmp_path / "o.db")
    assert summary.new == 6 and summary.failed == 0 and summary.present >= 6  # each release once, every source kept
    assert db.execute("select count(*) from sources").fetchone()[0] >= 12
    rows = db.execute("select type, buyer, amount_status, synthetic from notices order by published").fetchall()
    assert [r[0] for r in rows] == ["intention", "tender", "correction", "award", "contract", "contract"]
    assert {r[1] for r in rows} == {"London Borough of Barnet"}
    assert all(r[3] == 1 for r in rows)  # fictional data, marked by its sidecars
    assert {r[2] for r in rows} == {"currency:GBP"}  # never converted, never stored as yuan
    # Each amount in its currency; none is in the sums of yuan.
    assert db.execute("select currency, count(*) from notices where budget is not null or award_total is not null"
                      " group by 1").fetchall() == [("GBP", 6)]
    assert db.execute(f"select count(*) from notices n where {AWARD_VALUE} is not null").fetchone()[0] == 0
    assert db.execute("select distinct ocid from process_notices").fetchall() == [("ocds-213czf-000-00001",)]
    text = "\n".join(r[0] for r in db.execute("select text from documents"))
    assert "procurement-team@example.com" not in text and "contactPoint" not in text
    award = db.execute("select id from notices where type = 'award'").fetchone()[0]
    fact = db.execute("select value, span_start, span_end from facts where notice_id = ? and field = 'award'",
                      [award]).fetchone()
    doc = db.execute("select text from documents d join notices n on n.sha256 = d.sha256 where n.id = ?", [award]).fetchone()[0]
    assert fact[0].endswith("GBP") and doc[fact[1]:fact[2]].endswith("GBP")


def test_ftm_entities_are_valid_and_connected(corpus_db):
    entities = [e.to_dict() for e in ftm.entities(corpus_db)]
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    schemata = {e["schema"] for e in entities}
    assert schemata == {"PublicBody", "Organization", "Company", "Contract", "ContractAward"}
    for e in entities:
        schema = model.get(e["schema"])
        schema.validate(e)  # raises on invalid data
        for prop, values in e["properties"].items():
            if schema.properties[prop].type.name == "entity":
                assert all(v in ids for v in values), (e["id"], prop)
    awards = [e for e in entities if e["schema"] == "ContractAward"]
    assert awards and all(e["properties"].get("supplier") and e["properties"].get("contract") for e in awards)
    assert all("SYNTHETIC" in " ".join(e["properties"].get("summary", [])) for e in awards)
    designated = [e for e in entities if e["schema"] == "Company"
                  and any("84 FR 54002" in n for n in e["properties"].get("notes", []))]
    assert designated and all(e["properties"].get("alias") for e in designated)  # the vendor's names travel too


def test_cli_exports(corpus, tmp_path):
    db = corpus["db_path"]
    out = tmp_path / "r.json"
    r = run_cli("export", "--db", db, "--format", "ocds", "-o", out, "--validate")
    assert "valid against the OCDS 1.1.5 release package schema" in r.stderr
    r = run_cli("export", "--db", db, "--format", "ocds", "--records", "-o", tmp_path / "rec.json", "--validate")
    assert "record package" in r.stderr
    lines = run_cli("export", "--db", db, "--format", "ftm").stdout.splitlines()
    assert lines and all(json.loads(line)["schema"] for line in lines)
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--db", db, "--format", "csv").stdout)))
    assert all(r["ocid"] for r in rows) and any(r["vendors"] for r in rows)
    assert run_cli("export", "--db", db, "--format", "csv", "--records", check=False).returncode == 2
    bad = tmp_path / "bad.json"
    package = json.loads(out.read_text(encoding="utf-8"))
    del package["releases"][0]["ocid"]
    bad.write_text(json.dumps(package), encoding="utf-8")
    assert ocds.validate(json.loads(bad.read_text())) != []


def test_vendored_schema_is_complete():
    folder = Path(str(data_path("ocds-1.1.5")))
    assert (folder / "LICENSE").exists()
    for name in ocds.SCHEMA_FILES:
        assert (folder / name).exists()


def test_export_of_unlinked_notices_warns_and_keeps_the_prefix(tmp_path):
    db_path = tmp_path / "u.db"
    ingest([FIXTURES / "web"], db_path, progress=False, link=False)
    out = tmp_path / "u.json"
    r = run_cli("export", "--db", db_path, "--format", "ocds", "-o", out, "--validate")
    assert "not linked yet" in r.stderr
    assert all(rel["ocid"].startswith("ocds-sousveil-") for rel in json.loads(out.read_text())["releases"])
