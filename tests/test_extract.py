"""extract: one .pot per domain, stable bytes, comments and contexts, --check for CI."""

from __future__ import annotations

from conftest import run_cli

from leaflets.catalogs.pofile import read_po
from leaflets.catalogs.extract import extract


def test_repository_pots_are_up_to_date(project):
    assert extract(project, check=True) == []


def test_extract_twice_is_byte_identical(project_copy):
    project_copy.pot_path("hsg").unlink()
    assert extract(project_copy) == [project_copy.pot_path("hsg")]
    first = {p.name: p.read_bytes() for p in project_copy.locales.glob("*.pot")}
    assert extract(project_copy) == []
    assert {p.name: p.read_bytes() for p in project_copy.locales.glob("*.pot")} == first
    assert b"POT-Creation-Date: 2026-01-01 00:00+0000" in first["hsg.pot"]


def test_pot_has_locations_translator_comments_context_and_plurals(project_copy):
    template = project_copy.templates / "hsg.html"
    text = template.read_text(encoding="utf-8").replace(
        "{% endblock %}\n\n{% block sources %}",
        '{#- Translators: the month, not the verb. -#}\n<p>{{ pgettext("month", "May") }}</p>\n'
        "<p>{% trans count=2 %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}</p>\n"
        "{% endblock %}\n\n{% block sources %}", 1)
    template.write_text(text, encoding="utf-8")
    extract(project_copy)
    pot = read_po(project_copy.pot_path("hsg"))
    may = pot.catalog.get("May", "month")
    assert may.auto_comments == ["the month, not the verb."]
    assert may.locations[0][0] == "templates/hsg.html"
    assert pot.catalog.get(("%(count)s day", "%(count)s days")) is not None
    kicker = pot.catalog.get("Information about your HSG test")
    assert any("HSG" in c for c in kicker.auto_comments)


def test_extract_check_exits_1_and_writes_nothing(project_copy):
    template = project_copy.templates / "hsg.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "The short answer", "The short answer, in brief"), encoding="utf-8")
    before = project_copy.pot_path("hsg").read_bytes()
    proc = run_cli("extract", "--check", "--root", str(project_copy.root))
    assert proc.returncode == 1
    assert proc.stderr.startswith("locales/hsg.pot: out of date")
    assert project_copy.pot_path("hsg").read_bytes() == before
    assert run_cli("extract", "--root", str(project_copy.root)).returncode == 0
    assert b"The short answer, in brief" in project_copy.pot_path("hsg").read_bytes()
    assert run_cli("extract", "--check", "--root", str(project_copy.root)).returncode == 0
