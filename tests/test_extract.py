"""Extraction on small hand-made notices, each modelled on a layout seen on real portals."""

from decimal import Decimal

from sousveil.extract.notice import extract_notice
from sousveil.extract.parties import buyer_type
from sousveil.ingest.convert import html_to_text
from sousveil.pipeline import process
from sousveil.ingest.sources import Source


def notice_of_html(html: str, url=None):
    text, meta = html_to_text(html)
    return extract_notice(text, meta, url), text


def winners(n):
    return sorted((s.lot, s.name, s.amount) for s in n.winners())


def assert_spans(n, text):
    """Every fact with a span points at text that contains its value (or its digits)."""
    for f in n.facts:
        if f.start is None:
            continue
        assert 0 <= f.start < f.end <= len(text), f
    for s in n.suppliers:
        assert text[s.start:s.end] == s.name


MULTI_LOT = """<html><head><meta charset="gbk"></head><body>
<h3>某省公安厅视频监控设备采购项目中标结果公告</h3>
<p>发布时间：2023-07-14 16:05</p>
<table><tr><td>采购人</td><td>湖南省公安厅</td><td>项目编号</td><td>HNZC-2023-0815</td></tr>
<tr><td>采购代理机构</td><td>湖南某某招标有限公司</td><td>采购方式</td><td>公开招标</td></tr></table>
<p>二、中标信息</p>
<table><tr><td>标段</td><td>中标供应商名称</td><td>中标金额（万元）</td></tr>
<tr><td>第一标段</td><td>长沙甲科技有限公司</td><td>123.4567</td></tr>
<tr><td>第二标段</td><td>株洲乙信息技术有限公司</td><td>88</td></tr></table>
<p>三、主要标的信息</p>
<table><tr><td>标段</td><td>货物名称</td><td>品牌</td><td>规格型号</td><td>数量</td><td>单价（元）</td></tr>
<tr><td>1</td><td>人脸识别摄像机</td><td>海康威视</td><td>iDS-2CD7A46</td><td>120台</td><td>6,800.00</td></tr>
<tr><td>2</td><td>网络硬盘录像机</td><td>大华</td><td>DHI-NVR4832</td><td>10</td><td>15000</td></tr></table>
</body></html>"""


def test_multi_lot_table_with_unit_in_header():
    n, text = notice_of_html(MULTI_LOT)
    assert n.type == "award"
    assert n.buyer == "湖南省公安厅" and n.buyer_type == "police"
    assert n.project_code == "HNZC-2023-0815" and n.method == "公开招标"
    assert n.agency == "湖南某某招标有限公司"
    assert winners(n) == [("1", "长沙甲科技有限公司", Decimal("1234567")), ("2", "株洲乙信息技术有限公司", Decimal("880000"))]
    assert n.award_total == Decimal("2114567")
    assert n.published == "2023-07-14T16:05"
    assert (n.region.province_code, n.region.city_code) == ("430000", None)
    items = [(i.lot, i.name, i.brand, i.model, i.quantity, i.unit, i.unit_price) for i in n.items]
    assert items == [("1", "人脸识别摄像机", "海康威视", "iDS-2CD7A46", Decimal(120), "台", Decimal("6800.00")),
                     ("2", "网络硬盘录像机", "大华", "DHI-NVR4832", Decimal(10), None, Decimal(15000))]
    assert_spans(n, text)


FREE_TEXT = """<div>成都市公安局锦江区分局智慧公安平台采购项目中标公告</div>
<p>四川某某项目管理有限公司受成都市公安局锦江区分局的委托，就成都市公安局锦江区分局智慧公安平台采购项目（项目编号：JJGA[2019]-023）
采用竞争性磋商方式进行采购，现将结果公告如下：经磋商小组评审，确定四川丙网络科技有限公司为成交供应商，成交金额为人民币壹佰贰拾万元整（￥1,200,000.00）。</p>
<p>联系人：赵先生 手机：13912345678</p>
<p>二〇一九年十月八日</p>"""


def test_older_free_text_notice():
    n, text = notice_of_html(FREE_TEXT)
    assert n.type == "award"
    assert n.title == "成都市公安局锦江区分局智慧公安平台采购项目"
    assert n.project_code == "JJGA[2019]-023"
    assert n.method == "竞争性磋商"
    assert winners(n) == [(None, "四川丙网络科技有限公司", Decimal("1200000.00"))]
    assert n.award_total == Decimal("1200000")
    assert n.published == "2019-10-08"
    assert (n.region.province_code, n.region.city_code, n.region.county_code) == ("510000", "510100", "510104")


TRADITIONAL = """<h1>香港警務處資訊科技設備採購中標公告</h1>
<p>採購人名稱：深圳市公安局福田分局</p><p>項目編號：FT-2021-77</p>
<p>中標供應商：深圳丁電子有限公司</p><p>中標金額：HK 不適用；人民幣３５６，０００．００元</p>
<p>發佈日期：2021年3月2日</p>"""


def test_traditional_characters_and_full_width_digits():
    n, text = notice_of_html(TRADITIONAL)
    assert n.type == "award"
    assert n.buyer == "深圳市公安局福田分局" and n.buyer_type == "police"
    assert n.project_code == "FT-2021-77"
    assert winners(n) == [(None, "深圳丁電子有限公司", Decimal("356000.00"))]
    assert n.published == "2021-03-02"
    assert n.region.county_code == "440304"


TENDER = """<h2>某县人民医院医疗设备采购招标公告</h2>
<p>一、项目基本情况</p><p>项目编号：YY-2024-01</p><p>项目名称：河北省某县人民医院医疗设备采购</p>
<p>预算金额（万元）：238</p><p>最高限价：2,380,000.00元</p><p>采购人：正定县人民医院</p>
<p>提交投标文件截止时间：2024年05月20日 09:30</p><p>开标时间：2024年05月20日 09:30</p>"""


