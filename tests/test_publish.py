"""Publish: the write phase lists only what is on disk, even when another build got there first."""

from __future__ import annotations

import dataclasses
import hashlib
import json

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
    manifest, _ = publish(project, out, written=[], kept=[mine], dropped=set(), reports=[],
                          release=False, created="2026-11-26T00:00:00Z", lock_timeout=5)
    entries = json.loads(manifest.read_text())
    assert "en/hsg.pdf" in {entry["path"] for entry in entries}
    for entry in entries:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
