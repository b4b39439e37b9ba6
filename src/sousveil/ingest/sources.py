"""Walk input paths and yield one `Source` per document, with its provenance.

Files, zip archives (recursively, within limits), gzip files and WARC files are opened here;
turning bytes into text is `convert`'s job. Nothing in this module touches the network.

No input stops a walk: a file or folder that cannot be read (a dangling or looping symbolic link,
a permission error, a folder that vanishes, a corrupt archive or WARC record, a truncated gzip
stream) becomes a `Failure` naming it with the reason, and what is not a document (a README,
labels or ground truth, JSON that is not OCDS, hidden files, images) a `Skipped` with the reason.

A document's provenance name is its path relative to the folder it was found under, never an
absolute path: a database that is shared does not reveal the investigator's own folders.
"""

from __future__ import annotations

import errno
import fnmatch
import gzip
import io
import json
import os
import re
import stat
import zlib
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
    max_file_bytes: int = 1024 * 1024 * 1024  # a file read whole (a WARC is streamed)


@dataclass(frozen=True)
class Source:
    """The bytes of one document and where they came from."""

    data: bytes
    name: str  # relative path, path!member or path#record-offset
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
    """An input that is not a document (a README, labels, an image, a redirect in a WARC)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Found:
    """A file to read: where it is, its provenance name, and whether the skip rules are off for it
    (given on the command line, or matched by an --include pattern)."""

    path: Path
    name: str
    forced: bool = False


# ---------------------------------------------------------------------------------------------
# Names

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str) -> str:
    """A name that can be stored and printed: undecodable bytes of a file name and control
    characters are written as \\xNN."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "backslashreplace")
    name = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def given_name(path: str | os.PathLike) -> str:
    """The provenance name of a path given on the command line: relative to the current folder
    when it lies below it, else its base name."""
    absolute = os.path.abspath(path)
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    if cwd and cwd != os.sep and os.path.commonpath([cwd, absolute]) == cwd:
        return clean_name(os.path.relpath(absolute, cwd))
    return clean_name(os.path.basename(absolute) or absolute)


def included(name: str, patterns) -> bool:
    """Whether an --include pattern matches the name (relative path) or its base name."""
    if not patterns:
        return False
    base = name.rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(base, p) for p in patterns)


_DOC_EXTS = ("", ".md", ".txt", ".rst", ".markdown", ".adoc", ".org")
_LICENCES = ("license", "licence", "copying", "copyright", "unlicense")
_CHANGELOGS = ("changelog", "changes", "history")
_PROJECT_DOCS = ("authors", "contributors", "contributing", "code_of_conduct", "maintainers")


def non_document(name: str, is_dir: bool = False) -> str | None:
    """Why a file or folder, by its name alone, is not a document (None: it may be one)."""
    if name.startswith(".") and name not in (".", ".."):
        return "hidden"
    low = name.lower()
    if is_dir:
        return "macOS metadata" if name == "__MACOSX" else None
    if low in ("thumbs.db", "desktop.ini", "icon\r"):
        return "system file"
    if low.startswith("~$"):
        return "an Office lock file"
    stem, ext = os.path.splitext(low)
    if low.startswith("readme"):
        return "a README"
    if stem in _LICENCES or ext in (".license", ".licence"):
        return "a licence"
    if stem in _CHANGELOGS and ext in _DOC_EXTS:
        return "a changelog"
    if stem in _PROJECT_DOCS and ext in _DOC_EXTS:
        return "project documentation"
    if low == "truth.jsonl":
        return "ground truth (sousveil synth)"
    if low == "labels.jsonl":
        return "labels"
    return None


def _member_non_document(member: str) -> str | None:
    parts = [p for p in member.split("/") if p]
    for part in parts[:-1]:
        reason = non_document(part, is_dir=True)
        if reason:
            return reason
    return non_document(parts[-1]) if parts else None


def _os_reason(e: OSError) -> str:
    """An OSError's reason without its file name (which would be the absolute path)."""
    if e.errno == errno.ELOOP:
        return "symbolic link loop"
    if e.strerror:
        return e.strerror[:1].lower() + e.strerror[1:]
    return str(e) or type(e).__name__


