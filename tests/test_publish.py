"""Publish: the write phase lists only what is on disk, even when another build got there first."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json

from leaflets.building.build import BuildOptions, build
from leaflets.building.manifest import write_manifest
from leaflets.building.publish import publish


def test_an_unchanged_pdf_replaced_by_another_build_is_not_listed_with_the_old_hash(
        project, built, tmp_path):
    dist, result = built
    mine = next(entry for entry in result.written if entry.path == "en/hsg.pdf")
    # between this build's check and its lock, another build wrote other bytes there
    theirs = (dist / "fr" / "hsg.pdf").read_bytes()
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    (out / "en" / "hsg.pdf").write_bytes(theirs)
    write_manifest(out, [dataclasses.replace(mine, sha256=hashlib.sha256(theirs).hexdigest(),
                                             bytes=len(theirs))])
    manifest, _, _ = publish(project, out, written=[], kept=[mine], dropped=set(), reports=[],
                          release=False, created="2026-11-26T00:00:00Z", lock_timeout=5)
    entries = json.loads(manifest.read_text())
    assert "en/hsg.pdf" in {entry["path"] for entry in entries}
    for entry in entries:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]


def test_publish_reads_the_manifest_once_under_the_lock(project, renderer, tmp_path, monkeypatch):
    """The manifest is read from disk once before the lock (what is unchanged) and once
    under it; after that the build works on the copy it holds in memory."""
    from leaflets.building import manifest

    out = tmp_path / "out"
    build(project, BuildOptions(out=out, langs=("en", "fr")), renderer)
    reads = []
    real = manifest.read_manifest
    monkeypatch.setattr(manifest, "read_manifest", lambda folder: (reads.append(folder),
                                                                   real(folder))[1])
    for module in ("build", "publish", "frontdesk"):  # every module that could read it
        target = importlib.import_module(f"leaflets.building.{module}")
        if hasattr(target, "read_manifest"):
            monkeypatch.setattr(target, "read_manifest", manifest.read_manifest)
    result = build(project, BuildOptions(out=out, langs=("en", "fr"), force=True), renderer)
    assert result.ok and len(result.written) == 2
    assert len(reads) == 2, reads  # before the lock, then under it: never again
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())}
    assert {"en/hsg.pdf", "fr/hsg.pdf", "index.html"} <= listed
