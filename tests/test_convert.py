import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sousveil.ingest.convert import ConversionError, _chrome_line, convert, html_to_text
from sousveil.ingest.tidy import tidy_text

from .conftest import CCGP_SAMPLE


def test_html_tables_become_tab_separated_rows():
    text, _ = html_to_text("<table><tr><th>包组</th><th>供应商</th></tr><tr><td>A</td><td>某公司</td></tr></table>")
    assert text.split("\n") == ["包组\t供应商", "A\t某公司"]


def test_html_blocks_scripts_and_styled_spans():
    html = ("<html><head><title>T</title><style>p{}</style></head><body><script>alert('x')</script>"
            "<span style='display: block'>一、项目编号：A1</span><span style='display:block'>二、项目名称：B</span>"
            "<p>第一段<br>第二行</p><div>尾&nbsp;部</div></body></html>")
    text, meta = html_to_text(html)
    assert text.split("\n") == ["一、项目编号：A1", "二、项目名称：B", "第一段", "第二行", "尾 部"]
    assert meta["title"] == "T"
    assert "alert" not in text


def test_real_sample_keeps_summary_and_tables():
    conv = convert(CCGP_SAMPLE.read_bytes(), str(CCGP_SAMPLE))
    assert conv.media_type == "text/html" and conv.encoding == "utf-8"
    assert "总中标金额\t￥668.790000 万元（人民币）" in conv.text
    assert "A\t深圳市金龙空调电器有限公司\t6687920.0" in conv.text
    assert conv.html_meta["PubDate"] == "2025-05-27 20:20"


def make_pdf(pages):
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        if text:
            page.insert_text((72, 72), text, fontname="china-s")
    return doc.tobytes()


def test_pdf_text_layer_and_pages_without_text():
    data = make_pdf(["中标公告 项目编号：PDF-001", "", "中标金额：100万元"])
    conv = convert(data, "a.pdf")
    assert conv.media_type == "application/pdf"
    assert "项目编号：PDF-001" in conv.text and "中标金额：100万元" in conv.text
    assert conv.pages == 3 and conv.ocr_pages == [2]


PRINTED_PAGE = """登录|免费注册|开通VIP会员|查看完整内容请先登录
某县公安局视频监控系统建设项目中标公告
采购人：某县公安局
中标金额：100万元
相关推荐
某市中医院雪亮工程二期招标公告
3某市城市管理局网络舆情监测服务成交结果公告
某区实验小学DNA实验室检测试剂采购成交结果公告 2025-03-02
下载附件收藏分享到微信扫码关注公众号
主办单位：财政厅|网站标识码：8571993219|ICP备15218448号"""


def test_a_page_printed_from_a_portal_keeps_the_notice_not_the_site():
    # a PDF of a web page: its related notices would tag this one with their capabilities (雪亮工程, DNA)
    conv = convert(make_pdf([PRINTED_PAGE]), "printed.pdf")
    assert conv.text == "某县公安局视频监控系统建设项目中标公告\n采购人：某县公安局\n中标金额：100万元"
    # a heading of a notice's own section, followed by its own lines, is not a list of other notices
    kept = "相关信息\n项目名称：某县公安局视频监控系统建设项目\n本项目不接受联合体投标"
    assert convert(make_pdf([kept]), "own.pdf").text == kept


def test_pdf_scan_only_needs_ocr():
    conv = convert(make_pdf(["", ""]), "scan.pdf")
    assert conv.text == "" and conv.ocr_pages == [1, 2]


def test_corrupt_pdf_is_a_clear_error():
    with pytest.raises(ConversionError, match="unreadable PDF"):
        convert(b"%PDF-1.7 garbage", "broken.pdf")


def make_docx():
    import docx

    d = docx.Document()
    d.add_paragraph("某市公安局视频监控采购中标公告")
    d.add_paragraph("项目编号：DOCX-7")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "中标供应商", "中标金额（万元）"
    t.cell(1, 0).text, t.cell(1, 1).text = "某某科技有限公司", "12.5"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables():
    conv = convert(make_docx(), "a.docx")
    assert conv.text.split("\n") == ["某市公安局视频监控采购中标公告", "项目编号：DOCX-7", "中标供应商\t中标金额（万元）",
                                     "某某科技有限公司\t12.5"]


def test_plain_text_gbk():
    conv = convert("采购人：某某中学\r\n\r\n  预算金额：5万元  ".encode("gbk"), "a.txt")
    assert conv.media_type == "text/plain"
    assert conv.text == "采购人：某某中学\n预算金额：5万元"