# ---------------------------------------------------------------------------------------------
# Files and folders


def iter_files(paths: list[str | os.PathLike], exclude: frozenset = frozenset(),
               include=()) -> Iterator[Found | Failure | Skipped]:
    """Every input file below `paths`, without sidecars and without the `exclude`d files (absolute
    paths: the database being written, when it lies inside an input folder). Files and folders that
    are not documents are yielded as Skipped (unless an `include` pattern matches them), those that
    cannot be read as Failure.

    Folders are streamed in directory order rather than sorted: a sorted listing of a folder of
    100,000 notices would hold every name in memory, and memory must not grow with the corpus."""
    for p in paths:
        name = given_name(p)
        try:
            st = os.stat(p)
        except OSError as e:
            yield Failure(name, _missing(p, e))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(os.fspath(p), name, os.path.realpath(p), (st.st_dev, st.st_ino), exclude, include)
        elif stat.S_ISREG(st.st_mode):
            if os.path.abspath(p) in exclude:
                continue
            if os.fspath(p).endswith(SIDECAR_SUFFIX):
                yield Skipped(name, "a sidecar (the provenance of the file beside it), not a document")
            else:
                yield Found(Path(p), name, True)
        else:
            yield Failure(name, "not a regular file or folder (a pipe, socket or device)")


def _missing(p, e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "dangling symbolic link (its target does not exist)" if os.path.islink(p) else "no such file or directory"
    return _os_reason(e)


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


def _walk(top: str, top_name: str, root_real: str, top_id: tuple, exclude: frozenset,
          include) -> Iterator[Found | Failure | Skipped]:
    # An explicit stack rather than recursion: a hostile tree may be nested thousands of folders deep.
    # Each entry: (folder path, its name relative to the PATH argument, the folders above it).
    stack = [(top, "", frozenset([top_id]))]
    while stack:
        folder, rel, chain = stack.pop()
        subfolders = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    yield from _entry(entry, rel, root_real, exclude, include, subfolders)
        except FileNotFoundError:
            yield Failure(rel or top_name, "folder vanished while it was being read")
        except OSError as e:
            yield Failure(rel or top_name, f"cannot list the folder: {_os_reason(e)}")
        for path, name, ident in sorted(subfolders, reverse=True):
            if ident in chain:
                yield Failure(name, "symbolic link loop (a link to a folder that contains it)")
            else:
                stack.append((path, name, chain | {ident}))


def _entry(entry: os.DirEntry, rel: str, root_real: str, exclude: frozenset, include,
           subfolders: list) -> Iterator[Found | Failure | Skipped]:
    name = f"{rel}/{clean_name(entry.name)}" if rel else clean_name(entry.name)
    path = entry.path
    if os.path.abspath(path) in exclude:
        return
    forced = included(name, include)
    try:
        if entry.is_symlink():
            try:
                st = os.stat(path)
            except FileNotFoundError:
                yield Failure(name, "dangling symbolic link (its target does not exist)")
                return
            except OSError as e:
                yield Failure(name, _os_reason(e) if e.errno == errno.ELOOP else f"cannot follow symbolic link: {_os_reason(e)}")
                return
            if not forced and not _inside(os.path.realpath(path), root_real):
                # A folder one was sent can link to one's own files: they are not read unless asked for.
                yield Skipped(name, "a symbolic link to outside the folder (not followed; --include it to read it)")
                return
            is_dir, is_file = stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode)
        else:  # from the directory listing, without a system call per file
            is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
            st = entry.stat(follow_symlinks=False) if is_dir else None
    except OSError as e:
        yield Failure(name, f"cannot read: {_os_reason(e)}")
        return
    if is_dir:
        reason = None if forced or _forces_inside(name, include) else non_document(entry.name, is_dir=True)
        if reason:
            yield Skipped(name, reason)
        else:
            subfolders.append((path, name, (st.st_dev, st.st_ino)))
        return
    if not is_file:
        yield Skipped(name, "not a regular file (a pipe, socket or device)")
        return
    if entry.name.endswith(SIDECAR_SUFFIX):  # read beside its document, as its provenance
        if not os.path.lexists(path[: -len(SIDECAR_SUFFIX)]):
            yield Skipped(name, "a sidecar without its document")
        return
    reason = None if forced else non_document(entry.name)
    if reason:
        yield Skipped(name, reason)
        return
    yield Found(Path(path), name, forced)


