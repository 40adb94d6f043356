"""Alias codes: one CID per (glyph, text) pair in WeasyPrint's embedded TrueType fonts.

WeasyPrint 70 maps each glyph id to the text of its first use. A glyph drawn for
another text (a Devanagari vowel sign in another cluster, an Arabic ligature with
other marks) gets an alias CID above the font's glyph count: the same glyph
(CIDToGIDMap), the same width (W) unless given one, its own ToUnicode text.
``render/textlayer.py`` asks for codes while lines are drawn and calls
``add_aliases`` once WeasyPrint has built the fonts.
"""

import sys
from array import array
from math import ceil

import pydyf

from . import hiddentext
from . import textlines as lines
from .textlines import RLM


def can_alias(font):
    """Whether ``font`` can get alias codes: TrueType outlines (a CIDToGIDMap), codes left.

    Not bitmaps, not CFF outlines (CJK collections are CFF inside a .ttc: their
    CIDs are glyph ids, leaflets/render/fontsubset.py).
    """
    if 'textlayer_can_alias' not in font.__dict__:
        font.textlayer_can_alias = (
            not font.bitmap and font.type != 'otf' and font.glyph_count < 0xF000 and
            'glyf' in _table_tags(font))
    return font.textlayer_can_alias


def _table_tags(font):
    """Return the table tags of ``font``'s face (a face of a collection: its own)."""
    from io import BytesIO

    from fontTools.ttLib import TTFont
    try:
        return set(TTFont(BytesIO(font.file_content), fontNumber=font.index, lazy=True).keys())
    except Exception:  # noqa: BLE001 - unreadable: no aliases, WeasyPrint's mapping
        return set()


def hidden_code(font, glyph_id, text):
    """Return a code drawing ``glyph_id`` read as a space: extractors that read the glyphs
    under the line's ActualText (pdf.js, pypdf) see only spaces after its invisible text.

    Not nothing: PDFium and pdf.js read a glyph mapped to nothing as its code."""
    # WeasyPrint subsets fonts to the glyphs with a text: give it the glyph's
    font.to_unicode.setdefault(glyph_id, text)
    if font.bitmap or font.type == 'otf':
        return glyph_id  # no alias codes: WeasyPrint's mapping
    aliases = font.__dict__.setdefault('textlayer_aliases', {})
    key = (glyph_id, hiddentext.HIDDEN, None)
    if key not in aliases:
        code = next_free_code(font)
        if code is None:
            return glyph_id
        aliases[key] = code
    return aliases[key]


def blank_code(font, text):
    """Return a code drawing nothing, with no width, read as ``text``, or None."""
    glyph = lines.blank_glyph(font)
    if glyph is None:
        return None
    code = alias_code(font, glyph, text, 0)
    return None if code == glyph else code  # no code left for aliases


def alias_code(font, glyph_id, text, width=None):
    """Return the code drawing ``glyph_id`` with ``text`` as ToUnicode text.

    ``width`` (1/1000 em), if given, replaces the glyph's own width.
    """
    # A space marked for poppler (" " + RLM) never becomes the glyph's own text:
    # WeasyPrint's fallback for a line this module gives up on uses that one.
    first_text = font.to_unicode.setdefault(glyph_id, text.replace(RLM, '') or text)
    if font.bitmap or (first_text == text and width is None):
        return glyph_id  # Type 3 bitmap fonts keep WeasyPrint's mapping
    aliases = font.__dict__.setdefault('textlayer_aliases', {})
    if (glyph_id, text, width) not in aliases:
        # CFF CIDFonts have no CIDToGIDMap: keep WeasyPrint's mapping.
        code = None if font.type == 'otf' else next_free_code(font)
        if code is None:
            if not font.__dict__.setdefault('textlayer_warned', False):
                from weasyprint.logger import LOGGER
                LOGGER.warning('Text layer of "%s" may be wrong', font.family)
                font.textlayer_warned = True
            return glyph_id
        aliases[(glyph_id, text, width)] = code
    return aliases[(glyph_id, text, width)]


def next_free_code(font):
    """Return the next unused code above glyph ids, or None if codes run out."""
    aliases = font.__dict__.get('textlayer_aliases', ())
    code = font.glyph_count + len(font.missing) + len(aliases)
    return code if code <= 0xFFFF else None


