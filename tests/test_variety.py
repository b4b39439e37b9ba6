"""Hand-made notices in layouts the generator does not write (tests/fixtures/variety/README.md):
every fact, every span and every redaction checked."""

from decimal import Decimal
from pathlib import Path

import pytest

from sousveil.ingest.sources import Source
from sousveil.pipeline import process
from sousveil.privacy.redact import MARKERS

FIXTURES = Path(__file__).parent / "fixtures" / "variety"


def record(name):
    path = FIXTURES / name
    rec = process(Source(path.read_bytes(), str(path)))
    assert rec.status == "ok", rec.error
    assert rec.synthetic  # hand-made: says so in its first line
    return rec


def facts(n, field):
    return [(f.value, f.lot) for f in n.facts if f.field == field]


def check_spans(rec):
    """Every supplier span spells the supplier; every fact span lies inside the stored text."""
    for s in rec.notice.suppliers:
        assert rec.text[s.start:s.end] == s.name
    for f in rec.notice.facts:
        if f.start is not None:
            assert 0 <= f.start < f.end <= len(rec.text), f


def test_exchange_centre_candidates_notice_names_no_winner():
    rec = record("exchange_candidates.html")
    n = rec.notice
    assert n.type == "candidates" and n.buyer == "贵阳市公安局" and n.buyer_type == "police"
    assert n.project_code == "GYGGZY-2022-ZB-0917" and n.agency == "贵州某某工程咨询有限公司"
    assert [(s.role, s.name, s.amount) for s in n.suppliers] == [
        ("candidate", "贵州甲智能科技有限公司", Decimal("38765432.10")),
        ("candidate", "贵州乙信息产业有限公司", Decimal("39102000.00")),
        ("candidate", "中电丙系统工程有限公司", Decimal("39880000.00"))]
    assert n.winners() == [] and n.award_total is None
    assert facts(n, "candidate")[0] == ("贵州甲智能科技有限公司", None)
    assert n.published == "2022-09-16T09:30" and n.region.city_code == "520100"
    # The project managers' names in the candidates' table are personal data.
    for name in ("张某某", "李某某", "王某某", "赵警官", "13812345678"):
        assert name not in rec.text
    rows = [line for line in rec.text.split("\n") if "中标候选人\t" in line]
    assert len(rows) == 3 and all(row.endswith(MARKERS["person"]) for row in rows)
    check_spans(rec)


def test_free_text_award_with_capital_numerals_and_committee():
    rec = record("tcs_capital.html")
    n = rec.notice
    assert n.type == "award" and n.method == "竞争性磋商"
    assert n.buyer == "喀什地区公安局" and n.project_code == "KSCG-2018-0321"
    assert [(s.name, s.amount) for s in n.winners()] == [("新疆丁安防科技有限责任公司", Decimal("12345678.00"))]
    assert n.published == "2018-04-12"  # 二〇一八年四月十二日 at the end
    assert (n.region.province_code, n.region.city_code) == ("650000", "653100")
    assert {"phone_tracking", "video"} <= {t.category for t in n.tags}
    assert "钱某" not in rec.text and "磋商小组成员：" + MARKERS["experts"] in rec.text
    check_spans(rec)


def test_gb2312_cancellation():
    rec = record("termination.html")
    n = rec.notice
    assert rec.converted.encoding == "gb18030"
    assert n.type == "cancellation" and n.buyer_type == "procuratorate"
    assert n.budget == Decimal("865000") and n.award_total is None
    assert n.region.county_code == "421122"  # 红安县, from the buyer's name
    assert n.published == "2019-06-03"
    check_spans(rec)


def test_intention_table_of_projects():
    rec = record("intention.html")
    n = rec.notice
    assert n.type == "intention"
    assert n.title == "视频图像解析平台扩容"  # the first project, not the header beside its label
    assert facts(n, "budget") == [("4800000", "1"), ("356000", "2")]
    assert n.budget == Decimal("5156000")
    assert facts(n, "intention_time") == [("2023-05", "1"), ("2023-04", "2")]  # a month, no day
    assert n.buyer == "上海市公安局浦东分局" and n.buyer_type == "police"
    buyer = next(f for f in n.facts if f.field == "buyer")
    assert buyer.note == "the signature of an intention notice" and rec.text[buyer.start:buyer.end] == n.buyer
    # "2023年5月" ends a row and the next row starts with 2: that is no date 2023-05-02.
    assert {f.value for f in n.facts if f.field in ("date", "published")} == {"2023-03-10"}
    check_spans(rec)


