"""One `Notice` from the stored text of one document: a pure function of the text.

The scan reads the text line by line, keeping the current section scope (which party a
generic "名称：" belongs to) and the current lot. It collects label hits (label: value,
label<TAB>value, and tables) and then assembles the notice, keeping the span of every value.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from ..data_files import load_yaml
from ..model import Fact, Item, Notice, Supplier
from ..text import fold
from . import region as regions
from .amounts import find_amount, precision, unit_from_label, yuan
from .dates import find_compact_dates, find_dates, find_months, first_date
from .institutions import find_institutions
from .labels import CHANGED_TO, HEADING_PREFIX, scope_of_heading, scope_pattern, vocabulary

HEADING_ENDINGS = ("公告", "公示", "结果", "通知", "意向")
# English headings name the notice first: "Notice of Contract Award: Supply of …" (folded: lower case).
HEADING_STARTS = ("notice of", "contract award", "award notice", "notice of award", "invitation to tender",
                  "tender notice", "request for tender", "request for proposal", "request for quotation", "corrigendum",
                  "cancellation")
from .tables import Table, read_table

DATE_FIELDS = ("published", "bid_opening", "deadline", "document_period", "notice_period", "contract_signed",
               "intention_time", "original_published")
SUMMARY_AWARD_LABELS = {"总中标金额", "中标总金额", "总成交金额", "成交总金额", "中标(成交)总金额", "中标总价", "成交总价"}
BIDDER_SUPPLIER_HEADERS = ("投标", "响应", "报价")
CORRECTED_BEFORE = ("更正前", "变更前", "修改前", "原内容", "原公告内容")
CORRECTED_AFTER = ("更正后", "变更后", "修改后", "更正内容为")
CANDIDATE_SUPPLIER_HEADERS = ("中标候选", "成交候选", "候选")  # 中标候选人名称: ranked, not yet awarded

# The words for a lot: 第1包, 包组2, 采购包3, 合同包1, 标项一, 标段2 (longer words first).
_LOT_WORDS = "包组|标段|标包|分包|采购包|合同包|标项|包"
_LOT = re.compile(
    rf"^\s*(?:第\s*(?P<a>[0-9一二三四五六七八九十]+)\s*(?:{_LOT_WORDS})"
    rf"|(?:{_LOT_WORDS})\s*(?:号)?\s*(?P<b>[0-9a-z一二三四五六七八九十]{{1,3}})(?![0-9a-z])"
    r"|(?P<c>[a-z0-9])\s*包(?!括|装|含))"
)
_NAME_END = re.compile(r"[\t,，;；。]|\s{2,}|具体由|联系(?:人|电话|方式)|地址|电话|$")
_VALUE_END = re.compile(r"[\t;；。]|\s{2,}|联系(?:人|电话|方式)|电话")
_CODE = re.compile(r"[^\s,，;；。]+")
_CODE_BRACKET = re.compile(r"\s*\([^()]*(?:编号|编码|项目号)[^()]*\)")
_BRAND_MODEL = re.compile(r"\s*[/、;；]\s*|\s+")
_CHANGED_TO = re.compile(CHANGED_TO + r"\s*:?")
_HAS_SUM = re.compile(r"\d\s*(?:万|亿)?元")

_LIST_SEP = re.compile(r"\s*[;；、/]\s*|\s+(?=\(?\d{1,2}[.、)])")
_LIST_NUMBER = re.compile(r"\(?\d{1,2}[.、)]\s*")
_LOT_CELL = re.compile(rf"^第?(?:{_LOT_WORDS})?|(?:包|标段|标项|号)$")
_REMARK = re.compile(r"\s*\(([^()]*)\)\s*")
_REMARK_AT_END = re.compile(_REMARK.pattern + "$")
# A second name the institution bears (加挂牌子): 湖北省某研究院(省某评估中心) is one name.
_ALTERNATE_NAME = re.compile(r"(?!以下|简称|原|曾用名)[^()]{2,30}(?:中心|研究院|研究所|委员会|办公室|局|院|所|站|公司)")
_LEGAL_BRACKET = re.compile(r"(?:特殊)?(?:普通|有限)合伙|联合体|牵头人|联合体牵头人")
_ADDRESS = re.compile(r"\s*(?:详细|单位)?地\s*址\s*:\s*")
# A consortium after its members: 甲公司、乙公司(联合体), 甲公司、乙公司联合体, 甲公司与乙公司组成的联合体.
_CONSORTIUM = re.compile(r"\s*(?:\((?:联合体|联合体牵头人|牵头人)[^)]*\)|(?:组成的|组成)?联合体(?:\([^)]*\))?)\s*$")
# A member's role inside a consortium: 甲公司(牵头人), 乙公司(联合体成员), 牵头人:甲公司.
_MEMBER_ROLE = re.compile(r"\s*\((?:联合体)?(?:牵头人|牵头方|牵头单位|主办方|成员|成员方|成员单位)\d*\)\s*$"
                          r"|^\s*(?:联合体)?(?:牵头人|牵头方|牵头单位|成员|成员方|成员单位)\d*\s*:\s*")
_MEMBER_SEP = re.compile(r"\s*(?:[;；、/,，]|(?<=[司院所心团厂])\s*[与和及]\s*)\s*")
_TRAILING = " \t:：,，;；。.、"
# A company's name in a sentence: the shortest run of name characters up to a company word.
_COMPANY_IN_TEXT = r"(?P<name>[^\s,，;；。:：、]{4,40}?(?:公司|集团|研究院|研究所|中心|厂|学院|大学|事务所|合作社|商行|经营部|门市部|工作室))"
_SUPPLIER_BY_VERB = re.compile(
    r"(?:确定|推荐|选定)?" + _COMPANY_IN_TEXT + r"\s*为\s*(?:本项目的?|该项目的?)?(?:第一)?(?:中标|成交|中选)(?:供应商|人|单位|候选人)?"
)
# "甲公司以100万元中标" / "由甲公司以人民币98.5万元成交": the name and the price in one clause.
_SUPPLIER_BY_PRICE = re.compile(
    r"(?:由\s*)?" + _COMPANY_IN_TEXT + r"\s*以\s*(?P<price>(?:人民币|¥|rmb)?\s*[\d,.]+\s*(?:万|亿)?元)\s*(?:的价格|的报价|的总价)?\s*(?:中标|成交|中选)"
)
ORG_SUFFIXES = ("公司", "集团", "研究院", "研究所", "中心", "厂", "学院", "大学", "事务所", "合作社", "商行", "经营部",
                "门市部", "工作室", "分公司", "有限合伙)", "联合体", "院", "所", "局", "站", "店", "部")
COMPANY_SUFFIXES = ("公司", "集团", "合作社", "厂", "商行", "经营部")
_MAX_LABEL_CELL = 30
_LOT_ANY = re.compile(
    rf"第\s*(?P<a>[0-9一二三四五六七八九十]+)\s*(?:{_LOT_WORDS})"
    rf"|(?:{_LOT_WORDS})\s*号?\s*(?P<b>[0-9a-z一二三四五六七八九十]{{1,3}})(?![0-9a-z])"
)
# "某代理公司受某某局（的）委托": the buyer in free-text notices.
_BUYER_BY_VERB = re.compile(r"受(?P<name>[^\s,，;；。:：、()（）]{4,40}?)(?:的)?委托")
# "受某市公安局委托，某招标有限公司（以下简称…）对…进行公开招标": the agency after the buyer.
_AGENCY_NAME = r"(?P<name>[^\s,，;；。:：、()（）]{4,40}?(?:公司|中心|院|所))\s*(?:\([^)]*\))?\s*"  # (以下简称…) may follow
_AGENCY_BY_VERB = re.compile(r"委托\s*[,，]\s*" + _AGENCY_NAME + r"(?:现)?(?:对|就|拟对|将对)")
# "某市公共资源交易中心受某市公安局的委托，对…": the agency before the buyer.
_AGENCY_BEFORE_VERB = re.compile(r"(?:^|(?<=[\s,，;；。:：]))(?:本项目|本次采购)?由?" + _AGENCY_NAME + r"受[^\s,，;；。:：、()（）]{4,40}?委托")
_NUMBER_BEFORE = re.compile(r"(?:[一二三四五六七八九十]+|\d{1,2})[、.]\s*$")
_VERB_BEFORE_NAME = re.compile(r"(?:经评审|经评标委员会评审|评审|最终|确定|推荐|选定|同意|由)+")
_MASKED_NAME = re.compile(r"\*{3,}|×{3,}")
_SEAL = re.compile(r"\s*\((?:盖章|公章|签章|盖公章|单位盖章|签字|签字或盖章|盖章处)\)")
_CHAPTER = re.compile(r"第[一二三四五六七八九十\d]+[章节部分篇]")
_CN_NUM = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}


def _inline_headings(cell: str, offset: int) -> list[tuple[int, str]]:
    """Section headings standing inside a line (after its start or a space): (position, scope)."""
    pattern, scope_of = scope_pattern()
    found = []
    for m in pattern.finditer(cell):
        if (m.start() == 0 or cell[m.start() - 1] in " \t、.") and cell.startswith(("信息", " ", ":"), m.end()):
            number = _NUMBER_BEFORE.search(cell, 0, m.start())  # "三、采购代理机构信息": the heading starts at 三
            found.append((offset + (number.start() if number else m.start()), scope_of[m.group(0)]))
    return found


def _after_verb(m: re.Match) -> int:
    """Where a company named in a sentence starts: after the verb before it (确定由甲公司以…中标)."""
    verb = _VERB_BEFORE_NAME.match(m.string, m.start("name"), m.end("name"))
    return verb.end() if verb else m.start("name")


@dataclass
class Hit:
    field: str
    label: str
    start: int  # value span in the text
    end: int
    lot: str | None
    scope: str | None
    method: str = "label"  # label | table | sentence (data/methods.yaml)


def _bare(cell: str) -> str:
    return cell.strip().rstrip(":").replace(" ", "")


def lot_key(raw: str) -> str:
    raw = raw.strip().upper()
    if raw and all(c in "一二三四五六七八九十" for c in raw):
        if raw == "十":
            return "10"
        if "十" in raw:
            tens, _, ones = raw.partition("十")
            return str((int(_CN_NUM.get(tens, "1")) if tens else 1) * 10 + (int(_CN_NUM[ones]) if ones else 0))
        return _CN_NUM[raw]
    return raw


@functools.lru_cache(maxsize=1)
def type_rules() -> tuple[list, dict, list, list, frozenset]:
    """notice_types.yaml with its keywords folded once: (types, url sections, methods, wording that
    names a method without stating the notice's, the words of a tender document's cover)."""
    data = load_yaml("notice_types.yaml")
    types = [(r["type"], [fold(k) for k in sorted(r["title"], key=len, reverse=True)]) for r in data["types"]]
    methods = [(m, [fold(w) for w in words]) for m, words in data["methods"].items()]
    return (types, data["url_sections"], methods, [fold(w) for w in data["method_not_stated"]],
            frozenset(fold(w) for w in data["tender_documents"]))


@dataclass(frozen=True)
class ContentRule:
    type: str
    fields: tuple  # each a set of fields, one of which a label must give
    none: frozenset
    words: tuple
    labels: re.Pattern | None  # words that must stand as a label: a cell or line of their own, or before a colon

    def holds(self, found: set, folded: str) -> str | None:
        """The signals that decide the type when every condition holds, else None."""
        if any(not (group & found) for group in self.fields) or self.none & found:
            return None
        said = ["labels of " + "/".join(sorted(group & found)) for group in self.fields]
        if self.words:
            word = next((w for w in self.words if w in folded), None)
            if word is None:
                return None
            said.append(f"the word {word}")
        if self.labels:
            m = self.labels.search(folded)
            if m is None:
                return None
            said.append(f"the label {m.group('label')}")
        return ", ".join(said)


@functools.lru_cache(maxsize=1)
def content_rules() -> list[ContentRule]:
    """How the body alone tells the type when no heading does (notice_types.yaml, `content`)."""
    rules = []
    for r in load_yaml("notice_types.yaml")["content"]:
        labels = None
        if r.get("labels"):
            words = "|".join(re.escape(fold(w)) for w in sorted(r["labels"], key=len, reverse=True))
            labels = re.compile(rf"(?:^|(?<=[\n\t]))[ ]*(?:{HEADING_PREFIX.pattern[1:]})?[ ]*(?P<label>{words})"
                                r"(?:内容|事项|信息)?[ ]*(?=[:\t\n]|$)")
        rules.append(ContentRule(r["type"], tuple(frozenset(f.split("|")) for f in r.get("fields", [])),
                                 frozenset(r.get("none", [])), tuple(fold(w) for w in r.get("words", [])), labels))
    return rules


@functools.lru_cache(maxsize=1)
def buyer_rules() -> list[tuple[str, list[str]]]:
    return [(r["type"], [fold(k) for k in r["keywords"]]) for r in load_yaml("buyer_types.yaml")["rules"]]


class Scan:
    """Walks the folded lines once and collects hits, tables and the section structure."""

    def __init__(self, text: str, folded: str):
        self.text, self.folded = text, folded
        self.voc = vocabulary()
        self.hits: list[Hit] = []
        self.tables: list[tuple[Table, str | None, str | None]] = []  # table, scope, lot
        self.label_matches = self.voc.matches(folded)
        self.match_starts = [m.start for m in self.label_matches]
        self.lines: list[tuple[int, str]] = []
        pos = 0
        for line in folded.split("\n"):
            self.lines.append((pos, line))
            pos += len(line) + 1
        self.cover = _cover_title(self.lines)

    def run(self) -> "Scan":
        scope, lot = None, None
        i = 0
        lines = self.lines
        while i < len(lines):
            start, line = lines[i]
            if "\t" in line:
                table, after = read_table(lines, i)
                if table is not None:
                    self.tables.append((table, scope, lot))
                    self._table_budgets(table, scope, lot)
                    i = after
                    continue
                after = self._corrections(i, lot, scope)
                if after > i:
                    i = after
                    continue
            numbered = HEADING_PREFIX.match(line)
            rest = line[numbered.end():] if numbered else line
            # A heading: numbered, or a short line without a value ("中标信息" and "中标信息：" alike).
            if numbered or (len(line) <= 30 and ":" not in line.rstrip()[:-1] and "\t" not in line):
                new_scope = scope_of_heading(line.split(":")[0])
                # "（一）第1包" under "五、中标信息" divides the section by lot: the scope stays.
                if new_scope or (numbered and not (_LOT.match(rest) and len(rest) <= 12)):
                    scope = new_scope
                    if numbered and not _LOT.match(rest):
                        lot = None
            m = _LOT.match(rest)
            if m:
                lot = lot_key(m.group("a") or m.group("b") or m.group("c"))
            if numbered and ":" not in line and i + 1 < len(lines):
                # "四、提交投标文件截止时间、开标时间和地点" with the date on the next line.
                field = self._heading_date_field(rest)
                if field:
                    nstart, nline = lines[i + 1]
                    self._add(field, rest, nstart, nstart + len(nline), lot, scope)
            i = self._cells(i, start, line, scope, lot)
        return self

    def _cells(self, i: int, start: int, line: str, scope: str | None, lot: str | None) -> int:
        """Label hits of one line; returns the index of the next line to read."""
        cells = line.split("\t")
        fields = [self._cell_field(c, scope) for c in cells]
        heads = [bool(f) or _bare(c) in self.voc.header_words for f, c in zip(fields, cells)]
        if len(cells) >= 2 and all(heads) and any(fields) and i + 1 < len(self.lines):
            below = self._rows_below(i + 1, len(cells), scope)
            if below:
                self._header_over_rows(cells, fields, below, lot, scope)
                return i + 1 + len(below)
        pos = start
        for j, cell in enumerate(cells):
            field = fields[j]
            bare = _bare(cell)
            if field:
                if j + 1 < len(cells):
                    if heads[j + 1]:
                        pos += len(cell) + 1
                        continue  # the next cell is another label, not this one's value
                    vstart = pos + len(cell) + 1
                    self._add(field, bare, vstart, vstart + len(cells[j + 1]), lot, scope)
                elif len(cells) == 1 and i + 1 < len(self.lines):
                    # Label alone on its line (PDF text, vertical tables): the value is the next line.
                    nstart, nline = self.lines[i + 1]
                    if nline.strip().rstrip(":") not in self.voc.cell_labels and "\t" not in nline and len(nline) < 200:
                        self._add(field, bare, nstart, nstart + len(nline), lot, scope)
                        return i + 2
            else:
                self._inline(cell, pos, scope, lot)
            pos += len(cell) + 1
        return i + 1

    def _table_budgets(self, table: Table, scope, lot) -> None:
        """A lot table's budget column (包号 | 包名称 | 预算金额(万元)): a budget per lot, its unit from the header."""
        li = table.columns.index("lot") if "lot" in table.columns else None
        for col, name in enumerate(table.columns):
            if name == "budget":
                for row in table.rows:
                    if row[col].text:
                        self._add("budget", table.headers[col], row[col].start, row[col].end, _row_lot(row, li, lot), scope,
                                  "table")

    def _corrections(self, i: int, lot, scope) -> int:
        """A correction table (更正项 | 更正前内容 | 更正后内容): each row's label takes the value after
        the correction, not the one it replaced. Returns the index after the table (i when it is none)."""
        cells = [_bare(c) for c in self.lines[i][1].split("\t")]
        after = next((j for j, c in enumerate(cells) if c.startswith(CORRECTED_AFTER)), None)
        if after is None or not any(c.startswith(CORRECTED_BEFORE) for c in cells):
            return i
        i += 1
        while i < len(self.lines) and "\t" in self.lines[i][1]:
            start, line = self.lines[i]
            row = line.split("\t")
            labelled = next(((c, f) for c in row[:after] if (f := self._cell_field(c, scope))), None)
            if labelled and after < len(row):
                pos = start + sum(len(c) + 1 for c in row[:after])
                self._add(labelled[1], _bare(labelled[0]), pos, pos + len(row[after]), lot, scope, "table")
            i += 1
        return i

    def _rows_below(self, i: int, width: int, scope: str | None) -> list[tuple[int, list[str]]]:
        """The value rows under a row of labels: no labels, at most as many cells (the empty last
        cells are dropped when the text is tidied)."""
        rows = []
        while i < len(self.lines):
            start, line = self.lines[i]
            cells = line.split("\t")
            if (len(cells) > width or (width > 2 and len(cells) < 2) or HEADING_PREFIX.match(line)
                    or any(self._cell_field(c, scope) for c in cells)):
                break
            rows.append((start, cells))
            i += 1
        return rows

    def _header_over_rows(self, cells, fields, below, lot, scope) -> None:
        """A row of labels over rows of values: 项目编号 | 项目名称 | 预算金额(万元). With several rows
        (an intention notice's projects), each row is a lot, named by its 序号 cell when it has one."""
        number = next((j for j, c in enumerate(cells) if _bare(c) == "序号"), None)
        for k, (pos, values) in enumerate(below):
            row_lot = lot
            if len(below) > 1:
                row_lot = lot_key(values[number].strip()) if number is not None and number < len(values) \
                    and values[number].strip() else str(k + 1)
            for cell, field, value in zip(cells, fields, values):
                if field:
                    self._add(field, _bare(cell), pos, pos + len(value), row_lot, scope, "table")
                pos += len(value) + 1

    def _inline(self, cell: str, offset: int, scope: str | None, lot: str | None) -> None:
        lo = bisect.bisect_left(self.match_starts, offset)
        hi = bisect.bisect_left(self.match_starts, offset + len(cell))
        by_price = "以" in cell and ("中标" in cell or "成交" in cell or "中选" in cell)
        if lo == hi and "为" not in cell and "受" not in cell and not by_price:
            return
        # Matches inside this cell whose separator also lies inside it.
        matches = [m for m in self.label_matches[lo:hi] if m.value_start <= offset + len(cell)]
        # Lots named inside the line ("包1：中标供应商：甲；包2：中标供应商：乙") override the line's lot.
        lot_matches = list(_LOT_ANY.finditer(cell)) if matches and ("包" in cell or "标段" in cell or "标项" in cell) else []
        markers = [(offset + x.start(), lot_key(x.group("a") or x.group("b"))) for x in lot_matches]
        if scope == "winner" or "中标" in cell or "成交" in cell:
            # "第一包：甲公司，中标金额：100万元；第二包：乙公司…": the lot's winner right after its marker.
            for x in lot_matches:
                v = offset + x.end()
                if self.folded.startswith(":", v):
                    end = min([m.start for m in matches if m.start > v] + [offset + len(cell)])
                    if _is_org(self.folded[v + 1:end]):
                        self._add("supplier", x.group(0), v + 1, end, lot_key(x.group("a") or x.group("b")), "winner")
        # "采购人信息　名称：甲　采购代理机构信息　名称：乙" on one line: each heading scopes the labels after it.
        headings = _inline_headings(cell, offset) if len(matches) > 1 or scope is None else []
        for k, m in enumerate(matches):
            field = self.voc.field(m.label, next((sc for pos, sc in reversed(headings) if pos < m.start), scope))
            here = [key for pos, key in markers if pos < m.start]
            lot_here = here[-1] if here else lot
            if not field:
                continue
            if m.sep not in (":", "由") and field not in ("supplier", "award", "budget", "ceiling_price"):
                continue
            end = matches[k + 1].start if k + 1 < len(matches) else offset + len(cell)
            end = min([pos for pos, _ in headings if m.value_start < pos < end] + [end])
            if m.sep != ":" and field == "supplier" and not _is_org(self.folded[m.value_start:end]):
                continue  # "成交供应商为中小企业的，…" is a condition, not a name
            next_marker = next((pos for pos, _ in markers if m.value_start < pos < end), None)
            self._add(field, m.label, m.value_start, next_marker or end, lot_here, scope)
        if "为" in cell:  # the free-text patterns are slow regexes: run them only where they can match
            for m in _SUPPLIER_BY_VERB.finditer(cell):
                self._add("supplier", "为中标", offset + _after_verb(m), offset + m.end("name"), lot, "winner", "sentence")
        if by_price:
            for m in _SUPPLIER_BY_PRICE.finditer(cell):
                self._add("supplier", "以…中标", offset + _after_verb(m), offset + m.end("name"), lot, "winner", "sentence")
                self._add("award", "以…中标", offset + m.start("price"), offset + m.end("price"), lot, "winner", "sentence")
        if "受" in cell:
            for m in _BUYER_BY_VERB.finditer(cell):
                self._add("buyer", "受委托", offset + m.start("name"), offset + m.end("name"), lot, scope, "sentence")
            for pattern in (_AGENCY_BY_VERB, _AGENCY_BEFORE_VERB):
                for m in pattern.finditer(cell):
                    self._add("agency", "受委托", offset + m.start("name"), offset + m.end("name"), lot, scope, "sentence")

    def _heading_date_field(self, rest: str) -> str | None:
        for end, label in self.voc.automaton.iter_long(rest):
            if end + 1 == len(label):  # the heading starts with the label
                field = self.voc.field_of.get(label)
                return field if field in DATE_FIELDS else None
            return None
        return None

    def _cell_field(self, cell: str, scope: str | None) -> str | None:
        """The field of a cell that is a label alone (a short cell; a unit in brackets may follow: 预算金额(万元))."""
        if len(cell) > _MAX_LABEL_CELL:
            return None
        bare = _bare(cell)
        if not bare:
            return None
        return self.voc.field(bare, scope)

    def _add(self, field: str, label: str, start: int, end: int, lot, scope, method: str = "label") -> None:
        change = _CHANGED_TO.search(self.folded, start, end)
        if change:  # "预算金额为100万元，现更正为120万元", "开标时间由…变更为…": the value after the change
            start = change.end()
        while start < end and self.folded[start] in " \t":
            start += 1
        while end > start and self.folded[end - 1] in _TRAILING:
            end -= 1
        if end > start:
            self.hits.append(Hit(field, label, start, end, lot, scope, method))
            if field == "supplier" and ("金额" in label or "价" in label):
                # "中标供应商名称、地址及中标金额：甲公司(地址)100万元": the amount follows the name.
                name_end = _name_span(self.folded, start, end)[1]
                if _HAS_SUM.search(self.folded, name_end, end):
                    self.hits.append(Hit("award", label, name_end, end, lot, scope, method))

    def first(self, field: str) -> Hit | None:
        return next((h for h in self.hits if h.field == field), None)

    def all(self, field: str) -> list[Hit]:
        return [h for h in self.hits if h.field == field]


