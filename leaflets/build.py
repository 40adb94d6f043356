"""Build: plan the jobs, gather and check every catalog, render every PDF, then write them all."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.sandbox
import weasyprint

from . import __version__
from . import variants
from .catalogs import PoFile, SourceTranslations, StrictTranslations, missing_translations, read_po
from .checkers import SAFETY_CHECKS, CheckFailed
from .clinic import Clinic
from .edition import edition_fields
from .errors import CatalogError, LeafletError, Problem, RenderError, TemplateError, UsageError
from .extract import domain_messages, leaflet_domains
from .files import atomic_write, locked_folder, remove_stale_temps
from .frontdesk import _remove_stale as remove_page_files
from .frontdesk import write_frontdesk
from .html import PAPER_SIZES, PageOptions, render_html
from .locales import SOURCE_LANG, language
from .manifest import (MANIFEST, PDF_KIND, ManifestEntry, entry_for, kind_of, manifest_json,
                       read_manifest, still_valid, write_manifest)
from .pdf import Renderer, RenderedPdf, inside
from .project import BASE_TEMPLATE, Leaflet, Project

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; the CLI fills it in from its arguments."""

    leaflets: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    out: Path = Path("dist")
    paper: str = "a4"
    allow_incomplete: bool = False
    clinic: Clinic | None = None  # leaflets/clinic.py: name, numbers, logo, QR code
    variant: str = variants.STANDARD  # leaflets/variants.py
    lock_timeout: float = 600.0  # seconds to wait for another build writing to ``out``


@dataclass(frozen=True)
class Job:
    """One PDF to make: a leaflet in a language."""

    leaflet: Leaflet
    lang: str
    variant: str = variants.STANDARD

    @property
    def path(self) -> str:
        """Where the PDF goes, relative to the output folder."""
        return f"{self.lang}/{self.leaflet.id}{variants.file_suffix(self.variant)}.pdf"

    @property
    def name(self) -> str:
        suffix = "" if self.variant == variants.STANDARD else f", {self.variant}"
        return f"{self.leaflet.id} [{self.lang}{suffix}]"


@dataclass
class Outcome:
    """What happened to one job."""

    job: Job
    incomplete: list[Problem] = field(default_factory=list)  # missing or fuzzy messages
    unsafe: list[Problem] = field(default_factory=list)  # translations that break a safety check
    render_problems: list[Problem] = field(default_factory=list)
    entry: ManifestEntry | None = None

    @property
    def problems(self) -> list[Problem]:
        """Every reason this job is not a complete, printable leaflet."""
        return self.unsafe + self.incomplete + self.render_problems


@dataclass
class BuildResult:
    """Everything a build did: written PDFs, failed jobs with reasons, the manifest."""

    outcomes: list[Outcome]
    manifest: Path | None

    @property
    def failed(self) -> list[Outcome]:
        """Jobs that produced no PDF."""
        return [outcome for outcome in self.outcomes if outcome.entry is None]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def written(self) -> list[ManifestEntry]:
        return [outcome.entry for outcome in self.outcomes if outcome.entry]


def build(project: Project, options: BuildOptions, renderer: Renderer | None = None,
          created: dt.datetime | None = None) -> BuildResult:
    """Build PDFs for the selected leaflets and languages; nothing is written if inputs are broken."""
    jobs = plan_jobs(project, options)
    check_sources(project)
    catalogs = load_catalogs(project, jobs)
    outcomes = [check_job(project, job, catalogs) for job in jobs]
    renderer = renderer or Renderer(
        project.templates, extra_roots=(options.clinic.folder,) if options.clinic else ())
    created = created or build_time(project.root)  # pseudo-locales pass the real project's
    rendered = {}
    for outcome in outcomes:
        if outcome.unsafe or (outcome.incomplete and not options.allow_incomplete):
            continue
        try:
            rendered[outcome.job] = render_job(project, outcome, catalogs, options, renderer,
                                               created)
        except RenderError as exc:
            outcome.render_problems = exc.problems
    manifest = None
    if rendered or Path(options.out).is_dir():
        manifest = publish(project, options, [o for o in outcomes if o.job in rendered],
                           catalogs, rendered)
    return BuildResult(outcomes, manifest)


