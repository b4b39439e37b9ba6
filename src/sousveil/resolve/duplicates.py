"""Near-duplicate notices (one notice republished on several portals), by MinHash.

The signature is over character 4-grams of the folded text; candidates come from LSH banding
stored in the database (bounded memory at any corpus size) and are accepted only when the
facts agree too (same type, date and amounts), since notices generated
from one portal template share most of their wording.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

NUM_PERM = 32
SEED = 1
BANDS, ROWS = 4, 8  # LSH banding: candidates from an estimated similarity of about (1/4)^(1/8) = 0.84
# datasketch's "affine32" scheme (MurmurHash3 finalizer, then h -> a*h + b mod 2^32), written
# here in numpy: importing datasketch brings scipy (0.4 s and 50 MB in every run) and its
# update_batch converts every hash in a Python loop. tests/test_link.py checks that the
# signatures are the same as datasketch's, bit for bit.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
SHINGLE = 4
THRESHOLD = 0.85  # estimated Jaccard similarity of the shingle sets
_MIX = np.uint64(0x100000001B3)


def _shingle_hashes(folded: str) -> np.ndarray:
    """32-bit hashes of every character 4-gram of folded text, computed with numpy (a Python hash
    per shingle would cost more than the rest of linking)."""
    codes = np.frombuffer(" ".join(folded.split()).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.pad(codes, (0, SHINGLE - len(codes)))
    h = np.zeros(len(codes) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            h = (h ^ codes[k:len(codes) - SHINGLE + 1 + k]) * _MIX
    # Repeated shingles are left in: they cannot change a minimum, and sorting them out cost a third
    # of the signature's time.
    return ((h >> np.uint64(32)) ^ (h & np.uint64(0xFFFFFFFF))).astype(np.uint32)


@functools.lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The odd multipliers and the offsets, drawn once, as datasketch draws them for this seed."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def signature(folded: str) -> bytes:
    """The MinHash signature of a text already folded (text.fold): NUM_PERM 32-bit values."""
    hv = _shingle_hashes(folded)
    s1, m1, s2, m2, s3 = _FMIX
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        a, b = _permutations()
        values = (hv[:, None] * a + b).min(axis=0)
    return values.astype("<u4").tobytes()


def facts_key(notice: dict) -> bytes:
    """What a republished copy shares besides its words: type, publication day and amounts."""
    return "|".join(str(notice.get(k) or "") for k in ("type", "published_day", "award_total", "budget")).encode()


def bands(sig: bytes, facts: bytes) -> list[tuple[int, int]]:
    """(band, hash) keys of the LSH banding: two notices with the same facts whose signatures agree
    on all rows of one band are candidates. The facts are in the key because notices from one
    portal template agree on many bands: without them the candidates grew with the corpus.
    Kept in the database (table minhash_bands), so memory does not grow with the corpus either."""
    width = ROWS * 4  # bytes of one band (32-bit values)
    return [(b, int.from_bytes(hashlib.blake2b(facts + b"#" + sig[b * width:(b + 1) * width], digest_size=8).digest(),
                               "little", signed=True)) for b in range(BANDS)]


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two signatures (the share of equal values)."""
    return float(np.mean(np.frombuffer(a, dtype=np.uint32) == np.frombuffer(b, dtype=np.uint32)))


def similar(db, sig: bytes, facts: bytes) -> list[tuple[int, float]]:
    """Stored notices with the same facts whose signature shares a band with `sig` and is similar
    enough, most similar first."""
    keys = bands(sig, facts)
    rows = db.execute("select distinct m.notice_id, m.signature from minhash_bands b join minhashes m on"
                      " m.notice_id = b.notice_id where " + " or ".join(["(b.band = ? and b.hash = ?)"] * len(keys)),
                      [x for k in keys for x in k]).fetchall()
    found = [(nid, similarity(sig, other)) for nid, other in rows]
    return sorted(((n, s) for n, s in found if s >= THRESHOLD), key=lambda x: (-x[1], x[0]))


INSERT_SIGNATURE = "insert into minhashes (notice_id, signature) values (?, ?)"
INSERT_BANDS = "insert into minhash_bands (notice_id, band, hash) values (?, ?, ?)"


def band_rows(notice_id: int, sig: bytes, facts: bytes) -> list[tuple[int, int, int]]:
    return [(notice_id, b, h) for b, h in bands(sig, facts)]


def store(db, notice_id: int, sig: bytes, facts: bytes) -> None:
    """Store the signature and bands of a notice that has none yet (one stored before notices were
    signed); new notices are written in batches by store.db.write_records."""
    db.conn.execute(INSERT_SIGNATURE, (notice_id, sig))
    db.conn.executemany(INSERT_BANDS, band_rows(notice_id, sig, facts))
