"""Bad input, tried and written down: every case gives one line naming the file (and line)."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, copy_project, normalize, pdftotext, set_translation
from leaflets import files
from leaflets import locales
from leaflets.building.build import BuildOptions, build
from leaflets.building.cache import CACHE_DIR
from leaflets.cli import main
from leaflets.errors import LeafletError
from leaflets.files import LOCK_FILE, locked_folder
from leaflets.project import Project

BAD = FIXTURES / "bad"
CASES = {name: case for name, case in json.loads((BAD / "cases.json").read_text()).items()
         if not name.startswith("_")}
FR_HSG = "locales/fr/LC_MESSAGES/hsg.po"
SHORT_ANSWER = "The short answer"


def cli(capsys, *args: str) -> tuple[int, list[str]]:
    """Run the CLI in this process; the exit status and the lines it printed on stderr."""
    capsys.readouterr()
    code = main(list(args))
    return code, [line for line in capsys.readouterr().err.splitlines() if line]


def test_every_corpus_file_has_an_expected_outcome():
    assert sorted(CASES) == sorted(p.name for p in (BAD / "catalogs").glob("*.po"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_catalog(name, project_copy, tmp_path, capsys):
    case = CASES[name]
    shutil.copyfile(BAD / "catalogs" / name, project_copy.root / FR_HSG)
    out = tmp_path / "out"
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "fr",
                    "--out", str(out), "--allow-incomplete", "-q")
    if case.get("rule"):  # read whole; the rules refuse the leaflet at that line
        assert code == 1
        found = [line for line in err if line.startswith(f"{FR_HSG}:{case['line']}: ")]
        assert len(found) == 1 and found[0].endswith(f"[{case['rule']}]"), err
        assert case["finding"] in found[0]
        assert not (out / "fr" / "hsg.pdf").exists()
        return
    if case.get("render_error"):
        assert code == 1
        rendering = [line for line in err if line.startswith("hsg [fr]: ")]
        assert len(rendering) == 1 and case["render_error"] in rendering[0], err
        return
    if case["error"] is None:
        assert code == 0, err
        assert "La réponse courte" in normalize(pdftotext(out / "fr" / "hsg.pdf"))
        return
    where = f"{FR_HSG}:{case['line']}: " if case["line"] else f"{FR_HSG}: "
    assert code == 1
    assert len(err) == 1 and err[0].startswith(where) and case["error"] in err[0], err
    assert not out.exists()  # a malformed catalog stops the build before any output


def test_lone_percent_is_reported_at_its_catalog_line(project_copy, tmp_path, capsys):
    """Jinja2 %-formats every translation; a lone % must not surface as a template error."""
    po = set_translation(project_copy, "fr", "hsg", SHORT_ANSWER, "La réponse à 100%")
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "fr",
                    "--out", str(tmp_path / "out"), "--allow-incomplete", "-q")
    lineno = po.read_text().splitlines().index('msgid "The short answer"') + 1  # the entry
    assert code == 1
    assert f"{FR_HSG}:{lineno}: translation has a lone %; write %% for a " \
           "percent sign [placeholders]" in err


def test_ten_megabyte_catalog(project_copy, tmp_path, capsys):
    po = project_copy.root / FR_HSG
    text = po.read_text()
    po.write_text(text + "".join(f'\nmsgid "filler {i}"\nmsgstr "{"x" * 200}"\n'
                                 for i in range(45000)))
    assert po.stat().st_size > 10_000_000
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "fr",
                    "--out", str(tmp_path / "out"), "-q")
    assert code == 1
    assert err == [f"{FR_HSG}: catalog is {po.stat().st_size // 1024} KiB, more than the limit "
                   "of 2048 KiB: is this the right file?"]


def test_template_syntax_error(project_copy, tmp_path, capsys):
    path = project_copy.templates / "hsg.html"
    lines = path.read_text().splitlines()
    lines[17] = "<h2>{% trans %}The short answer{% endtrnas %}</h2>"
    path.write_text("\n".join(lines) + "\n")
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(tmp_path / "out"), "-q")
    assert code == 1 and len(err) == 1, err
    assert err[0].startswith("templates/hsg.html:18: template syntax error")


def test_missing_template(project_copy, tmp_path, capsys):
    (project_copy.templates / "hsg.html").unlink()
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(tmp_path / "out"), "-q")
    expected = "templates/hsg.toml: no template hsg.html for this leaflet"
    assert code == 1 and len(err) == 1 and err[0].startswith(expected), err


def test_missing_shared_layout(project_copy, tmp_path):
    """No base.html in the project nor in its theme (a broken installation): one line."""
    (project_copy.templates / "base.html").unlink()
    broken = Project(project_copy.root, theme=tmp_path / "no-theme")
    with pytest.raises(LeafletError) as caught:
        build(broken, BuildOptions(out=tmp_path / "out", langs=("en",)))
    assert str(caught.value).startswith(
        "templates/base.html: missing: every leaflet extends this shared layout")
    assert not (tmp_path / "out").exists()


def test_missing_font(project_copy, tmp_path, capsys, monkeypatch):
    """A font chosen for a script is not installed: fontconfig falls back silently, we do not."""
    with (project_copy.root / "leaflets.toml").open("a", encoding="utf-8") as f:
        f.write('\n[fonts]\nLatn = ["Noto Sans Not Installed"]\n')
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(tmp_path / "out"), "-q")
    assert code == 1
    assert err[0] == "error: hsg [en]: not built:"
    assert "text fell back to font" in err[1] and "Noto Sans Not Installed" in err[1]
    assert not list((tmp_path / "out").rglob("*.pdf"))


@pytest.mark.parametrize("command", ["build", "check", "status"])
def test_no_installed_font_for_the_script(project_copy, tmp_path, capsys, monkeypatch, command):
    """One line naming the language and the Debian package, the same for all three verdicts."""
    monkeypatch.setattr(locales, "script_font", lambda fc_lang: None if fc_lang == "hi" else
                        "Noto Sans")
    args = ["--out", str(tmp_path / "out"), "-q"] if command == "build" else []
    code, err = cli(capsys, command, "--root", str(project_copy.root), "--lang", "hi", *args)
    assert code != 0
    assert err == ["locales/hi: no installed font covers Hindi (Devanagari script); install the "
                   "Debian package fonts-noto-core (or another font for it), then run fc-cache"]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.pdf"))


def test_missing_glyph(project_copy, tmp_path, capsys):
    set_translation(project_copy, "fr", "hsg", SHORT_ANSWER, "La réponse \U0001f9ec courte")
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "fr",
                    "--out", str(tmp_path / "out"), "--allow-incomplete", "-q")
    assert code == 1
    # found before rendering, at the catalog line, by the same rule check reports
    assert any(line.startswith(f"{FR_HSG}:") and "U+1F9EC" in line
               and line.endswith("[font-coverage]") for line in err), err


@pytest.mark.parametrize("edit, expected", [
    (('max_pages = 6', 'max_pages = "four"'), "templates/hsg.toml: field 'max_pages' must be a int"),
    (('published = 2026-12-02', 'published = "yesterday"'),
     "templates/hsg.toml: field 'published' must be a date"),
    # Python 3.11's tomllib gives the line only inside its message
    (('id = "hsg"', 'id = "hsg'), "templates/hsg.toml: invalid TOML: Illegal character '\\n' "
                                  "(at line 2, column 10)"),
])
def test_leaflet_metadata_with_wrong_types(edit, expected, project_copy, tmp_path, capsys):
    path = project_copy.templates / "hsg.toml"
    path.write_text(path.read_text().replace(*edit))
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(tmp_path / "out"), "-q")
    assert code == 1 and len(err) == 1 and err[0].startswith(expected), err


# Output folder problems.

def test_output_folder_is_a_file(project_copy, tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("not a folder")
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(out), "-q")
    assert code == 1
    assert err == [f"{out}: this is a file, not a folder; choose another --out folder"]


def test_output_folder_not_writable(project_copy, tmp_path, capsys, monkeypatch):
    """Root ignores permission bits, so the kernel's answer is simulated for this folder."""
    out = tmp_path / "out"
    real_open = os.open

    def denied(path, flags, *args, **kwargs):
        if str(path).startswith(str(out)) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", denied)
    code, err = cli(capsys, "build", "--root", str(project_copy.root), "--lang", "en",
                    "--out", str(out), "-q")
    assert code == 1
    # the first file written is the build lock's, in the output folder itself
    assert err == [f"{out}: cannot use this output folder: Permission denied; choose another "
                   "--out folder"]
    assert not [p for p in out.rglob("*") if p.is_file()]


