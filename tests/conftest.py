"""Shared fixtures: the real project, copies of it to break, and PDF read-back helpers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # test this checkout, whatever is installed

from leaflets.building.build import BuildOptions, build  # noqa: E402
from leaflets.clinic.profile import load_clinic  # noqa: E402
from leaflets.render.pdf import Renderer  # noqa: E402
from leaflets.project import THEME, Project  # noqa: E402

# the project's source language, as its leaflets.toml says
SOURCE_LANG = Project(ROOT).source_lang
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLINIC_FILE = ROOT / "clinics" / "example.toml"
# the clinic edition's variants, built in a left-to-right, a right-to-left and a CJK language
VARIANT_LANGS = {"large-print": ("en", "ar", "zh_Hans"), "bilingual": ("fr", "ar", "zh_Hans")}
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad]")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def renderer(project) -> Renderer:
    """One renderer for the whole session: fonts and stylesheets are loaded once."""
    return Renderer(project.template_dirs)


@pytest.fixture(scope="session")
def built(project, renderer, tmp_path_factory):
    """Every leaflet in every language of the repository, built once."""
    out = tmp_path_factory.mktemp("dist")
    result = build(project, BuildOptions(out=out), renderer)
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    return out, result


@pytest.fixture(scope="session")
def clinic(project):
    """The example clinic profile shipped in clinics/."""
    return load_clinic(CLINIC_FILE, project)


@pytest.fixture(scope="session")
def clinic_renderer(project, clinic):
    """A renderer that may also load files from the clinic profile's folder (its logo)."""
    return Renderer(project.template_dirs, extra_roots=(clinic.folder,))


@pytest.fixture(scope="session")
def clinic_built(project, clinic, clinic_renderer, tmp_path_factory):
    """Every leaflet in every language, branded with the example clinic, built once."""
    out = tmp_path_factory.mktemp("clinic")
    result = build(project, BuildOptions(out=out, clinic=clinic), clinic_renderer)
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    return out, result


@pytest.fixture(scope="session")
def variant_built(project, clinic, clinic_renderer, tmp_path_factory):
    """{variant: output folder} for the large-print and bilingual variants (VARIANT_LANGS)."""
    outs = {}
    for variant, langs in VARIANT_LANGS.items():
        out = tmp_path_factory.mktemp(variant)
        result = build(project, BuildOptions(out=out, clinic=clinic, variant=variant,
                                             langs=langs), clinic_renderer)
        assert result.ok, [str(p) for o in result.failed for p in o.problems]
        outs[variant] = out
    return outs


def copy_project(folder: Path, theme: bool = True) -> Project:
    """This project copied into ``folder``: its leaflets.toml, templates/ and locales/, with the
    theme's files copied in too (``theme``), so a test may break any of them."""
    shutil.copyfile(ROOT / "leaflets.toml", folder / "leaflets.toml")
    for name in ("templates", "locales"):
        shutil.copytree(ROOT / name, folder / name)
        if theme:
            shutil.copytree(THEME / name, folder / name, dirs_exist_ok=True)
    return Project(folder)


@pytest.fixture
def project_copy(tmp_path) -> Project:
    """A private copy of the project, the theme's files included, that a test may break."""
    return copy_project(tmp_path)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``generate.py`` as a user would, capturing its output."""
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def pdftotext(path: Path, *, rtl: bool = False) -> str:
    """The text poppler extracts from a PDF, in logical order.

    Poppler's default mode puts right-to-left lines in logical order but joins
    "peut-" + "être" into "peutêtre"; -raw keeps hyphens but leaves RTL lines in
    visual order. So each script gets the mode that reads it right.
    """
    mode = [] if rtl else ["-raw"]
    return subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def normalize(text: str, *, cjk: bool = False) -> str:
    """NFC, without bidi controls or soft hyphens, whitespace folded (removed for CJK)."""
    text = BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))
    text = re.sub(r"(?<=\w)-\s*\n\s*(?=\w)", "-", text)  # a line broken after a hyphen
    return re.sub(r"\s+", "" if cjk else " ", text).strip()


def set_translation(project: Project, lang: str, domain: str, msgid: str, text: str) -> Path:
    """Put ``text`` into a copy's catalog as the translation of ``msgid``, as a translator would."""
    from babel.messages.pofile import normalize

    path = project.po_path(lang, domain)
    po = path.read_text(encoding="utf-8")
    entry = re.compile(f"^msgid {re.escape(normalize(msgid, width=76))}\nmsgstr (?:\".*\"\n)+",
                       re.M)
    assert entry.search(po), f"{msgid!r} is not an entry of {path}"
    replaced = f"msgid {normalize(msgid, width=76)}\nmsgstr {normalize(text, width=76)}\n"
    path.write_text(entry.sub(lambda _: replaced, po, count=1), encoding="utf-8")
    return path
