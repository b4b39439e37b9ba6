"""Where an organisation's name ends inside a value: separators, remarks in brackets, seals, legal forms."""

from __future__ import annotations

import functools
import re

from ..data_files import load_yaml

# A name ends at a clause's end, a contact, an address, or the next numbered clause or label run into the line
# (…有限公司 2.中标供应商地址：…, …有限公司 中标(成交)供应商代码：…: a page flattened to one line).
NAME_END = re.compile(r"[\t,，;；。]|\s{2,}|\s(?=\d{1,2}[.、](?!\d))|\s\d{1,2}[.、]?$|\s(?=[^\s:：()]{2,15}(?:\([^()\s]{1,6}\))?[^\s:：()]{0,6}[:：])|具体由|联系(?:人|电话|方式)|地址|电话|$")
REMARK = re.compile(r"\s*\(([^()]*)\)\s*")
# A second name the institution bears (加挂牌子): 湖北省某研究院(省某评估中心) is one name.
_ALTERNATE_NAME = re.compile(r"(?!以下|简称|原|曾用名)[^()]{2,30}(?:中心|研究院|研究所|委员会|办公室|局|院|所|站|公司)")
_LEGAL_BRACKET = re.compile(r"(?:特殊)?(?:普通|有限)合伙|联合体|牵头人|联合体牵头人")
MAX_NAME = 80  # characters: the longest institution names run to about 40
TRAILING = " \t:：,，;；。.、"
ORG_SUFFIXES = ("公司", "集团", "研究院", "研究所", "中心", "厂", "学院", "大学", "事务所", "合作社", "商行", "经营部",
                "门市部", "工作室", "分公司", "有限合伙)", "联合体", "院", "所", "局", "站", "店", "部")
COMPANY_SUFFIXES = ("公司", "集团", "合作社", "厂", "商行", "经营部")
# A name that is not there: masked by the portal (a paywall), or a person's redacted by sousveil before
# extraction (局长　[姓名已删除] under a table of winners), which is never an organisation.
MASKED_NAME = re.compile(r"\*{3,}|×{3,}|\[[^\[\]\n]{1,8}已删除\]")
# A reference in the place of a name (名称：详见响应文件): no one is named.
REFERENCE = re.compile(r"\s*(?:详见|详情见|见附件|参见|见招标文件|见响应文件|见投标文件|同上)")
_SEAL = re.compile(r"\s*\((?:盖章|公章|签章|盖公章|单位盖章|签字|签字或盖章|盖章处)\)")


@functools.lru_cache(maxsize=1)
def institution_suffixes() -> tuple[str, ...]:
    """The endings of public bodies' names (data/institutions.yaml): 支队, 监狱, 公安厅, 小学 …"""
    return tuple(load_yaml("institutions.yaml")["suffixes"])


@functools.lru_cache(maxsize=1)
def _name_endings() -> tuple[str, ...]:
    return ORG_SUFFIXES + institution_suffixes()


def name_span(folded: str, start: int, end: int) -> tuple[int, int]:
    """Cut an organisation name at the first separator (a clause, a contact, an address)."""
    m = NAME_END.search(folded, start, end)
    if m and m.start() > start:
        end = m.start()
    # One space after a whole name ends it (采购人：某看守所 某交易中心 2022年4月26日: a signature flattened).
    space = folded.find(" ", start, end)
    if space > start and folded[start:space].endswith(_name_endings()):
        end = space
    while end > start and folded[end - 1] in TRAILING:
        end -= 1
    # A bracket after the name is a remark, not the name: (盖章), (小微企业), (统一社会信用代码:…),
    # (以下简称…), (某市某路1号)100万元. A legal form in brackets stays: …投资中心(有限合伙). Text after
    # the bracket that names another company is left to the split of joint winners (甲公司(小微企业)、乙公司).
    seal = _SEAL.search(folded, start, end)
    if seal and seal.start() > start:  # 某县第一中学（盖章）: a seal's place, whatever the name ends in
        end = seal.start()
    for m in REMARK.finditer(folded, start, end):
        if folded[start:m.start()].endswith(ORG_SUFFIXES) and not _LEGAL_BRACKET.fullmatch(m.group(1)) \
                and not is_org(folded[m.end():end]) and not _ALTERNATE_NAME.fullmatch(m.group(1)):
            end = m.start()
            break
    # A bracket the value opens and never closes: "甲公司(" before a contact label that cut it.
    cut = unbalanced_cut(folded[start:end])
    return start, start + len(cut.rstrip(TRAILING))


def unbalanced_cut(code: str) -> str:
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


def is_org(value: str) -> bool:
    m = NAME_END.search(value)
    name = value[: m.start()] if m else value
    return name.rstrip(TRAILING).endswith(ORG_SUFFIXES)
