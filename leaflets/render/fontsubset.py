"""Font compaction: CJK fonts embedded at the size of the glyphs used, not of the whole font.

WeasyPrint 70 subsets fonts with hb-subset but keeps every glyph id up to the
highest one used (RETAIN_GIDS), because its content streams address glyphs by
their original id.  Noto Sans CJK has 65,000 glyphs and CJK text uses ids all
over that range, so each embedded face still carries 63,000 empty glyph slots
(CFF charset, hmtx and vmtx): ~140 KB compressed for a Chinese leaflet.

For a CID-keyed CFF font that does not matter: a PDF viewer finds a glyph by
its CID through the font's charset (ISO 32000-1, 9.7.4.2), and hb-subset keeps
the original CIDs in the charset when it renumbers glyphs.  So the finisher
below re-subsets such fonts from the original face without RETAIN_GIDS, checks
that every kept glyph still has its original CID, and only then swaps the
stream's bytes.  TrueType fonts (glyf) are left alone: the PDF would need a
CIDToGIDMap, and their retained ids cost a few KB at most.
"""

from __future__ import annotations

import io
import logging

from . import weasy  # noqa: F401  (first: finds its C libraries quickly)
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

LOG = logging.getLogger(__name__)

# The same tables WeasyPrint drops (weasyprint/pdf/fonts.py): layout is done.
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                b"LTSH", b"PCLT", b"SVG ")


def compact_cid_fonts(document, pdf) -> None:
    """WeasyPrint ``finisher``: shrink embedded CID-keyed CFF fonts to the glyphs used."""
    if not harfbuzz_subset:
        return
    fonts = document.fonts.values()  # WeasyPrint 70: {hash: Font}, filled by write_pdf
    by_content: dict[int, list] = {}
    for font in fonts:
        if not font.bitmap and font.file_content[:4] == b"OTTO":
            by_content.setdefault(id(font.file_content), []).append(font)
    if not by_content:
        return
    for obj in pdf.objects:
        parts = getattr(obj, "stream", None)
        if not isinstance(parts, list) or len(parts) != 1:
            continue
        group = by_content.get(id(parts[0]))
        if not group:
            continue
        gids = sorted({0}.union(*(font.to_unicode for font in group)))
        cff = subset_keeping_cids(group[0].hb_face, gids)
        if cff is not None and len(cff) < len(parts[0]):
            parts[0] = cff
            obj.extra["Subtype"] = "/CIDFontType0C"


def subset_keeping_cids(hb_face, gids: list[int]) -> bytes | None:
    """The glyphs ``gids`` of a CID-keyed CFF face, renumbered, CIDs unchanged; else None."""
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                          harfbuzz_subset.hb_subset_input_destroy)
    if subset_input == ffi.NULL:
        return None
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(gids)}]", gids),
                                     len(gids))
    harfbuzz_subset.hb_subset_input_set_flags(
        subset_input,
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE  # smaller once compressed, as measured
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING)
    drop = harfbuzz_subset.hb_subset_input_set(
        subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags),
                                     len(tags))
    face = harfbuzz_subset.hb_subset_or_fail(hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    data = get_hb_object_data(face)
    cff = cid_keyed_cff(data, gids) if data else None
    if cff is None:
        LOG.debug("font not compacted: not a CID-keyed CFF font with CID = glyph id")
    return cff


def cid_keyed_cff(data: bytes, gids: list[int]) -> bytes | None:
    """The bare CFF table of OpenType font ``data`` if it holds glyph *g* as CID *g* for every
    *g* in ``gids`` (a CID-keyed font whose CIDs survived subsetting), else None."""
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        top = font["CFF "].cff.topDictIndex[0]
        if not hasattr(top, "ROS"):
            return None  # name-keyed CFF: glyphs are found by index, not by CID
        names = set(font.getGlyphOrder())
        raw = font.reader["CFF "]
    except (TTLibError, KeyError, AttributeError, AssertionError):
        return None
    # hb-subset may add glyphs (layout closure); that costs a few bytes and is harmless
    wanted = {".notdef" if gid == 0 else f"cid{gid:05d}" for gid in gids}
    return raw if wanted <= names else None