def _forces_inside(folder: str, include) -> bool:
    """Whether an --include pattern names something inside this (hidden) folder."""
    return any(p.startswith(folder + "/") or p == folder for p in include or ())


def read_sidecar(path: Path, name: str | None = None) -> dict:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    shown = (name or path.name) + SIDECAR_SUFFIX
    try:
        with open(sidecar, encoding="utf-8") as fh:
            meta = json.load(fh)
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise ValueError(f"unreadable sidecar {shown}: {_os_reason(e)}") from e
    except ValueError as e:
        raise ValueError(f"unreadable sidecar {shown}: {e}") from e
    if not isinstance(meta, dict):
        raise ValueError(f"sidecar {shown} is not a JSON object")
    return meta


# ---------------------------------------------------------------------------------------------
# Kinds of bytes


def is_warc(name: str, head: bytes) -> bool:
    if head.startswith(b"WARC/"):
        return True
    lower = name.lower()
    return head.startswith(b"\x1f\x8b") and (lower.endswith(".warc.gz") or lower.endswith(".arc.gz"))


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def is_docx_zip(zf: zipfile.ZipFile) -> bool:
    return "word/document.xml" in zf.namelist()


_IMAGES = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
           (b"BM", None), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))


_SCANS = ("PNG", "JPEG", "TIFF")
_MIN_PAGE_SIDE = 400  # pixels: a page scanned at 50 dpi; a logo or an icon is smaller


def _not_a_page(data: bytes, kind: str) -> str | None:
    """Why an image is not a page OCR reads (None: it may be one): another format, too small, unreadable."""
    if kind not in _SCANS:
        return f"an image ({kind}); sousveil reads scans as PNG, JPEG or TIFF"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            width, height = img.size
    except Exception:  # Pillow raises many types on broken headers
        return f"an image ({kind}) that cannot be read"
    if min(width, height) < _MIN_PAGE_SIDE:
        return f"an image ({kind}) of {width}×{height} pixels, too small to be a page"
    return None


def _image(data: bytes) -> str | None:
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            if kind is None:  # BM: a bitmap only with its header's file size
                return "BMP" if len(data) >= 6 and int.from_bytes(data[2:6], "little") == len(data) else None
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0a, 0x0c, 0x0d, 0x1b))


def looks_binary(head: bytes) -> bool:
    """Bytes that are no text in any encoding sousveil reads (UTF-16 included)."""
    if not head or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    suspicious = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if suspicious <= len(head) * 0.05:
        return False
    sample = head[:len(head) & ~1]
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            sample.decode(enc)
            return False
        except UnicodeDecodeError as e:
            if e.start >= len(sample) - 4:  # a surrogate pair cut at the end of the sample
                return False
    return True


# ---------------------------------------------------------------------------------------------
# Documents


