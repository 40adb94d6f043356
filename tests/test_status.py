"""status and check: counts, review state, printability, and located findings."""

from __future__ import annotations

import json

from conftest import run_cli

from leaflets.catalogs.pofile import read_po, write_po_file
from leaflets.translators.status import check, status, status_table


def edit(project, lang, domain, change):
    """Change one catalog through Babel, keeping its headers."""
    path = project.po_path(lang, domain)
    po = read_po(path)
    change(po.catalog)
    write_po_file(path, po.catalog, headers=po.headers)
    return read_po(path, project.rel(path))


def test_repository_status_is_complete(project):
    rows = {row.lang: row for row in status(project)}
    assert set(rows) == set(project.languages())
    assert rows["en"].review == "source" and rows["en"].counts.percent == 100.0
    for row in rows.values():
        assert row.counts.total == rows["en"].counts.total > 50
        assert row.printable and row.counts.translated == row.counts.total
    assert "hsg      zh_Hans" in status_table(list(rows.values()))


def test_fuzzy_and_untranslated_are_counted_and_block_printing(project_copy):
    def change(catalog):
        messages = [m for m in catalog if m.id]
        messages[0].flags.add("fuzzy")
        messages[1].string = ""
    edit(project_copy, "es", "hsg", change)
    row = next(r for r in status(project_copy, langs=["es"]) if r.lang == "es")
    total = row.counts.total
    assert (row.counts.fuzzy, row.counts.untranslated, row.counts.translated) == (1, 1, total - 2)
    assert row.counts.percent == int(1000 * (total - 2) / total) / 10
    assert not row.printable and any("fuzzy" in p for p in row.problems)


def test_review_status_comes_from_the_header(project_copy):
    for domain in ("common", "edition", "hsg"):
        path = project_copy.po_path("fr", domain)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"X-Medical-Reviewer: none\\n"',
                                     '"X-Medical-Reviewer: Dr Claire Martin\\n"'),
                        encoding="utf-8")
    rows = {r.lang: r for r in status(project_copy)}
    assert rows["fr"].review == "reviewed by Dr Claire Martin"
    assert rows["es"].review == "not reviewed"


def test_status_json(project_copy):
    proc = run_cli("status", "--json", "--lang", "ar", "--root", str(project_copy.root))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["lang"] for r in rows] == ["ar"]
    assert {"leaflet", "translated", "fuzzy", "untranslated", "total", "percent", "review",
            "printable"} <= set(rows[0])


def test_repository_check_has_no_errors(project):
    assert [str(f) for f in check(project) if f.error] == []


def test_check_reports_file_line_and_check_name(project_copy):
    def change(catalog):
        message = catalog.get("Sadly, about 1 in 8 pregnancies end in miscarriage in women who "
                              "know they are pregnant. This is the NHS figure, and it is the same "
                              "with or without an HSG. Most early miscarriages happen because of "
                              "a problem with the chromosomes of the pregnancy.")
        message.string = message.string.replace("8", "7", 1)
    po = edit(project_copy, "es", "hsg", change)
    lineno = next(m.lineno for m in po.catalog if m.id and m.id.startswith("Sadly"))
    proc = run_cli("check", "--lang", "es", "--root", str(project_copy.root))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"locales/es/LC_MESSAGES/hsg.po:{lineno}: numbers differ from the source: "
        "translation drops 8; adds 7; a changed number in a medical leaflet is an error "
        "[numbers]"]
    assert "1 errors" in proc.stderr


def test_check_reports_missing_and_stale_messages(project_copy):
    template = project_copy.templates / "hsg.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "The short answer", "The short answer, in brief"), encoding="utf-8")
    findings = check(project_copy, ["pl"])
    assert {(f.check, f.error) for f in findings} == {("missing", True), ("stale", False)}


def test_check_warnings_pass_unless_strict(project_copy):
    root = str(project_copy.root)
    proc = run_cli("check", "--lang", "fr", "--root", root)
    assert proc.returncode == 0 and ": warning: " in proc.stdout and "[unchanged]" in proc.stdout
    assert run_cli("check", "--lang", "fr", "--strict", "--root", root).returncode == 1


def test_check_on_malformed_catalog_is_one_line(project_copy):
    path = project_copy.po_path("uk", "common")
    path.write_bytes(path.read_bytes() + b'\nmsgid "x"\nmsgstr "\\z"\n')
    proc = run_cli("check", "--root", str(project_copy.root))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("locales/uk/LC_MESSAGES/common.po:")
    assert len(proc.stderr.splitlines()) == 1
