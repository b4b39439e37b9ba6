"""One document through every stage: convert, redact, extract, classify, index terms.

`process` is a pure function of a `Source` (no database, no global state), so the same
code runs in one process, in a process pool, or on a cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import threading
from dataclasses import dataclass, field, replace

from .classify.classify import classify, party_spans
from .classify.taxonomy import taxonomy
from .extract.labels import vocabulary
from .extract.notice import extract_notice
from .extract.ocds import MEDIA_TYPE as OCDS_MEDIA_TYPE
from .extract.ocds import notice_from_release
from .ingest.convert import ConversionError, Converted, convert
from .ingest.sources import Source
from .model import Notice
from .ocr import evidence as ocr_evidence
from .ocr import read as ocr_read
from .privacy.redact import Redaction, redact_folded
from .resolve import duplicates
from .store import fts
from .text import fold

# Every document the generator writes carries this line; see sousveil.synth.
SYNTHETIC_MARK = "【合成数据 SYNTHETIC】"
DEFAULT_SECONDS = 30.0  # a document's time budget; a notice takes milliseconds
DEFAULT_MEMORY_MB = 4096
# Peak memory a document needs, per byte of it: a page of 6 and of 24 MB of Chinese text peaked at 92
# and 91 bytes a byte (resident set, one process). A page too big for the budget is refused before it is read.
MEMORY_PER_BYTE = 100
SYNTHETIC_SCHEME = "synthetic:"
_FOLDED_MARK = fold(SYNTHETIC_MARK)
_FOLDED_MARK_READ = _FOLDED_MARK.replace(" ", "")  # as OCR reads it off a printed page


@dataclass
class Record:
    sha256: str
    source: Source
    size: int
    status: str  # ok | needs_ocr | partial_ocr | failed
    synthetic: bool
    converted: Converted | None = None
    text: str | None = None
    redactions: list[Redaction] = field(default_factory=list)
    notice: Notice | None = None
    index_text: str = ""
    error: str | None = None
    original: bytes | None = None  # kept only when the operator asks (ingest --keep-originals)
    signature: bytes | None = None  # MinHash of the text, to find the notice republished elsewhere
    ocr_lines: list = field(default_factory=list)  # ocr.evidence.Placed: each OCR'd line's span, page and box


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def versions() -> dict:
    return {"taxonomy": taxonomy().version, "labels": vocabulary().version}


def is_synthetic(source: Source, folded: str | None) -> bool:
    """Marked synthetic by its provenance or by the mark in its text (folded: the mark written in
    traditional characters or full width counts too)."""
    return bool((source.url or "").startswith(SYNTHETIC_SCHEME) or source.meta.get("synthetic")
                or (folded and (_FOLDED_MARK in folded[:2000] or _FOLDED_MARK_READ in folded[:2000])))


class OverBudget(Exception):
    """A document took longer than its time budget."""


@contextlib.contextmanager
def time_budget(seconds: float | None):
    """Raise OverBudget in the block after `seconds` of wall time (SIGALRM: only in a process's main
    thread; elsewhere, and for None, no limit). Python code is interrupted; a single call into C code
    (a parser, one regular expression) finishes first, which is why extraction must stay linear."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    with _alarm(seconds, OverBudget):
        yield


@contextlib.contextmanager
def _alarm(seconds: float, error: type[Exception]):
    """SIGALRM after `seconds` raises `error(seconds)` in the block; the timer and the handler before it
    are put back after it."""

    def expired(signum, frame):
        raise error(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class PageOverBudget(Exception):
    """One page took longer to recognise than its own time budget."""


@contextlib.contextmanager
def page_budget(seconds: float | None):
    """A page's own time budget for OCR, inside its document's: the document's clock stops meanwhile (a
    scan of forty pages is not refused for its length) and a page that overruns raises PageOverBudget,
    for that page alone. Like time_budget, only in a process's main thread."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    left = signal.getitimer(signal.ITIMER_REAL)[0]  # the document's budget, 0 when there is none
    try:
        with _alarm(seconds, PageOverBudget):
            yield
    finally:
        if left:
            signal.setitimer(signal.ITIMER_REAL, left)


DEFAULT_OCR = ocr_read.Options()


def process(source: Source, digest: str | None = None, keep_original: bool = False,
            seconds: float | None = DEFAULT_SECONDS, memory_mb: int | None = DEFAULT_MEMORY_MB,
            ocr: ocr_read.Options | None = DEFAULT_OCR) -> Record:
    """Never raises: a document that cannot be processed, takes longer than `seconds` or would need more
    than `memory_mb` comes back as a failed Record with the reason. Pages without a text layer and images
    are read by OCR unless `ocr` is None, each page with its own time budget besides the document's."""
    digest = digest or sha256(source.data)
    need_mb = len(source.data) * MEMORY_PER_BYTE / 2**20
    try:
        if memory_mb and need_mb > memory_mb:
            raise MemoryError
        with time_budget(seconds):
            rec = _process(source, digest, ocr)
    except OverBudget:
        rec = Record(digest, source, len(source.data), "failed", is_synthetic(source, None),
                     error=f"took longer than its time budget of {seconds:g} s (ingest --time-budget)")
    except MemoryError:
        rec = Record(digest, source, len(source.data), "failed", is_synthetic(source, None),
                     error=f"would need about {need_mb:,.0f} MB, more than its memory budget of {memory_mb} MB "
                           "(ingest --memory-budget)")
    except ConversionError as e:
        rec = Record(digest, source, len(source.data), "failed", is_synthetic(source, None), error=str(e))
    except Exception as e:  # a bug met on one hostile or unusual document must not stop an ingest
        rec = Record(digest, source, len(source.data), "failed", is_synthetic(source, None),
                     error=f"internal error ({type(e).__name__}: {e}); please report it with this document")
    # The record carries the provenance, not the bytes: from a worker process they would travel back for nothing.
    rec.source = replace(source, data=b"")
    if keep_original and rec.status != "failed":
        rec.original = source.data
    return rec


def _process(source: Source, digest: str, ocr: ocr_read.Options | None = None) -> Record:
    converted = convert(source.data, source.name, source.content_type, ocr)
    text, redactions, folded = redact_folded(converted.text)
    converted.text = ""  # the unredacted text goes no further than this function
    # OCR'd lines: placed in the redacted text, which replaces their own (the unredacted goes no further either)
    placed = ocr_evidence.place(converted.ocr, text, redactions) if converted.ocr else []
    for page in converted.ocr:
        ocr_read.save(ocr, page)
    read = {page.page for page in converted.ocr}
    unread = [p for p in converted.ocr_pages if p not in read]
    synthetic = is_synthetic(source, folded)
    if not text.strip():
        status = "needs_ocr" if converted.ocr_pages else "failed"
        error = None if converted.ocr_pages else "no text in the document"
        return Record(digest, source, len(source.data), status, synthetic, converted, text, redactions, error=error)
    if converted.media_type == OCDS_MEDIA_TYPE:  # structured: facts cite the rendered `path: value` lines
        notice = notice_from_release(converted.html_meta["ocds"], text)
    else:
        notice = extract_notice(text, converted.html_meta, source.url, folded)
    ocr_evidence.mark_facts(notice, placed)
    parties = [s.name for s in notice.suppliers] + [notice.agency]
    notice.tags = classify(text, notice.buyer_type, folded=folded, exclude=party_spans(folded, parties))
    status = "partial_ocr" if unread else "ok"
    return Record(digest, source, len(source.data), status, synthetic, converted, text, redactions, notice,
                  fts.index_text(folded, folded=True), signature=duplicates.signature(folded), ocr_lines=placed)
