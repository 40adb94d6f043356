"""An invisible text layer in reading order over the glyphs WeasyPrint draws.

Extractors read a shaped line in ways that cannot all be served by the drawn
glyphs' own text (one ToUnicode string per glyph, in drawing order): PDFium and
pdf.js read a glyph mapped to nothing as its character code, pdf.js and pypdf
follow the content order, poppler and PDFium their own bidi on positions. So a
line that is not simple (right-to-left, clusters, marks) is written twice:

- its text, drawn invisibly (text render mode 3) with a font of blank glyphs,
  as OCRmyPDF lays an OCR layer (its GlyphLessFont): one code per character, in
  the order extractors that follow content order read it back right;
- WeasyPrint's glyphs, unchanged in place and order, with codes whose text is
  nothing, drawn after it;
- both inside one ``/Span`` marked-content sequence whose ``/ActualText`` is the
  line's text (PDF 32000-1, 14.9.4), which poppler, PDFium and Acrobat read
  instead of the glyphs.

Nothing painted changes; the font is embedded, its one glyph is blank and its
width (``WIDTH``) is the one its program has.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pydyf

from . import pdfjsbidi

RESOURCE = 'LeafletsText'  # name of the font in the resources
BASE_FONT = 'LLTEXT+LeafletsTextLayer'  # a subset tag: the program has only what is used
WIDTH = 500  # advance of the blank glyph, 1/1000 em
HIDDEN = ' '  # what the drawn glyphs of a line with invisible text read as
SPACE = 0.3  # advance of an invisible space, em: pdf.js keeps 0.102 to 0.6 em in one item
PRIVATE = 0xE000  # codes for units that are not one BMP character
# The code of the glyph that carries a right-to-left line's ActualText in PDFium: mapped
# to nothing (pypdf reads nothing), read by PDFium and pdf.js as its code, U+200F RIGHT-
# TO-LEFT MARK (PDFium then takes the line as right-to-left; pdf.js drops a lone mark).
CARRIER = 0x200F
# The code of the glyph that opens a pdf.js item before a mark or space: mapped to nothing
# (pypdf reads nothing), read by pdf.js as its code, '>', which its bidi then drops. A
# mark drawn first in an item would go to the item before, a space there is dropped.
OPENER = 0x003E
OPEN = '\x00'  # the opener's unit in Layer.codes: no message has NUL (check_characters)
_layers: dict[int, 'Layer'] = {}
# Bidi controls: Pango has applied them; no message has them.
CONTROLS = re.compile('[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')


class Layer:
    """The codes one document's invisible text uses: {text unit: code}."""

    def __init__(self):
        self.codes: dict[str, int] = {}

    def code(self, unit: str) -> int:
        """The code whose text is ``unit``: its code point if it is one BMP character;
        ``CARRIER`` for '' (``carrier``), ``OPENER`` for ``OPEN``."""
        if unit not in self.codes:
            if unit == '':
                self.codes[unit] = CARRIER
            elif unit == OPEN:
                self.codes[unit] = OPENER
            elif (len(unit) == 1 and ord(unit) < 0xFFFF and ord(unit) not in (CARRIER, OPENER)
                    and not PRIVATE <= ord(unit) < 0xF900):
                self.codes[unit] = ord(unit)
            else:
                self.codes[unit] = PRIVATE + sum(
                    1 for code in self.codes.values() if code >= PRIVATE and code < 0xF900)
        return self.codes[unit]


def layer(fonts: dict) -> Layer:
    """The invisible text state of the document whose font dictionary is ``fonts``."""
    return _layers.setdefault(id(fonts), Layer())


def units(text: str) -> list[str]:
    """Split ``text`` into units one code each carries.

    pdf.js drops a glyph whose text is only format characters (ZWNJ, ZWJ): they go
    with the character before them, so they are read back (or, starting the text,
    with the one after them).
    """
    weak = _format_only
    found: list[str] = []
    for char in text:
        if found and (weak(char) or weak(found[-1])):
            found[-1] += char
        else:
            found.append(char)
    while len(found) > 1 and weak(found[0]):
        found[1] = found[0] + found[1]
        del found[0]
    return found