def test_tender_budget_unit_in_label_and_dates():
    n, text = notice_of_html(TENDER)
    assert n.type == "tender"
    assert n.budget == Decimal("2380000")
    assert n.buyer_type == "health"
    assert n.region.county_code == "130123"
    fields = {(f.field, f.value) for f in n.facts}
    assert ("deadline", "2024-05-20T09:30") in fields and ("bid_opening", "2024-05-20T09:30") in fields


def test_masked_and_rate_amounts_are_recorded_not_guessed():
    n, _ = notice_of_html("<h3>某市某局物业服务成交公告</h3><p>成交供应商：某物业管理有限公司</p><p>成交金额：下浮率3%</p>")
    assert n.award_total is None and n.amount_status == "rate"
    n, _ = notice_of_html("<h3>某市某局物业服务成交公告</h3><p>成交供应商：某物业管理有限公司</p><p>成交金额：***</p>")
    assert n.award_total is None and n.amount_status == "masked"
    notes = [f.note for f in n.facts if f.field == "award"]
    assert notes and notes[0].startswith("masked")


def test_summary_more_precise_than_body_is_kept_and_both_recorded():
    html = ("<h3>某中学课桌椅采购结果公告</h3><table><tr><td>总中标金额</td><td>123,456.78元</td></tr></table>"
            "<p>五、中标信息</p><p>供应商名称：某家具有限公司</p><p>中标金额：12.35万元</p>")
    n, _ = notice_of_html(html)
    assert n.award_total == Decimal("123456.78")
    totals = [f for f in n.facts if f.field == "award_total"]
    assert any("more precise" in (f.note or "") for f in totals)
    assert [f.value for f in n.facts if f.field == "award"] == ["123500"]


def test_notice_types():
    for heading, expected in [("某项目更正公告", "correction"), ("某项目终止公告", "cancellation"),
                              ("某项目废标公告", "cancellation"), ("2024年5月政府采购意向公告", "intention"),
                              ("某项目单一来源采购公示", "single_source"), ("某项目合同公告", "contract"),
                              ("某项目竞争性磋商公告", "tender")]:
        n, _ = notice_of_html(f"<h3>{heading}</h3><p>采购人：某单位</p>")
        assert n.type == expected, heading


def test_result_notices_that_are_not_awards():
    # Four of the 2020 templates end in "结果公告" and buy nothing; an acceptance often repeats the
    # contract's amount. As awards they would add that money a second time.
    for heading, expected in [("某项目投诉处理结果公告", "other"), ("某项目监督检查处理结果公告", "other"),
                              ("2022年度集中采购机构考核结果公告", "other"), ("某项目验收结果公告", "other"),
                              ("某项目资格预审结果公告", "other"), ("某项目资格预审公告", "tender"),
                              ("某项目中标（成交）结果公告", "award")]:
        n, _ = notice_of_html(f"<h3>{heading}</h3><p>采购人：某单位</p><p>合同金额：100万元</p>")
        assert n.type == expected, heading


def test_single_source_award_is_an_award():
    n, _ = notice_of_html("<h3>某县公安局单一来源采购成交结果公告</h3><p>采购人：某县公安局</p>")
    assert (n.type, n.method) == ("award", "单一来源")
    n, _ = notice_of_html("<h3>某县公安局视频监控项目单一来源采购征求意见公示</h3><p>采购人：某县公安局</p>")
    assert (n.type, n.method) == ("single_source", "单一来源")


def test_type_from_portal_url_when_heading_is_generic():
    n, _ = notice_of_html("<p>采购人：某单位</p>", url="http://www.ccgp.gov.cn/cggg/dfgg/gzgg/202401/t20240101_1.htm")
    assert n.type == "correction"


def test_label_and_value_on_separate_lines_as_in_pdf_text():
    text = "某市公安局技侦设备采购中标公告\n采购单位\n某市公安局\n项目编号\nPDF-2022-9\n中标金额\n500000元"
    n = extract_notice(text)
    assert n.buyer == "某市公安局" and n.project_code == "PDF-2022-9"
    assert n.award_total == Decimal("500000")


def test_buyer_types():
    assert buyer_type("新疆维吾尔自治区喀什地区公安局") == "police"
    assert buyer_type("某市第一看守所") == "prison"
    assert buyer_type("某市公安医院") == "health"
    assert buyer_type("某市人民检察院") == "procuratorate"
    assert buyer_type("某市中级人民法院") == "court"
    assert buyer_type("某某大学") == "education"
    assert buyer_type("国网某供电公司") == "state_enterprise"
    assert buyer_type("某市城市管理局") == "other_government"
    assert buyer_type("某边境管理支队") == "police"  # the national immigration administration's border police
    assert buyer_type("某市消防救援支队") == "other_government"  # no longer part of the police since 2018


def test_pipeline_on_gbk_bytes():
    rec = process(Source(MULTI_LOT.encode("gbk"), "lot.html"))
    assert rec.status == "ok" and rec.converted.encoding == "gb18030"
    assert rec.notice.award_total == Decimal("2114567")
    assert {t.category for t in rec.notice.tags} == {"video"}


