"""Seeded generator of synthetic procurement notices with ground truth.

Every document says it is synthetic: a marker line in its text (pipeline.SYNTHETIC_MARK), a
`synthetic:` URL in its sidecar, and `"synthetic": true`. It varies what real portals vary:
layouts (2020 summary table with numbered sections, older free text, a provincial key-value
table layout, a trading centre's Tendering Law award body without a heading and with the
winner's staff roster, a tender document's cover page and contents, an aggregator site's page
with its member prompts and related notices), UTF-8 / GBK / Big5 and a wrong charset declaration, tenders, awards,
corrections and cancellations, multi-lot awards, amounts in 元 / 万元 / capital numerals /
header units, date forms, traditional characters, and personal data that must be redacted.
"""

from __future__ import annotations

import functools
import html
import json
import random
import re
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import cn2an

from ..data_files import load_csv, load_yaml
from ..pipeline import SYNTHETIC_MARK, SYNTHETIC_SCHEME

NOTICE_TYPES = [("award", 0.5), ("tender", 0.3), ("correction", 0.1), ("cancellation", 0.1)]
LAYOUTS = [("ccgp2020", 0.36), ("freetext", 0.24), ("provincial", 0.2), ("trading_centre", 0.1), ("tender_document", 0.05),
           ("aggregator", 0.05)]
DISCLAIMER = f"{SYNTHETIC_MARK}本文件由 sousveil synth 生成，用于测试与演示，不是真实的政府采购公告。"


@dataclass
class Truth:
    """What a correct extraction finds in one generated notice."""

    file: str
    layout: str
    encoding: str
    traditional: bool
    type: str
    title: str
    project_code: str
    buyer: str
    buyer_type: str
    agency: str
    province_code: str
    city_code: str | None
    region_code: str
    published: str
    method: str
    budget: str | None = None
    award_total: str | None = None
    winners: list = field(default_factory=list)  # [{name, lot, amount}]
    bidders: int = 0
    items: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    personal: list = field(default_factory=list)  # strings that must not survive redaction
    synthetic: bool = True
    process: str = ""  # notices of one procurement share it
    duplicate_of: str | None = None  # the file this one republishes


@functools.lru_cache(maxsize=1)
def _s2hk():
    import opencc

    return opencc.OpenCC("s2hk")


