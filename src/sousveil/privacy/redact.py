"""Redact personal data from a notice's text: contact persons, evaluation experts and committee
members, personal mobile numbers, identity card numbers, e-mail addresses and QQ or WeChat accounts.

Institutional names, addresses and switchboard (landline) numbers stay. The redacted text is
what gets stored, extracted and indexed, so spans of facts point into it. Only the kind and
position of each redaction are kept, never what was removed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..data_files import load_yaml
from ..extract.labels import HEADING_PREFIX, vocabulary
from ..extract.tables import read_table
from ..text import fold

MARKERS = {
    "email": "[邮箱已删除]",
    "mobile": "[手机号已删除]",
    "person": "[姓名已删除]",
    "experts": "[名单已删除]",
    "id_number": "[证件号已删除]",
    "account": "[账号已删除]",
}
PERSONAL_FIELDS = {"contact_person": "person", "experts": "experts", "personal_account": "account"}

# Written out to escape harvesters too: abc(at)163.com, abc[at]163.com, abc#163.com (folded text: lower case).
# Bounded parts (a local part of at most 64 characters, at most 8 dotted labels): linear on a page of
# 200,000 digits, which once took minutes, and two addresses written together are both found.
_EMAIL = re.compile(r"[a-z0-9._%+\-]{1,64}(?:@|\s*(?:\(at\)|\[at\]|#)\s*)"
                    r"[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,8}\.[a-z]{2,24}(?![a-z])")
# A Latin name after a form of address, wherever it stands: "Mr. Chan Tai-man".
_LATIN_ADDRESSED = re.compile(r"\b(?:mr|mrs|ms|miss|dr)\.?[ ]+[a-z][a-z'\-]*(?:[ ][a-z][a-z'\-]*){0,2}")
# Mainland mobile numbers: 11 digits from 13x-19x, optionally +86 and separators.
_MOBILE = re.compile(r"(?<![\d\-.])(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d|\.\d)")
# Resident identity card numbers: region, birth date, sequence and an ISO 7064 check character.
# The check keeps 18-character company codes (统一社会信用代码) and other long numbers out.
_ID_NUMBER = re.compile(r"(?<![0-9a-z])[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x](?![0-9a-z])")
# A contact's name before the number in a phone field: 联系方式：吴磊 0769-22886601.
_NAME_BEFORE_NUMBER = re.compile(r"(?:联系方式|联系电话|电话|联系人电话|咨询电话)[ ]*:[ ]*(?P<name>[\u4e00-\u9fff]{2,3})(?=[ ]*[\d(+])")
# An identity number partly masked by the portal (4210221********6030, 420521199007******): the
# digits left still point at one person.
_MASKED_ID = re.compile(r"(?<![0-9a-z*])[1-8]\d{5,13}\*{3,12}[0-9x]{0,4}(?![0-9a-z*])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PERSON_END = re.compile(r"[\t\n,，;；。(（)）:：/|]|\s{1}|电话|手机|联系电话|联系方式|tel|邮箱|座机|传真")
# A name in Latin letters has spaces in it (Mr. Chan Tai-man): it ends at punctuation or a contact word.
_LATIN_PERSON_END = re.compile(r"[\t\n,，;；。(（)）:：/|]|\s(?:tel|phone|telephone|email|e-mail|fax|mobile)\b|\s{2}")
_MAX_PERSON = 24
_MAX_LATIN_PERSON = 40
_MAX_EXPERT_LINES = 4
# Names listed with 、 (a comma may end the list: 联系人：张伟，电话：…).
_NAME_LIST = re.compile(r"[\u4e00-\u9fff·]{2,5}(?:[ ]*、[ ]*[\u4e00-\u9fff·]{2,5}){1,200}")
_MAX_TABLE_LINES = 60
# The end of a label or heading that names a list of people: …成员名单：, …专家名单 (then a line break).
_ANY_LIST = re.compile(r"名单[ ]*(?::[ ]*\n?|\n)")
_NOT_PEOPLE = ("供应商", "单位", "公司", "企业", "投标人", "中标", "成交", "入围", "候选", "品牌", "产品", "项目")
# The names a committee's label lists, each with a note in brackets (甲(组长)、乙(采购人代表)).
# A name ends before anything that is not a character of it, or before the next clause's number (…丙十、验收意见).
_EXPERT_NAME = r"[\u4e00-\u9fff·]{2,5}?(?=[^\u4e00-\u9fff·]|[一二三四五六七八九十]{1,3}、|$)(?:\([^()\n]{1,10}\))?"
# After a space only a name of two or three characters continues the list: a longer word is the next cell
# of a table flattened with spaces (…丙 总中标金额 …).
_SPACED_NAME = r"[\u4e00-\u9fff·]{2,3}(?=[^\u4e00-\u9fff·]|$)(?:\([^()\n]{1,10}\))?"
_EXPERT_NAMES = re.compile(
    rf"[ ]*{_EXPERT_NAME}(?:[ ]*[、,，;；/][ ]*{_EXPERT_NAME}|[ ]+{_SPACED_NAME})*(?:[ ]*[、,，;；])?[ ]*")
# A line (or a table cell) of names only (贾东升、牛春艳；), as a list of experts runs on after a line
# break; a cell, since OCR puts the text of a seal beside the list in a cell of its own.
_NAMES_LINE = re.compile(r"[ ]*(?P<names>[\u4e00-\u9fff·]{2,5}(?:[ ]*[、,，][ ]*[\u4e00-\u9fff·]{2,5})+)[ ]*[;；。]?[ ]*(?=[\t\n]|$)")


@dataclass(frozen=True)
class Redaction:
    kind: str
    start: int  # in the redacted text
    end: int


def redact(text: str) -> tuple[str, list[Redaction]]:
    out, redactions, _ = redact_folded(text)
    return out, redactions


def redact_folded(text: str) -> tuple[str, list[Redaction], str]:
    """Redacted text, its redactions, and the folded redacted text (text.fold of it), saving a second fold."""
    folded = fold(text)
    spans: list[tuple[int, int, str]] = []
    spans += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(folded)]
    spans += [(m.start(), m.end(), "mobile") for m in _MOBILE.finditer(folded)]
    spans += [(m.start(), m.end(), "id_number") for m in _ID_NUMBER.finditer(folded) if _id_checks(m.group())]
    spans += [(m.start(), m.end(), "id_number") for m in _MASKED_ID.finditer(folded)]
    spans += _addressed(folded)
    spans += _labelled(folded)
    spans += _staff(folded)
    spans += [(m.start("name"), m.end("name"), "person") for m in _NAME_BEFORE_NUMBER.finditer(folded)]
    spans += _committees_in_sentences(folded)
    spans += [(m.start("name"), m.end("name"), "person") for m in _signed_by().finditer(folded)]
    return _apply(text, folded, spans)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


CONTACT_FIELDS = ("buyer_phone", "agency_phone")  # labels of a way to reach someone (联系方式)


@functools.lru_cache(maxsize=1)
def _contact_name() -> re.Pattern:
    """A common surname's name (data/surnames.yaml) opening a contact's value, before its number."""
    surnames = load_yaml("surnames.yaml")["surnames"]
    # Not a place or a body (黄山市，电话…; 高新区, 江门局): a person's name ends in none of these.
    return re.compile(rf"[ ]*(?P<name>[{surnames}][\u4e00-\u9fff]{{0,1}}[^\W\d_市省县区镇乡村路街局院司所站处部室厅委办]"
                      rf")(?=[ ]*(?:[;；,，、/]|\d|电话|手机|tel))")


@functools.lru_cache(maxsize=1)
def _names_with_titles() -> tuple[re.Pattern, re.Pattern]:
    """(a common surname and a title: 王工; a form of address: 女士) from data/surnames.yaml."""
    data = load_yaml("surnames.yaml")
    titles = "|".join(sorted(data["titles"], key=len, reverse=True))
    return (re.compile(rf"(?<![\u4e00-\u9fff])[{data['surnames']}](?:{titles})(?![\u4e00-\u9fff])"),
            re.compile("|".join(data["forms_of_address"])))


@functools.lru_cache(maxsize=1)
def _signed_by() -> re.Pattern:
    """An official's title and name on a line of their own, signing the notice (surnames.yaml)."""
    titles = "|".join(sorted(load_yaml("surnames.yaml")["official_titles"], key=len, reverse=True))
    return re.compile(rf"(?m)^[ \u3000]*(?:{titles})[ \u3000:]+(?P<name>[\u4e00-\u9fff·]{{2,4}})[ \u3000]*(?:\(签名\)|签名)?[ \u3000]*$")


