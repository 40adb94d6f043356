"""Jobs: the PDFs a build makes, and the catalogs they read.

``plan_jobs`` turns the options into (leaflet, language) jobs, one shard of them if asked;
``load_catalogs`` checks that every catalog they need is there (inside locales/) before any
work, and parses them all at once or, ``lazy``, each when first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalogs.extract import leaflet_domains
from ..catalogs.pofile import PoFile, read_catalog
from ..errors import UsageError
from ..files import Resolver
from ..locales import missing_font
from ..project import Leaflet, Project
from ..render import variants
from ..render.html import PAPER_SIZES

if TYPE_CHECKING:
    from .build import BuildOptions


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


def select_shard(jobs: list, shard: tuple[int, int]) -> list:
    """The K-th of N parts of the job list, dealt round-robin (deterministic)."""
    index, count = shard
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {index}/{count}: use K/N with 1 <= K <= N")
    return [job for position, job in enumerate(jobs) if position % count == index - 1]


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
    langs = variants.check_variant(options.variant, langs, asked=bool(options.langs),
                                  source=project.source_lang)
    for lang in langs:
        # an unknown CLDR code, or a script no installed font covers, fails here
        if problem := missing_font(project.language(lang)):
            raise UsageError(problem, project.rel(project.locales / lang))
    # the order asked for (a print pack follows it); the same command gives the same shards
    jobs = [Job(leaflet, lang, options.variant) for leaflet in leaflets for lang in langs]
    return select_shard(jobs, options.shard)


class Catalogs(dict):
    """The catalogs of a build by (lang, domain); with ``lazy``, each is parsed on first use.

    Every file is checked to exist (and not to lead outside locales/) up front either way."""

    def __init__(self, project: Project, paths: dict[tuple[str, str], Path], lazy: bool,
                 resolved: dict[tuple[str, str], Path] | None = None):
        super().__init__()
        self.project, self.paths = project, paths
        self.resolved = resolved or {key: path.resolve() for key, path in paths.items()}
        if not lazy:
            for key in paths:
                self[key]

    def __missing__(self, key: tuple[str, str]) -> PoFile:
        po = self[key] = read_catalog(self.project, *key)
        return po


def load_catalogs(project: Project, jobs: list[Job], lazy: bool = False) -> Catalogs:
    """Every catalog the jobs need; a malformed one stops the build before any output.

    With ``lazy`` a catalog is parsed only when a result about it is not in the cache (an
    entry exists only for bytes that parsed, so a malformed file is never a cache hit)."""
    paths: dict[tuple[str, str], Path] = {}
    resolve, resolved = Resolver(), {}
    roots = [folder.resolve() for folder in project.locale_dirs]
    for job in jobs:
        if job.lang == project.source_lang:
            continue
        for domain in leaflet_domains(job.leaflet):
            key = (job.lang, domain)
            if key not in paths:
                path = project.po_path(job.lang, domain)
                target = resolve(path)
                if target is None or not path.is_file() or not any(
                        target.is_relative_to(r) for r in roots):
                    read_catalog(project, job.lang, domain)  # raises its one-line error
                paths[key], resolved[key] = path, target
    return Catalogs(project, paths, lazy, resolved)


def catalog_keys(project: Project, job: Job) -> list[tuple[str, str]]:
    """The (lang, domain) of each catalog one job reads, shared layout first."""
    if job.lang == project.source_lang:
        return []
    return [(job.lang, domain) for domain in leaflet_domains(job.leaflet)]


def job_catalogs(project: Project, job: Job, catalogs: dict) -> list[PoFile]:
    """The catalogs one job reads, shared layout first."""
    return [catalogs[key] for key in catalog_keys(project, job)]
