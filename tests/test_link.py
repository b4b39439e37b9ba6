"""Organizations, vendor links, procurement processes and republished copies (resolve/link.py)."""

import itertools
import json

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from sousveil.ingest.run import ingest
from sousveil.resolve import duplicates
from sousveil.resolve import link as link_module
from sousveil.resolve.link import link
from sousveil.store import linked
from sousveil.store.db import open_db

from .conftest import copy_database, run_cli


def truth_rows(corpus):
    return [json.loads(line) for line in corpus["truth"].open(encoding="utf-8")]


def by_file(db):
    """file name -> (notice id, ocid, duplicate_of)"""
    return {name.rsplit("/", 1)[-1]: (nid, ocid, dup) for name, nid, ocid, dup in db.execute(
        "select s.name, n.id, p.ocid, p.duplicate_of from sources s join notices n on n.sha256 = s.sha256"
        " join process_notices p on p.notice_id = n.id")}


def test_generated_processes_are_linked(corpus, corpus_db):
    truth = truth_rows(corpus)
    files = by_file(corpus_db)
    assert len(files) == len(truth)
    assert sum(1 for t in truth if t["type"] != "award" and any(
        o["process"] == t["process"] and o["type"] == "award" for o in truth)) >= 20  # the corpus has processes
    tp = fp = fn = 0
    for a, b in itertools.combinations(truth, 2):
        same_truth = a["process"] == b["process"]
        same_found = files[a["file"]][1] == files[b["file"]][1]
        tp += same_truth and same_found
        fp += same_found and not same_truth
        fn += same_truth and not same_found
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nprocess pairs: {tp + fn} in truth, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.98 and recall >= 0.95


def test_republished_copies_are_found_and_kept(corpus, corpus_db):
    truth = truth_rows(corpus)
    files = by_file(corpus_db)
    ids = {nid: name for name, (nid, _, _) in files.items()}
    want = {frozenset((t["file"], t["duplicate_of"])) for t in truth if t["duplicate_of"]}
    got = {frozenset((name, ids[dup])) for name, (_, _, dup) in files.items() if dup}
    assert len(want) >= 10
    print(f"\nrepublished: {len(want)} in truth, {len(got & want)} found, {len(got - want)} wrong")
    assert got <= want  # never collapses two different notices
    assert len(got & want) >= 0.8 * len(want)
    for pair in got:  # a copy sits in the process of the notice it republishes, its source kept
        a, b = sorted(pair)
        assert files[a][1] == files[b][1]
    some = next(iter(got))
    ocid = files[sorted(some)[0]][1]
    p = linked.process(corpus_db, ocid)
    copies = [c for n in p["timeline"] for c in n["republished"]]
    assert copies and all(c["sources"] for c in copies)


def test_organizations_are_deduplicated(corpus_db):
    buyer, notices = corpus_db.execute("select buyer, count(*) from notices where buyer is not null group by 1"
                                       " order by 2 desc limit 1").fetchone()
    assert notices >= 2
    orgs = corpus_db.execute("select distinct p.org_id from notice_parties p join notices n on n.id = p.notice_id"
                             " where p.role = 'buyer' and n.buyer = ?", [buyer]).fetchall()
    assert len(orgs) == 1
    assert corpus_db.execute("select count(*) from notice_parties where org_id = ? and role = 'buyer'",
                             [orgs[0][0]]).fetchone()[0] == notices
    dup = corpus_db.execute("select count(*) - count(distinct key) from organizations").fetchone()[0]
    assert dup == 0


def test_vendor_winners_and_brands_are_resolved(corpus, corpus_db):
    truth = truth_rows(corpus)
    wanted = [(t["file"], w["name"], w["vendor"]) for t in truth if t["type"] == "award" for w in t["winners"]
              if w.get("vendor")]
    assert len(wanted) >= 20
    files = by_file(corpus_db)
    found = sum(1 for f, name, vendor in wanted if corpus_db.execute(
        "select 1 from vendor_links where notice_id = ? and vendor = ? and kind = 'supplier'",
        [files[f][0], vendor]).fetchone())
    assert found >= 0.95 * len(wanted)
    brands = dict(corpus_db.execute("select vendor, count(*) from vendor_links where kind = 'brand' group by 1"))
    assert brands.get("hikvision") and brands.get("meiya_pico")
    # A brand link never claims the vendor won: the winner is another row, or none.
    row = corpus_db.execute("select v.notice_id, v.item_id, v.supplier_id from vendor_links v where kind = 'brand'"
                            " limit 1").fetchone()
    assert row[1] is not None and row[2] is None
    evidence = corpus_db.execute("select method, score, matched from vendor_links where kind = 'supplier'").fetchall()
    assert all(m and s and matched for m, s, matched in evidence)