def _addressed(folded: str) -> list[tuple[int, int, str]]:
    """A surname of one or two characters before 先生, 女士, 小姐 or 老师, standing apart (after
    punctuation or a space, not inside a longer word); a common surname with a title (王工, 李总,
    data/surnames.yaml); a Latin name after Mr, Ms or Dr."""
    titled, address = _names_with_titles()
    spans = []
    for m in address.finditer(folded):
        i = m.start()
        n = 0
        while n < 3 and i - n - 1 >= 0 and _is_cjk(folded[i - n - 1]):
            n += 1
        if 1 <= n <= 2 and not (m.end() < len(folded) and _is_cjk(folded[m.end()])):
            spans.append((i - n, m.end(), "person"))
    spans += [(m.start(), m.end(), "person") for m in titled.finditer(folded)]
    if "mr" in folded or "ms" in folded or "miss" in folded or "dr" in folded:  # the regex walks every position
        spans += [(m.start(), m.end(), "person") for m in _LATIN_ADDRESSED.finditer(folded)]
    return spans


def _id_checks(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number, _ID_WEIGHTS))
    return "10x98765432"[total % 11] == number[-1]


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict]:
    """Regexes for personal-data labels standing alone in a cell or line, and for expert headings."""
    voc = vocabulary()
    kinds = {label: PERSONAL_FIELDS[field] for label, field in voc.field_of.items() if field in PERSONAL_FIELDS}
    labels = "|".join(re.escape(x) for x in sorted(kinds, key=len, reverse=True))
    cell = re.compile(rf"(?m)(?:^|(?<=\t))[ ]*(?P<label>{labels})[ ]*:?[ ]*(?:\t(?P<value>[^\t\n]*)|$)")
    headings = "|".join(re.escape(k) for k, scope in voc.scope_headings if scope == "experts_block")
    expert_heading = re.compile(rf"(?m)^[^\t\n]{{0,30}}(?:{headings})[ ]*:?[ ]*$")
    return cell, expert_heading, kinds