def iter_sources(paths: list[str | os.PathLike], limits: Limits = Limits(), exclude: frozenset = frozenset(),
                 include=()) -> Iterator[Source | Failure | Skipped]:
    """Yield a Source for every document under `paths`; failures and skips are yielded too.
    Never raises for an input: whatever goes wrong with one is a Failure naming it."""
    from . import ocds  # imports this module

    for item in iter_files(paths, exclude, include):
        if not isinstance(item, Found):
            yield item
            continue
        name = item.name
        try:
            meta = read_sidecar(item.path, name)
            with open(item.path, "rb") as fh:
                head = fh.read(8)
                if is_warc(name, head):
                    fh.seek(0)
                    yield from iter_warc(fh, name, limits)  # a WARC is streamed
                    continue
                if ocds.is_json_name(name):  # OCDS is streamed too: publishers ship files of several GB
                    fh.seek(0)
                    extra = {k: v for k, v in meta.items() if k not in ("url", "retrieved_at")}
                    try:
                        yield from ocds.stream(ocds.open_stream(fh), Source(
                            b"", name, meta.get("url"), meta.get("retrieved_at"), None, extra))
                        continue
                    except ocds.NotOcds:  # JSON that is not OCDS: read whole, as any other document
                        fh.seek(8)
                if is_zip(head) and os.fstat(fh.fileno()).st_size > limits.max_file_bytes:
                    # A publisher's bulk download: the zip is read from the file, its OCDS members streamed.
                    extra = {k: v for k, v in meta.items() if k not in ("url", "retrieved_at")}
                    yield from _zip(Source(b"", name, meta.get("url"), meta.get("retrieved_at"), None, extra), limits, 0,
                                    include, fh)
                    continue
                data = head + fh.read(limits.max_file_bytes + 1 - len(head))  # anything else is read whole, once
            if len(data) > limits.max_file_bytes:
                yield Failure(name, f"file larger than the limit of {limits.max_file_bytes} bytes; not read")
                continue
        except OSError as e:
            yield Failure(name, f"cannot read: {_os_reason(e)}")
            continue
        except ValueError as e:
            yield Failure(name, f"cannot read: {e}")
            continue
        except MemoryError:
            yield Failure(name, "cannot read: too large for the memory available")
            continue
        except Exception as e:  # a WARC broken in a way warcio does not name
            yield Failure(name, f"cannot read ({type(e).__name__}: {e})")
            continue
        url = meta.pop("url", None)
        retrieved_at = meta.pop("retrieved_at", None)
        try:
            yield from _expand(Source(data, name, url, retrieved_at, None, meta), limits, 0, item.forced, include)
        except Exception as e:  # an archive broken in a way no check above foresaw: the run goes on
            yield Failure(name, f"cannot read ({type(e).__name__}: {e})")


def _expand(src: Source, limits: Limits, depth: int, forced: bool = True,
            include=()) -> Iterator[Source | Failure | Skipped]:
    """A zip archive becomes its members (recursively), a gzip file its content, a WARC its records;
    what is not a document is skipped; anything else passes through."""
    data = src.data
    if is_warc(src.name, data[:8]):
        yield from iter_warc(io.BytesIO(data), src.name, limits, depth)
        return
    if is_zip(data[:4]):
        yield from _zip(src, limits, depth, include)
        return
    if data[:2] == b"\x1f\x8b":
        yield from _gunzip(src, limits, depth, forced, include)
        return
    lower = src.name.lower()
    if data.startswith(b"SQLite format 3\x00"):
        yield (Failure if forced else Skipped)(src.name, "an SQLite database, not a document")
        return
    image = _image(data)
    if image:
        reason = _not_a_page(data, image)
        if reason:
            yield (Failure if forced else Skipped)(src.name, reason)
        else:
            yield src  # a scan or a photo of a page: read by OCR
        return
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        yield Failure(src.name, "a Word 97-2003 (.doc) or other OLE2 file: not read; save it as DOCX or PDF")
        return
    if data[257:262] == b"ustar":
        yield Failure(src.name, "a tar archive: not read; unpack it or zip it")
        return
    from . import ocds  # imports this module

    if ocds.is_json_name(lower):
        try:
            yield from ocds.stream(io.BytesIO(data), src)
            return
        except ocds.NotOcds:
            if not forced:
                yield Skipped(src.name, "JSON Lines, not OCDS" if not lower.endswith(".json") else "JSON, not OCDS")
                return
    if b"%PDF" not in data[:1024] and looks_binary(data[:4096]):
        kind = "PDF" if lower.endswith(".pdf") else "DOCX" if lower.endswith(".docx") else None
        yield Failure(src.name, f"not a {kind}: binary data with no {kind} signature" if kind
                      else "binary data of no type sousveil reads (HTML, text, PDF, DOCX, zip, gzip, WARC, OCDS JSON)")
        return
    yield src


