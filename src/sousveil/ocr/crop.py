"""The evidence of a fact read by OCR, on the page image: a crop around its lines with their box drawn.

The page is rendered from the original (kept only with `ingest --keep-originals`) exactly as it was for
OCR, then every part of it that redaction removed from the text is blacked out before anything is cut:
a redacted name is no more legible in the picture than in the text.
"""

from __future__ import annotations

import io

import numpy as np

MARGIN = 1.5  # line heights of context above and below the evidence
CONTEXT = 0.25  # of the page's width, either side of the evidence
RED = (200, 20, 20)


def page_image(original: bytes, media_type: str, number: int) -> np.ndarray | None:
    """The grey image OCR read of page `number` (1-based), or None when there is no such page."""
    from .read import image_pages, pdf_page_image

    if media_type == "application/pdf":
        import pymupdf

        with pymupdf.open(stream=original, filetype="pdf") as doc:
            if not 1 <= number <= doc.page_count:
                return None
            image = pdf_page_image(doc[number - 1])
            return image[0] if image else None
    for i, (gray, _) in enumerate(image_pages(original), start=1):
        if i == number:
            return gray
    return None


def crop(gray: np.ndarray, page_lines: list[dict], evidence: list[dict]) -> bytes:
    """A PNG: the page with the black-outs of `page_lines` (rows of ocr_lines on this page) applied,
    cut around the `evidence` lines, whose box is drawn in red."""
    import json

    from PIL import Image, ImageDraw

    img = Image.fromarray(gray).convert("RGB")
    draw = ImageDraw.Draw(img)
    for line in page_lines:
        for x0, x1 in json.loads(line["blackout"] or "[]"):
            draw.rectangle([x0, line["y0"], x1, line["y1"]], fill=(0, 0, 0))
    x0 = min(e["x0"] for e in evidence)
    y0 = min(e["y0"] for e in evidence)
    x1 = max(e["x1"] for e in evidence)
    y1 = max(e["y1"] for e in evidence)
    height = max(e["y1"] - e["y0"] for e in evidence)
    pad = max(4, int(height / 8))
    draw.rectangle([x0 - pad, y0 - pad, x1 + pad, y1 + pad], outline=RED, width=max(2, pad // 2))
    w, h = img.size
    box = (max(0, int(x0 - CONTEXT * w)), max(0, int(y0 - MARGIN * height)),
           min(w, int(x1 + CONTEXT * w)), min(h, int(y1 + MARGIN * height)))
    out = io.BytesIO()
    img.crop(box).save(out, "PNG", optimize=True)
    return out.getvalue()
