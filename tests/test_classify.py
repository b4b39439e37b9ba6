import opencc
import pytest

from sousveil.classify.classify import classify, party_spans
from sousveil.classify.taxonomy import taxonomy
from sousveil.data_files import load_yaml
from sousveil.text import fold

REFERENCE_CATEGORIES = {"video", "phone_tracking", "biometrics", "data_platform", "forensics", "internet_control",
                        "ethnic_targeting"}


def cats(text, buyer_type="other", **kw):
    return {t.category for t in classify(text, buyer_type, **kw) if t.kind == "capability"}


def test_taxonomy_has_the_reference_categories_and_a_version():
    data = load_yaml("taxonomy.yaml")
    assert REFERENCE_CATEGORIES <= set(data["categories"])
    assert {"target_population", "detention_site"} <= set(data["categories"])
    assert data["version"]
    for spec in data["categories"].values():
        assert spec["name"]["en"] and spec["name"]["zh"]


def test_traditional_lists_are_complete():
    """Every simplified term's OpenCC traditional forms are in the file (scripts/taxonomy_traditional.py)."""
    convs = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk", "s2twp")]
    for cid, spec in load_yaml("taxonomy.yaml")["categories"].items():
        for group in spec["groups"]:
            listed = set(group.get("traditional", []))
            for term in group["terms"]:
                for conv in convs:
                    t = conv.convert(term)
                    assert t == term or t in listed, (cid, term, t)


@pytest.mark.parametrize("text,buyer,expected", [
    ("某市公安局视频监控系统及人脸识别采购", "police", {"video"}),
    ("采购电子围栏及WiFi探针设备，实现IMSI采集", "police", {"phone_tracking"}),
    ("公安局DNA实验室Y-STR试剂采购", "police", {"biometrics"}),
    ("手机取证一体机采购", "procuratorate", {"forensics"}),
    ("网络舆情监测服务", "other_government", {"internet_control"}),
    ("公安大数据平台、警务云建设", "police", {"data_platform"}),
    ("監控攝像機採購、人臉識別系統", "other", {"video"}),
    ("Procurement of facial recognition cameras and an IMSI catcher", "other", {"video", "phone_tracking"}),
    # Traps from shared/reference/surveillance-taxonomy.md
    ("机房环境监控系统改造：温湿度监控、能耗监控", "police", set()),
    ("办公楼监控维修", "other", set()),
    ("办公楼监控维修", "police", {"video"}),
    ("医院检验科采购基因测序仪用于临床检测", "health", set()),
    ("大学实验室DNA提取试剂采购", "education", set()),
    ("指纹考勤机采购", "education", set()),
    ("学校门口人脸识别闸机", "education", {"video"}),
    ("气象预警大数据平台", "other_government", set()),
    ("伪基站侦测设备采购", "police", {"phone_tracking"}),
    ("民族中学教学设备采购，促进民族团结", "education", set()),
    ("新疆维吾尔自治区某县教育局采购办公桌椅", "education", set()),
    ("厂区周界脉冲电子围栏", "state_enterprise", set()),
    # 电子围栏 outside the police is a pasture's or a parking zone's fence: it needs support there.
    ("草原电子围栏建设", "other_government", set()),
    ("共享单车停放电子围栏", "other_government", set()),
    ("电子围栏设备采购", "police", {"phone_tracking"}),
    ("电子围栏及WiFi探针采购", "other_government", {"phone_tracking"}),
    # A weak term inside another category's term is not a second finding.
    ("网络舆情监控平台", "police", {"internet_control"}),
    ("手机信息采集设备", "police", {"phone_tracking"}),
    ("打印机 1200 DPI", "police", set()),
])
def test_categories_and_traps(text, buyer, expected):
    assert cats(text, buyer) == expected