def _labelled(folded: str) -> list[tuple[int, int, str]]:
    voc = vocabulary()
    cell_re, expert_re, kinds = _patterns()
    spans = []
    for m in voc.matches(folded):
        field = voc.field_of.get(m.label)
        kind = PERSONAL_FIELDS.get(field)
        if kind and m.sep in (":", " "):  # 联系人：张三, and 联系人 张三 at the start of a line
            spans.append(_value_span(folded, m.value_start, kind))
        elif field in CONTACT_FIELDS and m.sep == ":":
            # 采购单位联系方式：文铭；电话：0771-…: a contact's name before the number
            name = _contact_name().match(folded, m.value_start)
            if name:
                spans.append((name.start("name"), name.end("name"), "person"))
    # A label alone in its cell: the value is the next cell, or the next line for a label alone on its line.
    for m in cell_re.finditer(folded):
        kind = kinds[m.group("label")]
        if m.group("value") is not None:
            spans.append((m.start("value"), m.end("value"), kind))
            continue
        line_start = folded.rfind("\n", 0, m.start()) + 1
        if folded[line_start:m.start()].strip():
            continue  # other cells before the label on this line, none after it
        nxt = m.end() + 1
        line_end = folded.find("\n", nxt)
        line_end = len(folded) if line_end < 0 else line_end
        following = folded[nxt:line_end]
        if nxt <= len(folded) and following.strip() and len(following) <= 80 \
                and following.strip().rstrip(":") not in voc.cell_labels:
            spans.append((nxt, line_end, kind))
    spans += _person_columns(folded)
    # A heading such as "七、评审委员会成员名单" with the names on the lines after it: a few lines of
    # names, or the rows of a table of members (序号 | 姓名 | 单位 | 职称 | 职责), however many.
    for m in expert_re.finditer(folded):
        pos = m.end() + 1
        for k in range(_MAX_TABLE_LINES):
            if pos >= len(folded):
                break
            end = folded.find("\n", pos)
            end = len(folded) if end < 0 else end
            line = folded[pos:end]
            first_cell = line.split("\t")[0].strip().rstrip(":").replace(" ", "")
            if HEADING_PREFIX.match(line) or voc.matches(line) or first_cell in voc.cell_labels \
                    or (k >= _MAX_EXPERT_LINES and "\t" not in line):
                break
            spans.append((pos, end, "experts"))
            pos = end + 1
    # Any list (名单) of names, whatever the committee it names: a label unknown to labels.yaml or misread
    # by OCR (商小组成员名单 for 磋商小组成员名单) still heads names, on its line or the next.
    for m in _ANY_LIST.finditer(folded):
        names = _NAMES_LINE.match(folded, m.end())
        if names and not any(w in folded[max(0, m.start() - 12):m.start()] for w in _NOT_PEOPLE):
            spans.append((names.start("names"), names.end("names"), "experts"))
    # "评审专家：甲、乙" with the list running on to the next line (PDF text): that line too.
    for start, end, kind in list(spans):
        if kind == "experts" and end < len(folded) and folded[end] == "\n":
            nxt = _NAMES_LINE.match(folded, end + 1)
            if nxt:
                spans.append((nxt.start("names"), nxt.end("names"), "experts"))
    return spans


