"""Exact PDF text layer for WeasyPrint 70.0 (upstream issue #2841, PR #2869).

WeasyPrint gives each glyph id the ToUnicode text of its *first* use, so a glyph
reused in another cluster (Devanagari vowel signs and conjuncts, Arabic
ligatures with vowel marks) extracts as the wrong text. Here every (glyph, text)
pair gets its own CID: the first pair keeps the glyph id, any other gets an
alias CID above the font's glyph count, drawn with the same glyph (CIDToGIDMap)
and the same width (W), and mapped to its own text (ToUnicode). Codes stay in
Identity-H because pypdf ignores embedded Encoding CMaps.

Each line WeasyPrint draws is then rewritten (leaflets/render/textlines.py) so that
poppler (pdftotext) and pypdf both read it in logical order, with the same
glyphs painted at the same places (pages render pixel-identical; font files and
marked content untouched):
- the offsets placing marks ([base +p mark -q]) are split into offsets too
  small for pypdf to read as word gaps (textlines.split_mark_offsets);
- right-to-left lines are drawn run by run in logical order
  (textlines.logical_segments);
- in right-to-left runs each glyph carries one character, the others going to
  blank glyphs (the font's zero-width glyph, no outline), and neutral
  characters get a right-to-left mark, for poppler's bidi reordering
  (textlines.spread_rtl_clusters).
The bidi marks added (U+061C, U+200F) are invisible format characters.
"""

import inspect
import unicodedata
from math import ceil

import pydyf

from ..render import textlines as lines
from .textlines import RLM

EXPECTED_VERSION = '70.0'
_installed = False


def _targets():
    """Return (owner, attribute, parameters, statements relied on) to check."""
    from weasyprint import pdf
    from weasyprint.draw import text
    from weasyprint.pdf import fonts, stream
    return (
        (text, 'draw_first_line', (
            'stream', 'textbox', 'text_overflow', 'block_ellipsis', 'matrix'), (
            'font, font_size = stream.add_font(pango_font)',
            'if glyph_id not in font.to_unicode:', 'font.to_unicode[glyph_id] = ',
            "string += f'{glyph_id:02x}' if font.bitmap else f'{glyph_id:04x}'",
            'stream.set_text_matrix(*matrix.values)', 'run = first_line.runs[0]',
            'stream.set_font_size(font.hash, 1 if font.bitmap else font_size)',
            'stream.set_text_rise(-rise)', "string += f'>{int(kerning)}<'")),
        (pdf, 'build_fonts_dictionary', (
            'pdf', 'fonts', 'compress', 'subset', 'options'), (
            "'ToUnicode': to_unicode_object.reference", "b'endcmap',",
            'pdf_fonts[font.hash] = font_dictionary.reference')),
        (fonts.Font, 'get_unused_glyph_id', ('self', 'codepoint'), (
            'self.glyph_count + len(self.missing)',)),
        (fonts, '_build_vector_font_dictionary', (
            'font_dictionary', 'pdf', 'font', 'widths', 'compress', 'reference',
            'pdf_version'), (
            "'CIDToGIDMap': '/Identity',",
            "font_dictionary['Encoding'] = '/Identity-H'")),
        # Checked only: the font state that lines rewritten here must keep.
        (stream.Stream, 'set_font_size', ('self', 'font', 'size'), (
            'self._current_font = (font, size)',)),
    )


def check_compatible():
    """Raise RuntimeError unless WeasyPrint has the version and code patched here."""
    check_functions('leaflets.textlayer', _targets(), EXPECTED_VERSION, '#2841')


def check_functions(patch, targets, version, issue):
    """Raise RuntimeError unless WeasyPrint is ``version`` with the ``targets`` as known."""
    import weasyprint
    if weasyprint.__version__ != version:
        raise RuntimeError(
            f'{patch} is written for WeasyPrint {version}, found '
            f'{weasyprint.__version__}: check upstream issue {issue}, then update or '
            'drop this patch')
    for owner, attribute, parameters, statements in targets:
        function = getattr(owner, attribute, None)
        function = getattr(function, '__wrapped__', function)  # once installed
        try:
            found = tuple(inspect.signature(function).parameters)
            source = inspect.getsource(function)
        except (TypeError, ValueError, OSError) as exception:
            raise RuntimeError(
                f'{patch} cannot read WeasyPrint {attribute}') from exception
        missing = [line for line in statements if line not in source]
        if found != parameters or missing:
            raise RuntimeError(
                f'{patch} does not know this WeasyPrint {attribute}: '
                f'parameters {found} instead of {parameters}, missing code {missing}')


def install():
    """Patch WeasyPrint so the PDF text layer matches the source text exactly. Idempotent."""
    global _installed
    if _installed:
        return
    check_compatible()
    wrappers = (_draw_first_line, _build_fonts_dictionary, _get_unused_glyph_id)
    for (owner, attribute, *_), wrapper in zip(_targets(), wrappers):
        wrapper.__wrapped__ = getattr(owner, attribute)
        setattr(owner, attribute, wrapper)
    _installed = True


class _Recorder:
    """Font.to_unicode stand-in: no glyph seems mapped, so WeasyPrint gives us
    the text of every glyph drawn, not only of each glyph's first use."""
    def __init__(self, font, log):
        self.font, self.log = font, log

    def __contains__(self, glyph_id):
        return False

    def __setitem__(self, glyph_id, text):
        self.log.append((self.font, glyph_id, text))


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """Draw a line with WeasyPrint, then give each glyph the code of its text."""
    log, real_maps, add_font = [], {}, stream.add_font

    def recording_add_font(pango_font):
        font, font_size = add_font(pango_font)
        if font not in real_maps:
            real_maps[font], font.to_unicode = font.to_unicode, _Recorder(font, log)
        return font, font_size

    start, font_before = len(stream.stream), stream._current_font
    stream.add_font = recording_add_font
    try:
        emojis = _draw_first_line.__wrapped__(
            stream, textbox, text_overflow, block_ellipsis, matrix)
    finally:
        del stream.add_font
        for font, real_map in real_maps.items():
            font.to_unicode = real_map
    if log and not _simple(log, textbox):
        _recode(stream, start, log, _runs(textbox), font_before)
    return emojis