def extract_notice(text: str, html_meta: dict | None = None, url: str | None = None, folded: str | None = None) -> Notice:
    """The facts of one notice. `text` is the stored (redacted) text; every span points into it."""
    folded = folded if folded is not None else fold(text)
    scan = Scan(text, folded).run()
    notice = Notice()
    meta = html_meta or {}

    _heading_and_type(notice, text, folded, scan, meta, url)
    _title_code_method(notice, text, folded, scan)
    _parties(notice, text, folded, scan)
    _amounts(notice, text, folded, scan)
    _items(notice, text, scan)
    _dates(notice, text, folded, scan, meta)
    _region(notice, text, folded, scan)
    _methods(notice, scan)
    return notice


_METHOD_OF_ORIGIN = {"derived": "derived", "html-meta": "metadata", "url": "url", "inferred": "inferred"}


@functools.lru_cache(maxsize=1)
def method_priors() -> dict[str, float]:
    """The confidence each method earns (data/methods.yaml)."""
    return {m: float(spec["confidence"]) for m, spec in load_yaml("methods.yaml")["methods"].items()}


def _methods(notice: Notice, scan: Scan) -> None:
    """Every fact says how it was found and with what confidence: its own method, else its origin's,
    else the method of the label hit or table cell its span lies in, else its position in the text."""
    priors = method_priors()
    cells = [(c.start, c.end) for table, _, _ in scan.tables for row in table.rows for c in row if c.text]
    for f in notice.facts:
        if f.method is None:
            f.method = _METHOD_OF_ORIGIN.get(f.origin)
        if f.method is None and f.start is not None:
            hit = next((h for h in scan.hits if h.start <= f.start and f.end <= h.end), None)
            if hit is not None:
                f.method = hit.method
            elif any(s <= f.start and f.end <= e for s, e in cells):
                f.method = "table"
        f.method = f.method or "position"
        f.confidence = priors[f.method]