@functools.lru_cache(maxsize=1)
def _staff_rules() -> tuple[tuple, frozenset, frozenset, re.Pattern, re.Pattern, re.Pattern]:
    """(role suffixes, disciplines, not roles, a roster entry's shape, a role before a colon, a role and a
    space before an entry without spaces) from labels.yaml."""
    data = load_yaml("labels.yaml")["staff_roles"]
    suffixes = tuple(sorted((fold(x) for x in data["suffixes"]), key=len, reverse=True))
    words = "|".join(re.escape(fold(w)) for w in data["certificate_words"])
    # 张三,注册二级建造师,鄂242151649845 / 王凯(某路项目负责人),安全生产考核合格证(B证),…
    entry = re.compile(rf"[ ]*[\u4e00-\u9fff·]{{2,4}}(?:\([^()\t\n]{{0,30}}\))?[ ]*,[^\t\n]*(?:{words}|\d{{5}}|,[ ]*$)")
    roles = "|".join(re.escape(x) for x in suffixes)
    colon = re.compile(rf"(?:^|(?<=[\t\n]))[ ]*(?P<label>[^\t\n:,;。]{{0,20}}(?:{roles})\d?)[ ]*:[ ]*")
    # A roster flattened with spaces: 施工员 吴伟,安全生产考核合格证,… anywhere in a line.
    spaced = re.compile(rf"(?:^|(?<=\s))(?P<label>[^\s:,;。()]{{0,20}}(?:{roles})\d?)(?:\([^()\s]{{1,12}}\))?[ ]+"
                        rf"(?P<entry>[\u4e00-\u9fff·]{{2,4}}(?:\([^()\s]{{0,30}}\))?,[^\s]*(?:{words}|\d{{5}})[^\s]*)")
    return (suffixes, frozenset(fold(x) for x in data["disciplines"]), frozenset(fold(x) for x in data["not_roles"]),
            entry, colon, spaced)


def _is_role(cell: str) -> bool:
    suffixes, disciplines, not_roles, _, _, _ = _staff_rules()
    bare = cell.strip().rstrip(":").replace(" ", "").rstrip("0123456789")
    if not bare or len(bare) > 24 or bare in not_roles:
        return False
    return bare.endswith(suffixes) or bare in disciplines


def _staff(folded: str) -> list[tuple[int, int, str]]:
    """The staff rosters of bids: the cell after a role (施工员 | 张三,施工员证,0422…), a value shaped like
    a roster entry after any label, and a role before a colon (安全员：张三)."""
    _, _, _, entry, colon, spaced = _staff_rules()
    spans = []
    pos = 0
    for line in folded.split("\n"):
        if "\t" in line:
            cells = line.split("\t")
            at = pos
            for j, cell in enumerate(cells[:-1]):
                value_start = at + len(cell) + 1
                value = cells[j + 1]
                if len(cell) <= 30 and value.strip() and not _names_institution(value) \
                        and (_is_role(cell) or entry.match(value)):
                    if j == 0 and len(cells) > 2 and _is_role(cell):
                        # 项目负责人 | 甲 | 乙 | 丙: a row of a table with one column per candidate
                        spans.append((value_start, pos + len(line), "person"))
                        break
                    spans.append((value_start, value_start + len(value), "person"))
                at = value_start
        pos += len(line) + 1
    for m in colon.finditer(folded):
        if _is_role(m.group("label")) and not _names_institution(folded[m.end():m.end() + 40].split("\t")[0]):
            spans.append(_value_span(folded, m.end(), "person"))
    for m in spaced.finditer(folded):
        if _is_role(m.group("label")):
            spans.append((m.start("entry"), m.end("entry"), "person"))
    return spans


def _names_institution(value: str) -> bool:
    """联合体成员：乙公司 names no person."""
    name = re.split(r"[\t\n,，;；(（]", value.strip(), maxsplit=1)[0]
    return len(name) > 4 and name.endswith(("公司", "集团", "院", "所", "中心", "局", "委员会", "厂", "站"))