def _simple(log, textbox):
    """Map and return True for a line WeasyPrint already writes right; else False.

    Most lines (Latin, Cyrillic, CJK) are left-to-right, one character per glyph,
    no marks, each glyph read as it was first read: then upstream's codes are
    exact and the costly rewrite below would write the same bytes.
    """
    # ASCII text has no RTL run: skip the walk over Pango's runs
    if not textbox.pango_layout.text.isascii() and any(rtl for _, _, rtl in _runs(textbox)):
        return False
    for font, glyph_id, text in log:
        if len(text) != 1 or unicodedata.combining(text) or font.bitmap:
            return False
        if font.to_unicode.get(glyph_id, text) != text:
            return False
    for font, glyph_id, text in log:
        font.to_unicode.setdefault(glyph_id, text)
    return True


def _runs(textbox):
    """Return (logical offset, glyphs drawn, rtl) of the line's runs, in visual order."""
    from weasyprint.text.ffi import ffi, pango
    line, _ = textbox.pango_layout.get_first_line()
    runs, run = [], line.runs[0]
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        glyphs = glyph_item.glyphs
        drawn = sum(
            1 for glyph in glyphs.glyphs[0:glyphs.num_glyphs]
            if glyph.glyph != pango.PANGO_GLYPH_EMPTY)
        runs.append((glyph_item.item.offset, drawn, glyph_item.item.analysis.level % 2))
    return runs


def _recode(stream, start, log, runs, font_before):
    """Rewrite the line drawn since ``start``: glyph codes, mark offsets, run order."""
    operators = stream.stream
    events = lines.parse(operators[start:], log, font_before)
    if events is None:
        # Never break rendering: fall back to WeasyPrint's first-use mapping.
        from weasyprint.logger import LOGGER
        LOGGER.warning('Unexpected glyph string, text layer may be wrong')
        for font, glyph_id, text in log:
            font.to_unicode.setdefault(glyph_id, text)
        return
    entries = lines.spread_clusters(log)  # a list of (font, glyph id, text)
    rtl = ([run[2] for run in runs for _ in range(run[1])]
           if sum(run[1] for run in runs) == len(log) else [False] * len(log))
    lines.split_mark_offsets(events, entries, rtl)
    segments = lines.logical_segments(events, log, runs, _tf(font_before))
    blanks = lines.spread_rtl_clusters(entries, runs)
    lines.insert_blanks(segments, blanks)
    codes = [
        _code(font, glyph_id, text) for font, glyph_id, text in entries]
    operators[start:] = lines.serialize(
        segments, log, codes, _tf(stream._current_font), _blank)


def _tf(font):
    """Return the Tf operator WeasyPrint writes for its Stream font state."""
    if font is None:
        return None
    stream = pydyf.Stream()
    stream.set_font_size(*font)
    return stream.stream[0]


def _blank(font, text):
    """Return a code drawing nothing, with no width, read as ``text``, or None."""
    glyph = lines.blank_glyph(font)
    if glyph is None:
        return None
    code = _code(font, glyph, text, 0)
    return None if code == glyph else code  # no code left for aliases


def _code(font, glyph_id, text, width=None):
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
        code = None if font.type == 'otf' else _next_free_code(font)
        if code is None:
            if not font.__dict__.setdefault('textlayer_warned', False):
                from weasyprint.logger import LOGGER
                LOGGER.warning('Text layer of "%s" may be wrong', font.family)
                font.textlayer_warned = True
            return glyph_id
        aliases[(glyph_id, text, width)] = code
    return aliases[(glyph_id, text, width)]


def _next_free_code(font):
    """Return the next unused code above glyph ids, or None if codes run out."""
    aliases = font.__dict__.get('textlayer_aliases', ())
    code = font.glyph_count + len(font.missing) + len(aliases)
    return code if code <= 0xFFFF else None


def _get_unused_glyph_id(self, codepoint):
    """Take codes for missing glyphs from the pool of alias codes."""
    if codepoint not in self.missing:
        if (code := _next_free_code(self)) is None:
            return _get_unused_glyph_id.__wrapped__(self, codepoint)  # warns
        self.missing[codepoint] = code
    return self.missing[codepoint]


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """Build fonts with WeasyPrint, then add alias CIDs to fonts that have some."""
    pdf_fonts = _build_fonts_dictionary.__wrapped__(
        pdf, fonts, compress, subset, options)
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
            for first, array in zip(cid_font['W'][::2], cid_font['W'][1::2])
            for i, width in enumerate(array)}
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
    return pdf_fonts


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
    data = b''.join(glyph_id.to_bytes(2, 'big') for glyph_id in glyph_ids)
    if not compress:
        return pydyf.Stream([data])
    # PNG "Up" rows of one CID: the identity part becomes a constant that
    # deflates to almost nothing (2 bytes a CID otherwise, for every glyph).
    rows = b''.join(
        bytes((2, (data[i] - data[i - 2]) % 256, (data[i + 1] - data[i - 1]) % 256))
        if i else b'\2' + data[:2] for i in range(0, len(data), 2))
    return pydyf.Stream([rows], pydyf.Dictionary({
        'DecodeParms': pydyf.Dictionary({'Predictor': 12, 'Columns': 2})}), True)
