"""Turn a Source's bytes into plain text with a line per block and a tab between table cells.

The same layout for HTML, DOCX and text lets one extractor read tables in all of them.
Source HTML is never kept for display: only this text is stored.
"""

from __future__ import annotations

import functools
import io
import json
import re
from dataclasses import dataclass, field

from ..data_files import load_yaml

from ..extract.ocds import MEDIA_TYPE as OCDS_MEDIA_TYPE
from ..extract.ocds import conform as ocds_conform
from ..extract.ocds import render as ocds_render
from .decode import decode
from .tidy import space_columns, tidy_text

ROW, CELL = "\x1e", "\x1f"  # markers that cannot occur in decoded HTML text

_BLOCKS = ("p,div,br,tr,li,h1,h2,h3,h4,h5,h6,table,section,article,header,footer,ul,ol,dl,dt,dd,"
           "pre,blockquote,form,hr,title,center,caption,nav,main,aside,figure,address,tbody,thead,"
           # portals build blocks from spans with an inline style
           "[style*='display:block'],[style*='display: block'],[style*='display:flex'],[style*='display: flex']")
_DROP = "script,style,noscript,template,svg,iframe,select,object,embed,head"
_CHROME = ("nav,aside,footer,[class*='nav'],[id*='nav'],[class*='menu'],[id*='menu'],[class*='crumb'],"
           "[class*='currentloc'],[class*='sidebar'],[id*='sidebar'],[class*='relcontent'],[class*='related'],"
           "[id*='related'],[class*='footer'],[id*='footer'],[class*='friendlink']")
_MAX_CHROME = 3000
_MAX_DEPTH = 2000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"))
_SHORT = 40  # characters of a block's text kept in its stats: enough for a heading such as 相关推荐
_MAX_SPAN = 50  # columns a cell may span: a hostile colspan="100000" must not blow the text up
_MAX_SPAN_COPY = 100  # characters of a cell spanning rows that are copied into each row
_CELL_TEXT = 200  # characters of a cell whose paragraphs are part of its line (longer: a layout's column)
_CELL_SPLIT = re.compile(f"[{CELL}\t]")
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u200b\ufeff]+")


@dataclass
class Converted:
    text: str
    media_type: str
    encoding: str | None = None
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages with no text layer
    ocr: list = field(default_factory=list)  # the pages OCR read, with their lines (sousveil.ocr.read.Page)
    html_meta: dict = field(default_factory=dict)  # <meta name=...> of the page (PubDate, ArticleTitle)


class ConversionError(Exception):
    """The bytes are of a known type but cannot be read (corrupt PDF, broken DOCX)."""


IMAGE_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"II*\x00", "image/tiff"),
               (b"MM\x00*", "image/tiff"))


