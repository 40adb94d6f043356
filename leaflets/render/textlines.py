"""How a line WeasyPrint 70 drew is rewritten so text extractors read it in logical order.

leaflets/render/textlayer.py records the glyphs of each line with their text and hands
the line's operators here: parse them into events, split the offsets placing
left-to-right marks (pypdf), put right-to-left runs in logical order (pypdf),
spread right-to-left clusters over blank glyphs and mark neutral characters
(poppler), draw a word's leading mark after its base (poppler), then write the
operators again. The same glyphs stay at the same places: pages render identically
(tests/test_textlayer.py, poppler and PDFium).
"""

import re
import unicodedata

ALM = '\u061c'  # ARABIC LETTER MARK: a bidi control, strong right-to-left
RLM = '\u200f'  # RIGHT-TO-LEFT MARK: the same, for poppler
NEUTRALS = {'WS', 'CS', 'ES', 'ET', 'ON'}  # bidi classes
BLANKS = (0x200C, 0x200D, 0x200B, 0x2060, 0xFEFF)  # zero-width characters
MARK_OFFSET = 50  # 1/1000 em: pypdf sees a word gap from about half a space


_TOKEN = re.compile(rb'<([0-9a-f]*)>|([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)')


def parse(operators, log, font_before):
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


def base_first(events, log):
    """Draw a group's first glyph after its base when that glyph is a mark.

    Pango draws a right-to-left cluster's mark before its base: [mark +q base]. poppler
    starts an ActualText span where its first glyph is, and the mark sits inside its
    base: a word ending in a mark ("לָךְ,") begins right of its left edge (and on the
    mark's raised baseline), and poppler reads the gap to the comma as a space. The
    same glyphs go to the same places, each with its own text rise; only the base is
    drawn first.
    """
    glyphs = [i for i, event in enumerate(events) if event[0] == 'g'][:2]
    if len(glyphs) < 2 or glyph_width(log[events[glyphs[0]][1]]) != 0:
        return
    mark, base = glyphs
    between = events[mark + 1:base]
    if glyph_width(log[events[base][1]]) == 0 or any(
            kind not in ('n', 'e', 'Ts') for kind, _, _ in between):
        return
    rises = [value for kind, _, value in events[:mark] if kind == 'Ts']
    mark_rise = rises[-1] if rises else None  # None: the rise the line had before
    base_rise = next((value for kind, _, value in reversed(between) if kind == 'Ts'),
                     mark_rise)
    if base_rise != mark_rise and mark_rise is None:
        return
    # x in 1/1000 em from the mark's origin; a TJ number moves left
    at_base = -sum(value for kind, _, value in between if kind == 'n')
    after = at_base + glyph_width(log[events[base][1]])

    def move(by, rise, now):
        offset = [('n', pdf_number(-by), -by)]
        if rise == now:
            return offset
        return [('Ts', pdf_number(rise) + b' Ts', rise), ('e', b'<>', None), *offset]

    events[mark:base + 1] = [
        *move(at_base, base_rise, mark_rise), events[base],
        *move(-after, mark_rise, base_rise), events[mark],
        *move(after, base_rise, mark_rise)]


def glyph_width(entry):
    """Return the PDF width of the glyph of a log entry, in 1/1000 em."""
    return entry[0].widths.get(entry[1], 0)


def split_mark_offsets(events, entries, rtl):
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
        if events[i][0] != 'g' or glyph_width(entries[events[i][1]]) != 0 or rtl[events[i][1]]:
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
                events[j:j + 1] = [('n', pdf_number(chunk), chunk) for chunk in chunks]
                if j < i:
                    i += len(chunks) - 1
        i += 1


def logical_segments(events, log, runs, font_before):
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
            advance = glyph_width(log[value]) if kind == 'g' else -extra
            x += advance * size / 1000
    if any(state[2] for state in states.values()):
        return unchanged
    a, b, c, d, e, f = events[0][2]
    segments = {}
    for run, start, stop, first in zip(drawn, splits, splits[1:] + [len(events)], firsts):
        x, font, _ = states[start]
        matrix = b' '.join(pdf_number(v) for v in (a, b, c, d, e + a * x, f + b * x))
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


def pdf_number(value):
    """Return ``value`` as a PDF real, precise enough to keep glyphs in place."""
    text = (b'%.10f' % value).rstrip(b'0').rstrip(b'.')
    return b'0' if text in (b'', b'-', b'-0') else text


def serialize(segments, log, codes, font_after, blank):
    """Return the operators drawing ``segments`` with the new glyph codes.

    ``blank(font, text)`` returns the code of a blank glyph read as ``text``, or None.
    """
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
                    code = hex_code(font_object, codes[value])
                else:
                    text = ALM if kind == 'alm' else extra
                    code = hex_code(font_object, blank(font_object, text))
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


def blank_glyph(font):
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


def insert_blanks(segments, blanks):
    """Put the blank glyphs of ``blanks`` ({log index: characters}) before their glyphs."""
    for i, (matrix, font, segment) in enumerate(segments):
        segment = [
            new for event in segment for new in (
                [('blank', event[1], char) for char in blanks.get(event[1], ())]
                if event[0] == 'g' else []) + [event]]
        segments[i] = (matrix, font, segment)


def spread_rtl_clusters(entries, runs):
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
        if glyph_width(entry) <= 0:
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
        if len(text) > 1 and blank_glyph(entry[0]) is not None and all(
                entries[i][0] is entry[0] for i in cluster):
            for i in cluster:
                entries[i] = (*entries[i][:2], '')
            entries[index] = (*entry[:2], text[0])
            blanks[index] = text[:0:-1]
        cluster = []
    return blanks


def hex_code(font, code):
    """Return ``code`` as WeasyPrint writes it in strings of ``font``."""
    if code is None:
        return None
    return b'%02x' % code if font.bitmap else b'%04x' % code


def spread_clusters(log):
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


