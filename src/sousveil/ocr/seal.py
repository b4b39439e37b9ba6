"""Red seals faded out of a page image before it is recognised.

A seal (公章) stamped across a line hides the line from the detector: on a degraded scan of `make bench` the
winner of a second lot went unread under one. In the red channel a red seal is nearly paper, while the black
print under it stays darker; so inside each seal found on the page, its red pixels take their red channel's
value, stretched so that the seal's ink is paper and the print under it dark. Only round red marks of a seal's size are seals: red print elsewhere (a heading, a sum set in red)
keeps its grey value and stays legible.
"""

from __future__ import annotations

import numpy as np

REDNESS = 60  # R - max(G, B) of a pixel of red ink, or of black print under a seal's translucent red
SEAL_SIDE = (0.08, 0.4)  # a seal's diameter as a share of the page's shorter side (4 cm on A4 is 0.2)
ROUND = 1.4  # at most this ratio of a seal's width and height (an oval seal is 4.5 by 3.5 cm)
RING = 0.3  # at least this share of a seal's red pixels lies on its outer ring
_SCALE = 4  # seals are looked for at a quarter of the resolution


def grey(rgb: np.ndarray) -> np.ndarray:
    """The page in grey (as OCR reads it), each red seal on it faded."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    for x0, y0, x1, y1 in seals(rgb):
        part = rgb[y0:y1, x0:x1]
        red = _red(part)
        r = part[..., 0][red].astype(np.int16)
        # The seal's ink on paper is the lightest red there (its 90th percentile): it becomes paper, and print
        # under a translucent seal, half as light in red, is stretched back to dark (a table's rule stays whole).
        paper = int(np.percentile(r, 90))
        gray[y0:y1, x0:x1][red] = np.clip((r - (paper - 128)) * 2, 0, 255).astype(np.uint8)
    return gray


def seals(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The boxes (x0, y0, x1, y1) of the round red marks of a seal's size on a page image."""
    import cv2

    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (max(w // _SCALE, 1), max(h // _SCALE, 1)), interpolation=cv2.INTER_AREA)
    red = _red(small).astype(np.uint8)
    if not red.any():
        return []
    side = min(small.shape[:2])
    red = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))  # a ring broken by print or noise
    n, labels, stats, _ = cv2.connectedComponentsWithStats(red, connectivity=8)
    found = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if not (SEAL_SIDE[0] * side <= max(bw, bh) <= SEAL_SIDE[1] * side) or max(bw, bh) > ROUND * min(bw, bh):
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        distance = np.hypot((xs + 0.5 - bw / 2) / (bw / 2), (ys + 0.5 - bh / 2) / (bh / 2))  # 1 on the ellipse
        if np.mean(distance >= 0.75) < RING:
            continue
        pad = 2  # the quarter-resolution box, with its edge pixels
        found.append((max((x - pad) * _SCALE, 0), max((y - pad) * _SCALE, 0),
                      min((x + bw + pad) * _SCALE, w), min((y + bh + pad) * _SCALE, h)))
    return found


def _red(rgb: np.ndarray) -> np.ndarray:
    r = rgb[..., 0].astype(np.int16)
    return r - np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16) > REDNESS
