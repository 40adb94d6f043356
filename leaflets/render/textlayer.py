"""Exact PDF text layer for WeasyPrint 70.0 (upstream issue #2841, PR #2869).

WeasyPrint gives each glyph id the ToUnicode text of its *first* use, so a glyph
reused in another cluster (Devanagari vowel signs and conjuncts, Arabic
ligatures with vowel marks) extracts as the wrong text. Here every (glyph, text)
pair gets its own CID: the first pair keeps the glyph id, any other gets an
alias CID above the font's glyph count, drawn with the same glyph (CIDToGIDMap)
and the same width (W), and mapped to its own text (ToUnicode): leaflets/render/
aliascodes.py. Codes stay in Identity-H because pypdf ignores embedded Encoding CMaps.

Lines WeasyPrint already maps right stay as written. Every other line gets an
invisible text layer in reading order (leaflets/render/hiddentext.py): its glyphs stay
as drawn, with alias codes read as spaces, under ActualText for poppler and
PDFium. Fonts without alias codes (CFF outlines: CJK collections) keep the
older rewrite of the drawn line (leaflets/render/textlines.py): offsets placing marks
split for pypdf, right-to-left runs drawn in logical order, clusters spread
over blank glyphs with bidi marks for poppler. Pages render pixel-identical.
"""

import inspect
import unicodedata
from bisect import bisect_right
from typing import NamedTuple

import pydyf

from . import aliascodes, hiddentext
from . import textlines as lines

EXPECTED_VERSION = '70.0'
_installed = False


def _targets():
    """Return (owner, attribute, parameters, statements relied on) to check."""
    from weasyprint import draw, pdf
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
        (draw, 'draw_inline_level', (
            'stream', 'page', 'box', 'offset_x', 'text_overflow', 'block_ellipsis'), (
            'if isinstance(box, boxes.LineBox):', 'for i, child in enumerate(box.children):',
            'draw_text(')),
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
    wrappers = (_draw_first_line, _build_fonts_dictionary, _get_unused_glyph_id,
                _draw_inline_level)
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


class _Line:
    """The line box being drawn: PDFium reads one ActualText for all of it."""

    def __init__(self, rtl: bool):
        self.rtl = rtl  # every text box of a right-to-left line gets the invisible layer
        self.name, self.texts, self.resources, self.left = None, [], None, None
        self.drawn, self.hidden = 0, []  # text boxes drawn; their invisible texts
        # where its first box is drawn: the page's operators, (a, b, c, d, f) of its Tm
        self.operators, self.baseline, self.beside = None, None, None

    def property_name(self, resources, text: str, x: float, operators: list,
                      baseline: tuple) -> str | None:
        """The line's property list, with ``text`` added: a box at ``x``, drawn into
        ``operators`` on ``baseline``; None if the box draws into other resources."""
        if self.resources is not None and resources is not self.resources:
            return None
        self.texts.append(text)
        if self.left is None or x < self.left:
            self.left = x
        if self.name is None:
            self.resources, self.operators, self.baseline = resources, operators, baseline
            before = _closed[-1] if _closed else None
            # the same page (pages share their resources), the same baseline
            if (self.rtl and before is not None and before.rtl and
                    before.operators is operators and before.baseline == baseline):
                # PDFium reads two lines on one baseline (a footer's two margin boxes) as
                # one line: one ActualText for both, read where its first object is
                self.name, self.beside = before.name, before
            else:
                self.name = hiddentext.property_list(resources, '')
        return self.name

    def close(self):
        self._join_hidden()
        self.hidden = []  # they hold the page's operators
        if self.name is None:
            _closed.clear()  # drawn between: a line after this one is not beside the last
            return
        text = ''.join(self.texts)
        if self.beside is not None:
            other = ''.join(self.beside.texts)
            # right to left: the line on the right is read first
            text = f'{text} {other}' if self.left > self.beside.left else f'{other} {text}'
            self.texts, self.left = [text], min(self.left, self.beside.left)
        self.resources['Properties'][self.name]['ActualText'] = hiddentext.utf16(
            hiddentext.pdfium_order(text, reversed_context=self.rtl))
        _closed[:] = [self]

    def _join_hidden(self):
        """Lay the invisible texts of the line's boxes again as one, where the first was.

        Drawn glyphs read as spaces (``aliascodes.hidden_code``): between two boxes'
        invisible texts pdf.js and pypdf read them as a space ("(विकिरण) :"); and a
        space opening a box of a right-to-left line sits at the edge of a run, where
        pdf.js and pypdf need it joined to opposite neighbours. One text for the line
        has neither.
        """
        hidden = self.hidden
        if not self._joinable():
            return
        a, b, c, d, _, f = hidden[0].matrix
        left = min(h.left for h in hidden)
        width = (max(h.left + h.width for h in hidden) - left) / a
        text = ''.join(h.text for h in hidden)

        def matrix(x):
            values = (a, b, c, d, left + a * x, f + b * x)
            return b' '.join(lines.pdf_number(v) for v in values) + b' Tm'

        if self.rtl:
            invisible = hiddentext.rtl_words(hidden[0].layer, text, 0, width, hidden[0].size,
                                             matrix)
        else:
            invisible = hiddentext.operators(hidden[0].layer, text, matrix(0), width,
                                             hidden[0].size)
        operators = hidden[0].operators
        for h in reversed(hidden[1:]):
            del operators[h.start:h.end]
        operators[hidden[0].start:hidden[0].end] = invisible

    def _joinable(self) -> bool:
        """Whether every box drawn has an invisible text, all in one stream on one baseline
        (only the x of their text matrices differs)."""
        hidden = self.hidden
        if len(hidden) < 2 or len(hidden) != self.drawn or hidden[0].matrix[0] <= 0:
            return False
        a, b, c, d, _, f = hidden[0].matrix
        return all(h.operators is hidden[0].operators and
                   (h.matrix[:4], h.matrix[5]) == ((a, b, c, d), f) for h in hidden)


