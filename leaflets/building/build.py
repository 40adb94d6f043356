"""Build: plan the jobs, gather and check every catalog, render every PDF, then write them all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import jinja2
import jinja2.sandbox

from .. import __version__
from ..render import variants
from ..catalogs.pofile import PoFile, SourceTranslations, StrictTranslations
from ..settings import PROJECT_FILE
from . import filehashes
from .cache import CACHE_DIR, Memo, font_dirs_signature, make_key
from ..clinic.profile import Clinic
from ..clinic.edition import edition_fields
from ..errors import LeafletError, Problem, TemplateError, UsageError
from ..catalogs.extract import domain_messages, leaflet_domains
from ..render.html import PageOptions, render_html
from .inputs import (file_sha256, font_hashes, job_inputs,
                     templates_by_leaflet, weasyprint_version)
from ..kept import kept_answers
from .manifest import ManifestEntry, entry_for, entry_from_dict, read_manifest, still_valid
from .jobs import Catalogs, Job, catalog_keys, job_catalogs, load_catalogs, plan_jobs
from .parallel import (RenderOutput, RenderTask, Spool, WarmWorker, default_jobs,
                       render_all)
from ..project import Leaflet, Project, check_sources
from .publish import publish
from .rules import (RULES, Finding, Mode, Verdict, catalog_findings, release_findings,
                    render_findings)
from .report import FAILED, PUBLISHED, JobReport

if TYPE_CHECKING:
    from ..render.pdf import Renderer

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; the CLI fills it in from its arguments."""

    leaflets: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    out: Path = Path("dist")
    paper: str = "a4"
    allow_incomplete: bool = False
    clinic: Clinic | None = None  # leaflets/clinic/profile.py: name, numbers, logo, QR code
    variant: str = variants.STANDARD  # leaflets/render/variants.py
    release: bool = False  # publish only what passes every gate (leaflets/building/release.py)
    allow_unreviewed: bool = False  # release: let unreviewed translations through, with notice
    force: bool = False  # rebuild even when the inputs hash is unchanged
    jobs: int = 0  # worker processes; 0 = one per core
    shard: tuple[int, int] = (1, 1)  # (K, N): build the K-th of N deterministic parts
    lock_timeout: float = 600.0  # seconds to wait for another build writing to ``out``
    strict: bool = False  # warnings of the rules block too (leaflets/building/rules.py)
    cache_dir: Path | None = None  # run-to-run cache (leaflets/building/cache.py); None: in out
    cache: bool = True  # False: learn nothing from earlier runs and keep nothing for later ones


@dataclass
class Outcome:
    """What happened to one job: its verdict (leaflets/building/rules.py) and its PDF."""

    job: Job
    verdict: Verdict = field(default_factory=Verdict)
    mode: Mode = field(default_factory=Mode)
    entry: ManifestEntry | None = None
    rebuilt: bool = False  # False when an unchanged PDF on disk was kept
    inputs: str = ""
    removed: bool = False  # an earlier build's PDF of this job was deleted: it is no longer valid

    @property
    def incomplete(self) -> list[Finding]:
        """Missing, untranslated or fuzzy messages."""
        return self.verdict.incomplete

    @property
    def blocking(self) -> list[Finding]:
        """The findings that keep this job from printing, in this build's mode."""
        return self.verdict.blocking(self.mode)

    @property
    def printable(self) -> bool:
        return not self.blocking

    @property
    def problems(self) -> list[Problem]:
        """Every reason this job is not printed, as ``file:line: message [rule]``."""
        return [f.problem for f in self.blocking]


@dataclass(frozen=True)
class Progress:
    """One job settled: ``done`` of ``total``; ``state`` is built, unchanged or failed."""

    done: int
    total: int
    path: str
    state: str


@dataclass
class BuildResult:
    """Everything a build did: written PDFs, failed jobs with reasons, the manifest."""

    outcomes: list[Outcome]
    manifest: Path | None
    report: Path | None = None
    renders: list[RenderOutput] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        """Jobs that produced no PDF."""
        return [outcome for outcome in self.outcomes if outcome.entry is None]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def written(self) -> list[ManifestEntry]:
        """Manifest entries of every PDF this build published (rebuilt or unchanged)."""
        return [outcome.entry for outcome in self.outcomes if outcome.entry]


