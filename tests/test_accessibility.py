"""Tagged PDF/UA-1 leaflets: structure tree, language, title, artifacts, alt text, bookmarks.

Read back with pikepdf from the real build (the ``built`` fixture); pages are compared
with an untagged build of the same sources, pixel by pixel.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from conftest import ROOT, VARIANT_LANGS, normalize
from PIL import Image, ImageChops

from leaflets.render import tagging
from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.pofile import read_po
from leaflets.errors import RenderError
from leaflets.catalogs.extract import domain_messages, leaflet_domains
from leaflets.locales import language
from conftest import SOURCE_LANG
from leaflets.render.pdf import Renderer
from leaflets.project import THEME, Project

PROJECT = Project(ROOT)
LANGS = PROJECT.languages()
LEAFLET = PROJECT.leaflets()[0]
HEADING = re.compile(r"/H([1-6])$")
TEXT_OPERATORS = {"TJ", "Tj", "'", '"'}
# An 8x8 PNG: the leaflets have no pictures yet, the clinic edition adds a logo.
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGOUj+"
       "9mwAaYsIoOWgkA05IBGVu+/YsAAAAASUVORK5CYII=")


def pdf_path(built, lang):
    out, _ = built
    return out / lang / f"{LEAFLET.id}.pdf"


def kids(element):
    """The /K entries of a structure element as a list."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def structure(pdf):
    """Structure elements in document order, as (element, depth)."""
    found = []

    def walk(element, depth):
        found.append((element, depth))
        for kid in kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, depth + 1)

    for top in kids(pdf.Root.StructTreeRoot):
        walk(top, 0)
    return found


def outline_titles(pdf):
    """Bookmark titles in order, depth first."""
    titles = []

    def walk(item):
        child = item.get("/First")
        while child is not None:
            titles.append(str(child.Title))
            walk(child)
            child = child.get("/Next")

    if "/Outlines" in pdf.Root:
        walk(pdf.Root.Outlines)
    return titles


