"""Build report: ``build-report.json`` beside the manifest, one verdict per leaflet/language.

Unlike the manifest (what was published), the report lists every job of the
run, failed ones included, with the reasons a clinic may not print it.  It
holds no timings and does not say which PDFs were rebuilt, so the same inputs
give the same bytes and a no-op rebuild does not rewrite it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..files import write_if_changed
from .inputs import weasyprint_version

REPORT = "build-report.json"
PUBLISHED, FAILED = "published", "failed"


@dataclass(frozen=True)
class JobReport:
    """The verdict on one leaflet/language."""

    leaflet: str
    lang: str
    variant: str
    path: str
    status: str  # "published" or "failed"
    reasons: list[dict] = field(default_factory=list)  # {gate, rule, path, line, message}
    notices: list[str] = field(default_factory=list)  # printed on the leaflet
    warnings: list[str] = field(default_factory=list)  # findings that do not block this build
    removed: str | None = None  # an earlier build's PDF deleted by this one, with the reason


def report_json(jobs: list[JobReport], *, release: bool, created: str) -> bytes:
    """The report's bytes: sorted, stable, UTF-8."""
    ordered = sorted(jobs, key=lambda job: (job.path, job.leaflet, job.lang))
    document = {
        "release": release,
        "created": created,
        "tool_version": __version__,
        "weasyprint_version": weasyprint_version(),
        "summary": {
            "jobs": len(ordered),
            PUBLISHED: sum(job.status == PUBLISHED for job in ordered),
            FAILED: sum(job.status == FAILED for job in ordered),
        },
        "leaflets": [job.__dict__ for job in ordered],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_report(out: Path, jobs: list[JobReport], *, release: bool, created: str) -> Path:
    """Write ``build-report.json`` into ``out`` (not touched when its bytes are unchanged)."""
    path = Path(out) / REPORT
    write_if_changed(path, report_json(jobs, release=release, created=created))
    return path


def read_report(out: Path) -> dict | None:
    """The report in ``out``, or None."""
    try:
        return json.loads((Path(out) / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
