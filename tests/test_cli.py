import csv
import io
import json

import pytest

from sousveil.text import fold

from .conftest import CCGP_SAMPLE, copy_database, run_cli

COMMANDS = ["ingest", "search", "show", "stats", "export", "synth", "evaluate"]


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory, corpus):
    """The generated corpus plus the real notice: synthetic and real side by side."""
    root = tmp_path_factory.mktemp("mixed")
    db = root / "mixed.db"
    copy_database(corpus["db_path"], db)
    run_cli("ingest", CCGP_SAMPLE, "--db", db)
    return db


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(command):
    result = run_cli(command, "--help")
    assert "Usage:" in result.stdout and command in result.stdout


def test_usage_error_exit_code():
    assert run_cli("search", "--db", check=False).returncode == 2
    assert run_cli("nosuchcommand", check=False).returncode == 2


def test_search_chinese_two_characters_and_english(mixed_db):
    rows = [json.loads(line) for line in run_cli("search", "空调", "--db", mixed_db, "--json", "--limit", "200").stdout.splitlines()]
    assert any(r["title"] == "深圳市龙华科技实验高级中学空调采购" for r in rows)
    real = [r for r in rows if not r["synthetic"]]
    assert real and all("label" not in r for r in real)
    assert all(r["label"] == "SYNTHETIC" for r in rows if r["synthetic"])
    hit = next(r for r in rows if not r["synthetic"])
    text = hit["snippet"]["text"]
    s, e = hit["snippet"]["highlights"][0]
    assert text[s:e] == "空调"
    rows = [json.loads(x) for x in run_cli("search", "电子围栏", "--db", mixed_db, "--json").stdout.splitlines()]
    assert rows and all("电子围栏" in fold(r["snippet"]["text"]) for r in rows)
    rows = [json.loads(x) for x in run_cli("search", "KFR-72GW", "--db", mixed_db, "--json").stdout.splitlines()]
    assert [r["title"] for r in rows] == ["深圳市龙华科技实验高级中学空调采购"]


def test_search_finds_traditional_with_simplified_query(tmp_path):
    (tmp_path / "t.html").write_text("<h3>某市警務處監控攝像機採購中標公告</h3><p>採購人：某市公安局</p>", encoding="utf-8")
    db = tmp_path / "t.db"
    run_cli("ingest", tmp_path / "t.html", "--db", db)
    rows = run_cli("search", "监控摄像机", "--db", db, "--json").stdout.splitlines()
    assert len(rows) == 1


def test_search_filters(mixed_db):
    def ids(*args):
        return {json.loads(x)["id"] for x in run_cli("search", "--db", mixed_db, "--json", "--limit", "1000", *args).stdout.splitlines()}

    everything = ids()
    police = ids("--buyer-type", "police")
    video = ids("--category", "video")
    awards = ids("--type", "award")
    guangdong = ids("--province", "广东")
    assert police and video and awards and guangdong
    assert police < everything and video < everything and awards < everything
    assert ids("--province", "440000") == guangdong
    real, synthetic = ids("--real"), ids("--synthetic")
    assert real == everything - synthetic and len(real) == 1
    year = ids("--year", "2025")
    assert year and year <= everything


def test_search_table_labels_synthetic(mixed_db):
    out = run_cli("search", "公安", "--db", mixed_db, "--limit", "3").stdout
    assert "[SYNTHETIC]" in out and "generated test data" in out


def test_show_real_notice_with_evidence(mixed_db):
    rows = [json.loads(x) for x in run_cli("search", "--db", mixed_db, "--real", "--json").stdout.splitlines()]
    nid = rows[0]["id"]
    out = run_cli("show", nid, "--db", mixed_db).stdout
    assert "LHACG2025000057" in out and "深圳市金龙空调电器有限公司" in out and "SYNTHETIC" not in out
    assert "440309" in out and "no surveillance capability tagged" in out
    data = json.loads(run_cli("show", rows[0]["sha256"][:12], "--db", mixed_db, "--json").stdout)
    assert data["id"] == nid and data["document"]["text"].count("[姓名已删除]") >= 2


def test_show_synthetic_notice_has_banner(mixed_db):
    rows = [json.loads(x) for x in run_cli("search", "人脸识别", "--db", mixed_db, "--json", "--synthetic").stdout.splitlines()]
    out = run_cli("show", rows[0]["id"], "--db", mixed_db, "--no-text").stdout
    assert "SYNTHETIC: generated test document" in out
    assert "video" in out


def test_show_unknown_notice(mixed_db):
    result = run_cli("show", "999999", "--db", mixed_db, check=False)
    assert result.returncode == 1 and "no notice '999999'" in result.stderr


