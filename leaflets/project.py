"""The project on disk: where templates, leaflets and catalogs live, and what each leaflet is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import TemplateError, UsageError
from .files import inside
from .locales import Language, language, normalize_code
from .settings import PROJECT_FILE, Settings, find_project_file, line_of, read_settings

COMMON_DOMAIN = "common"  # messages of the shared layout (base.html)
BASE_TEMPLATE = "base.html"
# Messages of the print edition (clinic, governance, variants: edition.html). A domain
# of their own because most of them print only for some clinics, variants or dates.
EDITION_DOMAIN = "edition"
EDITION_TEMPLATE = "edition.html"
# The shared catalog domains and the theme template each is extracted from.
SHARED_DOMAINS = {COMMON_DOMAIN: BASE_TEMPLATE, EDITION_DOMAIN: EDITION_TEMPLATE}
# The default theme shipped inside the package: the shared layout, its stylesheet, the
# front desk page, and the common and edition catalogs with their translations.
THEME = Path(__file__).resolve().parent / "theme"

_REQUIRED = {"id": str, "code": str, "version": str, "published": dt.date,
             "review": dt.date, "owner": str, "max_pages": int}
# Page limits of the variants (leaflets/render/variants.py); each defaults to max_pages.
_OPTIONAL = {"max_pages_large_print": int, "max_pages_bilingual": int,
             # the clinical approver printed in the governance block (PIF TICK)
             "approver_role": str, "approver_name": str,
             # readability limits of the source text (leaflets/catalogs/readability.py)
             "max_fk_grade": (int, float), "max_smog": (int, float)}


@dataclass(frozen=True)
class Leaflet:
    """One leaflet: its template, its catalog domain and its governance metadata."""

    id: str
    code: str
    version: str
    published: dt.date
    review: dt.date
    owner: str
    max_pages: int
    template: str  # file name inside templates/
    max_pages_large_print: int | None = None
    max_pages_bilingual: int | None = None
    approver_role: str | None = None
    approver_name: str | None = None
    max_fk_grade: float | None = None
    max_smog: float | None = None

    @property
    def domain(self) -> str:
        """The gettext domain of the leaflet's own messages."""
        return self.id