def _zip(src: Source, limits: Limits, depth: int, include, fh=None) -> Iterator[Source | Failure | Skipped]:
    """The members of a zip archive: of `src.data`, or of the open file `fh` (one too large to read whole)."""
    from . import ocds  # imports this module

    what = "DOCX" if src.name.lower().endswith(".docx") else "zip archive"
    try:
        zf = zipfile.ZipFile(fh or io.BytesIO(src.data))
        if is_docx_zip(zf):
            yield src if fh is None else Failure(src.name, f"DOCX larger than the limit of {limits.max_file_bytes} bytes")
            return
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except Exception as e:  # BadZipFile, but also ValueError, EOFError, NotImplementedError … on hostile bytes
        yield Failure(src.name, f"corrupt {what}: {e}")
        return
    if depth >= limits.max_depth:
        yield Failure(src.name, f"zip nested deeper than {limits.max_depth} levels; not opened")
        return
    if len(infos) > limits.max_members:
        yield Failure(src.name, f"zip has {len(infos)} members, more than the limit {limits.max_members}")
        return
    total = 0
    for info in infos:
        member_name = clean_name(info.filename)
        member = f"{src.name}!{member_name}"
        if info.filename.endswith(SIDECAR_SUFFIX):
            continue
        forced = included(member_name, include) or included(member, include)
        reason = None if forced else _member_non_document(member_name)
        if reason:
            yield Skipped(member, reason)
            continue
        big = info.file_size > limits.max_member_bytes
        if big and not ocds.is_json_name(member_name):  # a large OCDS member is streamed below
            yield Failure(member, f"member of {info.file_size} bytes exceeds the limit {limits.max_member_bytes}")
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            yield Failure(member, f"compression ratio {ratio:.0f}:1 exceeds the limit {limits.max_ratio:.0f}:1")
            continue
        total += 0 if big else info.file_size  # a streamed member is never held whole
        if total > limits.max_archive_bytes:
            yield Failure(member, f"archive expands beyond {limits.max_archive_bytes} bytes; rest not opened")
            return
        if big:
            yield from _zip_stream(zf, info, Source(b"", member, src.url, src.retrieved_at, None, src.meta))
            continue
        try:
            data = _read_member(zf, info, limits.max_member_bytes)
            meta = _zip_sidecar(zf, info.filename)
        except Exception as e:  # BadZipFile, zlib.error, EOFError, RuntimeError (encrypted), NotImplementedError …
            yield Failure(member, f"cannot extract: {e or type(e).__name__}")
            continue
        url = meta.pop("url", None) or src.url
        retrieved_at = meta.pop("retrieved_at", None) or src.retrieved_at
        yield from _expand(Source(data, member, url, retrieved_at, None, {**src.meta, **meta}), limits, depth + 1,
                           forced, include)


def _zip_stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, src: Source) -> Iterator[Source | Failure | Skipped]:
    from . import ocds

    try:
        with zf.open(info) as fh:
            yield from ocds.stream(ocds.open_stream(fh), src)
    except ocds.NotOcds:
        yield Failure(src.name, f"member of {info.file_size} bytes, not OCDS, exceeds the limit for a member read whole")
    except Exception as e:  # BadZipFile, zlib.error, EOFError, RuntimeError (encrypted) …
        yield Failure(src.name, f"cannot extract: {e or type(e).__name__}")


def _gunzip(src: Source, limits: Limits, depth: int, forced: bool, include) -> Iterator[Source | Failure | Skipped]:
    """A gzip file (notice.html.gz) is its content, named notice.html.gz!notice.html."""
    if depth >= limits.max_depth:
        yield Failure(src.name, f"compressed data nested deeper than {limits.max_depth} levels; not opened")
        return
    base = re.split(r"[/!]", src.name)[-1]
    lower = base.lower()
    inner = base[:-3] if lower.endswith(".gz") else base[:-4] + ".tar" if lower.endswith(".tgz") else base
    name = f"{src.name}!{inner}"
    cap = limits.max_member_bytes
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(src.data)) as gz:
            data = gz.read(cap + 1)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        yield Failure(src.name, f"truncated or corrupt gzip data: {e}")
        return
    if len(data) > cap:
        yield Failure(src.name, f"gzip data expands beyond the limit of {cap} bytes")
        return
    ratio = len(data) / max(len(src.data), 1)
    if ratio > limits.max_ratio:
        yield Failure(src.name, f"compression ratio {ratio:.0f}:1 exceeds the limit {limits.max_ratio:.0f}:1")
        return
    reason = None if forced else non_document(inner)
    if reason:
        yield Skipped(name, reason)
        return
    yield from _expand(Source(data, name, src.url, src.retrieved_at, None, src.meta), limits, depth + 1, forced, include)


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