def test_page_chrome_is_not_the_notice():
    html = ("<html><body><div class='top-nav'><ul><li>首页</li><li>中标公告</li></ul></div>"
            "<div class='crumb'>首页 &gt; 采购公告</div>"
            "<div class='main'><h3>某中学空调采购结果公告</h3><p>采购人：某某中学</p></div>"
            "<div class='sidebar'><h4>最新公告</h4><ul><li>某市公安局视频监控及人脸识别系统采购公告</li></ul>"
            "<div class='menu'>nested chrome</div></div>"
            "<footer><div class='footer-nav'>版权所有</div></footer></body></html>")
    text, _ = html_to_text(html)
    assert text.split("\n") == ["某中学空调采购结果公告", "采购人：某某中学"]


def test_a_large_block_named_like_chrome_is_kept():
    body = "采购人：某某局。" * 500
    text, _ = html_to_text(f"<div id='navcontent'><p>{body}</p></div>")
    assert text == body


def test_cells_spanning_rows_and_columns_keep_every_row_in_its_columns():
    html = """<table><tr><th>包号</th><th>中标供应商</th><th>中标金额（元）</th></tr>
    <tr><td rowspan="2">1</td><td>甲科技有限公司</td><td>100,000.00</td></tr>
    <tr><td>乙科技有限公司</td><td>200,000.00</td></tr>
    <tr><td colspan="2">合计</td><td>300,000.00</td></tr>
    <tr><td>2</td><td>丙科技有限公司</td><td rowspan="9">见附件</td></tr></table>"""
    text, _ = html_to_text(html)
    assert text.split("\n") == ["包号\t中标供应商\t中标金额（元）", "1\t甲科技有限公司\t100,000.00", "1\t乙科技有限公司\t200,000.00",
                                "合计\t\t300,000.00", "2\t丙科技有限公司\t见附件"]


def test_a_layout_cell_spanning_rows_is_not_copied_and_nested_tables_keep_their_own_columns():
    notice = "采购人：某市公安局。" * 20
    html = f"""<table><tr><td rowspan="2"><table><tr><td rowspan="2">A</td><td>x</td></tr><tr><td>y</td></tr></table>
    {notice}</td><td>栏目</td></tr><tr><td>页脚</td></tr></table>"""
    text, _ = html_to_text(html)
    assert text.count("采购人：某市公安局。") == 20
    assert "A\tx" in text and "A\ty" in text
    # A hostile colspan pads at most 50 columns.
    assert html_to_text('<table><tr><td colspan="100000">a</td><td>b</td></tr></table>')[0].count("\t") == 50


# --- page chrome of aggregator and document-sharing sites (docs/main-content.md) --------------------------

CHROME = Path(__file__).parent / "fixtures" / "chrome"
REAL_YICHANG = Path(__file__).resolve().parents[1].parent / "shared" / "real" / "yichang-awards"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_chrome_fixtures_keep_the_notice_and_drop_most_chrome():
    expected = json.loads((CHROME / "expected.json").read_text(encoding="utf-8"))
    assert 8 <= len(expected) <= 12
    dropped = total = 0
    for name, want in expected.items():
        conv = convert((CHROME / name).read_bytes(), name)
        assert conv.text.startswith("【合成数据 SYNTHETIC】"), name
        text = _squash(conv.text)
        for line in want["keep"]:
            assert _squash(line) in text, (name, line)  # nothing of the notice is lost
        dropped += sum(_squash(line) not in text for line in want["drop"])
        total += len(want["drop"])
    assert dropped / total >= 0.9  # measured: 106 of 112


def test_related_notices_naming_other_buyers_are_dropped_with_their_heading():
    html = ("<div class='a1 b2'><p>采购人：某某县公安局</p><p>项目名称：执法记录仪采购</p><p>预算金额：30万元</p>"
            "<h4>相关推荐</h4><p><a href='/1'>甲市公安局人脸识别系统采购公告</a></p><p><a href='/2'>乙县看守所监控中标公告</a></p></div>"
            "<div class='c3'><span>猜你喜欢</span><div><a href='/3'>丙市雪亮工程招标公告</a> 2024-01-02</div></div>")
    text, _ = html_to_text(html)
    assert text.split("\n") == ["采购人：某某县公安局", "项目名称：执法记录仪采购", "预算金额：30万元"]


