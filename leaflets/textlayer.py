"""Exact PDF text layer for WeasyPrint 70.0 (upstream issue #2841, PR #2869).

WeasyPrint gives each glyph id the ToUnicode text of its *first* use, so a glyph
reused in another cluster (Devanagari vowel signs and conjuncts, Arabic
ligatures with vowel marks) extracts as the wrong text. Here every (glyph, text)
pair gets its own CID: the first pair keeps the glyph id, any other gets an
alias CID above the font's glyph count, drawn with the same glyph (CIDToGIDMap)
and the same width (W), and mapped to its own text (ToUnicode). Codes stay in
Identity-H because pypdf ignores embedded Encoding CMaps.

Each line WeasyPrint draws is then rewritten so that poppler (pdftotext) and
pypdf both read it in logical order, with the same glyphs painted at the same
places (pages render pixel-identical; font files and marked content untouched):
- the offsets placing marks ([base +p mark -q]) are split into offsets too small
  for pypdf to read as word gaps (_split_mark_offsets);
- right-to-left lines are drawn run by run in logical order (_logical_segments);
- in right-to-left runs each glyph carries one character, the others going to
  blank glyphs (the font's zero-width glyph, no outline), and neutral characters get a
  right-to-left mark, for poppler's bidi reordering (_spread_rtl_clusters).
The bidi marks added (U+061C, U+200F) are invisible format characters.
"""

import inspect
import re
import unicodedata
from math import ceil

import pydyf

EXPECTED_VERSION = '70.0'
_installed = False
ALM = '\u061c'  # ARABIC LETTER MARK: a bidi control, strong right-to-left
RLM = '\u200f'  # RIGHT-TO-LEFT MARK: the same, for poppler
NEUTRALS = {'WS', 'CS', 'ES', 'ET', 'ON'}  # bidi classes
BLANKS = (0x200C, 0x200D, 0x200B, 0x2060, 0xFEFF)  # zero-width characters
MARK_OFFSET = 50  # 1/1000 em: pypdf sees a word gap from about half a space


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
    if log:
        _recode(stream, start, log, _runs(textbox), font_before)
    return emojis


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


_TOKEN = re.compile(rb'<([0-9a-f]*)>|([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)')


def _parse(operators, log, font_before):
    """Return the events of a line's operators, or None if they are not as expected.

    Events: (Tm, bytes, values), (Tf, bytes, name), (Ts, bytes, rise),
    (g, index in ``log``, None), (n, bytes, value) and (e, b'<>', None) for TJ items.
    """
    fonts = {font.hash: font for font, _, _ in log}
    events, index = [], 0
    font = fonts.get(font_before[0]) if font_before else None
    for operator in operators:
        if not isinstance(operator, bytes):
            return None
        if operator.endswith(b' Tm'):
            events.append(('Tm', operator, [float(v) for v in operator.split()[:6]]))
        elif operator.endswith(b' Tf'):
            font = fonts.get(operator.split()[0][1:].decode())
            events.append(('Tf', operator, font))
        elif operator.endswith(b' Ts'):
            events.append(('Ts', operator, float(operator.split()[0])))
        elif operator.startswith(b'[') and operator.endswith(b'] TJ'):
            # a font that draws no glyph here (only empty ones, bidi isolates) is not known
            size = 4 if font is None else 2 if font.bitmap else 4
            for match in _TOKEN.finditer(operator[1:-4]):
                hexa, number = match.groups(b'')
                if number:
                    events.append(('n', number, float(number)))
                elif not hexa:
                    # Kept as drawn: PDFium places '[<>292<...>]' and '[292<...>]' apart.
                    events.append(('e', b'<>', None))
                for i in range(0, len(hexa), size):
                    if font is None or index >= len(log) or log[index][0] is not font or (
                            int(hexa[i:i + size], 16) != log[index][1]):
                        return None
                    events.append(('g', index, None))
                    index += 1
        else:
            return None
    return events if index == len(log) else None


def _recode(stream, start, log, runs, font_before):
    """Rewrite the line drawn since ``start``: glyph codes, mark offsets, run order."""
    operators = stream.stream
    events = _parse(operators[start:], log, font_before)
    if events is None:
        # Never break rendering: fall back to WeasyPrint's first-use mapping.
        from weasyprint.logger import LOGGER
        LOGGER.warning('Unexpected glyph string, text layer may be wrong')
        for font, glyph_id, text in log:
            font.to_unicode.setdefault(glyph_id, text)
        return
    entries = _spread_clusters(log)  # a list of (font, glyph id, text)
    rtl = ([run[2] for run in runs for _ in range(run[1])]
           if sum(run[1] for run in runs) == len(log) else [False] * len(log))
    _split_mark_offsets(events, entries, rtl)
    segments = _logical_segments(events, log, runs, _tf(font_before))
    blanks = _spread_rtl_clusters(entries, runs)
    if blanks:
        for i, (matrix, font, segment) in enumerate(segments):
            segment = [
                new for event in segment for new in (
                    [('blank', event[1], char) for char in blanks.get(event[1], ())]
                    if event[0] == 'g' else []) + [event]]
            segments[i] = (matrix, font, segment)
    codes = [
        _code(font, glyph_id, text) for font, glyph_id, text in entries]
    operators[start:] = _serialize(segments, log, codes, _tf(stream._current_font))


