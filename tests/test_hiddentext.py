"""The invisible text of right-to-left lines, against pypdf's and pdf.js's own reordering.

pypdf (get_display_str, imported from it) reverses a right-to-left run by codes;
pdf.js (its bidi, ported in leaflets/render/pdfjsbidi.py and checked against
pdfjs-dist in test_pdfjsbidi.py) reverses an item by characters. Each run that
``hiddentext.chunks`` makes must read back as itself in both.
"""

import pytest
from pypdf._text_extraction import get_display_str

from leaflets.render import hiddentext, pdfjsbidi

LINES = [
    "لا يوجد دليل على أن فحص HSG يزيد احتمال الإجهاض.",
    "للأسف، ينتهي نحو 1 من كل 8 حالات حمل (NHS)، وهو نفسه.",
    "الإصدار 1.1، نُشر في 2 ديسمبر 2026.",
    "معلومات عن فحص HSG الخاص بكِ",
    "ويمكنكِ أن تطلبي ذلك: «الفحص» مسموح.",
    "מידע על בדיקת ה-HSG שלך, בין היום 5 ל-12.",
]


def pypdf_reads(pieces, rtl_before):
    """What pypdf reads for one text-showing operator whose glyphs' texts are ``pieces``."""
    class Font:
        character_map = {chr(0xE000 + i): piece for i, piece in enumerate(pieces)}
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
        assert pdfjsbidi.bidi("".join(pieces)) == run
        if any(len(piece) > 1 for piece in pieces) and kind == "right":
            continue  # a code pdf.js needs joined (a mark ending the run): pypdf misreads it
        assert pypdf_reads(pieces, rtl_before) == run


def test_a_right_to_left_run_ends_with_a_right_to_left_character():
    # pypdf then reverses all of it, whatever direction the text before it had
    for line in LINES:
        for run, kind in hiddentext.chunks(line)[:-1]:
            if kind == "right":
                assert hiddentext._pypdf_class(run.rstrip()[-1]) == "right"