def marked_content(page):
    """Per text-showing operator, the stack of marked-content tags and properties around it."""
    stack, shown, mcids = [], [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            properties = operands[1] if op == "BDC" else None
            if properties is not None and not isinstance(properties, pikepdf.Dictionary):
                properties = page.Resources.Properties[properties]  # a named property list
            stack.append((str(operands[0]), properties))
            if properties is not None and "/MCID" in properties:
                mcids.append(int(properties.MCID))
            # PDF/UA-1 7.1: no artifact inside tagged content, no tagged content in an artifact
            tagged = [p is not None and "/MCID" in p for _, p in stack]
            artifact = [tag == "/Artifact" for tag, _ in stack]
            assert not (any(tagged) and any(artifact)), stack
        elif op == "EMC":
            stack.pop()
        elif op in TEXT_OPERATORS:
            shown.append(list(stack))
    return shown, mcids


def translations(lang):
    """Every message of the leaflet as the reader sees it, markup removed."""
    texts = set()
    for domain in leaflet_domains(LEAFLET):
        if lang == SOURCE_LANG:
            pairs = [m.msgid for m in domain_messages(PROJECT, domain)]
        else:
            pairs = [m.string for m in read_po(PROJECT.po_path(lang, domain)).catalog if m.id]
        texts.update(normalize(re.sub(r"<[^>]+>", "", text)) for text in pairs)
    return texts


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_declares_a_tagged_pdf_ua_document(built, lang):
    with pikepdf.open(pdf_path(built, lang)) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == language(lang).tag
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        title = str(pdf.docinfo["/Title"])
        with pdf.open_metadata() as meta:
            assert str(meta["pdfuaid:part"]) == "1"
            assert meta["dc:title"] == title
        assert normalize(title) in translations(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_structure_tree_has_headings_in_order_paragraphs_and_lists(built, lang):
    with pikepdf.open(pdf_path(built, lang)) as pdf:
        tags = [str(element.S) for element, _ in structure(pdf)]
        levels = [int(m[1]) for tag in tags if (m := HEADING.match(tag))]
    assert tags[0] == "/Document"
    assert levels[0] == 1 and levels.count(1) == 1  # the title, once, first
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels  # no level skipped
    assert levels.count(2) >= 5 and 3 in levels
    for tag in ("/P", "/L", "/LI", "/Lbl", "/LBody", "/Sect"):
        assert tag in tags


@pytest.mark.parametrize("lang", LANGS)
def test_all_text_is_tagged_or_a_pagination_artifact(built, lang):
    with pikepdf.open(pdf_path(built, lang)) as pdf:
        reachable = {element.objgen for element, _ in structure(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages):
            shown, mcids = marked_content(page)
            footer = 0
            for stack in shown:
                assert stack, f"page {number + 1}: text outside marked content"
                if stack[0][0] == "/Artifact":
                    properties = stack[0][1]
                    assert properties is not None and properties.Type == "/Pagination"
                    footer += properties.get("/Subtype") == "/Footer"
                else:
                    # tagged: its structure element's MCID, inside it only the text
                    # layer's ActualText spans (leaflets/hiddentext.py), no other tag
                    tagged = [i for i, (_, p) in enumerate(stack) if p is not None and
                              "/MCID" in p]
                    assert len(tagged) == 1, stack
                    assert all("/ActualText" in p and "/MCID" not in p
                               for _, p in stack[tagged[0] + 1:]), stack
            assert footer, f"page {number + 1}: the footer is not an artifact"
            # every MCID once, each owned by an element of the tree that points back to it
            assert mcids == list(range(len(mcids)))
            owners = parents[int(page.StructParents)]
            assert len(owners) == len(mcids)
            for mcid, owner in enumerate(owners):
                assert owner.objgen in reachable
                assert mcid in [int(k) for k in kids(owner) if isinstance(k, int)]


@pytest.mark.parametrize("lang", LANGS)
def test_bookmarks_are_the_headings_in_the_leaflet_language(built, lang):
    with pikepdf.open(pdf_path(built, lang)) as pdf:
        titles = outline_titles(pdf)
        headings = sum(1 for element, _ in structure(pdf) if HEADING.match(str(element.S)))
        title = str(pdf.docinfo["/Title"])
    assert len(titles) == headings
    assert titles[0] == title
    assert set(map(normalize, titles)) <= translations(lang)
    if lang != SOURCE_LANG:
        english = translations(SOURCE_LANG) - translations(lang)
        assert not english & set(map(normalize, titles))


def languages_marked(path):
    """(structure type, /Lang) of every structure element that has a /Lang."""
    with pikepdf.open(path) as pdf:
        return [(str(e.S), str(e.Lang)) for e, _ in structure(pdf) if "/Lang" in e]


@pytest.mark.parametrize("lang", LANGS)
def test_english_sources_are_marked_as_english(built, lang):
    # PDF/UA-1 7.2: a change of language is marked; the sources list stays in English.
    assert ("/L", "en") in languages_marked(pdf_path(built, lang))


@pytest.mark.parametrize("lang", VARIANT_LANGS["bilingual"])
def test_bilingual_halves_are_marked_with_their_languages(variant_built, lang):
    marked = languages_marked(variant_built["bilingual"] / lang / f"{LEAFLET.id}-bilingual.pdf")
    english, patient = marked.count(("/Span", "en")), marked.count(("/Span", language(lang).tag))
    # one element per pair and page: a pair split by a page break counts twice
    assert english >= 20 and abs(patient - english) <= 2


def advances(embedded):
    """{glyph name: advance in 1/1000 em} and the glyph order of an embedded font program."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.basePen import NullPen
    from fontTools.ttLib import TTFont
    data = embedded.read_bytes()
    if embedded.get("/Subtype") != "/CIDFontType0C":  # TrueType or OpenType
        program = TTFont(io.BytesIO(data))
        scale = 1000 / program["head"].unitsPerEm
        return ({name: width * scale for name, (width, _) in program["hmtx"].metrics.items()},
                program.getGlyphOrder())
    cff = CFFFontSet()  # a bare CFF font (leaflets/render/fontsubset.py makes them for CJK)
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    scale = top.FontMatrix[0] * 1000
    widths = {}
    for name in top.charset:
        charstring, _ = top.CharStrings.getItemAndSelector(name)
        charstring.draw(NullPen())  # runs the charstring, which sets its width
        widths[name] = charstring.width * scale
    return widths, list(top.charset)


def width_mismatches(path):
    """(font, CID, W width, advance in the font program) where they differ by more than 1/1000 em."""
    found = []
    with pikepdf.open(path) as pdf:
        fonts = {font.objgen: font for page in pdf.pages for font in page.Resources.Font.values()}
        for font in fonts.values():
            cid_font = font.DescendantFonts[0]
            descriptor = cid_font.FontDescriptor
            embedded = descriptor.get("/FontFile2") or descriptor.FontFile3  # TrueType, CFF
            advance, order = advances(embedded)
            gid_map = cid_font.get("/CIDToGIDMap")
            data = gid_map.read_bytes() if isinstance(gid_map, pikepdf.Stream) else None
            widths, w = {}, list(cid_font.get("/W", []))
            while w:
                if isinstance(w[1], pikepdf.Array):
                    widths.update((int(w[0]) + i, float(x)) for i, x in enumerate(w[1]))
                    w = w[2:]
                else:
                    widths.update((c, float(w[2])) for c in range(int(w[0]), int(w[1]) + 1))
                    w = w[3:]
            for cid, width in widths.items():
                gid = int.from_bytes(data[2 * cid:2 * cid + 2], "big") if data else cid
                name = f"cid{cid:05d}" if f"cid{cid:05d}" in advance else order[gid]
                if abs(advance[name] - width) > 1:
                    found.append((str(font.BaseFont), cid, width, advance[name]))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_glyph_widths_match_the_font_programs(built, lang):
    """PDF/UA-1 7.21.5, as veraPDF checks it: textlayer's alias CIDs keep the glyph's width."""
    assert width_mismatches(pdf_path(built, lang)) == []


def leaflet_page(body: str, lang: str = "ar") -> str:
    direction = language(lang).direction
    return (f'<html lang="{lang}" dir="{direction}"><head><title>عنوان</title>'
            '<style>:root { font-family: "Noto Sans Arabic" }</style></head>'
            f"<body>{body}</body></html>")


def test_figures_carry_their_alt_text(renderer):
    html = leaflet_page(f'<h1>شعار</h1><p><img src="{PNG}" alt="شعار العيادة"> نص</p>')
    rendered = renderer.render(html, name="t", max_pages=1, allowed_fonts=("Noto Sans Arabic",))
    with pikepdf.open(io.BytesIO(rendered.data)) as pdf:
        figures = [e for e, _ in structure(pdf) if str(e.S) == "/Figure"]
        assert str(pdf.Root.Lang) == "ar"
    assert [str(figure.Alt) for figure in figures] == ["شعار العيادة"]


@pytest.mark.parametrize("alt", ["", None])
def test_image_without_alt_text_is_an_error(renderer, alt):
    attribute = "" if alt is None else f' alt="{alt}"'
    html = leaflet_page(f'<p><img src="{PNG}"{attribute}> نص</p>')
    with pytest.raises(RenderError, match="alt text"):
        renderer.render(html, name="t", max_pages=1, allowed_fonts=("Noto Sans Arabic",))


# Alt texts that are the same in every language, so not translated, and why.
UNTRANSLATED_ALT = {
    "{{ clinic.name }}": "the clinic's logo: its name, a proper noun",
    "{{ page.online_url }}": "the QR code: the address it opens, captioned in the reader's language",
}


def test_every_image_in_the_leaflet_templates_has_a_translated_alt():
    """Leaflet templates (templates/*.html, made into PDFs): alt text goes through gettext."""
    images = [(path.name, tag) for path in [*sorted((ROOT / "templates").glob("*.html")),
                                             *sorted((THEME / "templates").glob("*.html"))]
              for tag in re.findall(r"<img\b[^>]*>", path.read_text(encoding="utf-8"), re.S)]
    for name, tag in images:
        alt = re.search(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
        assert alt, f"{name}: {tag} has no alt"
        value = (alt[1] if alt[1] is not None else alt[2]).strip()
        assert value in UNTRANSLATED_ALT or re.search(
            r"\b_\(|\bgettext\(|\{%-?\s*trans\b", value), \
            f"{name}: {tag}: alt text must be translated, e.g. alt=\"{{{{ _('Clinic logo') }}}}\""


@pytest.mark.parametrize("lang", ["en", "ar", "hi"])
def test_clinic_edition_figures_have_alt_text(clinic_built, clinic, lang):
    out, _ = clinic_built
    with pikepdf.open(out / lang / f"{LEAFLET.id}.pdf") as pdf:
        figures = [element for element, _ in structure(pdf) if str(element.S) == "/Figure"]
        alts = [str(figure.get("/Alt", "")) for figure in figures]
    assert len(figures) == 2  # the logo and the QR code
    assert alts[0] == clinic.name and alts[1].startswith(clinic.leaflets_url)


def test_tagging_patch_is_pinned(monkeypatch):
    import weasyprint
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="#1836"):
        tagging.check_compatible()


@pytest.fixture(scope="module")
def untagged(project, tmp_path_factory):
    """The same leaflets without tags, in three scripts."""
    out = tmp_path_factory.mktemp("untagged")
    # one process: worker processes would make their own (tagged) renderers
    result = build(project, BuildOptions(out=out, langs=("en", "ar", "hi"), jobs=1),
                   Renderer(project.template_dirs, pdf_variant=None))
    assert result.ok
    return out


def poppler_pages(path: Path, directory: Path) -> list[Image.Image]:
    directory.mkdir()
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(directory / "p")],
                   check=True)
    return [Image.open(png).convert("RGB") for png in sorted(directory.glob("p-*.png"))]


@pytest.mark.parametrize("lang", ["en", "ar", "hi"])
def test_tagged_pages_look_exactly_like_untagged_ones(built, untagged, tmp_path, lang):
    tagged_path, untagged_path = pdf_path(built, lang), untagged / lang / f"{LEAFLET.id}.pdf"
    with pikepdf.open(untagged_path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root  # the comparison is with a really untagged PDF
    pairs = list(zip(poppler_pages(tagged_path, tmp_path / "a"),
                     poppler_pages(untagged_path, tmp_path / "b")))
    pairs += [(a.render(scale=2).to_pil().convert("RGB"), b.render(scale=2).to_pil().convert("RGB"))
              for a, b in zip(pypdfium2.PdfDocument(tagged_path),
                              pypdfium2.PdfDocument(untagged_path))]
    assert pairs
    for a, b in pairs:
        assert a.size == b.size and ImageChops.difference(a, b).getbbox() is None