class _Hidden(NamedTuple):
    """A text box's invisible text: operators[start:end], drawn from ``matrix`` (Tm)
    over [left, left + width] in text space."""
    operators: list
    start: int
    end: int
    text: str
    left: float
    width: float
    size: float
    matrix: tuple
    layer: hiddentext.Layer


_lines: list[_Line] = []
CARRIER_LEAD = 0.01  # em the carrier starts left of a box's first glyph
_closed: list[_Line] = []  # the line drawn last, which the next may be beside


def _draw_inline_level(stream, page, box, offset_x=0, text_overflow='clip',
                       block_ellipsis='none'):
    """Draw a line box with one PDFium ActualText for its text boxes.

    PDFium sorts a line's text objects by position and reads a property list's
    ActualText once for consecutive objects that share it: one list per text box
    reads the boxes of a right-to-left line right to left (issue 13).
    """
    from weasyprint.formatting_structure import boxes
    if not isinstance(box, boxes.LineBox):
        return _draw_inline_level.__wrapped__(
            stream, page, box, offset_x, text_overflow, block_ellipsis)
    _lines.append(_Line(hiddentext.is_rtl(''.join(
        child.text for child in box.descendants() if isinstance(child, boxes.TextBox)))))
    try:
        return _draw_inline_level.__wrapped__(
            stream, page, box, offset_x, text_overflow, block_ellipsis)
    finally:
        _lines.pop().close()


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
    if log and _lines:
        _lines[-1].drawn += 1
    if log and ((_lines and _lines[-1].rtl) or not _simple(log, textbox)):
        _overlay(stream, start, log, textbox, font_before)
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
        aliascodes.alias_code(font, glyph_id, text) for font, glyph_id, text in entries]
    operators[start:] = lines.serialize(
        segments, log, codes, _tf(stream._current_font), aliascodes.blank_code)


