"""Attacks on the generator: templates and catalogs that try to reach the network, read files
outside the project, attach files, or inject markup and template code."""

from __future__ import annotations

import http.server
import os
import threading
import urllib.request
from pathlib import Path

import pikepdf
import pytest
import tinyhtml5

from conftest import pdftotext, set_translation
from leaflets.catalogs import checkers
from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.pofile import neutralize, read_po
from leaflets.catalogs.checkers import SAFETY_CHECKS, CheckFailed, check_markup
from leaflets.errors import CatalogError, LeafletError, RenderError, TemplateError
from leaflets.render.pdf import LocalFetcher, Renderer
from leaflets.building.rules import catalog_findings

SECRET = "SECRET-7f3a9c-do-not-print"
SHORT_ANSWER = "The short answer"
NO_EVIDENCE = ("There is <strong>no evidence</strong> that an HSG makes a miscarriage more "
               "likely in a pregnancy that starts after the test.")


class Counter(http.server.BaseHTTPRequestHandler):
    """Counts every request; /redirect points at the secret, everything else serves it."""

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", f"file://{self.server.secret}")
            self.end_headers()
            return
        body = f"p::after {{ content: '{SECRET}' }}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 (a free port) that counts requests; stopped afterwards."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    httpd.requests = []
    httpd.secret = tmp_path / "secret.txt"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def secret(project_copy) -> Path:
    """A secret file next to the project's templates/ (as CI secrets would be)."""
    path = project_copy.root / "secret.txt"
    path.write_text(SECRET + "\n")
    return path


def test_the_server_counts_requests(server):
    """Control: the server is reachable, so zero requests below means nothing was fetched."""
    urllib.request.urlopen(server.url + "/control", timeout=5).read()
    assert server.requests == ["/control"]


def insert_into_template(project, payload: str) -> None:
    path = project.templates / "hsg.html"
    text = path.read_text()
    path.write_text(text.replace("{% block content %}", "{% block content %}" + payload, 1))


def no_secret_anywhere(folder: Path) -> None:
    """Nothing under ``folder`` (the build output) holds the secret or an attachment."""
    for path in folder.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
            if path.suffix == ".pdf":
                assert SECRET not in pdftotext(path)
                with pikepdf.open(path) as pdf:
                    assert not pdf.attachments


TEMPLATE_ATTACKS = {
    "img": ('<img src="{url}/img.png">', "{url}/img.png"),
    "link": ('<link rel="stylesheet" href="{url}/link.css">', "{url}/link.css"),
    "import": ('<style>@import url("{url}/import.css");</style>', "{url}/import.css"),
    "style-attribute": ('<p style="background-image: url({url}/bg.png)">x</p>', "{url}/bg.png"),
    "font-face": ("<style>@font-face {{ font-family: Evil; src: url({url}/font.woff) }} "
                  "p {{ font-family: Evil }}</style>", "{url}/font.woff"),
    "svg": ('<svg width="10" height="10"><image href="{url}/svg.png"/></svg>', "{url}/svg.png"),
    "redirect": ('<img src="{url}/redirect">', "{url}/redirect"),
    "data-css": ('<link rel="stylesheet" href="data:text/css,@import url({url}/x.css);">',
                 "data:text/css"),
    "file-outside": ('<img src="{secret_uri}">', "{secret_uri}"),
    "relative-outside": ('<link rel="stylesheet" href="../secret.txt">', "{secret_uri}"),
    "encoded-dots": ('<img src="%2e%2e/secret.txt">', "secret.txt"),
    "attachment-http": ('<link rel="attachment" href="{url}/attach.txt">', "{url}/attach.txt"),
    "attachment-file": ('<a rel="attachment" href="../secret.txt">x</a>', "{secret_uri}"),
    "attachment-inside": ('<a rel="attachment" href="leaflet.css">x</a>', "attach"),
    "link-attachment-inside": ('<link rel="attachment" href="leaflet.css">', "attach"),
    "file-link": ('<a href="{secret_uri}">x</a>', "{secret_uri}"),
}


@pytest.mark.parametrize("attack", sorted(TEMPLATE_ATTACKS))
def test_template_cannot_fetch_or_attach(attack, project_copy, secret, server, tmp_path):
    payload, named = TEMPLATE_ATTACKS[attack]
    fill = {"url": server.url, "secret_uri": secret.as_uri()}
    insert_into_template(project_copy, payload.format(**fill))
    out = tmp_path / "out"
    result = build(project_copy, BuildOptions(langs=("en",), out=out),
                   Renderer(project_copy.template_dirs))
    assert server.requests == []
    assert not result.ok
    (problem,) = result.failed[0].problems
    assert problem.message.startswith("hsg [en]: ")
    assert named.format(**fill) in problem.message
    assert not list(out.rglob("*.pdf"))
    no_secret_anywhere(out)


