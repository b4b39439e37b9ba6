"""Name variants of registry vendors with their ground truth, as notices write them: for the
resolution tests and for the generator's suppliers and brands (all synthetic)."""

from __future__ import annotations

import random

from ..resolve.names import parse
from ..resolve.vendors import Registry
from .generate import _s2hk

_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
REGIONS = ["新疆", "乌鲁木齐", "北京", "广东", "深圳", "杭州", "西藏", "四川", "河南", "喀什"]


def variants(reg: Registry, rng: random.Random) -> list[tuple[str, str, str]]:
    """(name, vendor id, kind) for every vendor: the ways procurement notices write it."""
    out = []
    for v in reg.vendors.values():
        names = list(v.registered) or [v.name_zh]
        full = rng.choice(names)
        region = rng.choice(REGIONS)
        out.append((full, v.id, "registered"))
        out.append((_s2hk().convert(full), v.id, "traditional"))
        if full.endswith("公司"):
            out.append((f"{full}{region}分公司", v.id, "branch"))
            out.append((full.replace("有限公司", "有限公司 "), v.id, "spacing"))
            out.append((f"{full}（{region}）", v.id, "bracketed region"))
        zh_aliases = [a for a in v.aliases if not a.isascii() and len(a) >= 2]
        if zh_aliases:
            alias = rng.choice(zh_aliases)
            out.append((alias, v.id, "alias"))
        en = [a for a in v.aliases if a.isascii() and len(a) >= 3]
        if en:
            out.append((rng.choice(en).upper().translate(_FULL) if rng.random() < 0.5 else rng.choice(en), v.id,
                        "english"))
        if v.prefixes and rng.random() < 0.8:
            out.append((f"{region}{v.prefixes[0]}系统技术有限公司", v.id, "subsidiary by prefix"))
        core = parse(full).core
        if len(core) >= 6 and core in full:  # a slip of the keyboard inside a long distinctive part
            i = full.index(core) + rng.randrange(1, len(core) - 1)
            out.append((full[:i] + full[i + 1:], v.id, "typo"))
    return out


def brand_variants(reg: Registry, rng: random.Random) -> list[tuple[str, str, str]]:
    out = []
    for v in reg.vendors.values():
        zh = [a for a in v.aliases if not a.isascii()]
        en = [a for a in v.aliases if a.isascii()]
        if zh:
            out.append((rng.choice(zh), v.id, "brand"))
        if en:
            out.append((rng.choice(en).upper(), v.id, "brand upper"))
        if zh and en:
            out.append((f"{zh[0]}/{en[0]}", v.id, "brand pair"))
    return out
