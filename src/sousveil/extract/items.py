"""Item tables: what was bought, its brand, model, quantity and unit price."""

from __future__ import annotations

import re
from decimal import Decimal

from ..model import Item, Notice
from .amounts import find_amount, unit_from_label
from .sections import Scan, lot_key


_BRAND_MODEL = re.compile(r"\s*[/、;；]\s*|\s+")


def item_facts(notice: Notice, text: str, scan: Scan) -> None:
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
