"""Render HTML notices to scanned-looking documents, with the ground truth carried over.

    python scripts/render_scans.py SRC_DIR OUT_DIR [--limit N] [--degrade] [--photos]

SRC_DIR is a folder of `sousveil synth` (truth.jsonl + notices/) or a labelled folder of ../shared/real
(labels.jsonl beside the HTML). Each notice is printed to A4 by Debian's chromium (Playwright, no
browser download; black text, as a printer gives it), rasterised at 300 dpi with PyMuPDF and written
as an image-only PDF (no text layer) beside the labels, its labels line copied with the new file name.
OUT_DIR/pages.jsonl holds each page's printed text, the reference for character accuracy.
--degrade adds skew, blur, noise, a stamp, a lower resolution and (--photos) a phone photo's perspective.
A generated notice stays labelled synthetic: the mark is printed on its first page, its sidecar is
copied (synthetic: true) and the PDF's metadata says so.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sousveil.ingest.decode import decode  # the encoding of a page as sousveil reads it (GBK portals)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A printer prints black on white, whatever colours the portal's style sheet gives.
PRINT_CSS = "* { color: #000 !important; background: #fff !important; font-family: 'Noto Sans CJK SC', sans-serif !important; }"
STAMP_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
DPI = 300


def print_pdf(page, html: str) -> bytes:
    page.set_content(html, wait_until="load")
    page.add_style_tag(content=PRINT_CSS)
    return page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})


def rasterise(pdf: bytes, dpi: int = DPI) -> tuple[list[Image.Image], list[str]]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        images, texts = [], []
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            images.append(Image.frombytes("L", (pix.width, pix.height), pix.samples))
            texts.append(page.get_text("text"))
    return images, texts


def stamp(img: Image.Image, rng: random.Random) -> Image.Image:
    """A red seal over the bottom right of the page, as on a signed award letter."""
    rgb = img.convert("RGB")
    w, h = rgb.size
    r = int(w * 0.09)
    layer = Image.new("RGBA", rgb.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = int(w * rng.uniform(0.6, 0.8)), int(h * rng.uniform(0.55, 0.85))
    red = (210, 30, 30, 150)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(4, r // 14))
    font = ImageFont.truetype(STAMP_FONT, r // 3)
    d.text((cx, cy), "★", font=font, fill=red, anchor="mm")
    d.text((cx, cy + r // 2), "专用章", font=ImageFont.truetype(STAMP_FONT, r // 4), fill=red, anchor="mm")
    return Image.alpha_composite(rgb.convert("RGBA"), layer).convert("RGB")


def perspective(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo: the page seen a little from the side, on a grey desk, unevenly lit."""
    w, h = img.size
    m = 0.04
    quad = [(rng.uniform(0, m) * w, rng.uniform(0, m) * h), (rng.uniform(0, m) * w, h - rng.uniform(0, m) * h),
            (w - rng.uniform(0, m) * w, h - rng.uniform(0, m) * h), (w - rng.uniform(0, m) * w, rng.uniform(0, m) * h)]
    # QUAD maps the output's corners to these points of the input: pad first so the page's edge shows
    pad = Image.new(img.mode, (int(w * 1.06), int(h * 1.06)), (120, 120, 120) if img.mode == "RGB" else 120)
    pad.paste(img, (int(w * 0.03), int(h * 0.03)))
    shift = [(x + w * 0.03, y + h * 0.03) for x, y in quad]
    out = pad.transform((w, h), Image.Transform.QUAD, [c for p in shift for c in p], Image.Resampling.BICUBIC)
    a = np.asarray(out).astype(np.float32)
    light = np.linspace(1.0, 0.8, a.shape[1])[None, :]
    a = a * (light[..., None] if a.ndim == 3 else light)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def degrade(img: Image.Image, rng: random.Random, photo: bool = False) -> Image.Image:
    """Skew, blur, noise, a stamp, a lower resolution (200 dpi); a photo also gets perspective and JPEG."""
    out = stamp(img, rng)
    out = out.rotate(rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if photo:
        out = perspective(out, rng)
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    w, h = out.size
    out = out.resize((w * 2 // 3, h * 2 // 3), Image.Resampling.BILINEAR)  # 300 -> 200 dpi
    a = np.asarray(out).astype(np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 12, a.shape)
    return Image.fromarray(np.clip(a + noise, 0, 255).astype(np.uint8))


def image_pdf(images: list[Image.Image], synthetic: bool, dpi: int) -> bytes:
    """A PDF of page images only, as a scanner writes it: no text layer."""
    doc = pymupdf.open()
    for img in images:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        w, h = img.size
        page = doc.new_page(width=w * 72 / dpi, height=h * 72 / dpi)
        page.insert_image(page.rect, stream=buf.getvalue())
    if synthetic:
        doc.set_metadata({"subject": "SYNTHETIC: generated by sousveil synth, not a real notice",
                          "keywords": "synthetic"})
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def labels_of(src: Path) -> tuple[Path, Path, str]:
    """(labels file, folder of the documents, file name of the labels) of a synth or real folder."""
    if (src / "truth.jsonl").exists():
        return src / "truth.jsonl", src / "notices", "truth.jsonl"
    return src / "labels.jsonl", src, "labels.jsonl"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--degrade", action="store_true")
    ap.add_argument("--photos", action="store_true", help="degraded pages as phone photos (a multi-page TIFF a notice)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    labels_path, docs, labels_name = labels_of(args.src)
    rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if not r.get("duplicate_of")][:args.limit]
    target = args.out / "notices" if labels_name == "truth.jsonl" else args.out  # the layout `evaluate` reads
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    labels_out, pages_out = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page()
        for row in rows:
            path = docs / row["file"]
            sidecar = path.with_name(path.name + ".meta.json")
            synthetic = labels_name == "truth.jsonl"
            html, _ = decode(path.read_bytes(), None)
            images, texts = rasterise(print_pdf(page, html))
            dpi = DPI
            if args.degrade:
                images = [degrade(img, rng, args.photos) for img in images]
                dpi = DPI * 2 // 3
            stem = path.stem
            if args.photos:  # a phone's photos of the pages, kept together as a multi-page TIFF
                names = [f"{stem}.tiff"]
                images[0].save(target / names[0], "TIFF", compression="jpeg", save_all=True,
                               append_images=images[1:], dpi=(dpi, dpi))
            else:
                names = [f"{stem}.pdf"]
                (target / names[0]).write_bytes(image_pdf(images, synthetic, dpi))
            for name in names:
                if sidecar.exists():
                    shutil.copy(sidecar, target / (name + ".meta.json"))
            labels_out.append({**row, "file": names[0]})
            for i, text in enumerate(texts):
                pages_out.append({"file": names[0], "page": i + 1, "text": text})
        browser.close()
    (args.out / labels_name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in labels_out),
                                        encoding="utf-8")
    (args.out / "pages.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in pages_out),
                                          encoding="utf-8")
    print(f"{len(labels_out)} notices, {len(pages_out)} pages in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