def publish(project: Project, options: BuildOptions, outcomes: list[Outcome], catalogs: dict,
            rendered: dict) -> Path | None:
    """Write the PDFs, the manifest and the front desk page, one build at a time per folder.

    The manifest first forgets the files about to be replaced, so a build killed
    half-way leaves a manifest that lists only files present with their hash.
    """
    out = Path(options.out)
    manifest = None
    with locked_folder(out, options.lock_timeout):
        remove_stale_temps(out)
        page = [entry for entry in read_manifest(out) if kind_of(entry) != PDF_KIND]
        forget(out, {outcome.job.path for outcome in outcomes} | {e.get("path") for e in page})
        for outcome in outcomes:
            outcome.entry = write_pdf(out, outcome, catalogs, rendered[outcome.job], options)
        if outcomes:
            manifest = write_manifest(out, [outcome.entry for outcome in outcomes])
        write_frontdesk(project, out)  # index.html for the staff who hand leaflets out
        # the page's old entries were forgotten above, so frontdesk cannot see which
        # of its files this build no longer makes: remove them here
        listed = {entry.get("path") for entry in read_manifest(out)}
        remove_page_files(out, [e for e in page if e.get("path") not in listed])
    return manifest


def forget(out: Path, paths: set[str]) -> None:
    """Drop ``paths`` (and entries whose file changed) from an existing manifest."""
    if not (Path(out) / MANIFEST).exists():
        return
    kept = [entry for entry in read_manifest(out)
            if entry.get("path") not in paths and still_valid(out, entry)]
    atomic_write(Path(out) / MANIFEST, manifest_json(kept))


def check_sources(project: Project) -> None:
    """The shared layout is there, and no file under templates/ leads outside it (Jinja2 and
    WeasyPrint follow symlinks)."""
    if not (project.templates / BASE_TEMPLATE).is_file():
        raise TemplateError("missing: every leaflet extends this shared layout; restore it from "
                            "version control", f"templates/{BASE_TEMPLATE}")
    check_contained(project, project.templates)


def check_contained(project: Project, folder: Path) -> None:
    """No symlink under ``folder`` (templates/, a clinic profile's folder) leads outside it."""
    root = Path(folder).resolve()
    for parent, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(parent) / name
            if path.is_symlink() and inside(path, [root]) is None:
                raise TemplateError(f"symlink to {os.readlink(path)!r}, outside "
                                    f"{_shown(project, folder)}/; replace it with the file itself",
                                    _shown(project, path))


def plan_jobs(project: Project, options: BuildOptions) -> list[Job]:
    """Every (leaflet, language) pair asked for, sorted; unknown names are errors."""
    if options.paper not in PAPER_SIZES:
        raise UsageError(f"unknown paper size {options.paper!r}: use a4 or letter")
    leaflets = project.select_leaflets(list(options.leaflets))
    langs = project.select_languages(list(options.langs) or list(
        options.clinic.languages if options.clinic else ()))
    if options.clinic and options.clinic.languages:
        offered = set(options.clinic.languages)
        for lang in langs:
            if lang not in offered:
                raise UsageError(f"the clinic does not offer {lang!r}: add it to its 'languages' "
                                 f"or leave out --lang {lang}", project.rel(options.clinic.path))
    langs = variants.check_variant(options.variant, langs, asked=bool(options.langs))
    for lang in langs:
        language(lang)  # an unknown CLDR code fails here, before any work
    return [Job(leaflet, lang, options.variant) for leaflet in leaflets for lang in langs]


def load_catalogs(project: Project, jobs: list[Job]) -> dict[tuple[str, str], PoFile]:
    """Parse every catalog the jobs need; a malformed one stops the build before any output."""
    catalogs = {}
    for job in jobs:
        if job.lang == SOURCE_LANG:
            continue
        for domain in leaflet_domains(job.leaflet):
            key = (job.lang, domain)
            if key not in catalogs:
                path = project.po_path(job.lang, domain)
                if not path.is_file():
                    raise LeafletError(f"no catalog for {job.lang}; run 'generate.py init "
                                       f"{job.lang}' or 'generate.py update'", project.rel(path))
                if inside(path, [project.locales.resolve()]) is None:
                    raise CatalogError("catalog is a symlink to a file outside locales/; "
                                       "replace it with the catalog itself", _shown(project, path))
                catalogs[key] = read_po(path, project.rel(path))
    return catalogs