# --- assembly -------------------------------------------------------------------------------------

def _span_fact(notice: Notice, field: str, text: str, start: int, end: int, value: str | None = None, **kw) -> Fact:
    fact = Fact(field, value if value is not None else text[start:end], start, end, **kw)
    notice.facts.append(fact)
    return fact


def _name_span(folded: str, start: int, end: int) -> tuple[int, int]:
    """Cut an organisation name at the first separator (a clause, a contact, an address)."""
    m = _NAME_END.search(folded, start, end)
    if m and m.start() > start:
        end = m.start()
    while end > start and folded[end - 1] in _TRAILING:
        end -= 1
    # A bracket after the name is a remark, not the name: (盖章), (小微企业), (统一社会信用代码:…),
    # (以下简称…), (某市某路1号)100万元. A legal form in brackets stays: …投资中心(有限合伙). Text after
    # the bracket that names another company is left to the split of joint winners (甲公司(小微企业)、乙公司).
    seal = _SEAL.search(folded, start, end)
    if seal and seal.start() > start:  # 某县第一中学（盖章）: a seal's place, whatever the name ends in
        end = seal.start()
    for m in _REMARK.finditer(folded, start, end):
        if folded[start:m.start()].endswith(ORG_SUFFIXES) and not _LEGAL_BRACKET.fullmatch(m.group(1)) \
                and not _is_org(folded[m.end():end]) and not _ALTERNATE_NAME.fullmatch(m.group(1)):
            end = m.start()
            break
    # A bracket the value opens and never closes: "甲公司(" before a contact label that cut it.
    cut = _unbalanced_cut(folded[start:end])
    return start, start + len(cut.rstrip(_TRAILING))


