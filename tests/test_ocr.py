"""OCR of scans: layout, evidence on the page image, redaction of what OCR read, cache, budgets.

The engine runs on three pages in all (the model loads once per session): the scanned award table
(ingested once, with its original kept, into a database the tests share), a mixed PDF and a phone
photo; everything else reuses the cache of the first run or needs no engine at all.
"""

import io
import json
import re
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from sousveil.ingest.convert import convert
from sousveil.ingest.run import ingest
from sousveil.ingest.sources import Source, iter_sources
from sousveil.ocr import crop, evidence, read
from sousveil.ocr.engine import Line
from sousveil.ocr.layout import lay_out
from sousveil.pipeline import PageOverBudget, page_budget, process, time_budget
from sousveil.privacy.redact import redact_folded

SCANS = Path(__file__).parent / "fixtures" / "scans"
TABLE = SCANS / "award_table.png"
PHOTO = SCANS / "photo_notice.jpg"
OFFICER = "孙娜"  # the generated safety officer named in the table, with an identity number


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = tmp_path_factory.mktemp("scans")
    db_path = root / "scans.db"
    summary = ingest([TABLE], db_path, progress=False, keep_originals=True)
    return {"db_path": db_path, "summary": summary, "options": read.Options(cache=read.cache_beside(db_path)),
            "con": sqlite3.connect(db_path)}


def test_a_scanned_award_table_is_read_like_an_html_one(scanned):
    con = scanned["con"]
    assert scanned["summary"].new == 1 and scanned["summary"].failed == 0 and scanned["summary"].ocr_pages == 1
    status, media, text, synthetic = con.execute("select status, media_type, text, synthetic from documents").fetchone()
    assert (status, media, synthetic) == ("ok", "image/png", 1)
    # rows and cells as convert.py writes an HTML table: a cell split over two lines is one cell again
    assert "招标人:\t吉林市公安局交通警察支队\t建设地点\t永吉县城关镇" in text.replace("：", ":")
    assert "\t2202-202279619-01" in text
    facts = {f: (v, m, c) for f, v, m, c in con.execute("select field, value, method, confidence from facts")}
    assert facts["buyer"][:2] == ("吉林市公安局交通警察支队", "ocr")
    assert facts["project_code"][0] == "2202-202279619-01"
    assert facts["award"][:2] == ("1722250.19", "ocr")
    assert 0.5 < facts["buyer"][2] <= 0.95  # the engine's confidence, at most the label's prior
    assert con.execute("select buyer, award_total from notices").fetchone() == ("吉林市公安局交通警察支队", "1722250.19")
    # the page says what read it: the models, the runtime and its precision, which change a few characters
    engine_used = con.execute("select engine from scanned_pages").fetchone()[0]
    assert engine_used.startswith("PP-OCRv4 mobile") and " on OpenVINO " in engine_used
    assert engine_used.rsplit(" ", 1)[1] in ("bf16", "f32")