def build_mode(options: BuildOptions) -> Mode:
    """The rules' mode of a build with these options."""
    return Mode(allow_incomplete=options.allow_incomplete, strict=options.strict,
                release=options.release, allow_unreviewed=options.allow_unreviewed)


def build(project: Project, options: BuildOptions, renderer: "Renderer | None" = None,
          progress: Callable[[Progress], None] | None = None,
          created: dt.datetime | None = None) -> BuildResult:
    """Build PDFs for the selected leaflets and languages; nothing is written if inputs are broken.

    Stages: plan, read every catalog, judge every job (leaflets/building/rules.py), skip
    the unchanged ones, render the rest (in parallel), and only then write PDFs, manifest,
    report.
    """
    memo = build_memo(options)
    # files whose stat is unchanged since the last run are not read again (filehashes.py)
    with filehashes.remembered(memo.folder):
        outcomes, results, stamp = judge(project, options, renderer=renderer,
                                         progress=progress, created=created, reuse=True,
                                         memo=memo, spool=Spool())
        # everything is gathered and checked; from here on we write (building/publish.py)
        manifest, report, removed = publish(
            project, options.out,
            written=[(o.entry, results[o.job.path].pdf) for o in outcomes if o.rebuilt],
            kept=[o.entry for o in outcomes if o.entry and not o.rebuilt],
            dropped={o.job.path for o in outcomes if o.entry is None},
            reports=[job_report(o, options) for o in outcomes], release=options.release,
            created=stamp, lock_timeout=options.lock_timeout, memo=memo)
    memo.flush()
    for outcome in outcomes:
        outcome.removed = outcome.job.path in removed
    return BuildResult(outcomes, manifest, report, list(results.values()))


def judge(project: Project, options: BuildOptions, *, renderer: "Renderer | None" = None,
          progress: Callable[[Progress], None] | None = None, created: dt.datetime | None = None,
          reuse: bool = False, memo: Memo | None = None, spool: Spool | None = None
          ) -> tuple[list[Outcome], dict[str, RenderOutput], str]:
    """Every job's verdict, rendering what may be rendered; nothing is written.

    ``check`` and ``status`` call this too (``reuse`` False: everything renderable is
    rendered); a build (``reuse``) keeps a PDF of ``options.out`` whose inputs are unchanged:
    it was published with the same inputs, so rendering it again would find nothing new.
    With a ``spool`` the PDFs wait there, not in memory, until they are written.
    """
    memo = memo if memo is not None else Memo(None)
    signature = font_dirs_signature()

    def answer(kind: str, question: Any, files: tuple[str, ...], ask: Callable[[], Any],
               encode: Callable, decode: Callable) -> Any:
        parts = [question, [file_sha256(Path(path)) for path in files]]
        if kind in FONTCONFIG_KINDS:  # fontconfig's answers change with the installed fonts
            parts.append(signature)
        return memo.remember(make_key(kind, *parts), ask, encode=encode, decode=decode)

    # fontconfig, CLDR, fonts' character maps, templates' messages: asked once, not per run
    with kept_answers(answer):
        return _judge(project, options, renderer, progress, created, reuse, memo, spool)


# the answers fontconfig gives from its own configuration and font folders
FONTCONFIG_KINDS = frozenset({"font-choice", "font-faces"})