def test_2020_template_award_in_text():
    rec = record("lots_text.html")
    n = rec.notice
    assert n.type == "award"
    assert n.project_code == "GZPY-2021-1103"  # not "GZPY-2021-1103（"
    assert n.method is None  # 评审专家（单一来源采购人员）名单 is template wording, not the method
    assert sorted((s.lot, s.name, s.amount) for s in n.winners()) == [
        ("1", "广州戊科技股份有限公司", Decimal("4567800.00")), ("2", "深圳己通信技术有限公司", Decimal("1234000.00"))]
    assert n.award_total == Decimal("5801800.00")
    assert n.buyer == "广州市公安局番禺区分局" and n.agency == "广东庚招标代理有限公司"
    assert n.region.county_code == "440113"
    for personal in ("陈某某", "林某某", "黄某某", "刘工", "13911112222"):
        assert personal not in rec.text
    assert [r.kind for r in rec.redactions] == ["experts", "person", "mobile"]
    assert "020-84600000" in rec.text  # a switchboard number stays
    check_spans(rec)


def test_english_award_keeps_its_currency():
    rec = record("english_hk.html")
    n = rec.notice
    assert n.type == "award"
    assert n.title == "Supply of Facial Recognition Access Control System"
    assert n.project_code == "HKPF/T/2021/045"
    assert n.buyer == "Hong Kong Police Force" and n.buyer_type == "police"
    assert [s.name for s in n.winners()] == ["Example Vision Technology Limited"]
    # HK$ is not yuan: the sum is kept with its currency and the CNY amounts stay empty.
    assert n.award_total is None and n.amount_status == "currency:HKD"
    award = next(f for f in n.facts if f.field == "award")
    assert award.value is None and "3,456,000 HKD" in award.note and rec.text[award.start:award.end] == "HK$ 3,456,000"
    assert n.published == "2021-03-15"
    assert n.region.province_code == "810000"  # Hong Kong, by its English name (data/gazetteer_aliases.csv)
    assert [t.category for t in n.tags] == ["video"]
    check_spans(rec)


def test_correction_takes_the_corrected_values():
    rec = record("correction.html")
    n = rec.notice
    assert n.type == "correction" and n.project_code == "XSCG2024-015"
    # Named only in the heading: found there by the institution recogniser, and said so.
    assert n.buyer == "杭州市公安局萧山区分局" and n.buyer_type == "police"
    buyer = next(f for f in n.facts if f.field == "buyer")
    assert buyer.origin == "inferred" and "heading" in buyer.note
    assert n.budget == Decimal("4200000")  # 更正后, not the 380万元 it replaced
    assert facts(n, "deadline") == [("2024-04-30T09:30", None)]
    assert facts(n, "original_published") == [("2024-04-02", None)]
    assert n.published == "2024-04-15"
    budget = next(f for f in n.facts if f.field == "budget")
    assert rec.text[budget.start:budget.end] == "420万元"
    check_spans(rec)


def test_consortium_members_win_together():
    rec = record("consortium.html")
    n = rec.notice
    assert [(s.name, s.amount) for s in n.winners()] == [("新疆庚信息技术有限公司", None), ("北京辛数据科技股份有限公司", None)]
    assert {f.note for f in n.facts if f.field == "supplier"} == {"member of a consortium (联合体) that won together"}
    assert n.award_total == Decimal("23000000")  # 贰仟叁佰万元整, the consortium's
    assert n.method == "公开招标" and n.region.city_code == "654000"
    check_spans(rec)


def test_contract_with_a_rate_instead_of_a_sum():
    rec = record("contract.html")
    n = rec.notice
    assert n.type == "contract" and n.buyer == "河南省郑州监狱" and n.buyer_type == "prison"
    assert [s.name for s in n.winners()] == ["郑州壬安防工程有限公司"]
    assert n.award_total is None and n.amount_status == "rate"
    assert facts(n, "contract_signed") == [("2022-03-01", None)] and n.published == "2022-03-03"
    check_spans(rec)


def test_taiwan_award_in_big5():
    rec = record("taiwan_big5.html")
    n = rec.notice
    assert rec.converted.encoding == "big5hkscs"
    assert n.type == "award" and n.method == "公开招标"
    assert n.buyer == "內政部警政署刑事警察局" and n.buyer_type == "police"
    assert n.project_code == "CIB-111-023" and n.title == "人臉辨識比對系統擴充案"
    assert [s.name for s in n.winners()] == ["甲科技股份有限公司"]
    assert n.award_total is None and n.amount_status == "currency:TWD"  # 新臺幣 is not yuan
    assert n.published == "2022-05-23"  # 民國111年
    assert [(t.category, t.term) for t in n.tags] == [("video", "人脸辨识")]
    check_spans(rec)


@pytest.mark.parametrize("text, code", [("US$2.5 million", "USD"), ("100万美元", "USD"), ("3,456,000港元", "HKD"),
                                        ("EUR 20,000", "EUR"), ("MOP 80,000", "MOP")])
def test_other_currencies_are_never_read_as_yuan(text, code):
    from sousveil.extract.amounts import find_amount
    from sousveil.text import fold

    amount, span = find_amount(fold(text))
    assert amount.value is None and amount.status == f"currency:{code}" and span is not None