def sniff(data: bytes, name: str, content_type: str | None = None) -> str:
    if content_type == OCDS_MEDIA_TYPE:  # set by ingest.ocds for each release of a package
        return content_type
    for magic, kind in IMAGE_TYPES:
        if data.startswith(magic):
            return kind
    head = data[:1024].lstrip()
    lower = name.lower()
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if head.startswith((b"{", b"[")) and lower.endswith(".json"):
        return "application/json"
    if content_type and "html" in content_type.lower():
        return "text/html"
    probe = head[:1024].lower()
    if lower.endswith((".htm", ".html", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")) or \
            b"<html" in probe or b"<!doctype html" in probe or b"<body" in probe or b"<meta" in probe or b"<div" in probe:
        return "text/html"
    return "text/plain"


def convert(data: bytes, name: str, content_type: str | None = None, ocr=None) -> Converted:
    """`ocr`: how to read pages without a text layer and images (sousveil.ocr.read.Options); None: not read."""
    media_type = sniff(data, name, content_type)
    if media_type == OCDS_MEDIA_TYPE:  # rendered by us: nothing for tidy_text to undo
        release = json.loads(data)
        if not isinstance(release, dict):
            raise ConversionError("an OCDS release that is not a JSON object")
        release = ocds_conform(release)
        return Converted(ocds_render(release), media_type, "utf-8", html_meta={"ocds": release})
    if media_type == "application/json":
        raise ConversionError("JSON that is not an OCDS release or package; not read")
    if media_type == "application/pdf":
        out = pdf_to_text(data, ocr)
    elif media_type.startswith("image/"):
        out = image_to_text(data, media_type, ocr)
    elif media_type.startswith("application/vnd.openxmlformats"):
        out = docx_to_text(data)
    elif media_type == "text/html":
        text, enc = decode(data, content_type)
        html, meta = html_to_text(text)
        out = Converted(html, media_type, enc, html_meta=meta)
    else:
        text, enc = decode(data, content_type)
        out = Converted(tidy_lines(space_columns(text).split("\n")), media_type, enc)
    out.text = tidy_text(out.text)  # converters' leftovers: pinyin glosses, spaced labels, broken names
    return out


def tidy_lines(lines) -> str:
    """Collapse white space inside each line and drop empty lines; tabs separate cells."""
    out = []
    for line in lines:
        if CELL in line or "\t" in line:
            cells = [_SPACE.sub(" ", c).strip() for c in _CELL_SPLIT.split(line)]
            if line.lstrip(" \xa0\r\n").startswith(CELL):
                cells = cells[1:]  # the marker before the first cell
            while cells and not cells[-1]:
                cells.pop()
            line = "\t".join(cells)
            if not line.strip():
                continue
        else:
            line = _SPACE.sub(" ", line).strip()
            if not line:
                continue
        out.append(line)
    return "\n".join(out)


def _flatten_deep(html: str) -> str:
    """Tags nested deeper than _MAX_DEPTH are taken out, their text kept. The parser's time grows with
    the square of the nesting (100,000 nested divs: 20 s), and no notice nests that deep."""
    if html.count("<") < _MAX_DEPTH:
        return html
    out, depth, last = [], 0, 0
    for m in _TAG.finditer(html):
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        depth += -1 if closing else 1
        if depth > _MAX_DEPTH or (closing and depth >= _MAX_DEPTH):
            out.append(html[last:m.start()])
            last = m.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


def html_to_text(html: str) -> tuple[str, dict]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_flatten_deep(html))
    meta = {}
    for node in tree.css("meta[name][content]"):
        meta[node.attributes.get("name")] = node.attributes.get("content")
    title = tree.css_first("title")
    if title is not None:
        meta.setdefault("title", title.text(strip=True))
    for node in tree.css(_DROP):
        node.decompose()
    _drop_chrome(tree)
    if "rowspan" in html or "colspan" in html:
        _spread_spans(tree)
    in_cells = _paragraphs_in_cells(tree)
    for node in tree.css("td,th"):
        node.insert_before(CELL)
    for node in tree.css(_BLOCKS):
        mark = " " if node.mem_id in in_cells else ROW
        node.insert_before(mark)
        node.insert_after(mark)
    root = tree.body if tree.body is not None else tree.root
    raw = root.text(separator="") if root is not None else ""
    # HTML white space (including newlines) is collapsible; only our markers make lines.
    raw = _SPACE.sub(" ", raw)
    text = tidy_lines(raw.split(ROW))
    return "\n".join(line for line in text.split("\n") if not _chrome_line(line)), meta


def _paragraphs_in_cells(tree) -> set[int]:
    """The paragraphs that stand inside a table's cell of a few words (a word processor's export wraps
    each cell's text in <p class="MsoNormal">): part of the cell's line, not lines of their own. A long
    cell, or one holding a table, is a page layout's column: its paragraphs stay lines."""
    inside = set()
    for cell in tree.css("td,th"):
        if cell.css_first("table") is not None or len(cell.text(separator="")) > _CELL_TEXT:
            continue
        inside.update(node.mem_id for node in cell.css("p,div"))
    return inside


def _spread_spans(tree) -> None:
    """Give every row of a table its cells in the header's columns: a cell spanning rows (包号 beside
    each supplier of its lot) is copied into each row it covers, a cell spanning columns is followed
    by empty cells. Without this a lot's second supplier sits in the lot's column."""
    for table in tree.css("table"):
        rows = [r for r in table.css("tr") if _nearest_table(r) == table.mem_id]  # not a nested table's
        pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text)
        for row in rows:
            cells = [c for c in row.iter() if c.tag in ("td", "th")]
            below: dict[int, tuple[int, str]] = {}
            col, i = 0, 0
            while i < len(cells) or any(c >= col for c in pending):
                if col in pending:  # a cell from a row above spans this one
                    left, copy = pending[col]
                    if i < len(cells):
                        cells[i].insert_before(CELL + copy)
                    else:
                        row.insert_child(CELL + copy)
                    if left > 1:
                        below[col] = (left - 1, copy)
                    col += 1
                    continue
                if i >= len(cells):
                    col += 1
                    continue
                cell = cells[i]
                i += 1
                width = min(_span(cell, "colspan"), _MAX_SPAN)
                height = _span(cell, "rowspan")
                if height > 1:
                    copy = _SPACE.sub(" ", cell.text(separator=" ")).strip()
                    # A lot number, a name, a brand are copied; a long cell (a page layout's column holding
                    # the whole notice) only keeps its place, or its text would be read twice.
                    below[col] = (height - 1, copy if len(copy) <= _MAX_SPAN_COPY else "")
                if width > 1:
                    cell.insert_after(CELL * (width - 1))
                col += width
            pending = below


