"""Status and check: how far each translation is, and what is wrong with it, per catalog."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..building.build import BuildOptions, check_job, load_catalogs, plan_jobs
from ..catalogs.pofile import PoFile, is_translated
from ..catalogs.checkers import Finding, check_message
from ..catalogs.extract import domain_messages, leaflet_domains
from ..locales import language
from ..project import Project


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

    def as_dict(self) -> dict:
        """The row for ``status --json``."""
        return {"leaflet": self.leaflet, "lang": self.lang, **asdict(self.counts),
                "total": self.counts.total, "percent": self.counts.percent,
                "review": self.review, "printable": self.printable,
                "problems": self.problems}


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


def status(project: Project, leaflets: list[str] | None = None,
           langs: list[str] | None = None) -> list[StatusRow]:
    """Every selected leaflet x language, as the build would judge it."""
    jobs = plan_jobs(project, BuildOptions(leaflets=tuple(leaflets or ()),
                                           langs=tuple(langs or ())))
    catalogs = load_catalogs(project, jobs)
    rows = []
    for job in jobs:
        outcome = check_job(project, job, catalogs)
        total = Counts()
        pos = []
        for domain in leaflet_domains(job.leaflet):
            po = catalogs.get((job.lang, domain))
            pos.append(po)
            total += counts(project, po, domain)
        if job.lang == project.source_lang:
            review = "source"
        elif all(po.reviewer for po in pos):
            review = "reviewed by " + ", ".join(sorted({po.reviewer for po in pos}))
        else:
            review = "not reviewed"
        rows.append(StatusRow(job.leaflet.id, job.lang, total, review,
                              printable=not outcome.problems,
                              problems=[str(p) for p in outcome.problems]))
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


def check(project: Project, langs: list[str] | None = None) -> list[Finding]:
    """Every quality check on every catalog, plus messages the templates use but a catalog lacks."""
    findings = []
    jobs = plan_jobs(project, BuildOptions(langs=tuple(langs or ())))
    catalogs = load_catalogs(project, jobs)  # malformed catalogs stop here
    for (code, domain), po in sorted(catalogs.items()):
        lang = project.language(code)
        wanted = {(m.msgid if isinstance(m.msgid, str) else m.msgid[0], m.context): m
                  for m in domain_messages(project, domain)}
        for message in po.catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            if (msgid, message.context) not in wanted:
                findings.append(Finding(po.path, message.lineno, "stale", "no template uses this "
                                        "message; run 'leaflets update'", False))
                continue
            findings += check_message(message, lang, po.path)
        for (msgid, context), source in wanted.items():
            if po.catalog.get(msgid, context) is None:
                findings.append(Finding(po.path, None, "missing", f"{msgid[:50]!r} "
                                        f"(used at {source.where}) is not in the catalog; run "
                                        "'leaflets update'", True))
    return sorted(findings, key=lambda f: (f.path, f.lineno or 0, f.check))
