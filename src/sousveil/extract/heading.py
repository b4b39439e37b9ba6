"""What a document is: its heading and notice type (from the heading, the portal's URL, or what the body
carries), a tender document's cover, and the title, code and method that the heading or the labels give."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..data_files import load_yaml
from ..model import Fact, Notice
from ..text import fold
from .facts import cite
from .labels import HEADING_PREFIX
from .names import REMARK, TRAILING, unbalanced_cut

if TYPE_CHECKING:  # the scan is only named in annotations: importing it would be circular
    from .sections import Scan


HEADING_ENDINGS = ("公告", "公示", "结果", "通知", "意向")
CONTRACT_ENDINGS = ("合同", "合同书")
CONTRACT_TITLE_LINES = 3  # the lines at the top of a document where a contract's title stands
# English headings name the notice first: "Notice of Contract Award: Supply of …" (folded: lower case).
HEADING_STARTS = ("notice of", "contract award", "award notice", "notice of award", "invitation to tender",
                  "tender notice", "request for tender", "request for proposal", "request for quotation", "corrigendum",
                  "cancellation")
_CODE = re.compile(r"[^\s,，;；。]+")
_CODE_BRACKET = re.compile(r"\s*\([^()]*(?:编号|编码|项目号)[^()]*\)")
_REMARK_AT_END = re.compile(REMARK.pattern + "$")
_CHAPTER = re.compile(r"第[一二三四五六七八九十\d]+[章节部分篇]")


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


def heading_and_type(notice: Notice, text: str, folded: str, scan: Scan, meta: dict, url: str | None) -> None:
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
        for i, (start, line) in enumerate(scan.lines[:60]):
            if _looks_like_heading(line, contract=i < CONTRACT_TITLE_LINES):
                heading_line = (start, line)
                break
    if heading_line is None:
        heading_line = _run_in_heading(scan.lines[:CONTRACT_TITLE_LINES])
    if heading_line:
        start, line = heading_line
        notice.heading = text[start:start + len(line)].strip()
        cite(notice, "heading", text, start, start + len(line), method="heading")
    probe = fold(notice.heading or "")
    if _type_from_words(notice, text, probe, heading_line[0] if heading_line else 0, types, "heading"):
        return
    kind = scan.first("notice_kind")  # an aggregator's summary: 公告类型：变更公告
    if kind is not None and _type_from_words(notice, text, folded[kind.start:kind.end], kind.start, types, "label"):
        return
    if url:
        m = re.search(r"/cggg/(?:dfgg|zygg)/([a-z]+)/", url)
        if m and m.group(1) in url_sections:
            notice.type = url_sections[m.group(1)]
            notice.facts.append(Fact("type", notice.type, origin="url", note=f"portal section {m.group(1)}"))
            return
    cover = _cover_kind(scan.lines[:12])
    if cover is not None:  # "公开招标文件 项目名称：…" at the top of a tender document
        notice.type = "tender"
        cite(notice, "type", text, cover[0], cover[1], value="tender", method="cover",
             note="a tender document's kind at the start of one of its first lines")
        return
    # The body: the labels it carries (中标人 and 中标价: an award), or a correction's own words.
    found = {h.field for h in scan.hits if h.scope not in ("bidders", "candidates")} | \
        {"candidate" for h in scan.hits if h.field == "candidate" or h.scope == "candidates"} | \
        _table_fields(scan)
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
        cite(notice, "type", text, best[0], best[0] + best[1], value=best[2], method="keyword",
                   note="keyword on a short line, not in a title")


def _type_from_words(notice: Notice, text: str, words: str, offset: int, types: list, method: str) -> bool:
    """The type whose title words (notice_types.yaml, earlier rules first) stand in `words`, the folded text
    at `offset`: set and cited; False when none does."""
    for ntype, keywords in types:
        hit = next((k for k in keywords if k in words), None)
        if hit:
            notice.type = ntype
            s = offset + words.index(hit)
            cite(notice, "type", text, s, s + len(hit), value=ntype, method=method)
            return True
    return False


# A table's columns that count as the labels of the content rules: a winners' table (供应商名称 | 中标金额).
_TABLE_FIELDS = {"supplier": "supplier", "amount": "award"}


def _table_fields(scan: Scan) -> set[str]:
    """The fields that a table outside the bidders' and candidates' sections gives a value in a row."""
    out = set()
    for table, scope, _ in scan.tables:
        if scope in ("bidders", "candidates"):
            continue
        for col, name in enumerate(table.columns):
            if name in _TABLE_FIELDS and any(row[col].text.strip("/ ") for row in table.rows):
                out.add(_TABLE_FIELDS[name])
    return out


def cover_title(lines: list[tuple[int, str]]) -> tuple[int, int] | None:
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


# Where a heading run into the rest of its line ends: white space before a label (合同编号：).
_RUN_IN = re.compile(r"\s+(?=[^\s:：]{2,15}[:：])")
_KIND_AT_START = re.compile(r"\s*(\S{4,12}?)(?:\s|$)")


def _run_in_heading(lines: list[tuple[int, str]]) -> tuple[int, str] | None:
    """A heading that runs into the labels after it on one line, as pages flattened to one line have it:
    "…项目政府采购合同(服务类) 政府采购合同编号：…"."""
    for start, line in lines:
        for m in _RUN_IN.finditer(line, 0, 120):
            if _looks_like_heading(line[:m.start()], contract=True):
                return start, line[:m.start()]
    return None


def _cover_kind(lines: list[tuple[int, str]]) -> tuple[int, int] | None:
    """The span of a tender document's kind (招标文件, 竞争性磋商文件) standing first on one of the
    first lines, before white space and the rest of the cover (项目名称：…)."""
    kinds = type_rules()[4]
    for start, line in lines:
        m = _KIND_AT_START.match(line)
        if m and m.group(1) in kinds:
            return start + m.start(1), start + m.end(1)
    return None


def _looks_like_heading(line: str, contract: bool = False) -> bool:
    """A notice heading: short, not a sentence, not a breadcrumb, ending in a notice word; with `contract`,
    a contract's own title too (…项目政府采购合同), which only the first lines of a document can be: further
    down, "…采购合同" is a clause or an attachment's name."""
    line = line.strip()
    if len(line) < 8 or len(line) > 100 or "\t" in line or "»" in line or ">" in line or line.endswith(("。", ".")):
        return False
    if _CHAPTER.match(line):  # "第一章 招标公告" inside a tender document is a chapter, not the document's heading
        return False
    bare = re.sub(r"[(（][^)）]*[)）]$", "", line)
    return bare.endswith(HEADING_ENDINGS) or bare.lower().startswith(HEADING_STARTS) or \
        (contract and bare.endswith(CONTRACT_ENDINGS))


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