def test_ocr_text_is_redacted_and_blacked_out_on_the_image(scanned):
    con = scanned["con"]
    text, sha = con.execute("select text, sha256 from documents").fetchone()
    assert OFFICER not in text and "[姓名已删除]" in text
    black = con.execute("select page, x0, y0, x1, y1, blackout, span_start, span_end from ocr_lines"
                        " where blackout is not null").fetchall()
    assert black, "the redacted line keeps the part of its box to black out"
    assert any("[姓名已删除]" in text[s:e] for *_, s, e in black)
    # the page image as shown: every blacked-out stretch is black on the crop
    data, media = con.execute("select o.data, d.media_type from originals o join documents d using (sha256)").fetchone()
    gray = crop.page_image(data, media, 1)
    rows = [dict(zip(("x0", "y0", "x1", "y1", "blackout"), r)) for r in
            con.execute("select x0, y0, x1, y1, blackout from ocr_lines where page = 1")]
    page, x0, y0, x1, y1, blackout, *_ = black[0]
    from PIL import Image

    shown = np.asarray(Image.open(io.BytesIO(crop.crop(gray, rows, [{"x0": x0, "y0": y0, "x1": x1, "y1": y1}])))
                       .convert("L"))
    assert shown.shape[0] < gray.shape[0]  # a crop, not the page
    bx0, bx1 = json.loads(blackout)[0]
    assert bx1 - bx0 > 20
    # the crop's origin: CONTEXT of the width left of the box, MARGIN line heights above it
    ox = max(0, int(x0 - crop.CONTEXT * gray.shape[1]))
    oy = max(0, int(y0 - crop.MARGIN * (y1 - y0)))
    patch = shown[int(y0 - oy) + 3:int(y1 - oy) - 3, int(bx0 - ox) + 3:int(bx1 - ox) - 3]
    assert patch.size and patch.max() < 40
    # and nothing the engine read unredacted was kept in the cache
    cache = Path(scanned["options"].cache)
    cached = [p for p in cache.rglob("*.json.gz")]
    assert len(cached) == 1
    import gzip

    assert OFFICER not in gzip.decompress(cached[0].read_bytes()).decode()


