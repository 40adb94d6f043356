"""The project: leaflets.toml found and checked field by field; the theme's lookup order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, normalize, pdftotext, run_cli, set_translation

from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.extract import extract
from leaflets.catalogs.update import init, update
from leaflets.errors import LeafletError, UsageError
from leaflets.project import THEME, Project, open_project
from leaflets.render.pdf import Renderer
from leaflets.scaffold import new_project
from leaflets.settings import read_settings


def test_this_repository_is_a_project_whose_settings_are_read():
    project = open_project(None, ROOT / "templates")  # found by walking up, like pyproject.toml
    assert project.root == ROOT
    assert (project.source_lang, project.settings.source_locale) == ("en", "en_GB")
    assert project.settings.emergency_phone == "999"
    assert project.languages()[0] == "en"
    # the maintainers update the theme's catalogs here: it is inside the project
    assert project.pot_path("common") == THEME / "locales" / "common.pot"
    assert project.po_path("fr", "common") == THEME / "locales" / "fr" / "LC_MESSAGES" / "common.po"
    assert project.writable(project.pot_path("common"))
    assert project.pot_path("hsg") == ROOT / "locales" / "hsg.pot"


def test_outside_a_project_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not inside a leaflets project"):
        open_project(None, tmp_path)
    with pytest.raises(UsageError, match="has no leaflets.toml"):
        open_project(tmp_path, Path.cwd())


def write_toml(tmp_path, text: str) -> Path:
    path = tmp_path / "leaflets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_field_is_one_line_with_file_and_line(tmp_path):
    path = write_toml(tmp_path, 'name = "X"\nsource_locale = "xx-Nope"\npaper = "a5"\n'
                                'colour = "red"\nlanguages = ["fr", 3]\n'
                                '[fonts]\nar = "Noto Sans Arabic"\n')
    with pytest.raises(LeafletError) as caught:
        read_settings(path, "leaflets.toml")
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"leaflets.toml:{n}" for n in (2, 3, 4, 5, 6)]
    assert "field 'paper': 'a5': use a4 or letter" in lines[1]
    assert "field 'colour': unknown field" in lines[2]


def test_invalid_toml_names_its_line(tmp_path):
    path = write_toml(tmp_path, 'name = "X"\npaper = \n')
    with pytest.raises(LeafletError) as caught:
        read_settings(path, "leaflets.toml")
    assert str(caught.value).startswith("leaflets.toml:2: invalid TOML")


def test_settings_choose_languages_fonts_source_and_paper(tmp_path):
    write_toml(tmp_path, 'source_locale = "fr-CA"\npaper = "Letter"\nlanguages = ["en", "ar"]\n'
                         'output = "site/pdf"\n[fonts]\nArab = ["Noto Naskh Arabic", "Noto Sans"]\n')
    project = Project(tmp_path)
    assert project.source_lang == "fr" and project.settings.source_locale == "fr_CA"
    assert project.languages() == ["fr", "en", "ar"]  # the source first, then as listed
    assert project.settings.paper == "letter" and project.settings.output == "site/pdf"
    assert project.language("ar").fonts == ("Noto Naskh Arabic", "Noto Sans")
    assert project.language("uk").fonts == ("Noto Sans",)  # no override: the default table


@pytest.fixture
def user_project(tmp_path) -> Project:
    """A new project whose theme is a copy outside it, as an installed theme is."""
    theme = tmp_path / "site-packages" / "theme"
    shutil.copytree(THEME, theme, ignore=shutil.ignore_patterns("__pycache__"))
    new_project(tmp_path / "clinic")
    return Project(tmp_path / "clinic", theme=theme)


def theme_files(project: Project) -> dict[str, bytes]:
    return {p.relative_to(project.theme).as_posix(): p.read_bytes()
            for p in sorted(project.theme.rglob("*")) if p.is_file()}


def test_the_installed_theme_is_read_only_for_the_translators_tools(user_project):
    before = theme_files(user_project)
    assert not user_project.writable(user_project.pot_path("common"))
    assert extract(user_project) == []  # nothing to extract: the leaflet's .pot is current
    update(user_project)
    written = init(user_project, "de")
    # German is not in the theme: the project gets its own shared catalogs for it
    assert sorted(p.relative_to(user_project.root).as_posix() for p in written) == [
        f"locales/de/LC_MESSAGES/{d}.po" for d in ("common", "edition", "visiting")]
    # French is: the theme's catalogs are used, and stay as they were
    assert user_project.po_path("fr", "common") == user_project.theme_po_path("fr", "common")
    assert theme_files(user_project) == before


def test_lookup_order_project_first_then_theme(user_project, tmp_path):
    """A project's own leaflet.css, base.html and common.po hide the theme's."""
    project = user_project
    assert Renderer(project.template_dirs).stylesheets  # the theme's stylesheet
    css = (project.theme_templates / "leaflet.css").read_text(encoding="utf-8")
    (project.templates / "leaflet.css").write_text(
        css + '\nmain::before { content: "Our own stylesheet" }\n', encoding="utf-8")
    base = (project.theme_templates / "base.html").read_text(encoding="utf-8")
    (project.templates / "base.html").write_text(
        base.replace("<main>", "<main><p>Our own layout</p>", 1), encoding="utf-8")
    # a shared message translated the project's own way
    own = project.locales / "fr" / "LC_MESSAGES" / "common.po"
    shutil.copyfile(project.theme_po_path("fr", "common"), own)
    # owning base.html makes "common" the project's: its catalogs come from locales/ only
    assert project.owns_domain("common") and project.po_path("fr", "common") == own
    extract(project)
    assert (project.locales / "common.pot").is_file()
    notice = "Brouillon de traduction (notre version)."
    set_translation(project, "fr", "common", "Draft translation.", notice)
    out = tmp_path / "out"
    result = build(project, BuildOptions(out=out, langs=("fr",)))
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    text = normalize(pdftotext(out / "fr" / "visiting.pdf"))
    assert notice in text and "Our own layout" in text and "Our own stylesheet" in text


def test_an_own_catalog_of_a_theme_domain_is_used_first(user_project, tmp_path):
    """Without its own base.html, a project may still translate a shared message its own way."""
    project = user_project
    own = project.locales / "fr" / "LC_MESSAGES" / "common.po"
    own.write_bytes(project.theme_po_path("fr", "common").read_bytes())
    assert not project.owns_domain("common") and project.po_path("fr", "common") == own
    set_translation(project, "fr", "common", "Draft translation.", "Version provisoire.")
    result = build(project, BuildOptions(out=tmp_path / "out", langs=("fr",)))
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    assert "Version provisoire." in normalize(pdftotext(tmp_path / "out" / "fr" / "visiting.pdf"))


# leaflets.toml as the HSG leaflet uses it: the source locale (dates) and the emergency number

def write_settings(project: Project, text: str) -> None:
    (project.root / "leaflets.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text, line, words", [
    ('source_locale = "xx-QQ-zz"\nemergency_phone = "999"\n', 1, "not a language"),
    ('source_locale = "en-GB"\nemergency_phone = 999\n', 2, "must be"),
    ('source_locale = "en-GB"\nemergency_phone = "nine"\n', 2, "not a phone number"),
    ('source_locale = "en-GB"\nemergency_phone = "999"\ncolour = "red"\n', 3, "unknown field"),
    ('source_locale = "en-GB"\nemergency_phone = "999\n', 2, "invalid TOML"),
])
def test_a_bad_setting_is_one_located_error(tmp_path, text, line, words):
    with pytest.raises(LeafletError) as caught:
        read_settings(write_toml(tmp_path, text), "leaflets.toml")
    assert str(caught.value).startswith(f"leaflets.toml:{line}: ") and words in str(caught.value)


def test_the_cli_reports_bad_settings_in_one_line(project_copy):
    write_settings(project_copy, 'source_locale = "en-GB"\nemergency_phone = "nine"\n')
    result = run_cli("build", "--lang", "en", "--out", str(project_copy.root / "dist"),
                     cwd=project_copy.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "leaflets.toml:2: field 'emergency_phone'" in result.stderr
    assert not (project_copy.root / "dist" / "en").exists()


def test_a_leaflet_that_prints_the_emergency_number_needs_one(project_copy):
    write_settings(project_copy, 'source_locale = "en-GB"\n')
    result = run_cli("build", "--lang", "en", "--out", str(project_copy.root / "dist"),
                     cwd=project_copy.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "emergency_phone" in result.stderr and "templates/hsg.html:" in result.stderr
    assert not (project_copy.root / "dist" / "en" / "hsg.pdf").exists()


def test_the_source_locale_sets_english_dates(project_copy, renderer, tmp_path):
    write_settings(project_copy, 'source_locale = "en-US"\nemergency_phone = "911"\n')
    project = Project(project_copy.root)
    assert build(project, BuildOptions(langs=("en",), out=tmp_path), renderer).ok
    text = pdftotext(tmp_path / "en" / "hsg.pdf")
    assert "December 2, 2026" in text and "Call 911 now" in text


def test_a_leaflets_toml_is_read_again_when_its_text_changes(project_copy):
    from leaflets.errors import TemplateError

    before = project_copy.leaflets()[0].version
    toml = project_copy.templates / "hsg.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(f'version = "{before}"',
                                                             f'version = "{before}.1"'),
                    encoding="utf-8")
    assert [leaflet.version for leaflet in project_copy.leaflets()] == [f"{before}.1"]
    (project_copy.templates / "hsg.html").unlink()  # the same text, its template gone
    with pytest.raises(TemplateError, match="no template hsg.html"):
        project_copy.leaflets()
