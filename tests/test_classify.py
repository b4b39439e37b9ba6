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
