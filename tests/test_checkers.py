"""Each safety check refuses what it must and accepts a faithful translation."""

import pytest
from babel.messages.catalog import Message

from leaflets.checkers import (CheckFailed, check_markup, check_placeholders,
                               check_template_code)

SOURCE = "<strong>Cramps</strong> like period pain are common."


def test_same_markup_passes():
    check_markup(Message(SOURCE, "<strong>Calambres</strong> como el dolor de regla."))


@pytest.mark.parametrize("translation", [
    '<strong>Calambres</strong> <img src="http://evil.example/x.png">',
    '<strong style="color:red">Calambres</strong>',
    '<a href="https://evil.example">Calambres</a>',
    "<strong>Calambres</strong><script>alert(1)</script>",
])
def test_added_markup_fails(translation):
    with pytest.raises(CheckFailed) as caught:
        check_markup(Message(SOURCE, translation))
    assert caught.value.check == "markup"


def test_dropped_markup_fails():
    with pytest.raises(CheckFailed, match="drops"):
        check_markup(Message(SOURCE, "Calambres como el dolor de regla."))


def test_placeholders_must_match():
    source = "Page %(page)s of %(pages)s"
    check_placeholders(Message(source, "Página %(page)s de %(pages)s"))
    check_placeholders(Message(source, "第 %(page)s 页，共 %(pages)s 页"))
    with pytest.raises(CheckFailed, match="drops"):
        check_placeholders(Message(source, "Página %(page)s"))
    with pytest.raises(CheckFailed, match="adds"):
        check_placeholders(Message(source, "Página %(page)s de %(pages)s %(secret)s"))


def test_template_code_is_refused():
    with pytest.raises(CheckFailed) as caught:
        check_template_code(Message("Hello", "Hola {{ config.__class__ }}"))
    assert caught.value.check == "template-code"
    check_template_code(Message("Hello", "Hola {tú}"))