def title_code_method(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    # The project's name before a contract's or a lot's (合同名称, 包组名称), which a notice may give first.
    titles = scan.all("title")
    hit = next((h for h in titles if "项目" in h.label), titles[0] if titles else None)
    if hit:
        s, e = hit.start, hit.end
        cut = re.search(r"\t|\s{2,}|[;；]", folded[s:e])
        if cut:
            e = s + cut.start()
        notice.title = text[s:e].strip()
        cite(notice, "title", text, s, e, value=notice.title)
    elif notice.heading:
        s, e = _title_from_heading(notice.heading)
        notice.title = notice.heading[s:e]
        heading = next(f for f in notice.facts if f.field == "heading")
        cite(notice, "title", text, heading.start + s, heading.start + e, note="from the heading", method="heading")
    elif scan.cover is not None:
        s, e = scan.cover
        notice.title = text[s:e].strip()
        cite(notice, "title", text, s, e, value=notice.title, origin="inferred", method="cover",
                   note="the line above 招标文件 on a tender document's cover page")
    hit = scan.first("project_code")
    if hit:
        m = _CODE.search(folded, hit.start, hit.end)
        if m:
            code = unbalanced_cut(folded[m.start():m.end()])
            notice.project_code = text[m.start():m.start() + len(code)].strip(TRAILING)
            cite(notice, "project_code", text, m.start(), m.start() + len(notice.project_code))
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
            cite(notice, "method", text, i, i + len(w), value=method)
            return