@dataclass(frozen=True)
class Project:
    """Paths of one project checkout; everything else is read from them on demand.

    Lookup order, for templates, the stylesheet and the front desk page: the project's
    templates/ first, then the theme's. For the shared catalogs (common, edition) of a
    language: the project's locales/ first, then the theme's. A project that has its own
    copy of a shared template (or of its .pot) owns that domain: its catalogs then come
    from its own locales/ only. Files outside the project root (the installed theme)
    are read-only defaults; in this repository the theme is inside the root, so its
    maintainers extract and update it like the project's own catalogs.
    """

    root: Path
    theme: Path = THEME

    @cached_property
    def settings(self) -> Settings:
        """The project file, checked; defaults when the folder has none (tests' copies)."""
        path = self.root / PROJECT_FILE
        return read_settings(path, self.rel(path)) if path.is_file() else Settings()

    @property
    def source_lang(self) -> str:
        """The catalog code of the language the templates are written in."""
        return self.settings.source_language

    def language(self, code: str) -> Language:
        """``locales.language(code)`` with the project's font choice for it, if any."""
        lang = language(code)
        fonts = self.settings.fonts
        override = fonts.get(lang.code) or fonts.get(lang.script)
        return dataclasses.replace(lang, font_override=override) if override else lang

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def theme_templates(self) -> Path:
        return self.theme / "templates"

    @property
    def theme_locales(self) -> Path:
        return self.theme / "locales"

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up, in order: the project's, then the theme's."""
        return tuple(dict.fromkeys([self.templates, self.theme_templates]))

    @property
    def locale_dirs(self) -> tuple[Path, ...]:
        """Where catalogs may live: the project's locales/, then the theme's."""
        return tuple(dict.fromkeys([self.locales, self.theme_locales]))

    def template_path(self, name: str) -> Path:
        """The file a template name means: the project's own, else the theme's."""
        for folder in self.template_dirs:
            if (folder / name).is_file():
                return folder / name
        return self.templates / name

    def writable(self, path: Path) -> bool:
        """Whether the tools may write ``path``: only inside the project (not an installed theme)."""
        return inside(path, [self.root.resolve()]) is not None

    def owns_domain(self, domain: str) -> bool:
        """True for a leaflet's domain, and for a shared one the project overrides itself."""
        template = SHARED_DOMAINS.get(domain)
        return template is None or ((self.templates / template).is_file()
                                    or (self.locales / f"{domain}.pot").is_file())

    def rel(self, path: Path, *, resolved: bool = False) -> str:
        """A path as users see it in messages: relative to the project root when inside it.

        ``resolved``: the caller has resolved ``path`` already."""
        try:
            return str((Path(path) if resolved else Path(path).resolve()).relative_to(
                self._resolved[0]))
        except ValueError:
            return str(path)

    def key(self, path: Path, *, resolved: bool = False) -> str:
        """A path the same on every machine, for hashes and manifests: relative to the project,
        or ``theme/...`` for the installed theme's files (``resolved``: ``path`` already is)."""
        resolved = Path(path) if resolved else Path(path).resolve()
        for folder, prefix in zip(self._resolved, ("", "theme/")):
            if resolved.is_relative_to(folder):
                return prefix + resolved.relative_to(folder).as_posix()
        return resolved.as_posix()

    @cached_property
    def _resolved(self) -> tuple[Path, Path]:
        # resolved once: a library of many leaflets asks for thousands of keys per run
        return self.root.resolve(), self.theme.resolve()

    def pot_path(self, domain: str) -> Path:
        """Where the template catalog of ``domain`` lives (the theme's for a shared domain)."""
        if self.owns_domain(domain):
            return self.locales / f"{domain}.pot"
        return self.theme_locales / f"{domain}.pot"

    def po_path(self, lang: str, domain: str) -> Path:
        """Where the ``lang`` catalog of ``domain`` lives: the project's, else the theme's.

        Where neither exists yet: the theme's when this project maintains it, else its own."""
        own = self.locales / lang / "LC_MESSAGES" / f"{domain}.po"
        if self.owns_domain(domain) or own.is_file():
            return own
        theme = self.theme_locales / lang / "LC_MESSAGES" / f"{domain}.po"
        return theme if theme.is_file() or self.writable(theme) else own

    def theme_po_path(self, lang: str, domain: str) -> Path:
        """The theme's own ``lang`` catalog of a shared domain (may not exist)."""
        return self.theme_locales / lang / "LC_MESSAGES" / f"{domain}.po"

    def leaflets(self) -> list[Leaflet]:
        """Every leaflet defined by a ``templates/<id>.toml`` file, sorted by id."""
        return [self._read_leaflet(p) for p in sorted(self.templates.glob("*.toml"))]

    def languages(self) -> list[str]:
        """The source language, then leaflets.toml's languages, else every language that
        has a catalog in the project's locales/, sorted."""
        source = self.source_lang
        found = self.settings.languages or sorted(
            {p.parent.parent.name for p in self.locales.glob("*/LC_MESSAGES/*.po")})
        return [source] + [code for code in found if code != source]

    def select_leaflets(self, wanted: list[str] | None) -> list[Leaflet]:
        """The leaflets named in ``wanted`` (all when empty); an unknown name is an error."""
        leaflets = {leaflet.id: leaflet for leaflet in self.leaflets()}
        if not wanted:
            return list(leaflets.values())
        unknown = sorted(set(wanted) - set(leaflets))
        if unknown:
            raise UsageError(f"unknown leaflet {unknown[0]!r}: known leaflets are "
                             f"{', '.join(leaflets) or 'none'} (see templates/*.toml)")
        return [leaflets[name] for name in dict.fromkeys(wanted)]

    def select_languages(self, wanted: list[str] | None) -> list[str]:
        """The languages named in ``wanted`` (all when empty); one without catalogs is an error."""
        known = self.languages()
        if not wanted:
            return known
        chosen = [normalize_code(code) for code in wanted]
        unknown = [code for code in chosen if code not in known]
        if unknown:
            raise UsageError(f"unknown language {unknown[0]!r}: no catalogs under "
                             f"{self.rel(self.locales / unknown[0])}; known languages are "
                             f"{', '.join(known)}")
        return list(dict.fromkeys(chosen))

    def _read_leaflet(self, path: Path) -> Leaflet:
        text = path.read_text(encoding="utf-8")
        # a build asks for the leaflets dozens of times: each text is parsed and checked once
        parsed = self.__dict__.setdefault("_parsed_leaflets", {})
        if (path, text) not in parsed:
            parsed[(path, text)] = self._parse_leaflet(path, text)
        fields = parsed[(path, text)]
        template = fields["template"]
        if not (self.templates / template).is_file():
            raise TemplateError(f"no template {template} for this leaflet", self.rel(path))
        return Leaflet(**fields)

    def _parse_leaflet(self, path: Path, text: str) -> dict:
        where = self.rel(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            lineno = getattr(exc, "lineno", None)
            raise TemplateError(f"invalid TOML: {exc}", where, lineno) from None
        for key, kind in _REQUIRED.items():
            if not isinstance(data.get(key), kind):
                raise TemplateError(f"field {key!r} must be a {kind.__name__}", where)
        for key, kind in _OPTIONAL.items():
            if key in data and (not isinstance(data[key], kind) or isinstance(data[key], bool)):
                names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple)
                                                         else (kind,)))
                raise TemplateError(f"field {key!r} must be a {names}", where,
                                    line_of(text, key))
        if data["id"] != path.stem:
            raise TemplateError(f"id {data['id']!r} must match the file name {path.stem!r}", where)
        return {"template": f"{path.stem}.html", **{key: data[key] for key in _REQUIRED},
                **{key: data[key] for key in _OPTIONAL if key in data}}


