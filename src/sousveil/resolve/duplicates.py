"""Near-duplicate notices (one notice republished on several portals), by MinHash (datasketch).

The signature is over character 4-grams of the folded text; candidates come from LSH and are
accepted only when the facts agree too (same type, date and amounts), since notices generated
from one portal template share most of their wording.
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..text import fold

NUM_PERM = 32
SCHEME = "affine32"  # signatures of 32-bit values: 128 bytes a notice
SHINGLE = 4
THRESHOLD = 0.85  # estimated Jaccard similarity of the shingle sets
_MIX = np.uint64(0x100000001B3)


def _shingle_hashes(text: str) -> list[int]:
    """32-bit hashes of every character 4-gram, computed with numpy (a Python hash per shingle
    would cost more than the rest of linking)."""
    codes = np.frombuffer(fold(" ".join(text.split())).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.pad(codes, (0, SHINGLE - len(codes)))
    h = np.zeros(len(codes) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            h = (h ^ codes[k:len(codes) - SHINGLE + 1 + k]) * _MIX
    return np.unique((h >> np.uint64(32)) ^ (h & np.uint64(0xFFFFFFFF))).tolist()  # 32 bits, as affine32 takes


def signature(text: str) -> bytes:
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, scheme=SCHEME)
    m.update_batch(_shingle_hashes(text))
    return m.hashvalues.astype(np.uint32).tobytes()


def minhash(sig: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(sig, dtype=np.uint32))


class Index:
    """LSH over signatures: candidates for a new signature among those added before."""

    def __init__(self):
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.hashes: dict[int, MinHash] = {}

    def add(self, notice_id: int, sig: bytes) -> None:
        m = minhash(sig)
        self.hashes[notice_id] = m
        self.lsh.insert(notice_id, m)

    def similar(self, sig: bytes) -> list[tuple[int, float]]:
        m = minhash(sig)
        found = [(other, self.hashes[other].jaccard(m)) for other in self.lsh.query(m)]
        return sorted(((o, s) for o, s in found if s >= THRESHOLD), key=lambda x: (-x[1], x[0]))
