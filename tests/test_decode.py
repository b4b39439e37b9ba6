from hypothesis import given, settings
from hypothesis import strategies as st

from sousveil.ingest.decode import decode

CHINESE = st.text(alphabet=st.sampled_from(list("政府采购公告中标人民币元年月日视频监控系统项目编号深圳市公安局供应商名称地址联系方式")),
                  min_size=20, max_size=200)


def page(body: str, charset: str) -> str:
    return f'<html><head><meta charset="{charset}"><title>t</title></head><body><p>{body}</p></body></html>'


@given(CHINESE, st.sampled_from(["utf-8", "gbk", "gb2312", "gb18030"]))
@settings(max_examples=60)
def test_declared_charset_is_used(body, charset):
    data = page(body, charset).encode("gb18030" if charset != "utf-8" else "utf-8")
    text, _ = decode(data)
    assert body in text


@given(CHINESE)
@settings(max_examples=40)
def test_gbk_page_declared_utf8_survives(body):
    data = page(body, "utf-8").encode("gbk")
    text, enc = decode(data)
    assert body in text
    assert enc == "gb18030"


@given(CHINESE)
@settings(max_examples=40)
def test_utf8_page_declared_gbk_survives(body):
    data = page(body, "gbk").encode("utf-8")
    text, enc = decode(data)
    assert body in text and enc == "utf-8"


def test_big5_page():
    body = "政府採購公告：中標供應商為某某科技有限公司，中標金額為新臺幣壹佰萬元整。"
    text, _ = decode(page(body, "big5").encode("big5"))
    assert body in text


def test_undeclared_gbk_is_detected():
    body = "政府采购公告：中标供应商为某某科技有限公司，中标金额为人民币壹佰万元整。本项目采购视频监控系统。" * 3
    text, enc = decode(f"<html><body>{body}</body></html>".encode("gbk"))
    assert body in text


def test_http_header_charset():
    body = "中标公告"
    text, enc = decode(body.encode("gbk"), header="text/html; charset=GBK")
    assert text == body


@given(st.binary(max_size=2000))
def test_never_raises(data):
    text, enc = decode(data)
    assert isinstance(text, str)
