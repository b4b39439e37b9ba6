"""Tendering and Bidding Law notices as public resource trading centres publish them: a body without
its heading, 招标人 / 招标机构 / 中标人 / 中标价, consortium winners, rates and prices written as
sentences, and the winners' staff rosters. Hand-made in the forms of ../shared/real/yichang-awards
(no text of theirs): every name below is invented."""

from decimal import Decimal

import pytest

from sousveil.extract.amounts import find_amount, unit_from_label
from sousveil.extract.notice import extract_notice
from sousveil.ingest.convert import html_to_text
from sousveil.privacy.redact import MARKERS, redact
from sousveil.text import fold


def row(label, value):
    return f"<tr><td>{label}</td><td colspan='3'>{value}</td></tr>"


def award_body(*rows):
    """A trading centre's award body: a table of label cells, no heading (the portal shows it from metadata)."""
    base = [row("招标人:", "某县公安局"), row("招标机构:", "湖北某某项目管理有限公司"),
            row("标段(包)名称:", "某县公安局业务技术用房建设工程"), row("公告发布日期:", "2025-04-02")]
    return "<html><body><table>" + "".join(base[:3] + list(rows) + base[3:]) + "</table></body></html>"


def extracted(html):
    text, meta = html_to_text(html)
    stored, _ = redact(text)
    return extract_notice(stored, meta), stored


def test_an_award_body_without_heading_is_an_award_with_its_agency():
    n, _ = extracted(award_body(row("中标人:", "湖北某某建设工程有限公司"), row("中标价(元):", "20797381.58")))
    assert n.type == "award"
    assert (n.buyer, n.agency, n.buyer_type) == ("某县公安局", "湖北某某项目管理有限公司", "police")
    assert [s.name for s in n.winners()] == ["湖北某某建设工程有限公司"] and n.award_total == Decimal("20797381.58")
    typed = next(f for f in n.facts if f.field == "type")
    assert typed.origin == "inferred" and "supplier" in typed.note and "award" in typed.note
    assert n.published == "2025-04-02"


def test_a_candidates_notice_is_not_an_award():
    n, _ = extracted(award_body(row("第一中标候选人:", "湖北甲建设有限公司"), row("第二中标候选人:", "湖北乙建设有限公司")))
    assert n.type == "candidates" and n.winners() == []
    assert [(s.role, s.name) for s in n.suppliers] == [("candidate", "湖北甲建设有限公司"), ("candidate", "湖北乙建设有限公司")]
    n, _ = extracted("<h3>某县公安局指挥中心改造项目中标候选人公示</h3><p>招标人：某县公安局</p>")
    assert n.type == "candidates"


def test_a_stray_correction_word_does_not_make_a_correction():
    body = award_body(row("中标人:", "湖北某某咨询有限公司"), row("中标价(元):", "100000"),
                      row("服务期限:", "提交修改后的最终成果报告，如有更正另行通知"))
    assert extracted(body)[0].type == "award"
    n, _ = extracted("<table><tr><td>更正事项</td><td>更正前</td><td>更正后</td></tr>"
                     "<tr><td>开标时间</td><td>2025-05-01</td><td>2025-05-08</td></tr></table><p>采购人：某县公安局</p>")
    assert n.type == "correction"


@pytest.mark.parametrize("value,members", [
    ("湖北甲建设工程有限公司、湖北乙设计院联合体", ["湖北甲建设工程有限公司", "湖北乙设计院"]),
    ("湖北甲建设工程有限公司、湖北乙勘察有限公司、广东丙工程有限公司联合体",
     ["湖北甲建设工程有限公司", "湖北乙勘察有限公司", "广东丙工程有限公司"]),
    ("湖北甲建设工程有限公司（牵头人）、湖北乙勘察有限公司（成员）", None),
    ("湖北甲建设工程有限公司与湖北乙勘察有限公司组成的联合体", ["湖北甲建设工程有限公司", "湖北乙勘察有限公司"]),
    ("湖北甲建设工程有限公司(牵头人)、湖北乙勘察有限公司(成员)(联合体)", ["湖北甲建设工程有限公司", "湖北乙勘察有限公司"]),
])
def test_a_consortium_wins_member_by_member(value, members):
    n, text = extracted(award_body(row("中标人:", value), row("中标价(元):", "58093708.41")))
    names = [s.name for s in n.winners()]
    assert all("联合体" not in x for x in names)
    if members:
        assert names == members and all(s.joint for s in n.winners())
        # The consortium's price is the consortium's, not one member's: it is the award total.
        assert n.award_total == Decimal("58093708.41")
    for s in n.winners():
        assert text[s.start:s.end] == s.name


