import re
from pathlib import Path

from sousveil.store import fts
from sousveil.store.db import INDEXES, TABLES, open_db

SCHEMA_DOC = Path(__file__).parent.parent / "docs" / "schema.md"


def documented():
    """{table: set(columns)} from the tables of docs/schema.md."""
    out, table = {}, None
    for line in SCHEMA_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## (\w+)$", line)
        if m:
            table = m.group(1)
            out[table] = set()
        elif table and line.startswith("| ") and not line.startswith("| column") and not line.startswith("|---"):
            for col in line.split("|")[1].split(","):
                out[table].add(col.strip())
    return out


def test_schema_doc_matches_the_database(tmp_path):
    db = open_db(tmp_path / "x.db")
    doc = documented()
    for table in db.table_names():
        if table.startswith("notice_fts_") or table == "notice_fts":
            continue
        cols = {c.name for c in db[table].columns}
        assert cols == doc.get(table), table
    assert "notice_fts" in doc
    for table, cols, _ in INDEXES:
        assert f"{table}({', '.join(cols)})" in SCHEMA_DOC.read_text(encoding="utf-8")
    assert set(TABLES) <= set(doc)


def test_wal_mode_and_schema_version(tmp_path):
    db = open_db(tmp_path / "x.db")
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("select value from meta where key = 'schema_version'").fetchone()[0] == "1"


def test_bigram_terms():
    assert fts.terms("人脸识别 WiFi探针") == ["人脸", "脸识", "识别", "wifi", "探针"]
    assert fts.terms("監控") == ["监控"]
    assert fts.match_expression("电子围栏") == '"电子 子围 围栏"'
    assert fts.match_expression("人脸 camera") == '"人脸" AND "camera"'


def test_index_finds_two_character_substrings_and_words(tmp_path):
    db = open_db(tmp_path / "x.db")
    texts = {1: "某市公安局人脸识别系统采购", 2: "电子围栏设备与WiFi探针", 3: "Face recognition cameras", 4: "人员脸部"}
    for rowid, text in texts.items():
        db.execute("insert into notice_fts(rowid, body) values (?, ?)", [rowid, fts.index_text(text)])

    def find(q):
        return {r[0] for r in db.execute("select rowid from notice_fts where notice_fts match ?", [fts.match_expression(q)])}

    assert find("人脸") == {1}
    assert find("电子围栏") == {2}
    assert find("围栏") == {2}
    assert find("子围") == {2}
    assert find("wifi") == {2} and find("WiFi探针") == {2}
    assert find("recognition") == {3}
    assert find("脸识别") == {1}
    assert find("人员脸") == {4} and find("员人") == set()
