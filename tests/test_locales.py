"""Language facts come from CLDR via Babel, not from lists of our own."""

import pytest

from leaflets.errors import UsageError
from leaflets.locales import language, normalize_code


@pytest.mark.parametrize("given, expected", [("zh-Hans", "zh_Hans"), ("zh_hans", "zh_Hans"),
                                             ("pt-br", "pt_BR"), ("AR", "ar")])
def test_codes_are_normalised(given, expected):
    assert normalize_code(given) == expected


@pytest.mark.parametrize("bad", ["", "e", "es/../../etc", "12"])
def test_nonsense_codes_are_usage_errors(bad):
    with pytest.raises(UsageError):
        normalize_code(bad)


@pytest.mark.parametrize("code, direction, script", [
    ("ar", "rtl", "Arab"), ("he", "rtl", "Hebr"), ("fa", "rtl", "Arab"), ("hi", "ltr", "Deva"),
    ("zh_Hans", "ltr", "Hans"), ("uk", "ltr", "Cyrl"), ("pl", "ltr", "Latn")])
def test_direction_and_script_from_cldr(code, direction, script):
    lang = language(code)
    assert (lang.direction, lang.script) == (direction, script)


def test_tag_and_names():
    lang = language("zh-Hans")
    assert lang.tag == "zh-Hans"
    assert lang.english_name == "Chinese (Simplified)"
    assert language("ar").name == "العربية"


def test_each_script_gets_its_own_font_first():
    assert language("ar").fonts[0] == "Noto Sans Arabic"
    assert language("hi").fonts[0] == "Noto Sans Devanagari"
    assert language("zh_Hans").fonts[0] == "Noto Sans CJK SC"
    assert language("uk").fonts == ("Noto Sans",)


@pytest.mark.parametrize("code, family", [
    ("he", "Noto Sans Hebrew"), ("fa", "Noto Sans Arabic"), ("am", "Noto Sans Ethiopic"),
    ("zh_Hant", "Noto Sans CJK TC"), ("ja", "Noto Sans CJK JP"), ("ka", "Noto Sans Georgian"),
    ("ckb", "Noto Sans Arabic")])  # fontconfig knows no ckb: its script's language stands in
def test_fonts_come_from_fontconfig_for_any_installed_script(code, family):
    assert language(code).fonts == (family, "Noto Sans")


def test_a_project_may_choose_the_fonts(tmp_path):
    from conftest import copy_project
    project = copy_project(tmp_path)
    with (project.root / "leaflets.toml").open("a", encoding="utf-8") as f:
        f.write('\n[fonts]\nArab = ["Noto Naskh Arabic", "Noto Sans"]\n'
                'fa = ["Noto Sans Arabic UI"]\n')
    project = type(project)(project.root)  # settings are read once per Project
    assert project.language("ar").fonts == ("Noto Naskh Arabic", "Noto Sans")
    assert project.language("fa").fonts == ("Noto Sans Arabic UI",)
    assert project.language("he").fonts == ("Noto Sans Hebrew", "Noto Sans")  # fontconfig


def test_unknown_language_is_an_error():
    with pytest.raises(UsageError, match="xq"):
        language("xq")
