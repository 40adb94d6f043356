"""WeasyPrint, imported with a quicker lookup of its C libraries.

WeasyPrint tries several names for each library (Windows, macOS and Linux spellings,
leaflets/render/textlayer.py targets WeasyPrint 70). For each name cffi asks
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and, when that does not
know the name, ``gcc`` and ``ld`` as well: about 0.4 s of every start that renders. The
names that exist here are in ldconfig's cache, so while WeasyPrint loads only that is asked.
With LD_LIBRARY_PATH set (libraries outside the cache) ctypes keeps its full search.
"""

from __future__ import annotations

import ctypes.util
import os
from contextlib import contextmanager


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
