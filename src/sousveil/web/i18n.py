"""Interface labels in Chinese and English (data/ui.yaml) and capability names from the taxonomy."""

from __future__ import annotations

from ..classify.taxonomy import taxonomy
from ..data_files import load_yaml
from ..extract.region import gazetteer
from ..resolve.vendors import registry

LANGS = ("zh", "en")
COOKIE = "sousveil_lang"


def choose_lang(request) -> str:
    """?lang= first (the switch), then the cookie it sets, then the browser's preference."""
    for lang in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if lang in LANGS:
            return lang
    accept = request.headers.get("accept-language", "")
    return "zh" if accept.lower().startswith("zh") else "en"


class Labels:
    """`t("key")` for a label, `t.type(...)`, `t.buyer_type(...)`, `t.category(...)` for coded values."""

    def __init__(self, lang: str):
        self.lang = lang
        self.other = "en" if lang == "zh" else "zh"
        self._ui = load_yaml("ui.yaml")

    def __call__(self, key: str, **values) -> str:
        text = self._ui["labels"][key][self.lang]
        return text.format(**values) if values else text

    def _coded(self, table: str, value) -> str:
        entry = self._ui[table].get(value) if value else None
        return entry[self.lang] if entry else (value or self("unknown"))

    def field(self, value) -> str:
        return self._coded("fields", value)

    def role(self, value) -> str:
        return self._coded("roles", value)

    def strength(self, value) -> str:
        return self._coded("strengths", value)

    def amount_status(self, value) -> str:
        """currency:HKD -> "in another currency, not converted: HKD"."""
        kind, _, code = (value or "").partition(":")
        label = self._coded("amount_statuses", kind)
        return f"{label} {code}" if code else label

    def type(self, value) -> str:
        return self._coded("types", value)

    def method(self, value) -> str:
        """How a fact was found, by its short name in data/methods.yaml."""
        entry = load_yaml("methods.yaml")["methods"].get(value)
        return entry[self.lang] if entry else (value or self("unknown"))

    def method_about(self, value) -> str:
        entry = load_yaml("methods.yaml")["methods"].get(value)
        return entry["about"] if entry else ""

    def buyer_type(self, value) -> str:
        return self._coded("buyer_types", value)

    def category(self, value) -> str:
        cat = taxonomy().categories.get(value)
        if cat is None:
            return value or self("unknown")
        return cat.name_zh if self.lang == "zh" else cat.name_en

    def vendor(self, vendor_id: str) -> str:
        v = registry().vendors.get(vendor_id)
        if v is None:
            return vendor_id
        return f"{v.name_zh}（{v.name_en}）" if self.lang == "zh" else f"{v.name_en} ({v.name_zh})"

    def facet_value(self, facet: str, value: str, label) -> str:
        """How a facet value reads: coded values translated, names as written."""
        if facet == "category":
            return self.category(value)
        if facet == "type":
            return self.type(value)
        if facet == "buyer_type":
            return self.buyer_type(value)
        if facet == "synthetic":
            return self("synthetic") if value == "1" else self("real")
        if facet == "review":
            return self(value)
        if facet == "vendor":
            return self.vendor(value)
        if facet in ("designated", "confident"):
            return self("answer_yes")
        if facet in ("province", "city") and str(value).isdigit():
            place = gazetteer().places.get(str(value))
            return place.name if place else str(value)
        return str(label)