def _overlay(stream, start, log, textbox, font_before):
    """Keep the line drawn since ``start`` as drawn, read as spaces, and lay its text
    invisibly in reading order, with ActualText for poppler and PDFium
    (leaflets/render/hiddentext.py)."""
    operators = stream.stream
    events = lines.parse(operators[start:], log, font_before)
    runs = _run_texts(textbox)
    if (not events or events[0][0] != 'Tm' or not runs or
            sum(run[5] for run in runs) != len(log) or
            not all(aliascodes.can_alias(font) for font, _, _ in log)):
        _recode(stream, start, log, _runs(textbox), font_before)
        return
    codes = [aliascodes.hidden_code(font, glyph_id, text) for font, glyph_id, text in log]
    a, b, c, d, e, f = events[0][2]
    size = textbox.style['font_size']
    logical = ''.join(run[2] for run in sorted(runs, key=lambda run: run[4]))
    rtl_line = any(run[3] for run in runs)
    # a right-to-left line box: each of its boxes starts with the carrier, so its
    # ActualText is read at one (hiddentext.carrier, hiddentext.pdfium_order)
    carried = _lines[-1].rtl if _lines else rtl_line
    # PDFium reads the ActualText of the first text object of the line and skips
    # the others if they share its property list: one named list for the line box.
    pdfium = _lines[-1].property_name(
        stream._resources, logical, textbox.position_x, operators, (a, b, c, d, f)
    ) if _lines else None
    if pdfium is None:
        pdfium = hiddentext.property_list(
            stream._resources, hiddentext.pdfium_order(logical, reversed_context=carried))
    marked_pdfium = b'/LeafletsText /%s BDC' % pdfium.encode()

    def matrix(x):
        return b' '.join(lines.pdf_number(v) for v in (a, b, c, d, e + a * x, f + b * x)) + b' Tm'

    document_layer = hiddentext.layer(stream._fonts)
    left = min(run[0] for run in runs)
    width = max(run[0] + run[1] for run in runs) - left
    if rtl_line:
        invisible = hiddentext.rtl_words(document_layer, logical, left, width, size, matrix)
    else:
        invisible = hiddentext.operators(document_layer, logical, matrix(left), width, size)
    # left of every glyph, so PDFium reads it first (it sorts a line's objects by x)
    carrier = hiddentext.carrier(document_layer, matrix(left - CARRIER_LEAD), size) \
        if carried else []
    out = [hiddentext.begin_span(''), marked_pdfium, *carrier, *invisible, b'EMC', b'EMC']
    if _lines and pdfium == _lines[-1].name:
        first = start + 2 + len(carrier)
        _lines[-1].hidden.append(_Hidden(
            operators, first, first + len(invisible), logical, e + a * left, a * width,
            size, (a, b, c, d, e, f), document_layer))
    # poppler reads the ActualText of each word where its glyphs are: one word is
    # one of its characters, so its own bidi keeps punctuation and spaces in place
    groups = _word_groups(textbox, runs)
    if groups is None:
        groups = [(run[5], run[2][::-1] if run[3] else run[2]) for run in runs]
    pieces = _split_runs(events, [count for count, _ in groups])
    for index, ((_, text), piece) in enumerate(zip(groups, pieces)):
        if rtl_line:
            lines.base_first(piece, log)
        drawn = lines.serialize([(None, None, piece)], log, codes, None, aliascodes.blank_code)
        if index == 0 and not any(op.endswith(b' Tf') for op in drawn[:next(
                (i for i, op in enumerate(drawn) if op.endswith(b'TJ')), len(drawn))]):
            drawn.insert(1, _tf(font_before))  # the invisible text's font came between
        if drawn:
            out += [hiddentext.begin_span(text), marked_pdfium, *drawn, b'EMC', b'EMC']
    operators[start:] = out


def _word_groups(textbox, runs):
    """Return (glyphs drawn, text as poppler must read it) of each word, in drawing order.

    The glyphs of a word are consecutive in a run; a word split by runs is a group per
    run. Returns None if Pango's clusters do not say which word a glyph belongs to.
    """
    from weasyprint.text.ffi import ffi, pango
    line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    start, end = line.start_index, line.start_index + line.length
    # word k is the bytes [starts[k], starts[k + 1]): a word ends where a space does
    starts, offset, was_space = [start], start, False
    for char in utf8[start:end].decode():
        space = char.isspace()
        if was_space and not space:
            starts.append(offset)
        offset += len(char.encode())
        was_space = space
    starts.append(end)
    groups, run = [], line.runs[0]
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        item, glyphs = glyph_item.item, glyph_item.glyphs
        rtl = item.analysis.level % 2
        for i in range(glyphs.num_glyphs):
            if glyphs.glyphs[i].glyph == pango.PANGO_GLYPH_EMPTY:
                continue
            byte = item.offset + glyphs.log_clusters[i]
            if not start <= byte < end:
                return None
            index = bisect_right(starts, byte) - 1
            if groups and groups[-1][0] == index and groups[-1][3] == id(item):
                groups[-1][1] += 1
            else:
                groups.append([index, 1, rtl, id(item), item.offset, item.length])
    texts = []
    for index, count, rtl, _, offset, length in groups:
        # the part of the word in this run
        word_bytes = utf8[max(starts[index], offset):min(starts[index + 1], offset + length)]
        texts.append((count, hiddentext.CONTROLS.sub('', word_bytes.decode(errors='ignore')), rtl))
    found = []
    for index, (count, text, rtl) in enumerate(texts):
        if rtl:
            # poppler needs a mark only left of what it reads left-to-right: what is
            # shown just right of this part is the next part's first character on the
            # page (a right-to-left part's last); unknown at the box's end
            _, after, after_rtl = texts[index + 1] if index + 1 < len(texts) else (0, '', 0)
            text = hiddentext.poppler_order(text, (after[-1:] if after_rtl else after[:1]))
        found.append((count, text))
    return found


