"""Variants from the same catalogs: large print (16 pt and up) and bilingual (paired by message)."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest
from conftest import ROOT, VARIANT_LANGS, normalize, pdftotext, run_cli

from leaflets.catalogs.pofile import StrictTranslations, read_po
from leaflets.catalogs.extract import domain_messages
from leaflets.render.html import PageOptions, render_html
from leaflets.locales import language
from leaflets.project import Project
from leaflets.render.variants import BilingualTranslations

PROJECT = Project(ROOT)
LEAFLET = PROJECT.leaflets()[0]
PX_TO_PT = 0.75  # WeasyPrint draws in CSS px under a 0.75 scale


def font_sizes(pdf) -> set[float]:
    """Every font size (pt) set in the PDF's page content."""
    sizes = set()
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for operands, operator in pikepdf.parse_content_stream(page, "Tf"):
                sizes.add(round(float(operands[1]) * PX_TO_PT, 2))
    return sizes


@pytest.mark.parametrize("lang", VARIANT_LANGS["large-print"])
def test_large_print_has_no_text_under_16pt(variant_built, clinic_built, lang):
    pdf = variant_built["large-print"] / lang / "hsg-large-print.pdf"
    assert min(font_sizes(pdf)) >= 16
    standard = clinic_built[0] / lang / "hsg.pdf"
    assert min(font_sizes(standard)) < 16  # the check above can fail
    with pikepdf.open(pdf) as doc, pikepdf.open(standard) as small:
        assert len(small.pages) < len(doc.pages) <= LEAFLET.max_pages_large_print


@pytest.mark.parametrize("lang", VARIANT_LANGS["large-print"])
def test_large_print_keeps_every_message(variant_built, clinic_built, lang):
    cjk = lang.startswith("zh")
    rtl = language(lang).direction == "rtl"
    large = normalize(pdftotext(variant_built["large-print"] / lang / "hsg-large-print.pdf",
                                rtl=rtl), cjk=cjk)
    standard = normalize(pdftotext(clinic_built[0] / lang / "hsg.pdf", rtl=rtl), cjk=cjk)
    # the same words, whatever the line and page breaks (RTL lines extract reordered)
    def words(text):
        return {word for word in text.split() if word.isalpha()}

    # at 16 pt the page footer shows the leaflet's code and version ("Leaflet HSG-01, version
    # 1.1", the governance line) on one line; its dates are in the governance block
    footer = normalize(pdftotext(clinic_built[0] / lang / "hsg.pdf", rtl=rtl).split("\f")[0]
                       .strip().splitlines()[-1], cjk=cjk)
    assert words(large) == words(standard) - (words(footer) - words(large)) or rtl or cjk
    assert len(large) > 0.95 * len(standard)  # nothing but the dated footer line is left out
    if cjk:
        assert set(large) <= set(standard) and set(standard) - set(large) <= set(footer)


def translations(lang):
    return StrictTranslations.from_catalogs(
        [read_po(PROJECT.po_path(lang, d)) for d in ("common", "edition", "hsg")])


@pytest.mark.parametrize("lang", VARIANT_LANGS["bilingual"])
def test_bilingual_pairs_each_message_with_its_own_english(project, clinic, lang):
    patient = translations(lang)
    html = render_html(project.template_dirs, LEAFLET, language(lang),
                       BilingualTranslations(patient, language(lang)),
                       PageOptions(emergency_phone="999",
                                   variant="bilingual", clinic=clinic), unreviewed=True)
    pairs = re.findall(r'<span class="pair"><span class="pair-patient" lang="([^"]+)" dir="(\w+)">'
                       r'(.*?)</span><span class="pair-source" lang="en" dir="ltr">(.*?)'
                       r'</span></span>', html, re.S)
    messages = {m.msgid for d in ("common", "hsg") for m in domain_messages(project, d)}
    body = [m for m in messages if m != "Can an HSG cause a miscarriage?" and "%(" not in m]
    assert {source for *_, source in pairs} >= set(body) - {
        "Incomplete translation.",
        "Some parts of this leaflet have not been translated yet and are shown in English."}
    for tag, direction, translated, source in pairs:
        assert (tag, direction) == (language(lang).tag, language(lang).direction)
        message = patient.messages.get((source, None))
        if message:  # messages with placeholders are compared filled in, below
            assert translated == message.string
    phone = patient.messages[("Phone: %(phone)s", None)].string
    number = "\u2066" + clinic.main_phone.replace(" ", "\u00a0") + "\u2069"
    assert (phone % {"phone": number}, f"Phone: {number}") in {(t, s) for *_, t, s in pairs}
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title == patient.messages[("Can an HSG cause a miscarriage?", None)].string


