"""The scan of a notice's text: sections and their scope (which party a generic 名称 belongs to), lots, and
the values of labels in lines, cells, tables and sentences, each kept with its span and method."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .dates import DATE_FIELDS, first_date
from .heading import cover_title
from .labels import CHANGED_TO, HEADING_PREFIX, scope_of_heading, scope_pattern, vocabulary
from .names import TRAILING, is_org, name_span
from .tables import Table, read_table


CORRECTED_BEFORE = ("更正前", "变更前", "修改前", "原内容", "原公告内容")
CORRECTED_AFTER = ("更正后", "变更后", "修改后", "更正内容为")
# The words for a lot: 第1包, 包组2, 采购包3, 合同包1, 标项一, 标段2 (longer words first).
_LOT_WORDS = "包组|标段|标包|分包|采购包|合同包|标项|包"
_LOT = re.compile(
    rf"^\s*(?:第\s*(?P<a>[0-9一二三四五六七八九十]+)\s*(?:{_LOT_WORDS})"
    rf"|(?:{_LOT_WORDS})\s*(?:号)?\s*(?P<b>[0-9a-z一二三四五六七八九十]{{1,3}})(?![0-9a-z])"
    r"|(?P<c>[a-z0-9])\s*包(?!括|装|含))"
)
_CHANGED_TO = re.compile(CHANGED_TO + r"\s*:?")
_HAS_SUM = re.compile(r"\d\s*(?:万|亿)?元")
LOT_CELL = re.compile(rf"^第?(?:{_LOT_WORDS})?|(?:包|标段|标项|号)$")
# A company's name in a sentence: the shortest run of name characters up to a company word.
_COMPANY_IN_TEXT = r"(?P<name>[^\s,，;；。:：、]{4,40}?(?:公司|集团|研究院|研究所|中心|厂|学院|大学|事务所|合作社|商行|经营部|门市部|工作室))"
_SUPPLIER_BY_VERB = re.compile(
    r"(?:确定|推荐|选定)?" + _COMPANY_IN_TEXT + r"\s*为\s*(?:本项目的?|该项目的?)?(?:第一)?(?:中标|成交|中选)(?:供应商|人|单位|候选人)?"
)
# "甲公司以100万元中标" / "由甲公司以人民币98.5万元成交": the name and the price in one clause.
_SUPPLIER_BY_PRICE = re.compile(
    r"(?:由\s*)?" + _COMPANY_IN_TEXT + r"\s*以\s*(?P<price>(?:人民币|¥|rmb)?\s*[\d,.]+\s*(?:万|亿)?元)\s*(?:的价格|的报价|的总价)?\s*(?:中标|成交|中选)"
)
_MAX_LABEL_CELL = 30
_NAMED_BY_SPACE = ("buyer", "agency", "supplier")
_CODE_FIRST = re.compile(r"\s*[a-z0-9][a-z0-9\-_/\[\]()〔〕]{4,}(?=\s|$)")
_SUM_FIRST = re.compile(r"(?:人民币|¥|rmb)?\s*\d[\d,.]*\s*(?:万|亿)?元")
_LOT_ANY = re.compile(
    rf"第\s*(?P<a>[0-9一二三四五六七八九十]+)\s*(?:{_LOT_WORDS})"
    rf"|(?:{_LOT_WORDS})\s*号?\s*(?P<b>[0-9a-z一二三四五六七八九十]{{1,3}})(?![0-9a-z])"
)
# "某代理公司受某某局（的）委托": the buyer in free-text notices.
_BUYER_BY_VERB = re.compile(r"受(?P<name>[^\s,，;；。:：、()（）]{4,40}?)(?:的)?委托")
# "受某市公安局委托，某招标有限公司（以下简称…）对…进行公开招标": the agency after the buyer.
_AGENCY_NAME = r"(?P<name>[^\s,，;；。:：、()（）]{4,40}?(?:公司|中心|院|所))\s*(?:\([^)]*\))?\s*"  # (以下简称…) may follow
_AGENCY_BY_DOING = re.compile(r"(?:现由|由|现委托|委托)\s*" + _AGENCY_NAME + r"(?:进行|组织|负责|代理)")
_AGENCY_BY_VERB = re.compile(r"委托\s*[,，]\s*" + _AGENCY_NAME + r"(?:现)?(?:对|就|拟对|将对)")
# "某市公共资源交易中心受某市公安局的委托，对…": the agency before the buyer.
_AGENCY_BEFORE_VERB = re.compile(r"(?:^|(?<=[\s,，;；。:：]))(?:本项目|本次采购)?由?" + _AGENCY_NAME + r"受[^\s,，;；。:：、()（）]{4,40}?委托")
_NUMBER_BEFORE = re.compile(r"(?:[一二三四五六七八九十]+|\d{1,2})[、.]\s*$")
_VERB_BEFORE_NAME = re.compile(r"(?:经评审|经评标委员会评审|评审|最终|确定|推荐|选定|同意|由)+")
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


def _value_after_space(field: str, value: str) -> bool:
    """What a label followed by a space (no colon) may name: a party's name, a sum, or a date
    (公告时间 2018年08月10日: a summary table flattened with spaces for its cells)."""
    if field in _NAMED_BY_SPACE:
        return is_org(value)
    if field in DATE_FIELDS:
        first = first_date(value)
        return first is not None and not value[:first.start].strip()
    if field == "project_code":  # 项目编号 5325-202209157
        code = _CODE_FIRST.match(value)
        return bool(code) and any(c.isdigit() for c in code.group(0))
    return field in ("award", "budget", "ceiling_price") and bool(_SUM_FIRST.match(value))


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
        self.cover = cover_title(self.lines)

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
                        self._add("budget", table.headers[col], row[col].start, row[col].end, lot_of_row(row, li, lot), scope,
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
        cells are dropped when the text is tidied). A line of one cell after a full row is the text
        after the table (a signature, a date), not a row whose other cells are empty."""
        rows = []
        full = False
        while i < len(self.lines):
            start, line = self.lines[i]
            cells = line.split("\t")
            if (len(cells) > width or (len(cells) < 2 and (width > 2 or full)) or HEADING_PREFIX.match(line)
                    or any(self._cell_field(c, scope) for c in cells)):
                break
            full = full or len(cells) == width
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
        by_doing = "由" in cell and ("进行" in cell or "组织" in cell)
        if lo == hi and "为" not in cell and "受" not in cell and not by_price and not by_doing:
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
                    if is_org(self.folded[v + 1:end]):
                        self._add("supplier", x.group(0), v + 1, end, lot_key(x.group("a") or x.group("b")), "winner")
        # "采购人信息　名称：甲　采购代理机构信息　名称：乙" on one line: each heading scopes the labels after it.
        headings = _inline_headings(cell, offset) if len(matches) > 1 or scope is None else []
        for k, m in enumerate(matches):
            field = self.voc.field(m.label, next((sc for pos, sc in reversed(headings) if pos < m.start), scope))
            here = [key for pos, key in markers if pos < m.start]
            lot_here = here[-1] if here else lot
            if not field:
                continue
            if m.sep not in (":", "由", " ") and field not in ("supplier", "award", "budget", "ceiling_price"):
                continue
            end = matches[k + 1].start if k + 1 < len(matches) else offset + len(cell)
            end = min([pos for pos, _ in headings if m.value_start < pos < end] + [end])
            if m.sep == " " and not _value_after_space(field, self.folded[m.value_start:end]):
                continue  # only a party's name or a sum stands after a label and a space: "采购人 应当…" is a sentence
            if m.sep != ":" and field == "supplier" and not is_org(self.folded[m.value_start:end]):
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
        if by_doing:
            for m in _AGENCY_BY_DOING.finditer(cell):  # "现由某招标代理有限公司进行公开招标"
                self._add("agency", "由…进行", offset + m.start("name"), offset + m.end("name"), lot, scope, "sentence")
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
        while end > start and self.folded[end - 1] in TRAILING:
            end -= 1
        if end > start:
            self.hits.append(Hit(field, label, start, end, lot, scope, method))
            if field == "supplier" and ("金额" in label or "价" in label):
                # "中标供应商名称、地址及中标金额：甲公司(地址)100万元": the amount follows the name.
                name_end = name_span(self.folded, start, end)[1]
                if _HAS_SUM.search(self.folded, name_end, end):
                    self.hits.append(Hit("award", label, name_end, end, lot, scope, method))

    def first(self, field: str) -> Hit | None:
        return next((h for h in self.hits if h.field == field), None)

    def all(self, field: str) -> list[Hit]:
        return [h for h in self.hits if h.field == field]


def lot_of_row(row, lot_column: int | None, lot: str | None) -> str | None:
    """The lot a table row belongs to: its lot cell (第1包, 包2, 1), else the section's lot."""
    if lot_column is None or not row[lot_column].text:
        return lot
    return lot_key(LOT_CELL.sub("", row[lot_column].text))
