"""The recognition engine: RapidOCR with the PP-OCRv4 models its wheel ships (nothing is downloaded)."""

from __future__ import annotations

import functools
import multiprocessing
import unicodedata
from dataclasses import dataclass, field

ENGINE = "rapidocr-onnxruntime PP-OCRv4"
READ_WIDTH = 160  # pixels: a recognised line is padded to at least this width at 48 px high (rapidocr: 320)
BULLETS = "•·●▪◦"  # a list's bullet starting a line is markup, not text: HTML's text has none either


@dataclass
class Line:
    """A recognised line of text: its box on the page image (pixels) and the engine's confidence."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    blackout: list = field(default_factory=list)  # (x0, x1) of the box's parts that redaction removed

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def char_widths(text: str) -> list[int]:
    """Each character's width in a line of print, in digits: a Chinese character as wide as two."""
    return [2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text]


@functools.lru_cache(maxsize=1)
def engine():
    """Loaded once per process. In a worker of the ingest pool one thread, since the pool spreads the
    pages over the CPUs; in a single process every CPU."""
    from rapidocr_onnxruntime import RapidOCR

    threads = 1 if multiprocessing.parent_process() is not None else -1
    # One line a recognition batch: lines of a batch are padded to the longest, which cost a fifth more
    # time on printed pages; a short line padded to 160 px, not 320 (docs/ocr.md)
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False, rec_batch_num=1,
                    rec_img_shape=[3, 48, READ_WIDTH])


def recognise(image) -> tuple[list[Line], list]:
    """The lines of a page image (a numpy array, grey or RGB) in the engine's order, and their quadrilaterals
    (corner points, for the page's skew)."""
    import numpy as np

    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    result, _ = engine()(image)
    lines, quads = [], []
    for quad, text, score in result or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        text = text.lstrip(BULLETS + " ")
        if text.strip():
            lines.append(Line(text, float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)), float(score)))
            quads.append(quad)
    return lines, quads