@pytest.mark.parametrize("lang", VARIANT_LANGS["bilingual"])
def test_bilingual_page_holds_both_languages(variant_built, lang):
    pdf = variant_built["bilingual"] / lang / "hsg-bilingual.pdf"
    cjk = lang.startswith("zh")
    text = normalize(pdftotext(pdf, rtl=language(lang).direction == "rtl"), cjk=cjk)
    english = normalize(pdftotext(pdf))
    for msgid in ("What are the risks?", "Bring a sanitary pad, as you may have some light "
                  "bleeding afterwards.", "When to get help"):
        assert msgid in english
        translated = translations(lang).messages[(msgid, None)].string
        if lang != "ar":  # poppler reverses lam-alef ligatures in RTL text, see test_build
            assert normalize(translated, cjk=cjk) in text
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) <= LEAFLET.max_pages_bilingual


def word_boxes(pdf, page=1):
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    return width, [(float(x0), float(y0), word) for x0, y0, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)', html)]


@pytest.mark.parametrize("lang,patient_side", [("ar", "right"), ("fr", "left")])
def test_bilingual_columns_follow_the_reading_direction(variant_built, lang, patient_side):
    pdf = variant_built["bilingual"] / lang / "hsg-bilingual.pdf"
    width, words = word_boxes(pdf)
    english = [(x, y) for x, y, w in words if w == "miscarriage?"]  # the English title
    assert english
    x, y = english[0]
    english_side = "left" if x < width / 2 else "right"
    assert english_side != patient_side
    row = [w for wx, wy, w in words if abs(wy - y) < 30 and (wx < width / 2) == (
        patient_side == "left")]
    assert row, "nothing beside the English title"


def test_bilingual_english_is_a_usage_error(tmp_path):
    proc = run_cli("build", "--variant", "bilingual", "--lang", "en", "--out", str(tmp_path))
    assert proc.returncode == 2 and "nothing to pair with" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_variant_file_names(variant_built):
    assert sorted(p.relative_to(variant_built["bilingual"]).as_posix()
                  for p in variant_built["bilingual"].rglob("*.pdf")) == [
        f"{lang}/hsg-bilingual.pdf" for lang in sorted(VARIANT_LANGS["bilingual"])]


def test_bilingual_english_half_writes_dates_in_english(project, clinic):
    from babel.dates import format_date

    html = render_html(project.template_dirs, LEAFLET, language("zh_Hans"),
                       BilingualTranslations(translations("zh_Hans"), language("zh_Hans")),
                       PageOptions(emergency_phone="999",
                                   variant="bilingual", clinic=clinic), unreviewed=True)
    english = format_date(LEAFLET.published, "long", locale="en")
    chinese = format_date(LEAFLET.published, "long", locale="zh_Hans")
    assert re.search(rf'<span class="pair-patient"[^>]*>发布日期：{chinese}</span>'
                     rf'<span class="pair-source" lang="en" dir="ltr">Published: {english}</span>',
                     html)


def test_a_bilingual_page_leaves_the_next_page_alone(project):
    render_html(project.template_dirs, LEAFLET, language("fr"),
                BilingualTranslations(translations("fr"), language("fr")),
                PageOptions(emergency_phone="999", variant="bilingual"), unreviewed=True)
    html = render_html(project.template_dirs, LEAFLET, language("fr"), translations("fr"),
                       PageOptions(emergency_phone="999"), unreviewed=True)
    assert 'class="pair"' not in html and "Published:" not in html
