"""The HTML stage: language attributes, notices, and strings that cannot break out of CSS."""

from __future__ import annotations

import re

import pytest
import tinycss2

from leaflets.catalogs.pofile import SourceTranslations, StrictTranslations
from leaflets.render.html import COUNTER_PAGE, COUNTER_PAGES, PageOptions, css_counters, css_string, render_html
from leaflets.locales import language


@pytest.mark.parametrize("text", ['"; } body { display: none } x { content: "',
                                  "</style><script>alert(1)</script>", "back\\slash\nnewline"])
def test_css_string_is_one_string_token(text):
    tokens = [t for t in tinycss2.parse_component_value_list(str(css_string(text)))
              if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string"
    assert tokens[0].value == text
    assert "<" not in str(css_string(text))


def test_counters_become_css_counters():
    value = str(css_counters(f"第 {COUNTER_PAGE} 页，共 {COUNTER_PAGES} 页"))
    assert value == '"第 " counter(page) " 页，共 " counter(pages) " 页"'


def render(project, lang, translations, **options):
    leaflet = project.leaflets()[0]
    return render_html(project.template_dirs, leaflet, language(lang), translations,
                       PageOptions(**{"emergency_phone": "999", **options}), unreviewed=lang != "en")


def test_lang_and_dir_come_from_cldr(project):
    html = render(project, "ar", StrictTranslations())
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert "@bottom-right { content:" in html  # footer text starts on the right in RTL
    html = render(project, "zh_Hans", StrictTranslations())
    assert '<html lang="zh-Hans" dir="ltr">' in html
    assert '"Noto Sans CJK SC"' in html


def test_notices(project):
    assert "Draft translation." in render(project, "es", StrictTranslations())
    assert "Draft translation." not in render(project, "en", SourceTranslations())
    assert "Incomplete translation." in render(project, "es", StrictTranslations(),
                                               incomplete=True)


def test_misses_are_recorded(project):
    translations = StrictTranslations()
    render(project, "es", translations)
    assert "The short answer" in translations.misses


def test_translation_markup_is_not_template_code(project):
    from babel.messages.catalog import Message

    translations = StrictTranslations({("The short answer", None):
                                       Message("The short answer", "{{ 7 * 7 }} {{ config }}")})
    html = render(project, "es", translations)
    assert "{{ 7 * 7 }} {{ config }}" in html and ">49<" not in html
