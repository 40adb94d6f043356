"""Manifest: what a build published, one sorted entry per file, keyed by content hash.

Entries for PDFs have ``kind: "pdf"``; the files of the front desk page (index.html, its
CSS, JS and thumbnails) have ``kind: "frontdesk"`` and only path, sha256 and bytes.
An entry without ``kind`` (an older manifest) is a PDF.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import LeafletError
from ..files import atomic_write, write_if_changed
from . import filehashes

MANIFEST = "manifest.json"
PDF_KIND = "pdf"


@dataclass(frozen=True)
class ManifestEntry:
    """One published PDF and everything it was made from."""

    leaflet: str
    lang: str
    path: str  # relative to the output folder, with forward slashes
    sha256: str
    pages: int
    bytes: int
    paper: str
    version: str  # the leaflet's version (templates/<id>.toml)
    review_status: str  # "source", "reviewed by …" or "not reviewed"
    complete: bool
    completeness: str  # "translated/needed" messages, e.g. "52/52"
    tool_version: str
    weasyprint_version: str
    inputs: str  # the inputs hash (leaflets/building/inputs.py) the PDF was built from
    catalogs: list[dict] = field(default_factory=list)  # {path, revision, sha256}
    fonts: list[dict] = field(default_factory=list)  # {family, sha256} of each font file
    kind: str = PDF_KIND
    variant: str = "standard"  # leaflets/render/variants.py
    clinic: str | None = None  # the clinic profile's name, when branded


def entry_for(data: bytes, **fields) -> ManifestEntry:
    """A manifest entry for PDF bytes ``data``."""
    return ManifestEntry(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), **fields)


def entry_from_dict(data: dict) -> ManifestEntry | None:
    """An entry read back from a manifest, or None when it was written by another version."""
    try:
        return ManifestEntry(**data)
    except TypeError:
        return None


def entry_dict(entry: ManifestEntry) -> dict:
    """An entry as the manifest's JSON holds it (``dataclasses.asdict`` without deep copies)."""
    return {f.name: getattr(entry, f.name) for f in fields(ManifestEntry)}


def _by_path(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda e: (str(e.get("path")), str(e.get("leaflet", "")),
                                          str(e.get("lang", ""))))


