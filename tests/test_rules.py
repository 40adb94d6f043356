"""Rules: check, status --json, build and build --release give one verdict on every bad input.

Every case of the bad-input corpus (tests/fixtures/bad/cases.json: whole catalogs;
edits.json: edits of the project's own French catalog) goes through the four commands as
a user runs them; they must agree on printable or not and on every file:line reason.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Message

from conftest import FIXTURES, ROOT, copy_project
from leaflets.building import rules
from leaflets.catalogs.checkers import CheckFailed, allowed_character, check_characters
from leaflets.catalogs.pofile import po_bytes, read_po
from leaflets.cli import main
from leaflets.project import Project
from leaflets.render import pdf

BAD = FIXTURES / "bad"
CASES = {name: case for name, case in json.loads((BAD / "cases.json").read_text()).items()
         if not name.startswith("_")}
EDITS = {name: case for name, case in json.loads((BAD / "edits.json").read_text()).items()
         if not name.startswith("_")}
FR_HSG = "locales/fr/LC_MESSAGES/hsg.po"


@pytest.fixture(scope="module")
def corpus_project(tmp_path_factory):
    """One copy of the project for every case (its fr/hsg.po is restored before each), and
    one renderer for it, so the four commands cost a render each, not a WeasyPrint start."""
    project = copy_project(tmp_path_factory.mktemp("corpus"))
    shared = pdf.Renderer(project.template_dirs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "Renderer", lambda *args, **kwargs: shared)
        yield project


def _restore(project: Project) -> Path:
    target = project.root / FR_HSG
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    shutil.copyfile(ROOT / FR_HSG, target)
    return target


def _first_with_digit(po):
    return next(m for m in po.catalog if m.id and isinstance(m.string, str)
                and re.search(r"\d", m.string))


def apply_edit(project: Project, case: dict, monkeypatch, tmp_path) -> None:
    """Make the case's change to fr/hsg.po, as a translator (or a broken disk) would."""
    path = project.root / FR_HSG
    edit = case["edit"]
    po = read_po(path, FR_HSG)
    if edit in ("number", "around-number", "insert", "fuzzy"):
        message = _first_with_digit(po)
        number = re.search(r"\d+", message.string).group(0)
        if edit == "number":
            message.string = message.string.replace(number, str(int(number) + 1), 1)
        elif edit == "around-number":
            before, after = case["chars"]
            message.string = message.string.replace(number, before + number + after, 1)
        elif edit == "insert":
            message.string = message.string.replace(" ", " " + case["chars"], 1)
        else:
            message.flags.add("fuzzy")
        path.write_bytes(po_bytes(po.catalog, headers=po.headers))
    elif edit == "append":
        path.write_text(path.read_text(encoding="utf-8") + case["text"], encoding="utf-8")
    elif edit == "newline":
        text = path.read_bytes().decode("utf-8")
        path.write_bytes(text.replace("\n", case["newline"]).encode("utf-8"))
    elif edit == "utf-16":
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    elif edit == "folder":
        path.unlink()
        path.mkdir()
    elif edit == "loop":
        path.unlink()
        path.symlink_to("hsg.po")
    elif edit == "outside":
        outside = tmp_path / "elsewhere.po"
        shutil.copyfile(ROOT / FR_HSG, outside)
        path.unlink()
        path.symlink_to(outside)
    elif edit == "no-font":  # the project chooses a font that is not installed
        with (project.root / "leaflets.toml").open("a", encoding="utf-8") as f:
            f.write('\n[fonts]\nLatn = ["Noto Sans Not Installed"]\n')
    else:
        raise AssertionError(f"unknown edit {edit!r}")


def run(capsys, *args: str) -> tuple[int, list[str], list[str]]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out.splitlines(), [line for line in out.err.splitlines() if line]