@pytest.mark.parametrize("payload", [
    '<img src="{url}/img.png">',
    '<span style="background: url({url}/x.png)">x</span>',
    '<link rel="stylesheet" href="{url}/x.css">',
    '<style>@import "{url}/x.css";</style>',
    '<a rel="attachment" href="../secret.txt">x</a>',
])
def test_catalog_cannot_fetch(payload, project_copy, secret, server, tmp_path):
    """A translation naming the server is refused at its file:line, and fetches nothing."""
    text = "Il n'y a <strong>aucune preuve</strong>. " + payload.format(url=server.url)
    po = set_translation(project_copy, "fr", "hsg", NO_EVIDENCE, text)
    out = tmp_path / "out"
    result = build(project_copy, BuildOptions(langs=("fr",), out=out, allow_incomplete=True),
                   Renderer(project_copy.template_dirs))
    assert server.requests == []
    (outcome,) = result.failed
    markup = [f for f in outcome.blocking if f.check == "markup"]
    assert [f.path for f in markup] == [project_copy.rel(po)] and markup[0].lineno
    no_secret_anywhere(out)


def test_translation_markup_is_printed_as_text_even_past_the_checks(project_copy, server, tmp_path,
                                                                    monkeypatch):
    """Defence in depth: with the checks switched off, foreign markup still reaches no parser."""
    monkeypatch.setattr(checkers, "SAFETY_CHECKS", ())
    monkeypatch.setattr(checkers, "QUALITY_CHECKS", tuple(
        check for check in checkers.QUALITY_CHECKS if not check.error))
    text = f'Rien <img src="{server.url}/x.png"> ici <!-- {{{{ 7*7 }}}} " onload="x >'
    set_translation(project_copy, "fr", "hsg", SHORT_ANSWER, text)
    # the build's safety checks are off: the markup reaches rendering
    assert not [f for f in catalog_findings(read_po(project_copy.po_path("fr", "hsg"), "fr"),
                                            None, []) if f.error]
    out = tmp_path / "out"
    result = build(project_copy, BuildOptions(langs=("fr",), out=out, allow_incomplete=True),
                   Renderer(project_copy.template_dirs))
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    assert server.requests == []
    shown = pdftotext(out / "fr" / "hsg.pdf")
    assert f'<img src="{server.url}/x.png">' in shown
    assert "{{ 7*7 }}" in shown and "49" not in shown


def test_template_code_in_a_translation_is_never_evaluated(project, renderer):
    """The one place a translation meets Jinja2: its text comes back verbatim, not evaluated."""
    from babel.messages.catalog import Catalog

    from leaflets.catalogs.pofile import PoFile, StrictTranslations
    from leaflets.render.html import PageOptions, render_html
    from leaflets.locales import language

    def render(code):
        catalog = Catalog(locale="fr")
        catalog.add(SHORT_ANSWER, code)
        return render_html(project.template_dirs, project.leaflets()[0], language("fr"),
                           StrictTranslations.from_catalogs([PoFile("x.po", catalog)]),
                           PageOptions(emergency_phone="999", incomplete=True), unreviewed=True)

    assert "<h2>{{ 7*7 }}</h2>" in render("{{ 7*7 }}")
    assert "<h2>{{ ''.__class__ }}</h2>" in render("{{ ''.__class__ }}")
    # "%}" reads as a broken %-placeholder: refused, still not run
    with pytest.raises(TemplateError, match="cannot format a message"):
        render("{% for x in range(3) %}loop{% endfor %}")


MARKUP_ATTACKS = [
    "Pas de <strong>preuve</strong> <img src=x>",
    "Pas de <strong>preuve</strong> <IMG SRC=x>",
    "Pas de <strong>preuve</strong> <img/src=x>",
    "Pas de <strong>preuve</strong> <img src=x",  # unterminated: swallows the next tag
    "Pas de <strong>preuve</strong> <style",
    "Pas de <strong>preuve</strong> <!-- hides the rest of the leaflet",
    "Pas de <strong>preuve</strong> <!-- x --> y",
    "Pas de <strong>preuve</strong> <![CDATA[ x ]]>",
    "Pas de <strong>preuve</strong> <?xml x?>",
    "Pas de <strong>preuve</strong> </p><p style='color:red'>",
    'Pas de <strong style="font-size:90pt">preuve</strong>',
    "Pas de <strong>preuve</strong> <svg><image href=x /></svg>",
    "Pas de <strong>preuve</strong> </title><script>x</script>",
    "Pas de <strong>preuve</strong> <a href='http://x'>ici</a>",
    "Pas de <strong>preuve</strong> <base href=http://x/>",
    "Pas de <strong>preuve</strong> <math><mi xlink:href=x>",
]


