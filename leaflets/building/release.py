"""Release gates: what must hold before a leaflet may be published for clinics to print.

A release build (``generate.py build --release``) publishes a leaflet/language
only when every gate passes, and reports every reason when one does not:

- ``incomplete``: the catalogs lack a translation or mark one fuzzy;
- ``check``: a translation fails a check that ``generate.py check`` reports as an error;
- ``render``: a character has no glyph in the allowed fonts, or the pages exceed the limit;
- ``review-date``: the leaflet's review date (templates/<id>.toml) has passed;
- ``unreviewed``: a catalog is not signed off (X-Medical-Reviewer); ``--allow-unreviewed``
  lets it through, printed with the "not reviewed" notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalogs import checkers
from ..catalogs.pofile import PoFile
from ..catalogs.checkers import CheckFailed
from ..errors import Problem
from ..locales import Language
from ..project import Leaflet

GATES = ("incomplete", "check", "render", "review-date", "unreviewed")


@dataclass(frozen=True, order=True)
class Reason:
    """One failed gate for one leaflet/language, located at the file to fix."""

    gate: str
    problem: Problem

    def __str__(self) -> str:
        return f"{self.problem} [{self.gate}]"


# the incomplete gate reports these, with the templates' view of what is needed
_INCOMPLETE_CHECKS = {"untranslated", "fuzzy"}


def safety_problems(po: PoFile) -> list[Problem]:
    """Translations that break a safety check: such a catalog is never rendered, in any build."""
    problems = []
    for message in po.catalog:
        if not message.id or not message.string:
            continue
        for check in checkers.SAFETY_CHECKS:
            try:
                check(message)
            except CheckFailed as exc:
                problems.append(Problem(po.path, message.lineno, f"[{exc.check}] {exc}"))
    return problems


def check_errors(po: PoFile, lang: Language) -> list[Problem]:
    """What ``generate.py check`` reports as an error in ``po`` (its warnings do not block)."""
    problems = []
    for message in po.catalog:
        if not message.id:
            continue
        for finding in checkers.check_message(message, lang, po.path):
            if finding.error and finding.check not in _INCOMPLETE_CHECKS:
                problems.append(Problem(finding.path, finding.lineno,
                                        f"[{finding.check}] {finding.message}"))
    return problems


def review_date_reason(leaflet: Leaflet, today: dt.date, where: str) -> Reason | None:
    """A reason when the leaflet's review date is before ``today`` (the build's clock)."""
    if leaflet.review >= today:
        return None
    return Reason("review-date", Problem(where, None, (
        f"review date {leaflet.review.isoformat()} has passed; have the leaflet reviewed, then "
        "update 'review' (and 'version') in this file")))


def unreviewed_reasons(catalogs: list[PoFile]) -> list[Reason]:
    """A reason for each catalog that no medical reviewer has signed off."""
    return [Reason("unreviewed", Problem(po.path, None, (
        "translation not signed off by a medical reviewer (header X-Medical-Reviewer); "
        "have it reviewed, or pass --allow-unreviewed to publish it with a notice")))
        for po in catalogs if not po.reviewer]


def gate_reasons(*, leaflet: Leaflet, leaflet_file: str, catalogs: list[PoFile],
                 incomplete: list[Problem], check_problems: list[Problem],
                 render_problems: list[Problem], today: dt.date,
                 allow_unreviewed: bool) -> list[Reason]:
    """Every reason one leaflet/language may not be released, sorted by gate then place."""
    reasons = [Reason("incomplete", problem) for problem in incomplete]
    reasons += [Reason("check", problem) for problem in check_problems]
    reasons += [Reason("render", problem) for problem in render_problems]
    expired = review_date_reason(leaflet, today, leaflet_file)
    if expired:
        reasons.append(expired)
    if not allow_unreviewed:
        reasons += unreviewed_reasons(catalogs)
    order = {gate: index for index, gate in enumerate(GATES)}
    return sorted(reasons, key=lambda r: (order[r.gate], r.problem.path or "",
                                          r.problem.lineno or 0, r.problem.message))
