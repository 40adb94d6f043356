"""The invisible text of right-to-left lines, against pypdf's and pdf.js's own reordering.

pypdf (get_display_str, imported from it) reverses a right-to-left run by codes;
pdf.js (its bidi, ported in leaflets/render/pdfjsbidi.py and checked against
pdfjs-dist in test_pdfjsbidi.py) reverses an item by characters. Each run that
``hiddentext.chunks`` makes must read back as itself in both.
"""

import io

import pydyf
import pypdf
import pypdfium2
import pytest
from pypdf._text_extraction import get_display_str

from leaflets.render import hiddentext, pdfjsbidi

LINES = [
    "لا يوجد دليل على أن فحص HSG يزيد احتمال الإجهاض.",
    "للأسف، ينتهي نحو 1 من كل 8 حالات حمل (NHS)، وهو نفسه.",
    "الإصدار 1.1، نُشر في 2 ديسمبر 2026.",
    "معلومات عن فحص HSG الخاص بكِ",
    "وغالبًا ما يبقى معكِ شخص ثانٍ (HSG) من الفريق.",
    "ويمكنكِ أن تطلبي ذلك: «الفحص» مسموح.",
    "מידע על בדיקת ה-HSG שלך, בין היום 5 ל-12.",
]


def pypdf_reads(pieces, rtl_before):
    """What pypdf reads for one text-showing operator whose glyphs' texts are ``pieces``."""
    class Font:  # the opener's code is mapped to nothing
        character_map = {chr(0xE000 + i): "" if piece == hiddentext.OPEN else piece
                         for i, piece in enumerate(pieces)}
    operands = "".join(chr(0xE000 + i) for i in range(len(pieces)))
    text, _, completed = get_display_str(
        "", None, None, None, Font(), operands, 10, rtl_before, None)
    return completed + text


@pytest.mark.parametrize("line", LINES)
def test_runs_join_back_into_the_line(line):
    assert "".join(run for run, _ in hiddentext.chunks(line)) == line


@pytest.mark.parametrize("rtl_before", [False, True])
@pytest.mark.parametrize("line", LINES)
def test_each_run_reads_back_in_pypdf_and_pdfjs(line, rtl_before):
    for run, kind in hiddentext.chunks(line):
        pieces = hiddentext._drawn(run, kind)
        assert pdfjsbidi.bidi(pdfjs_reads(pieces)) == run
        if kind == "right":  # one code per character, the opener's read as nothing
            assert all(len(piece) == 1 for piece in pieces)
        assert pypdf_reads(pieces, rtl_before) == run


def pdfjs_reads(pieces):
    """The text pdf.js gives an item of glyphs whose texts are ``pieces``, before its bidi:
    the opener's code is mapped to nothing, so pdf.js reads the code itself, '>'."""
    return "".join(">" if piece == hiddentext.OPEN else piece for piece in pieces)


def test_a_mark_or_space_at_a_right_to_left_runs_edge_comes_after_the_opener():
    pieces = hiddentext._drawn("الخاص بكِ", "right")  # drawn from its end: the kasra first
    assert pieces[:2] == [hiddentext.OPEN, "\u0650"] and hiddentext.OPEN not in pieces[2:]
    pieces = hiddentext._drawn(" שלך ", "right")
    assert pieces[:2] == [hiddentext.OPEN, " "] and pieces[-2:] == [" ", hiddentext.OPEN]
    assert hiddentext._drawn("שלך", "right") == ["ך", "ל", "ש"]  # nothing to open


def test_a_right_to_left_run_ends_with_a_right_to_left_character():
    # pypdf then reverses all of it, whatever direction the text before it had
    for line in LINES:
        for run, kind in hiddentext.chunks(line)[:-1]:
            if kind == "right":
                assert hiddentext._pypdf_class(run.rstrip()[-1]) == "right"