def _judge(project: Project, options: BuildOptions, renderer: "Renderer | None",
           progress: Callable[[Progress], None] | None, created: dt.datetime | None,
           reuse: bool, memo: Memo, spool: Spool | None = None
           ) -> tuple[list[Outcome], dict[str, RenderOutput], str]:
    jobs = plan_jobs(project, options)
    check_sources(project)
    settings = project.settings  # a bad leaflets.toml stops the build before any work
    catalogs = load_catalogs(project, jobs, lazy=True)  # parsed when a result is not cached
    shared = _PerBuild(project)
    mode = build_mode(options)
    known = _Known(project, jobs, catalogs, memo)
    created = created or build_time(project.root)  # pseudo-locales pass the real project's
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    previous = {entry.get("path"): entry for entry in read_manifest(options.out)
                if isinstance(entry, dict)} if reuse else {}
    tick = _Ticker(len(jobs), progress)
    templates = known.templates
    outcomes: list[Outcome] = []
    by_key: dict[str, Outcome] = {}

    # a rebuild may well render one PDF: its worker starts at the first changed catalog,
    # not after every job is judged (parallel.WarmWorker); a first build renders them all
    jobs_at_most = options.jobs or default_jobs()
    warm = WarmWorker(project.template_dirs, (options.clinic.folder,) if options.clinic
                      else ()) if (reuse and previous and not options.force and renderer is None
                                   and jobs_at_most > 1) else None

    def checked(job: Job) -> Outcome:
        if warm is not None:
            warm.start()
        return check_job(project, job, catalogs, shared, mode)

    def verdict(job: Job) -> Outcome:
        outcome = memo.remember(
            known.key("check", job, repr(mode)), lambda: checked(job),
            encode=lambda o: findings_json(o.verdict.findings),
            decode=lambda data: _decoded_outcome(job, mode, data))
        if options.release:  # the rules known before rendering
            outcome.verdict.findings += memo.remember(
                known.key("release", job, created.date().isoformat()),
                lambda: release_findings(
                    job.leaflet, project.rel(project.templates / f"{job.leaflet.id}.toml"),
                    job_catalogs(project, job, catalogs), created.date()),
                encode=findings_json, decode=findings_from)
        return outcome

    def to_render():
        """Judge the jobs in order, yielding each task to render as soon as it is known:
        the workers render the first PDFs while the parent checks the next catalogs."""
        for job in jobs:
            outcome = verdict(job)
            outcomes.append(outcome)
            by_key[job.path] = outcome
            if not outcome.verdict.renderable:
                done_with(job)
                continue  # never rendered: a translation breaks a rule that no option relaxes
            outcome.inputs = job_inputs(
                project, job.leaflet, job.lang, known.catalog_hashes(job),
                {"paper": options.paper, "created": stamp, "variant": job.variant,
                 "clinic": clinic_inputs(options.clinic), "project": repr(settings)},
                templates[job.leaflet.id], known.fonts(job.lang))
            old = previous.get(job.path)
            if (not options.force and old and old.get("inputs") == outcome.inputs
                    and still_valid(options.out, old)):
                if outcome.printable:
                    outcome.entry = entry_from_dict(old)  # unchanged: keep the PDF on disk
                    tick(job.path, "unchanged")
                done_with(job)
                continue
            if warm is not None:  # e.g. a changed template whose checks were cached
                warm.start()
            yield render_task(project, outcome, catalogs, options, created)

    # a catalog leaves memory once the last job reading it is done: a library's build
    # holds the catalogs of the leaflets being rendered, not of every leaflet
    readers = Counter(key for job in jobs for key in catalog_keys(project, job))

    def done_with(job: Job) -> None:
        for key in catalog_keys(project, job):
            readers[key] -= 1
            if not readers[key]:
                shared.forget(catalogs.pop(key, None))

    def keep(output: RenderOutput) -> RenderOutput:
        """A worker's answer as it arrives: its findings and manifest entry are made while
        its catalogs are at hand, its front desk facts go to the memo and its PDF to the
        spool, so the build's memory does not grow with the library."""
        outcome = by_key[output.key]
        outcome.verdict.findings += render_findings(
            list(output.problems), job_catalogs(project, outcome.job, catalogs),
            f"templates/{outcome.job.leaflet.template}")
        if output.data is not None and outcome.printable:
            outcome.entry = manifest_entry(project, outcome, catalogs, output, options, shared,
                                           output.data)
            outcome.rebuilt = True
        done_with(outcome.job)
        if output.facts is not None and output.data is not None:
            from .frontdesk import remember_facts  # the worker drew its front desk thumbnail

            remember_facts(memo, output.data, output.facts)
            output = replace(output, facts=None)
        return spool.keep(output) if spool is not None else output

    def rendered(output: RenderOutput) -> None:
        outcome = by_key[output.key]
        failed = not output.made or any(
            outcome.mode.blocks(f) for f in outcome.verdict.findings)
        tick(output.key, "failed" if failed else "built")

    try:
        results = render_all(to_render(), count=len(jobs), templates_dir=project.template_dirs,
                             extra_roots=(options.clinic.folder,) if options.clinic else (),
                             jobs=jobs_at_most, renderer=renderer, on_done=rendered, keep=keep,
                             warm=warm)
    finally:
        if warm is not None:
            warm.stop()
    assert len(outcomes) == len(jobs), "render_all stopped before every job was judged"
    for outcome in outcomes:
        tick(outcome.job.path, key_state(outcome))
    return outcomes, results, stamp


