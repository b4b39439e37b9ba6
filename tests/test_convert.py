import io

import pytest

from sousveil.ingest.convert import ConversionError, convert, html_to_text

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