def file_entry(path: str, data: bytes, kind: str) -> dict:
    """A manifest entry for a file that is not a leaflet PDF."""
    return {"kind": kind, "path": path, "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data)}


def kind_of(entry: dict) -> str:
    """What an entry describes: "pdf" (also for entries written before kinds existed) or else."""
    return entry.get("kind", PDF_KIND)


def manifest_json(entries: list[dict]) -> bytes:
    """The manifest's bytes: a list sorted by path, stable, UTF-8 (``json.dumps(entries,
    indent=2, sort_keys=True, ensure_ascii=False)``, one entry at a time)."""
    ordered = sorted(entries, key=lambda e: (e["path"], e.get("leaflet", ""), e.get("lang", "")))
    if not ordered:
        return b"[]\n"
    # a build writes the manifest two or three times, mostly with the same entries: the
    # indented text of each (json's pure-Python encoder) is made once, keyed by its
    # compact text (the C encoder, several times faster)
    return ("[\n" + ",\n".join(map(_entry_text, ordered)) + "\n]\n").encode()


_compact = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # made once
_texts: dict[str, str] = {}


def _entry_text(entry: dict) -> str:
    key = _compact(entry)
    text = _texts.get(key)
    if text is None:
        indented = json.dumps(entry, ensure_ascii=False, indent=2, sort_keys=True)
        text = "  " + indented.replace("\n", "\n  ")  # a string holds no raw newline
        if len(_texts) >= 8192:  # a long-lived process building many libraries
            _texts.clear()
        _texts[key] = text
    return text


def read_manifest(out: Path) -> list[dict]:
    """The entries of an existing manifest in ``out`` (empty when there is none or it is unreadable)."""
    path = Path(out) / MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


class HeldManifest:
    """The manifest of an output folder this build holds locked: read from disk once, then
    kept in memory; every change is written through, so memory and disk always agree."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out / MANIFEST
        try:
            self.before: bytes | None = self.path.read_bytes()
        except OSError:
            self.before = None
        self.current = self.before
        self.entries = read_manifest(self.out)
        self.unwritten = False  # entries held that the manifest on disk does not list yet

    def replace(self, entries: list[dict], data: bytes | None) -> None:
        """Record what was just written (``data``; None when the manifest was removed)."""
        self.entries = list(entries)
        self.current = data
        self.unwritten = False

    @property
    def changed(self) -> bool:
        """Whether this build changed the manifest's bytes."""
        return self.current != self.before


def _entries(out: Path, held: HeldManifest | None) -> list[dict]:
    return list(held.entries) if held is not None else read_manifest(out)


def valid_bytes(out: Path, entry: dict) -> bytes | None:
    """The bytes of the file an entry names, if it is still there with the same content."""
    try:
        data = (Path(out) / entry["path"]).read_bytes()
    except (OSError, KeyError, TypeError):
        return None
    return data if hashlib.sha256(data).hexdigest() == entry.get("sha256") else None


def still_valid(out: Path, entry: dict) -> bool:
    """True when the file an old entry names is still there with the same content."""
    if (index := filehashes.active()) is not None and isinstance(entry.get("path"), str):
        return index.sha256(os.path.join(out, entry["path"])) == entry.get("sha256")
    return valid_bytes(out, entry) is not None


class CheckedOnce:
    """``still_valid`` for a stretch in which nothing writes the files it checks (a build
    holding the folder's lock, between its writes): each file is read and hashed once."""

    def __init__(self):
        self._seen: dict[tuple, bool] = {}

    def __call__(self, out: Path, entry: dict) -> bool:
        key = (str(out), str(entry.get("path")), str(entry.get("sha256")))
        if key not in self._seen:
            self._seen[key] = still_valid(out, entry)
        return self._seen[key]


def forget(out: Path, paths: set[str], held: HeldManifest | None = None) -> None:
    """Drop ``paths`` (and entries whose file changed) from the manifest in ``out``.

    Called before those files are replaced or removed: a build killed in between
    leaves a manifest that lists only files that are there, with their hash.
    """
    path = Path(out) / MANIFEST
    if not paths or (held.before is None and not held.entries if held is not None
                     else not path.exists()):
        return
    entries = _entries(out, held)
    kept = [entry for entry in entries if isinstance(entry, dict)
            and entry.get("path") not in paths and still_valid(out, entry)]
    if len(kept) != len(entries):
        write_entries(out, kept, held)


def write_entries(out: Path, entries: list[dict], held: HeldManifest | None = None) -> None:
    """Write ``entries`` as the manifest of ``out`` (and remember them in ``held``)."""
    data = manifest_json(entries)
    atomic_write(Path(out) / MANIFEST, data)
    if held is not None:
        held.replace(entries, data)


def write_manifest(out: Path, entries: list[ManifestEntry], dropped: set[str] = frozenset(),
                   held: HeldManifest | None = None, valid=still_valid,
                   defer: bool = False) -> Path | None:
    """Write ``manifest.json`` into ``out``: this run's entries plus old ones still on disk.

    Old entries for ``dropped`` paths (jobs of this run that failed) are left out. Nothing
    is written when the bytes would not change; returns None when there is nothing to list.
    With ``defer`` and ``held``, the entries are only held: the caller writes the manifest
    again next (with the front desk page's files), and that write puts them on disk; a
    build killed before it leaves the manifest ``forget`` wrote, which lists less.
    """
    fresh = [entry_dict(entry) for entry in entries]
    paths = {entry["path"] for entry in fresh} | set(dropped)
    kept = [old for old in _entries(out, held)
            if old.get("path") not in paths and valid(out, old)]
    path = Path(out) / MANIFEST
    if not fresh and not kept:
        if path.exists():
            path.unlink()
        if held is not None:
            held.replace([], None)
        return None
    if defer and held is not None:
        held.entries, held.unwritten = fresh + kept, True
        return path
    if held is not None and held.current is not None and _by_path(fresh + kept) == _by_path(
            held.entries):
        return path  # what is on disk already says this (a no-op build): ~0.3 s at 1,000 PDFs
    data = manifest_json(fresh + kept)
    write_if_changed(path, data)
    if held is not None:
        held.replace(fresh + kept, data)
    return path


def merge_manifests(paths: list[Path]) -> bytes:
    """One manifest of the PDFs of several (e.g. CI shards); the same PDF listed twice must agree.

    Front desk entries are left out: each shard's page lists only its own PDFs."""
    merged: dict[str, dict] = {}
    for path in paths:
        try:
            entries = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise LeafletError(f"cannot read manifest: {exc.strerror}", path) from None
        except ValueError as exc:
            raise LeafletError(f"not a JSON manifest: {exc}", path) from None
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and "path" in e for e in entries):
            raise LeafletError("not a manifest: expected a JSON list of entries with a "
                               "'path'", path)
        for entry in (e for e in entries if kind_of(e) == PDF_KIND):
            other = merged.setdefault(entry["path"], entry)
            if other.get("sha256") != entry.get("sha256"):
                raise LeafletError(f"{entry['path']} is listed with two different sha256; "
                                   "the shards were built from different inputs", path)
    return manifest_json(list(merged.values()))
