import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousveil.data_files import load_yaml
from sousveil.extract.institutions import Institution, find_institutions, first_institution
from sousveil.text import fold


def names(text):
    return [i.name for i in find_institutions(fold(text))]


@pytest.mark.parametrize("text, expected", [
    # In a sentence: the stop word (委托, 拟, 的) ends the name.
    ("受东莞市公安局委托", ["东莞市公安局"]),
    ("受绵阳市民政局委托，对下列项目进行公开招标", ["绵阳市民政局"]),
    ("涪城区人民检察院拟对信息化设备进行公开招标", ["涪城区人民检察院"]),
    ("广东省公安厅的委托", ["广东省公安厅"]),
    # In a title: the project phrase after the name is not part of it.
    ("东莞市公安局巡处车辆管理服务项目", ["东莞市公安局"]),
    ("绵阳市涪城区人民法院2024年信息化项目", ["绵阳市涪城区人民法院"]),
    ("东莞市教育局所属学校食堂服务采购", ["东莞市教育局"]),
    # Chains of places and nested levels.
    ("四川省监狱管理局", ["四川省监狱管理局"]),
    ("广州市公安局天河区分局", ["广州市公安局天河区分局"]),
    ("深圳市公安局交通警察支队", ["深圳市公安局交通警察支队"]),
    ("深圳市公安局福田分局", ["深圳市公安局福田分局"]),
    ("广东省东莞市公安局", ["广东省东莞市公安局"]),
    ("深圳市龙华区人民法院", ["深圳市龙华区人民法院"]),
    ("东莞市住房和城乡建设局", ["东莞市住房和城乡建设局"]),
    ("东莞市人力资源和社会保障局就业服务中心", ["东莞市人力资源和社会保障局就业服务中心"]),
    ("东莞市中心医院", ["东莞市中心医院"]),
    ("东莞市人民政府办公室", ["东莞市人民政府办公室"]),
    ("四川省成都市中级人民法院", ["四川省成都市中级人民法院"]),
    # Without a place: only after 中国/国家/中共 and with a strong suffix.
    ("中国人民武装警察部队广东省总队", ["中国人民武装警察部队广东省总队"]),
    ("国家税务总局东莞市税务局", ["国家税务总局东莞市税务局"]),
    ("中共东莞市委员会", ["中共东莞市委员会"]),
    ("中国人民大学", ["中国人民大学"]),
    # Two names: a separator, a joiner, or a second place not inside the first.
    ("东莞市公安局、东莞市财政局", ["东莞市公安局", "东莞市财政局"]),
    ("东莞市公安局与东莞市人民医院联合采购", ["东莞市公安局", "东莞市人民医院"]),
    ("东莞市公安局东莞市人民医院", ["东莞市公安局", "东莞市人民医院"]),
    ("东莞市和深圳市公安局", ["深圳市公安局"]),
    ("采购人：东莞市公安局 供应商：东莞市某某科技有限公司", ["东莞市公安局"]),
    # Negatives: companies, addresses, ordinary words after a place, no place at all.
    ("某某有限公司", []),
    ("东莞市某某科技有限公司", []),
    ("四川省建筑设计研究院有限公司", []),
    ("东莞市某某会计师事务所", []),
    ("东莞市南城区鸿福路", []),
    ("东莞市南城区鸿福路1号", []),
    ("北京路派出所", []),
    ("省公安厅", []),
    ("东莞市中心城区道路改造", []),
    ("东莞市大学生创业大赛", []),
    ("东莞市公共场所消毒服务", []),
    ("东莞市全面推进数字政府建设", []),
    ("中国政府采购网", []),
    ("东莞市公\n安局", []),  # a separator inside
    ("", []),
])
def test_names(text, expected):
    assert names(text) == expected


def test_traditional_input_folded_first():
    found = find_institutions(fold("臺北市政府警察局"))
    assert [i.name for i in found] == ["台北市政府警察局"]
    assert found[0].place_code == "710100" and found[0].suffix == "警察局"


def test_fields_and_offset():
    text = fold("受东莞市公安局委托")
    assert find_institutions(text, offset=100) == [Institution("东莞市公安局", 101, 107, "441900", "公安局")]
    inst = first_institution(fold("广州市公安局天河区分局"))
    assert inst.place_code == "440106" and inst.suffix == "分局"  # the most specific place named
    assert first_institution(fold("深圳市公安局福田分局")).place_code == "440304"
    assert first_institution(fold("龙华区人民法院")).place_code is None  # two 龙华区, nothing to settle
    assert first_institution(fold("北京大学")).place_code == "110100"  # province and city: the city
    assert first_institution(fold("重庆市第一中级人民法院")).place_code == "500000"  # two cities of that name
    assert first_institution(fold("没有机构")) is None


def test_data_version():
    assert load_yaml("institutions.yaml")["version"] == "2026.12.1"


_PARTS = ["受东莞市公安局委托，", "绵阳市涪城区人民法院2024年信息化项目", "某某有限公司", "东莞市南城区鸿福路1号",
          "广州市公安局天河区分局", "采购需求：", "中国人民武装警察部队广东省总队", "the quick brown fox ", "\n",
          "深圳市公安局交通警察支队", "东莞市", "四川省", "中国", "国家", "局", "所", "和", "的", "中心"]


def test_200_kb_is_fast():
    rng = random.Random(7)
    text = fold("".join(rng.choice(_PARTS) for _ in range(30_000))[:200_000])
    assert len(text) == 200_000
    start = time.perf_counter()
    found = find_institutions(text)
    assert time.perf_counter() - start < 2.0  # a guard against quadratic behaviour, not a benchmark
    assert len(found) > 1000


def test_adversarial_run_without_separator_is_bounded():
    long_run = "东莞市四川省中国国家局所中心" * 3000  # a place or prefix every few characters, no separator
    start = time.perf_counter()
    find_institutions(long_run)
    assert time.perf_counter() - start < 2.0


def test_long_run_is_read_in_pieces_without_losing_names():
    filler = "巡查" * 397  # 794 characters: names across the piece boundaries at 300 and 600
    text = filler[:290] + "东莞市公安局交通警察支队" + filler[:290] + "广州市公安局天河区分局" + filler
    assert names(text) == ["东莞市公安局交通警察支队", "广州市公安局天河区分局"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PARTS + ["公安", "法院", "，", "1", "臺北市政府警察局", "有限", "路"]), max_size=30),
       st.integers(min_value=0, max_value=10_000))
def test_spans_spell_the_name(parts, offset):
    text = fold("".join(parts))
    found = find_institutions(text, offset)
    for inst in found:
        assert offset <= inst.start < inst.end <= offset + len(text)
        assert text[inst.start - offset:inst.end - offset] == inst.name
        assert inst.name.endswith(inst.suffix)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))  # left to right, none overlapping