def _span(cell, name: str) -> int:
    try:
        return max(1, int((cell.attributes.get(name) or "1").strip()))
    except ValueError:
        return 1


def _nearest_table(node) -> int | None:
    node = node.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return node.mem_id if node is not None else None


_ATTACHMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|7z|ofd|txt|jpg|png)$", re.I)
_CLASS_SPLIT = re.compile(r"[\s_-]+")
_HEADING_TRIM = re.compile(r"[\s:：>»›+|更多more]+$", re.I)
_LIST_SKIP = {"html", "body", "head"}
_LINK_DENSE = 0.6  # share of a block's characters inside links for it to be a list of links
_LINK_MIN = 3  # links in a headless list of links
_LINK_REST = 100  # characters outside links a headless list of links may have (dates, separators)
_HEADED_REST = 0.5  # share of links in what a heading's block holds besides the heading


@functools.lru_cache(maxsize=1)
def _chrome_words() -> dict:
    data = load_yaml("chrome.yaml")
    words = sorted(set(data["phrases"]), key=len, reverse=True)
    return {
        "class_tokens": frozenset(t.lower() for t in data["class_tokens"]),
        "headings": frozenset(data["list_headings"]),
        "phrases": re.compile("|".join([*data["patterns"], *map(re.escape, words)])),
        "line_prefixes": tuple(data["line_prefixes"]),
        "footer_prefixes": tuple(data["footer_prefixes"]),
        "footer_markers": tuple(data["footer_markers"]),
    }


class _Stats:
    __slots__ = ("chars", "link", "links", "attach", "cells", "row_cells", "short")

    def __init__(self):
        self.chars = self.link = self.links = self.row_cells = 0
        self.attach = self.cells = False
        self.short = ""  # the block's text while it is at most _SHORT characters, else None


def _block_stats(root) -> dict[int, _Stats]:
    """Characters (white space aside), characters inside links, links, attachment links and table cells
    of every element under root, in one pass from the leaves up (no recursion: pages nest deep)."""
    order = list(root.traverse(include_text=True))
    stats: dict[int, _Stats] = {}
    for node in reversed(order):
        tag = node.tag
        if tag == "-text":
            content = node.text_content or ""
            n = len(_SPACE.sub("", content))
            short = content if len(content) <= _SHORT else None
            own = None
        else:
            own = stats.setdefault(node.mem_id, _Stats())
            if tag == "a" and own.chars:
                own.link, own.links = own.chars, 1
                href = (node.attributes.get("href") or "").split("?")[0]
                if _ATTACHMENT.search(href) or _ATTACHMENT.search(node.text(strip=True)):
                    own.attach = True
            n, short = own.chars, own.short
        parent = node.parent
        if parent is None or node is root:
            continue
        up = stats.setdefault(parent.mem_id, _Stats())
        up.chars += n
        # children come last to first: each goes before the text gathered so far
        up.short = short + up.short if short is not None and up.short is not None and \
            len(short) + len(up.short) <= _SHORT else None
        if own is not None:
            up.link += own.link
            up.links += own.links
            up.attach |= own.attach
            up.cells |= own.cells or tag in ("td", "th")
            if tag in ("td", "th"):
                up.row_cells += 1
    return stats


