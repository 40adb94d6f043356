"""The front desk page: what index.html lists, read back from the build, and how it behaves
in a real browser (Debian's chromium driven by Playwright, from file://, offline)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from leaflets.building import frontdesk
from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.pofile import read_po, write_po_file
from leaflets.building.frontdesk import page_files, status_of, template_dir
from leaflets.locales import language

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class Node:
    """A parsed HTML element: enough of a DOM to read the page back without a browser."""

    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            classes = child.attrs.get("class", "").split()
            if (tag is None or child.tag == tag) and (cls is None or cls in classes):
                found.append(child)
            found += child.find_all(tag, cls)
        return found


class Tree(HTMLParser):
    VOID = {"meta", "link", "img", "input", "br"}

    def __init__(self, html: str):
        super().__init__()
        self.root = self.node = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in self.VOID:
            self.node = node

    def handle_endtag(self, tag):
        while self.node.tag != tag and self.node.parent:
            self.node = self.node.parent
        self.node = self.node.parent or self.root

    def handle_data(self, data):
        node = self.node
        while node:
            node.text_parts.append(data)
            node = node.parent


def parse(path: Path) -> Node:
    return Tree(path.read_text(encoding="utf-8")).root


def poppler_page(pdf: Path, number: int) -> Image.Image:
    """Page ``number`` of ``pdf`` rendered 150 px wide by pdftoppm, a second rasteriser."""
    png = subprocess.run(["pdftoppm", "-png", "-f", str(number), "-l", str(number),
                          "-scale-to-x", "150", "-scale-to-y", "-1", "-singlefile", str(pdf)],
                         capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png))


def layout_distance(a: Image.Image, b: Image.Image) -> float:
    """Mean grey difference of two page images shrunk to 30 x 42: blocks of text, not glyphs."""
    small = [im.convert("L").resize((30, 42), Image.Resampling.BOX) for im in (a, b)]
    return ImageStat.Stat(ImageChops.difference(*small)).mean[0]


def manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def pdf_entries(out: Path) -> list[dict]:
    return [e for e in manifest(out) if e["kind"] == "pdf"]


def test_page_and_its_files_are_in_the_manifest(built):
    out, _ = built
    listed = {e["path"]: e for e in manifest(out) if e["kind"] == "frontdesk"}
    thumbs = {f"frontdesk/thumbs/{e['lang']}/{e['leaflet']}.png" for e in pdf_entries(out)}
    assert set(listed) == {"index.html", "frontdesk/frontdesk.css",
                           "frontdesk/frontdesk.js"} | thumbs
    on_disk = {str(p.relative_to(out)) for p in (out / "frontdesk").rglob("*") if p.is_file()}
    assert on_disk | {"index.html"} == set(listed)  # and no temporary files left behind


def test_every_pdf_has_a_card_linking_to_it(built):
    out, _ = built
    cards = parse(out / "index.html").find_all("li", "card")
    links = {(c.attrs["data-leaflet"], c.attrs["data-lang"]): a.attrs["href"]
             for c in cards for a in c.find_all("a", "open")}
    assert links == {(e["leaflet"], e["lang"]): e["path"] for e in pdf_entries(out)}


def test_language_names_are_native_and_english_with_lang_and_dir(built):
    out, _ = built
    for card in parse(out / "index.html").find_all("li", "card"):
        lang = language(card.attrs["data-lang"])
        heading = card.find_all("h3")[0]
        native = [s for s in heading.find_all("span") if s.attrs.get("lang")][0]
        assert (native.text, native.attrs["lang"], native.attrs["dir"]) == (
            lang.name, lang.tag, lang.direction)
        if lang.name != lang.english_name:
            english = lang.english_name.replace(" (", ", ").rstrip(")")  # no nested brackets
            assert heading.text.endswith(f" ({english})")
        title = card.find_all("p", "title")[0]
        assert (title.attrs["lang"], title.attrs["dir"]) == (lang.tag, lang.direction)
    arabic = [c for c in parse(out / "index.html").find_all("li", "card")
              if c.attrs["data-lang"] == "ar"][0]
    assert "العربية" in arabic.text and "(Arabic)" in arabic.text
    assert "(Chinese, Simplified)" in (out / "index.html").read_text()
    assert 'dir="rtl"' not in (out / "index.html").read_text().split("<main")[0]


def test_titles_come_from_the_translated_catalogs(built, project):
    out, _ = built
    for card in parse(out / "index.html").find_all("li", "card"):
        lang = card.attrs["data-lang"]
        title = card.find_all("p", "title")[0].text
        if lang == "en":
            assert title == "Can an HSG cause a miscarriage?"
        else:
            po = read_po(project.po_path(lang, "hsg"))
            assert title == po.catalog.get("Can an HSG cause a miscarriage?").string
        search = card.attrs["data-search"]
        assert unicodedata.is_normalized("NFC", search)
        assert title in search and language(lang).english_name in search
        assert "Can an HSG cause a miscarriage?" in search  # the topic, for every language


@pytest.mark.parametrize("lang", ["en", "ar", "zh_Hans"])
def test_thumbnail_is_page_one_of_that_pdf(built, lang):
    out, _ = built
    card = [c for c in parse(out / "index.html").find_all("li", "card")
            if c.attrs["data-lang"] == lang][0]
    img = card.find_all("img", "thumb")[0]
    assert img.attrs["alt"] == ""  # the link beside it names the leaflet
    thumb = Image.open(out / img.attrs["src"])
    assert thumb.format == "PNG" and thumb.width == 150
    assert abs(thumb.height / thumb.width - 297 / 210) < 0.01  # an A4 page
    assert (int(img.attrs["width"]), int(img.attrs["height"])) == thumb.size
    # page 1 as poppler sees it: at a coarse scale (layout, not anti-aliasing) the
    # thumbnail is far closer to it than to any other page
    pdf = out / f"{lang}/hsg.pdf"
    distances = [layout_distance(thumb, poppler_page(pdf, n)) for n in (1, 2, 3)]
    assert distances[0] < min(distances[1:]) / 2, distances
    assert len((out / img.attrs["src"]).read_bytes()) < 12_000  # small


def test_facts_and_status_for_every_pdf(built):
    out, _ = built
    entries = {e["lang"]: e for e in pdf_entries(out)}
    for card in parse(out / "index.html").find_all("li", "card"):
        entry = entries[card.attrs["data-lang"]]
        facts = card.find_all("span", "facts")[0].text
        assert f"{entry['pages']} pages" in facts and "A4 (210 × 297 mm)" in facts
        assert f"version {entry['version']}" in facts
        status = card.find_all("span", "status")[0]
        expected = "source" if entry["lang"] == "en" else "unreviewed"  # drafts, for now
        assert status.attrs["class"].split()[-1] == f"status-{expected}"
    meta = parse(out / "index.html").find_all("p", "leaflet-meta")[0]
    assert "HSG-01" in meta.text and "next review due 2 December 2029" in meta.text


@pytest.mark.parametrize("entry, expected", [
    ({"review_status": "source", "complete": True}, "source"),
    ({"review_status": "reviewed by Dr A. Khan", "complete": True}, "reviewed"),
    ({"review_status": "not reviewed", "complete": True}, "unreviewed"),
    ({"review_status": "reviewed by Dr A. Khan", "complete": False}, "incomplete"),
    ({}, "incomplete"),  # nothing known: never show it as ready
])
def test_status_of(entry, expected):
    assert status_of(entry)[0] == expected


def test_incomplete_translation_is_flagged_on_the_page(project_copy, tmp_path, renderer):
    path = project_copy.po_path("es", "hsg")
    po = read_po(path)
    po.catalog.get("The short answer").string = ""
    write_po_file(path, po.catalog, {k: v for k, v in po.headers.items() if k.startswith("X-")})
    out = tmp_path / "out"
    result = build(project_copy, BuildOptions(langs=("es",), out=out, allow_incomplete=True))
    assert result.ok
    status = parse(out / "index.html").find_all("span", "status")
    assert [s.text for s in status] == ["Incomplete: some parts are still in English"]
    assert "status-incomplete" in status[0].attrs["class"]


def test_same_build_same_bytes(built, project):
    out, _ = built
    entries = pdf_entries(out)
    pdfs = {e["path"]: (out / e["path"]).read_bytes() for e in entries}
    first = page_files(project.leaflets(), entries, pdfs, template_dir(project))
    second = page_files(project.leaflets(), list(reversed(entries)), pdfs, template_dir(project))
    assert first == second
    assert first == {p: (out / p).read_bytes() for p in first}  # as the build wrote them


def test_variants_sit_next_to_the_standard_leaflet(built, project):
    out, _ = built
    en = next(e for e in pdf_entries(out) if e["lang"] == "en")
    large = dict(en, variant="large-print", path="en/hsg-large-print.pdf", pages=5)
    pdfs = {en["path"]: (out / en["path"]).read_bytes()}
    pdfs[large["path"]] = pdfs[en["path"]]
    files = page_files(project.leaflets(), [large, en], pdfs, template_dir(project))
    tree = Tree(files["index.html"].decode()).root
    [card] = tree.find_all("li", "card")
    assert card.find_all("a", "open")[0].attrs["href"] == "en/hsg.pdf"  # standard first
    [variant] = card.find_all("a", "variant")
    assert variant.attrs["href"] == "en/hsg-large-print.pdf"
    assert variant.text.startswith("Large print")
    assert "5 pages" in card.find_all("li", "edition")[1].text
    assert "large print" in card.attrs["data-search"].lower()


def test_translated_text_is_escaped(built, project, monkeypatch):
    out, _ = built
    en = next(e for e in pdf_entries(out) if e["lang"] == "en")
    real = frontdesk.pdf_facts

    def facts(data):
        found = real(data)
        return frontdesk.PdfFacts('"><script>alert(1)</script>', found.width_mm,
                                  found.height_mm, found.thumbnail, found.thumb_size)

    monkeypatch.setattr(frontdesk, "pdf_facts", facts)
    html = page_files(project.leaflets(), [en], {en["path"]: (out / en["path"]).read_bytes()},
                      template_dir(project))["index.html"].decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html


def test_page_loads_nothing_from_outside(built):
    out, _ = built
    tree = parse(out / "index.html")
    refs = [n.attrs.get("href") or n.attrs.get("src") for n in tree.find_all()
            if n.tag in ("a", "link", "script", "img") and (n.attrs.get("href")
                                                          or n.attrs.get("src"))]
    refs = [r for r in refs if not r.startswith("#")]
    assert refs and all(":" not in r and not r.startswith("/") for r in refs), refs
    assert all((out / r).is_file() for r in refs)
    assert "http" not in (out / "frontdesk/frontdesk.css").read_text()
    assert "http" not in (out / "frontdesk/frontdesk.js").read_text()


def test_a_later_partial_build_keeps_the_others_and_drops_deleted_pdfs(built, tmp_path,
                                                                        project, renderer):
    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    (out / "fr" / "hsg.pdf").unlink()
    result = build(project, BuildOptions(langs=("es",), out=out), renderer)
    assert result.ok
    langs = [c.attrs["data-lang"] for c in parse(out / "index.html").find_all("li", "card")]
    assert sorted(langs) == ["ar", "en", "es", "hi", "pl", "uk", "zh_Hans"]
    assert not (out / "frontdesk/thumbs/fr/hsg.png").exists()
    entries = manifest(out)
    assert len({e["path"] for e in entries}) == len(entries)
    for entry in entries:
        assert entry["sha256"] == hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest()


def test_a_rebuild_that_writes_a_pdf_still_drops_the_thumbnails_of_deleted_ones(
        project_copy, tmp_path, renderer):
    out = tmp_path / "out"
    assert build(project_copy, BuildOptions(langs=("es", "fr"), out=out), renderer).ok
    assert (out / "frontdesk/thumbs/fr/hsg.png").exists()
    (out / "fr" / "hsg.pdf").unlink()
    po = project_copy.po_path("es", "hsg")
    po.write_text(po.read_text(encoding="utf-8").replace("#. ", "#. Edited: ", 1),
                  encoding="utf-8")
    result = build(project_copy, BuildOptions(langs=("es",), out=out), renderer)
    assert result.ok and [o.job.path for o in result.outcomes if o.rebuilt] == ["es/hsg.pdf"]
    assert not (out / "frontdesk/thumbs/fr/hsg.png").exists()
    assert (out / "frontdesk/thumbs/es/hsg.png").exists()
    entries = manifest(out)
    assert "fr/hsg.pdf" not in {e["path"] for e in entries}
    for entry in entries:
        assert entry["sha256"] == hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest()


# ---- in a real browser --------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():  # .ci/setup installs it; only a bare machine skips
        pytest.skip("Debian's chromium is not installed (run .ci/setup)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, built):
    """The built index.html opened from file://, recording console messages and requests."""
    out, _ = built
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    tab.console_log, tab.requests = [], []
    tab.on("console", lambda message: tab.console_log.append((message.type, message.text)))
    tab.on("pageerror", lambda error: tab.console_log.append(("pageerror", str(error))))
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.goto((out / "index.html").as_uri())
    tab.wait_for_load_state("load")
    yield tab
    context.close()