def test_the_notice_page_shows_the_crop_with_the_text_and_confidence(scanned):
    from .test_web import Client
    from sousveil.web.server import make_app

    app = Client(make_app(str(scanned["db_path"]), public=True))
    nid, fid = scanned["con"].execute("select notice_id, id from facts where field = 'buyer'").fetchone()
    html = app.get(f"/-/notice/{nid}").text
    assert 'id="scans"' in html and f'src="/-/notice/{nid}/fact/{fid}.png"' in html
    assert "<q>吉林市公安局交通警察支队</q>" in html
    response = app.get(f"/-/notice/{nid}/fact/{fid}.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert app.get(f"/-/notice/{nid}/fact/999999.png").status_code == 404


def test_a_rerun_reads_the_cache_and_the_same_page_twice_is_read_once(scanned):
    options = scanned["options"]
    data = TABLE.read_bytes()
    rec = process(Source(data, "again.png"), ocr=options)
    assert rec.status == "ok" and rec.converted.ocr[0].cached
    first = sqlite3.connect(scanned["db_path"]).execute("select text from documents").fetchone()[0]
    assert rec.text == first  # the cached lines give the same stored text
    # a two-page TIFF of the same page: one recognition at most, here none
    from PIL import Image

    img = Image.open(TABLE).convert("L")
    buf = io.BytesIO()
    img.save(buf, "TIFF", save_all=True, append_images=[img])
    rec = process(Source(buf.getvalue(), "two.tiff"), ocr=options)
    assert rec.converted.pages == 2 and [p.cached for p in rec.converted.ocr] == [True, True]
    assert rec.text.count("吉林市公安局交通警察支队") >= 2 and OFFICER not in rec.text


def test_a_character_the_blank_narrowly_beat_is_read_where_there_is_room_for_it():
    from sousveil.ocr.engine import _ideographs, rescue

    chars = ["blank", "竞", "争", "性", "磋", "商", "a", " "]
    ideographs = _ideographs(chars)

    def frames(*steps):  # each step: {character: probability}, the rest of the frame the blank's
        preds = np.zeros((1, len(steps), len(chars)), np.float32)
        for t, step in enumerate(steps):
            for c, p in step.items():
                preds[0, t, chars.index(c)] = p
            preds[0, t, 0] = 1 - sum(step.values())
        return preds

    def text(preds):
        seq = preds[0].argmax(axis=1)
        return "".join(chars[c] for i, c in enumerate(seq) if c and (i == 0 or c != seq[i - 1]))

    pitch = [{}, {}, {}, {}]  # characters 5 frames apart
    gap = pitch[:3]  # 性 and 商 8 frames apart: room for one more
    dropped = frames({"竞": .9}, *pitch, {"争": .9}, *pitch, {"性": .9}, *gap, {"磋": .4}, *gap, {"商": .9})
    assert text(dropped) == "竞争性商" and text(rescue(dropped, ideographs)) == "竞争性磋商"
    # no room for a character between 性 and 商: the same probability is read as nothing
    tight = frames({"竞": .9}, *pitch, {"争": .9}, *pitch, {"性": .9}, {}, {"磋": .4}, {}, {}, {"商": .9})
    assert text(rescue(tight, ideographs)) == "竞争性商"
    # too unlikely, or not a Chinese character: left as the recogniser read it
    faint = frames({"竞": .9}, *pitch, {"争": .9}, *pitch, {"性": .9}, *gap, {"磋": .2}, *gap, {"商": .9})
    latin = frames({"竞": .9}, *pitch, {"争": .9}, *pitch, {"性": .9}, *gap, {"a": .4}, *gap, {"商": .9})
    assert text(rescue(faint, ideographs)) == text(rescue(latin, ideographs)) == "竞争性商"


def test_the_cache_is_keyed_by_the_engine_that_read_the_page(monkeypatch):
    gray = np.full((40, 40), 255, np.uint8)
    first = read.image_hash(gray)
    monkeypatch.setattr(read, "engine_name", lambda: "PP-OCRv4 mobile on OpenVINO f32")
    assert read.image_hash(gray) != first  # a page read in another precision is read again, not taken as it was


def test_the_engine_sends_no_telemetry(tmp_path):
    # OpenVINO's import alone would send an event to Google Analytics and write a client id under ~/intel
    import os
    import subprocess
    import sys

    code = ("import sys; from sousveil.ocr.engine import engine, engine_name; engine(); print(engine_name()); "
            "print(sys.modules['openvino_telemetry'])")
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("CI", None)  # which OpenVINO's telemetry would respect on its own
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert " on OpenVINO " in out and out.splitlines()[-1] == "None"  # its import refused, so never sent
    assert not (tmp_path / "intel").exists()


def test_the_progress_bar_shows_pages_per_second(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t.png").write_bytes(TABLE.read_bytes())
    ingest([tmp_path / "in"], tmp_path / "p.db", progress=True)
    out = capsys.readouterr()
    assert re.search(r"1 pages OCR · [\d.]+ pages/s", out.out + out.err)


def test_no_ocr_leaves_the_scan_unread(tmp_path):
    rec = process(Source(TABLE.read_bytes(), "t.png"), ocr=None)
    assert rec.status == "needs_ocr" and rec.converted.ocr_pages == [1] and rec.notice is None
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t.png").write_bytes(TABLE.read_bytes())
    summary = ingest([tmp_path / "in"], tmp_path / "x.db", progress=False, ocr=False)
    assert (summary.new, summary.needs_ocr) == (1, 1)


def test_a_mixed_pdf_is_read_page_by_page(scanned):
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "中标公告 第一页：文字层", fontname="china-s")
    page = doc.new_page()
    page.insert_image(page.rect, stream=TABLE.read_bytes())
    page = doc.new_page()
    page.insert_text((72, 72), "第三页：文字层", fontname="china-s")
    conv = convert(doc.tobytes(), "mixed.pdf", ocr=scanned["options"])
    assert conv.ocr_pages == [2] and [p.page for p in conv.ocr] == [2]
    first, scanned_text, third = conv.text.index("第一页"), conv.text.index("吉林市公安局交通警察支队"), conv.text.index("第三页")
    assert first < scanned_text < third


def test_a_phone_photo_is_read(tmp_path):
    rec = process(Source(PHOTO.read_bytes(), "photo.jpg"), ocr=read.Options(cache=str(tmp_path)))
    assert rec.status == "ok", rec.error
    assert rec.synthetic  # the generator's mark, read off the photo
    assert "宁强县人民政府办公室网络舆情监测服务项目" in rec.text
    budget = [f for f in rec.notice.facts if f.field == "budget" and f.value]
    assert budget and budget[0].value == "639362" and budget[0].method == "ocr"
    assert rec.ocr_lines and all(0 <= p.start < p.end <= len(rec.text) for p in rec.ocr_lines)


def test_a_process_that_ran_ocr_itself_still_reads_scans_with_workers(tmp_path):
    from sousveil.ocr import engine

    engine.recognise(np.full((64, 256), 255, np.uint8))  # compiled in this process, as by the tests above
    assert not engine.fork_safe()  # a forked worker's compiling would wait for ever on threads it lacks
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.jpg").write_bytes(PHOTO.read_bytes())
    (tmp_path / "in" / "note.txt").write_text("采购公告：一份文字文件", encoding="utf-8")

    def hung(signum, frame):
        raise TimeoutError("the ingest's workers hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(180)
    try:
        summary = ingest([tmp_path / "in"], tmp_path / "w.db", progress=False, jobs=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert summary.new == 2 and summary.needs_ocr == 0 and summary.failed == 0
    text = sqlite3.connect(tmp_path / "w.db").execute("select text from documents where media_type like 'image/%'").fetchone()[0]
    assert "宁强县人民政府办公室网络舆情监测服务项目" in text


# --- without the engine -------------------------------------------------------------------------------


def _grid(rows: int, cols: list[int], top: int = 100, height: int = 80, width: int = 1200) -> np.ndarray:
    """A white page with a ruled table: rows of `height` px, columns starting at `cols`."""
    page = np.full((top + rows * height + 200, width), 255, np.uint8)
    for r in range(rows + 1):
        page[top + r * height:top + r * height + 3, cols[0]:cols[-1] + 3] = 0
    for c in cols:
        page[top:top + rows * height + 3, c:c + 3] = 0
    return page


def test_layout_rebuilds_ruled_cells_and_joins_wrapped_lines():
    page = _grid(2, [50, 300, 1100])
    lines = [
        Line("标题一行文字很长一直写到页面的右边", 50, 10, 1180, 50, 0.99),  # to the right margin: wraps
        Line("接着写完。", 50, 55, 250, 95, 0.99),
        Line("采购人：", 60, 120, 200, 160, 0.99), Line("某市公安局", 320, 110, 600, 150, 0.99),
        Line("（盖章）", 320, 152, 500, 175, 0.99),  # a cell's second line
        Line("中标金额：", 60, 200, 240, 240, 0.98), Line("100万元", 320, 200, 500, 240, 0.97),
        Line("页脚", 50, 400, 150, 440, 0.99),
    ]
    rows, order = lay_out(lines, page)
    assert rows == ["标题一行文字很长一直写到页面的右边接着写完。", "采购人：\t某市公安局（盖章）", "中标金额：\t100万元", "页脚"]
    assert sorted(order) == list(range(len(lines)))


def test_layout_splits_a_row_without_rules_at_wide_gaps():
    page = np.full((400, 1600), 255, np.uint8)
    lines = [Line("品名", 50, 50, 130, 90, 0.99), Line("数量", 600, 52, 680, 92, 0.99),
             Line("摄像机", 50, 120, 170, 160, 0.99), Line("20", 600, 118, 640, 158, 0.99)]
    rows, _ = lay_out(lines, page)
    assert rows == ["品名\t数量", "摄像机\t20"]
    # the engine reads neighbouring cells as one line: the labels of data/labels.yaml split them again,
    # but not a name that holds a label's words
    lines = [Line("项目名称", 50, 50, 210, 90, 0.99), Line("某县公安局视频监控系统建设采购项目采购方式询价", 600, 50, 1400, 90, 0.99),
             Line("采购代理机构某市智联招标代理有限公司", 50, 120, 800, 160, 0.99), Line("发布日期2024-09-17", 1000, 120, 1400, 160, 0.99)]
    rows, _ = lay_out(lines, page)
    assert rows == ["项目名称\t某县公安局视频监控系统建设采购项目\t采购方式\t询价", "采购代理机构\t某市智联招标代理有限公司\t发布日期\t2024-09-17"]


def test_layout_rejoins_the_cells_of_a_table_without_rules_that_wrap():
    # Two rows of four columns, no rules: a label or value too long for its column wraps onto a second
    # line, and the cells of one line stand centred beside it, as a browser prints a table.
    page = np.full((600, 1600), 255, np.uint8)
    lines = [
        Line("中标供应", 60, 100, 260, 150, 0.99), Line("商", 60, 162, 110, 212, 0.99),
        Line("某科技有限公司", 320, 131, 900, 181, 0.99), Line("成交金额", 1000, 131, 1200, 181, 0.99),
        Line("98.5万元", 1260, 131, 1500, 181, 0.99),
        Line("项目名称", 60, 271, 260, 321, 0.99),
        Line("某市公安局智慧警务平台运维服务", 320, 240, 980, 290, 0.99), Line("项目", 320, 302, 420, 352, 0.99),
        Line("采购方", 1000, 240, 1150, 290, 0.99), Line("式", 1000, 302, 1050, 352, 0.99),
        Line("公开招标", 1260, 271, 1460, 321, 0.99),
        Line("附件：无", 60, 420, 260, 470, 0.99),
    ]
    rows, order = lay_out(lines, page)
    assert rows == ["中标供应商\t某科技有限公司\t成交金额\t98.5万元",
                    "项目名称\t某市公安局智慧警务平台运维服务项目\t采购方式\t公开招标", "附件：无"]
    assert sorted(order) == list(range(len(lines)))
    # a paragraph's wrapped lines, and rows of one line each, stay as they were
    lines = [Line("一、采购需求：提供视频监控平台的运行维护", 60, 100, 1500, 150, 0.99), Line("和巡检服务。", 60, 162, 400, 212, 0.99),
             Line("品名", 60, 262, 160, 312, 0.99), Line("数量", 600, 262, 700, 312, 0.99),
             Line("摄像机", 60, 324, 210, 374, 0.99), Line("20", 600, 324, 650, 374, 0.99)]
    rows, _ = lay_out(lines, page)
    assert rows == ["一、采购需求：提供视频监控平台的运行维护和巡检服务。", "品名\t数量", "摄像机\t20"]


def test_layout_cuts_a_line_read_across_columns_and_joins_a_number_carried_to_the_next_line():
    page = np.full((600, 2000), 255, np.uint8)
    lines = [
        Line("一、成交结果：本项目经磋商小组评审，确定成交供应商如下，现予公告。", 60, 30, 1700, 80, 0.99),
        # a header of three columns, then a row whose supplier and sum the engine read as one line
        Line("包号", 60, 100, 160, 150, 0.99), Line("成交供应商", 300, 100, 550, 150, 0.99),
        Line("成交金额（元）", 1000, 100, 1350, 150, 0.99),
        Line("1", 60, 170, 85, 220, 0.99), Line("某市天网信息技术有限公司887,000.50", 300, 170, 1250, 220, 0.99),
        # a paragraph whose sum did not fit at the end of its first line (five line heights short of the
        # margin): the browser carried it down whole
        Line("第2包：确定某某科技有限公司为中标供应商，中标金额：", 60, 300, 1450, 350, 0.99),
        Line("￥1,185,113.00元。", 60, 362, 460, 412, 0.99),
        Line("（盖章）", 1200, 470, 1400, 520, 0.99), Line("日期：2024年5月6日", 60, 540, 560, 590, 0.99),
    ]
    rows, order = lay_out(lines, page)
    assert rows == ["一、成交结果：本项目经磋商小组评审，确定成交供应商如下，现予公告。", "包号\t成交供应商\t成交金额（元）", "1\t某市天网信息技术有限公司\t887,000.50",
                    "第2包：确定某某科技有限公司为中标供应商，中标金额：￥1,185,113.00元。", "（盖章）", "日期：2024年5月6日"]
    assert sorted(order) == list(range(len(lines)))


def test_layout_splits_a_row_the_engine_read_as_one_line_under_a_row_of_cells():
    page = np.full((400, 2000), 255, np.uint8)
    lines = [Line("采购人", 50, 50, 200, 100, 0.99), Line("某市人民检察院", 400, 50, 800, 100, 0.99),
             Line("项目编号", 1200, 50, 1400, 100, 0.99), Line("GK2025001", 1500, 50, 1800, 100, 0.99),
             Line("采购代理机构某市诚信招标代理有限公司发布日期2025/3/15", 50, 120, 1850, 170, 0.99),
             Line("项目概况：采购办公桌椅、文件柜等办公家具，采购方式为询价。", 50, 200, 1600, 250, 0.99)]
    rows, _ = lay_out(lines, page)
    assert rows == ["采购人\t某市人民检察院\t项目编号\tGK2025001",
                    "采购代理机构\t某市诚信招标代理有限公司\t发布日期\t2025/3/15",
                    "项目概况：采购办公桌椅、文件柜等办公家具，采购方式为询价。"]  # a sentence is not cut


def test_the_sites_lines_on_a_scanned_page_leave_the_text_and_are_placed_nowhere(monkeypatch):
    from sousveil.ingest import convert as converting

    texts = ["登录|免费注册|开通VIP会员", "某县公安局视频监控系统建设项目中标公告", "采购人：某县公安局", "相关推荐",
             "某市中医院雪亮工程二期招标公告"]
    lines = [Line(t, 100, 100 + 60 * i, 100 + 40 * len(t), 140 + 60 * i, 0.99) for i, t in enumerate(texts)]
    page = read.Page(1, 2480, 3508, 300, "0" * 64, lines=lines, text="\n".join(texts),
                     rows=[[i] for i in range(len(texts))])
    monkeypatch.setattr(read, "read", lambda *args: page)
    parts, scanned = [], []
    converting._ocr_page((np.full((10, 10), 255, np.uint8), 300), 1, read.Options(), parts, scanned)
    assert parts == ["某县公安局视频监控系统建设项目中标公告\n采购人：某县公安局"] and scanned[0].order == [1, 2]
    placed = evidence.place(scanned, parts[0], [])
    assert [(p.start, p.end) for p in placed] == [(0, 19), (20, 29)]
    assert [ln.text for ln in lines] == ["", texts[1], texts[2], "", ""]  # nothing kept of the site's lines


def test_a_red_seal_is_faded_out_and_red_print_is_not():
    from PIL import Image, ImageDraw

    from sousveil.ocr import seal

    img = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([300, 1000, 2300, 1040], fill="black")  # a line of print, under the seal
    draw.rectangle([300, 400, 2300, 460], fill=(200, 20, 20))  # a heading printed in red (红头)
    stamp = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(stamp).ellipse([1500, 780, 2000, 1280], outline=(210, 30, 30, 150), width=36)
    ImageDraw.Draw(stamp).text((1700, 1000), "★", fill=(210, 30, 30, 150))
    rgb = np.asarray(Image.alpha_composite(img.convert("RGBA"), stamp).convert("RGB"))
    [(x0, y0, x1, y1)] = seal.seals(rgb)
    assert x0 <= 1500 and y0 <= 780 and x1 >= 2000 and y1 >= 1280 and x1 - x0 < 600  # the seal, not the heading
    plain = np.asarray(Image.fromarray(rgb).convert("L"))
    gray = seal.grey(rgb)
    assert plain[780 + 18, 1750] < 170 and gray[780 + 18, 1750] > 220  # the seal's ring, nearly paper now
    assert gray[1020, 1750] < 80  # the print under the seal stays dark
    assert (gray[430, 300:2300] == plain[430, 300:2300]).all()  # the red heading keeps its grey: it is print
    assert (seal.grey(np.stack([plain] * 3, axis=-1)) == plain).all()  # a page without red is as it was


def test_a_list_bullet_is_not_read_as_text(monkeypatch):
    from sousveil.ocr import engine

    quad = [[10, 10], [200, 10], [200, 50], [10, 50]]
    read = [(quad, "• 政策法规", 0.98), (quad, "·", 0.6), (quad, "联系人：张·伟", 0.97), (quad, "■是 □否", 0.9)]
    monkeypatch.setattr(engine, "engine", lambda: lambda image: (read, None))
    lines, quads = engine.recognise(np.full((100, 300), 255, np.uint8))
    assert [ln.text for ln in lines] == ["政策法规", "联系人：张·伟", "■是 □否"]  # a lone bullet is no line
    assert len(quads) == 3


class _Page:
    def __init__(self, lines):
        self.page, self.lines, self.order = 1, lines, list(range(len(lines)))


def test_place_follows_redaction_and_blacks_out_what_it_removed():
    lines = [Line("项目联系人：张伟", 0, 0, 160, 20, 0.98), Line("电话：13912345678", 0, 30, 150, 50, 0.97),
             Line("采购人：某市公安局", 0, 60, 180, 80, 0.99)]
    page = _Page(lines)
    text, redactions, _ = redact_folded("\n".join(ln.text for ln in lines))
    assert "张伟" not in text and "13912345678" not in text
    placed = evidence.place([page], text, redactions)
    assert [text[p.start:p.end] for p in placed] == text.split("\n")
    assert placed[0].blackout and placed[1].blackout and not placed[2].blackout
    x0, x1 = placed[0].blackout[0]
    # 项目联系人： is 12 of the line's 16 units (a Chinese character is two), 10 px each; half a unit to spare
    assert (x0, x1) == (115, 160)
    assert all("张伟" not in ln.text and "13912345678" not in ln.text for ln in lines)


def test_facts_from_ocr_say_so_and_unsure_digits_are_flagged():
    from sousveil.model import Fact, Notice

    notice = Notice()
    notice.facts = [Fact("award_total", "1722250.19", 5, 15, method="label", confidence=0.95),
                    Fact("buyer", "某市公安局", 20, 25, method="label", confidence=0.95),
                    Fact("published", "2022-05-16", None, None, origin="html-meta", method="metadata", confidence=0.85)]
    placed = [evidence.Placed(1, 0, 16, 0, 0, 100, 20, 0.72, []), evidence.Placed(1, 17, 30, 0, 30, 100, 50, 0.99, [])]
    evidence.mark_facts(notice, placed)
    total, buyer, published = notice.facts
    assert (total.method, total.confidence) == ("ocr", 0.72) and "digits unsure" in total.note
    assert (buyer.method, buyer.confidence) == ("ocr", 0.95) and "digits" not in buyer.note
    assert published.method == "metadata"


def test_a_page_over_its_budget_fails_alone_and_the_document_clock_resumes():
    with time_budget(30):
        with pytest.raises(PageOverBudget):
            with page_budget(0.05):
                while True:
                    time.sleep(0.01)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < left <= 30  # the document's budget is armed again


def test_small_or_broken_images_are_not_pages(tmp_path):
    from PIL import Image

    Image.new("L", (120, 40), 255).save(tmp_path / "logo.png")
    Image.new("L", (800, 1100), 255).save(tmp_path / "blank_scan.png")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 50)
    items = {i.name: i for i in iter_sources([tmp_path])}
    assert "too small to be a page" in items["logo.png"].reason
    assert "cannot be read" in items["broken.jpg"].reason
    assert isinstance(items["blank_scan.png"], Source)
    rec = process(Source((tmp_path / "blank_scan.png").read_bytes(), "blank_scan.png"), ocr=read.Options())
    assert rec.status == "needs_ocr"  # nothing to read on a blank page