def build_memo(options: BuildOptions) -> Memo:
    """The run-to-run cache of this build: ``--cache-dir``, else ``<out>/.leaflets-cache``."""
    if not options.cache:
        return Memo(None)
    return Memo(options.cache_dir if options.cache_dir is not None
                else Path(options.out) / CACHE_DIR)


class _Known:
    """Content hashes of a build's inputs, computed once: the keys of its cached results."""

    def __init__(self, project: Project, jobs: list[Job], catalogs: Catalogs, memo: Memo):
        self.project, self.memo = project, memo
        leaflets = list({job.leaflet.id: job.leaflet for job in jobs}.values())
        self.templates = templates_by_leaflet(project, leaflets)
        # one digest per leaflet's templates: keys of its jobs then hash 64 bytes, not the list
        self._templates_digest = {
            leaflet: hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()
            for leaflet, hashes in self.templates.items()}
        self.catalogs = {key: file_sha256(path) for key, path in catalogs.paths.items()}
        self.shown = {key: project.rel(path, resolved=True)
                      for key, path in catalogs.resolved.items()}
        self._keys = {key: project.key(path, resolved=True)
                      for key, path in catalogs.resolved.items()}
        # leaflets.toml (source language, languages, fonts) can change any verdict
        self.settings = file_sha256(project.root / PROJECT_FILE)
        self._fonts: dict[str, dict] = {}

    def key(self, kind: str, job: Job, *more) -> str:
        """The key of one job's ``kind`` of result: every catalog, template and font it reads."""
        domains = [] if job.lang == self.project.source_lang else leaflet_domains(job.leaflet)
        # the installed fonts decide font-coverage and missing-font findings: a font package
        # installed or removed must not leave an old verdict in the cache
        return make_key(kind, job.leaflet.id, job.lang, job.variant,
                        {self.shown[(job.lang, d)]: self.catalogs[(job.lang, d)]
                         for d in domains},
                        self._templates_digest[job.leaflet.id], self.settings,
                        self.fonts(job.lang), *more)

    def catalog_hashes(self, job: Job) -> dict[str, str]:
        """{``project.key(path)``: sha256} of the catalogs the job reads, for its inputs hash."""
        if job.lang == self.project.source_lang:
            return {}
        return {self._keys[(job.lang, d)]: self.catalogs[(job.lang, d)]
                for d in leaflet_domains(job.leaflet)}

    def fonts(self, lang: str) -> dict:
        """``font_hashes(lang)``: files by content hash (fontconfig's lookup is kept)."""
        if lang not in self._fonts:
            self._fonts[lang] = font_hashes(self.project, lang)
        return self._fonts[lang]


def findings_json(findings: list[Finding]) -> list[list]:
    """Findings as JSON data for a cache entry."""
    return [[f.path, f.lineno, f.check, f.message, f.error] for f in findings]


def findings_from(data: list) -> list[Finding]:
    """Findings back from ``findings_json`` data (TypeError/ValueError when malformed)."""
    found = []
    for path, lineno, rule, message, error in data:
        if not (path is None or isinstance(path, str)) or not (
                lineno is None or isinstance(lineno, int)) or rule not in RULES or not (
                isinstance(message, str) and isinstance(error, bool)):
            raise TypeError("not a finding")
        found.append(Finding(path, lineno, rule, message, error))
    return found


def _decoded_outcome(job: "Job", mode: Mode, data: list) -> "Outcome":
    outcome = Outcome(job, mode=mode)
    outcome.verdict.findings += findings_from(data)
    return outcome