def _weighted(rng: random.Random, options):
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _yuan_text(d: Decimal) -> str:
    return format(d.normalize(), "f")


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.pools = load_yaml("synth_pools.yaml")
        places = load_csv("gazetteer.csv")
        by_code = {p["code"]: p for p in places}
        # Counties under a prefecture city, with unambiguous names, keep the truth checkable.
        names = {}
        for p in places:
            names[p["name"]] = names.get(p["name"], 0) + 1
        self.counties = []
        for p in places:
            if p["level"] != "county" or names[p["name"]] > 1 or p["name"].endswith(("新区", "开发区")):
                continue
            city = by_code.get(p["parent"])
            if not city or city["level"] != "city" or names[city["name"]] > 1:
                continue
            prov = by_code[city["parent"]]
            if prov["code"][:2] in ("71", "81", "82"):
                continue
            self.counties.append((prov, city, p))
        self.counties.sort(key=lambda t: t[2]["code"])
        self.queue: deque = deque()  # notices of open processes and republished copies, written next

    # --- people and organisations -----------------------------------------------------------------

    def person(self) -> str:
        return self.rng.choice(self.pools["surnames"]) + self.rng.choice(self.pools["given"])

    def contact(self) -> str:
        return self.rng.choice(self.pools["surnames"]) + self.rng.choice(self.pools["titles"])

    def mobile(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def landline(self, city_code: str) -> str:
        return f"0{self.rng.randint(10, 999)}-{self.rng.randint(20000000, 89999999)}"

    def company(self, city: dict) -> str:
        short = city["name"].rstrip("市")
        return short + self.rng.choice(self.pools["company_words"]) + self.rng.choice(self.pools["company_words"]) + \
            self.rng.choice(self.pools["company_kinds"])

    def fill(self, pattern: str, prov, city, county) -> str:
        return pattern.format(province=prov["name"], city=city["name"], county=county["name"],
                              n=self.rng.choice("一二三四五六七八九"), word=self.rng.choice(self.pools["company_words"]))

    # --- amounts and dates -----------------------------------------------------------------------

    def amount(self, low: int, high: int) -> Decimal:
        # Real awards are often whole yuan, sometimes with fen; keep both.
        value = Decimal(self.rng.randint(low, high))
        if self.rng.random() < 0.3:
            value += Decimal(self.rng.randint(1, 99)) / 100
        return value

    def money(self, value: Decimal, style: str | None = None) -> str:
        style = style or self.rng.choice(["yuan", "yuan_comma", "wan", "rmb", "capital", "symbol"])
        if style == "yuan":
            return f"{value:.2f}元" if self.rng.random() < 0.5 else f"{_yuan_text(value)}元"
        if style == "yuan_comma":
            return f"{value:,.2f}元"
        if style == "wan":
            wan = value / 10000
            return f"{_yuan_text(wan)}万元"
        if style == "rmb":
            return f"人民币{_yuan_text(value)}元"
        if style == "symbol":
            return f"￥{value:,.2f}"
        capital = cn2an.an2cn(str(value), "rmb")
        return f"人民币{capital}（￥{value:,.2f}）"

    def date_text(self, d: date, style: str | None = None) -> str:
        style = style or self.rng.choice(["cn", "cn_pad", "iso", "slash", "dot"])
        if style == "cn":
            return f"{d.year}年{d.month}月{d.day}日"
        if style == "cn_pad":
            return f"{d.year}年{d.month:02d}月{d.day:02d}日"
        if style == "iso":
            return d.isoformat()
        if style == "slash":
            return f"{d.year}/{d.month}/{d.day}"
        return f"{d.year}.{d.month:02d}.{d.day:02d}"

    # --- one notice ------------------------------------------------------------------------------

    def notice(self, index: int) -> tuple[str, Truth]:
        rng = self.rng
        ntype = _weighted(rng, NOTICE_TYPES)
        layout = _weighted(rng, LAYOUTS)
        topic = rng.choice(self.pools["topics"])
        buyer_type = rng.choice(topic["buyers"])
        prov, city, county = rng.choice(self.counties)
        pattern = rng.choice(self.pools["buyers"][buyer_type])
        buyer = self.fill(pattern, prov, city, county)
        if "{county}" in pattern:
            region_code = county["code"]
        elif "{city}" in pattern:
            region_code = city["code"]
        else:
            region_code = prov["code"]
        agency = self.fill(rng.choice(self.pools["agencies"]), prov, city, county)
        title = buyer + topic["name"] + ("项目" if rng.random() < 0.5 else "")
        published = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2900))
        code_prefix = rng.choice(["ZFCG", "GK", "CG", city["code"][:4] + "-"])
        project_code = f"{code_prefix}{published.year}{rng.randint(1, 99999):05d}" + ("" if rng.random() < 0.7 else "-01")
        method = rng.choice(["公开招标", "竞争性磋商", "竞争性谈判", "询价", "单一来源"])
        lots = 1 if rng.random() < 0.75 else rng.randint(2, 3)
        items = []
        for name, brand, model, unit, lo, hi in topic["items"]:
            qty = rng.randint(1, max(1, min(300, 2_000_000 // int(hi))))  # keep totals in a plausible range
            price = Decimal(rng.randint(int(lo), int(hi)))
            items.append({"name": name, "brand": brand, "model": model, "unit": unit, "quantity": qty,
                          "unit_price": _yuan_text(price)})
        budget = sum((Decimal(i["unit_price"]) * i["quantity"] for i in items), Decimal(0))
        budget = (budget * Decimal("1.1")).quantize(Decimal("1"), ROUND_HALF_UP) + rng.randint(0, 9999)
        winners = []
        for lot in range(1, lots + 1):
            share = (budget / lots * Decimal(rng.uniform(0.75, 0.98))).quantize(Decimal("0.01"))
            if rng.random() < 0.6:
                share = share.quantize(Decimal("1"))
            name, vendor = self._vendor_winner() if rng.random() < 0.2 else (self.company(city), None)
            winners.append({"name": name, "lot": str(lot) if lots > 1 else None, "amount": share, "vendor": vendor})
        personal = []
        contacts = [self.contact(), self.contact()]
        mobiles = [self.mobile(), self.mobile()]
        experts = [self.person() for _ in range(rng.choice([3, 5]))]
        email = f"{rng.choice(['zhang', 'li', 'wang', 'chen'])}{rng.randint(10, 999)}@example.cn"
        personal += contacts + mobiles + [email] + experts
        truth = Truth(
            file="", layout=layout, encoding="", traditional=False, type=ntype, title=title, project_code=project_code,
            buyer=buyer, buyer_type=buyer_type, agency=agency, province_code=prov["code"],
            city_code=city["code"] if region_code != prov["code"] else None, region_code=region_code,
            published=published.isoformat(), method=method, categories=sorted(topic["categories"]),
            personal=personal)
        ctx = dict(title=title, buyer=buyer, agency=agency, code=project_code, method=method, topic=topic,
                   published=published, county=county, city=city, prov=prov, contacts=contacts, mobiles=mobiles,
                   email=email, experts=experts, items=items, winners=winners, budget=budget, lots=lots)
        return self._render(ntype, layout, ctx, truth), truth

    def _render(self, ntype: str, layout: str, ctx: dict, truth: Truth) -> str:
        body = getattr(self, f"_{layout}")(ntype, ctx, truth)
        if ntype == "tender":
            truth.budget = _yuan_text(ctx["budget"])
        if ntype == "award":
            truth.winners = [{"name": w["name"], "lot": w["lot"], "amount": _yuan_text(w["amount"]),
                              "vendor": w.get("vendor")} for w in ctx["winners"]]
            truth.award_total = _yuan_text(sum((w["amount"] for w in ctx["winners"]), Decimal(0)))
            truth.items = ctx["items"]
        self.last = (ntype, layout, ctx)
        return body

    def _vendor_winner(self) -> tuple[str, str]:
        """A registry vendor as the winner, written as notices write it (a registered name, a branch)."""
        from ..resolve.vendors import registry

        vendor = self.rng.choice([v for v in registry().vendors.values() if v.registered and v.country == "CN"])
        name = self.rng.choice(vendor.registered)
        if self.rng.random() < 0.4 and name.endswith("公司"):
            name += self.rng.choice(self.counties)[1]["name"].rstrip("市") + "分公司"
        return name, vendor.id

    def followups(self, body: str, truth: Truth) -> list[tuple[str, Truth]]:
        """Other notices of the same procurement (an earlier tender, a correction) and copies
        republished on another portal, to be written after this one."""
        rng = self.rng
        ntype, layout, ctx = self.last
        out = []
        if ntype == "award" and rng.random() < 0.3:
            steps = [("tender", rng.randint(30, 75))] + ([("correction", rng.randint(5, 25))] if rng.random() < 0.4 else [])
            for ftype, days_before in steps:
                fctx = dict(ctx, published=ctx["published"] - timedelta(days=days_before))
                flayout = _weighted(rng, LAYOUTS)
                ftruth = replace(truth, type=ftype, layout=flayout, published=fctx["published"].isoformat(), budget=None,
                                 award_total=None, winners=[], items=[], bidders=0, duplicate_of=None)
                out.append((self._render(ftype, flayout, fctx, ftruth), ftruth))
        if rng.random() < 0.08:
            portal = rng.choice(["中国政府采购网", f"{ctx['prov']['name']}政府采购网", f"{ctx['city']['name']}公共资源交易网"])
            copy = replace(truth, duplicate_of=truth.file)
            out.append((f"<p>（转载自{portal}）</p>" + body, copy))
        return out

    # Layout 1: the national portal's 2020 template, a summary table then numbered sections.
    def _ccgp2020(self, ntype: str, c: dict, truth: Truth) -> str:
        rng = self.rng
        heading = c["title"] + {"award": "中标（成交）结果公告", "tender": "公开招标公告", "correction": "更正公告",
                                "cancellation": "终止公告"}[ntype]
        rows = [("采购项目名称", c["title"]), ("品目", c["topic"]["name"]), ("采购单位", c["buyer"]),
                ("行政区域", {c["county"]["code"]: c["county"]["name"], c["city"]["code"]: c["city"]["name"]}.get(
                    truth.region_code, c["prov"]["name"])),
                ("公告时间", self.date_text(c["published"], "cn_pad") + " 09:30")]
        if ntype == "award":
            total = sum((w["amount"] for w in c["winners"]), Decimal(0))
            rows += [("评审专家名单", "，".join(c["experts"])),
                     ("总中标金额", f"￥{(total / 10000).quantize(Decimal('0.01')):.6f} 万元（人民币）")]
        rows += [("项目联系人", c["contacts"][0]), ("项目联系电话", c["mobiles"][0]), ("采购单位", c["buyer"]),
                 ("采购单位地址", (c["prov"]["name"] if truth.region_code == c["prov"]["code"] else c["city"]["name"])
                  + "人民路" + str(rng.randint(1, 300)) + "号"),
                 ("代理机构名称", c["agency"]), ("代理机构联系方式", self.landline(c["city"]["code"]))]
        summary = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        sections = [f"一、项目编号：{c['code']}", f"二、项目名称：{c['title']}"]
        if ntype == "award":
            bidders = [w["name"] for w in c["winners"]] + [self.company(c["city"]) for _ in range(rng.randint(1, 3))]
            truth.bidders = len(bidders)
            unit_wan = rng.random() < 0.3
            head = "报价（万元）" if unit_wan else "报价（元）"
            btable = "".join(
                f"<tr><td>{'包' + str(i % c['lots'] + 1) if c['lots'] > 1 else 'A'}</td><td>{b}</td>"
                f"<td>{self._table_amount(self.amount(int(c['budget'] * Decimal('0.7')), int(c['budget'])), unit_wan)}</td></tr>"
                for i, b in enumerate(bidders))
            sections.append(f"三、投标供应商名称及报价：<table><tr><td>包组</td><td>投标供应商</td><td>{head}</td></tr>{btable}</table>")
            sections.append("五、中标（成交）信息")
            for w in c["winners"]:
                if c["lots"] > 1:
                    sections.append(f"包{w['lot']}：")
                sections.append(f"供应商名称：{w['name']}")
                sections.append(f"供应商地址：{c['city']['name']}科技路{rng.randint(1, 99)}号")
                sections.append(f"中标（成交）金额：{_yuan_text(w['amount'])}元" if rng.random() < 0.6
                                else f"中标（成交）金额：{self.money(w['amount'], rng.choice(['yuan_comma', 'rmb', 'capital']))}")
            sections.append(f"六、主要标的信息 项目概况：{c['topic']['text']}" + self._items_table(c["items"]))
            sections.append("七、评审委员会成员名单")
            sections.append("、".join(c["experts"]) + "；")
        elif ntype == "tender":
            sections.append(f"预算金额：{self.money(c['budget'], rng.choice(['wan', 'yuan', 'rmb']))}")
            sections.append(f"采购方式：{c['method']}")
            sections.append(f"采购需求：{c['topic']['text']}" + self._items_table(c["items"], prices=False))
            deadline = c["published"] + timedelta(days=20)
            sections.append(f"提交投标文件截止时间：{self.date_text(deadline, 'cn_pad')} 09时30分")
        elif ntype == "correction":
            sections.append(f"项目概况：{c['topic']['text']}")
            sections.append(f"首次公告日期：{self.date_text(c['published'] - timedelta(days=7))}")
            sections.append(f"更正内容：投标截止时间延期至{self.date_text(c['published'] + timedelta(days=15), 'cn_pad')}。")
        else:
            sections.append(f"项目概况：{c['topic']['text']}")
            sections.append("项目终止的原因：因采购需求发生变化，本项目终止。")
        sections += ["十一、凡对本次公示内容提出询问，请按以下方式联系。", "1.采购人信息", f"名称：{c['buyer']}",
                     f"联系方式：{self.landline(c['city']['code'])}", "2.采购代理机构信息", f"名称：{c['agency']}",
                     "3.项目联系方式", f"项目联系人：{c['contacts'][1]}", f"电话：{c['mobiles'][1]}",
                     f"电子邮箱：{c['email']}"]
        body = "".join(f'<span style="display: block;">{s}</span>' if not s.startswith(("三", "六")) else f"<div>{s}</div>"
                       for s in sections)
        return (f"<h1>{html.escape(heading)}</h1><p>{self.date_text(c['published'], 'cn_pad')} 09:30 来源：合成数据</p>"
                f"<div class='summary' style='display:none'><table>{summary}</table></div><div class='content'>{body}</div>"
                f"<p>{c['agency']}</p><p>{self.date_text(c['published'], 'cn_pad')}</p>")

    def _table_amount(self, value: Decimal, wan: bool) -> str:
        return _yuan_text((value / 10000).quantize(Decimal("0.0001"))) if wan else f"{value:.2f}"

    def _items_table(self, items: list, prices: bool = True) -> str:
        head = "<tr><td>名称</td><td>品牌（如有）</td><td>规格型号</td><td>数量</td>" + ("<td>单价（元/台）</td>" if prices else "") + "</tr>"
        rows = "".join(
            f"<tr><td>{i['name']}</td><td>{i['brand']}</td><td>{i['model']}</td><td>{i['quantity']}{i['unit'] if self.rng.random() < 0.3 else ''}</td>"
            + (f"<td>{i['unit_price']}</td>" if prices else "") + "</tr>" for i in items)
        return f"<table>{head}{rows}</table>"

    # Layout 2: older free text, the facts inside sentences.
    def _freetext(self, ntype: str, c: dict, truth: Truth) -> str:
        rng = self.rng
        heading = c["title"] + {"award": "中标公告", "tender": "招标公告", "correction": "更正公告", "cancellation": "废标公告"}[ntype]
        paras = [f"{c['agency']}受{c['buyer']}委托，就{c['title']}（项目编号：{c['code']}）进行{c['method']}。{c['topic']['text']}"]
        if ntype == "award":
            for w in c["winners"]:
                lot = f"第{w['lot']}包：" if w["lot"] else ""
                paras.append(f"{lot}经评审委员会评审，确定{w['name']}为中标供应商，中标金额：{self.money(w['amount'])}。")
            paras.append("评审专家：" + "、".join(c["experts"]))
        elif ntype == "tender":
            paras.append(f"本项目采购预算：{self.money(c['budget'], rng.choice(['wan', 'rmb', 'capital', 'yuan_comma']))}，"
                         "超过预算的报价无效。")
            paras.append(f"投标截止时间：{self.date_text(c['published'] + timedelta(days=20))}上午9时30分")
        elif ntype == "correction":
            paras.append(f"原公告的采购项目编号：{c['code']}")
            paras.append(f"现将开标时间更正为{self.date_text(c['published'] + timedelta(days=10))}，其他内容不变。")
        else:
            paras.append("因有效投标供应商不足三家，本项目废标。")
        paras.append(f"联系人：{c['contacts'][0]}，联系电话：{c['mobiles'][0]}，邮箱：{c['email']}")
        paras.append(f"采购人：{c['buyer']}")
        paras.append(f"{c['agency']}")
        paras.append(self._pub_line(c["published"]))
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        return f"<div class='title'>{html.escape(heading)}</div>{body}"

    def _pub_line(self, d: date) -> str:
        if self.rng.random() < 0.3:
            digits = "〇一二三四五六七八九"
            year = "".join(digits[int(x)] for x in str(d.year))
            return f"{year}年{cn2an.an2cn(d.month)}月{cn2an.an2cn(d.day)}日"
        return self.date_text(d, "cn")

    # Layout 3: a provincial portal: a four-column key-value table and a lot table with a unit header.
    def _provincial(self, ntype: str, c: dict, truth: Truth) -> str:
        rng = self.rng
        heading = c["title"] + {"award": "成交结果公告", "tender": "采购公告", "correction": "变更公告", "cancellation": "终止公告"}[ntype]
        kv = [("采购人", c["buyer"], "项目编号", c["code"]), ("项目名称", c["title"], "采购方式", c["method"]),
              ("采购代理机构", c["agency"], "发布日期", self.date_text(c["published"], rng.choice(["iso", "slash", "dot"])))]
        table = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{x}</td><td>{y}</td></tr>" for a, b, x, y in kv)
        parts = [f"<table>{table}</table>"]
        if ntype == "award":
            wan = rng.random() < 0.5
            head = "成交金额（万元）" if wan else "成交金额（元）"
            rows = "".join(f"<tr><td>{w['lot'] or '1'}</td><td>{w['name']}</td><td>{self._exact_table_amount(w['amount'], wan)}</td></tr>"
                           for w in c["winners"])
            parts.append(f"<p>成交结果：</p><table><tr><td>包号</td><td>成交供应商</td><td>{head}</td></tr>{rows}</table>")
            parts.append(f"<p>主要标的信息：{c['topic']['text']}</p>" + self._items_table(c["items"]))
            parts.append("<p>磋商小组成员名单：</p><p>" + "，".join(c["experts"]) + "</p>")
        elif ntype == "tender":
            parts.append(f"<p>采购需求：{c['topic']['text']}</p><p>最高限价（元）：{c['budget']}</p>")
        elif ntype == "correction":
            parts.append(f"<p>项目概况：{c['topic']['text']}</p>")
            parts.append(f"<p>变更内容：递交响应文件截止时间变更为{self.date_text(c['published'] + timedelta(days=12), 'cn_pad')}。</p>")
        else:
            parts.append(f"<p>项目概况：{c['topic']['text']}</p><p>终止原因：采购项目预算调整。</p>")
        parts.append(f"<p>联系人：{c['contacts'][0]}  手机：{c['mobiles'][0]}  E-mail：{c['email']}</p>")
        return f"<h2>{html.escape(heading)}</h2>" + "".join(parts)

    # Layout 4: a public resource trading centre (Tendering Law vocabulary). The award is the body the
    # platform's API returns: a table of label cells without the heading, and the winner's staff.
    def _trading_centre(self, ntype: str, c: dict, truth: Truth) -> str:
        if ntype != "award" or c["lots"] > 1:  # their tenders and corrections read like the provincial layout
            return self._provincial(ntype, c, truth)
        rng = self.rng
        w = c["winners"][0]
        rows = [("招标人:", c["buyer"], "建设地点", c["county"]["name"] + rng.choice(["城关镇", "经济开发区", "人民路"])),
                ("招标机构:", c["agency"], "标段(包)编号:", c["code"]),
                ("标段(包)名称:", c["title"]), ("中标人:", w["name"]),
                ("中标范围和内容:", c["topic"]["text"], "投诉电话", self.landline(c["city"]["code"])),
                ("中标价(元):", f"{w['amount']:.2f}", "履约期限(天):", str(rng.randint(30, 730)))]
        for role in rng.sample(self.pools["staff_roles"], rng.randint(1, 5)):
            name = self.person()
            number = rng.choice([f"鄂{rng.randint(10**11, 10**12 - 1)}",
                                 f"{c['county']['code']}{rng.randint(1960, 1999)}{rng.randint(1, 12):02d}******",
                                 f"{c['county']['code']}{rng.randint(1, 9)}********{rng.randint(1000, 9999)}"])
            truth.personal += [name, number]
            rows.append((role, f"{name},{rng.choice(self.pools['certificates'])},{number}"))
        rows.append(("公告发布日期:", c["published"].isoformat()))
        cells = "".join("<tr>" + "".join(f"<td class='{'title' if i % 2 == 0 else 'contenttd'}'"
                                         + (" colspan='3'" if len(r) == 2 and i == 1 else "") + f">{html.escape(v)}</td>"
                                         for i, v in enumerate(r)) + "</tr>" for r in rows)
        return f"<div style='text-align:center'><table border='1'><tbody>{cells}</tbody></table></div>"

    # Layout 5: a tender document (招标文件) as published: a cover page with the project, its code, the
    # buyer and agency and the date in the first lines, a table of contents, then the invitation.
    def _tender_document(self, ntype: str, c: dict, truth: Truth) -> str:
        if ntype != "tender":
            return self._freetext(ntype, c, truth)
        rng = self.rng
        year = "".join("〇一二三四五六七八九"[int(x)] for x in str(c["published"].year))
        cover_date = f"{year}年{cn2an.an2cn(c['published'].month)}月{cn2an.an2cn(c['published'].day)}日"
        cover = [f"<p>{html.escape(c['title'])}</p>", "<p>招 标 文 件</p>", f"<p>项目编号：{c['code']}</p>",
                 f"<p>招标人：{c['buyer']}（盖章）</p>", f"<p>招标代理机构：{c['agency']}（盖章）</p>", f"<p>{cover_date}</p>"]
        contents = ["第一章 招标公告", "第二章 投标人须知", "第三章 评标办法", "第四章 合同条款及格式", "第五章 采购需求", "第六章 投标文件格式"]
        toc = "<p>目 录</p>" + "".join(f"<p>{x}</p>" for x in contents)
        deadline = c["published"] + timedelta(days=20)
        invitation = ["第一章 招标公告", f"{c['agency']}受{c['buyer']}委托，对{c['title']}进行{c['method']}，欢迎合格的投标人参加投标。",
                      f"1.项目编号：{c['code']}", f"2.预算金额：{self.money(c['budget'], rng.choice(['wan', 'yuan', 'rmb']))}",
                      f"3.采购需求：{c['topic']['text']}", f"4.投标截止时间：{self.date_text(deadline, 'cn_pad')}9时30分",
                      "5.中标人应按招标文件的约定签订合同。", f"6.联系人：{c['contacts'][0]}，电话：{c['mobiles'][0]}"]
        return "".join(cover) + toc + "".join(f"<p>{html.escape(x)}</p>" for x in invitation) + \
            self._items_table(c["items"], prices=False)

    # Layout 6: an aggregator site republishing a notice among member prompts, downloads and a list of
    # related notices whose titles name other buyers.
    def _aggregator(self, ntype: str, c: dict, truth: Truth) -> str:
        rng = self.rng
        prov, city, county = rng.choice(self.counties)
        related = [self.fill(rng.choice(self.pools["buyers"][rng.choice(list(self.pools["buyers"]))]), prov, city, county)
                   + rng.choice(self.pools["topics"])["name"] + rng.choice(["中标公告", "招标公告", "成交结果公告"]) for _ in range(4)]
        chrome = self.pools["aggregator_chrome"]
        top = "<div class='userbar'>" + " | ".join(chrome[:4]) + "</div>"
        side = ("<div class='related'><h4>相关推荐</h4><ul>" + "".join(f"<li><a href='/info/{rng.randint(10**5, 10**6)}.html'>{x}</a></li>"
                                                                  for x in related) + "</ul></div>")
        bottom = "<div class='tools'>" + " ".join(chrome[4:8]) + "</div><div class='copy'>" + " ".join(chrome[8:]) + "</div>"
        inner = getattr(self, "_" + rng.choice(["ccgp2020", "freetext", "provincial"]))(ntype, c, truth)
        return f"{top}<div class='main'><div class='detail'>{inner}</div>{side}</div>{bottom}"

    def _exact_table_amount(self, value: Decimal, wan: bool) -> str:
        # 万元 columns keep every digit so that the truth stays exact.
        return _yuan_text(value / 10000) if wan else f"{value:,.2f}"

    def _chrome(self, truth: Truth) -> tuple[str, str, str]:
        """A portal's page around the notice: styles, scripts, navigation, breadcrumb and footer,
        so that pages weigh what real ones do (about 10 KB) and the parser meets their noise."""
        rng = self.rng
        css = "".join(f".c{i}{{margin:{rng.randint(0, 20)}px;padding:{rng.randint(0, 9)}px;color:#{rng.randint(0, 0xFFFFFF):06x};"
                      f"font-size:{rng.randint(10, 18)}px;line-height:{rng.randint(14, 30)}px}}" for i in range(45))
        js = "".join(f"var v{i}='{rng.randint(0, 10**9):x}';function f{i}(a){{return a+v{i}.length*{i};}}"
                     for i in range(40))
        head = f"<style>{css}</style><script type='text/javascript'>{js}</script>"
        nav = ["首页", "政策法规", "采购公告", "中标公告", "更正公告", "信息公开", "办事指南", "下载中心", "联系我们", "网站地图"]
        top = ("<div class='header'><div class='logo'>政府采购信息网</div><ul class='nav'>"
               + "".join(f"<li><a href='/{i}.htm'>{n}</a></li>" for i, n in enumerate(nav))
               + "</ul></div><div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/cggg/'>采购公告</a> &gt; 正文</div>")
        bottom = (f"<div class='footer'><p>主办单位：财政厅 | 网站标识码：{rng.randint(10**9, 10**10 - 1)} | "
                  f"ICP备{rng.randint(10**7, 10**8 - 1)}号</p><p>技术支持：信息中心 | 建议使用1280×768分辨率浏览</p>"
                  + "".join(f"<a class='c{i}' href='/link/{rng.randint(0, 99999)}.htm'>友情链接{i}</a>" for i in range(12))
                  + "</div>")
        return head, top, bottom

    # --- files -----------------------------------------------------------------------------------

    def document(self, index: int) -> tuple[bytes, str, Truth]:
        rng = self.rng
        if self.queue and rng.random() < 0.7:
            body, truth = self.queue.popleft()
        else:
            body, truth = self.notice(index)
            truth.process = f"P{index:06d}"
            truth.file = f"notice-{index:06d}.html"  # before the follow-ups: a copy names the file it republishes
            self.queue.extend(self.followups(body, truth))
        truth.file = f"notice-{index:06d}.html"
        roll = rng.random()
        traditional = roll > 0.95
        if traditional:
            body = _s2hk().convert(body)
            truth.traditional = True
            encoding, declared = ("big5hkscs", "big5") if rng.random() < 0.5 else ("utf-8", "utf-8")
        elif roll < 0.65:
            encoding, declared = "utf-8", "utf-8"
        elif roll < 0.9:
            encoding, declared = "gb18030", rng.choice(["gbk", "gb2312", "GB18030"])
        else:
            encoding, declared = "gb18030", "utf-8"  # a wrong declaration, as some portals send
        head, top, bottom = self._chrome(truth)
        page = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">'
                f"<title>{html.escape(truth.title)}</title>{head}</head><body>{top}"
                f"<p class='synthetic'>{DISCLAIMER}</p><div class='article'>{body}</div>{bottom}</body></html>")
        data = page.encode(encoding, errors="xmlcharrefreplace")
        truth.encoding = f"{encoding} (declared {declared})"
        name = truth.file
        return data, name, truth


# Blocks and cells that a mirror or an aggregator flattens into one run of text: only headings stay lines.
_FLATTENED = re.compile(r"(?is)</?(?:p|div|br|li|tr|td|th|table|tbody|thead|ul|ol|dl|dt|dd|section)\b[^>]*>")


def flatten(page: bytes, truth: Truth) -> bytes:
    """The page as mirror and aggregator sites republish it: the notice's paragraphs, tables and
    signature run together in one paragraph, separated by spaces; the heading, the synthetic mark and
    the portal around the notice stay as they were. The ground truth does not change."""
    encoding = truth.encoding.split(" ")[0]
    html = page.decode(encoding)
    start = html.index("<div class='article'>") + len("<div class='article'>")
    end = html.rindex("<div class='footer'>")
    heading = re.compile(r"(?is)<h[1-6]\b.*?</h[1-6]>")
    parts, pos = [], start
    for m in heading.finditer(html, start, end):
        parts += [_FLATTENED.sub(" ", html[pos:m.start()]), m.group(0)]
        pos = m.end()
    parts.append(_FLATTENED.sub(" ", html[pos:end]))
    body = "".join(f"<p>{p}</p>" if not p.lstrip().lower().startswith("<h") else p for p in parts if p.strip())
    truth.layout += "+flattened"
    return (html[:start] + body + html[end:]).encode(encoding, errors="xmlcharrefreplace")


def write_corpus(out_dir, count: int, seed: int, flattened: bool = False) -> Path:
    """Documents (with sidecars) go to OUT/notices/, the ground truth to OUT/truth.jsonl. With
    `flattened`, every page is republished flattened (`flatten`)."""
    root = Path(out_dir)
    out = root / "notices"
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed)
    truth_path = root / "truth.jsonl"
    with open(truth_path, "w", encoding="utf-8") as truth_file:
        for i in range(count):
            data, name, truth = gen.document(i)
            if flattened:
                data = flatten(data, truth)
            (out / name).write_bytes(data)
            meta = {"url": f"{SYNTHETIC_SCHEME}sousveil-synth/seed-{seed}/{name}", "retrieved_at": "2026-01-01T00:00:00Z",
                    "synthetic": True, "generator": "sousveil synth", "seed": seed}
            (out / (name + ".meta.json")).write_text(json.dumps(meta), encoding="utf-8")
            truth_file.write(json.dumps(asdict(truth), ensure_ascii=False, default=str) + "\n")
    return truth_path