CCGP_TENDER_2020 = """<div class="vF_detail_header"><h2>某市公安局视频监控系统运维服务项目公开招标公告</h2>
<p>2024年03月05日 17:32 来源：</p></div>
<div class="vF_detail_content"><p>项目概况</p>
<p>视频监控系统运维服务项目 招标项目的潜在投标人应在某市公共资源交易中心获取招标文件，并于2024年03月26日 09点30分（北京时间）前递交投标文件。</p>
<p>一、项目基本情况</p>
<p>项目编号：SZCG-2024-0312</p><p>项目名称：某市公安局视频监控系统运维服务项目</p>
<p>预算金额：356.780000 万元（人民币）</p><p>最高限价（如有）：356.780000 万元（人民币）</p>
<p>采购需求：合同包1(视频监控运维)：合同包预算金额：200.000000万元（人民币）</p>
<p>合同包2(卡口运维)：合同包预算金额：156.780000万元（人民币）</p>
<p>合同履行期限：12个月</p>
<p>三、获取招标文件</p><p>时间：2024年03月06日 至 2024年03月13日，每天上午9:00至12:00（北京时间，法定节假日除外）</p>
<p>售价：￥0.0 元（人民币）</p>
<p>四、提交投标文件截止时间、开标时间和地点</p><p>2024年03月26日 09点30分（北京时间）</p><p>地点：某市公共资源交易中心</p>
<p>八、对本次招标提出询问，请按以下方式联系。</p>
<p>1.采购人信息</p><p>名 称：嘉兴市公安局</p><p>地址：嘉兴市南湖区某路1号</p><p>联系方式：0573-12345678</p>
<p>2.采购代理机构信息</p><p>名 称：浙江某某项目管理有限公司</p>
<p>3.项目联系方式</p><p>项目联系人：何工</p><p>电 话：0573-87654321</p></div>"""


def test_ccgp_2020_tender_with_lot_budgets():
    n, text = notice_of_html(CCGP_TENDER_2020)
    assert n.type == "tender"
    assert n.project_code == "SZCG-2024-0312"
    assert n.published == "2024-03-05T17:32"
    assert n.budget == Decimal("3567800")
    assert n.buyer == "嘉兴市公安局" and n.agency == "浙江某某项目管理有限公司"
    assert (n.region.city_code, n.region.county_code) == ("330400", "330402")
    assert n.buyer_type == "police"
    assert ("deadline", "2024-03-26T09:30") in {(f.field, f.value) for f in n.facts}


CCGP_AWARD_2021 = """<h2>某区公安分局人脸识别系统采购项目中标（成交）结果公告</h2>
<p>一、项目编号：HZCG-2021-88</p><p>二、项目名称：人脸识别系统采购项目</p>
<p>三、中标（成交）信息</p>
<table><tr><td>序号</td><td>中标（成交）金额(元)</td><td>中标供应商名称</td><td>中标供应商地址</td></tr>
<tr><td>1</td><td>最终报价:668.792(万元)</td><td>杭州某某科技有限公司</td><td>杭州市西湖区某路</td></tr></table>
<p>四、主要标的信息</p>
<table><tr><td>序号</td><td>供应商名称</td><td>货物名称</td><td>货物品牌</td><td>货物型号</td><td>货物数量</td><td>货物单价(元)</td></tr>
<tr><td>1</td><td>杭州某某科技有限公司</td><td>人脸抓拍机</td><td>海康威视</td><td>DS-2CD7</td><td>50</td><td>3,200.00</td></tr></table>
<p>1.采购人信息</p><p>名称：杭州市公安局西湖区分局</p>"""


def test_ccgp_2021_award_with_amount_unit_in_the_cell():
    n, text = notice_of_html(CCGP_AWARD_2021)
    assert n.type == "award"
    assert [(w.name, w.amount) for w in n.winners()] == [("杭州某某科技有限公司", Decimal("6687920"))]
    assert n.buyer == "杭州市公安局西湖区分局" and n.region.county_code == "330106"
    [item] = n.items
    assert (item.name, item.brand, item.quantity, item.unit_price) == ("人脸抓拍机", "海康威视", Decimal(50), Decimal("3200.00"))


CONTRACT = """<h3>某市人民检察院电子数据取证设备采购合同公告</h3>
<p>一、合同编号：HT-2022-016</p><p>二、合同名称：电子数据取证设备采购合同</p><p>三、项目编号：JC-2022-009</p>
<p>四、项目名称：某市人民检察院电子数据取证设备采购</p>
<p>五、合同主体</p><p>采购人（甲方）：佛山市人民检察院</p><p>供应商（乙方）：厦门某某信息股份有限公司</p>
<p>六、合同主要信息</p><p>合同金额：壹佰伍拾万元整（¥1,500,000.00）</p><p>合同签订日期：2022-08-16</p>"""


def test_contract_notice():
    n, text = notice_of_html(CONTRACT)
    assert n.type == "contract"
    assert n.buyer == "佛山市人民检察院" and n.buyer_type == "procuratorate"
    assert [(w.name, w.amount) for w in n.winners()] == [("厦门某某信息股份有限公司", Decimal("1500000.00"))]
    assert n.project_code == "JC-2022-009"
    assert ("contract_signed", "2022-08-16") in {(f.field, f.value) for f in n.facts}
    assert n.region.city_code == "440600"


def test_a_row_of_labels_over_a_row_of_values():
    html = ("<h3>某县公安局执法记录仪采购公告</h3><table><tr><td>项目编号</td><td>项目名称</td><td>预算金额（万元）</td><td>采购人</td></tr>"
            "<tr><td>XJ-2023-5</td><td>执法记录仪采购</td><td>56.8</td><td>鄯善县公安局</td></tr></table>")
    n, text = notice_of_html(html)
    assert (n.project_code, n.title, n.budget, n.buyer) == ("XJ-2023-5", "执法记录仪采购", Decimal("568000"), "鄯善县公安局")
    assert n.region.county_code == "650421"


def test_a_label_is_never_the_value_of_the_label_before_it():
    n, _ = notice_of_html("<h3>某项目中标公告</h3><table><tr><td>项目编号</td><td>采购人</td><td>某市某局</td></tr></table>")
    assert n.project_code is None and n.buyer == "某市某局"


SINGLE_SOURCE = """<h3>某市公安局人像比对系统升级单一来源采购公示</h3>
<p>一、项目信息</p><p>采购人：乌鲁木齐市公安局</p><p>项目名称：人像比对系统升级</p><p>项目编号：DY-2019-07</p>
<p>二、拟定供应商名称：新疆某某信息技术股份有限公司</p><p>拟定价格：人民币叁佰贰拾万元整</p>
<p>三、采用单一来源采购方式的原因：原系统的升级，只能由原供应商提供。</p>"""


