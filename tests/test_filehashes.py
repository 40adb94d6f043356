"""The file hash index: a file is read again unless its stat is the one recorded with its hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest

from leaflets.building import filehashes
from leaflets.building.build import BuildOptions, build
from leaflets.building.cache import CACHE_DIR
from leaflets.building.filehashes import INDEX, FileHashes

CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settled(monkeypatch):
    """Files in these tests are hashed right after they are written: no racy window."""
    monkeypatch.setattr(filehashes, "RACY_NS", -10**18)


def test_an_unchanged_file_is_not_read_again(tmp_path, settled):
    path = tmp_path / "a.po"
    path.write_bytes(b"msgid one")
    first = FileHashes(tmp_path)
    assert first.sha256(path) == sha(b"msgid one") and first.reads == 1
    first.save()
    again = FileHashes(tmp_path)
    assert again.sha256(path) == sha(b"msgid one") and again.reads == 0
    assert again.sha256(tmp_path / "gone.po") == "missing"


def test_same_size_and_restored_mtime_is_read_again(tmp_path, settled):
    # an editor, a checkout or `touch -d` can leave size and mtime as they were; the
    # change time still moves, and no tool can set it back
    path = tmp_path / "a.po"
    path.write_bytes(b"msgstr old")
    before = os.stat(path)
    index = FileHashes(tmp_path)
    index.sha256(path)
    index.save()
    path.write_bytes(b"msgstr new")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    again = FileHashes(tmp_path)
    assert again.sha256(path) == sha(b"msgstr new") and again.reads == 1


def test_a_file_hashed_just_after_it_changed_is_read_again(tmp_path):
    # a second write in the same clock tick could keep every stat field: inside the
    # racy window the recorded hash is never trusted
    path = tmp_path / "a.po"
    path.write_bytes(b"x")
    index = FileHashes(tmp_path)
    index.sha256(path)
    index.save()
    again = FileHashes(tmp_path)
    again.sha256(path)
    assert again.reads == 1


@pytest.mark.parametrize("broken", [b"", b"{not json", b"[1, 2]", b'{"/a": "x"}'])
def test_a_broken_index_is_ignored(tmp_path, settled, broken):
    path = tmp_path / "a.po"
    path.write_bytes(b"data")
    (tmp_path / INDEX).write_bytes(broken)
    index = FileHashes(tmp_path)
    assert index.sha256(path) == sha(b"data") and index.reads == 1
    index.save()
    assert FileHashes(tmp_path).sha256(path) == sha(b"data")


def test_a_no_op_build_reads_no_catalog_pdf_or_thumbnail_again(project_copy, renderer,
                                                                  tmp_path, settled):
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, langs=("en", "fr"))
    assert build(project_copy, options, renderer, created=CLOCK).ok
    assert build(project_copy, options, renderer, created=CLOCK).ok  # hashes the PDFs
    with filehashes.remembered(out / CACHE_DIR) as index:
        from leaflets.building.publish import frontdesk_is_current
        from leaflets.building.manifest import read_manifest, still_valid

        assert all(still_valid(out, entry) for entry in read_manifest(out))
        assert frontdesk_is_current(out)
        assert index.reads == 0


def test_a_rewritten_catalog_with_its_old_mtime_is_rebuilt(project_copy, renderer, tmp_path,
                                                          settled):
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=1, langs=("fr",))
    assert build(project_copy, options, renderer, created=CLOCK).ok
    po = project_copy.po_path("fr", "hsg")
    before = os.stat(po)
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("#. ", "#: ", 1), encoding="utf-8")  # same size
    os.utime(po, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = build(project_copy, options, renderer, created=CLOCK)
    assert [o.job.path for o in result.outcomes if o.rebuilt] == ["fr/hsg.pdf"]
