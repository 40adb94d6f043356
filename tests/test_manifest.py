"""The manifest: what each PDF is and what it was made from; shards merge into one."""

from __future__ import annotations

import hashlib
import json

from conftest import run_cli

from leaflets.building.build import BuildOptions, build
from leaflets.building.inputs import file_sha256, font_files
from leaflets.locales import language
from leaflets.building.manifest import manifest_json

FIELDS = {"leaflet", "lang", "variant", "path", "sha256", "bytes", "pages", "version",
          "catalogs", "complete", "completeness", "review_status", "fonts", "tool_version",
          "weasyprint_version", "inputs", "paper", "kind", "clinic"}


def test_every_entry_records_its_inputs(project, built):
    out, _ = built
    entries = json.loads((out / "manifest.json").read_text())
    assert [e["path"] for e in entries] == sorted(e["path"] for e in entries)
    for entry in (e for e in entries if e["kind"] == "pdf"):
        assert set(entry) == FIELDS
        assert entry["variant"] == "standard" and entry["version"] == project.leaflets()[0].version
        assert len(entry["inputs"]) == 64
        for catalog in entry["catalogs"]:
            assert catalog["sha256"] == file_sha256(project.root / catalog["path"])
            assert catalog["revision"]  # PO-Revision-Date
        if entry["lang"] == "en":
            assert entry["catalogs"] == [] and entry["completeness"] == "source"
        else:
            done, needed = entry["completeness"].split("/")
            assert done == needed and int(needed) > 40 and entry["complete"]
        allowed = language(entry["lang"]).fonts
        for font in entry["fonts"]:
            assert font["family"] in allowed
            assert font["sha256"] in {file_sha256(f) for f in font_files(font["family"])}


def test_shards_split_the_work_and_merge_into_the_full_manifest(project, renderer, built,
                                                                 tmp_path):
    full, _ = built
    parts = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}"
        result = build(project, BuildOptions(out=out, jobs=1, shard=(index, 3)), renderer)
        assert result.ok
        parts.append({o.job.path for o in result.outcomes})
    pdfs = [e for e in json.loads((full / "manifest.json").read_text()) if e["kind"] == "pdf"]
    assert set().union(*parts) == {e["path"] for e in pdfs}
    assert sum(len(p) for p in parts) == len(set().union(*parts))  # no job in two shards
    merged = tmp_path / "merged.json"
    result = run_cli("merge-manifests", "-o", str(merged),
                     *(str(tmp_path / f"shard{i}" / "manifest.json") for i in (1, 2, 3)))
    assert result.returncode == 0, result.stderr
    # the same entries, byte for byte, as one full build (front desk files are per folder)
    assert merged.read_bytes() == manifest_json(pdfs)


def test_merging_disagreeing_manifests_fails(built, tmp_path):
    out, _ = built
    entries = [e for e in json.loads((out / "manifest.json").read_text()) if e["kind"] == "pdf"]
    entries[0]["sha256"] = hashlib.sha256(b"something else").hexdigest()
    other = tmp_path / "other.json"
    other.write_text(json.dumps(entries))
    result = run_cli("merge-manifests", "-o", str(tmp_path / "m.json"),
                     str(out / "manifest.json"), str(other))
    assert result.returncode == 1
    assert f"{entries[0]['path']} is listed with two different sha256" in result.stderr
    assert not (tmp_path / "m.json").exists()


def test_manifest_bytes_are_jsons_indented_dump_sorted_by_path(built):
    out, _ = built
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries += [{"path": "zz/ünïcödé.pdf", "nested": {"b": [1, 2.5, None, True], "a": "\n\""}},
                {"path": "aa.pdf", "empty": {}, "none": []}]
    expected = json.dumps(sorted(entries, key=lambda e: e["path"]), ensure_ascii=False,
                          indent=2, sort_keys=True) + "\n"
    assert manifest_json(list(reversed(entries))).decode() == expected
    assert manifest_json(entries) == manifest_json(entries)  # the second time from its cache
    assert manifest_json([]) == b"[]\n"


def test_a_deferred_manifest_is_held_until_the_next_write(built, tmp_path):
    import shutil

    from leaflets.building.manifest import HeldManifest, entry_from_dict, write_entries
    from leaflets.building.manifest import write_manifest

    out, _ = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = (copy / "manifest.json").read_bytes()
    held = HeldManifest(copy)
    pdfs = [entry_from_dict(e) for e in held.entries if e.get("kind", "pdf") == "pdf"]
    assert write_manifest(copy, pdfs[:1], held=held, defer=True) == copy / "manifest.json"
    assert (copy / "manifest.json").read_bytes() == before and held.unwritten
    write_entries(copy, held.entries, held)
    assert not held.unwritten
    assert json.loads((copy / "manifest.json").read_text(encoding="utf-8")) == sorted(
        held.entries, key=lambda e: e["path"])