def open_project(root: Path | None, cwd: Path) -> Project:
    """The project at ``root`` (``--root``), else the one whose leaflets.toml is nearest above
    ``cwd``; its project file is read and checked here. Outside a project: a usage error."""
    if root is not None:
        if not (Path(root) / PROJECT_FILE).is_file():
            raise UsageError(f"{root} is not a leaflets project: it has no {PROJECT_FILE}; "
                             "run 'leaflets new DIR' to start one")
        found = Path(root) / PROJECT_FILE
    else:
        found = find_project_file(cwd)
        if found is None:
            raise UsageError(f"not inside a leaflets project: no {PROJECT_FILE} here or in any "
                             "parent folder; run 'leaflets new DIR' to start one, or pass --root")
    project = Project(found.parent.resolve())
    project.settings  # a bad project file stops every command here
    return project


def check_sources(project: Project) -> None:
    """The shared layout is there, and no file under templates/ leads outside it (Jinja2 and
    WeasyPrint follow symlinks)."""
    if not project.template_path(BASE_TEMPLATE).is_file():
        raise TemplateError("missing: every leaflet extends this shared layout; restore it from "
                            "version control", f"templates/{BASE_TEMPLATE}")
    for folder in project.template_dirs:
        if folder.is_dir():
            check_contained(project, folder)


def check_contained(project: Project, folder: Path) -> None:
    """No symlink under ``folder`` (templates/, a clinic profile's folder) leads outside it."""
    root = Path(folder).resolve()
    for parent, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(parent) / name
            if path.is_symlink() and inside(path, [root]) is None:
                raise TemplateError(f"symlink to {os.readlink(path)!r}, outside "
                                    f"{shown_path(project, folder)}/; replace it with the file "
                                    "itself", shown_path(project, path))


def shown_path(project: Project, path: Path) -> str:
    """``path`` relative to the project without resolving it (a symlink shows as itself)."""
    try:
        return str(Path(path).relative_to(project.root))
    except ValueError:
        return str(path)
