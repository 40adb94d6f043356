"""WeasyPrint, imported with a quicker lookup of its C libraries; its streams deflated quicker.

WeasyPrint tries several names for each library (Windows, macOS and Linux spellings,
leaflets/render/textlayer.py targets WeasyPrint 70). For each name cffi asks
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and, when that does not
know the name, ``gcc`` and ``ld`` as well: about 0.4 s of every start that renders. The
names that exist here are in ldconfig's cache, so while WeasyPrint loads only that is asked.
With LD_LIBRARY_PATH set (libraries outside the cache) ctypes keeps its full search.

pydyf, which writes WeasyPrint's PDFs, deflates every stream at zlib level 9. On the HSG
leaflet's streams, level 6 (zlib's own default) takes a third of the time for 1.8% more
bytes (3.84 against 3.77 MB over 32 PDFs, 0.32 against 0.87 s): 5% of a render.
"""

from __future__ import annotations

import ctypes.util
import os
import zlib
from contextlib import contextmanager

STREAM_LEVEL = 6


@contextmanager
def _ldconfig_only():
    quick = getattr(ctypes.util, "_findSoname_ldconfig", None)  # CPython on Linux
    if quick is None or os.environ.get("LD_LIBRARY_PATH"):
        yield
        return
    full, ctypes.util.find_library = ctypes.util.find_library, quick
    try:
        yield
    finally:
        ctypes.util.find_library = full


with _ldconfig_only():
    import weasyprint  # noqa: F401,E402
    import weasyprint.text.ffi  # noqa: F401,E402  (opens Pango, HarfBuzz, fontconfig)


class _Deflate:
    """pydyf's ``zlib``, with each stream's compressor at ``STREAM_LEVEL``."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
        return zlib.compressobj(STREAM_LEVEL, *args, **kwargs)


def install() -> None:
    """Make pydyf deflate streams at ``STREAM_LEVEL``. Idempotent."""
    import pydyf

    if not isinstance(pydyf.zlib, _Deflate):
        pydyf.zlib = _Deflate()