def test_single_source_names_a_proposed_supplier_not_a_winner():
    n, text = notice_of_html(SINGLE_SOURCE)
    assert n.type == "single_source" and n.method == "单一来源"
    assert n.winners() == [] and n.award_total is None
    [proposed] = [s for s in n.suppliers if s.role == "proposed"]
    assert (proposed.name, proposed.amount) == ("新疆某某信息技术股份有限公司", Decimal("3200000"))
    assert ("proposed_price", "3200000") in {(f.field, f.value) for f in n.facts}


def test_region_from_an_unlabelled_address_under_the_buyer():
    text = ("某市公安局视频监控采购项目中标公告\n采购人：市公安局\n地址：浙江省宁波市海曙区中山西路1号\n"
            "中标供应商：宁波甲科技有限公司\n中标金额：120万元\n发布日期：2021年3月1日")
    n = extract_notice(text)
    assert n.buyer == "市公安局"
    assert (n.region.province_code, n.region.city_code, n.region.county_code) == ("330000", "330200", "330203")
    county = next(f for f in n.facts if f.field == "county")
    assert text[county.start:county.end] == "海曙区"


def test_lots_named_inline_in_free_text():
    n = extract_notice("某县公安局智慧安防采购项目中标公告\n采购人：某县公安局\n"
                       "第一标段：中标人：甲安防有限公司，中标价：100万元；第二标段：中标人：乙科技有限公司，中标价：200万元")
    assert winners(n) == [("1", "甲安防有限公司", Decimal("1000000")), ("2", "乙科技有限公司", Decimal("2000000"))]
    assert n.award_total == Decimal("3000000")


def test_a_street_named_after_a_city_is_not_that_city():
    from sousveil.extract.region import gazetteer

    found = [(m.place.name, m.start, m.end) for m in gazetteer().mentions("广州市越秀区北京路8号", 0, 0)]
    assert found == [("广州市", 0, 3), ("越秀区", 3, 6)]
    n = extract_notice("广州市越秀区某中学监控采购项目中标公告\n采购人：某中学\n地址：广州市越秀区北京路8号\n中标金额：20万元")
    assert (n.region.province_code, n.region.county_code) == ("440000", "440104")


def test_unsuccessful_suppliers_are_not_winners():
    n = extract_notice("某市公安局监控设备采购中标公告\n采购人：某市公安局\n中标供应商名称：甲科技有限公司\n中标金额：100万元\n"
                       "未中标供应商名称：乙科技有限公司\n未中标原因：报价超过预算\n未中标人：丙公司")
    assert [(s.role, s.name) for s in n.suppliers] == [("winner", "甲科技有限公司"), ("bidder", "乙科技有限公司"),
                                                      ("bidder", "丙公司")]
    assert n.award_total == Decimal("1000000")


def test_afternoon_times():
    from sousveil.extract.dates import find_dates

    assert [d.iso for d in find_dates("2025年05月27日 下午2:30 至 2025年5月28日上午9时")] == ["2025-05-27T14:30", "2025-05-28T09:00"]


def test_remarks_in_brackets_after_a_name_are_not_the_name():
    n = extract_notice("某市公安局监控设备采购中标公告\n采购单位：某市公安局（盖章）\n"
                       "中标供应商：甲科技有限公司（统一社会信用代码：91330100MA2XXXXX1X）\n中标金额：100万元")
    assert n.buyer == "某市公安局" and [s.name for s in n.winners()] == ["甲科技有限公司"]
    n = extract_notice("某市公安局监控设备采购中标公告\n采购人：某市公安局\n中标供应商：杭州戊投资中心（有限合伙）\n中标金额：50万元")
    assert [s.name for s in n.winners()] == ["杭州戊投资中心（有限合伙）"]  # a legal form in brackets stays


def test_agency_named_after_the_entrusting_buyer():
    text = "受某县人民医院的委托，浙江丙项目管理有限公司现对DNA测序仪采购项目进行公开招标，欢迎合格的供应商投标。"
    n = extract_notice(text)
    assert (n.buyer, n.agency) == ("某县人民医院", "浙江丙项目管理有限公司")
    agency = next(f for f in n.facts if f.field == "agency")
    assert text[agency.start:agency.end] == n.agency


def test_padded_labels_of_three_and_four_characters():
    text = ("智能边检通道设备采购项目中标公告\n采 购 人：山东省公安厅出入境管理局\n代 理 机 构：山东乙招标咨询有限公司\n"
            "供应商名称：山东甲智能科技有限公司\n中标（成交）金额：￥3,456,789.00元")
    n = extract_notice(text)
    assert (n.buyer, n.agency, n.region.province_code) == ("山东省公安厅出入境管理局", "山东乙招标咨询有限公司", "370000")


def test_budgets_per_lot_from_a_lot_table():
    text = ("某市公安局监控采购公开招标公告\n项目编号：ZJ-2024-002\n包号\t包名称\t数量\t预算金额（万元）\t最高限价（万元）\n"
            "1\t前端摄像机\t1批\t120\t118\n2\t存储设备\t1批\t80\t80\n采购人：某市公安局")
    n = extract_notice(text)
    budgets = [(f.value, f.lot) for f in n.facts if f.field == "budget"]
    assert budgets[:2] == [("1200000", "1"), ("800000", "2")]  # the budget column, in 万元 from its header
    assert n.budget == Decimal("2000000")  # the sum of the lots' budgets, not their ceilings (最高限价)


def test_lot_cells_in_their_many_forms():
    from sousveil.extract.sections import lot_of_row as _row_lot
    from sousveil.extract.tables import Cell

    forms = ["标项一", "第1标项", "包组1", "采购包1", "合同包2", "1包", "第二包", "标段3", "包1", "二"]
    assert [_row_lot([Cell(f, 0, len(f))], 0, None) for f in forms] == ["1", "1", "1", "1", "2", "1", "2", "3", "1", "2"]


