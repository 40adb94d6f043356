"""Files: every output is written whole or not at all, and one build at a time per folder."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LeafletError

LOG = logging.getLogger(__name__)
TMP_SUFFIX = ".tmp"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` under no name (or a temporary one), then rename it into place.

    On Linux the data goes into an O_TMPFILE, which has no name until it is
    complete: a build killed with SIGKILL while writing leaves nothing behind.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeafletError(f"cannot write here: {exc.strerror}; choose another --out folder",
                           path.parent) from None
    try:
        fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        anonymous = True
    except (AttributeError, OSError):  # not Linux, or a filesystem without O_TMPFILE
        anonymous = False
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        if not anonymous:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        try:
            _write_all(fd, data)
            os.fchmod(fd, 0o644)
            os.fsync(fd)
            if anonymous:
                _link_anonymous(fd, tmp)
            os.replace(tmp, path)
        finally:
            os.close(fd)
        _sync_folder(path.parent)
    except OSError as exc:
        _unlink(tmp)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise LeafletError(f"cannot write here: {exc.strerror}; choose another --out folder",
                               path.parent) from None
        raise LeafletError(f"cannot write file: {exc.strerror}; nothing was replaced",
                           path) from None
    except BaseException:
        _unlink(tmp)
        raise


def _link_anonymous(fd: int, tmp: Path) -> None:
    """Give an O_TMPFILE a name; linkat() cannot replace, so it is a temporary one."""
    folder = os.open(tmp.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        # a dst_dir_fd makes Python call linkat(AT_SYMLINK_FOLLOW), which
        # link() through /proc/self/fd needs
        os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (power loss, not just a crash)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporary files a killed writer left in ``folder``; call with the folder locked."""
    removed = []
    for path in sorted(Path(folder).rglob(f".*{TMP_SUFFIX}")):
        if path.is_file() and not path.is_symlink():
            _unlink(path)
            removed.append(path)
            LOG.info("removed %s, left by an interrupted build", path)
    return removed


@contextlib.contextmanager
def locked_folder(folder: Path, timeout: float) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if needed); other builds wait ``timeout`` s.

    flock() on the folder itself: no lock file to leave behind, and the kernel
    drops the lock when the process dies, even by SIGKILL.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise LeafletError("this is a file, not a folder; choose another --out folder", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise LeafletError(f"cannot use this output folder: {exc.strerror}; choose another --out "
                           "folder", folder) from None
    try:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LeafletError("another build is writing to this folder; wait for it to "
                                       "finish or choose another --out folder", folder) from None
                if not waiting:
                    LOG.info("waiting for another build writing to %s", folder)
                    waiting = True
                time.sleep(0.05)
        yield folder
    finally:
        os.close(fd)


def write_if_changed(path: Path, data: bytes) -> bool:
    """``atomic_write`` unless ``path`` already holds exactly ``data``; True when written."""
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def inside(path: str | Path, roots: list[Path]) -> Path | None:
    """``path`` with symlinks and ``..`` resolved, or None when that is outside every root."""
    try:
        target = Path(path).resolve()
    except (OSError, ValueError, RuntimeError):  # NUL bytes, symlink loops
        return None
    return target if any(target.is_relative_to(root) for root in roots) else None