def _split_runs(events, counts):
    """Split a line's events into one list per group of ``counts`` glyphs, in drawing order.

    Offsets and state between two groups open the next group's TJ after an empty
    string, '[<> -292 <...>]', as WeasyPrint writes them: PDFium places a TJ that
    ends or starts with an offset otherwise, and glyphs would move.
    """
    bounds, total = [], 0
    for count in counts:
        total += count
        bounds.append(total)
    pieces, seen, group, pending = [[] for _ in counts], 0, 0, []
    for event in events:
        if event[0] != 'g':
            (pending if seen else pieces[0]).append(event)
            continue
        new_group = group
        while new_group < len(counts) - 1 and seen >= bounds[new_group]:
            new_group += 1
        if new_group != group:
            state = next((i for i, e in enumerate(pending) if e[0] not in ('n', 'e')), None)
            if state is None:  # offsets inside a TJ: they now open one
                if pending and pending[0][0] != 'e':
                    pending.insert(0, ('e', b'<>', None))
                pieces[new_group] += pending
            else:  # offsets ending a TJ stay; after Tf, Ts or Tm a TJ starts anyway
                pieces[group] += pending[:state]
                pieces[new_group] += pending[state:]
            group = new_group
        else:
            pieces[group] += pending
        pending = []
        pieces[group].append(event)
        seen += 1
    pieces[group] += pending
    return pieces


def _run_texts(textbox):
    """Return (x, width, text, rtl, logical offset, glyphs drawn) of the line's runs,
    in visual order; ``text`` is the run's characters without bidi controls.
    """
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango
    line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    found, run, x = [], line.runs[0], 0.0
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        glyphs = glyph_item.glyphs.glyphs[0:glyph_item.glyphs.num_glyphs]
        width = sum(g.geometry.width for g in glyphs) * FROM_UNITS
        drawn = sum(1 for g in glyphs if g.glyph != pango.PANGO_GLYPH_EMPTY)
        item = glyph_item.item
        text = hiddentext.CONTROLS.sub('', utf8[item.offset:item.offset + item.length].decode())
        found.append((x, width, text, item.analysis.level % 2, item.offset, drawn))
        x += width
    return found


def _tf(font):
    """Return the Tf operator WeasyPrint writes for its Stream font state."""
    if font is None:
        return None
    stream = pydyf.Stream()
    stream.set_font_size(*font)
    return stream.stream[0]


def _get_unused_glyph_id(self, codepoint):
    """Take codes for missing glyphs from the pool of alias codes."""
    if codepoint not in self.missing:
        if (code := aliascodes.next_free_code(self)) is None:
            return _get_unused_glyph_id.__wrapped__(self, codepoint)  # warns
        self.missing[codepoint] = code
    return self.missing[codepoint]


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """Build fonts with WeasyPrint, then add alias CIDs to fonts that have some."""
    _closed.clear()  # the document is drawn: nothing is beside its last line, and its page
    # operators need not outlive it in a worker
    pdf_fonts = _build_fonts_dictionary.__wrapped__(
        pdf, fonts, compress, subset, options)
    hiddentext.add_font(pdf, pdf_fonts, fonts, compress)
    aliascodes.add_aliases(pdf, pdf_fonts, fonts, compress)
    return pdf_fonts