def clinic_inputs(clinic: Clinic | None) -> dict | None:
    """What a clinic profile adds to a PDF's inputs: every value, and its files' contents."""
    if clinic is None:
        return None
    return {"profile": repr(clinic), "file": file_sha256(clinic.path),
            "logo": file_sha256(clinic.logo) if clinic.logo else None}


class _Ticker:
    """Counts settled jobs and tells the progress callback, once per job."""

    def __init__(self, total: int, callback: Callable[[Progress], None] | None):
        self.total, self.callback, self.seen = total, callback, set()

    def __call__(self, path: str, state: str) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        if self.callback:
            self.callback(Progress(len(self.seen), self.total, path, state))


def key_state(outcome: Outcome) -> str:
    """How a job ended: built, unchanged or failed."""
    if outcome.entry is None:
        return "failed"
    return "built" if outcome.rebuilt else "unchanged"


class _PerBuild:
    """Work shared by many jobs, done once per build: a domain's messages, a catalog's checks."""

    def __init__(self, project: Project):
        self.project = project
        self._messages: dict[str, list] = {}
        self._findings: dict[int, list[Finding]] = {}
        self._readability: dict[str, list[Finding]] = {}

    def messages(self, domain: str) -> list:
        if domain not in self._messages:
            self._messages[domain] = domain_messages(self.project, domain)
        return self._messages[domain]

    def readability(self, leaflet: Leaflet) -> list[Finding]:
        """The source text's reading age against the leaflet's limits, once per build."""
        if leaflet.id not in self._readability:
            from ..catalogs.readability import findings  # loads a pronunciation dictionary (~1 s)

            self._readability[leaflet.id] = findings(self.project, leaflet)
        return self._readability[leaflet.id]

    def forget(self, po: PoFile | None) -> None:
        """Let go of a catalog's findings with the catalog (a later one may reuse its id)."""
        if po is not None:
            self._findings.pop(id(po), None)

    def findings(self, po: PoFile, lang: str, domain: str) -> list[Finding]:
        """Every rule on one catalog (leaflets/building/rules.py), once per build."""
        if id(po) not in self._findings:
            wanted = [(m.msgid if isinstance(m.msgid, str) else m.msgid[0], m.context, m.where)
                      for m in self.messages(domain)]
            self._findings[id(po)] = catalog_findings(po, self.project.language(lang), wanted)
        return self._findings[id(po)]


def check_job(project: Project, job: Job, catalogs: dict, shared: _PerBuild | None = None,
              mode: Mode | None = None) -> Outcome:
    """The verdict on one job's catalogs, before rendering (rules.catalog_findings)."""
    shared = shared or _PerBuild(project)
    outcome = Outcome(job, mode=mode or Mode())
    if job.lang == project.source_lang:
        outcome.verdict.findings += shared.readability(job.leaflet)
    for domain in leaflet_domains(job.leaflet):
        shared.messages(domain)  # also catches template syntax errors
        if job.lang == project.source_lang:
            continue
        outcome.verdict.findings += shared.findings(catalogs[(job.lang, domain)], job.lang,
                                                    domain)
    return outcome


