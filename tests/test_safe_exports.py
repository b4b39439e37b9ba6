"""Safe exports (issue 11, items 4 and 9): CSV cells that a spreadsheet would run as a formula are
neutralised in `sousveil export --format csv` and the web's /-/export.csv, JSON Lines keeps the
exact values; and `make test`'s browser-deps step installs chromium or says in one line what to
install."""

import asyncio
import csv
import html
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from sousveil.export.flat import safe_cell
from sousveil.web.server import make_app

from .conftest import run_cli

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "scripts" / "browser_deps.sh"
PAYLOADS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3", "\t=1",
            "＝HYPERLINK(\"http://x\")"]
TRIGGERS = set("=+-@\t\r\0＝＋－＠")


def _first_visible(cell: str) -> str:
    return next((c for c in cell if not c.isspace()), "")


@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("\0x", "'\0x"), ("  =1", "'  =1"), ("\u3000＝1", "'\u3000＝1"), ("\u200b=1", "'\u200b=1"), ("＋1", "'＋1"),
    ("－2", "'－2"), ("＠x", "'＠x"), ("-5", "'-5"), ("+86 755 1234", "'+86 755 1234"), (-5, "'-5"),
    ("深圳市公安局", "深圳市公安局"), ("a=b", "a=b"), ("'quoted", "'quoted"), ("", ""), (None, None), (5, "5"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """Hand-made notices whose title, buyer and winning supplier begin with a formula."""
    root = tmp_path_factory.mktemp("formulas")
    docs = root / "notices"
    docs.mkdir()
    for i, payload in enumerate(PAYLOADS):
        e = html.escape(payload)
        (docs / f"notice-{i}.html").write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{e}监控设备采购项目中标公告</title></head><body>
<p>【合成数据 SYNTHETIC】 hand-made test document: formula injection, not a real notice</p>
<h1>{e}监控设备采购项目中标公告</h1>
<p>项目编号：CSV-2024-{i:03d}</p>
<p>采购人：{e}</p>
<p>中标供应商：{e}</p>
<p>中标金额：120万元</p>
<p>公告日期：2024年3月5日</p>
</body></html>""", encoding="utf-8")
    db = root / "formulas.db"
    run_cli("ingest", docs, "--db", db)
    return db


def _check_neutralised(text: str, jsonl: list[dict]):
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == len(PAYLOADS) == len(jsonl)
    exact = {r["id"]: r for r in jsonl}
    seen = set()
    for row in rows:
        for column, cell in row.items():  # no cell of any column starts a formula
            assert _first_visible(cell) not in TRIGGERS, (column, cell)
        rec = exact[int(row["id"])]
        for column in ("title", "buyer"):
            assert row[column] == "'" + rec[column], column  # the quote, then the exact value
        assert row["winners"].startswith("'" + rec["suppliers"][0]["name"])
        seen.add(rec["project_code"])
    assert len(seen) == len(PAYLOADS)
    # Every field quoted, embedded quotes doubled (RFC 4180), so no cell can spill into the next one.
    assert '"\'=HYPERLINK(""http://x"",""y"")监控设备采购项目"' in text
    assert all(line.startswith('"') for line in text.lstrip("\ufeff").splitlines())


def test_cli_csv_export_neutralises_formulas(hostile_db):
    jsonl = [json.loads(line) for line in run_cli("export", "--db", hostile_db, "--format", "jsonl").stdout.splitlines()]
    # JSON Lines is data: the exact values, no quote added.
    assert {r["title"][:5] for r in jsonl} >= {"=HYPE", "=cmd|", "+1+1监", "@SUM(", "-2+3监"}
    assert all(r["buyer"][0] in TRIGGERS for r in jsonl)
    _check_neutralised(run_cli("export", "--db", hostile_db, "--format", "csv").stdout, jsonl)


def test_web_csv_export_neutralises_formulas(hostile_db):
    ds = make_app(str(hostile_db), public=True)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        response = loop.run_until_complete(ds.client.get("/-/export.csv"))
        jsonl = loop.run_until_complete(ds.client.get("/-/export.jsonl")).text
    finally:
        loop.close()
    assert response.status_code == 200 and response.text.startswith("\ufeff")
    records = [json.loads(line) for line in jsonl.splitlines()]
    assert all(r["buyer"][0] in TRIGGERS for r in records)  # unchanged in JSON Lines
    _check_neutralised(response.text, records)


def test_datasette_table_and_query_csv_are_neutralised_too(hostile_db):
    ds = make_app(str(hostile_db), public=True)
    name = ds.get_database().name
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        table = loop.run_until_complete(ds.client.get(f"/{name}/notices.csv?_labels=on"))
        query = loop.run_until_complete(ds.client.get(f"/{name}.csv", params={"sql": "select title, buyer from notices"}))
        stream = loop.run_until_complete(ds.client.get(f"/{name}/notices.csv?_stream=on"))
    finally:
        loop.close()
    for response in (table, query):
        assert response.status_code == 200, response.text[:200]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) > 1 and all(not cell or cell[0] not in TRIGGERS for row in rows for cell in row), rows[:3]
        assert int(response.headers["content-length"]) == len(response.content)
    assert any(cell.startswith("'=HYPERLINK") for row in csv.reader(io.StringIO(query.text)) for cell in row)
    # No streaming of whole tables: Datasette's own error page, which is not CSV and is left as it is.
    assert stream.status_code == 400 and "CSV streaming is disabled" in stream.text
    assert stream.text.lstrip().startswith("<!DOCTYPE html>")


# `make test`'s browser-deps step (scripts/browser_deps.sh), in a PATH of its own.

def _fake_bin(tmp_path, *, root=False, chromium=False, font=False, apt=False, poppler=False, ocr_libs=True):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("sh", "grep"):
        (bin_dir / tool).symlink_to(subprocess.check_output(["sh", "-c", f"command -v {tool}"], text=True).strip())
    scripts = {"id": f"echo {0 if root else 1000}"}
    gl = "echo 'libGL.so.1 (libc6,x86-64) => /lib/libGL.so.1'; echo 'libglib-2.0.so.0 (libc6,x86-64) => /lib/g'"
    scripts["ldconfig"] = gl if ocr_libs else "echo 'libc.so.6 (libc6,x86-64) => /lib/libc.so.6'"
    if chromium:
        scripts["chromium"] = "exit 0"
    if poppler:
        scripts["pdftoppm"] = scripts["pdftotext"] = "exit 0"
    if font:
        scripts["fc-list"] = "echo '/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC:style=Regular'"
    if apt:  # records its calls; "installs" chromium, poppler-utils and the font
        scripts["apt-get"] = (f'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {tmp_path}/apt.log\n'
                              + "".join(f'printf "#!/bin/sh\\nexit 0\\n" > {bin_dir}/{tool};'
                                        f' /bin/chmod +x {bin_dir}/{tool}\n' for tool in ("chromium", "pdftoppm", "pdftotext"))
                              +
                              f'printf "#!/bin/sh\\necho Noto Sans CJK SC\\n" > {bin_dir}/fc-list; '
                              f'/bin/chmod +x {bin_dir}/fc-list\n'
                              f'printf "#!/bin/sh\\n{gl}\\n" > {bin_dir}/ldconfig')
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return bin_dir


def _run_deps(bin_dir):
    env = {k: v for k, v in os.environ.items() if k != "SOUSVEIL_CHROMIUM"}
    return subprocess.run([str(bin_dir / "sh"), str(SCRIPT)], capture_output=True, text=True,
                          env={**env, "PATH": str(bin_dir)})


def test_browser_deps_stops_with_one_clear_line_without_chromium(tmp_path):
    r = _run_deps(_fake_bin(tmp_path))  # not root, no apt-get, no chromium, no font
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "chromium" in lines[0] and "apt-get install chromium fonts-noto-cjk" in lines[0]
    assert "make test-fast" in lines[0]


def test_browser_deps_installs_as_root_with_apt(tmp_path):
    r = _run_deps(_fake_bin(tmp_path, root=True, apt=True))
    assert r.returncode == 0, r.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0].endswith("update -qq")
    assert calls[1] == "DEBIAN_FRONTEND=noninteractive install -y -qq chromium fonts-noto-cjk poppler-utils"


def test_browser_deps_installs_the_libraries_ocr_needs(tmp_path):
    r = _run_deps(_fake_bin(tmp_path, root=True, apt=True, chromium=True, font=True, poppler=True, ocr_libs=False))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "apt.log").read_text().splitlines()[1].endswith("install -y -qq libgl1 libglib2.0-0")
    r = _run_deps(_fake_bin(tmp_path / "b", chromium=True, font=True, poppler=True, ocr_libs=False))  # not root
    assert r.returncode == 1 and "apt-get install libgl1 libglib2.0-0" in r.stderr


def test_browser_deps_does_nothing_when_present(tmp_path):
    r = _run_deps(_fake_bin(tmp_path, root=True, apt=True, chromium=True, font=True, poppler=True))
    assert r.returncode == 0 and r.stderr == "" and not (tmp_path / "apt.log").exists()
    only_font = _run_deps(_fake_bin(tmp_path / "b", chromium=True, poppler=True))  # a missing font only warns
    assert only_font.returncode == 0 and "fonts-noto-cjk" in only_font.stderr


def test_make_test_runs_browser_deps_and_test_fast_skips_browser_tests():
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: browser-deps\b", text, re.M)
    assert re.search(r"^browser-deps:\n\t@sh scripts/browser_deps.sh$", text, re.M)
    fast = re.search(r"^test-fast:.*\n\t(.+)$", text, re.M).group(1)
    assert "pytest" in fast and "--ignore=tests/test_browser.py" in fast