def visible_langs(tab) -> list[str]:
    return tab.eval_on_selector_all(".card:not([hidden])", "cs => cs.map(c => c.dataset.lang)")


def test_loads_from_file_with_no_console_errors_and_no_network(page, built):
    out, _ = built
    assert page.console_log == []
    assert page.requests, "nothing recorded: the listener is broken"
    assert all(url.startswith(out.as_uri() + "/") for url in page.requests), page.requests
    assert page.evaluate("document.querySelectorAll('img.thumb').length") == len(pdf_entries(out))
    # thumbnails are lazy-loaded (a page of 1,000 leaflets must open fast): load them all
    assert page.eval_on_selector_all("img.thumb", "imgs => imgs.every(i => i.loading == 'lazy')")
    page.evaluate("Promise.all([...document.images].map(i => { i.loading = 'eager'; "
                  "return i.decode(); }))")
    broken = page.eval_on_selector_all("img", "imgs => imgs.filter(i => !i.naturalWidth).length")
    assert broken == 0


@pytest.mark.parametrize("query, expected", [
    ("عرب", ["ar"]),
    ("arab", ["ar"]),
    ("ARABIC", ["ar"]),
    ("polski", ["pl"]),
    ("中文", ["zh_Hans"]),
    ("franc\u0327ais", ["fr"]),  # typed decomposed: c + combining cedilla
    ("poronienie", ["pl"]),  # the leaflet's title in Polish
    ("miscarriage", ["ar", "zh_Hans", "en", "fr", "hi", "pl", "es", "uk"]),
])
def test_search_filters_in_any_script(page, query, expected):
    page.get_by_label("Search by language or leaflet title").type(query)
    assert visible_langs(page) == expected
    assert page.locator("#search-status").inner_text() == f"Showing {len(expected)} of 8"