def four_verdicts(project: Project, capsys, tmp_path) -> dict[str, tuple]:
    """(exit status, printable, reasons) from check, status --json, build and build --release."""
    root = ("--root", str(project.root), "--lang", "fr")
    verdicts = {}
    code, out, err = run(capsys, "check", *root)
    errors = [line for line in out if ": warning: " not in line]
    verdicts["check"] = (code, code == 0, set(errors) if out or code == 0 else set(err))
    code, out, err = run(capsys, "status", "--json", *root)
    if code == 0:
        (row,) = [r for r in json.loads("\n".join(out)) if r["leaflet"] == "hsg"]
        verdicts["status"] = (1 if not row["printable"] else 0, row["printable"],
                              set(row["problems"]))
    else:
        verdicts["status"] = (code, False, set(err))
    for name, extra in (("build", ()), ("release", ("--release", "--allow-unreviewed"))):
        out_dir = tmp_path / name
        code, _, err = run(capsys, "build", *root, "--out", str(out_dir), "-q", "--jobs", "1",
                           *extra)
        reasons = {line for line in err if not line.startswith(("error: ", "removed "))}
        verdicts[name] = (code, code == 0 and (out_dir / "fr" / "hsg.pdf").is_file(), reasons)
    return verdicts


def assert_agree(verdicts: dict[str, tuple]) -> tuple[bool, set[str]]:
    (printable, reasons), = {(v[1], frozenset(v[2])) for v in verdicts.values()} or [(None, ())]
    return printable, set(reasons)


CORPUS = [("file", name) for name in sorted(CASES)] + [("edit", name) for name in EDITS]


@pytest.mark.parametrize("kind, name", CORPUS, ids=[f"{k}:{n}" for k, n in CORPUS])
def test_check_status_build_and_release_agree(kind, name, corpus_project, capsys, tmp_path,
                                              monkeypatch):
    target = _restore(corpus_project)
    if kind == "file":
        case = CASES[name]
        shutil.copyfile(BAD / "catalogs" / name, target)
    else:
        case = EDITS[name]
        apply_edit(corpus_project, case, monkeypatch, tmp_path)
    verdicts = four_verdicts(corpus_project, capsys, tmp_path)
    shown = {command: (v[0], v[1], sorted(v[2])[:4]) for command, v in verdicts.items()}
    assert len({(v[1], frozenset(v[2])) for v in verdicts.values()}) == 1, shown
    printable, reasons = verdicts["check"][1], verdicts["check"][2]
    assert all(v[0] == (0 if printable else 1) for v in verdicts.values()), shown
    if kind == "file" and case["error"] is not None:  # the reader refuses: one line, everywhere
        where = f"{FR_HSG}:{case['line']}: " if case["line"] else f"{FR_HSG}: "
        assert len(reasons) == 1 and next(iter(reasons)).startswith(where), shown
        assert case["error"] in next(iter(reasons))
    elif kind == "file" and case.get("rule"):
        assert not printable
        assert any(r.startswith(f"{FR_HSG}:{case['line']}: ") and r.endswith(f"[{case['rule']}]")
                   and case["finding"] in r for r in reasons), shown
    elif kind == "edit" and "error" in case:
        assert len(reasons) == 1 and next(iter(reasons)).startswith(case["error"]), shown
    elif kind == "edit":
        assert printable == case["printable"], shown
        found = {re.search(r"\[([\w-]+)\]$", r).group(1) for r in reasons}
        assert set(case["rules"]) <= found, shown
    # every reason is one line, file first, rule last
    for reason in reasons:
        assert reason.startswith("locales/") and "\n" not in reason, reason
        if not (kind == "file" and case["error"]) and "error" not in case:
            assert re.search(r" \[[\w-]+\]$", reason), reason