@lru_cache(maxsize=4096)
def _format_only(unit: str) -> bool:
    """Whether ``unit`` is only format characters (ZWNJ, ZWJ, bidi marks)."""
    return all(unicodedata.category(c) == 'Cf' for c in unit)


def pdfium_order(text: str, reversed_context: bool) -> str:
    """Return a line's ``text`` as its ActualText must say for PDFium to read back ``text``.

    PDFium (CPDF_TextPage::CloseTempLine, CFX_BidiChar) splits a line into runs of one
    class: strong left; digits with their separators and marks; strong right; the rest.
    Measured with pypdfium2 on 1,000 random mixed lines (issue 13, exact for all): when
    right runs outnumber left ones it gives the runs in reverse order, each as written;
    otherwise in order; either way mirroring the right runs and the neutral ones after
    a right run. It reverses the ActualText before all this when the text object that
    carries it, or the one that carried the text read just before it (if the line reads
    right-to-left), reads as right-to-left: more right runs than left ones in its
    glyphs' text. That is ``reversed_context``; every right-to-left line starts with
    ``carrier``, which does. Each run is given so it comes back.
    """
    runs = _pdfium_runs(text)
    rights = sum(1 for _, kind in runs if kind == 'right')
    right = rights > sum(1 for _, kind in runs if kind == 'left')
    current, found = 'right' if right else 'left', []
    for run, kind in runs:
        if kind in ('right', 'left'):
            current = kind
        if kind == 'right' or (kind == 'neutral' and current == 'right'):
            run = ''.join(map(_mirror, run))
        found.append(run)
    given = ''.join(reversed(found)) if right else ''.join(found)
    return given[::-1] if reversed_context else given


def _pdfium_runs(text: str) -> list[list]:
    """[characters, class] of each run of one PDFium direction class (CFX_BidiChar)."""
    runs: list[list] = []
    for char in text:
        kind = _PDFIUM_CLASSES.get(unicodedata.bidirectional(char), 'neutral')
        if runs and runs[-1][1] == kind:
            runs[-1][0] += char
        else:
            runs.append([char, kind])
    return runs


def _mirror(char: str) -> str:
    """The mirrored form of a bracket (Unicode Bidi_Mirroring_Glyph, for the usual ones)."""
    return _MIRRORS.get(char, char)


_MIRRORS = dict(zip('()[]{}<>«»‹›', ')(][}{><»«›‹'))
_PDFIUM_CLASSES = {'L': 'left', 'R': 'right', 'AL': 'right', **dict.fromkeys(
    ('EN', 'AN', 'NSM', 'CS', 'ES', 'ET', 'BN'), 'weak')}


def is_rtl(text: str) -> bool:
    """Whether ``text`` has a strong right-to-left character."""
    return any(unicodedata.bidirectional(char) in ('R', 'AL') for char in text)


def utf16(text: str) -> bytes:
    """``text`` as a PDF text string in hexadecimal UTF-16BE, with its byte order mark."""
    return b'<feff' + text.encode('utf-16-be').hex().encode() + b'>'


def operators(document_layer: Layer, text: str, matrix: bytes, width: float,
              font_size: float) -> list[bytes]:
    """The operators drawing ``text`` invisibly from ``matrix`` over ``width``."""
    return _operators(document_layer, units(text), matrix, width, font_size)


