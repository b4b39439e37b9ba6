"""Walk input paths and yield one `Source` per document, with its provenance.

Files, zip archives (recursively, within limits) and WARC files are opened here; turning
bytes into text is `convert`'s job. Nothing in this module touches the network.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Limits:
    """Guards against archive bombs: members and archives larger than these are refused."""

    max_member_bytes: int = 200 * 1024 * 1024
    max_archive_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = 200.0
    max_depth: int = 3
    max_members: int = 100_000


@dataclass(frozen=True)
class Source:
    """The bytes of one document and where they came from."""

    data: bytes
    name: str  # path, path!member or path#record-offset
    url: str | None = None
    retrieved_at: str | None = None
    content_type: str | None = None  # from HTTP headers in a WARC, when known
    meta: dict = field(default_factory=dict)  # extra sidecar fields (e.g. synthetic)


@dataclass(frozen=True)
class Failure:
    """An input that could not be read at all (no bytes to key it by)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A WARC record or archive member that is not a document (an image, a redirect)."""

    name: str
    reason: str


def iter_files(paths: list[str | os.PathLike], exclude: frozenset = frozenset()) -> Iterator[Path | Failure]:
    """Every input file below `paths`, without sidecars and without the `exclude`d files (absolute
    paths: the database being written, when it lies inside an input folder).

    Folders are streamed in directory order rather than sorted: a sorted listing of a folder of
    100,000 notices would hold every name in memory, and memory must not grow with the corpus."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from _walk(p, exclude)
        elif p.is_file():
            yield p
        else:
            yield Failure(str(p), "no such file or directory")


def _walk(folder: Path, exclude: frozenset) -> Iterator[Path]:
    subfolders = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
            elif entry.is_file() and not entry.name.endswith(SIDECAR_SUFFIX) \
                    and os.path.abspath(entry.path) not in exclude:
                yield Path(entry.path)
    for sub in sorted(subfolders):
        yield from _walk(Path(sub), exclude)


def read_sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        with open(sidecar, encoding="utf-8") as fh:
            meta = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ValueError(f"unreadable sidecar {sidecar}: {e}") from e
    if not isinstance(meta, dict):
        raise ValueError(f"sidecar {sidecar} is not a JSON object")
    return meta


def is_warc(name: str, head: bytes) -> bool:
    if head.startswith(b"WARC/"):
        return True
    lower = name.lower()
    return head.startswith(b"\x1f\x8b") and (lower.endswith(".warc.gz") or lower.endswith(".arc.gz"))


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def is_docx_zip(zf: zipfile.ZipFile) -> bool:
    return "word/document.xml" in zf.namelist()


def iter_sources(paths: list[str | os.PathLike], limits: Limits = Limits(),
                 exclude: frozenset = frozenset()) -> Iterator[Source | Failure | Skipped]:
    """Yield a Source for every document under `paths`; failures and skips are yielded too."""
    for item in iter_files(paths, exclude):
        if isinstance(item, Failure):
            yield item
            continue
        name = str(item)
        try:
            meta = read_sidecar(item)
            with open(item, "rb") as fh:
                head = fh.read(8)
                if is_warc(name, head):
                    fh.seek(0)
                    yield from iter_warc(fh, name)
                    continue
                data = head + fh.read()  # a WARC is streamed; anything else is read whole, once
        except (OSError, ValueError) as e:
            yield Failure(name, f"cannot read: {e}")
            continue
        url = meta.pop("url", None)
        retrieved_at = meta.pop("retrieved_at", None)
        yield from _expand(Source(data, name, url, retrieved_at, None, meta), limits, depth=0)


