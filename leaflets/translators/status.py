"""Status and check: how far each translation is, and what is wrong with it, per catalog."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from ..building.build import BuildOptions, Outcome, judge
from ..building.rules import Mode
from ..catalogs.pofile import PoFile, is_translated, read_catalog
from ..catalogs.checkers import Finding
from ..catalogs.extract import domain_messages, leaflet_domains
from ..project import Project

if TYPE_CHECKING:
    from ..render.pdf import Renderer


@dataclass
class Counts:
    """Translated, fuzzy and untranslated messages of what the templates use."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Share of messages ready to print, rounded down to 0.1 so 99.96% never shows 100%."""
        return int(1000 * self.translated / self.total) / 10 if self.total else 100.0

    def __iadd__(self, other: Counts) -> Counts:
        self.translated += other.translated
        self.fuzzy += other.fuzzy
        self.untranslated += other.untranslated
        return self


@dataclass
class StatusRow:
    """One leaflet in one language."""

    leaflet: str
    lang: str
    counts: Counts
    review: str  # "source", "reviewed by …" or "not reviewed"
    printable: bool
    problems: list[str] = field(default_factory=list)  # why it cannot be printed
    warnings: list[str] = field(default_factory=list)  # what does not block a plain build

    def as_dict(self) -> dict:
        """The row for ``status --json``."""
        return {"leaflet": self.leaflet, "lang": self.lang, **asdict(self.counts),
                "total": self.counts.total, "percent": self.counts.percent,
                "review": self.review, "printable": self.printable,
                "problems": self.problems, "warnings": self.warnings}


def counts(project: Project, po: PoFile | None, domain: str) -> Counts:
    """Count the template's messages of ``domain`` by their state in ``po``."""
    result = Counts()
    for source in domain_messages(project, domain):
        message = po.catalog.get(source.msgid, source.context) if po else None
        if po is None or (message is not None and is_translated(message)):
            result.translated += 1
        elif message is not None and message.fuzzy and message.string:
            result.fuzzy += 1
        else:
            result.untranslated += 1
    return result


def verdicts(project: Project, leaflets: list[str] | None = None,
             langs: list[str] | None = None, renderer: "Renderer | None" = None,
             built: Path | None = None) -> list[Outcome]:
    """Every selected leaflet x language judged as a plain build judges it, rendered where it
    can be (leaflets/building/rules.py); nothing is written.

    A PDF in ``built`` (a build's output folder) whose inputs hash is unchanged is not
    rendered again: a build published it from the same inputs, so rendering finds nothing."""
    options = BuildOptions(leaflets=tuple(leaflets or ()), langs=tuple(langs or ()),
                           **({"out": Path(built)} if built else {}))
    outcomes, _, _ = judge(project, options, renderer=renderer, reuse=built is not None)
    return outcomes


def status(project: Project, leaflets: list[str] | None = None,
           langs: list[str] | None = None, renderer: "Renderer | None" = None,
           built: Path | None = None) -> list[StatusRow]:
    """Every selected leaflet x language, with the plain build's verdict."""
    rows = []
    for outcome in verdicts(project, leaflets, langs, renderer, built):
        job = outcome.job
        total = Counts()
        pos = []
        for domain in leaflet_domains(job.leaflet):
            po = (None if job.lang == project.source_lang
                  else read_catalog(project, job.lang, domain))
            pos.append(po)
            total += counts(project, po, domain)
        if job.lang == project.source_lang:
            review = "source"
        elif all(po.reviewer for po in pos):
            review = "reviewed by " + ", ".join(sorted({po.reviewer for po in pos}))
        else:
            review = "not reviewed"
        mode = Mode()
        rows.append(StatusRow(job.leaflet.id, job.lang, total, review,
                              printable=outcome.verdict.printable(mode),
                              problems=[str(f) for f in outcome.verdict.blocking(mode)],
                              warnings=[str(f) for f in outcome.verdict.warnings]))
    return rows


def status_table(rows: list[StatusRow]) -> str:
    """The rows as an aligned text table."""
    header = ("leaflet", "lang", "translated", "fuzzy", "untranslated", "done", "review", "printable")
    lines = [header] + [(r.leaflet, r.lang, str(r.counts.translated), str(r.counts.fuzzy),
                         str(r.counts.untranslated), f"{r.counts.percent:.1f}%", r.review,
                         "yes" if r.printable else "no") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {2, 3, 4, 5}
    return "\n".join("  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
                     for line in lines)


def status_json(rows: list[StatusRow]) -> str:
    """The rows as a JSON list, stable for machines."""
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2)


def check(project: Project, langs: list[str] | None = None,
          renderer: "Renderer | None" = None, built: Path | None = None) -> list[Finding]:
    """Every finding of every leaflet in the languages (rendering included), each once."""
    found = {f for outcome in verdicts(project, None, langs, renderer, built)
             for f in outcome.verdict.findings}
    return sorted(found, key=lambda f: (f.path or "", f.lineno or 0, f.check, f.message))


def readability_figures(project: Project) -> list[str]:
    """Each leaflet's reading-age figures against its limits, for ``check``'s summary."""
    from ..catalogs import readability  # loads a pronunciation dictionary (~1 s)

    scores = (readability.score_leaflet(project, leaflet) for leaflet in project.leaflets())
    return [score.summary() for score in scores if score is not None]