def _drop_chrome(tree) -> None:
    """Remove navigation, breadcrumbs, sidebars, "related notices" lists, login and download prompts and
    footers: their words are not the notice's (a sidebar listing another notice's 视频监控 title must not
    tag this one). Four signs, measured in docs/main-content.md: a class naming chrome (CSS selectors, then
    whole class tokens from data/chrome.yaml), a heading of a list of other notices (相关推荐, 猜你喜欢) with
    the links beside it, and a block of three or more links with little else (no attachment, no table
    cells, not inside a row of several cells). A block longer than _MAX_CHROME characters is kept, in case a
    portal named its content that way; lines of the site's own words are dropped later (_chrome_line)."""
    words = _chrome_words()
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return
    stats = _block_stats(root)
    empty = _Stats()
    found = {n.mem_id: n for n in tree.css(_CHROME) if stats.get(n.mem_id, empty).chars <= _MAX_CHROME}
    for node in root.traverse():
        if node.tag in _LIST_SKIP or node.mem_id in found:
            continue
        st = stats.get(node.mem_id, empty)
        cls = node.attributes.get("class")
        if cls and st.chars <= _MAX_CHROME and not st.cells and \
                words["class_tokens"].intersection(_CLASS_SPLIT.split(cls.lower())):
            found[node.mem_id] = node
        elif 0 < st.chars <= 20 and st.link == 0 and st.short is not None and \
                _HEADING_TRIM.sub("", st.short.strip()) in words["headings"]:
            for block in _headed_list(node, stats, empty):
                found[block.mem_id] = block
        elif st.links >= _LINK_MIN and st.link >= _LINK_DENSE * st.chars and st.chars - st.link <= _LINK_REST and \
                not st.attach and not st.cells and not _in_data_row(node, stats, empty):
            found[node.mem_id] = node
    # A block inside another one removed goes with it. Whether a node lies inside a removed one is
    # remembered for every ancestor walked, so nested chrome costs one walk in all, not one per block.
    inside: dict[int, bool] = {}
    for node in found.values():
        path, parent = [], node.parent
        while parent is not None and parent.mem_id not in inside and parent.mem_id not in found:
            path.append(parent.mem_id)
            parent = parent.parent
        covered = parent is not None and (parent.mem_id in found or inside[parent.mem_id])
        inside.update((mem_id, covered) for mem_id in path)
        if not covered:
            node.decompose()


def _headed_list(heading, stats, empty) -> list:
    """The block a list heading opens: its ancestors while what they add is mostly links, or else the
    heading and the lists of links that follow it among its siblings."""
    node, own = heading, stats.get(heading.mem_id, empty)
    while node.parent is not None and node.parent.tag not in _LIST_SKIP:
        up = stats.get(node.parent.mem_id, empty)
        rest, rest_link = up.chars - own.chars, up.link - own.link
        if up.chars > _MAX_CHROME or (rest and rest_link < _HEADED_REST * rest):
            break
        node, own = node.parent, up
    if own.link:
        return [node]
    blocks, sib = [node], node.next
    while sib is not None:
        if sib.tag != "-text":
            st = stats.get(sib.mem_id, empty)
            if not st.links or st.link < _HEADED_REST * st.chars or st.attach:
                break
            blocks.append(sib)
        elif (sib.text_content or "").strip():
            break
        sib = sib.next
    return blocks if len(blocks) > 1 else []


def _in_data_row(node, stats, empty) -> bool:
    """A table cell, or a block inside one, in a row of several cells: a table of the notice's (winners
    with linked names), not a page layout's column."""
    while node is not None:
        if node.tag in ("td", "th") and node.parent is not None and stats.get(node.parent.mem_id, empty).row_cells > 1:
            return True
        node = node.parent
    return False


_LINE_SEPARATORS = re.compile(r"[\s|｜·•/、，,;；:：.。!！?？\[\]【】()（）<>＜＞«»›‹\-_—–~\d]+")


def _chrome_line(line: str) -> bool:
    """A line of the site's own words: a prompt (登录后查看, 立即下载), a copyright note or disclaimer, a
    footer, or a short line made only of chrome words. A table row is never one."""
    if "\t" in line or len(line) > 200:
        return False
    words = _chrome_words()
    if line.startswith(words["footer_prefixes"]):
        return True
    if len(line) <= 150 and sum(m in line for m in words["footer_markers"]) >= 2:
        return True
    if len(line) > 60:
        return False
    if line.startswith(words["line_prefixes"]):
        return True
    rest, n = words["phrases"].subn("", line)
    return n > 0 and not _LINE_SEPARATORS.sub("", rest)


