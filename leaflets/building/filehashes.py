"""Content hashes of files, remembered from run to run by their stat (as git's index does).

A rebuild of a library of many leaflets would otherwise read and hash every catalog,
template, PDF and thumbnail again to learn that nothing changed. The sha256 stays the
identity of a file everywhere (keys, inputs hashes, the manifest); this index only
says which files need not be read again: a file is read again unless its size,
modification time, change time and inode are the ones recorded with its hash. Writing
a file, replacing it, or restoring an old mtime (``touch -d``) all change its change
time, which no tool can set back. A file hashed within ``RACY_NS`` of its last change
is read again next time too: a second write in the same clock tick could leave every
stat field as it was.

The index is one JSON file in the build cache folder, safe to delete; one that cannot be
read is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path

from ..files import atomic_write

LOG = logging.getLogger(__name__)

INDEX = "file-hashes.json"
RACY_NS = 2_000_000_000  # FAT's mtime step is 2 s: a change within it may not show
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """sha256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class FileHashes:
    """{absolute path: [size, mtime_ns, ctime_ns, inode, hashed at (ns), sha256]}."""

    def __init__(self, folder: Path | None):
        self.path = Path(folder) / INDEX if folder is not None else None
        self._entries: dict[str, list] = {}
        self._changed = False
        if self.path is not None:
            try:
                found = json.loads(self.path.read_bytes())
                if isinstance(found, dict):
                    self._entries = found
            except (OSError, ValueError) as exc:
                if not isinstance(exc, FileNotFoundError):
                    LOG.debug("%s ignored: %s", self.path, exc)
        self.reads = 0  # files read this run (the benchmark and tests count them)

    def sha256(self, path: "Path | str") -> str:
        """sha256 of ``path``'s content ("missing" when it does not exist)."""
        try:
            stat = os.stat(path)
        except OSError:
            return "missing"
        key = os.path.abspath(path)
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        entry = self._entries.get(key)
        if (isinstance(entry, list) and len(entry) == 6 and entry[:4] == signature
                and isinstance(entry[4], int) and isinstance(entry[5], str)
                and entry[4] - max(stat.st_mtime_ns, stat.st_ctime_ns) > RACY_NS):
            return entry[5]
        try:
            digest = sha256_of(Path(path))
        except OSError:
            return "missing"
        self.reads += 1
        self._entries[key] = [*signature, time.time_ns(), digest]
        self._changed = True
        return digest

    def save(self) -> None:
        """Write the index if this run learned anything; a folder that cannot be written logs."""
        if self.path is None or not self._changed:
            return
        live = {key: entry for key, entry in sorted(self._entries.items())
                if os.path.exists(key)}  # files removed since are dropped
        data = json.dumps(live, separators=(",", ":")).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, data)
            self._changed = False
        except OSError as exc:
            LOG.warning("%s: cannot write the file hash index: %s", self.path, exc.strerror)


_active: list[FileHashes] = []


def active() -> FileHashes | None:
    """The index of the build running in this process, if any."""
    return _active[-1] if _active else None


@contextmanager
def remembered(folder: Path | None):
    """Use the index in ``folder`` (None: this run only) for every file hash taken inside;
    written when the block ends without an error (a build that stops writes nothing)."""
    index = FileHashes(folder)
    _active.append(index)
    try:
        yield index
    finally:
        _active.remove(index)
    index.save()