def _operators(document_layer: Layer, pieces: list[str], matrix: bytes, width: float,
               font_size: float) -> list[bytes]:
    """The operators drawing the glyphs whose texts are ``pieces``, in that order."""
    if not pieces or width <= 0 or font_size <= 0:
        return []
    # a space advances SPACE em (pdf.js keeps a gap of 0.102 to 0.6 em inside an item)
    # or, before a lone mark, nothing (pdf.js gives the mark a space of its own)
    advances = []
    for index, piece in enumerate(pieces):
        after = pieces[index + 1] if index + 1 < len(pieces) else ''
        if piece.isspace() and after and all(unicodedata.category(c) == 'Mn' for c in after):
            advances.append(0.0)
        elif piece.isspace():
            advances.append(SPACE)
        else:
            advances.append(None)
    glyphs = advances.count(None)
    rest = width - sum(a for a in advances if a is not None) * font_size
    if not glyphs or rest <= 0:
        advances, glyphs, rest = [None] * len(pieces), len(pieces), width
    scale = rest / (glyphs * WIDTH / 1000 * font_size)
    array = b'<'
    for piece, advance in zip(pieces, advances):
        array += b'%04x' % document_layer.code(piece)
        if advance is not None:
            array += b'> %s <' % _number(WIDTH - 1000 * advance / scale)
    return [matrix, b'/%s %s Tf' % (RESOURCE.encode(), _number(font_size)), b'3 Tr',
            b'%s Tz' % _number(100 * scale), b'[' + array + b'>] TJ', b'100 Tz', b'0 Tr']


def rtl_words(document_layer: Layer, text: str, left: float, width: float, size: float,
              matrix) -> list[bytes]:
    """Operators drawing a right-to-left line's text from the right, one direction run
    at a time (``chunks``), each as pdf.js and pypdf both read it back.

    Each run starts left of the last one's end, so pdf.js begins a new item and
    reorders only within it, and each comes with its own Tf, on which pypdf ends
    the text it was reordering.
    """
    runs = chunks(text)
    total = sum(len(run) for run, _ in runs) or 1
    last = max((i for i, (_, kind) in enumerate(runs) if kind != 'neutral'), default=-1)
    found, x = [], left + width
    for index, (run, kind) in enumerate(runs):
        step = width * len(run) / total
        # the last strong run exactly where the glyphs start; the neutrals ending
        # the line just right of it (the carrier, left of both, is what PDFium reads first)
        if index == last:
            x = left
        elif kind == 'neutral':
            x, step = left + step / 2, step / 2
        else:
            x -= step
        found += _operators(document_layer, _drawn(run, kind), matrix(x), step, size)
    return found


def carrier(document_layer: Layer, matrix: bytes, font_size: float) -> list[bytes]:
    """Operators drawing, invisibly at ``matrix``, the glyph a right-to-left line's
    PDFium ActualText is read at (``CARRIER``); drawn first at the line's left edge.

    PDFium reads a line's objects from the left, and reads an ActualText at its first
    object, as ``pdfium_order`` says: reversed when that object, or the one read just
    before, reads right-to-left. This one always does, so the order no longer depends
    on which glyph or text happens to start the line or come before it.
    """
    code = document_layer.code('')
    # two glyphs: PDFium skips an object narrower than 0.01, and a blank glyph's box is
    # empty, so an object's width is the distance between its first and last glyphs
    return [matrix, b'/%s %s Tf' % (RESOURCE.encode(), _number(font_size)), b'3 Tr',
            b'[<%04x%04x>] TJ' % (code, code), b'0 Tr']


def chunks(text: str) -> list[tuple[str, str]]:
    """Split a right-to-left line into (text, 'right', 'left' or 'neutral') runs, in
    reading order.

    pypdf reads a glyph's text as neutral (kept in the order drawn), right-to-left (its
    run reversed) or left-to-right by its code points (``_pypdf_class``); pdf.js
    applies its bidi to each item. A right-to-left run is drawn reversed, a character
    per glyph, which both turn back; a left-to-right run is drawn as it reads, as one
    glyph, which both keep. The neutrals between a right and a left run go with the
    left one, so a right run ends with, and is drawn from, a right-to-left character
    (pypdf then reverses all of it); neutrals ending the line are a run of their own.
    """
    classes = [_pypdf_class(char) for char in text]
    strong = [i for i, kind in enumerate(classes) if kind != 'neutral']
    if not strong:
        return [(text, 'left')] if text else []
    cuts = [0]
    for before, after in zip(strong, strong[1:]):
        if classes[before] != classes[after]:
            cuts.append(before + 1 if classes[before] == 'right' else after)
    cuts.append(strong[-1] + 1)
    found = []
    for start, end in zip(cuts, cuts[1:]):
        kind = next(classes[i] for i in range(start, end) if classes[i] != 'neutral')
        found.append((text[start:end], kind))
    rest = text[strong[-1] + 1:]
    if rest and found[-1][1] == 'left':
        found[-1] = (found[-1][0] + rest, 'left')
    elif rest:
        found.append((rest, 'neutral'))
    return found