WARC_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")


def iter_warc(stream, name: str, limits: Limits = Limits(), depth: int = 0) -> Iterator[Source | Failure | Skipped]:
    """Each HTTP response record of a WARC becomes a Source; its target URI and date are the provenance.
    A malformed or truncated record is a Failure naming it; a file warcio cannot go on reading ends
    with a Failure that says how many records were read before."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    class Quiet(ArchiveIterator):
        INC_RECORD = ""  # warcio writes this warning to stderr; the run reports it as a failure instead

    count = 0
    records = Quiet(stream)
    try:
        for number, record in enumerate(records):
            count += 1
            rec_name = f"{name}#{number}"
            length = record.rec_headers.get_header("Content-Length")
            if record.rec_type not in WARC_TYPES:
                yield Failure(rec_name, f"malformed WARC record (WARC-Type {record.rec_type!r})")
                continue
            if length is None or not length.strip().isdigit():
                yield Failure(rec_name, f"malformed WARC record (Content-Length {length!r})")
                continue
            yield from _warc_record(record, rec_name, limits, depth)
            while record.raw_stream.read(1 << 16):
                pass
            missing = getattr(record.raw_stream, "limit", 0)
            if missing > 0:
                yield Failure(rec_name, f"WARC record truncated: {missing} of its {length.strip()} bytes are missing")
    except ArchiveLoadFailed as e:
        yield Failure(name, f"not a readable WARC{f' after {count} records' if count else ''}: {e}")
        return
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        yield Failure(name, f"WARC truncated or corrupt after {count} records: {_os_reason(e) if isinstance(e, OSError) else e}")
        return
    except Exception as e:  # a malformed record: warcio raises what its parsers raise (ValueError, IndexError …)
        yield Failure(name, f"malformed WARC record after {count} records ({type(e).__name__}: {e})")
        return
    if getattr(records, "err_count", 0):
        yield Failure(name, f"{records.err_count} WARC records not followed by the blank lines that end a record"
                            " (a wrong Content-Length?); what followed may be lost")
    # warcio stops quietly at a truncated gzip member; check that the compressed stream is whole.
    if name.lower().endswith(".gz") and hasattr(stream, "seek"):
        try:
            stream.seek(0)
            with gzip.GzipFile(fileobj=stream) as gz:
                while gz.read(1 << 20):
                    pass
        except (OSError, EOFError, zlib.error) as e:
            yield Failure(name, f"WARC truncated after {count} records: {e}")
    elif count == 0:
        yield Failure(name, "no WARC records could be read")


def _warc_record(record, rec_name: str, limits: Limits, depth: int) -> Iterator[Source | Failure | Skipped]:
    if record.rec_type not in ("response", "resource"):
        return
    uri = record.rec_headers.get_header("WARC-Target-URI")
    date = record.rec_headers.get_header("WARC-Date")
    content_type = None
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            yield Skipped(rec_name, f"HTTP status {status} for {uri}")
            return
        content_type = record.http_headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    if content_type and not content_type.lower().startswith(DOCUMENT_TYPES):
        yield Skipped(rec_name, f"not a document ({content_type.split(';')[0]}) for {uri}")
        return
    try:
        data = record.content_stream().read()
    except Exception as e:  # warcio raises several types for broken chunking/compression
        yield Failure(rec_name, f"cannot decode WARC record payload: {e}")
        return
    src = Source(data, rec_name, uri, date, content_type, {})
    if data[:2] == b"\x1f\x8b" or is_zip(data[:4]) or data.startswith(b"WARC/"):
        try:
            yield from _expand(src, limits, depth + 1)
        except Exception as e:
            yield Failure(rec_name, f"cannot read ({type(e).__name__}: {e})")
    else:
        yield src