def test_lots_named_by_biaoxiang():
    n = extract_notice("某市公安局采购中标公告\n采购人：某市公安局\n标项一：\n中标供应商：甲公司\n中标金额：10万元\n"
                       "标项二：\n中标供应商：乙公司\n中标金额：20万元")
    assert winners(n) == [("1", "甲公司", Decimal("100000")), ("2", "乙公司", Decimal("200000"))]


def test_winner_in_the_free_text_forms_of_older_award_notices():
    """Each line is a form met on real portals before the 2020 template; the winner and the amount
    must come out of each, with spans on the name."""
    forms = [
        "中标信息：\n供应商名称：甲科技有限公司\n中标金额：100万元",  # a heading that ends in a colon
        "中标供应商名称、地址及中标金额：甲科技有限公司，地址：某市某路1号，中标金额：100万元",
        "中标供应商名称、地址及中标金额：甲科技有限公司（某市某路1号）100万元",
        "中标供应商名称：甲科技有限公司（联系人：某某）\n中标金额：100万元",  # a contact label cut the bracket
        "中标结果：甲科技有限公司以100万元中标。",
        "经评审，由甲科技有限公司以人民币100万元成交。",
    ]
    for form in forms:
        text = f"某市公安局视频监控项目中标公告\n采购人：某市公安局\n{form}\n"
        n = extract_notice(text)
        assert [(s.name, s.role) for s in n.suppliers] == [("甲科技有限公司", "winner")], form
        assert n.award_total == Decimal("1000000"), form
        assert_spans(n, text)


def test_two_winners_by_price_in_one_sentence():
    text = "某项目中标公告\n中标结果：甲科技有限公司以1,234,567.00元的价格中标，乙科技有限公司以120万元中标。\n"
    n = extract_notice(text)
    assert sorted((s.name, s.amount) for s in n.winners()) == [("乙科技有限公司", Decimal("1200000")),
                                                               ("甲科技有限公司", Decimal("1234567.00"))]
    assert n.award_total == Decimal("2434567.00")
    assert not extract_notice("某项目中标公告\n甲公司以第一名的成绩中标\n").suppliers


def test_a_qualifier_in_brackets_between_label_and_colon():
    text = ("某项目合同公告\n采购人（甲方）：某市公安局\n供应商（乙方）：某某科技有限公司\n合同金额（人民币）：50万元\n"
            "预算金额 (万元)：350\n")
    n = extract_notice(text)
    assert n.buyer == "某市公安局"
    assert [(s.name, s.role) for s in n.suppliers] == [("某某科技有限公司", "winner")]
    assert n.award_total == Decimal("500000") and n.budget == Decimal("3500000")  # the unit in the qualifier counts
    n = extract_notice("某项目中标公告\n甲方：某县看守所\n中标金额（大写）：壹佰贰拾万元整\n")
    assert n.buyer == "某县看守所" and n.award_total == Decimal("1200000")
    assert_spans(n, "某项目中标公告\n甲方：某县看守所\n中标金额（大写）：壹佰贰拾万元整\n")


def test_a_deadline_is_never_the_publication_date():
    text = ("某市公安局视频监控项目竞争性磋商公告\n项目概况\n潜在供应商应在某平台获取采购文件，并于2023年05月10日09点30分"
            "（北京时间）前提交响应文件。\n项目编号：GZ-2023-002\n投标截止时间：2023年5月10日上午9时30分\n")
    n = extract_notice(text)
    assert n.published is None
    # The date standing alone under the signature is the notice's.
    n = extract_notice(text + "某市公共资源交易中心\n2023年4月20日\n")
    assert n.published == "2023-04-20"
    assert any(f.field == "published" and f.note == "date at the end of the notice" for f in n.facts)


def test_without_a_publication_date_an_award_takes_its_contract_date():
    text = "某项目合同公告\n采购人：某市公安局\n合同签订日期：2023年3月5日\n开标时间：2023年2月1日\n"
    n = extract_notice(text)
    assert n.published == "2023-03-05"
    fact = next(f for f in n.facts if f.field == "published")
    assert fact.origin == "derived" and "award or contract" in fact.note and text[fact.start:fact.end] == "2023年3月5日"


def test_agency_named_before_the_buyer_that_entrusted_it():
    for sentence, agency in [("某市公共资源交易中心受某市公安局的委托，对某项目进行公开招标。", "某市公共资源交易中心"),
                             ("某招标代理有限公司（以下简称“代理机构”）受某市公安局委托，对某项目进行竞争性磋商。", "某招标代理有限公司"),
                             ("本项目由某市政府采购中心受某市公安局的委托组织采购。", "某市政府采购中心")]:
        n = extract_notice(f"某项目采购公告\n{sentence}\n")
        assert (n.buyer, n.agency) == ("某市公安局", agency), sentence


def test_places_abolished_since_keep_the_codes_they_had():
    from sousveil.extract.region import gazetteer

    cases = {"邯郸市永年县公安局": ("130400", "130429"),  # now 永年区 130408: the full old name wins over its short form
             "莱芜市公安局": ("371200", None),  # merged into 济南 in 2019
             "重庆市公安局江北区分局": ("500100", "500105"),  # not 宁波's 江北区
             "浙江省宁波市江北区公安分局": ("330200", "330205"),
             "上海市公安局浦东分局": ("310100", "310115")}  # 浦东新区 by its short name
    for buyer, (city, county) in cases.items():
        n = extract_notice(f"某项目采购公告\n采购人：{buyer}\n")
        assert (n.region.city_code, n.region.county_code) == (city, county), buyer
    n = extract_notice("某项目采购公告\n采购人：永年县公安局\n")
    fact = next(f for f in n.facts if f.field == "county")
    assert fact.value == "永年县 130429" and "no longer in force" in fact.note
    assert gazetteer().places["130408"].historic is None