def test_an_institutions_second_name_in_brackets_is_its_name():
    n, _ = extracted(award_body(row("中标人:", "湖北省某某科学研究院（省某某工程评估中心）"), row("中标价(元):", "300000")))
    assert [s.name for s in n.winners()] == ["湖北省某某科学研究院（省某某工程评估中心）"]
    n, _ = extracted(award_body(row("中标人:", "湖北某某科技有限公司（小微企业）"), row("中标价(元):", "300000")))
    assert [s.name for s in n.winners()] == ["湖北某某科技有限公司"]


@pytest.mark.parametrize("label,value,expected,status", [
    ("中标价(%)", "97.95", None, "rate"),
    ("中标价(报价承诺)", "价格系数：92.67%", None, "rate"),
    ("中标价(报价承诺)", "按《工程勘察设计收费标准》(计价格[2002]10号)文的45%计取", None, "rate"),
    ("中标价(报价承诺)", "含税单价为6400 元/吨（355.01 元/米），总价为3905110 元（大写：叁佰玖拾万零伍仟壹佰壹拾元），增值税税率为 13%。",
     "3905110", "ok"),
    ("中标价(报价承诺)", "设计费224.7万元，施工费下浮率3.5%", None, "sentence"),
    ("中标价(报价承诺)", "服务费为12元/㎡，总金额为1332000元；设计费折扣率70%", None, "sentence"),
    ("中标价(报价承诺)", "勘察费300000元；设计费500000元", None, "sentence"),
    ("中标价(报价承诺)", "162.98（元/公顷）", None, "per_unit"),
    ("中标价(报价承诺)", "220000.00元", "220000", "ok"),
])
def test_rates_and_prices_written_as_sentences(label, value, expected, status):
    amount, _ = find_amount(fold(value), unit_from_label(fold(label)))  # the extraction reads folded text
    assert amount.status == status and amount.value == (Decimal(expected) if expected else None)
    if status == "ok" and "总价" in value:
        assert "sentence" in amount.note


def test_the_winners_staff_roster_is_redacted_whole():
    html = award_body(
        row("中标人:", "湖北某某建设工程有限公司"), row("中标价(元):", "1000000"),
        row("项目负责人", "贺某文,安全生产考核合格证(B证)、注册二级建造师·水利水电工程,鄂水安B20150000061、鄂242151649845"),
        row("技术负责人", "黄某玲,其他,420521199007******"),
        row("现场专职安全员", "程某野,安全生产考核合格证(C证),鄂水安C20230000262"),
        row("材料员、机械员、劳务员", "王某强,岗位证,0422311300072000028、於某军,其他,4205211********4413"),
        row("专业监理工程师2", "刘某丹,注册监理工程师·房屋建筑工程,42017486"),
        row("电气", "赵某国,注册电气工程师·供配电,DG101300006"),
        row("联合体成员", "湖北某某设计院有限公司"),
        row("建设地点", "某县城关镇某某路"),
    )
    n, text = extracted(html)
    for personal in ("贺某文", "鄂242151649845", "黄某玲", "420521199007", "程某野", "王某强", "於某军", "4205211",
                     "刘某丹", "42017486", "赵某国", "DG101300006"):
        assert personal not in text, personal
    assert text.count(MARKERS["person"]) == 6
    for kept in ("湖北某某建设工程有限公司", "湖北某某设计院有限公司", "某县城关镇某某路", "某县公安局业务技术用房建设工程",
                 "1000000", "湖北某某项目管理有限公司"):
        assert kept in text, kept
    assert n.award_total == Decimal("1000000")


def test_a_role_before_a_colon_and_masked_identity_numbers_anywhere():
    out, redactions = redact("施工员：李某明，证书编号：0422210400071000003\n身份证号 4210221********6030 已核验\n"
                             "质量员：湖北某某检测有限公司")
    assert "李某明" not in out and "4210221********6030" not in out
    assert "湖北某某检测有限公司" in out
    assert {r.kind for r in redactions} >= {"person", "id_number"}


def test_a_province_the_buyers_name_denies_is_not_asserted():
    n, _ = extracted("<h3>某项目中标公告</h3><p>采购人：宜昌市公安局</p><p>项目所在地：乌鲁木齐市</p>"
                     "<p>中标供应商：湖北某某科技有限公司</p><p>中标金额：100万元</p>")
    assert (n.region.province_code, n.region.city_code) == ("420000", "420500")
    conflict = next(f for f in n.facts if f.field == "region_conflict")
    assert conflict.value == "新疆维吾尔自治区" and "not asserted" in conflict.note


