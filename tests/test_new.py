"""The tool for any clinic: 'leaflets new', commands outside a project, CLI conventions, the
wheel and sdist, and the portable fallbacks (no fcntl, no O_TMPFILE) tested on Linux."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, normalize, pdftotext

from leaflets import files

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1796083200"}  # 2026-12-01


def leaflets(*args: str, cwd: Path, module: bool = True) -> subprocess.CompletedProcess:
    """Run the command line as ``python -m leaflets`` (or ``generate.py``) in ``cwd``."""
    command = [sys.executable, "-m", "leaflets"] if module else [sys.executable,
                                                                  str(ROOT / "generate.py")]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=ENV)


def test_new_project_builds_straight_away(tmp_path):
    made = leaflets("new", "clinic", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "clinic"
    for name in ("leaflets.toml", "README.md", "templates/visiting.html",
                 "templates/visiting.toml", "locales/visiting.pot",
                 "locales/fr/LC_MESSAGES/visiting.po"):
        assert (project / name).is_file(), name
    assert not (project / "templates" / "base.html").exists()  # the theme's is used
    check = leaflets("check", cwd=project / "templates")  # found by walking up
    assert check.returncode == 0, check.stdout + check.stderr
    built = leaflets("build", "-j1", cwd=project)
    assert built.returncode == 0, built.stderr
    out = project / "dist"  # leaflets.toml's output folder
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = {entry["path"] for entry in manifest["documents"]} if isinstance(manifest, dict) \
        else {entry["path"] for entry in manifest}
    assert {"en/visiting.pdf", "fr/visiting.pdf"} <= paths
    assert (out / "index.html").is_file()
    text = normalize(pdftotext(out / "fr" / "visiting.pdf"))
    assert "Venir à la clinique" in text and "Ce qu’il faut apporter" in text
    assert "Visiting the clinic" in normalize(pdftotext(out / "en" / "visiting.pdf"))


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("keep me")
    made = leaflets("new", str(tmp_path), cwd=tmp_path)
    assert made.returncode == 2 and made.stderr.count("\n") == 1, made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


@pytest.mark.parametrize("args", [["build"], [], ["status"], ["check"], ["extract"], ["update"],
                                  ["init", "de"], ["proof", "fr"], ["export", "fr"], ["pseudo"],
                                  ["pack"], ["import", "fr", "x.xlf"]])
def test_outside_a_project_every_command_says_so_and_exits_2(tmp_path, args):
    proc = leaflets(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "not inside a leaflets project" in proc.stderr
    assert "Traceback" not in proc.stderr and "all checks passed" not in proc.stderr
    assert not any(tmp_path.iterdir())


def test_usage_names_the_program_as_invoked(tmp_path):
    assert leaflets("--help", cwd=tmp_path).stdout.startswith("usage: python -m leaflets")
    assert leaflets("--help", cwd=tmp_path, module=False).stdout.startswith("usage: generate.py")
    bad = leaflets("build", "--paper", "a5", cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("usage: python -m leaflets build")


@pytest.mark.parametrize("args", [["-q", "status", "--lang", "fr"],
                                  ["status", "-q", "--lang", "fr"],
                                  ["--root", str(ROOT), "status", "--lang", "fr"],
                                  ["status", "--lang", "fr", "--root", str(ROOT)]])
def test_global_options_before_or_after_the_command(tmp_path, args):
    proc = leaflets(*args, cwd=tmp_path if "--root" in args else ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "hsg" in proc.stdout and " fr " in proc.stdout


def test_unknown_language_and_leaflet_are_usage_errors(tmp_path):
    for args in (["status", "--lang", "xx"], ["status", "--leaflet", "nope"],
                 ["build", "--lang", "de", "--out", str(tmp_path)]):
        proc = leaflets(*args, cwd=ROOT)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, (args, proc.stderr)


# --- portability: the fallbacks Windows and macOS take, forced on Linux -------------------

def test_atomic_write_without_o_tmpfile(tmp_path, monkeypatch):
    """Where O_TMPFILE is missing: a hidden temporary file, renamed into place, none left."""
    monkeypatch.delattr(files.os, "O_TMPFILE", raising=False)
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(files.os, "replace",
                        lambda a, b: (renamed.append(Path(a).name), real_replace(a, b))[1])
    target = tmp_path / "out" / "a.pdf"
    files.atomic_write(target, b"first\n")
    files.atomic_write(target, b"second\r\n")
    assert target.read_bytes() == b"second\r\n"
    assert all(name.startswith(".a.pdf.") and name.endswith(files.TMP_SUFFIX) for name in renamed)
    assert len(renamed) == 2 and sorted(p.name for p in target.parent.iterdir()) == ["a.pdf"]


def test_atomic_write_without_o_tmpfile_leaves_nothing_when_interrupted(tmp_path, monkeypatch):
    monkeypatch.delattr(files.os, "O_TMPFILE", raising=False)
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")

    def interrupted(fd, data):
        os.write(fd, data[:3])
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(target, b"new content")
    assert target.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [target]


def test_without_fcntl_every_command_starts_and_the_build_lock_holds(tmp_path):
    """As on Windows: no fcntl (nor resource) module. The CLI imports, atomic writes work,
    and a second holder of the build lock waits, then gives up with the one-line error."""
    script = f"""