def test_link_lists_of_the_notice_are_kept():
    # attachments, and a table of winners whose names are links (aggregators link company pages)
    html = ("<div class='x'><p>附件：</p><div><a href='/a.pdf'>更正公告.pdf</a><a href='/b.docx'>招标文件.docx</a>"
            "<a href='/c.xlsx'>清单.xlsx</a></div><table><tr><td><a href='/c/1'>甲科技有限公司</a></td>"
            "<td><a href='/c/2'>乙科技有限公司</a></td><td><a href='/c/3'>丙科技有限公司</a></td></tr></table></div>")
    text, _ = html_to_text(html)
    assert "更正公告.pdf" in text and "甲科技有限公司\t乙科技有限公司\t丙科技有限公司" in text


@pytest.mark.parametrize("line, chrome", [
    ("登录 | 免费注册 | 开通VIP会员 | 查看完整内容请先登录", True),
    ("版权所有 © 2024 某某网络科技有限公司 ICP备00000000号", True),
    ("免责声明：本站信息来源于网络，仅供参考", True),
    ("以上为部分内容，开通会员查看全部信息", True),
    ("主办：某县财政局 承办：某县政府采购中心 技术支持：某某网络", True),
    ("举报 | 收藏 | 5星 | 共12页 | 下载 | 阅读 1.2万次", True),
    ("请于2024年6月10日至2024年6月17日登录某县公共资源交易平台下载招标文件。", False),
    ("联系人：****（登录后查看）", False),
    ("地址：某市某路1号 邮编：000000", False),
    ("供应商\t下载\t收藏", False),  # a table row is never chrome
    ("二、获取招标文件", False),
])
def test_chrome_lines(line, chrome):
    assert _chrome_line(line) is chrome


def test_real_pages_lose_no_cell():
    import lxml.html

    assert REAL_YICHANG.is_dir(), f"{REAL_YICHANG} is missing: the tests read ../shared beside the clone"

    for path in sorted(REAL_YICHANG.glob("*.html")):
        data = path.read_bytes()
        text = _squash(convert(data, path.name).text)
        for td in lxml.html.fromstring(data).iter("td"):
            assert _squash(td.text_content()) in text, (path.name, td.text_content())


# --- text variants left by converters (ingest/tidy.py) ------------------------------------------------------

@pytest.mark.parametrize("raw, tidy", [
    ("區(qū)域", "區域"),
    ("採購(cǎi gòu)人：某局", "採購人：某局"),
    ("採購（cǎi gòu）人", "採購人"),
    ("采购(cai3 gou4)人", "采购人"),
    ("中(Zhōng)国", "中国"),
    ("单位(盖章)", "单位(盖章)"),
    ("金额(万元)", "金额(万元)"),
    ("第一包(A包)", "第一包(A包)"),
    ("年度(2024)", "年度(2024)"),
    ("纸张(A4)", "纸张(A4)"),
    ("格式(pdf)", "格式(pdf)"),
    ("某公司(ABC)", "某公司(ABC)"),
    ("(qū)开头", "(qū)开头"),  # no character before it: not a gloss
])
def test_pinyin_glosses(raw, tidy):
    assert tidy_text(raw) == tidy


@pytest.mark.parametrize("raw, tidy", [
    ("采 购 人：某某局", "采购人：某某局"),
    ("项 目 名 称", "项目名称"),
    ("包号\t中 标 人\t金额", "包号\t中标人\t金额"),
    ("海康威视 DS-2CD3T47", "海康威视 DS-2CD3T47"),
    ("甲方 乙方", "甲方 乙方"),
    ("电 话：0871-1234567", "电 话：0871-1234567"),  # two characters: left alone
    ("人 脸 识别", "人 脸 识别"),
    ("2024 年 5 月", "2024 年 5 月"),
    ("本 项 目 采 购 的 内 容 为 视 频 监 控 设 备", "本 项 目 采 购 的 内 容 为 视 频 监 控 设 备"),  # a sentence, not a label
])
def test_spaced_labels(raw, tidy):
    assert tidy_text(raw) == tidy