def _drawn(run: str, kind: str) -> list[str]:
    """The glyph texts drawing ``run``, in drawing order."""
    if kind != 'right':
        return [run]
    pieces = units(pdfjsbidi.shown(run))
    # pdf.js adds a glyph that is only a mark to the item before and drops a space that
    # starts or ends an item: the opener starts this item, and follows a space ending it
    if pieces and (pieces[0].isspace() or unicodedata.category(pieces[0][0]) == 'Mn'):
        pieces.insert(0, OPEN)
    if len(pieces) > 1 and pieces[-1].isspace():
        pieces.append(OPEN)
    return pieces


def _pypdf_class(char: str) -> str:
    """'neutral', 'right' or 'left': how pypdf's text extraction (get_display_str)
    orders ``char``, by code point."""
    code = ord(char)
    if (code <= 0x2F or 0x3A <= code <= 0x40 or 0x0660 <= code <= 0x066D or
            0x06F0 <= code <= 0x06F9 or 0x2000 <= code <= 0x206F or
            0x20A0 <= code <= 0x21FF):
        return 'neutral'
    if 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return 'right'
    return 'left'


def poppler_order(text: str, next_shown: str = 'L') -> str:
    """Return a right-to-left run's ``text`` as poppler must read it to give it back.

    In display order, with a right-to-left mark after each neutral character (space,
    punctuation) shown just left of a character poppler reads as left-to-right;
    ``next_shown`` is the character shown just right of ``text`` ('' or 'L' if not
    known). poppler's reorderText reads a right-to-left line from the right: a section
    that starts at a Latin letter or a number (for it, '.', ',' and '-' are part of
    numbers) takes in every neutral to its left up to a right-to-left character, and
    gives them before itself ("HSG الخاص" read " HSGالخاص", "الآن. إذا" read "الآن
    .إذا"). The mark is that right-to-left character. Punctuation that may start such a
    section gets one before it as well when it starts the display order ("ה-HSG" read
    "הHSG-"); a bracket or quote cannot. Between two right-to-left words a space needs
    none. Only poppler reads these ActualTexts.
    """
    shown = text[::-1]
    out = []
    for index, char in enumerate(shown):
        out.append(char)
        after = shown[index + 1] if index + 1 < len(shown) else next_shown
        if unicodedata.bidirectional(char) in NEUTRALS and _poppler_ltr(after):
            out.append(RLM)
    shown = ''.join(out)
    if (shown and not shown[0].isspace()
            and unicodedata.bidirectional(shown[0]) in _POPPLER_OPENING):
        shown = RLM + shown
    return shown


def _poppler_ltr(char: str) -> bool:
    """Whether a section poppler reads left-to-right may start at ``char`` (unknown: yes)."""
    return not char or unicodedata.bidirectional(char) in POPPLER_LTR


RLM = '\u200f'
NEUTRALS = {'WS', 'CS', 'ES', 'ET', 'ON'}
# where poppler may start a left-to-right section: letters, digits, and the separators
# it takes as part of numbers (the Arabic comma too, as measured)
POPPLER_LTR = {'L', 'EN', 'AN', 'ES', 'ET', 'CS', 'LRE', 'LRO', 'LRI'}
_POPPLER_OPENING = NEUTRALS & POPPLER_LTR  # punctuation that may start such a section


def property_list(resources, text: str) -> str:
    """Name a property list whose ActualText is ``text`` in ``resources``; return its name."""
    properties = resources.setdefault('Properties', pydyf.Dictionary())
    name = f'LT{len(properties)}'
    properties[name] = pydyf.Dictionary({'ActualText': utf16(text)})
    return name


