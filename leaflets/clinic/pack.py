"""Print packs: several built leaflets merged into one PDF, each starting on a new sheet."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import LeafletError
from ..files import atomic_write

DEFAULT_NAME = "pack.pdf"


@dataclass(frozen=True)
class Pack:
    """What went into a print pack."""

    pages: int  # including blank pages
    blanks: int
    documents: int


def merge(documents: list[tuple[str, Path]], duplex: bool = True) -> tuple[bytes, Pack]:
    """Merge ``(label, pdf)`` documents in order; for duplex each one starts on a front side.

    A document with an odd number of pages is followed by a blank page of its last page's
    size, so the next leaflet never prints on the back of the previous one.
    """
    if not documents:
        raise LeafletError("nothing to pack: no leaflets were built")
    from pypdf import PdfReader, PdfWriter  # here: builds need not pay for the import

    writer = PdfWriter()
    blanks = 0
    for label, path in documents:
        try:
            reader = PdfReader(path)
            title = reader.metadata.title if reader.metadata else None
        except (OSError, ValueError) as exc:
            raise LeafletError(f"cannot read the PDF to pack: {exc}", str(path)) from None
        first = len(writer.pages)
        for page in reader.pages:
            writer.add_page(page)
        writer.add_outline_item(title=f"{label}: {title}" if title else label, page_number=first)
        if duplex and len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(box.width), height=float(box.height))
            blanks += 1
    # pypdf would stamp "pypdf" and no date; keep the pack free of anything that varies
    writer.add_metadata({"/Producer": "leaflets", "/Title": "Print pack"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), Pack(pages=len(writer.pages), blanks=blanks,
                                   documents=len(documents))


def write_pack(path: Path, documents: list[tuple[str, Path]], duplex: bool = True) -> Pack:
    """Merge the documents and write the pack atomically."""
    data, made = merge(documents, duplex)
    atomic_write(Path(path), data)
    return made
