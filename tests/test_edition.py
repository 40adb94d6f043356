"""The clinic edition read back from PDFs: clinic details, QR code, governance block, paper sizes."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pikepdf
import pytest
from babel.dates import format_date
from conftest import ROOT, normalize, pdftotext

from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.pofile import read_po, write_po_file
from leaflets.clinic.profile import qr_data_uri
from leaflets.errors import RenderError
from leaflets.render.html import LRI, PDI, PageOptions, render_html
from leaflets.locales import language
from conftest import SOURCE_LANG
from leaflets.project import Project

PROJECT = Project(ROOT)
LANGS = PROJECT.languages()
LEAFLET = PROJECT.leaflets()[0]


def text_of(path, lang):
    return normalize(pdftotext(path, rtl=language(lang).direction == "rtl"),
                     cjk=lang.startswith("zh"))


def arabic_words(text: str) -> set[str]:
    """The words poppler reads back reliably from Arabic: no lam-alef ligature, no vowel marks."""
    words = {word.strip(".,:;()،؛؟") for word in normalize(text).split()}
    return {word for word in words if word and not re.search("ل[اأإآى]|[\u064b-\u0652]", word)}


def assert_reads_back(expected: str, text: str, lang: str) -> None:
    if lang == "ar":  # poppler reverses lam-alef ligatures in RTL text (see test_build)
        # runs of different direction can come out glued together: look for each word
        assert [word for word in arabic_words(expected) if word not in text] == [], expected
    else:
        assert normalize(expected, cjk=lang.startswith("zh")) in text


def translate(lang: str, msgid: str) -> str:
    if lang == SOURCE_LANG:
        return msgid
    return read_po(PROJECT.po_path(lang, "edition")).catalog.get(msgid).string


@pytest.mark.parametrize("lang", LANGS)
def test_clinic_name_and_numbers_in_every_language(clinic_built, clinic, lang):
    out, _ = clinic_built
    text = text_of(out / lang / "hsg.pdf", lang)
    cjk = lang.startswith("zh")
    for value in (clinic.name, clinic.main_phone, clinic.urgent_phone, clinic.interpreter_phone,
                  clinic.website_shown, *clinic.address):
        assert normalize(value, cjk=cjk) in text, value
    for msgid, phone in (("Phone: %(phone)s", clinic.main_phone),
                         ("Out of hours or urgent: %(phone)s", clinic.urgent_phone),
                         ("If you need an interpreter, phone %(phone)s.", clinic.interpreter_phone)):
        assert_reads_back(translate(lang, msgid) % {"phone": phone}, text, lang)
    assert_reads_back(translate(lang, "Contact the clinic"), text, lang)


def test_phone_numbers_and_urls_are_isolated_left_to_right(project, clinic):
    url = "https://x.example.org/ar/hsg.pdf"
    html = render_html(project.template_dirs, LEAFLET, language("ar"), _translations("ar"),
                       PageOptions(emergency_phone="999",
                                   clinic=clinic, online_url=url, qr=qr_data_uri(url)),
                       unreviewed=True)
    nbsp_phone = clinic.main_phone.replace(" ", "\u00a0")  # a number never wraps
    assert f"{LRI}{nbsp_phone}{PDI}" in html
    assert f'<span class="url" dir="ltr">{LRI}{clinic.website_shown}{PDI}</span>' in html
    assert f"{LRI}https://x.example.org/ar/hsg.pdf{PDI}" in html


def test_arabic_phone_number_reads_in_order(clinic_built, clinic):
    out, _ = clinic_built
    # the page keeps the number on one line with a no-break space, which the text
    # layer now carries as it is (the glyph's first-use text was a plain space)
    raw = pdftotext(out / "ar" / "hsg.pdf", rtl=True).replace("\xa0", " ")
    assert clinic.main_phone in raw and clinic.urgent_phone in raw
    assert clinic.main_phone[::-1] not in raw


def _translations(lang):
    from leaflets.catalogs.pofile import StrictTranslations

    return StrictTranslations.from_catalogs(
        [read_po(PROJECT.po_path(lang, d)) for d in ("common", "edition", "hsg")])


def test_clinic_text_is_escaped_never_markup(tmp_path, project, clinic):
    evil = dataclasses.replace(clinic, name='<b>Evil</b> & "Co" {{ 7*7 }}', logo=None)
    html = render_html(project.template_dirs, LEAFLET, language("es"), _translations("es"),
                       PageOptions(emergency_phone="999", clinic=evil), unreviewed=True)
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt; &amp; &#34;Co&#34;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def qr_codes(pdf, tmp_path, page):
    from PIL import Image
    from pyzbar.pyzbar import decode

    stem = tmp_path / f"qr-{pdf.parent.name}"
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    return [code.data.decode() for code in decode(Image.open(f"{stem}.png"))
            if code.type == "QRCODE"]


@pytest.mark.parametrize("lang", ["en", "ar", "zh_Hans"])
def test_qr_code_decodes_to_the_leaflet_online_in_its_language(clinic_built, clinic, tmp_path,
                                                               lang):
    out, _ = clinic_built
    pdf = out / lang / "hsg.pdf"
    pages = len(pikepdf.open(pdf).pages)
    found = [url for page in range(1, pages + 1) for url in qr_codes(pdf, tmp_path, page)]
    assert found == [f"https://www.riverside-fertility.example.org/leaflets/{lang}/hsg.pdf"]


def test_no_qr_code_or_clinic_block_without_a_clinic(built, tmp_path):
    out, _ = built
    pdf = out / "en" / "hsg.pdf"
    assert all(not qr_codes(pdf, tmp_path, p) for p in range(1, len(pikepdf.open(pdf).pages) + 1))
    text = text_of(pdf, "en")
    # the contact box's heading (the urgent box says "Contact the clinic or your doctor ...")
    assert not re.search(r"Contact the clinic(?! or your doctor)", text)
    assert "About this leaflet" in text and "Write your clinic's phone numbers here:" in text


@pytest.mark.parametrize("lang", LANGS)
def test_governance_block_in_the_leaflet_language(built, lang):
    out, _ = built
    text = text_of(out / lang / "hsg.pdf", lang)
    cjk = lang.startswith("zh")
    for day in (LEAFLET.published, LEAFLET.review):
        locale = PROJECT.settings.source_locale if lang == SOURCE_LANG else lang  # en-GB
        written = normalize(format_date(day, "long", locale=locale), cjk=cjk)
        if language(lang).direction == "rtl":
            # poppler reorders digits and words of RTL lines: look for the parts
            assert all(part in text for part in written.split()), written
        else:
            assert written in text
    assert LEAFLET.code in text and LEAFLET.owner.replace(" ", "" if cjk else " ") in text
    assert "Cambridge University Hospitals" in normalize(pdftotext(out / lang / "hsg.pdf"))
    status = "Translation not yet reviewed by a medical translator"
    if lang == SOURCE_LANG:
        assert status not in text  # the original has no translation to review
    else:
        assert_reads_back(translate(lang, status), text, lang)


@pytest.mark.parametrize("lang,published", [("fr", "2 décembre 2026"),
                                            ("zh_Hans", "2026年12月2日"),
                                            ("en", "2 December 2026")])
def test_governance_dates_are_written_the_local_way(built, lang, published):
    out, _ = built
    assert normalize(published, cjk=lang == "zh_Hans") in text_of(out / lang / "hsg.pdf", lang)


def test_reviewed_translation_names_reviewer_and_date(project_copy, renderer, tmp_path):
    for domain in ("common", "edition", "hsg"):
        path = project_copy.po_path("es", domain)
        po = read_po(path)
        headers = {k: v for k, v in po.headers.items() if k.startswith("X-")}
        headers.update({"X-Medical-Reviewer": "Dra. Ana Ruiz", "X-Medical-Review-Date": "2026-11-20"})
        write_po_file(path, po.catalog, headers)
    result = build(project_copy, BuildOptions(out=tmp_path, langs=("es",)), renderer)
    assert result.ok
    text = text_of(tmp_path / "es" / "hsg.pdf", "es")
    assert "Traducción revisada por Dra. Ana Ruiz el 20 de noviembre de 2026" in text
    assert "Traducción aún no revisada" not in text


def test_past_review_date_prints_a_warning(project, renderer, tmp_path, monkeypatch):
    after = LEAFLET.review.toordinal() + 1 - 719163  # days since 1970-01-01
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(after * 86400))
    assert build(project, BuildOptions(out=tmp_path, langs=("en", "es")), renderer).ok
    due = f"This leaflet was due for review on {format_date(LEAFLET.review, 'long', 'en_GB')}."
    assert "Review overdue." in text_of(tmp_path / "en" / "hsg.pdf", "en")
    assert due in text_of(tmp_path / "en" / "hsg.pdf", "en")
    assert "Revisión pendiente." in text_of(tmp_path / "es" / "hsg.pdf", "es")


def test_no_warning_before_the_review_date(built):
    out, _ = built
    assert "Review overdue." not in text_of(out / "en" / "hsg.pdf", "en")


def test_logo_is_loaded_only_from_the_profile_folder(project, clinic, renderer, tmp_path):
    # the shared renderer may read templates/ only: the logo must be refused, not skipped
    with pytest.raises(RenderError, match="refused to load"):
        result = build(project, BuildOptions(out=tmp_path, langs=("en",), clinic=clinic),
                       renderer)
        raise RenderError(str(result.failed[0].problems[0]))
    result = build(project, BuildOptions(out=tmp_path, langs=("en",), clinic=clinic))
    assert result.ok  # build() makes a renderer that may read the profile's folder


def words_outside_the_page(pdf):
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    outside = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        width, height = float(page[0]), float(page[1])
        for x0, y0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)',
                page[2]):
            if float(x0) < 28 or float(x1) > width - 28 or float(y1) > height - 10:
                outside.append(word)
    return outside


@pytest.mark.parametrize("paper,size", [("letter", (612, 792)), ("a4", (595, 842))])
def test_letter_and_a4_lay_out_without_clipping(project, clinic, clinic_renderer, tmp_path,
                                                paper, size):
    result = build(project, BuildOptions(out=tmp_path, langs=("en", "ar"), clinic=clinic,
                                         paper=paper), clinic_renderer)
    assert result.ok
    for lang in ("en", "ar"):
        pdf = tmp_path / lang / "hsg.pdf"
        with pikepdf.open(pdf) as doc:
            box = [round(float(v)) for v in doc.pages[0].mediabox]
        assert tuple(box[2:]) == size
        assert words_outside_the_page(pdf) == []


@pytest.mark.parametrize("domain", ["common", "edition", "hsg"])
def test_committed_pot_files_match_the_templates(project, domain):
    from leaflets.catalogs.pofile import po_bytes
    from leaflets.catalogs.extract import template_catalog

    assert project.pot_path(domain).read_bytes() == po_bytes(template_catalog(project, domain))


def test_review_date_header_must_be_a_date(project):
    from leaflets.clinic.edition import translation_status
    from leaflets.errors import CatalogError

    po = read_po(project.po_path("es", "edition"), "es/edition.po")
    po.headers.update({"X-Medical-Reviewer": "Dra. Ana Ruiz", "X-Medical-Review-Date": "last week"})
    with pytest.raises(CatalogError, match="'last week' is not a date; write it as YYYY-MM-DD"):
        translation_status("es", [po])
    po.headers["X-Medical-Review-Date"] = "2026-11-20"
    status = translation_status("es", [po])
    assert status.reviewers == ("Dra. Ana Ruiz",) and status.date.isoformat() == "2026-11-20"
    assert not translation_status("es", [po, read_po(project.po_path("es", "hsg"))]).reviewed
