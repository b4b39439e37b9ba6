"""OCDS release and record packages (and bare releases) as documents: one per release.

A release is keyed by the SHA-256 of its canonical JSON, so the same release in a one-release
package, in a package of the whole process and embedded in a record is one document with
three sources. Compiled releases and linked (not embedded) releases are derived or absent:
they are skipped and counted.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Iterator

from ..extract.ocds import MEDIA_TYPE, canonical
from .sources import Failure, Skipped, Source


def is_ocds(src: Source) -> bool:
    return src.name.lower().endswith(".json") and src.data.lstrip()[:1] == b"{" and (
        b'"releases"' in src.data or b'"records"' in src.data or b'"ocid"' in src.data)


def split(src: Source) -> Iterator[Source | Skipped | Failure]:
    try:
        doc = json.loads(src.data)
    except ValueError as e:
        yield Failure(src.name, f"not valid JSON: {e}")
        return
    if not isinstance(doc, dict):
        yield Failure(src.name, "JSON, but not an OCDS package or release")
        return
    url = src.url or doc.get("uri")
    retrieved = src.retrieved_at or doc.get("publishedDate")
    releases = []
    if "releases" in doc:
        releases = [(f"releases[{i}]", r) for i, r in enumerate(doc["releases"] or [])]
    elif "records" in doc:
        for i, record in enumerate(doc["records"] or []):
            for j, r in enumerate(record.get("releases") or []):
                releases.append((f"records[{i}].releases[{j}]", r))
            if record.get("compiledRelease"):
                yield Skipped(f"{src.name}#records[{i}].compiledRelease", "compiled release (derived from the releases)")
    elif "ocid" in doc and "tag" in doc:
        releases = [("release", doc)]
    else:
        yield Failure(src.name, "JSON, but not an OCDS package or release")
        return
    for where, rel in releases:
        if not isinstance(rel, dict) or "tag" not in rel or "ocid" not in rel:
            yield Skipped(f"{src.name}#{where}", "linked release (only its URL is in the package)")
            continue
        # A release sousveil exported from a synthetic notice stays synthetic when it comes back.
        meta = dict(src.meta, synthetic=True) if (rel.get("sousveil") or {}).get("synthetic") else src.meta
        yield replace(src, data=canonical(rel), name=f"{src.name}#{rel.get('id') or where}", url=url,
                      retrieved_at=retrieved, content_type=MEDIA_TYPE, meta=meta)