def test_link_is_incremental_and_idempotent(corpus, tmp_path):
    db_path = tmp_path / "l.db"
    notices = sorted(corpus["notices"].glob("*.html"))
    first = ingest(notices[:150], db_path, progress=False)
    assert first.link.notices == 150
    again = link(open_db(db_path))
    assert again.notices == 0 and again.processes == 0
    second = ingest(notices[150:], db_path, progress=False)
    assert second.link.notices == len(notices) - 150
    db = open_db(db_path)
    assert db.execute("select count(*) from process_notices").fetchone()[0] == len(notices)
    assert db.execute("select count(*) - count(distinct notice_id) from notice_parties where role = 'buyer'").fetchone()[0] == 0
    # The same files in another database give the same processes: ocids are stable.
    other = tmp_path / "other.db"
    ingest(notices, other, progress=False)
    ocids = lambda path: {r[0] for r in open_db(path).execute("select ocid from processes")}  # noqa: E731
    assert ocids(db_path) == ocids(other)


def test_new_prefix_or_registry_relinks(corpus, tmp_path, monkeypatch):
    db_path = tmp_path / "p.db"
    copy_database(corpus["db_path"], db_path)
    db = open_db(db_path)
    total = db.execute("select count(*) from notices").fetchone()[0]
    summary = link(db, "ocds-abc123")
    assert summary.notices == total
    assert db.execute("select count(*) from processes where ocid not like 'ocds-abc123-%'").fetchone()[0] == 0
    assert link(db).notices == 0  # the prefix is kept in the database
    reg = link_module.registry()
    monkeypatch.setattr(reg, "version", "test-new-version")
    assert link(db).notices == total


def test_cli_process_and_vendors(corpus):
    db = corpus["db_path"]
    dbh = open_db(db)
    nid, ocid = dbh.execute("select notice_id, ocid from process_notices where ocid in (select ocid from"
                            " process_notices group by ocid having count(*) >= 3) limit 1").fetchone()
    out = run_cli("process", nid, "--db", db).stdout
    assert ocid in out and "SYNTHETIC" in out
    data = json.loads(run_cli("process", ocid, "--db", db, "--json").stdout)
    assert data["ocid"] == ocid and sum(1 + len(n["republished"]) for n in data["timeline"]) == data["notices"]
    dates = [n["published"] for n in data["timeline"]]
    assert dates == sorted(dates)
    assert run_cli("process", "nope", "--db", db, check=False).returncode == 1
    vendors = json.loads(run_cli("vendors", "--db", db, "--json").stdout)
    hik = next(v for v in vendors if v["id"] == "hikvision")
    assert hik["brand_notices"] > 0 and hik["designations"][0]["reference"] == "84 FR 54002"
    designated = json.loads(run_cli("vendors", "--db", db, "--json", "--designated").stdout)
    assert designated and all(v["designations"] for v in designated)
    table = run_cli("vendors", "--db", db).stdout
    assert "Hikvision" in table and "unverified" in table


def test_process_of_finds_an_ocid_from_a_notice_or_itself(corpus_db):
    nid, ocid = corpus_db.execute("select notice_id, ocid from process_notices limit 1").fetchone()
    assert linked.process_of(corpus_db, str(nid)) == ocid
    assert linked.process_of(corpus_db, ocid) == ocid
    assert linked.process_of(corpus_db, "999999") is None and linked.process_of(corpus_db, "no-such-ocid") is None


def test_a_notice_that_cannot_be_linked_is_recorded_and_the_rest_are_linked(corpus, tmp_path, monkeypatch):
    db_path = tmp_path / "f.db"
    notices = sorted(corpus["notices"].glob("*.html"))[:30]
    ingest(notices, db_path, progress=False, link=False)
    db = open_db(db_path)
    bad = db.execute("select id from notices order by id limit 1 offset 5").fetchone()[0]
    original = link_module.Linker.vendor_links

    def failing(self, nid):
        if nid == bad:
            raise RuntimeError("odd notice")
        return original(self, nid)

    monkeypatch.setattr(link_module.Linker, "vendor_links", failing)
    summary = link(db)
    assert summary.failed == 1 and summary.notices == 30
    assert db.execute("select count(*) from process_notices").fetchone()[0] == 29
    assert db.execute("select count(*) from notice_parties where notice_id = ?", [bad]).fetchone()[0] == 0
    assert "odd notice" in db.execute("select reason from ingest_errors").fetchone()[0]