def _heading_and_type(notice: Notice, text: str, folded: str, scan: Scan, meta: dict, url: str | None) -> None:
    types, url_sections, _, _, _ = type_rules()
    candidates = [fold(meta[k]).strip() for k in ("ArticleTitle", "title") if meta.get(k)]
    heading_line = None
    for cand in candidates:
        if not _looks_like_heading(cand):
            continue
        for start, line in scan.lines[:80]:
            if line.strip() == cand:
                heading_line = (start, line)
                break
        if heading_line:
            break
    if heading_line is None:
        for start, line in scan.lines[:60]:
            if _looks_like_heading(line):
                heading_line = (start, line)
                break
    if heading_line:
        start, line = heading_line
        notice.heading = text[start:start + len(line)].strip()
        _span_fact(notice, "heading", text, start, start + len(line), method="heading")
    probe = fold(notice.heading or "")
    for ntype, keywords in types:
        hit = next((k for k in keywords if k in probe), None)
        if hit:
            notice.type = ntype
            s = heading_line[0] + probe.index(hit)
            _span_fact(notice, "type", text, s, s + len(hit), value=ntype, method="heading")
            return
    if url:
        m = re.search(r"/cggg/(?:dfgg|zygg)/([a-z]+)/", url)
        if m and m.group(1) in url_sections:
            notice.type = url_sections[m.group(1)]
            notice.facts.append(Fact("type", notice.type, origin="url", note=f"portal section {m.group(1)}"))
            return
    # The body: the labels it carries (中标人 and 中标价: an award), or a correction's own words.
    found = {h.field for h in scan.hits if h.scope not in ("bidders", "candidates")} | \
        {"candidate" for h in scan.hits if h.field == "candidate" or h.scope == "candidates"}
    for rule in content_rules():
        signals = rule.holds(found, folded)
        if signals:
            notice.type = rule.type
            notice.facts.append(Fact("type", rule.type, origin="inferred", note=f"no heading names the type: {signals}",
                                     method="inferred"))
            return
    # Last resort: a type keyword on a short line near the top, where a heading would stand: never
    # a word inside a sentence or a footer ("如有更正…").
    best = None
    for start, line in scan.lines[:40]:
        if len(line.strip()) > 40 or "\t" in line:
            continue
        for ntype, keywords in types:
            for k in keywords:
                i = line.find(k)
                if i >= 0 and (best is None or start + i < best[0]):
                    best = (start + i, len(k), ntype)
        if best:
            break
    if best:
        notice.type = best[2]
        _span_fact(notice, "type", text, best[0], best[0] + best[1], value=best[2], method="keyword",
                   note="keyword on a short line, not in a title")