import sys
sys.modules["fcntl"] = None  # import fcntl now fails, as on Windows
sys.modules["resource"] = None
from pathlib import Path
import leaflets.cli, leaflets.building.build, leaflets.building.parallel
from leaflets import files
from leaflets.errors import LeafletError
out = Path({str(tmp_path)!r}) / "out"
with files.locked_folder(out, timeout=1):
    files.atomic_write(out / "x.pdf", b"data")
    try:
        with files.locked_folder(out, timeout=0.2):
            print("not locked")
    except LeafletError as exc:
        print("locked:", exc)
print("peak", leaflets.building.parallel._peak_rss_kb())
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert "locked:" in proc.stdout and "another build is writing" in proc.stdout, proc.stdout
    assert "peak 0" in proc.stdout
    assert (tmp_path / "out" / "x.pdf").read_bytes() == b"data"


# --- packaging: the wheel works in a fresh environment, the sdist can run its tests --------

@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dists")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


def test_wheel_carries_the_theme_and_sdist_the_tests(dists):
    [wheel] = dists.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("leaflets/theme/templates/base.html", "leaflets/theme/templates/leaflet.css",
                 "leaflets/theme/templates/frontdesk/index.html",
                 "leaflets/theme/locales/common.pot",
                 "leaflets/theme/locales/ar/LC_MESSAGES/edition.po", "leaflets/__main__.py"):
        assert name in names, name
    [sdist] = dists.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        inside = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in ("leaflets.toml", "generate.py", "templates/hsg.html", "locales/hsg.pot",
                 "locales/fr/LC_MESSAGES/hsg.po", "tests/conftest.py",
                 "tests/fixtures/broken.po", "clinics/example.toml",
                 "leaflets/theme/locales/fr/LC_MESSAGES/common.po"):
        assert name in inside, name


def test_wheel_in_a_fresh_environment_makes_and_builds_a_new_project(dists, tmp_path):
    [wheel] = dists.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # WeasyPrint and the other dependencies come from this machine's site-packages, not PyPI:
    # a .pth naming the folder adds it to sys.path without running the .pth files in it
    # (--system-site-packages would, and this checkout's editable install would win)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True).stdout
    system = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig."
                             "get_paths()['purelib'])"], capture_output=True, text=True,
                            check=True).stdout
    (Path(site.strip()) / "system-deps.pth").write_text(system.strip() + "\n")
    env = {k: v for k, v in ENV.items() if k != "PYTHONPATH"}  # nothing of this checkout
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                    "--disable-pip-version-check", str(wheel)], check=True, timeout=300,
                   capture_output=True, env=env, cwd=tmp_path)
    where = subprocess.run([str(python), "-c", "import leaflets; print(leaflets.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stderr  # not this checkout
    made = subprocess.run([str(bindir / "leaflets"), "new", "clinic"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    built = subprocess.run([str(bindir / "leaflets"), "build", "-j1"], cwd=tmp_path / "clinic",
                           env=env, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "clinic" / "dist"
    assert (out / "fr" / "visiting.pdf").is_file() and (out / "index.html").is_file()
    assert "Venir à la clinique" in normalize(pdftotext(out / "fr" / "visiting.pdf"))