def _tf(font):
    """Return the Tf operator WeasyPrint writes for its Stream font state."""
    if font is None:
        return None
    stream = pydyf.Stream()
    stream.set_font_size(*font)
    return stream.stream[0]


def _width(entry):
    """Return the PDF width of the glyph of a log entry, in 1/1000 em."""
    return entry[0].widths.get(entry[1], 0)


def _split_mark_offsets(events, entries, rtl):
    """Split the TJ offsets placing left-to-right marks into offsets pypdf ignores.

    WeasyPrint places a mark with offsets: [base +p mark -q]. pypdf reads a
    negative offset wider than about half a space as a word gap ("कै से"),
    one offset at a time: -q is written as several offsets of at most
    MARK_OFFSET each, which add up to the same place. Widths are untouched:
    they must match the font program (PDF/UA-1, 7.21.5). Left-to-right runs
    only (``rtl``: per glyph); right-to-left marks are drawn with a text rise.
    """
    i = 0
    while i < len(events):
        if events[i][0] != 'g' or _width(entries[events[i][1]]) != 0 or rtl[events[i][1]]:
            i += 1
            continue
        # a zero-width glyph: split the negative offsets around it
        for j in (i - 1, i + 1):
            if 0 <= j < len(events) and events[j][0] == 'n' and (
                    events[j][2] < -MARK_OFFSET):
                value = events[j][2]
                chunks = [-MARK_OFFSET] * int(-value // MARK_OFFSET)
                if rest := value - sum(chunks):
                    chunks.append(rest)
                events[j:j + 1] = [('n', _number(chunk), chunk) for chunk in chunks]
                if j < i:
                    i += len(chunks) - 1
        i += 1


def _logical_segments(events, log, runs, font_before):
    """Split a line into its runs in logical order: [(Tm operator or None, Tf operator, events)].

    WeasyPrint draws the runs of a line in visual order; pypdf reads them in
    content order, so the runs of a right-to-left line ("فحص HSG الخاص")
    come out in the wrong order. Each run is drawn at its own position
    instead (Tm), in logical order, so glyphs keep their place on the page.
    """
    unchanged = [(None, None, events)]
    drawn = [r for r in range(len(runs)) if runs[r][1]]
    logical = sorted(drawn, key=lambda r: runs[r][0])
    if (drawn == logical or not events or events[0][0] != 'Tm' or
            sum(run[1] for run in runs) != len(log)):
        return unchanged
    firsts, total = [], 0
    for _, count, _ in runs:
        if count:
            firsts.append(total)
        total += count
    position = {event[1]: p for p, event in enumerate(events) if event[0] == 'g'}
    splits = []
    for first in firsts:
        p = position[first]
        while p > 1 and events[p - 1][0] in ('Tf', 'Ts'):
            p -= 1
        splits.append(p)
    splits[0] = 1  # after the line's Tm
    states, x, font, rise = {}, 0.0, font_before, 0.0
    for p, (kind, value, extra) in enumerate(events):
        if p in splits:
            states[p] = (x, font, rise)
        if kind == 'Tf':
            font = value
        elif kind == 'Ts':
            rise = extra
        elif kind in ('g', 'n'):
            if font is None:
                return unchanged
            size = float(font.split()[1])
            advance = _width(log[value]) if kind == 'g' else -extra
            x += advance * size / 1000
    if any(state[2] for state in states.values()):
        return unchanged
    a, b, c, d, e, f = events[0][2]
    segments = {}
    for run, start, stop, first in zip(drawn, splits, splits[1:] + [len(events)], firsts):
        x, font, _ = states[start]
        matrix = b' '.join(_number(v) for v in (a, b, c, d, e + a * x, f + b * x))
        segments[run] = (matrix + b' Tm', font, events[start:stop], first)
    result = []
    for run in logical:
        matrix, font, segment, first = segments[run]
        if runs[run][2]:
            # pypdf puts a neutral character (space) drawn first in a run with
            # the run before: an Arabic letter mark (U+061C), drawn first, with
            # no width nor outline, opens the right-to-left run.
            glyph = next(p for p, event in enumerate(segment) if event[0] == 'g')
            segment = [*segment[:glyph], ('alm', first, None), *segment[glyph:]]
        result.append((matrix, font, segment))
    return result


def _number(value):
    """Return ``value`` as a PDF real, precise enough to keep glyphs in place."""
    text = (b'%.10f' % value).rstrip(b'0').rstrip(b'.')
    return b'0' if text in (b'', b'-', b'-0') else text


def _serialize(segments, log, codes, font_after):
    """Return the operators drawing ``segments`` with the new glyph codes."""
    out, font, items = [], None, []

    def flush():
        if items:
            out.append(b'[' + b''.join(items) + b'] TJ')
            items.clear()

    for matrix, start_font, events in segments:
        if matrix is not None:
            out.append(matrix)
            if start_font is not None and events[0][0] != 'Tf':
                # Always set the font: pypdf ends a run of text at Tf only, so
                # each run is read on its own, right-to-left ones reversed.
                out.append(start_font)
                font = start_font
        for kind, value, extra in events:
            if kind in ('Tm', 'Tf', 'Ts'):
                flush()
                out.append(value)
                font = value if kind == 'Tf' else font
            elif kind == 'n':
                # numbers need a separator only between themselves
                items.append(b' ' + value if items and items[-1][-1:] != b'>' else value)
            elif kind == 'e':
                items.append(value)
            else:
                font_object = log[value][0]
                if kind == 'g':
                    code = _hex(font_object, codes[value])
                else:
                    blank = _blank(font_object, ALM if kind == 'alm' else extra)
                    code = _hex(font_object, blank)
                if code is None:
                    continue
                if items and items[-1].endswith(b'>') and items[-1] != b'<>':
                    items[-1] = items[-1][:-1] + code + b'>'
                else:
                    items.append(b'<' + code + b'>')
        flush()
    if segments[0][0] is not None and font != font_after:
        out.append(font_after)  # WeasyPrint's Stream remembers the last font set
    return out


def _blank(font, text):
    """Return a code drawing nothing, with no width, read as ``text``, or None."""
    glyph = _blank_glyph(font)
    if glyph is None:
        return None
    code = _code(font, glyph, text, 0)
    return None if code == glyph else code  # no code left for aliases


def _blank_glyph(font):
    """Return the id of a glyph of ``font`` with no advance and no outline, or None.

    Its width, 0, then matches the font program, as PDF/UA-1 (7.21.5) wants.
    """
    if 'textlayer_blank' not in font.__dict__:
        font.textlayer_blank = None
        if not font.bitmap and font.type != 'otf':
            from io import BytesIO

            from fontTools.ttLib import TTFont
            try:
                program = TTFont(BytesIO(font.file_content), fontNumber=font.index, lazy=True)
                cmap, glyf = program.getBestCmap() or {}, program['glyf']
                for codepoint in BLANKS:
                    name = cmap.get(codepoint)
                    if name and program['hmtx'][name][0] == 0 and (
                            glyf[name].numberOfContours == 0):
                        font.textlayer_blank = program.getGlyphID(name)
                        break
            except Exception:  # noqa: BLE001 - any unreadable font: no blanks
                font.textlayer_blank = None
    return font.textlayer_blank


def _spread_rtl_clusters(entries, runs):
    """Give each glyph of a right-to-left cluster one character of its text.

    poppler reverses the characters of a glyph's text in right-to-left lines
    (lam-alef "لا" reads "ال"), and reads marks drawn with a text rise as
    words of another line. So the glyph with an advance gets the first
    character of its cluster, marks none, and each other character goes to a
    blank glyph (no width, no outline) drawn just before it: read right to
    left, in logical order. Returns {log index: characters of its blanks, in
    drawing order} and updates ``entries``.
    """
    if sum(run[1] for run in runs) != len(entries):
        return {}
    rtl = [run[2] for run in runs for _ in range(run[1])]
    blanks, cluster = {}, []
    for index, entry in enumerate(entries):
        if not rtl[index]:
            cluster = []
            continue
        cluster.append(index)
        if _width(entry) <= 0:
            continue  # a mark: drawn before its base in right-to-left runs
        if len(cluster) == 1 and len(entry[2]) == 1 and (
                unicodedata.bidirectional(entry[2]) in NEUTRALS):
            # poppler puts spaces and punctuation next to digits or Latin
            # letters in their left-to-right section ("الآن. إذا" as
            # "الآن .إذا"): a right-to-left mark on their right stops it.
            entries[index] = (*entry[:2], entry[2] + RLM)
            cluster = []
            continue
        text = ''.join(entries[i][2] for i in reversed(cluster))
        if len(text) > 1 and _blank_glyph(entry[0]) is not None and all(
                entries[i][0] is entry[0] for i in cluster):
            for i in cluster:
                entries[i] = (*entries[i][:2], '')
            entries[index] = (*entry[:2], text[0])
            blanks[index] = text[:0:-1]
        cluster = []
    return blanks


def _hex(font, code):
    """Return ``code`` as WeasyPrint writes it in strings of ``font``."""
    if code is None:
        return None
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
