"""Files: every output is written whole or not at all, and one build at a time per folder."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LeafletError

LOG = logging.getLogger(__name__)
TMP_SUFFIX = ".tmp"
# The build lock's file, inside the output folder; hidden, never published or listed.
LOCK_FILE = ".leaflets.lock"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` under no name (or a temporary one), then rename it into place.

    On Linux the data goes into an O_TMPFILE, which has no name until it is
    complete: a build killed with SIGKILL while writing leaves nothing behind.
    Elsewhere (Windows, macOS, filesystems without O_TMPFILE) it goes into a
    hidden temporary file that ``os.replace`` renames; one a killed build left
    is removed by the next build (``remove_stale_temps``).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeafletError(f"cannot write here: {exc.strerror}; choose another --out folder",
                           path.parent) from None
    fd = _open_anonymous(path.parent)
    anonymous = fd is not None
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        if not anonymous:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _CLOEXEC | _BINARY, 0o644)
        try:
            _write_all(fd, data)
            if hasattr(os, "fchmod"):  # whatever the umask; Windows has no modes to set
                os.fchmod(fd, 0o644)
            os.fsync(fd)
            if anonymous:
                _link_anonymous(fd, tmp)
        finally:
            os.close(fd)
        # after closing: Windows cannot rename a file that is still open
        os.replace(tmp, path)
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


# Flags that exist only on some systems: 0 elsewhere. Without O_BINARY, Windows would
# write every "\n" as "\r\n".
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _open_anonymous(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (Linux O_TMPFILE), or None where there is none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):  # linkat() needs /proc
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | _CLOEXEC, 0o644)
    except OSError:  # a filesystem without O_TMPFILE (some network and FUSE ones)
        return None


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
    if not hasattr(os, "O_DIRECTORY"):  # Windows: folders cannot be opened or synced
        return
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

    filelock takes an OS lock (flock on POSIX, msvcrt.locking on Windows) on
    ``LOCK_FILE`` inside the folder: the OS drops it when the process dies, even
    by SIGKILL, so a killed build never blocks the next one.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise LeafletError("this is a file, not a folder; choose another --out folder", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeafletError(f"cannot use this output folder: {exc.strerror}; choose another --out "
                           "folder", folder) from None
    lock = FileLock(folder / LOCK_FILE, timeout=0, is_singleton=False)
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            lock.acquire(timeout=0)
            break
        except Timeout:
            if time.monotonic() >= deadline:
                raise LeafletError("another build is writing to this folder; wait for it to "
                                   "finish or choose another --out folder", folder) from None
            if not waiting:
                LOG.info("waiting for another build writing to %s", folder)
                waiting = True
            time.sleep(0.05)
        except OSError as exc:
            raise LeafletError(f"cannot use this output folder: {exc.strerror}; choose another "
                               "--out folder", folder) from None
    try:
        yield folder
    finally:
        lock.release()


def write_if_changed(path: Path, data: bytes) -> bool:
    """``atomic_write`` unless ``path`` already holds exactly ``data``; True when written."""
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


class Resolver:
    """``Path.resolve`` for many files in a few folders, each folder resolved once.

    For one run over files that stay put (a build's catalogs): resolving walks every
    component of the path, which at a thousand catalogs is a noticeable part of a no-op."""

    def __init__(self):
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: str | Path) -> Path | None:
        """``path`` resolved, or None when it cannot be (a symlink loop, a NUL byte)."""
        path = Path(path)
        try:
            if path.is_symlink() or path.name in ("", ".", ".."):
                return path.resolve()
            folder = self._folders.get(path.parent)
            if folder is None:
                folder = self._folders[path.parent] = path.parent.resolve()
        except (OSError, ValueError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
            return None
        return folder / path.name


def inside(path: str | Path, roots: list[Path]) -> Path | None:
    """``path`` with symlinks and ``..`` resolved, or None when that is outside every root."""
    try:
        target = Path(path).resolve()
    except (OSError, ValueError, RuntimeError):  # NUL bytes, symlink loops
        return None
    return target if any(target.is_relative_to(root) for root in roots) else None