def test_search_with_no_match_says_so_and_escape_clears_it(page):
    box = page.get_by_label("Search by language or leaflet title")
    box.type("klingon")
    assert visible_langs(page) == []
    assert page.locator("#no-match").is_visible()
    assert not page.locator("section.leaflet").is_visible()
    box.press("Escape")
    assert len(visible_langs(page)) == 8 and not page.locator("#no-match").is_visible()


def test_keyboard_alone_reaches_the_search_box_and_every_link(page, built):
    out, _ = built
    focused = []
    for _ in range(len(pdf_entries(out)) + 4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(
            "document.activeElement.id || document.activeElement.getAttribute('href')"))
    assert focused[1] == "search-input"  # after the skip link
    assert focused[2:2 + len(pdf_entries(out))] == page.eval_on_selector_all(
        "a.open", "links => links.map(a => a.getAttribute('href'))")
    # type, Enter: the first match has the focus, ready to open
    page.locator("#search-input").focus()
    page.keyboard.type("polski")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "pl/hsg.pdf"


def test_each_link_opens_the_pdf_the_manifest_lists(page, built):
    out, _ = built
    links = page.eval_on_selector_all("a.open, a.variant", """links => links.map(a => [
        a.closest('.card').dataset.leaflet, a.closest('.card').dataset.lang,
        a.dataset.variant, a.href])""")
    expected = {(e["leaflet"], e["lang"], e.get("variant", "standard")): (out / e["path"]).as_uri()
                for e in pdf_entries(out)}
    assert {(leaflet, lang, variant): href for leaflet, lang, variant, href in links} == expected
    assert len(links) == len(expected)


