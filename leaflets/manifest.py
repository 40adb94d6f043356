"""Manifest: what a build published, one sorted entry per file, keyed by content hash.

Entries for PDFs have ``kind: "pdf"``; the files of the front desk page (index.html, its
CSS, JS and thumbnails) have ``kind: "frontdesk"`` and only path, sha256 and bytes.
An entry without ``kind`` (an older manifest) is a PDF.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import atomic_write

MANIFEST = "manifest.json"
PDF_KIND = "pdf"


@dataclass(frozen=True)
class ManifestEntry:
    """One published PDF."""

    leaflet: str
    lang: str
    path: str  # relative to the output folder, with forward slashes
    sha256: str
    pages: int
    bytes: int
    paper: str
    version: str
    review_status: str  # "reviewed by …" or "not reviewed"
    complete: bool
    tool_version: str
    weasyprint_version: str
    fonts: list[str] = field(default_factory=list)
    kind: str = PDF_KIND
    variant: str = "standard"  # leaflets/variants.py
    clinic: str | None = None  # the clinic profile's name, when branded


def entry_for(data: bytes, **fields) -> ManifestEntry:
    """A manifest entry for PDF bytes ``data``."""
    return ManifestEntry(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), **fields)


def file_entry(path: str, data: bytes, kind: str) -> dict:
    """A manifest entry for a file that is not a leaflet PDF."""
    return {"kind": kind, "path": path, "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data)}


def kind_of(entry: dict) -> str:
    """What an entry describes: "pdf" (also for entries written before kinds existed) or else."""
    return entry.get("kind", PDF_KIND)


def manifest_json(entries: list[dict]) -> bytes:
    """The manifest's bytes: a list sorted by path, stable, UTF-8."""
    ordered = sorted(entries, key=lambda e: (e["path"], e.get("leaflet", ""), e.get("lang", "")))
    return (json.dumps(ordered, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def read_manifest(out: Path) -> list[dict]:
    """The entries of an existing manifest in ``out`` (empty when there is none or it is unreadable)."""
    path = Path(out) / MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


def still_valid(out: Path, entry: dict) -> bool:
    """True when the file an old entry names is still there with the same content."""
    path = Path(out) / entry.get("path", "")
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256")
    except OSError:
        return False


def write_manifest(out: Path, entries: list[ManifestEntry]) -> Path:
    """Write ``manifest.json`` into ``out``: this run's entries plus old ones still on disk."""
    fresh = [asdict(entry) for entry in entries]
    paths = {entry["path"] for entry in fresh}
    kept = [old for old in read_manifest(out)
            if old.get("path") not in paths and still_valid(out, old)]
    path = Path(out) / MANIFEST
    atomic_write(path, manifest_json(fresh + kept))
    return path