def test_stats(mixed_db):
    out = run_cli("stats", "--db", mixed_db).stdout
    assert "SYNTHETIC" in out and "by capability and year" in out and "by province" in out
    assert "count each procurement once" in out  # the rule behind the sums is printed with them
    data = json.loads(run_cli("stats", "--db", mixed_db, "--json").stdout)
    assert data["totals"]["notices"] == 401 and data["totals"]["synthetic"] == 400
    assert any(r["province"] == "广东省" for r in data["by_province"])
    cats = {r["category"] for r in data["by_category_year"]}
    assert {"video", "phone_tracking", "biometrics"} <= cats
    assert data["top_suppliers"][0]["award_value"]


def test_export_jsonl_and_csv(mixed_db, tmp_path):
    lines = run_cli("export", "--db", mixed_db, "--format", "jsonl").stdout.splitlines()
    rows = [json.loads(x) for x in lines]
    assert len(rows) == 401
    real = [r for r in rows if not r["synthetic"]]
    assert len(real) == 1 and real[0]["label"] is None and real[0]["award_total"] == "6687920"
    assert all(r["label"] == "SYNTHETIC" for r in rows if r["synthetic"])
    tagged = next(r for r in rows if r["tags"])
    assert {"category", "term", "span_start", "span_end", "snippet", "taxonomy_version"} <= set(tagged["tags"][0])
    out = tmp_path / "x.csv"
    run_cli("export", "--db", mixed_db, "--format", "csv", "-o", out, "--category", "video")
    reader = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert reader and all(r["label"] == "SYNTHETIC" for r in reader)
    assert all("video" in r["categories"] for r in reader)


def test_synth_writes_corpus_and_truth(tmp_path):
    out = run_cli("synth", "--n", "5", "--seed", "2", tmp_path / "s").stdout
    assert "SYNTHETIC" in out
    files = sorted(p.name for p in (tmp_path / "s" / "notices").iterdir())
    assert len([f for f in files if f.endswith(".html")]) == 5 and len([f for f in files if f.endswith(".meta.json")]) == 5
    first = (tmp_path / "s" / "notices" / "notice-000000.html").read_bytes()
    again = tmp_path / "again"
    run_cli("synth", "--n", "5", "--seed", "2", again)
    assert (again / "notices" / "notice-000000.html").read_bytes() == first  # seeded: same bytes
    truth = [json.loads(x) for x in (tmp_path / "s" / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truth) == 5 and all(t["synthetic"] for t in truth)


def test_every_fact_says_how_it_was_found(tmp_path):
    """A Tendering Law body without a heading: its type is inferred from the labels (a weaker method),
    its buyer a label's value; show, the JSON Lines and CSV exports say so, and search can leave it out."""
    from pathlib import Path

    real = Path(__file__).resolve().parents[1].parent / "shared" / "real" / "yichang-awards" / "000.html"
    db = tmp_path / "m.db"
    run_cli("ingest", real, CCGP_SAMPLE, "--db", db)
    shown = run_cli("show", "1", "--db", db, "--no-text").stdout
    assert "inferred 0.60" in shown and "label 0.95" in shown
    rec = next(json.loads(line) for line in run_cli("export", "--db", db, "--format", "jsonl").stdout.splitlines()
               if json.loads(line)["type"] == "award" and json.loads(line)["buyer"] == "兴山上源水务有限公司")
    how = {f["field"]: (f["method"], f["confidence"]) for f in rec["facts"]}
    assert how["type"] == ("inferred", 0.6) and how["buyer"] == ("label", 0.95) and how["county"][0] == "gazetteer"
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--db", db, "--format", "csv").stdout)))
    assert any("type:inferred 0.60" in r["how_found"] and "buyer:label 0.95" in r["how_found"] for r in rows)
    everything = run_cli("search", "--db", db, "--json").stdout.splitlines()
    strong = run_cli("search", "--db", db, "--json", "--min-confidence", "0.7").stdout.splitlines()
    assert len(everything) == 2 and [json.loads(x)["buyer"] for x in strong] == ["深圳市龙华科技实验高级中学"]


def test_consortium_members_are_winners_marked_as_such(tmp_path):
    from pathlib import Path

    real = Path(__file__).resolve().parents[1].parent / "shared" / "real" / "yichang-awards" / "034.html"
    db = tmp_path / "c.db"
    run_cli("ingest", real, "--db", db)
    rec = json.loads(run_cli("export", "--db", db, "--format", "jsonl").stdout.splitlines()[0])
    assert [(s["name"], s["role"], s["consortium"]) for s in rec["suppliers"]] == [
        ("湖北工建清江建设发展有限公司", "winner", 1), ("湖北益通建设股份有限公司", "winner", 1)]
    assert rec["award_total"] == "58093708.41"
    row = next(csv.DictReader(io.StringIO(run_cli("export", "--db", db, "--format", "csv").stdout)))
    assert row["winners"].count("[consortium member]") == 2
    assert "winner (consortium member)" in run_cli("show", "1", "--db", db, "--no-text").stdout
