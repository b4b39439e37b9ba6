"""Supplier and brand resolution against the vendor registry, on labelled name variants."""

import csv
import random
from collections import Counter
from pathlib import Path

from sousveil.data_files import load_yaml
from sousveil.resolve.names import parse
from sousveil.resolve.vendors import FUZZY_MIN, registry
from sousveil.synth.generate import Generator
from sousveil.synth.vendor_names import brand_variants, variants

LABELLED = Path(__file__).parent / "fixtures" / "vendor_names.csv"
SEED_VENDORS = ["Hikvision", "Dahua", "Uniview", "Tiandy", "iFlytek", "Megvii", "SenseTime", "Yitu", "CloudWalk",
                "Intellifusion", "Xiamen Meiya Pico", "NetPosa", "SenseNets", "Yixin Science and Technology",
                "Leon Technology", "Xinjiang Sailing Information Technology", "Huawei", "ZTE", "CETC", "Sugon (Dawning)",
                "Inspur", "FiberHome", "DJI", "TRS", "Ehualu", "Microread Genetics", "AGCU Scientific", "BGI",
                "China Telecom", "China Mobile", "China Unicom", "Thermo Fisher Scientific", "IBM", "Microsoft", "Oracle",
                "Intel", "HP", "Dell", "Cisco", "NVIDIA", "Seagate", "Western Digital", "VMware",
                "Beijing Liuhe BGI", "Xinjiang Silk Road BGI", "Xinjiang Lianhai Chuangzhi", "Chengdu Xiwu Security",
                "China Academy of Electronics and Information Technology"]


def labelled_names():
    """(name, vendor or '', kind): generated variants, hand-written ones, and generated non-vendors."""
    reg = registry()
    rng = random.Random(7)
    rows = [(n, v, k) for n, v, k in variants(reg, rng)]
    rows += [(r["name"], r["vendor"], "hand-written: " + r["note"]) for r in csv.DictReader(LABELLED.open(encoding="utf-8"))]
    gen = Generator(5)
    rows += [(gen.company(city), "", "generated local company") for _, city, _ in gen.counties[:120]]
    return rows


def score(rows, resolve):
    tp = fp = fn = 0
    misses = []
    for name, truth, kind in rows:
        match = resolve(name)
        got = match.vendor if match else ""
        if got and got == truth:
            tp += 1
        elif got or truth:
            fp += bool(got)
            fn += bool(truth)
            misses.append((name, truth, got, kind))
    return tp / max(1, tp + fp), tp / max(1, tp + fn), misses


def test_supplier_resolution_precision_and_recall():
    rows = labelled_names()
    assert len(rows) >= 200 and sum(1 for r in rows if r[1]) >= 200 and sum(1 for r in rows if not r[1]) >= 100
    precision, recall, misses = score(rows, registry().resolve)
    print(f"\nsupplier names: {len(rows)}, precision {precision:.3f}, recall {recall:.3f}; misses: {misses}")
    assert precision >= 0.98, misses
    assert recall >= 0.95, misses


def test_brand_resolution():
    rows = brand_variants(registry(), random.Random(7))
    rows += [(b, "", "not a registry brand") for b in ("锐捷", "天成", "国产", "其他", "见附件", "定制", "联想", "TP-LINK", "/", "")]
    precision, recall, misses = score(rows, registry().resolve_brand)
    print(f"\nbrands: {len(rows)}, precision {precision:.3f}, recall {recall:.3f}; misses: {misses}")
    assert precision == 1.0 and recall >= 0.97, misses


def test_every_method_keeps_its_evidence():
    reg = registry()
    methods = Counter()
    for name, truth, _ in labelled_names():
        m = reg.resolve(name)
        if m:
            methods[m.method] += 1
            assert m.matched and (m.score == 100.0 if m.method != "fuzzy" else FUZZY_MIN <= m.score < 100)
    assert set(methods) == {"registered", "alias", "prefix", "fuzzy"}, methods
    branch = reg.resolve("浙江大华技术股份有限公司新疆分公司")
    assert branch.vendor == "dahua" and branch.branch and branch.method == "registered"


def test_names_normalize():
    assert parse("杭州海康威視數字技術股份有限公司").core == "海康威视数字技术"
    assert parse("ＺＴＥ（中国）有限公司").core == "zte"
    n = parse("中国电信股份有限公司 乌鲁木齐分公司")
    assert n.parent == "中国电信股份有限公司" and n.core == "中国电信"
    assert parse("新疆维吾尔自治区公安厅").normalized == "新疆维吾尔自治区公安厅"


def test_registry_covers_the_seed_list_and_is_consistent():
    data = load_yaml("vendors.yaml")
    reg = registry()
    english = {v.name_en for v in reg.vendors.values()}
    assert not [n for n in SEED_VENDORS if n not in english]
    for v in reg.vendors.values():
        assert v.parent is None or v.parent in reg.vendors
        for d in v.designations:
            assert d.list in data["lists"] and d.status in ("verified", "unverified") and d.reference and d.date
            # A designation without an official reference stays unverified.
            assert d.status == "unverified" or any(k in d.reference for k in ("FR", "Executive Order", "NS-CMIC"))
    entity_2019 = {v.id for v in reg.vendors.values()
                   if any(d.list == "us_entity_list" and d.date == "2019-10-09" for d in v.designations)}
    assert entity_2019 == {"hikvision", "dahua", "iflytek", "megvii", "sensetime", "meiya_pico", "yitu", "yixin"}
    assert reg.group("sensenets") == ["sensenets", "netposa"]
    assert reg.vendors["intellifusion"].designations[0].status == "unverified"
