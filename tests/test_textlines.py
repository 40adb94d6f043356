"""Tests for textlines: the drawn line rewritten, every glyph kept where it was."""

from leaflets.render import textlines


class Font:
    """The one thing textlines asks a font: its glyph widths (1/1000 em)."""

    def __init__(self, widths):
        self.widths = widths


def placed(events):
    """{glyph index: (x, rise)} for the glyph events, x in 1/1000 em."""
    found, x, rise = {}, 0.0, None
    for kind, operand, value in events:
        if kind == 'n':
            x -= value
        elif kind == 'Ts':
            rise = value
        elif kind == 'g':
            found[operand] = (round(x, 6), rise)
            x += textlines.glyph_width(LOG[operand])
    return found, round(x, 6), rise


FONT = Font({1: 0, 2: 545, 3: 500})  # 1: a mark, 2 and 3: letters
LOG = [(FONT, 1, 'ְ'), (FONT, 2, 'ך'), (FONT, 3, 'ל')]


def test_a_mark_drawn_first_is_drawn_after_its_base_at_the_same_place():
    # as Pango and WeasyPrint draw "לָךְ" seen from the left: the mark raised, then its base
    events = [('Ts', b'3.703 Ts', 3.703), ('n', b'-117.75', -117.75), ('g', 0, None),
              ('Ts', b'0 Ts', 0.0), ('e', b'<>', None), ('n', b'117', 117.0), ('g', 1, None),
              ('n', b'0', 0.0), ('g', 2, None)]
    before = placed(events)
    textlines.base_first(events, LOG)
    assert [index for kind, index, _ in events if kind == 'g'] == [1, 0, 2]
    assert placed(events) == before  # same places, same rises, same end


def test_a_group_opening_with_a_letter_is_left_alone():
    events = [('g', 1, None), ('n', b'-20', -20.0), ('g', 0, None), ('g', 2, None)]
    kept = list(events)
    textlines.base_first(events, LOG)
    assert events == kept


def test_a_mark_with_no_base_after_it_is_left_alone():
    events = [('n', b'-100', -100.0), ('g', 0, None), ('Tf', b'/F2 12 Tf', None), ('g', 1, None)]
    kept = list(events)
    textlines.base_first(events, LOG)
    assert events == kept
