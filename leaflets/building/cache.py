"""Run-to-run memo: what one build learned (checked catalogs, font lookups, thumbnails), by key.

A small generic layer: ``Memo.remember(key, compute, encode, decode)`` returns the value
stored under ``key`` or computes and stores it. Keys come from ``make_key``: a sha256 over
the content hashes of every input of the computation plus ``code_identity()`` (this
package's own source, so a change to any check rule or to this tool makes new keys). No
mtime is ever part of a key: a key names the bytes a result was computed from, so a
changed catalog, template or font simply misses.

The folder (default ``<out>/.leaflets-cache``) is safe to delete at any time. Entries are
JSON (never pickle: the output folder is not trusted with code); an entry that cannot be
read, does not parse, names another key or fails its checksum is ignored and recomputed,
never an error. New entries wait in an unnamed temporary file and are written by
``flush`` once the build has published, each to a temporary file renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

from .. import __version__
from ..errors import Problem

LOG = logging.getLogger(__name__)

CACHE_DIR = ".leaflets-cache"  # inside the output folder unless --cache-dir says otherwise
FORMAT = 1  # bump when the layout of an entry changes
T = TypeVar("T")


@lru_cache(maxsize=1)
def code_identity() -> str:
    """sha256 over this package's source files, its version and those of the libraries that
    parse and extract (Babel, Jinja2): the identity of every rule a cached result came from."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{FORMAT}|{__version__}".encode())
    for library in ("babel", "jinja2", "weasyprint"):
        try:
            digest.update(f"|{library}={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"|{library}=?".encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def make_key(kind: str, *parts: Any) -> str:
    """The key of one computation of ``kind`` over ``parts`` (content hashes, options, names)."""
    record = json.dumps([code_identity(), kind, parts], sort_keys=True, ensure_ascii=True,
                        default=str, separators=(",", ":"))
    return f"{kind}/{hashlib.sha256(record.encode()).hexdigest()}"


class Memo:
    """Values by key: those of earlier runs (read from ``folder``) and of this one."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None  # None: this run only
        # this run's entries wait for ``flush`` in an unnamed temporary file, as JSON: a
        # thumbnail per PDF would otherwise grow the build's memory with the library
        self._new: dict[str, tuple[int, int]] = {}
        self._pending = None
        self.hits = self.misses = 0

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None (missing, unreadable or corrupt)."""
        if key in self._new:
            return self._read_new(key)
        if self.folder is None:
            return None
        try:
            raw = (self.folder / f"{key}.json").read_bytes()
            entry = json.loads(raw)
            value = entry["value"]
            if entry.get("key") != key or entry.get("sum") != _checksum(value):
                raise ValueError("entry does not match its key or checksum")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            LOG.debug("cache entry %s ignored: %s", key, exc)
            return None
        return value

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON data) under ``key``; written to disk by ``flush``."""
        if self._pending is None:
            import tempfile

            self._pending = tempfile.TemporaryFile()  # unlinked at once
        data = json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode()
        offset = self._pending.seek(0, os.SEEK_END)
        self._pending.write(data)
        self._new[key] = (offset, len(data))

    def _read_new(self, key: str) -> Any:
        offset, length = self._new[key]
        self._pending.seek(offset)
        return json.loads(self._pending.read(length))

    def remember(self, key: str, compute: Callable[[], T],
                 encode: Callable[[T], Any] = lambda value: value,
                 decode: Callable[[Any], T] = lambda value: value) -> T:
        """The stored result for ``key``, else ``compute()`` (stored for the next run)."""
        found = self.recall(key, decode)
        if found is not None:
            return found
        self.misses += 1
        result = compute()
        self.put(key, encode(result))
        return result

    def recall(self, key: str, decode: Callable[[Any], T] = lambda value: value) -> T | None:
        """The stored result for ``key`` decoded, or None (missing, or of another shape)."""
        found = self.get(key)
        if found is None:
            return None
        try:
            result = decode(found)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            LOG.debug("cache entry %s of another shape ignored: %s", key, exc)
            return None
        self.hits += 1
        return result

    def flush(self) -> int:
        """Write this run's new entries; a cache that cannot be written only logs. Returns count."""
        if self.folder is None:
            return 0
        written = 0
        for key in sorted(self._new):
            path = self.folder / f"{key}.json"
            if path.exists():
                continue  # same key, same content: another run or shard wrote it
            value = self._read_new(key)
            data = json.dumps({"key": key, "sum": _checksum(value), "value": value},
                              ensure_ascii=True, separators=(",", ":")).encode()
            try:
                _replace(path, data)
                written += 1
            except OSError as exc:
                LOG.warning("%s: cannot write the build cache: %s", path, exc.strerror)
                break
        self._new.clear()
        return written


def _checksum(value: Any) -> str:
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def _replace(path: Path, data: bytes) -> None:
    # temp file then rename: a reader sees the old entry, no entry or the whole new one.
    # No fsync: after a crash an entry may be lost or empty, and an empty one is ignored.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def problems_json(problems: list[Problem]) -> list[list]:
    """Problems as JSON data for a cache entry."""
    return [[p.path, p.lineno, p.message] for p in problems]


def problems_from(data: list) -> list[Problem]:
    """Problems back from ``problems_json`` data (TypeError/ValueError when malformed)."""
    problems = []
    for path, lineno, message in data:
        if not (path is None or isinstance(path, str)) or not (
                lineno is None or isinstance(lineno, int)) or not isinstance(message, str):
            raise TypeError("not a problem")
        problems.append(Problem(path, lineno, message))
    return problems


def font_dirs_signature() -> str:
    """What fontconfig itself watches to see fonts come and go: the font folders' mtimes.

    Used only to key the *lookup* of a family's files (``fc-list``); the files found are
    then hashed by content for every PDF's inputs, so a changed font is always seen."""
    roots = ["/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts",
             os.path.expanduser("~/.fonts"), os.path.expanduser("~/.local/share/fonts"),
             os.environ.get("FONTCONFIG_FILE", ""), os.environ.get("FONTCONFIG_PATH", "")]
    digest = hashlib.sha256()
    for root in roots:
        if not root:
            continue
        for parent, dirs, _ in os.walk(root):
            dirs.sort()
            try:
                stat = os.stat(parent)
            except OSError:
                continue
            digest.update(f"{parent}|{stat.st_mtime_ns}|{stat.st_ctime_ns}|{stat.st_ino}\n"
                          .encode())
    return digest.hexdigest()
