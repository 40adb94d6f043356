"""Merge: join the output folders of CI shards (``build --shard K/N``) into one release.

Each shard folder holds its PDFs, a manifest and a report for its own part of the work.
``merge_shards`` checks every PDF against its shard's manifest, then publishes the union
through the same write stage as a full build (leaflets/building/publish.py): one manifest,
one report and one front desk page, with thumbnails drawn from the merged PDFs. The same
inputs give the same bytes as one full build (tests/test_merge.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import LeafletError
from ..project import Project
from .cache import Memo
from .manifest import MANIFEST, PDF_KIND, ManifestEntry, entry_from_dict, kind_of, valid_bytes
from .publish import publish
from .report import FAILED, REPORT, JobReport


@dataclass
class MergeResult:
    """What a merge published: the manifest, the report, and the jobs any shard failed."""

    manifest: Path | None
    report: Path
    pdfs: int
    failed: list[JobReport]


def read_shard(folder: Path) -> tuple[list[dict], dict]:
    """A shard folder's manifest entries and report; a missing or foreign file is an error."""
    folder = Path(folder)
    documents = []
    for name, expect in ((MANIFEST, list), (REPORT, dict)):
        path = folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if name == MANIFEST and (folder / REPORT).is_file():
                documents.append([])  # a shard that published nothing lists nothing
                continue
            raise LeafletError(f"no {name}: not the output folder of 'build --shard K/N'",
                               path) from None
        except OSError as exc:
            raise LeafletError(f"cannot read: {exc.strerror}", path) from None
        except ValueError as exc:
            raise LeafletError(f"not JSON: {exc}", path) from None
        if not isinstance(data, expect):
            raise LeafletError(f"not a build's {name}", path)
        documents.append(data)
    manifest, report = documents
    if not all(isinstance(e, dict) and "path" in e for e in manifest) or not isinstance(
            report.get("leaflets"), list):
        raise LeafletError("not a build's manifest and report", folder)
    return manifest, report


def merge_shards(project: Project, folders: list[Path], out: Path, *,
                 lock_timeout: float = 600.0, memo: Memo | None = None) -> MergeResult:
    """Publish the union of the shard folders into ``out``; nothing is written on a mismatch."""
    entries: dict[str, tuple[ManifestEntry, bytes]] = {}
    jobs: dict[str, JobReport] = {}
    settings: set[tuple] = set()
    for folder in folders:
        manifest, report = read_shard(folder)
        settings.add((report.get("release"), report.get("created"), report.get("tool_version"),
                      report.get("weasyprint_version")))
        if len(settings) > 1:
            raise LeafletError("this shard was built with other settings (release, clock "
                               "SOURCE_DATE_EPOCH or versions) than the ones before it", folder)
        for raw in (e for e in manifest if kind_of(e) == PDF_KIND):
            entry = entry_from_dict(raw)
            data = valid_bytes(folder, raw)
            if entry is None or data is None:
                raise LeafletError(f"{raw['path']} is missing or differs from its manifest "
                                   "entry", Path(folder) / MANIFEST)
            other = entries.setdefault(entry.path, (entry, data))
            if other[0] != entry:
                raise LeafletError(f"{entry.path} is listed twice with different entries; the "
                                   "shards were built from different inputs", folder)
        for raw in report["leaflets"]:
            try:
                job = JobReport(**raw)
            except TypeError:
                raise LeafletError("not a build report of this version", Path(folder) / REPORT
                                   ) from None
            if jobs.setdefault(job.path, job) != job:
                raise LeafletError(f"{job.path} has two different verdicts in the shards",
                                   folder)
    if not settings:
        raise LeafletError("no shard folders to merge")
    release, created, _, _ = settings.pop()
    failed = [job for job in jobs.values() if job.status == FAILED]
    manifest, report, _ = publish(
        project, out, written=sorted(entries.values(), key=lambda pair: pair[0].path), kept=[],
        dropped={job.path for job in failed}, reports=list(jobs.values()),
        release=bool(release), created=str(created), lock_timeout=lock_timeout, memo=memo)
    return MergeResult(manifest, report, len(entries), sorted(failed, key=lambda j: j.path))