def _cover_title(lines: list[tuple[int, str]]) -> tuple[int, int] | None:
    """A tender document's cover page (项目名称 / 招 标 文 件 / 项目编号 / 招标人 / date in its first lines):
    the span of the project's name, the line above the document's kind."""
    kinds = type_rules()[4]
    previous = None
    for start, line in lines[:12]:
        bare = line.replace(" ", "").strip()
        if bare in kinds:
            return previous
        if bare and ":" not in bare and "\t" not in line and 4 <= len(bare) <= 80:
            previous = (start + len(line) - len(line.lstrip()), start + len(line.rstrip()))
    return None


def _unbalanced_cut(code: str) -> str:
    """Cut at a closing bracket that nothing in the code opened: "X）进行…" in "（项目编号：X）进行…", and
    at an opening bracket that the code does not close: "X（" before "招标文件编号：…" in "X（招标文件编号：Y）"."""
    opened = []
    for i, ch in enumerate(code):
        if ch in "(（[【〔":
            opened.append(i)
        elif ch in ")）]】〕":
            if not opened:
                return code[:i]
            opened.pop()
    return code[:opened[0]] if opened else code


def _looks_like_heading(line: str) -> bool:
    """A notice heading: short, not a sentence, not a breadcrumb, ending in a notice word."""
    line = line.strip()
    if len(line) < 8 or len(line) > 100 or "\t" in line or "»" in line or ">" in line or line.endswith(("。", ".")):
        return False
    if _CHAPTER.match(line):  # "第一章 招标公告" inside a tender document is a chapter, not the document's heading
        return False
    bare = re.sub(r"[(（][^)）]*[)）]$", "", line)
    return bare.endswith(HEADING_ENDINGS) or bare.lower().startswith(HEADING_STARTS)


def _title_from_heading(heading: str) -> tuple[int, int]:
    """Where the project name is inside a heading: without its notice-type ending, the method before
    it (…项目公开招标公告), a bracketed code (（项目编号：X）) and the wrapper 关于…的."""
    folded = fold(heading)
    m = re.match(r"(?:%s)[^:]{0,30}:\s*(?=\S)" % "|".join(HEADING_STARTS), folded)
    if m:  # "Notice of Contract Award: Supply of …"
        return m.end(), len(heading)
    start, end = 0, len(heading)
    tail = len(_REMARK_AT_END.sub("", folded))  # "（第二次）", "（一）" after the type
    for _, keywords in type_rules()[0]:
        i = next((j for j, k in ((folded.rfind(k), k) for k in keywords) if j > 0 and j + len(k) >= tail - 6), None)
        if i is not None:
            end = i
            break
    code = _CODE_BRACKET.search(folded, 0, end)
    if code and code.start() > 0:
        end = code.start()
    # A method before the type, or running into it: "…项目公开招标公告" (招标公告 is the type's keyword).
    methods = [w for _, words in type_rules()[2] for w in words]
    while True:
        end = len(folded[:end].rstrip(" -—_:的"))
        cut = next((end - k for w in methods for k in range(1, len(w) + 1)
                    if end - k > 2 and folded.startswith(w, end - k)), None)
        if cut is None:
            break
        end = cut
    if folded.startswith("关于") and end > 4:
        start = 2
    return start, end