@pytest.mark.parametrize("raw, tidy", [
    ("中标人：甘肃黄河声纹智能科技有限公\n司", "中标人：甘肃黄河声纹智能科技有限公司"),
    ("1\t甘肃某某科技有限公\n司\t100.00", "1\t甘肃某某科技有限公司\t100.00"),
    ("采购人：某县公安\n局", "采购人：某县公安局"),
    ("某市人民医\n院", "某市人民医院"),
    ("某市大数据中\n心", "某市大数据中心"),
    ("某某科技有限\n公司", "某某科技有限公司"),
    ("某某科技\n公司", "某某科技\n公司"),
    ("采购人：\n局", "采购人：\n局"),
    ("中标人\n司", "中标人\n司"),
    ("某某科技有限公司。\n局", "某某科技有限公司。\n局"),
    ("某某公\n司法局", "某某公\n司法局"),  # the next line is more than the suffix
    ("甲方（采购人）：某市公安局樊城\n区分局", "甲方（采购人）：某市公安局樊城区分局"),
    # A sum cut inside a group of thousands, a code cut after a hyphen.
    ("（小写：¥2,346,8\n00.00）", "（小写：¥2,346,800.00）"),
    ("合计：1,234,\n567.00元", "合计：1,234,567.00元"),
    ("合同编号：XYFC-HT-2022-\n093", "合同编号：XYFC-HT-2022-093"),
    ("金额：2,346,8\n0.00", "金额：2,346,8\n0.00"),  # two digits would not make a group of three
    ("金额：2,346\n800.00", "金额：2,346\n800.00"),  # the group is whole: the next line is another number
    ("编号：A-\n第二条 价款", "编号：A-\n第二条 价款"),
])
def test_names_broken_across_lines(raw, tidy):
    assert tidy_text(raw) == tidy


def test_columns_aligned_with_spaces_become_cells():
    text = "包号   供应商名称          中标金额(元)\n1      某某生物科技有限公司    1,268,000.00\n采购人：某局 二楼"
    conv = convert(text.encode("utf-8"), "award.txt")
    assert conv.text.split("\n") == ["包号\t供应商名称\t中标金额(元)", "1\t某某生物科技有限公司\t1,268,000.00",
                                     "采购人：某局 二楼"]


def test_convert_tidies_text_from_every_converter():
    assert convert("采 购 人：某某中学\n採購(cǎi gòu)內容：空调".encode("utf-8"), "a.txt").text == "采购人：某某中学\n採購內容：空调"
    conv = convert("<p>中标人：甲乙科技有限公<br>司</p>".encode("utf-8"), "a.html")
    assert conv.text == "中标人：甲乙科技有限公司"


_CJK_CHARS = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_TONE_SYLLABLES = ["qū", "cǎi", "gòu", "zhōng", "rén", "mín", "yī", "yuàn", "gōng", "sī", "ān", "jú", "lǜ", "ér"]
_ORDINARY = ["(盖章)", "(万元)", "(A包)", "(2024)", "（签字）", "(A4)", "(pdf)", "(DS-2CD)", "（含税）", "(1)"]


@given(st.text(_CJK_CHARS, min_size=1, max_size=8), st.lists(st.sampled_from(_TONE_SYLLABLES), min_size=1, max_size=6),
       st.sampled_from(["(", "（"]), st.text(_CJK_CHARS, max_size=5))
def test_any_toned_gloss_after_a_character_goes(word, syllables, bracket, after):
    close = ")" if bracket == "(" else "）"
    assert tidy_text(word + bracket + " ".join(syllables) + close + after) == word + after


@given(st.lists(st.one_of(st.text(_CJK_CHARS, min_size=2, max_size=6), st.sampled_from(_ORDINARY)), min_size=1, max_size=8))
def test_ordinary_brackets_and_unspaced_text_are_left_alone(parts):
    text = "".join(parts)
    assert tidy_text(text) == text


@given(st.text(st.sampled_from(list("采购人项目名称公司局院中心司有限 \n\t(qū)：")), max_size=40))
def test_tidy_is_idempotent_and_only_removes(text):
    once = tidy_text(text)
    assert tidy_text(once) == once
    assert len(once) <= len(text)


def test_paragraphs_inside_short_cells_stay_in_their_cell():
    # A word processor's table: each cell's text wrapped in <p class="MsoNormal"> (and spans).
    cell = '<td><p class="MsoNormal" align="center"><span style="FONT-SIZE: 12pt">{}</span></p></td>'
    html = ("<table><tr>" + "".join(cell.format(x) for x in ("包号", "成交供应商名称", "成交金额(元)")) + "</tr><tr>"
            + "".join(cell.format(x) for x in ("001", "某某服装厂", "269100.00")) + "</tr></table>")
    text, _ = html_to_text(html)
    assert text.split("\n") == ["包号\t成交供应商名称\t成交金额(元)", "001\t某某服装厂\t269100.00"]
    # A page laid out in one big cell keeps its paragraphs as lines.
    long = "".join(f"<p>第{i}段：{'某' * 40}</p>" for i in range(6))
    text, _ = html_to_text(f"<table><tr><td>{long}</td></tr></table>")
    assert len(text.split("\n")) == 6
