"""Publish: write a build's PDFs, manifest, front desk page and report into the output folder.

This is the only stage that writes, and it runs with the folder locked
(files.locked_folder), so two builds into one folder take turns. It is also
where a crash must not lie: the manifest first forgets every file about to be
replaced or removed, so a build killed at any point (even by SIGKILL) leaves a
manifest that lists only files that are on disk with the hash it gives. The
next build finishes the job.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Callable

from .cache import Memo
from ..files import atomic_write, locked_folder, remove_stale_temps
from .manifest import (PDF_KIND, CheckedOnce, HeldManifest, ManifestEntry, forget, kind_of,
                       still_valid, write_entries, write_manifest)
from ..project import Project
from .report import JobReport, write_report

LOG = logging.getLogger(__name__)


def publish(project: Project, out: Path, *,
            written: "list[tuple[ManifestEntry, bytes | Callable[[], bytes | None]]]",
            kept: list[ManifestEntry], dropped: set[str], reports: list[JobReport],
            release: bool, created: str, lock_timeout: float,
            memo: "Memo | None" = None) -> tuple[Path | None, Path, set[str]]:
    """Write the rebuilt PDFs, list them with the ``kept`` (unchanged) ones, remove the
    ``dropped`` ones (failed now), then the front desk page when anything changed, and the
    report. Returns the manifest (None when it lists nothing), the report, and the paths of
    the PDFs an earlier build made that this one removed (the report says why). ``memo``
    holds the front desk facts of PDFs seen before (leaflets/building/cache.py)."""
    out = Path(out)
    with locked_folder(out, lock_timeout):
        remove_stale_temps(out)  # left by a build that was killed
        # read once under the lock: no other build can change it until we let go
        held = HeldManifest(out)
        # a new PDF changes the front desk page: its files are forgotten now too, in the
        # same write, rather than by one more rewrite of the manifest before the page's
        page = _page_entries(held) if written else []
        forget(out, {entry.path for entry, _ in written} | dropped |
               {entry.get("path") for entry in page}, held)
        for entry, data in written:
            data = data() if callable(data) else data  # a spooled PDF, read back one at a time
            atomic_write(out / entry.path, data)
            LOG.debug("wrote %s (%d pages, %d bytes)", entry.path, entry.pages, len(data))
        removed = {path for path in sorted(dropped) if remove_stale(out, path)}
        reports = [_with_removal(job, job.path in removed) for job in reports]
        # unchanged PDFs were checked before rendering, before this build held the lock:
        # list one only if no other build has replaced it since
        valid = CheckedOnce()  # from here to the front desk page, nothing writes them
        entries = [entry for entry, _ in written] + [
            entry for entry in kept if valid(out, {"path": entry.path, "sha256": entry.sha256})]
        # a new PDF changes the front desk page, whose write lists these entries too
        manifest = write_manifest(out, entries, dropped, held, valid, defer=bool(written))
        if manifest and (written or held.changed or not frontdesk_is_current(out, held, valid)):
            rewrite_frontdesk(project, out, held, memo, forgotten=page)
        if held.unwritten:  # the page had nothing to list after all
            write_entries(out, held.entries, held)
        report = write_report(out, reports, release=release, created=created)
    return manifest, report, removed


def _with_removal(job: JobReport, removed: bool) -> JobReport:
    """The job's report, saying that its old PDF was removed and why (its first reason)."""
    if not removed:
        return job
    first = job.reasons[0] if job.reasons else {}
    where = ":".join(str(part) for part in (first.get("path"), first.get("line")) if part)
    why = f"{where}: {first.get('message')} [{first.get('rule', first.get('gate'))}]" \
        if first else "this build could not make it"
    return dataclasses.replace(job, removed=f"removed {job.path}, made by an earlier build: "
                               f"no longer valid ({why})")


def _page_entries(held: HeldManifest) -> list[dict]:
    return [entry for entry in held.entries
            if isinstance(entry, dict) and kind_of(entry) != PDF_KIND]


def rewrite_frontdesk(project: Project, out: Path, held: HeldManifest | None = None,
                      memo: "Memo | None" = None, forgotten: list[dict] | None = None) -> None:
    """Write the front desk page for the PDFs the manifest lists; forget its old files first.

    ``forgotten``: the page's entries the caller already dropped from the manifest."""
    from .frontdesk import _remove_stale, write_frontdesk  # PDFium and Pillow: only when needed

    held = held or HeldManifest(out)
    page = _page_entries(held)
    forget(out, {entry.get("path") for entry in page}, held)
    page += forgotten or []
    write_frontdesk(project, out, held, memo)  # index.html for the staff who hand leaflets out
    # the page's old entries are forgotten, so write_frontdesk cannot see which of its
    # files this build no longer makes (old thumbnails): remove them here
    listed = {entry.get("path") for entry in held.entries if isinstance(entry, dict)}
    _remove_stale(out, [entry for entry in page if entry.get("path") not in listed])


def frontdesk_is_current(out: Path, held: HeldManifest | None = None,
                         valid=still_valid) -> bool:
    """True when the manifest lists front desk files and each is on disk unchanged."""
    entries = [e for e in (held or HeldManifest(out)).entries
               if isinstance(e, dict) and kind_of(e) != PDF_KIND]
    return bool(entries) and all(valid(out, entry) for entry in entries)


def remove_stale(out: Path, path: str) -> bool:
    """Delete a PDF left by an earlier build for a job that failed now: never publish it.
    True when there was one."""
    target = Path(out) / path
    if target.is_file():
        target.unlink()
        LOG.debug("removed %s: this build could not make it", target)
        return True
    return False