def test_winners_listed_in_one_value():
    for value in ["甲科技有限公司；乙科技有限公司", "1.甲科技有限公司 2.乙科技有限公司", "（1）甲科技有限公司；（2）乙科技有限公司",
                  "甲科技有限公司、乙科技有限公司"]:
        n = extract_notice(f"某项目中标公告\n中标供应商：{value}\n")
        assert [(s.name, s.joint) for s in n.winners()] == [("甲科技有限公司", False), ("乙科技有限公司", False)], value
    n = extract_notice("某项目中标公告\n中标供应商：甲科技有限公司、乙科技有限公司（联合体）\n")
    assert [(s.name, s.joint) for s in n.winners()] == [("甲科技有限公司", True), ("乙科技有限公司", True)]


def test_winner_per_lot_after_its_marker_or_under_a_lot_heading():
    for body in ["第一包：甲科技有限公司，中标金额：100万元；第二包：乙科技有限公司，中标金额：50万元",
                 "一、中标信息\n（一）第1包\n供应商名称：甲科技有限公司\n中标金额：100万元\n（二）第2包\n供应商名称：乙科技有限公司\n"
                 "中标金额：50万元"]:
        n = extract_notice(f"某项目中标公告\n采购人：某市公安局\n{body}\n")
        assert [(s.name, s.lot, s.amount) for s in n.winners()] == [("甲科技有限公司", "1", Decimal("1000000")),
                                                                    ("乙科技有限公司", "2", Decimal("500000"))], body
        assert n.award_total == Decimal("1500000")


def test_title_from_a_heading_without_its_wrappers():
    for heading, title in [("关于某市公安局视频监控项目的采购公告", "某市公安局视频监控项目"),
                           ("某市公安局视频监控项目（项目编号：ABC-123）中标公告", "某市公安局视频监控项目"),
                           ("某市公安局视频监控项目公开招标公告（第二次）", "某市公安局视频监控项目"),
                           ("某市公安局2023年视频监控项目竞争性磋商成交公告", "某市公安局2023年视频监控项目"),
                           ("某学院基因测序仪采购招标公告", "某学院基因测序仪采购")]:
        text = f"{heading}\n采购人：某单位\n"
        n = extract_notice(text)
        assert n.title == title, heading
        fact = next(f for f in n.facts if f.field == "title")
        assert text[fact.start:fact.end] == title


def test_a_correction_in_free_text_gives_the_value_after_the_change():
    heading = "某市公安局视频监控项目更正公告\n采购人：某市公安局\n"
    n = extract_notice(heading + "更正事项：原公告中预算金额为100万元，现更正为120万元。\n")
    assert n.budget == Decimal("1200000")
    for body in ["原预算金额：100万元\n更正后预算金额：120万元", "更正前：预算金额100万元；更正后：预算金额120万元"]:
        n = extract_notice(heading + body + "\n")
        assert n.budget == Decimal("1200000") and [f.value for f in n.facts if f.field == "budget"] == ["1200000"], body
    text = heading + "更正内容：开标时间由2023年5月10日9:30变更为2023年5月17日9:30。\n"
    n = extract_notice(text)
    fact = next(f for f in n.facts if f.field == "bid_opening")
    assert fact.value == "2023-05-17T09:30" and text[fact.start:fact.end].startswith("2023年5月17日")


def test_item_tables_with_brand_and_model_in_one_cell():
    for table, expected in [
        ("货物名称\t品牌型号\t数量\t单价(元)\n人脸识别摄像机\t海康威视 DS-2CD7A47\t10台\t5000",
         ("人脸识别摄像机", "海康威视", "DS-2CD7A47", Decimal("10"), "台", Decimal("5000"))),
        ("主要标的名称\t品牌/型号\t数量\t单价\n服务器\t浪潮/NF5280M6\t3（台）\t￥45,000.00",
         ("服务器", "浪潮", "NF5280M6", Decimal("3"), "台", Decimal("45000.00")))]:
        n = extract_notice(f"某市公安局项目中标公告\n采购人：某市公安局\n六、主要标的信息\n{table}\n")
        assert [(i.name, i.brand, i.model, i.quantity, i.unit, i.unit_price) for i in n.items] == [expected]


def test_region_from_the_place_of_delivery_when_nothing_else_names_one():
    n = extract_notice("某项目采购公告\n采购人：某单位\n项目实施地点：杭州市西湖区\n")
    assert (n.region.city_code, n.region.county_code) == ("330100", "330106")
    # The buyer's own place wins over where the goods go.
    n = extract_notice("某项目采购公告\n采购人：宁波市公安局\n交货地点：杭州市西湖区\n")
    assert n.region.city_code == "330200"


def test_the_budget_before_the_ceiling_price_and_a_label_running_into_its_figure():
    for body in ["预算金额：200万元\n最高限价：180万元", "最高限价：180万元\n预算金额：200万元"]:
        n = extract_notice(f"某项目招标公告\n采购人：某单位\n{body}\n")
        assert n.budget == Decimal("2000000"), body
        assert [f.value for f in n.facts if f.field == "ceiling_price"] == ["1800000"]
    n = extract_notice("某项目招标公告\n采购人：某单位\n最高限价：180万元\n")
    assert n.budget == Decimal("1800000")
    assert any(f.field == "budget" and f.origin == "derived" and "ceiling" in f.note for f in n.facts)
    n = extract_notice("某项目招标公告\n第一包：预算金额100万元\n第二包：预算金额50万元\n")
    assert n.budget == Decimal("1500000")
    # Inside a sentence the label is not taken without its colon: boilerplate names thresholds.
    assert extract_notice("某项目招标公告\n本办法适用于采购预算金额100万元以上的项目\n").budget is None


