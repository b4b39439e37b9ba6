"""One `Notice` from the stored text of one document: a pure function of the text.

The scan (sections.py) reads the text line by line, keeping the current section's scope (which
party a generic "名称：" belongs to) and lot, and collects the values of labels in lines, cells,
tables and sentences. The notice is then assembled along the document's own structure, each step
keeping the span of every value it cites: what the document is (heading.py), who is who
(parties.py), the sums (sums.py), the item tables (items.py), the dates (dates.py) and the region
(region.py). Last, every fact says how it was found (facts.py).
"""

from __future__ import annotations

from ..model import Fact, Notice
from ..text import fold
from .dates import date_facts
from .facts import assign_methods
from .heading import heading_and_type, title_code_method
from .items import item_facts
from .parties import party_facts
from .region import region_facts
from .sections import Scan
from .sums import sum_facts


def extract_notice(text: str, html_meta: dict | None = None, url: str | None = None, folded: str | None = None) -> Notice:
    """The facts of one notice. `text` is the stored (redacted) text; every span points into it."""
    folded = folded if folded is not None else fold(text)
    scan = Scan(text, folded).run()
    notice = Notice()
    meta = html_meta or {}

    heading_and_type(notice, text, folded, scan, meta, url)
    title_code_method(notice, text, folded, scan)
    party_facts(notice, text, folded, scan)
    sum_facts(notice, text, folded, scan)
    item_facts(notice, text, scan)
    date_facts(notice, text, folded, scan, meta)
    region_facts(notice, text, folded, scan)
    if notice.region.province_code:  # the gazetteer's places are China's (GB/T 2260)
        notice.country = "CN"
        notice.facts.append(Fact("country", "CN", origin="derived", note="the country of the province"))
    assign_methods(notice, scan)
    return notice
