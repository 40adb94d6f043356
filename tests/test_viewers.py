"""Leaflets read back by the four extractors patients' viewers use: every printed message,
exactly, with no bidi mark added.

poppler (pdftotext: Evince, Okular), pypdf, PDFium (Chrome, Edge) and pdf.js (Firefox,
pdfjs-dist run with node). Arabic and Hindi are the repository's catalogs; Hebrew,
Persian and Amharic are made from the Arabic drafts (tests/script_catalogs.py) with
``init`` and nothing else: no code knows these languages.
"""

from __future__ import annotations

import unicodedata

import pikepdf
import pytest
import readback
import script_catalogs
from conftest import copy_project

from leaflets.building.build import BuildOptions, build
from leaflets.locales import language
from leaflets.catalogs.update import init
from leaflets.render import hiddentext

LANGS = ("ar", "hi", "he", "fa", "am")
# Measured (benchmarks/text_layer.py, README "Text layer"); strict: each fails once fixed.
KNOWN = {
    # pypdf reverses a right-to-left run by codes, pdf.js by characters: pdf.js drops a
    # glyph that is only ZWNJ, so ZWNJ shares a code with a letter, which pypdf misreads
    ("fa", "pypdf"): "pypdf: ZWNJ shares a code with a letter (pdf.js drops it alone)",
}
# poppler alone gets right-to-left marks (in its ActualText): without them it moves
# neutrals beside digits and Latin letters (leaflets/hiddentext.py, poppler_order)
MARKED = {(lang, "poppler") for lang in ("ar", "he", "fa")}
# the running footer (leaflets/theme/templates/base.html)
FOOTER = {"Version %(version)s, published %(published)s. Next review: %(review)s.",
          "Page %(page)s of %(pages)s"}


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory):
    """{lang: (pdf path, messages it prints)} for LANGS, built in a copy of the project."""
    root = tmp_path_factory.mktemp("viewers")
    project = copy_project(root)
    for lang in script_catalogs.WRITERS:
        init(project, lang)
        script_catalogs.fill_from_arabic(project, lang)
    out = root / "dist"
    result = build(project, BuildOptions(out=out, langs=LANGS))
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    leaflet = project.leaflets()[0]
    found = {"project": (project, leaflet)}
    for lang in LANGS:
        path = out / lang / f"{leaflet.id}.pdf"
        pages = len(pikepdf.open(path).pages)
        found[lang] = (path, readback.printed_messages(project, leaflet, lang, pages))
        found[lang, "footer"] = readback.printed_messages(
            project, leaflet, lang, pages, msgids=FOOTER)
    return found


@pytest.fixture(scope="module")
def texts(leaflets):
    """{(lang, extractor): extracted text}; pdf.js reads all PDFs in one node process."""
    found = {}
    for name, reader in readback.READERS.items():
        for lang in LANGS:
            path, _ = leaflets[lang]
            found[lang, name] = reader([path], language(lang).direction == "rtl")[0]
    return found


@pytest.mark.parametrize("extractor", readback.EXTRACTORS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_reads_back_exactly(leaflets, texts, lang, extractor, request):
    if (lang, extractor) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[lang, extractor], strict=True))
    _, messages = leaflets[lang]
    score = readback.score(texts[lang, extractor], messages, cjk=False)
    assert score.exact_without_marks == score.total, score.missing


def pdfium_footers(leaflets, lang: str) -> list[list[str]]:
    """The footer messages PDFium misses on each page of a leaflet."""
    import pypdfium2

    path, _ = leaflets[lang]
    document = pypdfium2.PdfDocument(path)
    try:
        texts = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    project, leaflet = leaflets["project"]
    return [readback.score(text, readback.printed_messages(
        project, leaflet, lang, len(texts), msgids=FOOTER, page=number), cjk=False).missing
        for number, text in enumerate(texts, start=1)]


@pytest.mark.parametrize("lang", ["ar", "he", "fa"])
def test_pdfium_reads_every_pages_footer(leaflets, lang):
    # The footer's two margin boxes share a baseline, which PDFium reads as one line:
    # they share one ActualText (textlayer._Line.beside). PDFium reverses an ActualText
    # when the object it is read at, or the one read before it, is right-to-left: after
    # a list's bullets the footer read reversed until each line began with the carrier
    # (hiddentext.carrier).
    missing = pdfium_footers(leaflets, lang)
    assert len(missing) > 1 and missing == [[]] * len(missing)


@pytest.mark.parametrize("extractor", readback.EXTRACTORS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_bidi_mark_is_added(leaflets, texts, lang, extractor, request):
    if (lang, extractor) in MARKED:
        request.applymarker(pytest.mark.xfail(reason="poppler's ActualText has RLMs",
                                              strict=True))
    _, messages = leaflets[lang]
    assert readback.score(texts[lang, extractor], messages, cjk=False).added_marks == 0


@pytest.mark.parametrize("lang", sorted(lang for lang, _ in MARKED))
def test_poppler_gets_marks_only_where_its_bidi_needs_them(leaflets, texts, lang):
    """Not one after every space and punctuation mark (1,444 in Arabic until 4 December
    2026): a phrase of right-to-left words copied or searched in poppler has none."""
    _, messages = leaflets[lang]
    neutrals = sum(unicodedata.bidirectional(char) in hiddentext.NEUTRALS
                   for message in messages for char in message)
    marks = readback.score(texts[lang, "poppler"], messages, cjk=False).added_marks
    assert 0 < marks < neutrals / 2  # Hebrew: 400 marks, 1,218 neutrals


@pytest.mark.parametrize("extractor", readback.EXTRACTORS)
def test_persian_keeps_its_zero_width_non_joiners(leaflets, texts, extractor):
    # "می‌تواند", not "میتواند": a spelling error if the ZWNJ is lost
    _, messages = leaflets["fa"]
    wanted = sum(m.count("\u200c") for m in messages)
    assert wanted
    text = texts["fa", extractor]
    # at least: a message can print twice (the title in the running header)
    assert text.count("\u200c") >= wanted
    if extractor != "pypdf":  # pypdf: see KNOWN; elsewhere each stays after "می"
        assert text.count("می\u200c") >= sum(m.count("می\u200c") for m in messages)


def test_hindi_reads_back_exactly_in_the_browsers_viewers(leaflets, texts):
    """Hindi was 4/55 in PDFium and pdf.js before the invisible text layer."""
    _, messages = leaflets["hi"]
    assert readback.score(texts["hi", "pdfium"], messages, cjk=False).missing == []
    assert readback.score(texts["hi", "pdfjs"], messages, cjk=False).missing == []