def test_sums_count_a_republished_notice_once(corpus_db):
    from decimal import Decimal

    from sousveil.store import queries

    stats = queries.stats(corpus_db)
    assert stats["totals"]["republished"] >= 10
    copies_value = sum((Decimal(r[0]) for r in corpus_db.execute(
        "select n.award_total from notices n join process_notices p on p.notice_id = n.id"
        " where p.duplicate_of is not null and n.award_total is not null")), Decimal(0))
    all_value = sum((Decimal(r[0]) for r in corpus_db.execute(
        "select award_total from notices where award_total is not null")), Decimal(0))
    by_province = sum((Decimal(r["award_value"]) for r in stats["by_province"]), Decimal(0))
    assert copies_value > 0 and by_province == all_value - copies_value
    total, rows = queries.search(corpus_db, None, queries.Filters(), limit=400)
    assert total == stats["totals"]["notices"]  # search lists every copy, marked
    assert sum(1 for r in rows if r["duplicate_of"]) == stats["totals"]["republished"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("监控人脸识别采购公告abc 12，。\n"), max_size=300))
def test_signature_is_datasketch_affine32_bit_for_bit(text):
    """Our numpy MinHash is datasketch's affine32 scheme: same permutations, same values."""
    reference = MinHash(num_perm=duplicates.NUM_PERM, seed=duplicates.SEED, hashfunc=int, scheme="affine32")
    reference.update_batch(duplicates._shingle_hashes(text).tolist())
    assert duplicates.signature(text) == reference.hashvalues.astype(np.uint32).tobytes()


def test_a_procurement_value_counts_once_across_its_award_contract_and_acceptance(tmp_path):
    """Real processes repeat their money: the award, then the contract, then the acceptance. The sums
    take it from the award; a process with only a contract notice counts its contract."""
    from sousveil.store import facets, queries

    mark = "【合成数据 SYNTHETIC】手写的测试公告，不是真实公告。"
    notices = {
        "award.txt": ("某市公安局视频监控项目中标公告", "中标供应商", "中标金额：100万元", "2023-03-01"),
        "contract.txt": ("某市公安局视频监控项目合同公告", "供应商（乙方）", "合同金额：100万元", "2023-03-20"),
        "acceptance.txt": ("某市公安局视频监控项目验收结果公告", "供应商（乙方）", "合同金额：100万元", "2023-09-01"),
    }
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (heading, label, amount, day) in notices.items():
        (folder / name).write_text(f"{heading}\n{mark}\n采购人：某市公安局\n项目编号：SZGA-2023-01\n"
                                   f"{label}：某某科技有限公司\n{amount}\n发布日期：{day}\n", encoding="utf-8")
    (folder / "other.txt").write_text(f"某市公安局指挥中心大屏合同公告\n{mark}\n采购人：某市公安局\n项目编号：SZGA-2023-77\n"
                                      "供应商（乙方）：另一家科技有限公司\n合同金额：50万元\n发布日期：2023-05-05\n", encoding="utf-8")
    db_path = tmp_path / "n.db"
    ingest([folder], db_path, progress=False)
    db = open_db(db_path)
    types = dict(db.execute("select s.name, n.type from sources s join notices n on n.sha256 = s.sha256").fetchall())
    assert sorted(types.values()) == ["award", "contract", "contract", "other"]
    assert len({r[0] for r in db.execute("select ocid from process_notices")}) == 2
    assert db.execute("select count(*) from notices where award_total = '1000000'").fetchone()[0] == 3

    stats = queries.stats(db)
    assert [r["award_value"] for r in stats["by_province"]] == ["1500000"]
    assert stats["totals"]["notices"] == 4  # every notice still counts as a notice
    assert {r["name"]: r["award_value"] for r in stats["top_suppliers"]} == {"某某科技有限公司": "1000000",
                                                                            "另一家科技有限公司": "500000"}
    assert stats["top_buyers"][0]["award_value"] == "1500000"
    assert facets.party_profile(db, "buyer", "某市公安局")["award_value"] == "1500000"
    assert facets.party_profile(db, "supplier", "某某科技有限公司")["award_value"] == "1000000"
