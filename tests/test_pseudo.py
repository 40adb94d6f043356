"""Pseudo-locales: longer accented and right-to-left fakes that build but never count."""

from __future__ import annotations

import pytest
from conftest import pdftotext, run_cli

from pypdf import PdfReader

from leaflets.building.build import build_time
from leaflets.catalogs.checkers import SAFETY_CHECKS, check_characters
from leaflets.translators.pseudo import RLO, accented, build_pseudo, pseudo_catalog, right_to_left
from leaflets.translators.status import status

SOURCE = 'There is <strong>no evidence</strong> that %(name)s is 1 in 6. See <a href="x">{x}</a>.'


def test_accented_keeps_markup_and_placeholders_and_is_40_percent_longer():
    text = accented(SOURCE)
    assert text.startswith("[Ŧħḗřḗ īş <strong>ƞǿ ḗṽīḓḗƞƈḗ</strong>") and text.endswith("]")
    assert "%(name)s" in text and '<a href="x">{x}</a>' in text
    assert len(text) >= 1.4 * len("There is no evidence that  is 1 in 6. See .")


def test_right_to_left_overrides_every_word_only():
    text = right_to_left(SOURCE)
    assert text.startswith(f"{RLO}There\u202c {RLO}is\u202c <strong>")
    assert "%(name)s" in text and '<a href="x">' in text and " 1 " in text


@pytest.mark.parametrize("code", ["en_XA", "ar_XB"])
def test_pseudo_catalogs_pass_the_safety_checks(project, code):
    from io import BytesIO

    from babel.messages.pofile import read_po

    catalog = read_po(BytesIO(pseudo_catalog(project, "hsg", code)))
    messages = [m for m in catalog if m.id]
    assert messages and all(m.string and m.string != m.id for m in messages)
    for message in messages:
        for check in SAFETY_CHECKS:
            if code == "ar_XB" and check is check_characters:
                continue  # mirrored with U+202E on purpose: the one pseudo-locale exception
            check(message)


def test_pseudo_builds_like_a_language_but_is_no_translation(project, renderer, tmp_path):
    result = build_pseudo(project, tmp_path, renderer=renderer)
    assert result.ok and sorted(e.lang for e in result.written) == ["ar_XB", "en_XA"]
    text = pdftotext(tmp_path / "en_XA" / "hsg.pdf")
    assert "Ƞǿ ḗṽīḓḗƞƈḗ".lower() in text.lower() or "ƞǿ ḗṽīḓḗƞƈḗ" in text
    assert (tmp_path / "ar_XB" / "hsg.pdf").stat().st_size > 10000
    created = PdfReader(tmp_path / "ar_XB" / "hsg.pdf").metadata.creation_date
    assert created == build_time(project.root)  # the project's one clock, not the temp folder's
    # nothing was added to the project: status and release builds never see them
    assert not list(project.locales.glob("*_X[AB]"))
    assert {row.lang for row in status(project)}.isdisjoint({"en_XA", "ar_XB"})


def test_pseudo_cli_refuses_unknown_code(tmp_path):
    proc = run_cli("pseudo", "--lang", "xx", "--out", str(tmp_path))
    assert proc.returncode == 2 and not any(tmp_path.iterdir())
