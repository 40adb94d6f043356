"""Every leaflet in every language, built and read back: text, fonts, pages, metadata, layout."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pikepdf
import pypdf
import pytest
from conftest import ROOT, normalize, pdftotext

from leaflets.render import hiddentext
from leaflets.catalogs.pofile import read_po
from leaflets.catalogs.extract import domain_messages
from leaflets.render.html import _date, month_year, single_stops
from leaflets.locales import language
from conftest import SOURCE_LANG
from leaflets.project import Project

PROJECT = Project(ROOT)
LANGS = PROJECT.languages()
TRANSLATED = [lang for lang in LANGS if lang != SOURCE_LANG]
LEAFLET = PROJECT.leaflets()[0]
INCOMPLETE_NOTICE = {"Incomplete translation.",
                     "Some parts of this leaflet have not been translated yet and are shown in "
                     "English."}
def plain(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def expected_texts(lang: str, pages: int) -> list[str]:
    """Every message as it must appear on the page, placeholders filled in."""
    settings = PROJECT.settings
    lang_info = language(lang)
    if lang == SOURCE_LANG:  # English dates in the project's locale (en-GB)
        lang_info = dataclasses.replace(lang_info, cldr=settings.source_locale)
    values = {"page": "1", "pages": str(pages), "version": LEAFLET.version,
              "published": _date(LEAFLET.published, lang_info),
              "review": month_year(LEAFLET.review, lang_info),
              "phone": settings.emergency_phone}
    texts = []
    for domain in ("common", LEAFLET.domain):
        if lang == SOURCE_LANG:
            pairs = [(m.msgid, m.msgid) for m in domain_messages(PROJECT, domain)]
        else:
            po = read_po(PROJECT.po_path(lang, domain))
            pairs = [(m.id, m.string) for m in po.catalog if m.id]
        for msgid, text in pairs:
            if msgid in INCOMPLETE_NOTICE or (lang == SOURCE_LANG and "Draft" in msgid):
                continue
            if lang == SOURCE_LANG and msgid.startswith("This translation has not"):
                continue
            # the footer prints one full stop after a date that ends in one ("р.")
            texts.append(single_stops(plain(text) % values) if "%(" in text
                         else plain(text))
    return texts


def pdf_path(built, lang):
    out, _ = built
    return out / lang / f"{LEAFLET.id}.pdf"


def extract(path, lang: str, extractor: str) -> str:
    """The text one extractor reads from a PDF."""
    if extractor == "pypdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return pdftotext(path, rtl=language(lang).direction == "rtl")


@pytest.mark.parametrize("extractor", ["pdftotext", "pypdf"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_reads_back_exactly(built, lang, extractor):
    # every viewer, Hebrew and Persian too: tests/test_viewers.py
    path = pdf_path(built, lang)
    pages = len(pikepdf.open(path).pages)
    cjk = lang.startswith("zh")
    text = normalize(extract(path, lang, extractor), cjk=cjk)
    missing = [t for t in expected_texts(lang, pages) if normalize(t, cjk=cjk) not in text]
    assert missing == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_sentence_in_a_translation(built, lang):
    text = normalize(pdftotext(pdf_path(built, lang), rtl=language(lang).direction == "rtl"))
    english = [normalize(plain(m.msgid)) for d in ("common", LEAFLET.domain)
               for m in domain_messages(PROJECT, d)]
    leaked = [sentence for sentence in english if len(sentence) > 12 and sentence in text]
    assert leaked == []


@pytest.mark.parametrize("lang", LANGS)
def test_fonts_are_embedded_subset_and_of_the_script(built, lang):
    report = subprocess.run(["pdffonts", str(pdf_path(built, lang))], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert report, "no fonts in the PDF"
    for row in report:
        assert "Type 3" not in row
        name, fields = row.split()[0], row.split()
        assert fields[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, ToUnicode
        family = name.split("+", 1)[1].replace("-", " ")
        if family == hiddentext.BASE_FONT.split("+")[1]:
            continue  # the invisible text layer's font of blank glyphs
        assert any(family.startswith(f) for f in language(lang).fonts), row


@pytest.mark.parametrize("lang", LANGS)
def test_page_count_language_and_title(built, lang):
    out, result = built
    with pikepdf.open(pdf_path(built, lang)) as pdf:
        assert 1 <= len(pdf.pages) <= LEAFLET.max_pages
        assert str(pdf.Root.Lang) == language(lang).tag
        title = str(pdf.docinfo["/Title"])
    if lang == SOURCE_LANG:
        assert title == "Can an HSG cause a miscarriage?"
    else:
        po = read_po(PROJECT.po_path(lang, LEAFLET.domain))
        assert title == po.catalog.get("Can an HSG cause a miscarriage?").string
    entry = next(e for e in result.written if e.lang == lang)
    assert entry.pages == len(pikepdf.open(pdf_path(built, lang)).pages)


def first_line_box(path):
    """(xMin, xMax, page width) of the top row of words on page 1."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = [tuple(map(float, m)) for m in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', html)]
    top = min(y for _, y, _ in words)
    row = [(x0, x1) for x0, y, x1 in words if y < top + 6]
    return min(x0 for x0, _ in row), max(x1 for _, x1 in row), width


@pytest.mark.parametrize("lang", [lang for lang in LANGS if language(lang).direction == "rtl"])
def test_right_to_left_leaflet_starts_at_the_right_margin(built, lang):
    x_min, x_max, width = first_line_box(pdf_path(built, lang))
    assert width - x_max < 97  # within the 30 mm right margin (85 pt) plus rounding
    assert x_min > width / 2  # the short first line does not start at the left


def test_left_to_right_leaflet_starts_at_the_left_margin(built):
    x_min, x_max, width = first_line_box(pdf_path(built, SOURCE_LANG))
    assert x_min < 97 and x_max < width / 2  # the 30 mm left margin (85 pt) plus rounding


def test_manifest_lists_every_pdf_with_its_hash(built):
    import hashlib
    import json

    out, _ = built
    entries = json.loads((out / "manifest.json").read_text())
    pdfs = [e for e in entries if e["kind"] == "pdf"]
    assert sorted(e["lang"] for e in pdfs) == sorted(LANGS)
    for entry in pdfs:
        assert {"leaflet", "lang", "path", "sha256", "pages", "bytes"} <= set(entry)
    for entry in entries:  # the PDFs and the front desk page's files (tests/test_frontdesk.py)
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)


REPRODUCED = ("en", "ar", "hi", "zh_Hans")  # one language per script family


def test_builds_in_separate_processes_are_byte_identical(built, tmp_path):
    """Two CLI builds (different hash seeds, parallel) and the session build: same sha256."""
    import hashlib
    import os

    from leaflets.building.filehashes import INDEX

    def digests(folder):
        # all but the file hash index: stats of this machine's files (building/filehashes.py)
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file() and p.name != INDEX}

    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", "-q",
                                 "--jobs", "2", "--out", str(tmp_path / seed),
                                 *(f"--lang={lang}" for lang in REPRODUCED)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    first, second = digests(tmp_path / "1"), digests(tmp_path / "2")
    assert {f"{lang}/hsg.pdf" for lang in REPRODUCED} | {"manifest.json", "build-report.json",
                                                         "index.html"} <= set(first)
    assert first == second
    session = digests(built[0])
    assert {k: v for k, v in first.items() if k.endswith(".pdf")} == \
        {k: session[k] for k in first if k.endswith(".pdf")}
    with pikepdf.open(tmp_path / "1" / "en" / "hsg.pdf") as pdf:
        assert len(pdf.trailer.ID) == 2  # a deterministic /ID, not a random one
