"""Exact PDF text layer for WeasyPrint 70.0 (upstream issue #2841, PR #2869).

WeasyPrint gives each glyph id the ToUnicode text of its *first* use, so a glyph
reused in another cluster (Devanagari vowel signs and conjuncts, Arabic
ligatures with vowel marks) extracts as the wrong text. Here every (glyph, text)
pair gets its own CID: the first pair keeps the glyph id, any other pair gets an
alias CID above the font's glyph count, drawn with the same glyph (CIDToGIDMap)
and the same width (W), and mapped to its own text (ToUnicode). Codes stay in
Identity-H because pypdf ignores embedded Encoding CMaps; glyphs, positions,
marked content and font files are untouched, so pages render identically.
"""

import inspect
import re
import unicodedata
from math import ceil

import pydyf

EXPECTED_VERSION = '70.0'
_HEX = re.compile(rb'<([0-9a-f]*)>')
_installed = False


def _targets():
    """Return (owner, attribute, parameters, statements relied on) to check."""
    from weasyprint import pdf
    from weasyprint.draw import text
    from weasyprint.pdf import fonts
    return (
        (text, 'draw_first_line', (
            'stream', 'textbox', 'text_overflow', 'block_ellipsis', 'matrix'), (
            'font, font_size = stream.add_font(pango_font)',
            'if glyph_id not in font.to_unicode:', 'font.to_unicode[glyph_id] = ',
            "string += f'{glyph_id:02x}' if font.bitmap else f'{glyph_id:04x}'")),
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
    )


def check_compatible():
    """Raise RuntimeError unless WeasyPrint has the version and code patched here."""
    import weasyprint
    if weasyprint.__version__ != EXPECTED_VERSION:
        raise RuntimeError(
            f'leaflets.textlayer is written for WeasyPrint {EXPECTED_VERSION}, found '
            f'{weasyprint.__version__}: check upstream issue #2841, then update or '
            'drop this patch')
    for owner, attribute, parameters, statements in _targets():
        function = getattr(owner, attribute, None)
        function = getattr(function, '__wrapped__', function)  # once installed
        try:
            found = tuple(inspect.signature(function).parameters)
            source = inspect.getsource(function)
        except (TypeError, ValueError, OSError) as exception:
            raise RuntimeError(
                f'leaflets.textlayer cannot read WeasyPrint {attribute}') from exception
        missing = [line for line in statements if line not in source]
        if found != parameters or missing:
            raise RuntimeError(
                f'leaflets.textlayer does not know this WeasyPrint {attribute}: '
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

    start, stream.add_font = len(stream.stream), recording_add_font
    try:
        emojis = _draw_first_line.__wrapped__(
            stream, textbox, text_overflow, block_ellipsis, matrix)
    finally:
        del stream.add_font
        for font, real_map in real_maps.items():
            font.to_unicode = real_map
    _recode(stream.stream, start, log)
    return emojis


def _recode(operators, start, log):
    """Rewrite the glyph codes of the TJ operators drawn since ``start``."""
    indexes = [
        index for index in range(start, len(operators))
        if isinstance(operators[index], bytes) and operators[index].endswith(b'] TJ')]
    drawn = b''.join(hexa for i in indexes for hexa in _HEX.findall(operators[i]))
    if drawn != b''.join(_hex(font, glyph_id) for font, glyph_id, _ in log):
        # Never break rendering: fall back to WeasyPrint's first-use mapping.
        from weasyprint.logger import LOGGER
        LOGGER.warning('Unexpected glyph string, text layer may be wrong')
        for font, glyph_id, text in log:
            font.to_unicode.setdefault(glyph_id, text)
        return
    codes = iter([
        _hex(font, _code(font, glyph_id, text))
        for font, glyph_id, text in _spread_clusters(log)])

    def recode_string(match):
        string = b''
        while len(string) < len(match[1]):
            string += next(codes)
        return b'<' + string + b'>'

    for index in indexes:
        operators[index] = _HEX.sub(recode_string, operators[index])


def _hex(font, code):
    """Return ``code`` as WeasyPrint writes it in strings of ``font``."""
    return b'%02x' % code if font.bitmap else b'%04x' % code


def _spread_clusters(log):
    """Put the text of left-to-right clusters on glyphs that have an advance.

    WeasyPrint gives a cluster's text to its last glyph, empty texts to the
    others (the vowel sign of "कि" is drawn before "क"); marks have no advance.
    poppler splits words at empty glyphs with an advance (gaps) and at marks
    close to the next glyph (duplicates). So each glyph with an advance gets
    one character of its cluster (the last one the rest), marks give theirs
    to the glyph before, and the text in drawing order is unchanged.
    Right-to-left text, drawn in visual order, is left alone.
    """
    def advance(item):
        return item[0].widths.get(item[1], 0) > 0

    def ltr(text):
        return bool(text) and unicodedata.bidirectional(text[0]) == 'L'

    entries, cluster, anchor = [list(entry) for entry in log], [], None
    for entry in entries:
        cluster.append(entry)
        if not (text := entry[2]):
            continue  # cluster goes on up to the glyph carrying its text
        spacing = [item for item in cluster if advance(item)]
        alone = spacing == [] or (len(spacing) == 1 and spacing[0] is entry)
        if (ltr(text) and not alone and len(text) >= len(spacing) and
                all(item[0] is entry[0] for item in cluster)):
            entry[2] = ''
            for item in spacing[:-1]:
                item[2], text = text[0], text[1:]
            spacing[-1][2] = text
        for item in cluster:
            if advance(item):
                anchor = item if ltr(item[2]) else None
            elif item[2] and anchor and anchor[0] is item[0]:
                anchor[2], item[2] = anchor[2] + item[2], ''
        cluster = []
    return [tuple(entry) for entry in entries]


def _code(font, glyph_id, text):
    """Return the code drawing ``glyph_id`` with ``text`` as ToUnicode text."""
    first_text = font.to_unicode.setdefault(glyph_id, text)
    if font.bitmap or first_text == text:
        return glyph_id  # Type 3 bitmap fonts keep WeasyPrint's mapping
    aliases = font.__dict__.setdefault('textlayer_aliases', {})
    if (glyph_id, text) not in aliases:
        # CFF CIDFonts have no CIDToGIDMap: keep WeasyPrint's mapping.
        code = None if font.type == 'otf' else _next_free_code(font)
        if code is None:
            if not font.__dict__.setdefault('textlayer_warned', False):
                from weasyprint.logger import LOGGER
                LOGGER.warning('Text layer of "%s" may be wrong', font.family)
                font.textlayer_warned = True
            return glyph_id
        aliases[(glyph_id, text)] = code
    return aliases[(glyph_id, text)]


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
            for (_, text), code in aliases.items()])
        if dictionary['Encoding'] != '/Identity-H':
            # Missing glyphs' Encoding CMap: alias codes are alias CIDs.
            _insert_before_endcmap(_object(pdf, dictionary['Encoding']), 'cidchar', [
                b'<%04x> %d' % (code, code) for code in aliases.values()])

        cid_font = _object(pdf, dictionary['DescendantFonts'][0])
        glyph_ids = {code: glyph_id for (glyph_id, _), code in aliases.items()}
        widths = {
            first + i: width
            for first, array in zip(cid_font['W'][::2], cid_font['W'][1::2])
            for i, width in enumerate(array)}
        for code, glyph_id in sorted(glyph_ids.items()):
            if glyph_id in widths:  # else both use the default width
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
