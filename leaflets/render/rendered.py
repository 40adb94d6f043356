"""What a render produces: the PDF's bytes and the fonts it embeds.

Apart from ``pdf.py``, which imports WeasyPrint: the parent of a build unpickles a
worker's answer, and an answer naming a class of ``pdf.py`` would import WeasyPrint
there (~0.4 s) just to read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FontUse:
    """A font family embedded in a PDF and the sha256 of the font file it came from."""

    family: str
    sha256: str


@dataclass(frozen=True)
class RenderedPdf:
    """A finished PDF in memory, with what we read off the document while writing it."""

    data: bytes
    pages: int
    fonts: tuple[FontUse, ...] = ()  # sorted by family, then file hash