@pytest.mark.parametrize("translation", MARKUP_ATTACKS)
def test_foreign_markup_is_refused_and_neutralized(translation):
    from babel.messages.catalog import Message

    with pytest.raises(CheckFailed) as caught:
        check_markup(Message(NO_EVIDENCE, translation))
    assert caught.value.check == "markup"
    # and should it get through anyway, an HTML5 parser finds only the source's elements
    html = "<!DOCTYPE html><body><p>" + neutralize((NO_EVIDENCE,), translation) + "</p><i>end</i>"
    document = tinyhtml5.parse(html)
    elements = [e for e in document.iter() if isinstance(e.tag, str)]
    tags = {e.tag.split("}")[-1] for e in elements}
    assert {"body", "head", "html", "i", "p"} <= tags <= {"body", "head", "html", "i", "p", "strong"}
    assert all(not e.attrib for e in elements)


@pytest.mark.parametrize("translation", [
    "Il n'y a <strong>aucune preuve</strong> qu'une HSG…",
    "Il n'y a <strong >aucune preuve</strong> &lt;ici&gt; 1 < 2",
    "<strong>Aucune preuve</strong> : « HSG » n'augmente pas le risque.",
])
def test_source_markup_passes(translation):
    from babel.messages.catalog import Message

    for check in SAFETY_CHECKS:
        check(Message(NO_EVIDENCE, translation))
    assert "<strong" in neutralize((NO_EVIDENCE,), translation)


def test_no_template_puts_a_translation_inside_a_tag(project):
    """Translations are escaped for text, not for attributes: a quote could end one."""
    import re

    for path in sorted(p for folder in project.template_dirs for p in folder.rglob("*.html")):
        for tag in re.findall(r"<[a-zA-Z][^<>]*>", path.read_text()):
            assert not re.search(r"\b_\(|gettext\(|\{%-?\s*trans\b", tag), (path.name, tag)


def test_autoescape_and_strict_undefined(project_copy, renderer):
    from leaflets.catalogs.pofile import SourceTranslations
    from leaflets.render.html import PageOptions, render_html
    from leaflets.locales import language

    toml = project_copy.templates / "hsg.toml"
    toml.write_text(toml.read_text().replace('owner = "Leaflets editorial team"',
                                             'owner = "<img src=x> \\" onload=x"'))
    leaflet = project_copy.leaflets()[0]
    html = render_html(project_copy.template_dirs, leaflet, language("en"), SourceTranslations(),
                       PageOptions(emergency_phone="999"), unreviewed=False)
    assert '<meta name="author" content="&lt;img src=x&gt; &#34; onload=x">' in html


def test_a_typo_in_a_template_is_an_error(project_copy, tmp_path):
    """StrictUndefined: a misspelt name stops the build at file:line, never prints as ''."""
    insert_into_template(project_copy, "<p>{{ leaflet.titel }}</p>")
    lines = (project_copy.templates / "hsg.html").read_text().splitlines()
    lineno = next(n for n, line in enumerate(lines, 1) if "leaflet.titel" in line)
    with pytest.raises(TemplateError) as caught:
        build(project_copy, BuildOptions(langs=("en",), out=tmp_path / "out"))
    assert (caught.value.path, caught.value.lineno) == ("templates/hsg.html", lineno)
    assert "titel" in caught.value.message


def test_sandbox_blocks_unsafe_attributes(project_copy, tmp_path):
    insert_into_template(project_copy, "<p>{{ leaflet.__class__.__mro__ }}</p>")
    with pytest.raises(TemplateError, match="unsafe") as caught:
        build(project_copy, BuildOptions(langs=("en",), out=tmp_path / "out"))
    assert caught.value.path == "templates/hsg.html"


# Symlinks: Jinja2 and WeasyPrint both follow them, so they are checked up front.

def test_symlinked_include_out_of_templates_is_refused(project_copy, secret, tmp_path):
    os.symlink(secret, project_copy.templates / "evil.html")
    insert_into_template(project_copy, '<p>{% include "evil.html" %}</p>')
    with pytest.raises(TemplateError) as caught:
        build(project_copy, BuildOptions(langs=("en",), out=tmp_path / "out"))
    assert caught.value.path == "templates/evil.html"
    assert "outside templates/" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_symlinked_folder_out_of_templates_is_refused(project_copy, secret, tmp_path):
    os.symlink(secret.parent, project_copy.templates / "assets")
    insert_into_template(project_copy, '<img src="assets/secret.txt">')
    with pytest.raises(TemplateError, match="outside templates/"):
        build(project_copy, BuildOptions(langs=("en",), out=tmp_path / "out"))