def test_contract_notice_of_the_2020_template():
    text = ("深圳市公安局视频监控系统采购合同公告\n一、合同编号：ZC-HT-2023-01\n二、合同名称：深圳市公安局视频监控系统采购合同\n"
            "三、项目编号：SZCG-2023-001\n四、项目名称：深圳市公安局视频监控系统建设项目\n五、合同主体\n采购人（甲方）：深圳市公安局\n"
            "地址：深圳市福田区某路1号\n供应商（乙方）：深圳某某科技有限公司\n地址：深圳市南山区某路2号\n六、合同主要信息\n"
            "合同金额：3,450,000.00元\n采购方式：公开招标\n七、合同签订日期：2023-06-20\n八、合同公告日期：2023-06-22\n")
    n = extract_notice(text)
    assert (n.type, n.title, n.project_code, n.method) == ("contract", "深圳市公安局视频监控系统建设项目", "SZCG-2023-001", "公开招标")
    assert n.buyer == "深圳市公安局" and [(s.name, s.amount) for s in n.winners()] == [("深圳某某科技有限公司", Decimal("3450000.00"))]
    assert (n.award_total, n.published, n.region.county_code) == (Decimal("3450000.00"), "2023-06-22", "440304")
    assert [f.value for f in n.facts if f.field == "contract_signed"] == ["2023-06-20"]


def test_single_source_notice_of_the_2020_template():
    text = ("某市公安局技侦设备单一来源采购公示\n一、项目信息\n采购人：某市公安局\n项目名称：某市公安局技侦设备采购项目\n"
            "拟采购的货物或服务的预算金额：100万元\n二、拟定供应商信息\n名称：某某科技有限公司\n地址：某市某路3号\n"
            "六、专业人员论证意见\n专业人员1：姓名：张三 职称：教授 工作单位：某大学\n专业人员2：\n姓名：李四\n职称：高级工程师\n")
    rec = process(Source(text.encode("utf-8"), "single_source.txt"))
    n = rec.notice
    assert (n.type, n.buyer, n.budget) == ("single_source", "某市公安局", Decimal("1000000"))
    assert [(s.name, s.role) for s in n.suppliers] == [("某某科技有限公司", "proposed")]
    assert "张三" not in rec.text and "李四" not in rec.text  # the experts who argued for the single source


def test_a_territorial_agency_naming_no_city_is_placed_by_its_jurisdiction_with_a_low_confidence():
    n, text = notice_of_html("<h1>法務部調查局數位鑑識設備採購決標公告</h1><p>機關名稱：法務部調查局</p>"
                       "<p>決標金額：新臺幣3,280,000元</p><p>得標廠商：旭立資訊股份有限公司</p>")
    assert n.region.province_code == "710000"
    fact = next(f for f in n.facts if f.field == "province")
    assert fact.method == "keyword" and "jurisdiction" in fact.note
    assert text[fact.start:fact.end] == "新臺幣"


def test_jurisdiction_words_never_override_a_place_and_two_jurisdictions_give_none():
    # The buyer names its city: a Hong Kong supplier's currency changes nothing.
    n, _ = notice_of_html("<h1>深圳市公安局视频监控采购项目中标公告</h1><p>采购人：深圳市公安局</p>"
                       "<p>中标供应商：某某(香港)有限公司</p><p>中标金额：港币1,000,000元</p>")
    assert n.region.city_code == "440300"
    n, _ = notice_of_html("<h1>某署设备采购决标公告</h1><p>機關名稱：某署</p><p>金額：新臺幣100元，折合澳門元120元</p>")
    assert n.region.province_code is None


def test_the_lines_after_a_two_column_table_of_winners_are_not_winners():
    # A gazette's award: the winners' table, then the date and the signing official (redacted before
    # extraction): neither is a row of the table.
    page = ("<h1>某局城市视频监控系统判给公告</h1><table><tr><td>判给实体</td><td>判给金额</td></tr>"
            "<tr><td>某某资讯科技有限公司</td><td>1,000,000.00元</td></tr></table>"
            "<p>二零二三年十一月二十日于某局</p><p>局长　王志强</p>")
    rec = process(Source(page.encode("utf-8"), "award.html"))
    assert [s.name for s in rec.notice.suppliers] == ["某某资讯科技有限公司"]
    assert "王志强" not in rec.text


def test_every_redaction_marker_reads_as_no_name_and_a_bracketed_role_does_not():
    from sousveil.extract.names import MASKED_NAME
    from sousveil.privacy.redact import MARKERS

    assert all(MASKED_NAME.search(f"局长 {marker}") for marker in MARKERS.values())
    assert not MASKED_NAME.search("某某(北京)科技有限公司[联合体牵头人]")


def test_the_type_from_forms_without_a_heading():
    cases = [
        # An intention notice opens with the sentence of the 2020 rules.
        ("为便于供应商及时了解政府采购信息，根据有关规定，现将某县教育局2025年6月至7月采购意向公开如下：\n"
         "序号\t采购项目名称\t预算金额(万元)\n1\t校园监控改造\t80", "intention"),
        # A contract flattened to one line: its title runs into its labels.
        ("某区政务大厅窗口服务采购政府采购合同(服务类) 政府采购合同编号：FRCG-GK-0025-1 采购方式：公开招标 "
         "采购人(甲方)：长沙市芙蓉区数据局 供应商(乙方)：某某有限公司", "contract"),
        # An aggregator's summary names the type.
        ("摘要：本公告受业主方委托发布，发布日期：2021-09-02，所属区域：内蒙古，公告类型：变更公告。\n"
         "因该项目在中标公示期内投标企业提出质疑，暂停招投标活动。", "correction"),
        # A correction of the 2020 template names the notice it corrects.
        ("项目名称：合成作战平台升级改造\n首次公告日期：2017年07月11日\n其它补充事宜：开标时间顺延", "correction"),
        # A correction told in a sentence, its heading lost among a mirror site's chrome.
        ("登录 | 免费注册 | 某州公安局雪亮工程二期项目更正公告 云南省政府采购中心受某州公安局委托，就雪亮工程二期项目"
         "进行单一来源。现将开标时间更正为2022/10/30，其他内容不变。", "correction"),
        # A tender document whose kind runs into its cover's first line.
        ("公开招标文件 项目名称：某市公安局大数据监督项目 项目编号：ESZCS-G-F-200123 2020年10月\n"
         "第一章 投标邀请\n某某项目管理有限公司受某市公安局委托，采用公开招标方式组织采购。", "tender"),
    ]
    for text, want in cases:
        rec = process(Source(text.encode("utf-8"), "notice.txt"))
        assert rec.notice.type == want, (text[:30], rec.notice.type)