def test_page_is_accessible_by_structure(page):
    assert page.locator("h1").count() == 1
    assert page.locator("h2").count() == 1 and page.locator("h3").count() == 8
    assert page.get_by_role("searchbox", name="Search by language or leaflet title").count() == 1
    assert page.evaluate("document.documentElement.lang") == "en"
    # every language name and title carries its language
    assert page.locator(".language span[lang], .title[lang]").count() == 16


def test_screenshot_renders(page, tmp_path):
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    assert shot.width == 1100 and shot.height > 600
    assert len(shot.convert("L").getcolors(256)) > 16  # text and thumbnails, not a blank page


def test_text_contrast_meets_wcag_aa(page):
    """Every piece of text on the page against its own background: 4.5:1 or better."""
    ratios = page.evaluate("""() => {
        const rgb = c => c.match(/[\\d.]+/g).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
            .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        const background = el => {
            for (; el; el = el.parentElement) {
                const c = rgb(getComputedStyle(el).backgroundColor);
                if (c.length < 4 || c[3] > 0) return c;
            }
            return [255, 255, 255];
        };
        const found = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const el = walker.currentNode.parentElement;
            if (!walker.currentNode.textContent.trim() || !el.offsetParent) continue;
            const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            found.push([el.className || el.tagName, ratio]);
        }
        return found;
    }""")
    assert len(ratios) > 40
    assert [(where, round(ratio, 2)) for where, ratio in ratios if ratio < 4.5] == []


