"""Undo what converters do to Chinese text, on the text convert returns (a line per block, tabs between cells).

- A pinyin gloss after a character, left by converters of annotated (ruby) text: 區(qū), 採購(cǎi gòu)人.
  Only a group of 1-6 pinyin syllables with a tone (mark or digit) right after a CJK character goes;
  (盖章), (万元), (A包), (2024), (pdf) stay.
- Spaces between single characters of a short label: "采 购 人：" -> "采购人：", "项 目 名 称" -> "项目名称".
  Only runs of 3 to 12 single CJK characters each separated by one space; "海康威视 DS-2CD" and
  "甲方 乙方" stay.
- A name broken across lines (PDF text, a <br> inside a table cell): "甘肃黄河声纹智能科技有限公\\n司".
  The next line (or its first cell) must be only the rest of an organisation's suffix (司, 公司, 局, 院,
  中心, 区分局) and the previous one must end where such a suffix is cut.
- A sum or a code broken across lines the same way: "¥2,346,8\\n00.00" (a group of thousands cut short,
  completed by the next line's digits), "XYFC-HT-2022-\\n093" (a code cut after a hyphen, the next line
  only the rest of it).
- Columns aligned with spaces in plain text (text dumped from PDFs, `pdftotext -layout`): three or more
  spaces between two cells become a tab, as converters write the cells of a table (`space_columns`, before
  white space is collapsed).

Full-width forms are folded later (sousveil.text.fold); both bracket widths are matched here because this
runs first.
"""

from __future__ import annotations

import re

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_VOWEL = f"aeiouüv{_TONED}"
_SYLLABLE = f"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[{_VOWEL}]{{1,3}}(?:ng|n|r)?[1-5]?"
_SYLLABLE_RE = re.compile(f"(?:{_SYLLABLE})")
_TONE_DIGIT = re.compile(f"[{_VOWEL}gnr][1-5]")
_WORD = re.compile(f"^(?:{_SYLLABLE}){{1,6}}$")
# A bracket right after a CJK character holding 1-6 space (or apostrophe/hyphen) separated Latin words.
_GLOSS = re.compile(f"(?<=[{CJK}])[(（]\\s?([A-Za-z{_TONED}ü1-5]+(?:[ '’-][A-Za-z{_TONED}ü1-5]+){{0,5}})\\s?[)）]")
# A whole run of single characters each after one space (greedy, so a longer spaced sentence is one run and
# is left alone when it has more than _SPACED_MAX characters).
_SPACED = re.compile(f"(?<![{CJK}\\w])[{CJK}](?: [{CJK}])+(?![{CJK}\\w])")
_SPACED_MAX = 12

# The rest of a suffix on a line of its own -> what the previous line must end with (a cut inside the suffix,
# or for a suffix that is never a value on its own, any CJK character).
_ANY_CJK = re.compile(f"[{CJK}]$")
_TAILS: dict[str, re.Pattern] = {
    "司": re.compile("公$"),
    "公司": re.compile("(?:有限|责任|股份|集团|分)$"),
    "限公司": re.compile("有$"),
    "有限公司": _ANY_CJK,
    "责任公司": re.compile("有限$"),
    "局": _ANY_CJK,
    "分局": _ANY_CJK,
    "院": _ANY_CJK,
    "中心": _ANY_CJK,
    "心": re.compile("中$"),
    "区分局": _ANY_CJK,
    "县分局": _ANY_CJK,
}
# A group of thousands cut short at the end of a line, and the digits that start the next one.
_CUT_SUM = re.compile(r"\d,(\d{0,2})$")
_SUM_REST = re.compile(r"^(\d{1,3})(?:[,.)）元万]|$)")
_CUT_CODE = re.compile(r"[A-Za-z0-9]-$")
_CODE_REST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")
_COLUMN_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")


def tidy_text(text: str) -> str:
    if not text:
        return text
    lines = [_spaced(_glosses(line)) for line in text.split("\n")]
    return "\n".join(_join_broken_names(lines))


def _is_pinyin(group: str) -> bool:
    """1-6 pinyin syllables (a capital only first in a word), with at least one tone mark or tone digit."""
    syllables, toned = 0, False
    for word in re.split(r"[ '’-]", group):
        low = word[:1].lower() + word[1:]
        if not low or low != low.lower() or not _WORD.match(low):
            return False
        syllables += len(_SYLLABLE_RE.findall(low))
        if any(c in _TONED for c in low):
            toned = True
        elif _TONE_DIGIT.search(low):
            # cai3 gou4, but not a paper size or a model: (A4), (a3), (B2)
            if word != low or len(low.rstrip("12345")) < 2:
                return False
            toned = True
    return toned and 1 <= syllables <= 6


def _glosses(line: str) -> str:
    if "(" not in line and "（" not in line:
        return line
    return _GLOSS.sub(lambda m: "" if _is_pinyin(m.group(1)) else m.group(0), line)


def space_columns(text: str) -> str:
    return _COLUMN_GAP.sub("\t", text) if "   " in text else text


def _spaced(line: str) -> str:
    if " " not in line:
        return line
    return _SPACED.sub(lambda m: m.group(0).replace(" ", "") if 3 <= len(m.group(0)) // 2 + 1 <= _SPACED_MAX else m.group(0),
                       line)


def _join_broken_names(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out:
            first, sep, rest = line.partition("\t")
            piece = first.strip()
            tail = _TAILS.get(piece)
            prev = out[-1].rsplit("\t", 1)[-1]
            if tail is not None and len(prev) >= 2 and tail.search(prev):
                out[-1] = out[-1] + piece + (sep + rest if sep else "")
                continue
            if _continues(prev, line):
                out[-1] = out[-1] + line
                continue
        out.append(line)
    return out


def _continues(prev: str, line: str) -> bool:
    """The line is the rest of a sum or a code that the previous line cut."""
    cut = _CUT_SUM.search(prev)
    if cut:
        rest = _SUM_REST.match(line)
        return bool(rest) and len(cut.group(1)) + len(rest.group(1)) == 3
    return bool(_CUT_CODE.search(prev)) and bool(_CODE_REST.match(line))
