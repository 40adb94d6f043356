"""proof: source and translation side by side, problems highlighted, file:line for each."""

from __future__ import annotations

import pytest
from conftest import normalize, pdftotext, run_cli

from leaflets.catalogs.pofile import read_po, write_po_file
from leaflets.errors import LeafletError, UsageError
from leaflets.translators.proof import proof_html


@pytest.fixture
def marked(project_copy):
    """A French catalog with one untranslated, one fuzzy and one same-as-source message."""
    path = project_copy.po_path("fr", "common")
    po = read_po(path)
    messages = [m for m in po.catalog if m.id]
    messages[0].string = ""
    messages[1].flags.add("fuzzy")
    messages[2].string = messages[2].id
    write_po_file(path, po.catalog, headers=po.headers)
    po = read_po(path)
    return project_copy, [m.lineno for m in po.catalog if m.id][:3]


def test_proof_pdf_shows_states_and_lines(marked, tmp_path):
    project, lines = marked
    out = tmp_path / "fr.pdf"
    proc = run_cli("proof", "fr", "--out", str(out), "--root", str(project.root))
    assert proc.returncode == 0, proc.stderr
    text = normalize(pdftotext(out))
    for lineno in lines:
        assert f"locales/fr/LC_MESSAGES/common.po:{lineno}" in text
    assert "untranslated: 1" in text and "same as the English source: 3" in text
    assert "fuzzy: check it, then remove the fuzzy flag" in text
    assert "Traduction" in text and "Draft translation." in text
    assert "locales/fr/LC_MESSAGES/hsg.po" in text


def test_proof_rows_are_highlighted_by_state(marked):
    project, _ = marked
    html = proof_html(project, "fr")
    assert html.count('<tr class="untranslated">') == 1
    assert html.count('<tr class="fuzzy">') == 1
    assert html.count('<tr class="same">') == 3  # also "Sources" and "Allergies", the same in French


def test_proof_escapes_markup_and_sets_direction(project):
    html = proof_html(project, "ar")
    assert "&lt;strong&gt;" in html and "<strong>no evidence" not in html
    assert 'lang="ar" dir="rtl"' in html


def test_proof_refuses_source_and_unknown_languages(project):
    with pytest.raises(UsageError):
        proof_html(project, "en")
    with pytest.raises(LeafletError) as caught:  # the one catalog reader's error, as in build
        proof_html(project, "de")
    assert "no catalog for de" in str(caught.value)