def render_task(project: Project, outcome: Outcome, catalogs: dict, options: BuildOptions,
                created: dt.datetime) -> RenderTask:
    """Render one job's HTML and package it for a renderer process."""
    job = outcome.job
    lang = project.language(job.lang)
    pos = job_catalogs(project, job, catalogs)
    translations = variants.wrap_translations(job.variant, (
        SourceTranslations() if job.lang == project.source_lang
        else StrictTranslations.from_catalogs(pos)), lang)
    settings = project.settings
    clinic = options.clinic
    page = PageOptions(paper=options.paper, incomplete=bool(outcome.incomplete),
                       created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       source_locale=settings.source_locale,
                       emergency_phone=(clinic.emergency_phone if clinic and clinic.emergency_phone
                                        else settings.emergency_phone or ""),
                       **edition_fields(job.path, job.lang, pos, options.clinic, job.variant,
                                        created.date(), project.source_lang),
                       source_lang=project.source_lang)
    try:
        unreviewed = job.lang != project.source_lang and any(not po.reviewer for po in pos)
        html = render_html(project.template_dirs, job.leaflet, lang, translations, page,
                           unreviewed=unreviewed)
    except jinja2.TemplateError as exc:  # e.g. the sandbox's SecurityError: one line, no traceback
        hint = ("; templates may use only plain data, not Python internals"
                if isinstance(exc, jinja2.sandbox.SecurityError) else "")
        raise TemplateError(f"template error: {exc.message}{hint}",
                            f"templates/{job.leaflet.template}") from None
    if translations.misses and not outcome.incomplete:
        # the catalogs looked complete but a lookup missed: never print English silently
        raise LeafletError(f"{job.name}: message looked up but not found in the catalogs: "
                           f"{translations.misses[0]!r}; run 'leaflets extract' and 'update'",
                           f"templates/{job.leaflet.template}")
    # a permanent document ID: the same leaflet, language and variant keep it across versions
    identifier = hashlib.sha256(f"{job.path}|{options.paper}".encode()).hexdigest()[:32].encode()
    return RenderTask(key=job.path, html=html, name=job.name,
                      max_pages=variants.page_limit(job.leaflet, job.variant),
                      allowed_fonts=lang.fonts, identifier=identifier)


def manifest_entry(project: Project, outcome: Outcome, catalogs: dict, pdf: RenderOutput,
                   options: BuildOptions, shared: _PerBuild, data: bytes) -> ManifestEntry:
    """Describe one rendered PDF (``data``, its bytes) for the manifest."""
    job = outcome.job
    pos = job_catalogs(project, job, catalogs)
    reviewers = sorted({po.reviewer for po in pos if po.reviewer})
    reviewed = job.lang == project.source_lang or (pos and all(po.reviewer for po in pos))
    status = ("source" if job.lang == project.source_lang else
              f"reviewed by {', '.join(reviewers)}" if reviewed else "not reviewed")
    domains = leaflet_domains(job.leaflet) if pos else []
    needed = sum(len({(m.msgid, m.context) for m in shared.messages(d)})
                 for d in domains)
    return entry_for(
        data, leaflet=job.leaflet.id, lang=job.lang, variant=job.variant,
        clinic=options.clinic.name if options.clinic else None, path=job.path,
        pages=pdf.pages, paper=options.paper, version=job.leaflet.version,
        review_status=status, complete=not outcome.incomplete,
        completeness=f"{needed - len(outcome.incomplete)}/{needed}" if pos else "source",
        tool_version=__version__, weasyprint_version=weasyprint_version(),
        inputs=outcome.inputs,
        catalogs=[{"path": project.key(project.po_path(job.lang, domain)),
                   "revision": po.headers.get("PO-Revision-Date", ""),
                   "sha256": file_sha256(project.po_path(job.lang, domain))}
                  for po, domain in zip(pos, domains)],
        fonts=[{"family": font.family, "sha256": font.sha256} for font in pdf.fonts])


def job_report(outcome: Outcome, options: BuildOptions) -> JobReport:
    """The report's verdict on one job."""
    job = outcome.job
    reasons = outcome.blocking if outcome.entry is None else []
    notices = []
    if outcome.entry is not None:
        if not outcome.entry.complete:
            notices.append("incomplete translation")
        if outcome.entry.review_status == "not reviewed":
            notices.append("not reviewed")
    return JobReport(leaflet=job.leaflet.id, lang=job.lang, variant=job.variant,
                     path=job.path, status=PUBLISHED if outcome.entry is not None else FAILED,
                     reasons=[{"gate": RULES[f.check].gate, "rule": f.check, "path": f.path,
                               "line": f.lineno, "message": f.message} for f in reasons],
                     warnings=[str(f) for f in outcome.verdict.warnings],
                     notices=notices)


def build_time(root: Path) -> dt.datetime:
    """The build's one clock: SOURCE_DATE_EPOCH, else the last commit's time, else the epoch."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        try:
            value = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            value = ""
    try:
        return dt.datetime.fromtimestamp(int(value or 0), dt.timezone.utc)
    except (ValueError, OverflowError):
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