def check_job(project: Project, job: Job, catalogs: dict) -> Outcome:
    """Everything wrong with one job's translations: missing, fuzzy, unsafe."""
    outcome = Outcome(job)
    for domain in leaflet_domains(job.leaflet):
        messages = domain_messages(project, domain)  # also catches template syntax errors
        if job.lang == SOURCE_LANG:
            continue
        po = catalogs[(job.lang, domain)]
        outcome.incomplete += missing_translations(
            po, [(m.msgid, m.context, m.where) for m in messages])
        for message in po.catalog:
            if not message.id or not message.string:
                continue
            for check in SAFETY_CHECKS:
                try:
                    check(message)
                except CheckFailed as exc:
                    outcome.unsafe.append(Problem(po.path, message.lineno, f"[{exc.check}] {exc}"))
    return outcome


def render_job(project: Project, outcome: Outcome, catalogs: dict, options: BuildOptions,
               renderer: Renderer, created: dt.datetime) -> RenderedPdf:
    """Render one job to PDF bytes in memory."""
    job = outcome.job
    lang = language(job.lang)
    pos = job_catalogs(job, catalogs)
    translations = variants.wrap_translations(job.variant, (
        SourceTranslations() if job.lang == SOURCE_LANG
        else StrictTranslations.from_catalogs(pos)), lang)
    page = PageOptions(paper=options.paper, incomplete=bool(outcome.incomplete),
                       created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       **edition_fields(job.path, job.lang, pos, options.clinic, job.variant,
                                        created.date()))
    try:
        html = render_html(project.templates, job.leaflet, lang, translations, page,
                           unreviewed=job.lang != SOURCE_LANG and any(not po.reviewer for po in pos))
    except jinja2.TemplateError as exc:  # e.g. the sandbox's SecurityError: one line, no traceback
        hint = ("; templates may use only plain data, not Python internals"
                if isinstance(exc, jinja2.sandbox.SecurityError) else "")
        raise TemplateError(f"template error: {exc.message}{hint}",
                            f"templates/{job.leaflet.template}") from None
    if translations.misses and not outcome.incomplete:
        # the catalogs looked complete but a lookup missed: never print English silently
        raise LeafletError(f"{job.name}: message looked up but not found in the catalogs: "
                           f"{translations.misses[0]!r}; run 'generate.py extract' and 'update'",
                           f"templates/{job.leaflet.template}")
    return renderer.render(html, name=job.name,
                           max_pages=variants.page_limit(job.leaflet, job.variant),
                           allowed_fonts=lang.fonts)


def job_catalogs(job: Job, catalogs: dict) -> list[PoFile]:
    """The catalogs one job reads, shared layout first."""
    if job.lang == SOURCE_LANG:
        return []
    return [catalogs[(job.lang, domain)] for domain in leaflet_domains(job.leaflet)]


def write_pdf(out: Path, outcome: Outcome, catalogs: dict, pdf: RenderedPdf,
              options: BuildOptions) -> ManifestEntry:
    """Write one rendered PDF atomically and describe it for the manifest."""
    job = outcome.job
    atomic_write(Path(out) / job.path, pdf.data)
    pos = job_catalogs(job, catalogs)
    reviewers = sorted({po.reviewer for po in pos if po.reviewer})
    reviewed = job.lang == SOURCE_LANG or (pos and all(po.reviewer for po in pos))
    status = ("source" if job.lang == SOURCE_LANG else
              f"reviewed by {', '.join(reviewers)}" if reviewed else "not reviewed")
    LOG.debug("wrote %s (%d pages, %d bytes)", job.path, pdf.pages, len(pdf.data))
    return entry_for(pdf.data, leaflet=job.leaflet.id, lang=job.lang, path=job.path,
                     pages=pdf.pages, paper=options.paper, version=job.leaflet.version,
                     review_status=status, complete=not outcome.incomplete,
                     tool_version=__version__, weasyprint_version=weasyprint.__version__,
                     fonts=pdf.fonts, variant=job.variant,
                     clinic=options.clinic.name if options.clinic else None)


def _shown(project: Project, path: Path) -> str:
    """``path`` relative to the project without resolving it (a symlink shows as itself)."""
    try:
        return str(Path(path).relative_to(project.root))
    except ValueError:
        return str(path)


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