def test_the_place_of_works_refines_a_company_named_after_its_province():
    body = award_body(row("中标人:", "湖北某某建设工程有限公司"), row("中标价(元):", "100000"),
                      row("建设地点", "远安县鸣凤镇某某工业园"))
    n, _ = extracted(body.replace("某县公安局", "湖北某某水务有限公司"))
    assert n.region.county_code == "420525"
    county = next(f for f in n.facts if f.field == "county")
    assert county.method == "gazetteer" and "place of delivery or works" in county.note
    # An authority's place is its jurisdiction: a provincial bureau's works in a county stay provincial.
    n, _ = extracted(body.replace("某县公安局", "湖北省公安厅"))
    assert (n.region.province_code, n.region.county_code) == ("420000", None)


def test_a_county_short_name_that_opens_an_institution_is_that_institution():
    # 公安县 (荆州) is called 公安 for short: 荆州市公安局 and 湖北省公安厅 are bureaus, not that county.
    from sousveil.extract.region import gazetteer, resolve

    gaz = gazetteer()
    for name, code in [("荆州市公安局", "421000"), ("湖北省公安厅", "420000"), ("荆州市公安县公安局", "421022"),
                       ("湖北远安工业园区管理委员会", "420525")]:
        assert resolve(gaz.mentions(name, 0, 1), gaz)[0].code == code, name


def test_bids_and_their_winner_in_one_table():
    n, _ = extracted("<h3>某市人民检察院手机取证设备询价采购结果公告</h3><p>采购人：某市人民检察院</p><table>"
                     "<tr><td>序号</td><td>报价供应商</td><td>报价（元）</td><td>是否成交</td></tr>"
                     "<tr><td>1</td><td>甘肃甲科技有限公司</td><td>328,600.00</td><td>成交</td></tr>"
                     "<tr><td>2</td><td>甘肃乙电子有限公司</td><td>334,000.00</td><td>否</td></tr></table>")
    assert [(s.role, s.name) for s in n.suppliers] == [("winner", "甘肃甲科技有限公司"), ("bidder", "甘肃乙电子有限公司")]
    assert n.award_total == Decimal("328600")


def test_winners_priced_by_rates_and_lots_priced_in_wan():
    n, _ = extracted("<h3>某市公安局警用车辆定点维修服务项目中标公告</h3><p>采购人：某市公安局</p><p>中标信息：</p><table>"
                     "<tr><td>序号</td><td>中标供应商</td><td>工时费下浮率</td><td>配件费下浮率</td></tr>"
                     "<tr><td>1</td><td>甲汽车维修有限公司</td><td>18%</td><td>12%</td></tr>"
                     "<tr><td>2</td><td>乙汽车修理厂有限公司</td><td>16%</td><td>12%</td></tr></table>")
    assert [s.name for s in n.winners()] == ["甲汽车维修有限公司", "乙汽车修理厂有限公司"] and n.award_total is None
    n, _ = extracted("<h3>某分局设备采购成交结果公告</h3><p>采购人名称：某市公安局某分局</p><table>"
                     "<tr><td>包号</td><td>采购内容</td><td>成交单位</td><td>成交价格（万元）</td></tr>"
                     "<tr><td>A包</td><td>前端设备</td><td>甲智联科技有限公司</td><td>186.42</td></tr>"
                     "<tr><td>B包</td><td>取证设备</td><td>乙数证信息技术有限公司</td><td>57.3</td></tr></table>")
    assert n.award_total == Decimal("2437200")


def test_a_sum_then_how_it_was_reckoned_and_an_entity_awarded_in_macau():
    amount, _ = find_amount(fold("人民币21.6万元（按1200人·12个月、每人每月15元计）"))
    assert amount.value == Decimal("216000")
    n, _ = extracted("<p>司法警察局就「某系统」公开招标的判给结果公布如下：</p><table><tr><td>判給實體</td><td>判給金額</td></tr>"
                     "<tr><td>澳門某某資訊科技有限公司</td><td>澳門元叁佰萬元正（MOP3,000,000.00）</td></tr>"
                     "<tr><td>二零二三年十一月二十日於司法警察局</td></tr></table>")
    assert [s.name for s in n.winners()] == ["澳門某某資訊科技有限公司"] and n.award_total is None


def test_labels_with_a_space_for_their_colon():
    n, text = extracted("<p>某项目中标公告</p><p>招标人 绵阳市民政局</p><p>中标人 四川某某科技有限公司</p><p>中标价 100万元</p>"
                        "<p>联系人 张某明</p><p>采购人 应当在合同签订后公告</p>")
    assert (n.buyer, [s.name for s in n.winners()], n.award_total) == ("绵阳市民政局", ["四川某某科技有限公司"], Decimal("1000000"))
    assert "张某明" not in text and "采购人 应当在合同签订后公告" in text
