"""Release gates: only what a clinic may print is published, with every reason for the rest."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import ROOT, normalize, pdftotext, run_cli

from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.pofile import read_po
from leaflets.catalogs.extract import leaflet_domains
from leaflets.project import Project
from leaflets.building.report import REPORT
from leaflets.building.rules import RULES

REVIEWER = "Dr Ana Test"
DOMAINS = leaflet_domains(Project(ROOT).leaflets()[0])  # common, edition, hsg


def sign_off(project, lang: str) -> None:
    """Record a medical reviewer in every catalog of ``lang``, as a reviewer would."""
    for path in (project.locales / lang / "LC_MESSAGES").glob("*.po"):
        text = path.read_text(encoding="utf-8")
        signed = text.replace('"X-Medical-Reviewer: none\\n"',
                              f'"X-Medical-Reviewer: {REVIEWER}\\n"')
        assert signed != text, path
        path.write_text(signed, encoding="utf-8")


def release(project, out, renderer, **options):
    return build(project, BuildOptions(out=out, release=True, jobs=1, **options), renderer)


def reasons(result, lang: str) -> list[tuple[str, str]]:
    outcome = next(o for o in result.outcomes if o.job.lang == lang)
    return [(RULES[f.check].gate, str(f.problem)) for f in outcome.blocking]


def test_release_of_the_repository_publishes_english_and_reports_unreviewed_drafts(tmp_path):
    project = Project(ROOT)
    result = run_cli("build", "--release", "--out", str(tmp_path))
    assert result.returncode == 1
    report = json.loads((tmp_path / REPORT).read_text())
    verdicts = {job["lang"]: job for job in report["leaflets"]}
    assert verdicts.pop("en")["status"] == "published"
    assert (tmp_path / "en" / "hsg.pdf").is_file()
    assert verdicts, "no translations in the repository"
    for lang, job in verdicts.items():
        assert job["status"] == "failed"
        # the drafts are complete and safe: being unreviewed is the only reason
        assert {r["gate"] for r in job["reasons"]} == {"unreviewed"}
        # the shared catalogs are the theme's, which this repository maintains
        assert {r["path"] for r in job["reasons"]} == {
            project.rel(project.po_path(lang, domain)) for domain in DOMAINS}
        assert f"leaflets/theme/locales/{lang}/LC_MESSAGES/common.po" in {
            r["path"] for r in job["reasons"]}
        assert not (tmp_path / lang / "hsg.pdf").exists()
        assert f"locales/{lang}/LC_MESSAGES/hsg.po: translation not signed off" in result.stderr
    assert report["release"] is True and report["summary"]["failed"] == len(verdicts)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [entry["lang"] for entry in manifest if entry["kind"] == "pdf"] == ["en"]


def test_allow_unreviewed_publishes_with_the_draft_notice(project, renderer, tmp_path):
    result = release(project, tmp_path, renderer, langs=("es",), allow_unreviewed=True)
    assert result.ok
    notice = read_po(project.po_path("es", "common")).catalog.get("Draft translation.").string
    assert normalize(notice) in normalize(pdftotext(tmp_path / "es" / "hsg.pdf"))
    assert result.written[0].review_status == "not reviewed"
    report = json.loads((tmp_path / REPORT).read_text())
    assert report["leaflets"][0]["notices"] == ["not reviewed"]


def test_signed_off_translation_is_released_without_notice(project_copy, renderer, tmp_path):
    sign_off(project_copy, "es")
    result = release(project_copy, tmp_path / "out", renderer, langs=("es",))
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    notice = read_po(project_copy.po_path("es", "common")).catalog.get("Draft translation.").string
    assert normalize(notice) not in normalize(pdftotext(tmp_path / "out" / "es" / "hsg.pdf"))
    assert result.written[0].review_status == f"reviewed by {REVIEWER}"


def test_every_gate_is_reported_together(project_copy, renderer, tmp_path):
    """Fuzzy, unsafe and unreviewed in one catalog: each reason is listed, nothing published."""
    path = project_copy.po_path("fr", "hsg")
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgid "What is an HSG?"', '#, fuzzy\nmsgid "What is an HSG?"', 1)
    text = re.sub(r'(msgid "Sources"\nmsgstr ")', r'\1<img src=x>', text, count=1)
    path.write_text(text, encoding="utf-8")
    result = release(project_copy, tmp_path / "out", renderer, langs=("fr",))
    found = reasons(result, "fr")
    assert [gate for gate, _ in found] == ["incomplete", "check"] + ["unreviewed"] * len(DOMAINS)
    assert found[0][1].startswith("locales/fr/LC_MESSAGES/hsg.po:") and "fuzzy" in found[0][1]
    assert "[markup]" in found[1][1] and "<img" in found[1][1]
    assert not (tmp_path / "out" / "fr" / "hsg.pdf").exists()


def test_passed_review_date_fails_every_language(project_copy, renderer, tmp_path, monkeypatch):
    leaflet = project_copy.leaflets()[0]
    after = dt.datetime.combine(leaflet.review + dt.timedelta(days=1), dt.time(),
                                dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(after.timestamp())))
    result = release(project_copy, tmp_path / "out", renderer, langs=("en",))
    assert reasons(result, "en") == [(
        "review-date", f"templates/hsg.toml: review date {leaflet.review.isoformat()} has passed; "
        "have the leaflet reviewed, then update 'review' (and 'version') in this file "
        "[review-date]")]
    assert not result.written


def test_page_limit_is_a_release_gate(project_copy, renderer, tmp_path):
    toml = project_copy.templates / "hsg.toml"
    toml.write_text(re.sub(r"max_pages = \d+", "max_pages = 1", toml.read_text()))
    result = release(project_copy, tmp_path / "out", renderer, langs=("en",))
    [(gate, text)] = reasons(result, "en")
    assert gate == "render" and "more than the limit of 1" in text


def test_a_failed_release_removes_the_stale_pdf(project, renderer, tmp_path):
    out = tmp_path / "out"
    assert build(project, BuildOptions(out=out, langs=("en", "uk"), jobs=1), renderer).ok
    assert (out / "uk" / "hsg.pdf").is_file()
    result = release(project, out, renderer, langs=("uk",))
    assert not result.ok
    assert not (out / "uk" / "hsg.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["lang"] for e in manifest if e["kind"] == "pdf"] == ["en"]  # the others are kept


@pytest.mark.parametrize("args", [["--allow-unreviewed"], ["--release", "--shard", "3/2"],
                                  ["--jobs", "0"], ["--release", "--allow-incomplete"]])
def test_release_usage_errors_exit_2(args, tmp_path):
    result = run_cli("build", *args, "--out", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert not list(tmp_path.iterdir())