def manifest_is_honest(out: Path) -> list[dict]:
    """Every manifest entry names a file that is there with that hash; no stray temp files."""
    # the build cache (.leaflets-cache) is not output: its entries are checked when read
    assert not [p for p in out.rglob("*") if (p.name.endswith(".tmp") or p.name.startswith("."))
                and p.name != LOCK_FILE and CACHE_DIR not in p.relative_to(out).parts]
    for pdf in out.rglob("*.pdf"):
        with pikepdf.open(pdf) as document:  # whole, not cut short
            assert len(document.pages) >= 1
    if not (out / "manifest.json").exists():
        return []
    entries = json.loads((out / "manifest.json").read_text())
    for entry in entries:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    return entries


def pdfs(entries: list[dict]) -> set[str]:
    """The PDFs a manifest lists (it also lists the front desk page's files)."""
    return {entry["path"] for entry in entries if entry.get("kind", "pdf") == "pdf"}


def first_build(out: Path, renderer, monkeypatch, langs=("en", "fr", "es")) -> dict[str, str]:
    """Build into ``out`` at another time, so the next build replaces every PDF."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    result = build(Project(ROOT), BuildOptions(langs=langs, out=out,
                                               allow_incomplete=True), renderer)
    assert result.ok
    return {e["path"]: e["sha256"] for e in json.loads((out / "manifest.json").read_text())}


def test_disk_full(project_copy, renderer, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    before = first_build(out, renderer, monkeypatch)
    real_write_all = files._write_all

    def full(fd, data):
        if len(data) > 8000:  # a PDF, not the manifest
            real_write_all(fd, data[:4096])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(fd, data)

    monkeypatch.setattr(files, "_write_all", full)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    code, err = cli(capsys, "build", "--root", str(ROOT), "--lang", "en", "--lang", "fr",
                    "--out", str(out), "--allow-incomplete", "-q")
    assert code == 1
    assert err[-1] == (f"{out / 'en' / 'hsg.pdf'}: cannot write file: No space left on device; "
                       "nothing was replaced")
    assert hashlib.sha256((out / "en/hsg.pdf").read_bytes()).hexdigest() == before["en/hsg.pdf"]
    assert pdfs(manifest_is_honest(out)) == {"es/hsg.pdf"}


# SIGKILL: the build is stopped at a chosen point by a wrapper that pauses there.
KILLABLE = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
point = sys.argv[2]
real_fsync, real_replace = os.fsync, os.replace

def pause():
    print("ready", flush=True)
    time.sleep(120)

def fsync(fd):
    real_fsync(fd)
    if point == "writing-pdf" and os.fstat(fd).st_size > 8000:
        pause()

def replace(src, dst, **kwargs):
    real_replace(src, dst, **kwargs)
    if point == "after-first-pdf" and str(dst).endswith(".pdf"):
        pause()
    if point == "after-front-desk-page" and str(dst).endswith("index.html"):
        pause()

os.fsync, os.replace = fsync, replace
from leaflets.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("point", ["writing-pdf", "after-first-pdf", "after-front-desk-page"])
def test_sigkill_mid_build_leaves_no_partial_file_and_an_honest_manifest(point, renderer,
                                                                         tmp_path, monkeypatch):
    out = tmp_path / "out"
    # without es first, the page gains a card and index.html changes too
    before = first_build(out, renderer, monkeypatch, ("en", "fr") if "page" in point else
                         ("en", "fr", "es"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "2000000000"}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(ROOT), point, "build", "--root", str(ROOT),
         "--lang", "en", "--lang", "fr", "--lang", "es", "--out", str(out),
         "--allow-incomplete", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        assert process.stdout.readline() == "ready\n"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    entries = manifest_is_honest(out)
    now = {p: hashlib.sha256((out / p).read_bytes()).hexdigest() for p in before}
    if point == "after-first-pdf":
        assert now["en/hsg.pdf"] != before["en/hsg.pdf"]  # the kill came after a replacement
        assert "en/hsg.pdf" not in pdfs(entries)
        assert now["es/hsg.pdf"] == before["es/hsg.pdf"]
    if point == "after-front-desk-page":
        assert now["index.html"] != before["index.html"]
        assert "index.html" not in {entry["path"] for entry in entries}
    # the next build finishes the job
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    assert build(Project(ROOT), BuildOptions(langs=("en", "fr", "es"), out=out,
                                             allow_incomplete=True), renderer).ok
    assert len(pdfs(manifest_is_honest(out))) == 3


def test_stale_temp_files_are_removed_by_the_next_build(renderer, tmp_path):
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    (out / "en" / ".hsg.pdf.1a2b3c4d.tmp").write_bytes(b"%PDF-1.7 cut short")
    assert build(Project(ROOT), BuildOptions(langs=("en",), out=out), renderer).ok
    manifest_is_honest(out)


# Two builds into one folder.

def test_a_second_build_waits_for_the_lock_then_fails_clearly(renderer, tmp_path):
    out = tmp_path / "out"
    with locked_folder(out, timeout=0):
        with pytest.raises(LeafletError) as caught:
            build(Project(ROOT), BuildOptions(langs=("en",), out=out, lock_timeout=0.2), renderer)
    assert str(caught.value) == (f"{out}: another build is writing to this folder; wait for it "
                                 "to finish or choose another --out folder")
    assert not list(out.rglob("*.pdf"))


def test_builds_into_one_folder_serialise(renderer, tmp_path, caplog):
    out = tmp_path / "out"
    waiting = threading.Event()

    class Seen(logging.Handler):
        def emit(self, record):
            if "waiting for another build" in record.getMessage():
                waiting.set()

    handler = Seen()
    logging.getLogger("leaflets.files").addHandler(handler)
    logging.getLogger("leaflets.files").setLevel(logging.INFO)
    results = []
    try:
        with locked_folder(out, timeout=0):
            thread = threading.Thread(target=lambda: results.append(
                build(Project(ROOT), BuildOptions(langs=("en",), out=out), renderer)))
            thread.start()
            assert waiting.wait(timeout=60)
            assert not list(out.rglob("*.pdf"))  # it waits for us, it does not write
        thread.join(timeout=60)
    finally:
        logging.getLogger("leaflets.files").removeHandler(handler)
    assert results and results[0].ok
    assert len(pdfs(manifest_is_honest(out))) == 1


def test_two_processes_into_one_folder(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "generate.py"), "build", "--root", str(ROOT),
               "--lang", "en", "--out", str(out), "-q"]
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert pdfs(manifest_is_honest(out)) == {"en/hsg.pdf"}


# Property: any Unicode string as a translation renders and reads back, or fails with our
# one error type; nothing is ever written outside the output folder.

@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory) -> Project:
    return copy_project(tmp_path_factory.mktemp("fuzz"))


PIECES = st.sampled_from(["<strong>", "</strong>", "<img src=x>", "<!--", "{{ 7*7 }}", "{%",
                          "%(page)s", "%%", "%", "&amp;", "&", "<", ">", '"', "'", "\\", "\n",
                          "\u2028", "\u200f", "\u0301", "ﬁ", "é", "ß", "ı", " ", "a"])
TRANSLATIONS = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), min_size=1,
                                 max_size=40),
                         st.lists(PIECES, min_size=1, max_size=12).map("".join))


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TRANSLATIONS)
def test_any_translation_renders_or_fails_cleanly(text, fuzz_project, renderer):
    po = fuzz_project.po_path("fr", "hsg")
    shutil.copyfile(ROOT / FR_HSG, po)
    set_translation(fuzz_project, "fr", "hsg", SHORT_ANSWER, text)
    out = fuzz_project.root / "out"
    shutil.rmtree(out, ignore_errors=True)
    before = _files(fuzz_project.root)
    try:
        result = build(fuzz_project, BuildOptions(langs=("fr",), out=out, allow_incomplete=True),
                       renderer)
    except LeafletError as exc:
        assert str(exc)
        result = None
    assert all(path.is_relative_to(out) for path in _files(fuzz_project.root) - before)
    if result is None:
        return
    if not result.ok:
        (outcome,) = result.failed
        assert outcome.blocking and all(str(f).startswith("locales/") for f in outcome.blocking)
        assert not (out / "fr" / "hsg.pdf").exists()
        return
    shown = unicodedata.normalize("NFKC", normalize(pdftotext(out / "fr" / "hsg.pdf")))
    # what the reader sees: entities decoded, %% formatted to %
    wanted = text.replace("&amp;", "&").replace("%%", "%")
    wanted = unicodedata.normalize("NFKC", normalize(wanted))
    assert wanted in shown
