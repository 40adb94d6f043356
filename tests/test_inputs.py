"""Incremental builds: a PDF is rebuilt exactly when one of its inputs changed."""

from __future__ import annotations

from pathlib import Path

from leaflets.building.build import BuildOptions, build
from leaflets.building.filehashes import INDEX
from leaflets.building.inputs import job_inputs

LANGS = ("en", "es", "zh_Hans")


def snapshot(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file in ``out`` with its inode, mtime and content, but the file hash index:
    like git's index it is refreshed as the files it lists age (building/filehashes.py)."""
    return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != INDEX}


def rebuilt(result) -> list[str]:
    return sorted(outcome.job.path for outcome in result.outcomes if outcome.rebuilt)


def run(project, out, renderer, **options):
    result = build(project, BuildOptions(out=out, langs=LANGS, jobs=1, **options), renderer)
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    return result


def test_rebuild_with_nothing_changed_writes_nothing(project, renderer, tmp_path):
    assert rebuilt(run(project, tmp_path, renderer)) == [f"{lang}/hsg.pdf" for lang in LANGS]
    before = snapshot(tmp_path)
    result = run(project, tmp_path, renderer)
    assert rebuilt(result) == []
    assert len(result.written) == len(LANGS)
    assert snapshot(tmp_path) == before  # same files, same inodes, same mtimes


def test_changing_one_catalog_rebuilds_only_that_language(project_copy, renderer, tmp_path):
    out = tmp_path / "out"
    run(project_copy, out, renderer)
    before = snapshot(out)
    po = project_copy.po_path("es", "hsg")
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgstr "Fuentes"', 'msgstr "Fuentes consultadas"'), encoding="utf-8")
    assert rebuilt(run(project_copy, out, renderer)) == ["es/hsg.pdf"]
    after = snapshot(out)
    assert after["es/hsg.pdf"] != before["es/hsg.pdf"]
    assert after["en/hsg.pdf"] == before["en/hsg.pdf"]
    assert after["zh_Hans/hsg.pdf"] == before["zh_Hans/hsg.pdf"]


def test_changing_the_stylesheet_rebuilds_everything(project_copy, renderer, tmp_path):
    out = tmp_path / "out"
    run(project_copy, out, renderer)
    css = project_copy.templates / "leaflet.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* touched */\n", encoding="utf-8")
    assert len(rebuilt(run(project_copy, out, renderer))) == len(LANGS)


def test_force_rebuilds_everything_to_the_same_bytes(project, renderer, tmp_path):
    run(project, tmp_path, renderer)
    before = {path: data for path, (_, _, data) in snapshot(tmp_path).items()}
    assert len(rebuilt(run(project, tmp_path, renderer, force=True))) == len(LANGS)
    assert {path: data for path, (_, _, data) in snapshot(tmp_path).items()} == before


def test_a_damaged_pdf_is_rebuilt(project, renderer, tmp_path):
    run(project, tmp_path, renderer)
    (tmp_path / "es" / "hsg.pdf").write_bytes(b"%PDF-1.7 truncated")
    assert rebuilt(run(project, tmp_path, renderer)) == ["es/hsg.pdf"]


def test_inputs_hash_covers_settings_and_the_other_leaflets_do_not_count(project_copy):
    leaflet = project_copy.leaflets()[0]
    catalogs = [project_copy.po_path("es", "common"), project_copy.po_path("es", "hsg")]
    base = job_inputs(project_copy, leaflet, "es", catalogs, {"paper": "a4"})
    assert base == job_inputs(project_copy, leaflet, "es", catalogs, {"paper": "a4"})
    assert base != job_inputs(project_copy, leaflet, "es", catalogs, {"paper": "letter"})
    assert base != job_inputs(project_copy, leaflet, "pl", catalogs, {"paper": "a4"})
    # another leaflet's own template and metadata are not inputs of this one
    (project_copy.templates / "other.html").write_text("{% extends 'base.html' %}")
    (project_copy.templates / "other.toml").write_text('id = "other"\n')
    assert base == job_inputs(project_copy, leaflet, "es", catalogs, {"paper": "a4"})
    # a shared file under templates/ is
    (project_copy.templates / "logo.svg").write_text("<svg/>")
    assert base != job_inputs(project_copy, leaflet, "es", catalogs, {"paper": "a4"})


def test_a_changed_clinic_logo_rebuilds_the_branded_pdfs(project, renderer, tmp_path):
    import shutil

    from leaflets.clinic.profile import load_clinic

    folder = tmp_path / "clinic"
    shutil.copytree(project.root / "clinics", folder)
    clinic = load_clinic(folder / "example.toml", project)
    options = BuildOptions(out=tmp_path / "out", langs=("en",), jobs=1, clinic=clinic)
    assert build(project, options).ok
    assert rebuilt(build(project, options)) == []
    logo = folder / "riverside-logo.svg"
    logo.write_text(logo.read_text(encoding="utf-8").replace("</svg>", "<!-- v2 --></svg>"),
                    encoding="utf-8")
    assert rebuilt(build(project, options)) == ["en/hsg.pdf"]


def test_templates_of_many_leaflets_at_once_match_one_by_one(project_copy):
    from leaflets.building.inputs import template_hashes, templates_by_leaflet

    templates = project_copy.templates
    for new in ("abc", "xyz"):
        (templates / f"{new}.toml").write_text((templates / "hsg.toml").read_text().replace(
            'id = "hsg"', f'id = "{new}"'))
        (templates / f"{new}.html").write_text((templates / "hsg.html").read_text() + "\n")
    leaflets = project_copy.leaflets()
    assert len(leaflets) == 3
    together = templates_by_leaflet(project_copy, leaflets)
    assert together == {leaflet.id: template_hashes(project_copy, leaflet)
                        for leaflet in leaflets}
    assert "abc.html" not in together["hsg"] and "abc.html" in together["abc"]
    assert any(name == "base.html" for name in together["xyz"])  # the theme's, found too