def test_names_end_where_a_flattened_page_runs_the_next_clause_or_label_in():
    text = ("八、中标信息 1.中标供应商名称：广东某某信息技术有限公司 2.中标供应商地址：珠海市某路1号 "
            "3.中标金额：人民币100万元 九、中标候选人信息 1.中标候选人供应商名称：珠海某某电子科技有限公司\n"
            "成交供应商：武汉某某科技有限公司 中标(成交)供应商代码：91420111751839827U\n"
            "五、主要标的信息 名称：详见响应文件")
    rec = process(Source(text.encode("utf-8"), "award.txt"))
    winners = sorted(s.name for s in rec.notice.suppliers if s.role == "winner")
    assert winners == ["广东某某信息技术有限公司", "武汉某某科技有限公司"]
    assert [s.name for s in rec.notice.suppliers if s.role == "candidate"] == ["珠海某某电子科技有限公司"]


def test_publication_dates_of_pages_flattened_with_spaces_or_to_one_line():
    cases = [
        # A summary table whose cells are separated by spaces only.
        ("某项目招标公告\n采购单位 某市工业和信息化委员会\n行政区域 某市 公告时间 2018年08月10日 15:59\n"
         "开标时间 2018年08月31日 09:30", "2018-08-10"),
        # The signature's body and date at the end of one long line.
        ("某项目验收结果公告 一、合同编号：HT-1 二、合同金额：3800.00元 三、验收日期：2026年07月05日 四、验收意见："
         "验收通过 五、其他补充事宜：无 中共某市委统一战线工作部 2026年07月06日", "2026-07-06"),
        # The signature's date, then an aggregator's footer; a deadline in the sentence before is not it.
        ("某项目中标公告\n一、中标供应商：某某科技有限公司\n" + "说明文字。" * 30 +
         "各有关当事人可以在公告发布之日起七个工作日内提出质疑（公告期限为中标公告发布当日）。 某某招标有限公司2016年11月14日\n"
         "信息来源：\n某某招标网", "2016-11-14"),
    ]
    for text, want in cases:
        rec = process(Source(text.encode("utf-8"), "notice.txt"))
        assert (rec.notice.published or "")[:10] == want, (text[:20], rec.notice.published)
    # A date inside a sentence at the end of a long line is not a signature's.
    rec = process(Source(("某项目招标公告 一、采购人：某某局 二、投标人须于2023年05月10日前提交投标文件 " + "说明。" * 20
                          + "请于2023年05月10日").encode("utf-8"), "tender.txt"))
    assert rec.notice.published is None


def test_an_award_with_the_templates_empty_cancellation_table_is_an_award():
    page = ("<p>一、项目编号：YLZC2021-J2-1</p><p>三、中标（成交）信息</p><p>1.中标结果：</p>"
            "<table><tr><td>序号</td><td>中标（成交）金额(元)</td><td>中标供应商名称</td></tr>"
            "<tr><td>1</td><td>报价:1444851.19(元)</td><td>广西某某建筑工程总公司</td></tr></table>"
            "<p>2.废标结果:</p><table><tr><td>序号</td><td>标项名称</td><td>废标理由</td><td>其他事项</td></tr>"
            "<tr><td>/</td><td>/</td><td>/</td><td>/</td></tr></table>")
    rec = process(Source(page.encode("utf-8"), "award.html"))
    assert rec.notice.type == "award"
    # A cancellation names its reason and no winner.
    rec = process(Source("<p>项目编号：X-1</p><p>废标理由：有效投标人不足三家</p>".encode("utf-8"), "c.html"))
    assert rec.notice.type == "cancellation"


def test_a_winner_named_again_in_a_summary_header_does_not_hide_the_bodys_sum():
    text = ("采购项目子包编号：1 中标（成交）供应商名称：武汉某某科技有限公司 中标（成交）价格：121.5 价格单位：万元\n"
            "某学校信息化设备采购项目中标（成交）结果公告\n四、主要中标、成交供应商名称、地址和中标（成交）金额\n"
            "供应商名称：武汉某某科技有限公司\n供应商地址：武汉东湖新技术开发区1号\n中标（成交）金额：¥121.5万元")
    rec = process(Source(text.encode("utf-8"), "award.txt"))
    assert rec.notice.award_total == Decimal("1215000")


def test_a_summary_table_and_signature_flattened_into_one_line():
    # A portal's page whose cells and paragraphs were flattened to spaces (aggregators, mirrors).
    text = ("某州公安局雪亮工程二期项目采购公告\n采购人 某州公安局交通警察支队 项目编号 5325-202209157 项目名称 雪亮工程二期"
            " 采购方式 单一来源 采购代理机构 云南省政府采购中心 发布日期 2022/8/30 采购需求：视频汇聚平台。"
            " 采购人：某州公安局交通警察支队 某州公共资源交易中心 2022年8月30日")
    rec = process(Source(text.encode("utf-8"), "tender.txt"))
    n = rec.notice
    assert n.buyer == "某州公安局交通警察支队"
    assert n.agency == "云南省政府采购中心"
    assert n.project_code == "5325-202209157"
    assert n.published[:10] == "2022-08-30"


def test_the_method_as_ocr_misreads_it_is_still_the_method():
    # PP-OCRv4 reads 竞争性磋商 on a scan as 竞争性商 (docs/ocr.md); nothing else is written so
    text = "采购项目名称\t某市公安局视频监控系统建设项目\t采购方式\t竞争性商\n采购人：某市公安局\n"
    n = extract_notice(text)
    assert n.method == "竞争性磋商"
    [fact] = [f for f in n.facts if f.field == "method"]
    assert text[fact.start:fact.end] == "竞争性商"  # the span is what the scan's text says