def test_every_rule_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Checks"):]
    section = section[:section.index("\n## ", 4)]
    for name, rule in rules.RULES.items():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{name}` |")),
                   None)
        assert row is not None, f"rule {name} is not in README's table of checks"
        assert f"| {rule.level} |" in row, row


# --- Characters a translation may contain ---------------------------------------------

def _fribidi_visual(text: str, rtl: bool) -> str:
    """``text`` in visual order by FriBidi, the bidi algorithm Pango (WeasyPrint) uses."""
    lib = ctypes.CDLL("libfribidi.so.0")
    size = len(text)
    logical = (ctypes.c_uint32 * size)(*map(ord, text))
    visual = (ctypes.c_uint32 * size)()
    base = ctypes.c_uint32(0x00000111 if rtl else 0x00000110)  # FRIBIDI_PAR_RTL / _LTR
    assert lib.fribidi_log2vis(logical, size, ctypes.byref(base), visual, None, None, None)
    return "".join(chr(c) for c in visual)


def _digits_in_visual_order(text: str, rtl: bool) -> str:
    return "".join(c for c in _fribidi_visual(text, rtl) if c.isdigit() or c == " ")


def _every_char(condition):
    return [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
            and condition(chr(c))]


ALLOWED_INVISIBLE = _every_char(lambda c: unicodedata.category(c).startswith("C")
                                and allowed_character(c) and c not in "\t\n")


def test_allowed_format_characters_are_the_bidi_neutral_ones():
    assert {"\u200c", "\u200d", "\u00ad", "\u2060"} <= set(ALLOWED_INVISIBLE)
    assert all(unicodedata.bidirectional(c) == "BN" for c in ALLOWED_INVISIBLE)
    for refused in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029" \
                   "\x85\x0c\x00\x1b\u200e\u200f\u061c\u0600\ue000":
        assert not allowed_character(refused), f"U+{ord(refused):04X}"


@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
def test_no_allowed_character_or_mark_reorders_digits(rtl):
    """Between and around numbers, an allowed character leaves their visual order alone."""
    marks = ALLOWED_INVISIBLE + ["\u0301", "\u064b", "\u093c", "\u0651", "\u00a0", "\u202f"]
    for sample in ("1 in 100", "12 34", "1 ب 100", "tel 01632 960100"):
        expected = _digits_in_visual_order(sample, rtl)
        for char in marks:
            for at in range(1, len(sample)):
                text = sample[:at] + char + sample[at:]
                assert _digits_in_visual_order(text, rtl) == expected, (sample, f"U+{ord(char):04X}")


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200f", "\u061c"],
                         ids=["RLO", "RLI", "RLM", "ALM"])
def test_each_refused_bidi_character_can_reorder_digits(char):
    """The refusal is not for show: each of these moves digits on paper."""
    moved = False
    for sample in ("1 in 100", "12 34"):
        for at in range(0, len(sample) + 1):
            text = sample[:at] + char + sample[at:]
            if _digits_in_visual_order(text, False) != _digits_in_visual_order(sample, False):
                moved = True
    assert moved


def test_a_character_the_source_has_is_allowed():
    check_characters(Message("Line\u2028break", "Ligne\u2028coupure"))
    with pytest.raises(CheckFailed) as caught:
        check_characters(Message("Plain", "Pla\u202ein"))
    assert caught.value.check == "characters" and "U+202E" in str(caught.value)


# --- Nothing removed silently ----------------------------------------------------------

def test_a_plain_build_says_which_pdf_it_removed_and_why(project_copy, capsys, tmp_path):
    out = tmp_path / "out"
    args = ("build", "--root", str(project_copy.root), "--lang", "fr", "--out", str(out), "-q",
            "--jobs", "1")
    assert run(capsys, *args)[0] == 0 and (out / "fr" / "hsg.pdf").is_file()
    path = project_copy.po_path("fr", "hsg")
    po = read_po(path, FR_HSG)
    message = _first_with_digit(po)
    number = re.search(r"\d+", message.string).group(0)
    message.string = message.string.replace(number, str(int(number) + 1), 1)
    path.write_bytes(po_bytes(po.catalog, headers=po.headers))
    code, _, err = run(capsys, *args)
    assert code == 1 and not (out / "fr" / "hsg.pdf").exists()
    assert f"removed {out / 'fr' / 'hsg.pdf'}, made by an earlier build: it is no longer " \
           "valid (the reasons above)" in err
    report = json.loads((out / "build-report.json").read_text())
    (job,) = report["leaflets"]
    assert job["removed"].startswith("removed fr/hsg.pdf, made by an earlier build: no longer "
                                     f"valid ({FR_HSG}:{message.lineno}: numbers differ")
    assert job["reasons"][0]["rule"] == "numbers"


# --- One catalog reader for every command ----------------------------------------------

@pytest.mark.parametrize("name", ["utf-16", "folder", "symlink-loop", "symlink-outside"])
@pytest.mark.parametrize("command", [("update",), ("init", "fr"), ("export", "fr"),
                                     ("import", "fr", "{xlf}"), ("proof", "fr")],
                         ids=lambda c: c[0])
def test_every_command_refuses_the_same_catalog_in_one_line(name, command, project_copy,
                                                            capsys, tmp_path, monkeypatch):
    case = EDITS[name]
    xlf = tmp_path / "fr.xlf"
    assert run(capsys, "export", "fr", "--root", str(project_copy.root), "--out", str(xlf),
               "-q")[0] == 0
    apply_edit(project_copy, case, monkeypatch, tmp_path)
    if command[0] == "init":  # a language started by hand, its hsg.po broken
        for domain in ("common", "edition"):
            project_copy.po_path("fr", domain).unlink()
    before = {p: p.read_bytes() for p in project_copy.locales.rglob("*.po") if p.is_file()}
    args = [part.format(xlf=xlf) for part in command]
    if command[0] in ("export", "proof"):
        args += ["--out", str(tmp_path / "out.file")]
    code, _, err = run(capsys, *args, "--root", str(project_copy.root), "-q")
    assert code == 1 and len(err) == 1 and err[0].startswith(case["error"]), err
    # a file the reader refuses is never rewritten, and nothing else is either
    assert {p: p.read_bytes() for p in project_copy.locales.rglob("*.po") if p.is_file()} == before
    assert not (tmp_path / "out.file").exists()


def test_update_never_rewrites_a_catalog_it_refuses(project_copy, capsys):
    path = project_copy.po_path("fr", "hsg")
    data = path.read_bytes().replace(b"\n", b"\r", 3)  # a lone CR among LF lines
    path.write_bytes(data)
    code, _, err = run(capsys, "update", "--root", str(project_copy.root), "-q")
    assert code == 1 and err == [f"{FR_HSG}:1: a carriage return (CR) inside a line: the file "
                                 "mixes line endings; save it again with one kind (LF or CRLF)"]
    assert path.read_bytes() == data


def test_a_cr_only_catalog_is_read_and_stays_cr_only(project_copy, capsys):
    path = project_copy.po_path("fr", "hsg")
    text = path.read_bytes().decode("utf-8")
    path.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    template = project_copy.templates / "hsg.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "The short answer", "The short answer, in brief"), encoding="utf-8")
    assert run(capsys, "update", "--root", str(project_copy.root), "-q")[0] == 0
    after = path.read_bytes()
    assert b"\n" not in after and b'msgid "The short answer, in brief"' in after
    po = read_po(path, FR_HSG)
    old = read_po(ROOT / FR_HSG, FR_HSG).catalog
    for message in old:  # every translation is still there
        if message.id and message.string:
            assert any(m.string == message.string for m in [*po.catalog,
                                                            *po.catalog.obsolete.values()])


def test_warnings_block_a_build_only_with_strict(project_copy, capsys, tmp_path):
    root = ("--root", str(project_copy.root), "--lang", "fr", "-q", "--jobs", "1")
    code, out, _ = run(capsys, "check", *root[:4])
    warnings = [line for line in out if ": warning: " in line]
    assert code == 0 and warnings, "the French catalog has no warning to test with"
    assert run(capsys, "build", *root, "--out", str(tmp_path / "plain"))[0] == 0
    code, _, err = run(capsys, "build", *root, "--strict", "--out", str(tmp_path / "strict"))
    assert code == 1 and set(warnings) <= set(err), err
    report = json.loads((tmp_path / "plain" / "build-report.json").read_text())
    assert report["leaflets"][0]["warnings"] == warnings