def _expand(src: Source, limits: Limits, depth: int) -> Iterator[Source | Failure | Skipped]:
    """A zip archive becomes its members (recursively), a WARC its records; anything else passes through."""
    if is_warc(src.name, src.data[:8]):
        yield from iter_warc(io.BytesIO(src.data), src.name)
        return
    if not is_zip(src.data[:4]):
        from . import ocds  # imports this module

        yield from ocds.split(src) if ocds.is_ocds(src) else (src,)
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(src.data))
        if is_docx_zip(zf):
            yield src
            return
    except zipfile.BadZipFile as e:
        yield Failure(src.name, f"corrupt zip archive: {e}")
        return
    if depth >= limits.max_depth:
        yield Failure(src.name, f"zip nested deeper than {limits.max_depth} levels; not opened")
        return
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.max_members:
        yield Failure(src.name, f"zip has {len(infos)} members, more than the limit {limits.max_members}")
        return
    total = 0
    for info in infos:
        member = f"{src.name}!{info.filename}"
        if info.filename.endswith(SIDECAR_SUFFIX):
            continue
        if info.file_size > limits.max_member_bytes:
            yield Failure(member, f"member of {info.file_size} bytes exceeds the limit {limits.max_member_bytes}")
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            yield Failure(member, f"compression ratio {ratio:.0f}:1 exceeds the limit {limits.max_ratio:.0f}:1")
            continue
        total += info.file_size
        if total > limits.max_archive_bytes:
            yield Failure(member, f"archive expands beyond {limits.max_archive_bytes} bytes; rest not opened")
            return
        try:
            data = _read_member(zf, info, limits.max_member_bytes)
            meta = _zip_sidecar(zf, info.filename)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as e:
            yield Failure(member, f"cannot extract: {e}")
            continue
        url = meta.pop("url", None) or src.url
        retrieved_at = meta.pop("retrieved_at", None) or src.retrieved_at
        yield from _expand(Source(data, member, url, retrieved_at, None, {**src.meta, **meta}), limits, depth + 1)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    # The declared size can lie; read at most cap+1 bytes to be sure.
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"member expands beyond {cap} bytes")
    return data


def _zip_sidecar(zf: zipfile.ZipFile, filename: str) -> dict:
    try:
        raw = zf.read(filename + SIDECAR_SUFFIX)
    except KeyError:
        return {}
    meta = json.loads(raw.decode("utf-8"))
    return meta if isinstance(meta, dict) else {}


DOCUMENT_TYPES = ("text/html", "application/xhtml", "text/plain", "application/pdf",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml", "application/json",
                  "application/zip", "application/octet-stream")


def iter_warc(stream, name: str) -> Iterator[Source | Failure | Skipped]:
    """Each HTTP response record of a WARC becomes a Source; its target URI and date are the provenance."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    count = 0
    try:
        for number, record in enumerate(ArchiveIterator(stream)):
            count += 1
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            date = record.rec_headers.get_header("WARC-Date")
            rec_name = f"{name}#{number}"
            content_type = None
            if record.http_headers is not None:
                status = record.http_headers.get_statuscode()
                if status and not status.startswith("2"):
                    yield Skipped(rec_name, f"HTTP status {status} for {uri}")
                    continue
                content_type = record.http_headers.get_header("Content-Type")
            elif record.rec_type == "resource":
                content_type = record.rec_headers.get_header("Content-Type")
            if content_type and not content_type.lower().startswith(DOCUMENT_TYPES):
                yield Skipped(rec_name, f"not a document ({content_type.split(';')[0]}) for {uri}")
                continue
            try:
                data = record.content_stream().read()
            except Exception as e:  # warcio raises several types for broken chunking/compression
                yield Failure(rec_name, f"cannot decode WARC record payload: {e}")
                continue
            yield Source(data, rec_name, uri, date, content_type, {})
    except ArchiveLoadFailed as e:
        yield Failure(name, f"not a readable WARC: {e}")
        return
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield Failure(name, f"WARC truncated or corrupt: {e}")
        return
    # warcio stops quietly at a truncated gzip member; check that the compressed stream is whole.
    if name.lower().endswith(".gz") and hasattr(stream, "seek"):
        stream.seek(0)
        try:
            with gzip.GzipFile(fileobj=stream) as gz:
                while gz.read(1 << 20):
                    pass
        except (OSError, EOFError) as e:
            yield Failure(name, f"WARC truncated after {count} records: {e}")
    elif count == 0:
        yield Failure(name, "no WARC records could be read")
