"""The run-to-run build cache: reused when the inputs are the same bytes, never over changed ones."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from leaflets.building import build as build_module
from leaflets.building import jobs
from leaflets.building import frontdesk
from leaflets.building.build import BuildOptions, build
from leaflets.building.cache import CACHE_DIR, Memo, make_key
from leaflets.errors import Problem

CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_memo_round_trip_and_corrupt_entries_are_ignored(tmp_path):
    memo = Memo(tmp_path)
    key = make_key("test", "a", 1)
    assert memo.remember(key, lambda: {"x": [1, 2]}) == {"x": [1, 2]}
    assert memo.flush() == 1
    again = Memo(tmp_path)
    assert again.remember(key, lambda: pytest.fail("should be cached")) == {"x": [1, 2]}
    entry = tmp_path / f"{key}.json"
    for broken in (b"", b"{not json", json.dumps({"key": key, "sum": "0", "value": 5}).encode(),
                   json.dumps({"key": "other", "value": 5}).encode()):
        entry.write_bytes(broken)
        fresh = Memo(tmp_path)
        assert fresh.get(key) is None
        assert fresh.remember(key, lambda: "recomputed") == "recomputed"
    assert make_key("test", "a", 1) != make_key("test", "a", 2) != make_key("other", "a", 1)


def test_this_runs_entries_wait_on_disk_until_flushed(tmp_path):
    # a thumbnail per PDF: a library's worth must not stay in the build's memory
    memo = Memo(tmp_path)
    value = {"thumbnail": "iVBOR" * 20000, "pages": [1, 2]}
    key = make_key("facts", "x")
    memo.put(key, value)
    assert memo.get(key) == value and memo.get(key) is not value  # read back, not kept
    assert all(isinstance(where, tuple) for where in memo._new.values())
    assert memo.flush() == 1 and Memo(tmp_path).get(key) == value


def test_an_entry_of_another_shape_is_recomputed(tmp_path):
    memo = Memo(tmp_path)
    key = make_key("problems", 1)
    memo.put(key, [["path", "not a line", 3]])
    memo.flush()
    from leaflets.building.cache import problems_from

    value = Memo(tmp_path).remember(key, lambda: [Problem("p", 1, "m")],
                                    encode=lambda ps: [[p.path, p.lineno, p.message] for p in ps],
                                    decode=problems_from)
    assert value == [Problem("p", 1, "m")]


def test_a_cache_that_cannot_be_written_does_not_fail_the_build(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    memo = Memo(blocker / "cache")
    memo.put(make_key("x"), 1)
    assert memo.flush() == 0


def recorded(monkeypatch, owner, name: str) -> list:
    """Patch ``owner.name`` to record the first argument of each call; return the record."""
    calls, real = [], getattr(owner, name)

    def recording(first, *args, **kwargs):
        calls.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.fixture
def counted(monkeypatch):
    """Counts catalog parses and front desk thumbnails drawn."""
    calls = {"read_po": [], "pdf_facts": 0}
    real_read, real_facts = jobs.read_catalog, frontdesk.pdf_facts

    def read_catalog(project, lang, domain):
        calls["read_po"].append(f"locales/{lang}/LC_MESSAGES/{domain}.po")
        return real_read(project, lang, domain)

    def pdf_facts(data, *args):
        calls["pdf_facts"] += 1
        return real_facts(data, *args)

    monkeypatch.setattr(jobs, "read_catalog", read_catalog)
    monkeypatch.setattr(frontdesk, "pdf_facts", pdf_facts)
    return calls


def test_no_op_rebuild_parses_no_catalog_and_draws_no_thumbnail(project_copy, renderer,
                                                                tmp_path, counted):
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, release=True, allow_unreviewed=True)
    first = build(project_copy, options, renderer, created=CLOCK)
    assert first.ok and counted["read_po"] and counted["pdf_facts"] == 8
    assert (out / CACHE_DIR).is_dir()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()
              and CACHE_DIR not in p.parts}
    counted["read_po"].clear()
    counted["pdf_facts"] = 0
    again = build(project_copy, options, renderer, created=CLOCK)
    assert again.ok and not any(o.rebuilt for o in again.outcomes)
    assert counted["read_po"] == [] and counted["pdf_facts"] == 0
    assert {p: p.read_bytes() for p in before} == before
    # the verdicts came from the cache and are the same: same report, same manifest
    assert [o.verdict.findings for o in again.outcomes] == [
        o.verdict.findings for o in first.outcomes]


def test_one_edited_catalog_rebuilds_its_pdf_and_redraws_only_its_thumbnail(
        project_copy, renderer, tmp_path, counted, monkeypatch):
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1)
    build(project_copy, options, renderer, created=CLOCK)
    read = recorded(monkeypatch, frontdesk._PdfsOnDisk, "__getitem__")
    thumbs = {p.name: p.read_bytes() for p in (out / "frontdesk" / "thumbs").rglob("*.png")}
    po = project_copy.po_path("es", "hsg")
    po.write_text(po.read_text(encoding="utf-8").replace("#. ", "#. Edited: ", 1),
                  encoding="utf-8")
    counted["read_po"].clear()
    counted["pdf_facts"] = 0
    result = build(project_copy, options, renderer, created=CLOCK)
    assert [o.job.path for o in result.outcomes if o.rebuilt] == ["es/hsg.pdf"]
    assert counted["pdf_facts"] == 1  # the rebuilt PDF's; the other 7 thumbnails reused
    assert read == []  # nor were their PDFs read again for the front desk page
    assert set(counted["read_po"]) <= {"locales/es/LC_MESSAGES/hsg.po",
                                       "locales/es/LC_MESSAGES/common.po",
                                       "locales/es/LC_MESSAGES/edition.po"}
    assert {p.name: p.read_bytes() for p in (out / "frontdesk" / "thumbs").rglob("*.png")
            } == thumbs  # a comment does not change the page
    assert "es/hsg.pdf" in (out / "index.html").read_text()


def test_cache_is_never_trusted_over_a_changed_catalog(project_copy, renderer, tmp_path):
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, release=True, allow_unreviewed=True)
    assert build(project_copy, options, renderer, created=CLOCK).ok
    po = project_copy.po_path("fr", "hsg")
    text = po.read_text(encoding="utf-8")
    # make one translation unsafe: the cached verdict for the old bytes must not be used
    start = text.index('msgstr "', text.index("msgid \"", text.index("msgid \"") + 1))
    po.write_text(text[:start] + 'msgstr "<script>x</script>"' +
                  text[text.index("\n", start):], encoding="utf-8")
    result = build(project_copy, options, renderer, created=CLOCK)
    failed = {o.job.path: o for o in result.failed}
    assert list(failed) == ["fr/hsg.pdf"]
    assert any("markup" in str(p) for p in failed["fr/hsg.pdf"].problems)
    # and deleting the cache changes nothing about the verdicts
    import shutil

    shutil.rmtree(out / CACHE_DIR)
    fresh = build(project_copy, options, renderer, created=CLOCK)
    assert [str(p) for o in fresh.failed for p in o.problems] == [
        str(p) for o in result.failed for p in o.problems]


def test_no_cache_option_writes_no_cache(project_copy, renderer, tmp_path):
    out = tmp_path / "out"
    assert build(project_copy, BuildOptions(out=out, jobs=1, langs=("en",), cache=False),
                 renderer, created=CLOCK).ok
    assert not (out / CACHE_DIR).exists()
    elsewhere = tmp_path / "cache"
    assert build(project_copy, BuildOptions(out=out, jobs=1, langs=("en",), force=True,
                                            cache_dir=elsewhere), renderer, created=CLOCK).ok
    assert not (out / CACHE_DIR).exists() and any(elsewhere.rglob("*.json"))


def test_cache_is_never_trusted_over_changed_fonts(project_copy, renderer, tmp_path,
                                                   monkeypatch):
    # font-coverage findings depend on the installed fonts: a font file whose bytes change
    # (a font package installed, upgraded or removed) must make the catalogs be checked again
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, langs=("fr",))
    assert build(project_copy, options, renderer, created=CLOCK).ok
    real = build_module.font_hashes

    def upgraded(project, lang, **kwargs):
        return {family: {path: "0" * 64 for path in files}
                for family, files in real(project, lang, **kwargs).items()}

    checked = []
    real_check = build_module.check_job

    def check_job(project, job, *args, **kwargs):
        checked.append(job.path)
        return real_check(project, job, *args, **kwargs)

    monkeypatch.setattr(build_module, "check_job", check_job)
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert checked == []  # same fonts: the cached verdict serves
    monkeypatch.setattr(build_module, "font_hashes", upgraded)
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert checked == ["fr/hsg.pdf"]


def test_fontconfig_is_asked_once_and_again_when_font_folders_change(
        project_copy, renderer, tmp_path, monkeypatch):
    from leaflets import locales

    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, langs=("ar", "fr"))
    asked = recorded(monkeypatch, locales, "_ask_script_font")
    locales.script_font.cache_clear()  # what this process learned before the test
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert "ar" in asked
    asked.clear()
    locales.script_font.cache_clear()  # a new run: a new process
    result = build(project_copy, options, renderer, created=CLOCK)
    assert result.ok and asked == []  # the build cache answered
    assert [f for o in result.outcomes for f in o.verdict.findings] == [
        f for o in build(project_copy, options, renderer, created=CLOCK).outcomes
        for f in o.verdict.findings]
    monkeypatch.setattr(build_module, "font_dirs_signature", lambda: "fonts installed")
    locales.script_font.cache_clear()
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert "ar" in asked  # a font package came or went: fontconfig is asked again
    locales.script_font.cache_clear()


def test_cldr_is_asked_once_per_language_then_kept_by_the_build_cache(
        project_copy, renderer, tmp_path, monkeypatch):
    from leaflets import locales

    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, langs=("ar", "fr"))
    asked = recorded(monkeypatch, locales, "_cldr_language")
    locales.language.cache_clear()
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert {"ar", "fr"} <= set(asked)
    asked.clear()
    locales.language.cache_clear()  # a new run: a new process
    result = build(project_copy, options, renderer, created=CLOCK)
    assert result.ok and asked == []
    assert locales.language("ar").direction == "rtl"  # as CLDR says, from the cache
    locales.language.cache_clear()


def test_font_maps_and_template_messages_are_kept_and_read_again_when_their_files_change(
        project_copy, renderer, tmp_path, monkeypatch):
    from leaflets.catalogs import checkers, extract

    options = BuildOptions(out=tmp_path / "out", jobs=1, langs=("ar", "es"))
    coverage = recorded(monkeypatch, checkers, "_read_coverage")
    messages = recorded(monkeypatch, extract, "_read_messages")
    scans = []
    real_scan = checkers._scan_end_marks
    monkeypatch.setattr(checkers, "_scan_end_marks", lambda: scans.append(1) or real_scan())

    def new_run():  # a new process: nothing learned in memory
        for cached in (checkers.font_coverage, checkers.script_end_marks, checkers._end_marks,
                       extract._extract):
            cached.cache_clear()

    def edit_catalogs():  # a new comment in each catalog: every verdict is checked again
        for lang in ("ar", "es"):
            po = project_copy.po_path(lang, "hsg")
            po.write_text(po.read_text(encoding="utf-8").replace("#. ", "#. Edited: ", 1),
                          encoding="utf-8")

    new_run()
    assert build(project_copy, options, renderer, created=CLOCK).ok
    first = [f for o in build(project_copy, options, renderer, created=CLOCK).outcomes
             for f in o.verdict.findings]
    assert len(coverage) == 2 and scans and messages  # Arabic's fonts and Spanish's
    coverage.clear(), messages.clear(), scans.clear()
    new_run()
    edit_catalogs()
    result = build(project_copy, options, renderer, created=CLOCK)
    assert result.ok and (coverage, messages, scans) == ([], [], [])  # the cache answered
    assert [f for o in result.outcomes for f in o.verdict.findings] == first

    template = project_copy.templates / "hsg.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# edited #}\n",
                        encoding="utf-8")
    new_run()
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert [path.name for path in messages] == ["hsg.html"] and coverage == []

    real_sha256 = build_module.file_sha256  # a font file whose content changed
    monkeypatch.setattr(build_module, "file_sha256", lambda path: (
        "0" * 64 if str(path).endswith((".ttf", ".otf", ".ttc")) else real_sha256(path)))
    new_run()
    edit_catalogs()
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert len(coverage) == 2
