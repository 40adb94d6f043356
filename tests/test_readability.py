"""Readability of the English source: figures from textstat, limits from the leaflet's .toml."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, run_cli

from leaflets.catalogs import readability
from leaflets.project import Project

HARD = ("Notwithstanding contemporaneous radiological investigations, hysterosalpingography "
        "necessitates meticulous periovulatory scheduling, considering endometrial "
        "vascularisation and hypothetical teratogenicity.")


def test_the_hsg_leaflet_meets_its_limits(project):
    leaflet = project.leaflets()[0]
    score = readability.score_leaflet(project, leaflet)
    assert (score.max_fk_grade, score.max_smog) == (6.0, 9.5)  # from templates/hsg.toml
    assert 0 < score.fk_grade <= 6 and 0 < score.smog <= 9.5, score.summary()
    assert score.ok and readability.findings(project, leaflet) == []
    grades = [m.grade for m in score.messages]
    assert grades == sorted(grades, reverse=True)  # hardest first


def test_hard_text_fails_and_easy_text_passes():
    hard = readability.score_texts("x", [("templates/x.html", 3, HARD)] * 3, "en_GB", 6, 9.5)
    assert not hard.ok and hard.fk_grade > 6 and hard.smog > 9.5
    assert [m.lineno for m in hard.hard_messages] == [3, 3, 3]
    easy = readability.score_texts("x", [("templates/x.html", 1, "The cat sat on the mat. "
                                          "It was warm there. We were glad.")], "en_GB", 6, 9.5)
    assert easy.ok and easy.fk_grade < 3


def test_markup_and_placeholders_are_not_read_as_words():
    assert readability.plain_text("<strong>Call %(phone)s now</strong> if you can") == (
        "Call it now if you can.")
    assert readability.sentences("One two. Three four? Five") == ["One two.", "Three four?",
                                                                   "Five"]


def hard_copy(project_copy: Project) -> Project:
    html = project_copy.templates / "hsg.html"
    text = html.read_text(encoding="utf-8")
    html.write_text(text.replace("The pictures show the inside of your womb and whether your "
                                 "tubes are open.", HARD * 12), encoding="utf-8")
    return project_copy


def test_check_reports_the_leaflet_and_its_hardest_messages(project_copy):
    project = hard_copy(project_copy)
    found = readability.findings(project, project.leaflets()[0])
    assert found[0].error and found[0].path == "templates/hsg.toml"
    toml_lines = (project.templates / "hsg.toml").read_text(encoding="utf-8").splitlines()
    assert toml_lines[found[0].lineno - 1].startswith(("max_fk_grade", "max_smog"))
    assert "Flesch-Kincaid grade" in found[0].message and "SMOG" in found[0].message
    warnings = found[1:]
    assert warnings and not any(w.error for w in warnings)
    assert {w.check for w in warnings} == {"hard-sentence"}
    assert warnings[0].path == "templates/hsg.html" and "Notwithstanding" in warnings[0].message
    html_lines = (project.templates / "hsg.html").read_text(encoding="utf-8").splitlines()
    assert "Notwithstanding" in html_lines[warnings[0].lineno - 1]


def test_the_cli_check_fails_on_hard_english_and_shows_the_figures(project_copy):
    project = hard_copy(project_copy)
    result = run_cli("check", cwd=project.root)
    assert result.returncode == 1
    assert "templates/hsg.toml:" in result.stdout and "[readability]" in result.stdout
    assert "readability: hsg: Flesch-Kincaid grade" in result.stderr
    # one verdict: status shows the English leaflet as not printable, for the same reason
    rows = json.loads(run_cli("status", "--json", "--lang", "en", cwd=project.root).stdout)
    assert [row["printable"] for row in rows] == [False]
    assert any("templates/hsg.toml:" in p and "[readability]" in p for p in rows[0]["problems"])
    ok = run_cli("check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "readability: hsg: Flesch-Kincaid grade" in ok.stderr


def test_the_build_refuses_english_that_is_too_hard(project_copy, renderer, tmp_path):
    from leaflets.building.build import BuildOptions, build

    project = hard_copy(project_copy)
    result = build(project, BuildOptions(langs=("en",), out=tmp_path), renderer)
    assert not result.ok
    assert any("[readability]" in str(p) for o in result.failed for p in o.problems)


def test_scoring_never_uses_the_network():
    code = ("import socket\n"
            "def refuse(*a, **k): raise OSError('network used')\n"
            "socket.socket.connect = refuse\nsocket.create_connection = refuse\n"
            "socket.getaddrinfo = refuse\n"
            "from leaflets.catalogs import readability\n"
            f"print(readability.fk_grade({HARD!r}), readability.smog({HARD!r} * 3))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    fk, smog = map(float, result.stdout.split())
    assert fk > 6 and smog > 9.5
