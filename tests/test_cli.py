"""The command line: exit codes, one-line errors with file:line, no tracebacks, nothing half-done."""

from __future__ import annotations

import re

from conftest import normalize, pdftotext, run_cli

from leaflets.catalogs.pofile import read_po, write_po_file


def assert_clean_error(proc, code=1):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_language(tmp_path):
    proc = run_cli("build", "--lang", "xx", "--out", str(tmp_path))
    assert_clean_error(proc, 2)  # a usage error, like every other
    assert proc.stderr.count("\n") == 1 and "unknown language 'xx'" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_unknown_leaflet(tmp_path):
    proc = run_cli("build", "--leaflet", "nope", "--out", str(tmp_path))
    assert_clean_error(proc, 2)
    assert "unknown leaflet 'nope'" in proc.stderr


def test_usage_error_exits_2(tmp_path):
    proc = run_cli("build", "--paper", "a5", "--out", str(tmp_path))
    assert_clean_error(proc, 2)


def test_malformed_catalog_names_file_and_line_and_writes_nothing(project_copy, tmp_path):
    po = project_copy.po_path("es", "hsg")
    lines = po.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("msgstr ") and i > 20)
    lines[target] = lines[target].rstrip('"')  # unterminated string
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(project_copy.root), "--out", str(out))
    assert_clean_error(proc)
    assert proc.stderr.splitlines()[0].startswith(f"locales/es/LC_MESSAGES/hsg.po:{target + 1}: ")
    assert not out.exists()  # not even the languages that were fine


def test_template_error_names_file_and_line(project_copy, tmp_path):
    template = project_copy.templates / "hsg.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[20] += " {% if %}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("build", "--root", str(project_copy.root), "--out", str(tmp_path / "o"))
    assert_clean_error(proc)
    assert proc.stderr.startswith("templates/hsg.html:21: template syntax error")


def blank_one(project_copy, lang="es"):
    path = project_copy.po_path(lang, "hsg")
    po = read_po(path)
    message = po.catalog.get("Bring a sanitary pad, as you may have some light bleeding afterwards.")
    message.string = ""
    write_po_file(path, po.catalog, {k: v for k, v in po.headers.items() if k.startswith("X-")})
    return read_po(path).catalog.get(message.id).lineno


def test_missing_translation_is_listed_and_no_pdf_written(project_copy, tmp_path):
    lineno = blank_one(project_copy)
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(project_copy.root), "--lang", "es", "--lang", "fr",
                   "--out", str(out))
    assert_clean_error(proc)
    assert (f'locales/es/LC_MESSAGES/hsg.po:{lineno}: untranslated: "Bring a sanitary pad'
            in proc.stderr)
    assert not (out / "es" / "hsg.pdf").exists()
    assert (out / "fr" / "hsg.pdf").exists()  # other languages still build


def test_fuzzy_translation_is_refused(project_copy, tmp_path):
    path = project_copy.po_path("fr", "hsg")
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgid "The short answer"', '#, fuzzy\nmsgid "The short answer"', 1)
    path.write_text(text, encoding="utf-8")
    proc = run_cli("build", "--root", str(project_copy.root), "--lang", "fr",
                   "--out", str(tmp_path / "o"))
    assert_clean_error(proc)
    assert re.search(r'locales/fr/LC_MESSAGES/hsg.po:\d+: fuzzy: "The short answer"', proc.stderr)


def test_allow_incomplete_prints_a_visible_notice(project_copy, tmp_path):
    blank_one(project_copy)
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(project_copy.root), "--lang", "es",
                   "--allow-incomplete", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "incomplete translation" in proc.stderr
    text = normalize(pdftotext(out / "es" / "hsg.pdf"))
    notice = read_po(project_copy.po_path("es", "common")).catalog.get("Incomplete translation.")
    assert normalize(notice.string) in text
    assert "Bring a sanitary pad" in text  # shown in English, but announced


def test_unsafe_translation_is_never_rendered(project_copy, tmp_path):
    path = project_copy.po_path("es", "hsg")
    po = read_po(path)
    message = po.catalog.get("The short answer")
    message.string = '<img src="http://127.0.0.1:9/x.png">La respuesta'
    write_po_file(path, po.catalog, {k: v for k, v in po.headers.items() if k.startswith("X-")})
    proc = run_cli("build", "--root", str(project_copy.root), "--lang", "es",
                   "--allow-incomplete", "--out", str(tmp_path / "o"))
    assert_clean_error(proc)
    assert "translation adds markup its source does not have: <img" in proc.stderr
    assert "[markup]" in proc.stderr
    assert not (tmp_path / "o" / "es" / "hsg.pdf").exists()


def test_zh_hyphen_code_is_accepted(tmp_path):
    proc = run_cli("build", "--lang", "zh-Hans", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "zh_Hans" / "hsg.pdf").exists()


def test_ci_log_has_one_line_per_pdf_and_a_noop_rebuild_says_unchanged(tmp_path):
    first = run_cli("build", "--lang", "en", "--lang", "es", "--out", str(tmp_path))
    assert first.returncode == 0, first.stderr
    lines = [line.split() for line in first.stderr.splitlines() if line.startswith("[")]
    assert [line[0] for line in lines] == ["[1/2]", "[2/2]"]
    assert {line[1] for line in lines} == {"built"}
    assert {line[2] for line in lines} == {f"{tmp_path}/en/hsg.pdf", f"{tmp_path}/es/hsg.pdf"}
    again = run_cli("build", "--lang", "en", "--lang", "es", "--out", str(tmp_path))
    assert again.returncode == 0
    assert [line.split()[1] for line in again.stderr.splitlines() if line.startswith("[")] == \
        ["unchanged", "unchanged"]
    assert "2 of 2 PDFs published (0 rebuilt, 2 unchanged)" in again.stderr


def test_translator_workflow_from_init_to_printed_leaflet(project_copy, tmp_path):
    """README's "For translators": init, translate, status and check green, proof, build."""
    from leaflets.translators.pseudo import accent_letters

    root = ["--root", str(project_copy.root)]
    assert run_cli("init", "de", *root).returncode == 0
    status = run_cli("status", "--lang", "de", *root)
    assert "hsg      de" in status.stdout and status.stdout.rstrip().endswith("no")
    assert run_cli("check", "--lang", "de", *root).returncode == 1
    for domain in ("common", "edition", "hsg"):  # the translator's work, done by a stand-in
        path = project_copy.po_path("de", domain)
        po = read_po(path)
        for message in po.catalog:
            if message.id:
                message.string = accent_letters(message.id)
        write_po_file(path, po.catalog, headers=po.headers)
    status = run_cli("status", "--lang", "de", *root)
    assert status.stdout.splitlines()[1].split()[2:6] == ["105", "0", "0", "100.0%"]
    assert status.stdout.rstrip().endswith("yes")
    check = run_cli("check", "--lang", "de", *root)
    assert check.returncode == 0, check.stdout
    assert run_cli("proof", "de", "--out", str(tmp_path / "proof.pdf"), *root).returncode == 0
    build = run_cli("build", "--lang", "de", "--out", str(tmp_path / "dist"), *root)
    assert build.returncode == 0, build.stderr
    assert "Ŧħḗ şħǿřŧ ȧƞşẇḗř" in normalize(pdftotext(tmp_path / "dist" / "de" / "hsg.pdf"))