_LISTED_TITLE = re.compile(r"(公告|公示|通知|结果|项目|文件|合同)\s*[\d./\-年月日]*$")  # an item of a list of notices


def chrome_rows(lines: list[str]) -> list[bool]:
    """Which lines of a page printed from a portal or an aggregator (a PDF's text layer, a scan) are the site's:
    those of _chrome_line, and a list of other notices under its heading (相关推荐, then a title a line: short,
    no cell, no label, ending as a notice's title does), as _drop_chrome finds them in HTML. A heading with
    no such title under it is a section's, and stays."""
    headings = _chrome_words()["headings"]
    out, listing = [], False
    for i, line in enumerate(lines):
        if listing and _listed_title(line):
            out.append(True)
            continue
        listing = 0 < len(line) <= 20 and _HEADING_TRIM.sub("", line.strip()) in headings and \
            i + 1 < len(lines) and _listed_title(lines[i + 1])
        out.append(listing or _chrome_line(line))
    return out


def _listed_title(line: str) -> bool:
    return len(line) <= 80 and "\t" not in line and "：" not in line and ":" not in line and \
        bool(_LISTED_TITLE.search(line))


def _without_chrome(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(line for line, chrome in zip(lines, chrome_rows(lines)) if not chrome)


def pdf_to_text(data: bytes, ocr=None) -> Converted:
    """Each page's text layer; a page without one is read by OCR (when `ocr` is given), page by page, so a
    mixed document has its typed and its scanned pages in order."""
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:  # PyMuPDF raises its own FileDataError and RuntimeErrors
        raise ConversionError(f"unreadable PDF: {e}") from e
    parts, no_layer, scanned = [], [], []
    with doc:
        if doc.needs_pass:
            raise ConversionError("PDF is encrypted with a password")
        for number, page in enumerate(doc, start=1):
            text = page.get_text("text")
            if not text.strip():
                no_layer.append(number)
                if ocr is not None:
                    from ..ocr.read import pdf_page_image

                    _ocr_page(pdf_page_image(page), number, ocr, parts, scanned)
                continue
            parts.append(_without_chrome(tidy_lines(text.split("\n"))))
        pages = doc.page_count
    return Converted("\n".join(parts), "application/pdf", None, pages, no_layer, scanned)


def _ocr_page(image, number: int, ocr, parts: list, scanned: list) -> None:
    """Recognise one page image (None: a blank page) and add its text, when it has any."""
    from ..ocr.read import read

    if image is None:
        return
    page = read(image[0], number, image[1], ocr)
    rows = page.text.split("\n") if page.rows else []  # one a row of page.rows
    kept = [i for i, chrome in enumerate(chrome_rows(rows)) if not chrome]  # the site's lines are placed nowhere
    page.text = "\n".join(rows[i] for i in kept)
    page.rows = [page.rows[i] for i in kept]
    if page.text.strip():
        parts.append(tidy_lines(page.text.split("\n")))
        scanned.append(page)


def image_to_text(data: bytes, media_type: str, ocr=None) -> Converted:
    """A scan or a photo (PNG, JPEG, TIFF with all its pages), read by OCR when `ocr` is given."""
    from PIL import Image

    from ..ocr.read import image_pages

    parts, numbers, scanned = [], [], []
    try:
        for number, image in enumerate(image_pages(data), start=1):
            numbers.append(number)
            if ocr is not None:
                _ocr_page(image, number, ocr, parts, scanned)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:  # Pillow: truncated or corrupt data
        raise ConversionError(f"unreadable image: {e}") from e
    return Converted("\n".join(parts), media_type, None, len(numbers), numbers, scanned)


def docx_to_text(data: bytes) -> Converted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile, lxml errors
        raise ConversionError(f"unreadable DOCX: {e}") from e
    lines = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                lines.append("\t".join(cell.text.replace("\n", " ") for cell in row.cells))
    return Converted(tidy_lines(lines), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