def begin_span(text: str) -> bytes:
    """The operator opening the span whose replacement text is ``text``."""
    return b'/Span <</ActualText ' + utf16(text) + b'>> BDC'


def _number(value: float) -> bytes:
    text = (b'%.4f' % value).rstrip(b'0').rstrip(b'.')
    return text or b'0'


def add_font(pdf, pdf_fonts, fonts: dict, compress: bool) -> None:
    """Add the invisible text's font to ``pdf_fonts`` if the document drew some."""
    document_layer = _layers.pop(id(fonts), None)
    if document_layer is None or not document_layer.codes:
        return
    program = pydyf.Stream([_program()], pydyf.Dictionary({'Length1': len(_program())}),
                           compress)
    pdf.add_object(program)
    descriptor = pydyf.Dictionary({
        'Type': '/FontDescriptor', 'FontName': f'/{BASE_FONT}', 'Flags': 4,
        'FontBBox': pydyf.Array((0, -200, WIDTH, 800)), 'ItalicAngle': 0, 'Ascent': 800,
        'Descent': -200, 'CapHeight': 700, 'StemV': 80, 'FontFile2': program.reference})
    pdf.add_object(descriptor)
    top = max(document_layer.codes.values())
    gid_map = pydyf.Stream([b'\0\1' * (top + 1)], compress=compress)  # every code: glyph 1
    pdf.add_object(gid_map)
    cid_font = pydyf.Dictionary({
        'Type': '/Font', 'Subtype': '/CIDFontType2', 'BaseFont': f'/{BASE_FONT}',
        'CIDSystemInfo': pydyf.Dictionary({
            'Registry': pydyf.String('Adobe'), 'Ordering': pydyf.String('Identity'),
            'Supplement': 0}),
        'FontDescriptor': descriptor.reference, 'DW': WIDTH,
        'CIDToGIDMap': gid_map.reference})
    pdf.add_object(cid_font)
    entries = sorted((code, unit) for unit, code in document_layer.codes.items())
    lines = [b'/CIDInit /ProcSet findresource begin', b'12 dict begin', b'begincmap',
             b'/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
             b'/CMapName /Adobe-Identity-UCS def', b'/CMapType 2 def',
             b'1 begincodespacerange', b'<0000> <ffff>', b'endcodespacerange']
    for i in range(0, len(entries), 100):
        batch = entries[i:i + 100]
        lines.append(b'%d beginbfchar' % len(batch))
        lines += [b'<%04x> <%s>' % (code, ('' if unit == OPEN else unit)
                                    .encode('utf-16-be').hex().encode())
                  for code, unit in batch]
        lines.append(b'endbfchar')
    lines += [b'endcmap', b'CMapName currentdict /CMap defineresource pop', b'end', b'end']
    to_unicode = pydyf.Stream(lines, compress=compress)
    pdf.add_object(to_unicode)
    font = pydyf.Dictionary({
        'Type': '/Font', 'Subtype': '/Type0', 'BaseFont': f'/{BASE_FONT}',
        'Encoding': '/Identity-H', 'DescendantFonts': pydyf.Array((cid_font.reference,)),
        'ToUnicode': to_unicode.reference})
    pdf.add_object(font)
    pdf_fonts[RESOURCE] = font.reference


@lru_cache(maxsize=1)
def _program() -> bytes:
    """A TrueType font of one blank glyph, WIDTH wide (and .notdef, the same)."""
    from io import BytesIO

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(['.notdef', 'blank'])
    builder.setupCharacterMap({0x20: 'blank'})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({'.notdef': empty, 'blank': empty})
    builder.setupHorizontalMetrics({'.notdef': (WIDTH, 0), 'blank': (WIDTH, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({'familyName': 'Leaflets Text Layer', 'styleName': 'Regular'})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font['head'].created = builder.font['head'].modified = 0  # reproducible
    out = BytesIO()
    builder.save(out)
    return out.getvalue()