def test_symlink_inside_templates_is_fine(project_copy, tmp_path):
    os.symlink("hsg.html", project_copy.templates / "alias.html")
    result = build(project_copy, BuildOptions(langs=("en",), out=tmp_path / "out"),
                   Renderer(project_copy.template_dirs))
    assert result.ok


def test_symlinked_stylesheet_is_refused(project_copy, secret):
    css = project_copy.templates / "leaflet.css"
    css.unlink()
    os.symlink(secret, css)
    with pytest.raises(RenderError, match="outside templates/"):
        Renderer(project_copy.template_dirs)


def test_fetcher_resolves_symlinks_and_dots(project_copy, secret):
    os.symlink(secret, project_copy.templates / "logo.png")
    fetcher = LocalFetcher([project_copy.templates])
    for url in [(project_copy.templates / "logo.png").as_uri(),
                project_copy.templates.as_uri() + "/../secret.txt",
                project_copy.templates.as_uri() + "/%2e%2e/secret.txt",
                project_copy.templates.as_uri() + "/x%00.png",
                "file://example.org" + str(project_copy.templates / "leaflet.css"),
                "data:text/html,<p>x</p>", "http://127.0.0.1:9/x", "ftp://127.0.0.1/x"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8
    served = fetcher.fetch((project_copy.templates / "leaflet.css").as_uri())
    assert b"@page" in served.read()
    served.close()
    assert fetcher.fetch("data:image/png;base64,AAAA").read() == b"\0\0\0"


def test_symlinked_catalog_is_refused(project_copy, tmp_path):
    outside = tmp_path / "elsewhere.po"
    po = project_copy.po_path("fr", "hsg")
    outside.write_bytes(po.read_bytes())
    po.unlink()
    os.symlink(outside, po)
    with pytest.raises(CatalogError) as caught:
        build(project_copy, BuildOptions(langs=("fr",), out=tmp_path / "out",
                                         allow_incomplete=True))
    assert caught.value.path == "locales/fr/LC_MESSAGES/hsg.po"


def test_no_attachments_through_pdf_options(renderer, monkeypatch):
    """Whatever options reach write_pdf, none attaches a file (even one the fetcher serves)."""
    inside_templates = str(renderer.templates_dir / "leaflet.css")
    options = renderer.pdf_options(None)
    monkeypatch.setattr(renderer, "pdf_options",
                        lambda identifier: {**options, "attachments": [inside_templates]})
    with pytest.raises(RenderError, match="no attachments"):
        renderer.render("<p>x</p>", name="t", max_pages=1, allowed_fonts=("Noto Sans",))


# The clinic profile's folder is the one other place a leaflet may load files from.

def clinic_profile(folder: Path, **fields) -> Path:
    values = {"name": "Test Clinic", "main_phone": "01632 960100", "logo": "logo.svg", **fields}
    path = folder / "clinic.toml"
    path.write_text("".join(f'{key} = "{value}"\n' for key, value in values.items()))
    return path


def test_clinic_logo_that_names_the_server_fetches_nothing(project_copy, secret, server,
                                                           tmp_path):
    from leaflets.clinic.profile import load_clinic

    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image xlink:href="{server.url}/logo.png" width="10" '
        f'height="10"/><image xlink:href="{secret.as_uri()}" width="10" height="10"/></svg>')
    clinic = load_clinic(clinic_profile(folder), project_copy)
    out = tmp_path / "out"
    result = build(project_copy, BuildOptions(langs=("en",), out=out, clinic=clinic,
                                              variant="standard"),
                   Renderer(project_copy.template_dirs, extra_roots=(clinic.folder,)))
    assert server.requests == []
    (problem,) = result.failed[0].problems
    assert f"{server.url}/logo.png" in problem.message
    no_secret_anywhere(out)


def test_clinic_logo_symlinked_out_of_its_folder_is_refused(project_copy, secret, tmp_path):
    from leaflets.clinic.profile import load_clinic

    folder = tmp_path / "clinic"
    folder.mkdir()
    os.symlink(secret, folder / "logo.svg")
    with pytest.raises(LeafletError, match="logo"):
        load_clinic(clinic_profile(folder), project_copy)
    fetcher = LocalFetcher([project_copy.templates, folder])
    with pytest.raises(ValueError):
        fetcher.fetch((folder / "logo.svg").as_uri())
