"""Each safety check refuses what it must and accepts a faithful translation."""

import pytest
from babel.messages.catalog import Message

from leaflets.catalogs.checkers import (CheckFailed, check_markup, check_placeholders,
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


# --- quality checks for `generate.py check` -------------------------------------------

from leaflets.catalogs.checkers import (  # noqa: E402
    check_end_punctuation, check_font_coverage, check_fuzzy, check_message, check_numbers,
    check_translated, check_unchanged, check_whitespace, numbers)
from leaflets.locales import language  # noqa: E402


def fails(check, source, translation, lang="fr", **kw):
    """The check name a failure reports, or None when the translation passes."""
    try:
        check(Message(source, translation, **kw), language(lang))
    except CheckFailed as exc:
        return exc.check
    return None


@pytest.mark.parametrize("source, translation, lang, bad", [
    ("about 1 in 6 pregnancies", "environ 1 sur 6 grossesses", "fr", False),
    ("about 1 in 6 pregnancies", "environ 1 sur 7 grossesses", "fr", True),
    ("about 1 in 6 pregnancies", "environ une sur 6 grossesses", "fr", True),
    ("between day 5 and day 12", "بين اليوم ٥ واليوم ١٢", "ar", False),  # Arabic-Indic digits
    ("between day 5 and day 12", "दिन 5 और दिन 12 के बीच", "hi", False),
    ("between day 5 and day 12", "दिन ५ और दिन १३ के बीच", "hi", True),  # Devanagari digits
    ("take 2 m2", "prenez 2 m²", "fr", False),  # a superscript is a digit too
    ("call 0800 123 456", "appelez le 0800 123 465", "fr", True),
    ("<strong>1 in 10</strong>", "<strong>1 sur 10</strong>", "fr", False),
])
def test_numbers_must_be_preserved(source, translation, lang, bad):
    assert (fails(check_numbers, source, translation, lang) == "numbers") is bad


def test_numbers_ignore_placeholders_and_tags():
    assert numbers("<h2>%(n)s, 3.5 mg</h2>") == numbers("3,5 mg %(n)s")


def test_untranslated_and_fuzzy():
    assert fails(check_translated, "Draft", "") == "untranslated"
    assert fails(check_translated, ("a", "b"), ("x", "")) == "untranslated"
    assert fails(check_fuzzy, "Draft", "Brouillon", flags=["fuzzy"]) == "fuzzy"
    assert fails(check_fuzzy, "Draft", "Brouillon") is None


def test_unchanged_from_source():
    assert fails(check_unchanged, "Sources", "Sources") == "unchanged"
    assert fails(check_unchanged, "Sources", "Fuentes") is None
    assert fails(check_unchanged, "1 / 2", "1 / 2") is None  # nothing to translate


def test_leading_and_trailing_whitespace():
    assert fails(check_whitespace, "Draft.", " Brouillon.") == "whitespace"
    assert fails(check_whitespace, "Draft. ", "Brouillon.") == "whitespace"
    assert fails(check_whitespace, " Draft. ", " Brouillon. ") is None


@pytest.mark.parametrize("source, translation, lang, bad", [
    ("What is an HSG?", "ما هو HSG؟", "ar", False),
    ("What is an HSG?", "ما هو HSG?", "ar", True),
    ("The short answer.", "简短的回答。", "zh_Hans", False),
    ("The short answer.", "简短的回答.", "zh_Hans", True),
    ("Tell the team if you:", "如果您有以下情况，请告诉团队：", "zh_Hans", False),
    ("Bring a pad.", "पैड लाएँ।", "hi", False),
    ("Bring a pad.", "पैड लाएँ", "hi", True),
    ("<strong>Cramps</strong> are common.", "<strong>Crampes</strong> fréquentes.", "fr", False),
    ("heavy bleeding", "saignement abondant.", "fr", True),
    # no list of marks: Unicode's Sentence_Terminal and Script_Extensions decide
    ("Bring a pad.", "ፓድ ይዘው ይምጡ።", "am", False),
    ("Bring a pad.", "ፓድ ይዘው ይምጡ.", "am", True),
    ("What is an HSG?", "HSG ምንድን ነው፧", "am", False),
    ("Bring a pad.", "הביאי תחבושת.", "he", False),
    ("What is an HSG?", "HSG چیست؟", "fa", False),
    ("Bring a pad.", "یک پد بیاورید.", "fa", False),
    ("Bring a pad.", "یک پد بیاورید؟", "fa", True),
    ("Tell the team if you:", "أخبري الفريق إذا:", "ar", False),
    ("Tell the team if you;", "أخبري الفريق إذا;", "ar", True),
])
def test_end_punctuation_fits_the_script(source, translation, lang, bad):
    assert (fails(check_end_punctuation, source, translation, lang) == "end-punctuation") is bad


def test_font_coverage_uses_the_language_fonts():
    assert fails(check_font_coverage, "Yes", "نعم", "ar") is None
    assert fails(check_font_coverage, "Yes", "是", "zh_Hans") is None
    assert fails(check_font_coverage, "Yes", "是", "hi") == "font-coverage"  # no CJK in hi fonts
    assert fails(check_font_coverage, "Yes", "Tak \U0001F600", "pl") == "font-coverage"


def test_check_message_reports_errors_and_warnings_with_lines():
    message = Message("About 1 in 6.", "Environ 1 sur 7", lineno=12)
    found = {(f.check, f.error) for f in check_message(message, language("fr"), "x.po")}
    assert found == {("numbers", True), ("end-punctuation", False)}
    assert str(check_message(message, language("fr"), "x.po")[0]).startswith("x.po:12: numbers ")
    assert str(check_message(message, language("fr"), "x.po")[0]).endswith(" [numbers]")


def test_warning_can_be_silenced_by_flag_but_errors_cannot():
    message = Message("Sources", "Sources", flags=["ignore-unchanged", "ignore-numbers"])
    assert check_message(message, language("fr"), "x.po") == []
    message = Message("1 in 6", "1 sur 7", flags=["ignore-numbers"])
    assert [f.check for f in check_message(message, language("fr"), "x.po")] == ["numbers"]


@pytest.mark.parametrize("source, translation, bad", [
    ("Call {phone} today", "Appelez le {phone} aujourd'hui", False),
    ("Call {phone} today", "Appelez le {telephone} aujourd'hui", True),
    ("Call {phone} today", "Appelez aujourd'hui", True),
    ("{0} of {1}", "{0} sur {1}", False),
    ("Dose: {dose:.1f} mg", "Dose : {dose} mg", True),
    ("Page %(page)s", "{{ page }} %(page)s", False),  # Jinja code is template-code's business
])
def test_brace_placeholders_must_match(source, translation, bad):
    from leaflets.catalogs.checkers import check_placeholders as check
    try:
        check(Message(source, translation))
    except CheckFailed as exc:
        assert bad and exc.check == "placeholders"
    else:
        assert not bad


def test_brace_placeholder_numbers_are_not_numbers():
    assert numbers("{0} of {1}: 5 mg") == numbers("5 mg")
