"""Bytes to str for HTML and plain text: BOM, then valid UTF-8, then the declared charset,
then detection. Declarations are often wrong on Chinese portals, so they are a hint only."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)

# Decode with the superset: pages that declare gb2312 routinely use GBK/GB18030 characters,
# and Big5 pages from Hong Kong use HKSCS characters.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
              "cp936": "gb18030", "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs"}

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def declared_charset(data: bytes, header: str | None = None) -> str | None:
    """The charset an HTTP Content-Type header or the page's own <meta> / XML declaration names."""
    if header:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", header, re.I)
        if m:
            return m.group(1).lower()
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def codec_for(charset: str) -> str | None:
    name = _SUPERSETS.get(charset.lower(), charset.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, header: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Never raises: the last resort replaces undecodable bytes."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc.replace("-sig", "")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, header)
    codec = codec_for(declared) if declared else None
    if codec and codec not in ("utf-8", "ascii"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass  # a wrong declaration: fall through to detection
    best = from_bytes(data[:65536], cp_isolation=["gb18030", "big5hkscs", "utf_8", "utf_16", "cp1252"]).best()
    if best is not None:
        enc = best.encoding
        return data.decode(enc, errors="replace"), enc
    return data.decode("gb18030", errors="replace"), "gb18030"
