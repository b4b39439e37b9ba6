"""A page image -> its recognised lines and laid-out text, each page under its own time budget, and cached
by the hash of the page image so that a second run (a retry, a re-ingest) does not recognise it again.

The cache holds what the database would hold: after redaction (pipeline.py) each line's text is the
redacted text it became, with the parts of its box to black out; never what was removed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import seal
from .engine import BULLETS, READ_WIDTH, REC_BATCH, RESCUE, Line, engine_name, recognise
from .layout import lay_out_rows, skew

DPI = 300  # PDF pages are rendered at this resolution; PP-OCR reads a printed A4 page well at it
MAX_SIDE = 4200  # pixels: a page larger than A4 (a drawing, a poster) is rendered at a lower resolution
PAGE_SECONDS = 30.0  # a page's time budget; an A4 page takes about 1 s of one CPU (docs/ocr.md)
MAX_PAGES = 500  # pages of one image file (multi-page TIFF) read


@dataclass
class Options:
    """How OCR runs: `cache` is a folder (None: no cache), `page_seconds` the budget of one page."""

    cache: str | None = None
    page_seconds: float | None = PAGE_SECONDS


@dataclass
class Page:
    """One page read by OCR. `lines` carry the recognised (unredacted) text until pipeline.py has placed and
    redacted them; `rows` are the lines each line of `text` holds, `order` the lines in the order of `text`."""

    page: int  # 1-based
    width: int
    height: int
    dpi: int | None
    image_sha256: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    rows: list[list[int]] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    skew: float = 0.0  # degrees
    engine: str = ""  # what read it (engine.engine_name), stored with the page

    @property
    def order(self) -> list[int]:
        return [i for held in self.rows for i in held]


def cache_beside(db_path) -> str:
    """The OCR cache of a database: a hidden folder beside it (a walk of the folder skips it)."""
    path = Path(db_path)
    return str(path.parent / f".{path.name}-ocr")


def image_hash(gray: np.ndarray) -> str:
    h = hashlib.sha256(f"{engine_name()}|{READ_WIDTH}|{REC_BATCH}|{RESCUE}|{BULLETS}|{gray.shape}|".encode())  # what changes the lines read
    h.update(np.ascontiguousarray(gray).data)
    return h.hexdigest()


def read(gray: np.ndarray, number: int, dpi: int | None, options: Options) -> Page:
    """Recognise a grey page image (from the cache when it was read before)."""
    digest = image_hash(gray)
    page = Page(number, gray.shape[1], gray.shape[0], dpi, digest, engine=engine_name())
    cached = _load(options.cache, digest)
    if cached is not None:
        page.lines = [Line(*row[:6], blackout=[tuple(b) for b in row[6]]) for row in cached["lines"]]
        page.cached = True
        angle = cached["skew"]
    else:
        from ..pipeline import PageOverBudget, page_budget

        started = time.perf_counter()
        try:
            with page_budget(options.page_seconds):
                page.lines, quads = recognise(gray)
        except PageOverBudget:
            page.error = f"OCR took longer than the page's time budget of {options.page_seconds:g} s"
            return page
        page.seconds = time.perf_counter() - started
        angle = skew(quads)
    page.skew = angle
    rows = lay_out_rows(page.lines, gray, angle)
    page.text = "\n".join(text for text, _ in rows)
    page.rows = [held for _, held in rows]
    return page


def save(options: Options, page: Page) -> None:
    """Keep a page's lines as redaction left them (their text and black-outs set by evidence.place)."""
    if not options.cache or page.cached or page.error:
        return
    rows = [[ln.text, ln.x0, ln.y0, ln.x1, ln.y1, ln.confidence, ln.blackout] for ln in page.lines]
    path = Path(options.cache) / page.image_sha256[:2] / f"{page.image_sha256}.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(gzip.compress(json.dumps({"lines": rows, "skew": page.skew}, ensure_ascii=False).encode()))
    os.replace(tmp, path)  # whole or absent, whatever kills the worker


def _load(folder: str | None, digest: str) -> dict | None:
    if not folder:
        return None
    try:
        return json.loads(gzip.decompress((Path(folder) / digest[:2] / f"{digest}.json.gz").read_bytes()))
    except (OSError, ValueError, EOFError):  # absent, or torn by a crash: read the page again
        return None


def pdf_page_image(page) -> tuple[np.ndarray, int] | None:
    """A PDF page without a text layer rendered grey, and its resolution; None for a blank page."""
    import pymupdf

    if not page.get_images() and not page.get_drawings():
        return None
    rect = page.rect
    dpi = min(DPI, int(MAX_SIDE * 72 / max(rect.width, rect.height, 1)))
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    return seal.grey(np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)), dpi


def image_pages(data: bytes):
    """The pages of an image file (PNG, JPEG, TIFF with its pages) as grey arrays, with their resolution."""
    import io

    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        for number in range(min(getattr(img, "n_frames", 1), MAX_PAGES)):
            img.seek(number)
            frame = ImageOps.exif_transpose(img) if number == 0 else img  # a photo's orientation
            frame = frame.convert("L" if frame.mode in ("1", "L", "LA", "I", "I;16") else "RGB")  # grey: no seal to fade
            dpi = img.info.get("dpi")
            scale = min(1.0, MAX_SIDE / max(frame.size))
            if scale < 1.0:
                frame = frame.resize((int(frame.width * scale), int(frame.height * scale)))
            pixels = np.asarray(frame)
            yield (pixels if pixels.ndim == 2 else seal.grey(pixels)), int(dpi[0] * scale) if dpi and dpi[0] else None
