"""Write the `traditional:` list of every term group in the taxonomy from its simplified terms.

Run after editing terms: python scripts/taxonomy_traditional.py src/sousveil/data/taxonomy.yaml
Traditional forms come from OpenCC (s2t, s2tw, s2hk, s2twp); a test checks that the file is complete.
"""

import re
import sys

import opencc

CONVERTERS = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk", "s2twp")]


def traditional(terms):
    out = []
    for term in terms:
        for conv in CONVERTERS:
            t = conv.convert(term)
            if t != term and t not in out:
                out.append(t)
    return out


def main(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"\n +traditional: \[[^\]]*\]", "", text)
    out, pos = [], 0
    for m in re.finditer(r"\n( +)terms: \[([^\]]*)\]", text):
        indent, body = m.group(1), m.group(2)
        terms = [t.strip() for t in body.replace("\n", " ").split(",") if t.strip()]
        trad = traditional(terms)
        out.append(text[pos:m.end()])
        if trad:
            out.append(f"\n{indent}traditional: [{', '.join(trad)}]")
        pos = m.end()
    out.append(text[pos:])
    open(path, "w", encoding="utf-8").write("".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
