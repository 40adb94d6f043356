"""Files: every output is written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import LeafletError


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise LeafletError(f"cannot write here: {exc.strerror}; choose another --out folder",
                           path.parent) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise LeafletError(f"cannot write file: {exc.strerror}", path) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """``atomic_write`` unless ``path`` already holds exactly ``data``; True when written."""
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True