@pytest.fixture(scope="session")
def thousand_cards(built, project, tmp_path_factory):
    """A front desk page of 1,000 PDFs (125 leaflets x 8 languages), from the real page code.

    The PDFs' facts are those of the built English leaflet: the page, its search data and
    its script are the real ones; only the thumbnails repeat."""
    out, _ = built
    en = next(e for e in pdf_entries(out) if e["lang"] == "en")
    facts = frontdesk.pdf_facts((out / en["path"]).read_bytes())
    langs = sorted({e["lang"] for e in pdf_entries(out)})
    entries = [dict(e, leaflet=f"lib{n:03d}", path=f"{e['lang']}/lib{n:03d}.pdf")
               for n in range(1, 126) for e in pdf_entries(out)]
    assert len(entries) == 1000 and len(langs) == 8
    files = page_files([], entries, {e["path"]: b"" for e in entries}, template_dir(project),
                       facts_of=lambda data: facts)
    folder = tmp_path_factory.mktemp("thousand")
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


@pytest.mark.parametrize("query", ["arab", "lib012", "中文 lib1", "polski lib10", "nothing-here"])
def test_search_filters_a_thousand_cards_correctly(browser, thousand_cards, query):
    import unicodedata

    tab = browser.new_page(viewport={"width": 1100, "height": 900})
    tab.goto((thousand_cards / "index.html").as_uri())
    tab.wait_for_load_state("load")
    cards = tab.eval_on_selector_all(".card", "cs => cs.map(c => [c.dataset.leaflet, "
                                     "c.dataset.lang, c.dataset.search])")
    assert len(cards) == 1000
    # only the thumbnails in view are fetched at first
    loaded = tab.eval_on_selector_all("img.thumb", "is => is.filter(i => i.complete && "
                                      "i.naturalWidth).length")
    assert 0 < loaded < 1000
    words = unicodedata.normalize("NFC", query).lower().split()
    expected = [(leaflet, lang) for leaflet, lang, search in cards
                if all(w in unicodedata.normalize("NFC", search).lower() for w in words)]
    tab.get_by_label("Search by language or leaflet title").fill(query)
    shown = tab.eval_on_selector_all(".card:not([hidden])",
                                     "cs => cs.map(c => [c.dataset.leaflet, c.dataset.lang])")
    assert [tuple(card) for card in shown] == expected
    # a leaflet section is shown exactly when one of its cards is
    sections = tab.eval_on_selector_all(".leaflet:not([hidden])", "ss => ss.length")
    assert sections == len({leaflet for leaflet, _ in expected})
    status = tab.locator("#search-status").inner_text()
    assert status == f"Showing {len(expected)} of 1000"
    assert tab.locator("#no-match").is_hidden() == bool(expected)
    tab.close()


AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def test_passes_an_automated_wcag_2_1_aa_audit(page):
    """axe-core (npm, installed by .ci/setup) finds no WCAG 2.0/2.1 A or AA violation."""
    assert AXE.exists(), "axe-core is not installed: run .ci/setup"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        resultTypes: ['violations']})""")
    assert results["passes"] or results["incomplete"] or results["inapplicable"], \
        "axe ran no rule"
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                  for v in results["violations"]]
    assert violations == []