# 2026.12.1: vocabulary from police, prison, procuratorate and court procurement texts, with its traps.
@pytest.mark.parametrize("text,buyer,expected", [
    # New explicit terms: a security buyer's text tags them (most tag for any buyer).
    ("县公安局人像卡口及车辆卡口建设", "police", {"video"}),
    ("政法委平安乡镇人像卡口建设", "other_government", {"video"}),
    ("机动车缉查布控系统一期工程", "police", {"video"}),
    ("图侦中队视频图像解析服务器采购", "police", {"video"}),
    ("动态人脸识别布控系统建设", "police", {"video"}),
    ("机动车卡口布控模块扩容", "police", {"video"}),
    ("社会治安视频监控：治安监控点位及高清监控改造", "other_government", {"video"}),
    ("派出所人员信息采集室建设", "police", {"biometrics"}),
    ("21位点STR扩增试剂盒采购", "police", {"biometrics"}),
    ("重点人口虹膜数据库建设", "police", {"biometrics", "data_platform"}),
    ("指纹自动识别系统(AFIS)升级", "police", {"biometrics"}),
    ("深化情报、指挥、行动一体化运行机制，建设新警综平台", "police", {"data_platform"}),
    ("行业场所旅馆业治安管理信息系统", "police", {"data_platform"}),
    ("警务数据中台建设", "police", {"data_platform"}),
    ("电子数据勘查实验室设备及硬盘只读锁", "police", {"forensics"}),
    ("电子取证设备采购", "procuratorate", {"forensics"}),
    ("网络舆情导控平台", "police", {"internet_control"}),
    ("電子取證設備及人像卡口", "other", {"forensics", "video"}),
    # New weak terms: supported by a security buyer, not by a school.
    ("视频巡查服务", "police", {"video"}),
    ("视频巡查服务", "education", set()),
    ("全县天眼工程建设", "police", {"video"}),
    ("全县天眼工程建设", "education", set()),
    ("前端感知网设备采购", "police", {"phone_tracking"}),
    ("前端感知网设备采购", "education", set()),
    ("社会治安防控实战应用平台", "police", {"data_platform"}),
    ("社会治安防控实战应用平台", "education", set()),
    ("舆情预警服务", "police", {"internet_control"}),
    ("舆情预警服务", "education", set()),
    ("互联网数据采集系统", "police", {"internet_control"}),
    ("互联网数据采集系统", "education", set()),
    ("社区信息采集室", "other_government", set()),
    ("细胞系鉴定STR扩增试剂", "education", set()),
    # Traps: not tagged.
    ("人民法院科技法庭改造：庭审摄像机、庭审监控", "court", set()),
    ("河道视频巡查服务", "police", set()),
    ("中国天眼观测基地维护", "police", set()),
    ("天眼查企业信息查询服务", "police", set()),
    ("犯罪嫌疑人企图侦察逃跑路线", "police", set()),
    ("港口车辆卡口闸机改造", "state_enterprise", set()),
    ("交通感知网建设", "police", set()),
    ("网络安全态势感知网建设", "police", set()),
    ("网络安全态势感知平台运维服务", "police", set()),
    ("城市物联感知网建设", "other_government", set()),
    ("公证电子取证服务", "other_government", set()),
    ("文档管理系统只读锁定功能", "police", set()),
    ("市文化和旅游局网络舆情监测服务", "other_government", set()),
    ("景区口碑舆情分析报告", "other_government", set()),
    ("政务新媒体检查监测服务", "other_government", set()),
    ("市统计局互联网数据采集", "other_government", set()),
    ("巡逻车辆定位终端及历史轨迹查看服务", "police", set()),
])
def test_police_vocabulary_and_its_traps(text, buyer, expected):
    assert cats(text, buyer) == expected


def test_weak_term_inside_a_new_term_is_not_a_second_finding():
    # 预警 (data platform) inside 舆情预警, 布控 inside 人脸识别布控.
    assert cats("舆情预警服务", "police") == {"internet_control"}
    assert {t.term for t in classify("人脸识别布控系统", "police")} == {"人脸识别布控"}


def test_new_detention_flags():
    tags = classify("看守所在押人员管理及被监管人员信息系统", "police")
    assert {t.term for t in tags if t.category == "detention_site"} >= {"看守所", "在押人员", "被监管人员"}
    assert cats("看守所在押人员管理及被监管人员信息系统", "police") == set()


def test_weak_terms_need_support_and_say_which():
    [tag] = classify("办公楼监控维修", "police")
    assert tag.strength == "supported" and tag.support == "buyer type police"
    tags = classify("视频监控系统建设，新增卡口", "other")
    assert {(t.term, t.strength) for t in tags} == {("视频监控系统", "explicit"), ("卡口", "supported")}
    assert "视频监控系统" in [t for t in tags if t.term == "卡口"][0].support


def test_tag_keeps_span_snippet_and_count():
    text = "前言。本项目采购人脸识别终端，另含人脸识别软件。"
    [tag] = classify(text)
    assert text[tag.start:tag.end] == "人脸识别" and tag.count == 2
    assert "人脸识别终端" in tag.snippet and tag.kind == "capability"


def test_ethnic_tags_need_review():
    [tag] = [t for t in classify("维吾尔族识别算法", "police") if t.category == "ethnic_targeting"]
    assert tag.needs_review


def test_flags_are_not_capabilities():
    tags = classify("看守所重点人员管理", "prison")
    kinds = {(t.category, t.kind) for t in tags}
    assert ("detention_site", "flag") in kinds and ("target_population", "flag") in kinds


def test_party_names_are_not_evidence():
    text = "中标供应商：某某安防监控工程有限公司，采购办公桌椅。"
    folded = fold(text)
    assert cats(text, "police") == {"video"}
    assert cats(text, "police", folded=folded, exclude=party_spans(folded, ["某某安防监控工程有限公司"])) == set()


def test_ascii_terms_need_word_boundaries():
    assert cats("NVR设备", "other") == {"video"}
    assert cats("UNVRX系列", "other") == set()


def test_one_automaton_built_once():
    assert taxonomy() is taxonomy()


def test_a_company_name_standing_alone_is_not_evidence():
    # A bidders' table flattened with spaces: the bidder's name is no longer a recognised party.
    text = "办公用空调采购项目中标公告 投标人 报价 1 青岛同创天成安防工程有限公司 669522.10 2 某某电器有限公司 600000.00"
    folded = fold(text)
    assert not classify(text, "court", folded=folded, exclude=party_spans(folded, []))
    # The same words in what is bought still count.
    text = "采购视频监控设备一批，中标供应商：某某电器有限公司"
    folded = fold(text)
    assert {t.category for t in classify(text, "police", folded=folded, exclude=party_spans(folded, []))} == {"video"}
