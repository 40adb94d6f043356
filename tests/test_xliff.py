"""XLIFF 1.2 exchange: export, import back, lossless round trip, located errors."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import FIXTURES, run_cli
from lxml import etree

from leaflets.catalogs.pofile import read_po
from leaflets.errors import CatalogError
from leaflets.catalogs.xliff import export_xliff, import_xliff

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


def catalogs(project, lang):
    return {d: project.po_path(lang, d).read_bytes() for d in ("common", "hsg")}


def test_export_is_xliff_12_with_one_file_per_catalog(project):
    root = etree.fromstring(export_xliff(project, "zh_Hans"))
    assert root.get("version") == "1.2"
    files = root.findall("x:file", NS)
    assert [f.get("original") for f in files] == ["common.po", "edition.po", "hsg.po"]
    assert {f.get("target-language") for f in files} == {"zh-Hans"}
    units = root.findall(".//x:trans-unit", NS)
    assert len(units) == sum(sum(1 for m in read_po(project.po_path("zh_Hans", d)).catalog if m.id)
                             for d in ("common", "edition", "hsg"))
    assert all(u.get("approved") == "yes" for u in units)


def test_round_trip_restores_catalogs_byte_for_byte(project_copy, tmp_path):
    original = catalogs(project_copy, "ar")
    xlf = tmp_path / "ar.xlf"
    xlf.write_bytes(export_xliff(project_copy, "ar"))
    for domain in ("common", "hsg"):  # an agency's copy with every translation gone
        path = project_copy.po_path("ar", domain)
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'msgstr "(?:[^"\\]|\\.)+"\n(?:".*"\n)*', 'msgstr ""\n', text),
                        encoding="utf-8")
    assert catalogs(project_copy, "ar") != original
    proc = run_cli("import", "ar", str(xlf), "--root", str(project_copy.root))
    assert proc.returncode == 0, proc.stderr
    assert catalogs(project_copy, "ar") == original


def test_round_trip_of_weblate_file_keeps_fuzzy_plural_context_previous(project_copy, tmp_path):
    path = project_copy.po_path("pl", "common")
    shutil.copy(FIXTURES / "weblate_pl_common.po", path)
    xlf = tmp_path / "pl.xlf"
    xlf.write_bytes(export_xliff(project_copy, "pl"))
    text = xlf.read_text(encoding="utf-8")
    assert 'resname="month"' in text and 'restype="x-gettext-plurals"' in text
    assert 'origin="previous"' in text  # the #| msgid travels as an alt-trans
    before = path.read_bytes()
    assert import_xliff(project_copy, "pl", xlf).changed == {}
    assert path.read_bytes() == before
    # the agency translates and approves the fuzzy entry and a plural form
    text = text.replace("Strona %(page)s</target>", "Strona %(page)s z %(pages)s</target>")
    text = text.replace("%(count)s stron</target>", "%(count)s stronami</target>")
    text = re.sub(r'approved="no"(?=[^>]*>\s*<source>Page)', 'approved="yes"', text)
    xlf.write_text(text, encoding="utf-8")
    assert import_xliff(project_copy, "pl", xlf).changed == {
        f"{project_copy.rel(path)}": 2}
    po = read_po(path)
    page = po.catalog.get("Page %(page)s of %(pages)s")
    assert page.string == "Strona %(page)s z %(pages)s" and not page.fuzzy
    assert po.catalog.get("May", "month").string == "Maj"
    assert po.headers["X-Generator"] == "Weblate 5.8.1"


def test_unit_not_in_catalog_is_a_located_error_and_changes_nothing(project_copy, tmp_path):
    xlf = tmp_path / "es.xlf"
    data = export_xliff(project_copy, "es").decode()
    data = data.replace("<source>The short answer</source>", "<source>A long answer</source>")
    xlf.write_text(data, encoding="utf-8")
    before = catalogs(project_copy, "es")
    lineno = data[: data.index("A long answer")].count("\n") + 1
    proc = run_cli("import", "es", str(xlf), "--root", str(project_copy.root))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.match(rf"{re.escape(str(xlf))}:\d+: no entry 'A long answer'", proc.stderr)
    assert abs(int(proc.stderr.split(":")[1]) - lineno) <= 3
    assert catalogs(project_copy, "es") == before


def test_file_for_another_language_is_refused(project_copy, tmp_path):
    xlf = tmp_path / "es.xlf"
    xlf.write_bytes(export_xliff(project_copy, "es"))
    with pytest.raises(CatalogError, match="for language es, not fr"):
        import_xliff(project_copy, "fr", xlf)


def test_garbage_is_refused(project_copy, tmp_path):
    xlf = tmp_path / "bad.xlf"
    xlf.write_bytes(b"\x00<xliff")
    with pytest.raises(CatalogError, match="not a readable XLIFF file"):
        import_xliff(project_copy, "fr", xlf)


@pytest.mark.parametrize("state, fuzzy", [("translated", False), ("final", False),
                                          ("needs-review-translation", True)])
def test_agency_target_state_decides_fuzzy(project_copy, tmp_path, state, fuzzy):
    xlf = tmp_path / "es.xlf"
    data = export_xliff(project_copy, "es").decode()
    root = etree.fromstring(data.encode())
    unit = next(u for u in root.iter("{%s}trans-unit" % NS["x"])
                if u.find("x:source", NS).text == "The short answer")
    unit.set("approved", "no")
    unit.find("x:target", NS).set("state", state)
    unit.find("x:target", NS).text = "En resumen"
    xlf.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    import_xliff(project_copy, "es", xlf)
    message = read_po(project_copy.po_path("es", "hsg")).catalog.get("The short answer")
    assert message.string == "En resumen" and message.fuzzy is fuzzy


def test_import_changes_only_the_translated_entries(project_copy, tmp_path):
    path = project_copy.po_path("pl", "common")
    shutil.copy(FIXTURES / "weblate_pl_common.po", path)
    xlf = tmp_path / "pl.xlf"
    xlf.write_text(export_xliff(project_copy, "pl").decode().replace(
        "Wstępne tłumaczenie.</target>", "Tłumaczenie robocze.</target>"), encoding="utf-8")
    import_xliff(project_copy, "pl", xlf)
    original = (FIXTURES / "weblate_pl_common.po").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == original.replace("Wstępne tłumaczenie.",
                                                                "Tłumaczenie robocze.")