def add_aliases(pdf, pdf_fonts, fonts, compress) -> None:
    """Give the fonts WeasyPrint built (``pdf_fonts``) their alias codes: ToUnicode,
    Encoding (fonts with missing glyphs), W, CIDToGIDMap and, in PDF/A-1, CIDSet."""
    for font in fonts.values():
        aliases = font.__dict__.get('textlayer_aliases')
        if not aliases or font.bitmap or font.hash not in pdf_fonts:
            continue
        dictionary = _object(pdf, pdf_fonts[font.hash])
        # Empty texts (glyphs of a cluster but the first) as WeasyPrint does.
        _insert_before_endcmap(_object(pdf, dictionary['ToUnicode']), 'bfchar', [
            b'<%04x> <%s>' % (code, text.encode('utf-16-be').hex().encode())
            for (_, text, _), code in aliases.items()])
        if dictionary['Encoding'] != '/Identity-H':
            # Missing glyphs' Encoding CMap: alias codes are alias CIDs.
            _insert_before_endcmap(_object(pdf, dictionary['Encoding']), 'cidchar', [
                b'<%04x> %d' % (code, code) for code in aliases.values()])

        cid_font = _object(pdf, dictionary['DescendantFonts'][0])
        glyph_ids = {code: glyph_id for (glyph_id, _, _), code in aliases.items()}
        widths = {
            first + i: width
            for first, run in zip(cid_font['W'][::2], cid_font['W'][1::2])
            for i, width in enumerate(run)}
        for (glyph_id, _, width), code in sorted(aliases.items(), key=lambda a: a[1]):
            if width is not None:  # blank glyphs: 0, as in the font program
                cid_font['W'].extend((code, pydyf.Array((width,))))
            elif glyph_id in widths:  # else both use the default width
                cid_font['W'].extend((code, pydyf.Array((widths[glyph_id],))))
        # Missing glyphs' codes (above the glyph count) draw glyph 0.
        gids = [glyph_ids.get(cid, cid) for cid in range(max(glyph_ids) + 1)]
        cid_to_gid_map = _gid_map_stream(
            [gid if gid < font.glyph_count else 0 for gid in gids], compress)
        pdf.add_object(cid_to_gid_map)
        cid_font['CIDToGIDMap'] = cid_to_gid_map.reference

        descriptor = _object(pdf, cid_font['FontDescriptor'])
        if 'CIDSet' in descriptor:  # PDF ≤ 1.4 (PDF/A-1): list alias CIDs too
            cid_set = _object(pdf, descriptor['CIDSet'])
            bits = bytearray(cid_set.stream[0])
            bits.extend(bytes(max(0, ceil((max(glyph_ids) + 1) / 8) - len(bits))))
            for cid in glyph_ids:
                bits[cid // 8] |= 0x80 >> (cid % 8)
            cid_set.stream = [bytes(bits)]


def _object(pdf, reference):
    """Return the object of ``pdf`` pointed by a pydyf ``reference``."""
    return pdf.objects[int(reference.split()[0])]


def _insert_before_endcmap(stream, kind, entries):
    """Insert CMap ``entries`` as ``begin<kind>`` blocks of 100 lines at most."""
    lines = []
    for i in range(0, len(entries), 100):
        batch = entries[i:i + 100]
        lines += [b'%d begin%s' % (len(batch), kind.encode()), *batch,
                  b'end' + kind.encode()]
    index = stream.stream.index(b'endcmap')
    stream.stream[index:index] = lines


def _gid_map_stream(glyph_ids, compress):
    """Return a CIDToGIDMap stream for the list of glyph ids indexed by CID."""
    data = array('H', glyph_ids)
    if sys.byteorder == 'little':
        data.byteswap()  # big-endian, as PDF wants
    data = data.tobytes()
    if not compress:
        return pydyf.Stream([data])
    # PNG "Up" rows of one CID: the identity part becomes a constant that
    # deflates to almost nothing (2 bytes a CID otherwise, for every glyph).
    rows = bytearray(len(data) // 2 * 3)
    rows[0::3] = b'\2' * (len(data) // 2)
    for column in (0, 1):
        values = data[column::2]
        rows[column + 1::3] = bytes((a - b) & 255 for a, b in zip(values, b'\0' + values[:-1]))
    return pydyf.Stream([bytes(rows)], pydyf.Dictionary({
        'DecodeParms': pydyf.Dictionary({'Predictor': 12, 'Columns': 2})}), True)