# Mixed lines: brackets (mirrored), digits with separators, marks, Latin inside Arabic
# and Hebrew, a Latin line with one Hebrew word; each as PDFium must read it back.
PDFIUM_LINES = [
    "يستغرق الفحص (HSG) حوالي 15 دقيقة.",
    "اتصلي على 999، أو 111.",
    "הבדיקה נמשכת 10–15 דקות (בערך).",
    "ה-HSG: בדיקה של 30 דקות",
    "Call 111 or ask שאלה now",
    "نُشر في 2 ديسمبر 2026. الصفحة 2 من 5",
]


def one_line_pdf(actual_text: str, first: str) -> bytes:
    """A page with one line: ``first`` drawn invisibly in the text layer's font (or the
    carrier), then one more glyph, both carrying ``actual_text`` as PDFium reads it."""
    layer = hiddentext.Layer()
    ops = [b'BT', b'/LeafletsText <</ActualText %s>> BDC' % hiddentext.utf16(actual_text)]
    matrix = b'1 0 0 -1 100 700 Tm'
    if first == 'carrier':
        ops += hiddentext.carrier(layer, matrix, 12)
    else:
        ops += hiddentext.operators(layer, first, matrix, 60, 12)
    ops += hiddentext.operators(layer, 'x', b'1 0 0 -1 120 700 Tm', 20, 12)
    ops += [b'EMC', b'ET']
    pdf = pydyf.PDF()
    fonts = pydyf.Dictionary()
    hiddentext._layers[id(fonts)] = layer
    hiddentext.add_font(pdf, fonts, fonts, compress=False)
    content = pydyf.Stream(ops)
    pdf.add_object(content)
    pdf.add_page(pydyf.Dictionary({
        'Type': '/Page', 'Parent': pdf.pages.reference,
        'MediaBox': pydyf.Array((0, 0, 595, 842)), 'Contents': content.reference,
        'Resources': pydyf.Dictionary({'Font': fonts})}))
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def pdfium_reads(actual_text: str, first: str) -> str:
    """What PDFium reads for ``one_line_pdf``."""
    document = pypdfium2.PdfDocument(one_line_pdf(actual_text, first))
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


@pytest.mark.parametrize("line", PDFIUM_LINES)
def test_pdfium_reads_an_actual_text_at_the_carrier_back(line):
    # the carrier reads right-to-left in PDFium, which then reverses the ActualText
    assert pdfium_reads(hiddentext.pdfium_order(line, reversed_context=True), 'carrier') == line


@pytest.mark.parametrize("line", PDFIUM_LINES)
def test_pdfium_reads_an_actual_text_at_a_left_to_right_object_back(line):
    assert pdfium_reads(hiddentext.pdfium_order(line, reversed_context=False), 'ab') == line


def test_the_carrier_reads_as_nothing_in_pypdf():
    reader = pypdf.PdfReader(io.BytesIO(one_line_pdf('', 'carrier')))
    assert reader.pages[0].extract_text().strip() == 'x'


def test_no_text_takes_the_carriers_code():
    layer = hiddentext.Layer()
    assert layer.code('\u200f') != hiddentext.CARRIER
    assert layer.code('') == hiddentext.CARRIER


@pytest.mark.parametrize("text, next_shown, shown", [
    ("كلمة أخرى ", "ك", "\u0020ىرخأ ةملك"),  # between right-to-left words: no mark
    ("فحص ", "G", " صحف"),  # Latin letters right of it: its space is not beside them
    (" ", "H", " \u200f"),  # a space just left of Latin letters ("HSG الخاص"): one mark
    ("الآن. ", "إ", " \u200f.نآلا"),  # poppler reads '.' as part of a number
    ("كلمة.", "ا", "\u200f.ةملك"),  # a full stop starting the display order: one before it
    ("(مسودة)", "ا", ")ةدوسم("),  # a bracket never starts a left-to-right section
])
def test_poppler_gets_a_mark_only_left_of_what_it_reads_left_to_right(text, next_shown, shown):
    """poppler's reorderText takes a right-to-left line's characters from the right; a run
    starting at a letter or number it reads left-to-right takes in every neutral to its
    left up to a right-to-left character: only there does a neutral need the mark."""
    assert hiddentext.poppler_order(text, next_shown) == shown
    assert hiddentext.poppler_order(text, next_shown).replace("\u200f", "")[::-1] == text
