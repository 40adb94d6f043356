"""Project settings (leaflets.toml): the source locale and the emergency number, checked."""

from __future__ import annotations

import pytest
from conftest import run_cli

from leaflets.errors import LeafletError
from leaflets.project import Project


def test_the_repository_settings(project):
    settings = project.settings()
    assert settings.source_locale == "en_GB" and settings.emergency_phone == "999"


def write_settings(project: Project, text: str) -> None:
    (project.root / "leaflets.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text, line, words", [
    ('source_locale = "en-GB"\nemergency_phone = "99"\n', 2, "not an emergency number"),
    ('source_locale = "fr-FR"\nemergency_phone = "999"\n', 1, "not a locale of the"),
    ('source_locale = "xx-QQ-zz"\nemergency_phone = "999"\n', 1, "not a CLDR locale"),
    ('source_locale = "en-GB"\nemergency_phone = 999\n', 2, "must be"),
    ('source_locale = "en-GB"\nemergency_phone = "999"\ncolour = "red"\n', 3, "unknown field"),
    ('source_locale = "en-GB"\nemergency_phone = "999\n', 2, "invalid TOML"),
])
def test_a_bad_field_is_one_located_error(project_copy, text, line, words):
    write_settings(project_copy, text)
    with pytest.raises(LeafletError) as caught:
        project_copy.settings()
    assert str(caught.value).startswith(f"leaflets.toml:{line}: ") and words in str(caught.value)


def test_missing_settings_name_the_file_and_its_fields(project_copy):
    (project_copy.root / "leaflets.toml").unlink()
    with pytest.raises(LeafletError) as caught:
        project_copy.settings()
    assert "leaflets.toml" in str(caught.value) and "emergency_phone" in str(caught.value)
    write_settings(project_copy, 'source_locale = "en-GB"\n')
    with pytest.raises(LeafletError, match="'emergency_phone' is missing"):
        project_copy.settings()


def test_the_cli_reports_bad_settings_in_one_line(project_copy):
    write_settings(project_copy, 'source_locale = "en-GB"\nemergency_phone = "nine"\n')
    result = run_cli("build", "--lang", "en", "--out", str(project_copy.root / "dist"),
                     cwd=project_copy.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "leaflets.toml:2: field 'emergency_phone'" in result.stderr
    assert not (project_copy.root / "dist" / "en").exists()


def test_the_source_locale_sets_english_dates(project_copy, renderer, tmp_path):
    from conftest import pdftotext

    from leaflets.building.build import BuildOptions, build

    write_settings(project_copy, 'source_locale = "en-US"\nemergency_phone = "911"\n')
    assert build(project_copy, BuildOptions(langs=("en",), out=tmp_path), renderer).ok
    text = pdftotext(tmp_path / "en" / "hsg.pdf")
    assert "December 2, 2026" in text and "Call 911 now" in text
