"""The real award notice in tests/fixtures/ccgp/ (from shared/samples/ccgp/) and the facts its README lists."""

from decimal import Decimal

from sousveil.ingest.sources import Source
from sousveil.pipeline import process

from .conftest import CCGP_SAMPLE

URL = "http://www.ccgp.gov.cn/cggg/dfgg/zbgg/202505/t20250527_24657033.htm"


def record():
    return process(Source(CCGP_SAMPLE.read_bytes(), str(CCGP_SAMPLE), URL))


def facts(n, field):
    return [f for f in n.facts if f.field == field]


def test_facts_of_the_real_notice():
    rec = record()
    n = rec.notice
    assert rec.status == "ok" and not rec.synthetic
    assert n.type == "award"
    assert n.published == "2025-05-27T20:20"
    assert n.project_code == "LHACG2025000057"
    assert n.title == "深圳市龙华科技实验高级中学空调采购"
    assert n.buyer == "深圳市龙华科技实验高级中学" and n.buyer_type == "education"
    assert (n.region.province, n.region.city, n.region.county) == ("广东省", "深圳市", "龙华区")
    assert n.region.code == "440309"
    assert n.agency == "深圳交易集团有限公司龙华分公司"
    assert [(w.name, w.amount) for w in n.winners()] == [("深圳市金龙空调电器有限公司", Decimal("6687920.0"))]
    assert n.award_total == Decimal("6687920")
    bidders = [s for s in n.suppliers if s.role == "bidder"]
    assert len(bidders) == 5 and {b.lot for b in bidders} == {"A"}
    [item] = n.items
    assert (item.name, item.brand, item.model, item.quantity, item.unit_price) == (
        "3 匹冷暖变频壁挂式分体空调", "美的", "KFR-72GW/G1-1A", Decimal(281), Decimal(5390))
    assert [t for t in n.tags if t.kind == "capability"] == []


def test_summary_and_body_amounts_are_both_recorded():
    n = record().notice
    notes = {f.value: f.note for f in facts(n, "award_total")}
    assert "6687900" in notes and "not used" in notes["6687900"]
    assert "6687920" in notes


def test_every_fact_span_points_into_the_stored_text():
    rec = record()
    text = rec.text
    for f in rec.notice.facts:
        if f.start is None:
            continue
        piece = text[f.start:f.end]
        if f.field in ("title", "buyer", "agency", "project_code", "supplier", "bidder", "heading"):
            assert piece == f.value, f
    award = facts(rec.notice, "award")[0]
    assert text[award.start:award.end] == "6687920.0元"
    county = facts(rec.notice, "county")[0]
    assert text[county.start:county.end] == "龙华区"


def test_personal_data_is_redacted():
    text = record().text
    for personal in ("张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑甲", "冯乙", "王老师", "刘工",
                     "13800000001", "13800000002"):
        assert personal not in text, personal
    for kept in ("深圳交易集团有限公司龙华分公司", "0755-23338582", "深圳市龙华区观湖街道大和社区大和路288号"):
        assert kept in text