@functools.lru_cache(maxsize=1)
def _committee_list() -> re.Pattern:
    """A committee (an `experts` label of labels.yaml) and the names it lists in a sentence:
    磋商小组（甲、乙、丙）按…, 询价小组由甲、乙、丙组成."""
    voc = vocabulary()
    committees = "|".join(re.escape(k) for k in sorted((k for k, f in voc.field_of.items() if f == "experts"),
                                                        key=len, reverse=True))
    name = r"[\u4e00-\u9fff·]{2,5}?(?:\([^()\n]{1,6}\))?(?=[、,，;；)\s。]|组成|等|共|$)"
    return re.compile(rf"(?:{committees})(?:成员)?[ ]*(?:由|为|是|:|\()[ ]*(?P<list>{name}(?:[ ]*[、,，][ ]*{name})+)")


def _committees_in_sentences(folded: str) -> list[tuple[int, int, str]]:
    if "小组" not in folded and "委员会" not in folded and "专家" not in folded:
        return []
    return [(m.start("list"), m.end("list"), "experts") for m in _committee_list().finditer(folded)]


@functools.lru_cache(maxsize=1)
def _person_headers() -> tuple[str, ...]:
    return tuple(label for label, column in vocabulary().column_of.items() if column == "person")


def _person_columns(folded: str) -> list[tuple[int, int, str]]:
    """The cells of a table column of personal names: 项目经理 beside each candidate, 姓名 of each expert.
    Only the tables whose header line names such a column are read."""
    if "\t" not in folded:
        return []
    starts = set()
    for header in _person_headers():
        i = folded.find(header)
        while i >= 0:
            starts.add(folded.rfind("\n", 0, i) + 1)
            i = folded.find(header, i + len(header))
    spans = []
    for pos in sorted(starts):
        lines = []  # the header line and the tab-separated lines after it
        while pos <= len(folded):
            end = folded.find("\n", pos)
            end = len(folded) if end < 0 else end
            if "\t" not in folded[pos:end]:
                break
            lines.append((pos, folded[pos:end]))
            pos = end + 1
        table = read_table(lines, 0)[0] if len(lines) >= 2 else None
        if table is None:
            continue
        for col, name in enumerate(table.columns):
            if name == "person":
                spans += [(row[col].start, row[col].end, "person") for row in table.rows if row[col].text]
    return spans


def _value_span(folded: str, start: int, kind: str) -> tuple[int, int, str]:
    if kind == "experts":
        end = folded.find("\n", start)
        tab = folded.find("\t", start)
        end = len(folded) if end < 0 else end
        if 0 <= tab < end:
            end = tab
        # A list of names that other text follows on the same line (a page flattened to one line:
        # "成员：甲、乙、丙5.评审意见…"): the list only, so that the rest stays evidence.
        names = _EXPERT_NAMES.match(folded, start, end)
        if names:
            end = names.end()
        return start, end, kind
    latin = start < len(folded) and folded[start].isascii() and folded[start].isalpha()
    names = None if latin else _NAME_LIST.match(folded, start)
    if names:  # 联系人：张伟、李娜、王芳…: every name of the list, however long
        return start, names.end(), kind
    limit = min(len(folded), start + (_MAX_LATIN_PERSON if latin else _MAX_PERSON))
    m = (_LATIN_PERSON_END if latin else _PERSON_END).search(folded, start, limit)
    end = m.start() if m else limit
    return start, end, kind


def _apply(text: str, folded: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[Redaction], str]:
    spans = sorted((s, e, k) for s, e, k in spans if e > s and text[s:e].strip())
    merged: list[list] = []
    for s, e, k in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            if k == "experts":
                merged[-1][2] = k
        else:
            merged.append([s, e, k])
    out, out_folded, redactions, last, shift = [], [], [], 0, 0
    for s, e, k in merged:
        # Keep leading/trailing white space of the value so the layout survives.
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        marker = MARKERS[k]  # already folded: simplified characters and ASCII brackets
        out.append(text[last:s])
        out_folded.append(folded[last:s])
        new_start = s + shift
        out.append(marker)
        out_folded.append(marker)
        redactions.append(Redaction(k, new_start, new_start + len(marker)))
        shift += len(marker) - (e - s)
        last = e
    out.append(text[last:])
    out_folded.append(folded[last:])
    return "".join(out), redactions, "".join(out_folded)