def _title_code_method(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    # The project's name before a contract's or a lot's (合同名称, 包组名称), which a notice may give first.
    titles = scan.all("title")
    hit = next((h for h in titles if "项目" in h.label), titles[0] if titles else None)
    if hit:
        s, e = hit.start, hit.end
        cut = re.search(r"\t|\s{2,}|[;；]", folded[s:e])
        if cut:
            e = s + cut.start()
        notice.title = text[s:e].strip()
        _span_fact(notice, "title", text, s, e, value=notice.title)
    elif notice.heading:
        s, e = _title_from_heading(notice.heading)
        notice.title = notice.heading[s:e]
        heading = next(f for f in notice.facts if f.field == "heading")
        _span_fact(notice, "title", text, heading.start + s, heading.start + e, note="from the heading", method="heading")
    elif scan.cover is not None:
        s, e = scan.cover
        notice.title = text[s:e].strip()
        _span_fact(notice, "title", text, s, e, value=notice.title, origin="inferred", method="cover",
                   note="the line above 招标文件 on a tender document's cover page")
    hit = scan.first("project_code")
    if hit:
        m = _CODE.search(folded, hit.start, hit.end)
        if m:
            code = _unbalanced_cut(folded[m.start():m.end()])
            notice.project_code = text[m.start():m.start() + len(code)].strip(_TRAILING)
            _span_fact(notice, "project_code", text, m.start(), m.start() + len(notice.project_code))
    _, _, methods, not_stated, _ = type_rules()
    hit = scan.first("method")
    regions_to_probe = []
    if hit:
        regions_to_probe.append((hit.start, hit.end))
    heading = next((f for f in notice.facts if f.field == "heading"), None)
    if heading:
        regions_to_probe.append((heading.start, heading.end))
    regions_to_probe.append((0, min(len(folded), 4000)))
    probe = folded  # blanked where template wording names a method that is not this notice's
    for phrase in not_stated:
        if phrase in probe:
            probe = probe.replace(phrase, " " * len(phrase))
    for s, e in regions_to_probe:
        found = []
        for method, words in methods:
            for w in words:
                i = probe.find(w, s, e)
                if i >= 0:
                    found.append((i, -len(w), method, w))
        if found:
            i, _, method, w = min(found)
            notice.method = method
            _span_fact(notice, "method", text, i, i + len(w), value=method)
            return


def _parties(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    for field in ("buyer", "agency"):
        for hit in scan.all(field):
            s, e = _name_span(folded, hit.start, hit.end)
            if e > s and not _MASKED_NAME.search(folded, s, e):  # 采购人：******** (an aggregator's paywall)
                setattr(notice, field, text[s:e])
                _span_fact(notice, field, text, s, e)
                break
    if notice.buyer is None and notice.type == "intention":
        _buyer_from_signature(notice, text, scan)
    if notice.buyer is None:
        _buyer_recognized(notice, text, folded, scan)
    if notice.buyer:
        notice.buyer_type = buyer_type(notice.buyer)
        buyer = next(f for f in notice.facts if f.field == "buyer")
        notice.facts.append(Fact("buyer_type", notice.buyer_type, buyer.start, buyer.end, origin="derived",
                                 note="from the buyer's name (data/buyer_types.yaml)"))
    elif notice.heading:  # a correction or cancellation often names its buyer only in the heading
        heading = next(f for f in notice.facts if f.field == "heading")
        kind = buyer_type(notice.heading)
        if kind != "other":
            notice.buyer_type = kind
            notice.facts.append(Fact("buyer_type", kind, heading.start, heading.end, origin="derived",
                                     note="from the heading: the notice names no buyer (data/buyer_types.yaml)"))

    seen = set()
    for hit in scan.all("supplier"):
        if hit.scope in ("bidders", "candidates"):
            continue
        spans, joint = _company_spans(folded, hit.start, hit.end)
        for s, e in spans:
            if _MASKED_NAME.search(folded, s, e):
                continue  # 中标供应商：**********有限公司 (an aggregator's paywall)
            key = (folded[s:e], hit.lot)
            if key in seen:
                continue
            seen.add(key)
            notice.suppliers.append(Supplier(text[s:e], "winner", hit.lot, start=s, end=e, joint=joint))
    for hit in scan.all("candidate"):  # 第一中标候选人: ranked, not yet awarded
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            notice.suppliers.append(Supplier(text[s:e], "candidate", hit.lot, start=s, end=e))
    for hit in scan.all("bidder"):  # 未中标供应商名称: named, but did not win
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            notice.suppliers.append(Supplier(text[s:e], "bidder", hit.lot, start=s, end=e))
    for hit in scan.all("proposed_supplier"):
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            proposed = Supplier(text[s:e], "proposed", hit.lot, start=s, end=e)
            price = next((h for h in scan.all("proposed_price") if h.lot == hit.lot), None)
            if price:
                amount, span = find_amount(folded[price.start:price.end], unit_from_label(price.label))
                if amount.value is not None:
                    proposed.amount = amount.value
                    proposed.amount_start, proposed.amount_end = price.start + span[0], price.start + span[1]
            notice.suppliers.append(proposed)
    labelled = any(s.role == "winner" for s in notice.suppliers)
    for table, scope, lot in scan.tables:
        if "supplier" not in table.columns:
            continue
        si = table.columns.index("supplier")
        header = table.headers[si]
        if scope == "candidates" or header.startswith(CANDIDATE_SUPPLIER_HEADERS):
            role = "candidate"
        elif scope == "bidders" or (header.startswith(BIDDER_SUPPLIER_HEADERS) and (scope != "winner" or labelled)):
            # 投标人 | 投标报价 | 得分 | 排名 under 评审结果 ranks the bids when a label names the winner
            role = "bidder"
        else:
            role = "winner"
        ai = table.columns.index("amount") if "amount" in table.columns else None
        li = table.columns.index("lot") if "lot" in table.columns else None
        unit = unit_from_label(table.headers[ai]) if ai is not None else None
        for row in table.rows:
            cell = row[si]
            if not cell.text or _MASKED_NAME.search(cell.text):
                continue
            row_lot = _row_lot(row, li, lot)
            members, joint = _company_spans(folded, cell.start, cell.end)
            if len(members) < 2:
                members, joint = [(cell.start, cell.end)], False
            # 甲公司、乙公司 | 1,268.40 | 联合体: several companies in one cell won together
            joint = joint or (len(members) > 1 and any(c.text.strip() == "联合体" for c in row))
            for k, (s, e) in enumerate(members):
                sup = Supplier(text[s:e], role, row_lot, start=s, end=e, joint=joint)
                if k == 0 and ai is not None and row[ai].text:  # one price for the members of one row
                    amount, span = find_amount(row[ai].text, unit)
                    if amount.value is not None:
                        sup.amount = amount.value
                        sup.amount_start, sup.amount_end = row[ai].start + span[0], row[ai].start + span[1]
                if role == "winner":
                    key = (folded[s:e], row_lot)
                    if key in seen:  # the same winner in a second table (an item table naming suppliers)
                        _merge_amount(notice, sup)
                        continue
                    seen.add(key)
                notice.suppliers.append(sup)
    for sup in notice.suppliers:
        field = {"winner": "supplier", "bidder": "bidder", "candidate": "candidate", "proposed": "proposed_supplier"}[sup.role]
        notice.facts.append(Fact(field, sup.name, sup.start, sup.end, lot=sup.lot,
                                 note="member of a consortium (联合体) that won together" if sup.joint else None))
        if sup.role == "proposed" and sup.amount is not None:
            notice.facts.append(Fact("proposed_price", yuan(sup.amount), sup.amount_start, sup.amount_end, lot=sup.lot,
                                     note=f"price proposed to {sup.name}, not an award"))


def _merge_amount(notice: Notice, sup: Supplier) -> None:
    for s in notice.suppliers:
        if s.role == "winner" and s.name == sup.name and s.lot == sup.lot and s.amount is None:
            s.amount, s.amount_start, s.amount_end = sup.amount, sup.amount_start, sup.amount_end


def _is_org(value: str) -> bool:
    m = _NAME_END.search(value)
    name = value[: m.start()] if m else value
    return name.rstrip(_TRAILING).endswith(ORG_SUFFIXES)


def _buyer_recognized(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    """No label names the buyer: the first institution (extract/institutions.py) in the heading or the
    title, else on the cover page or in the opening lines, else in the signature. A weaker method
    than a label: the fact says how it was found."""
    heading = next((f for f in notice.facts if f.field in ("heading", "title") and f.start is not None), None)
    places = []
    if heading:
        places.append((heading.start, heading.end, "the heading or title"))
    opening = scan.lines[:8]
    if opening:
        places.append((opening[0][0], opening[-1][0] + len(opening[-1][1]), "the opening lines"))
    closing = scan.lines[-4:]
    if closing:
        places.append((closing[0][0], len(folded), "the signature"))
    agency = fold(notice.agency) if notice.agency else None
    venues = _not_buyers()
    found = [(inst, where) for start, end, where in places for inst in find_institutions(folded[start:end], start)
             if inst.name != agency and not any(v in inst.name for v in venues)]
    if not found:
        return
    inst, where = found[0]
    # The same institution written in full elsewhere (城关区分局 in the heading, 拉萨市公安局城关区分局 signing).
    inst, where = next(((x, w) for x, w in found[1:] if len(x.name) > len(inst.name) and x.name.endswith(inst.name)),
                       (inst, where))
    notice.buyer = text[inst.start:inst.end]
    _span_fact(notice, "buyer", text, inst.start, inst.end, origin="inferred", method="recognizer",
               note=f"no label names the buyer: the first institution in {where}")


@functools.lru_cache(maxsize=1)
def _not_buyers() -> tuple[str, ...]:
    """Trading and procurement centres: named in a sentence, they host the procurement (institutions.yaml)."""
    return tuple(fold(w) for w in load_yaml("institutions.yaml")["not_buyers"])


def _buyer_from_signature(notice: Notice, text: str, scan: Scan) -> None:
    """The buyer publishes its own intention notices and signs them: the organization's name on one
    of the last lines, above or beside the date."""
    for start, line in reversed(scan.lines[-4:]):
        name = line.strip()
        if 4 <= len(name) <= 40 and "\t" not in name and _is_org(name) and not find_dates(name):
            s = start + line.index(name)
            notice.buyer = text[s:s + len(name)]
            _span_fact(notice, "buyer", text, s, s + len(name), note="the signature of an intention notice")
            return


def _row_lot(row, lot_column: int | None, lot: str | None) -> str | None:
    """The lot a table row belongs to: its lot cell (第1包, 包2, 1), else the section's lot."""
    if lot_column is None or not row[lot_column].text:
        return lot
    return lot_key(_LOT_CELL.sub("", row[lot_column].text))


def _listed_companies(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """Two or more companies listed in one value: 甲公司；乙公司, 1.甲公司 2.乙公司, 甲公司、乙公司."""
    cuts = list(_LIST_SEP.finditer(folded, start, end))
    if not cuts and not _LIST_NUMBER.match(folded, start, end):
        return []
    spans = []
    for a, b in zip([start] + [c.end() for c in cuts], [c.start() for c in cuts] + [end]):
        number = _LIST_NUMBER.match(folded, a, b)
        s, e = _name_span(folded, number.end() if number else a, b)
        if e <= s:
            continue
        if not folded[s:e].endswith(ORG_SUFFIXES):
            return []
        spans.append((s, e))
    return spans if len(spans) >= 2 else []


def _company_spans(folded: str, start: int, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The companies a value names, and whether they won together (甲公司、乙公司(联合体))."""
    value_end = _value_end(folded, start, end)
    consortium = _CONSORTIUM.search(folded, start, value_end)
    if consortium:  # the members before the word won together
        members = _consortium_members(folded, start, consortium.start())
        if members:
            return members, True
    listed = _listed_companies(folded, start, end)
    if listed:
        return listed, False
    s, e = _name_span(folded, start, end)
    return ([(s, e)] if e - s >= 2 else []), False


def _value_end(folded: str, start: int, end: int) -> int:
    """The end of a value that may list several names: before a tab, a sentence's end or a contact."""
    m = _VALUE_END.search(folded, start, end)
    e = m.start() if m else end
    while e > start and folded[e - 1] in _TRAILING:
        e -= 1
    return e


def _consortium_members(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """The members of a consortium one by one, without their roles (牵头人, 成员) or 联合体."""
    spans = []
    for a, b in zip([start] + [c.end() for c in _MEMBER_SEP.finditer(folded, start, end)],
                    [c.start() for c in _MEMBER_SEP.finditer(folded, start, end)] + [end]):
        part = folded[a:b]
        role = _MEMBER_ROLE.search(part)
        while role:
            a, b = (a + role.end(), b) if role.start() == 0 else (a, a + role.start())
            part = folded[a:b]
            role = _MEMBER_ROLE.search(part)
        s, e = _name_span(folded, a, b)
        if e <= s:
            continue
        if not folded[s:e].endswith(ORG_SUFFIXES):
            return []
        spans.append((s, e))
    return spans if len(spans) >= 2 else []


def _amounts(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    winners = notice.winners()
    summary = []
    statuses = []
    for hit in scan.all("award"):
        value_text = folded[hit.start:hit.end]
        amount, span = find_amount(value_text, unit_from_label(hit.label))
        if amount.value is None:
            statuses.append(amount.status)
            notice.facts.append(Fact("award", None, hit.start, hit.end, lot=hit.lot, note=f"{amount.status}: {amount.note}"))
            continue
        s, e = hit.start + span[0], hit.start + span[1]
        if hit.label in SUMMARY_AWARD_LABELS:
            summary.append((amount, s, e))
            continue
        # Pair the amount with the last winner before it (same lot) that has none yet.
        target = None
        for sup in winners:
            if sup.amount is None and sup.start is not None and sup.start < s and (hit.lot is None or sup.lot in (None, hit.lot)):
                target = sup
        if target is not None and target.joint:
            target = None  # a consortium's amount is not one member's: it is the total
        if target is not None:
            target.amount, target.amount_start, target.amount_end = amount.value, s, e
        else:
            summary.append((amount, s, e))
    for sup in winners:
        if sup.amount is not None:
            _span_fact(notice, "award", text, sup.amount_start, sup.amount_end, value=yuan(sup.amount), lot=sup.lot,
                       note=f"awarded to {sup.name}")
    body = [w.amount for w in winners if w.amount is not None]
    # A consortium's members share one price, given once: they count as one winner here.
    priced = [w for w in winners if w.amount is not None or not w.joint]
    body_total = sum(body, Decimal(0)) if body and len(body) == len(priced) else None
    chosen = body_total
    for amount, s, e in summary:
        if body_total is None:
            if chosen is None:
                chosen = amount.value
                _span_fact(notice, "award_total", text, s, e, value=yuan(amount.value), note=amount.note)
            continue
        if amount.value == body_total:
            _span_fact(notice, "award_total", text, s, e, value=yuan(amount.value), note="summary agrees with the body")
        elif precision(amount.value) < precision(body_total):
            chosen = amount.value
            _span_fact(notice, "award_total", text, s, e, value=yuan(amount.value),
                       note=f"summary is more precise than the body's {yuan(body_total)}; kept")
        else:
            _span_fact(notice, "award_total", text, s, e, value=yuan(amount.value),
                       note=f"summary figure, less precise than the body's {yuan(body_total)}; not used")
    if body_total is not None and chosen == body_total:
        only = [w for w in winners if w.amount is not None] if len(body) == 1 else []
        notice.facts.append(Fact("award_total", yuan(body_total), only[0].amount_start if only else None,
                                 only[0].amount_end if only else None, origin="derived",
                                 note=f"sum of {len(body)} winning amount(s) in the body"))
    foreign = next((st for st in statuses if st.startswith("currency:")), None)
    if foreign and chosen is not None:
        # 決標金額：新臺幣 32,500,000元 and 總決標金額：32,500,000元: a notice's sums share the currency
        # one of them states; none of them is yuan.
        notice.facts.append(Fact("award_total", None, origin="derived",
                                 note=f"{foreign}: another award value of the notice states this currency; not read as CNY"))
        for w in winners:
            w.amount = None
        notice.facts = [f for f in notice.facts if not (f.field in ("award", "award_total") and f.value is not None)]
        chosen = None
    notice.award_total = chosen
    if chosen is None and statuses:
        notice.amount_status = statuses[0]
    elif chosen is None and notice.type == "award" and winners:
        notice.amount_status = "absent"

    found: dict[str, list] = {"budget": [], "ceiling_price": []}
    for field, hits in found.items():
        for hit in scan.all(field):
            amount, span = find_amount(folded[hit.start:hit.end], unit_from_label(hit.label))
            if amount.value is None:
                notice.facts.append(Fact(field, None, hit.start, hit.end, lot=hit.lot, note=f"{amount.status}: {amount.note}"))
                continue
            s, e = hit.start + span[0], hit.start + span[1]
            hits.append((hit, amount, s, e))
            _span_fact(notice, field, text, s, e, value=yuan(amount.value), lot=hit.lot, note=amount.note)
    budgets = found["budget"]
    if not budgets and found["ceiling_price"]:  # 最高限价 alone: the most the buyer will pay
        budgets = found["ceiling_price"]
        for hit, amount, s, e in budgets:
            notice.facts.append(Fact("budget", yuan(amount.value), s, e, lot=hit.lot, origin="derived",
                                     note="no budget given: the ceiling price (最高限价)"))
    if budgets:
        lots = {}
        for hit, amount, _, _ in budgets:
            lots.setdefault(hit.lot, amount.value)
        if None in lots or len(lots) == 1:
            notice.budget = lots.get(None, next(iter(lots.values())))
        else:
            notice.budget = sum(lots.values(), Decimal(0))
            notice.facts.append(Fact("budget_total", yuan(notice.budget), origin="derived",
                                     note=f"sum of {len(lots)} lot budgets"))


def _items(notice: Notice, text: str, scan: Scan) -> None:
    for table, _scope, lot in scan.tables:
        cols = table.columns
        if "item_name" not in cols or not ({"brand", "model", "brand_model", "quantity", "unit_price"} & set(cols)):
            continue
        idx = {c: cols.index(c) for c in set(cols) if c}
        price_unit = unit_from_label(table.headers[idx["unit_price"]]) if "unit_price" in idx else None
        for row in table.rows:
            name = row[idx["item_name"]]
            if not name.text:
                continue

            item = Item(name=text[name.start:name.end], brand=_cell_text(text, row, idx, "brand"),
                        model=_cell_text(text, row, idx, "model"), unit=_cell_text(text, row, idx, "unit"),
                        start=row[0].start, end=row[-1].end)
            both = _cell_text(text, row, idx, "brand_model")
            if both and not (item.brand or item.model):
                parts = _BRAND_MODEL.split(both, 1)
                item.brand = parts[0] or None
                item.model = (parts[1].strip() or None) if len(parts) > 1 else None
            if "lot" in idx and row[idx["lot"]].text:
                item.lot = lot_key(row[idx["lot"]].text)
            else:
                item.lot = lot
            if "quantity" in idx:
                m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(\D{0,4})", row[idx["quantity"]].text)
                if m:
                    item.quantity = Decimal(m.group(1))
                    item.unit = item.unit or (m.group(2).strip(" ()") or None)  # 3(台)
            if "unit_price" in idx and row[idx["unit_price"]].text:
                amount = find_amount(row[idx["unit_price"]].text, price_unit or "元", per_unit=True)[0]
                item.unit_price = amount.value
            notice.items.append(item)


def _cell_text(text: str, row, idx: dict, col: str) -> str | None:
    if col not in idx:
        return None
    cell = row[idx[col]]
    return text[cell.start:cell.end].strip() or None


def _dates(notice: Notice, text: str, folded: str, scan: Scan, meta: dict) -> None:
    labelled = set()
    for field in DATE_FIELDS:
        for hit in scan.all(field):
            found = find_dates(folded[hit.start:hit.end], hit.start)
            if not found and field == "intention_time":  # 预计采购时间: often a month (2023年5月)
                found = find_months(folded[hit.start:hit.end], hit.start)
            if not found:  # 发布日期：20250603
                found = find_compact_dates(folded[hit.start:hit.end], hit.start)
            for d in found[:2]:
                _span_fact(notice, field, text, d.start, d.end, value=d.iso, note=None if field != "published" else hit.label,
                           lot=hit.lot)
                labelled.add(d.start)
            if field == "published" and found and notice.published is None:
                notice.published = found[0].iso
    if notice.published is None and meta.get("PubDate"):
        d = first_date(fold(meta["PubDate"]))
        if d:
            notice.published = d.iso
            notice.facts.append(Fact("published", d.iso, origin="html-meta", note="<meta name=PubDate>"))
    if notice.published is None:
        # The date line under the heading, else the signature date at the end of the notice.
        heading = next((f for f in notice.facts if f.field == "heading"), None)
        d, note = None, None
        if heading:
            following = [(s, line) for s, line in scan.lines if s > heading.start][:2]
            for s, line in following:
                if len(line) <= 60 and ":" not in line.split(" ")[0] \
                        and not any(w in line for w in scan.voc.not_publication):
                    d = first_date(line, s)
                    if d:
                        note = "date under the heading"
                        break
        method = "position"
        if d is None and scan.cover is not None:
            # A tender document's cover: its date on a short line of its own, among the first lines.
            for s, line in scan.lines[:14]:
                if s > scan.cover[0] and len(line.strip()) <= 20 and ":" not in line:
                    d = first_date(line, s)
                    if d:
                        note, method = "the date on a tender document's cover page", "cover"
                        break
        if d is None:
            # A signature's date stands on a short line of its own; a deadline ("于2023年5月10日前提交…")
            # or a labelled date of another kind (开标时间：…) near the end is not the publication's.
            tail = [x for x in find_dates(folded[-400:], max(0, len(folded) - 400))
                    if x.start not in labelled and _signature_date_line(folded, x, scan.voc.not_publication)]
            d = tail[-1] if tail else None
            note = "date at the end of the notice"
        if d is None:
            signed = next((f for f in notice.facts if f.field == "contract_signed" and f.start is not None), None)
            if signed:  # a year for the sums; never a deadline's or an opening's date
                notice.published = signed.value
                notice.facts.append(Fact("published", signed.value, signed.start, signed.end, origin="derived",
                                         note="no publication date given: the date of the award or contract"))
        if d:
            notice.published = d.iso
            _span_fact(notice, "published", text, d.start, d.end, value=d.iso, note=note, method=method)
    for d in find_dates(folded)[:30]:
        if d.start not in labelled:
            _span_fact(notice, "date", text, d.start, d.end, value=d.iso)


def _signature_date_line(folded: str, d, not_publication: tuple) -> bool:
    line_start = folded.rfind("\n", 0, d.start) + 1
    line_end = folded.find("\n", d.end)
    line = folded[line_start:line_end if line_end >= 0 else len(folded)]
    return len(line) <= 40 and not any(w in line for w in not_publication)


def _region(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    gaz = regions.gazetteer()
    sources = []
    for priority, field in enumerate(("region", "buyer", "buyer_address", "title", "heading")):
        hit = scan.first(field) if field in ("region", "buyer_address") else None
        fact = next((f for f in notice.facts if f.field == field and f.start is not None), None)
        if hit:
            sources.append((hit.start, hit.end, priority))
        elif fact:
            sources.append((fact.start, fact.end, priority))
    address = _address_after_buyer(notice, folded) if not scan.first("buyer_address") else None
    if address:
        sources.append((*address, 2))
    mentions = []
    for s, e, p in sources:
        mentions += gaz.mentions(folded[s:e], s, p)
    buyer = next((f for f in notice.facts if f.field == "buyer" and f.start is not None), None)
    of_buyer = gaz.mentions(folded[buyer.start:buyer.end], buyer.start, 1) if buyer else []
    delivery = scan.first("delivery_place")
    refined = False
    if not mentions:  # only when nothing above names a place: where the goods go, else the agency's address
        for priority, field in ((8, "delivery_place"), (9, "agency_address")):
            hit = scan.first(field)
            if hit and not mentions:
                mentions += gaz.mentions(folded[hit.start:hit.end], hit.start, priority)
    elif delivery:
        # The place of the works names the city or county that the buyer's name leaves open: a company
        # named after its province (湖北某公司, 建设地点：远安县鸣凤镇…), whose province is a trade name,
        # or a buyer whose name names no place (兴山上源水务有限公司, the title naming only 宜昌). It
        # refines the region, never moves it elsewhere. An authority's place is its jurisdiction:
        # 省公安厅 buys for the province and a city's buyer for the city (市本级), wherever the works are.
        company = fold(notice.buyer or "").rstrip(_TRAILING).endswith(COMPANY_SUFFIXES)
        if company or not of_buyer:
            inside = regions.within(gaz.mentions(folded[delivery.start:delivery.end], delivery.start, 8),
                                    regions.resolve(mentions, gaz)[0], gaz, below_city=not of_buyer)
            mentions += inside
            refined = bool(inside)
    region, evidence = regions.resolve(mentions, gaz)
    # Never a province that the buyer's own name denies (an agency's address, a stray place name elsewhere).
    provinces = {gaz.province_of(m.place).code for m in of_buyer if gaz.province_of(m.place)}
    if len(provinces) == 1 and region.province_code not in provinces:
        denied = region.province
        region, evidence = regions.resolve([m for m in mentions if gaz.province_of(m.place) and
                                            gaz.province_of(m.place).code in provinces], gaz)
        notice.facts.append(Fact("region_conflict", denied, buyer.start, buyer.end, origin="derived", method="derived",
                                 note=f"{denied} is named elsewhere, but the buyer's name places it in "
                                      f"{region.province}: not asserted"))
    notice.region = region
    for level, m in evidence.items():
        notes = [f"a code no longer in force, from {m.place.historic}" if m.place.historic else None,
                 "from the place of delivery or works, inside the region the buyer's name or the title gives"
                 if refined and m.priority == 8 else None]
        _span_fact(notice, level, text, m.start, m.end, value=f"{m.place.name} {m.place.code}",
                   note="; ".join(filter(None, notes)) or None, method="gazetteer")


def _address_after_buyer(notice: Notice, folded: str) -> tuple[int, int] | None:
    """An unlabelled "地址：" on the line after the buyer's ("采购人：市公安局" then "地址：浙江省宁波市…")."""
    buyer = next((f for f in notice.facts if f.field == "buyer" and f.end is not None), None)
    if buyer is None:
        return None
    start = folded.find("\n", buyer.end) + 1
    if start == 0:
        return None
    end = folded.find("\n", start)
    end = len(folded) if end < 0 else end
    m = _ADDRESS.match(folded, start, end)
    return (m.end(), end) if m else None


def buyer_type(name: str) -> str:
    folded = fold(name)
    for btype, keywords in buyer_rules():
        if any(k in folded for k in keywords):
            return btype
    return "other"
