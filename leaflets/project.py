"""The project on disk: where templates, leaflets and catalogs live, and what each leaflet is."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .errors import LeafletError, Problem, ProblemsError, TemplateError
from .files import inside
from .locales import SOURCE_LANG, normalize_code

COMMON_DOMAIN = "common"  # messages of the shared layout (base.html)
BASE_TEMPLATE = "base.html"
# Messages of the print edition (clinic, governance, variants: edition.html). A domain
# of their own because most of them print only for some clinics, variants or dates.
EDITION_DOMAIN = "edition"
EDITION_TEMPLATE = "edition.html"

_REQUIRED = {"id": str, "code": str, "version": str, "published": dt.date,
             "review": dt.date, "owner": str, "max_pages": int}
# Page limits of the variants (leaflets/render/variants.py); each defaults to max_pages.
_OPTIONAL = {"max_pages_large_print": int, "max_pages_bilingual": int,
             # the clinical approver printed in the governance block (PIF TICK)
             "approver_role": str, "approver_name": str,
             # readability limits of the source text (leaflets/catalogs/readability.py)
             "max_fk_grade": (int, float), "max_smog": (int, float)}
SETTINGS_FILE = "leaflets.toml"
# name -> what a good value looks like; every field is required
SETTINGS_FIELDS = {
    "source_locale": "the CLDR locale of the templates' language, e.g. \"en-GB\"",
    "emergency_phone": "the emergency number for a severe reaction, e.g. \"999\"",
}


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
class Settings:
    """The project's settings (leaflets.toml), checked field by field."""

    source_locale: str  # Babel spelling, e.g. en_GB
    emergency_phone: str


@dataclass(frozen=True)
class Project:
    """Paths of one project checkout; everything else is read from them on demand."""

    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    def rel(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def settings(self) -> Settings:
        """The checked settings of leaflets.toml; a bad or missing field is a file:line error."""
        path = self.root / SETTINGS_FILE
        try:
            stat = path.stat()
        except OSError:
            raise LeafletError(f"missing project settings: create {SETTINGS_FILE} with "
                               + " and ".join(f"{key} = {hint}"
                                              for key, hint in SETTINGS_FIELDS.items()),
                               SETTINGS_FILE) from None
        return _read_settings(path, SETTINGS_FILE, stat.st_mtime_ns, stat.st_size)

    def pot_path(self, domain: str) -> Path:
        """Where the template catalog of ``domain`` lives."""
        return self.locales / f"{domain}.pot"

    def po_path(self, lang: str, domain: str) -> Path:
        """Where the ``lang`` catalog of ``domain`` lives."""
        return self.locales / lang / "LC_MESSAGES" / f"{domain}.po"

    def leaflets(self) -> list[Leaflet]:
        """Every leaflet defined by a ``templates/<id>.toml`` file, sorted by id."""
        return [self._read_leaflet(p) for p in sorted(self.templates.glob("*.toml"))]

    def languages(self) -> list[str]:
        """The source language plus every language that has a catalog folder, sorted."""
        found = {p.parent.parent.name for p in self.locales.glob("*/LC_MESSAGES/*.po")}
        return [SOURCE_LANG] + sorted(found - {SOURCE_LANG})

    def select_leaflets(self, wanted: list[str] | None) -> list[Leaflet]:
        """The leaflets named in ``wanted`` (all when empty); an unknown name is an error."""
        leaflets = {leaflet.id: leaflet for leaflet in self.leaflets()}
        if not wanted:
            return list(leaflets.values())
        unknown = sorted(set(wanted) - set(leaflets))
        if unknown:
            raise LeafletError(f"unknown leaflet {unknown[0]!r}: known leaflets are "
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
            raise LeafletError(f"unknown language {unknown[0]!r}: no catalogs under "
                             f"{self.rel(self.locales / unknown[0])}; known languages are "
                             f"{', '.join(known)}")
        return list(dict.fromkeys(chosen))

    def _read_leaflet(self, path: Path) -> Leaflet:
        where = self.rel(path)
        text = path.read_text(encoding="utf-8")
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
                                    toml_line(text, key))
        if data["id"] != path.stem:
            raise TemplateError(f"id {data['id']!r} must match the file name {path.stem!r}", where)
        template = f"{path.stem}.html"
        if not (self.templates / template).is_file():
            raise TemplateError(f"no template {template} for this leaflet", where)
        return Leaflet(template=template, **{key: data[key] for key in _REQUIRED},
                       **{key: data[key] for key in _OPTIONAL if key in data})


@lru_cache(maxsize=8)
def _read_settings(path: Path, shown: str, _mtime: int, _size: int) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise LeafletError(f"cannot read project settings: {exc}", shown) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise LeafletError(f"invalid TOML: {str(exc).split(' (at')[0]}", shown,
                           int(found.group(1)) if found else None) from None
    problems: list[Problem] = []
    for key in sorted(set(data) - set(SETTINGS_FIELDS)):
        problems.append(Problem(shown, toml_line(text, key), f"field {key!r}: unknown field; "
                                f"known fields are {', '.join(SETTINGS_FIELDS)}"))
    values = {}
    for key, hint in SETTINGS_FIELDS.items():
        if key not in data:
            problems.append(Problem(shown, None, f"field {key!r} is missing: add {key} = {hint}"))
        elif not isinstance(data[key], str):
            problems.append(Problem(shown, toml_line(text, key), f"field {key!r}: must be {hint}"))
        else:
            try:
                values[key] = _SETTING_CHECKS[key](data[key])
            except ValueError as exc:
                problems.append(Problem(shown, toml_line(text, key), f"field {key!r}: {exc}"))
    if problems:
        raise ProblemsError(problems)
    return Settings(**values)


def _source_locale(value: str) -> str:
    try:
        locale = Locale.parse(value.strip(), sep="-" if "-" in value else "_")
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"{value!r} is not a CLDR locale: write it like \"en-GB\"") from None
    if locale.language != SOURCE_LANG:
        raise ValueError(f"{value!r} is not a locale of the templates' language "
                         f"{SOURCE_LANG!r}: write it like \"{SOURCE_LANG}-GB\"")
    return str(locale)


def _emergency(value: str) -> str:
    from .clinic.profile import emergency_number  # the clinic package imports this module

    return emergency_number(value)


_SETTING_CHECKS = {"source_locale": _source_locale, "emergency_phone": _emergency}


def toml_line(text: str, key: str) -> int | None:
    """The line where ``key = ...`` is set in a TOML text (None when it is not set)."""
    found = re.search(rf'^[ \t]*(?:{re.escape(key)}|"{re.escape(key)}")[ \t]*=', text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


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
                                    f"{shown_path(project, folder)}/; replace it with the file "
                                    "itself", shown_path(project, path))


def shown_path(project: Project, path: Path) -> str:
    """``path`` relative to the project without resolving it (a symlink shows as itself)."""
    try:
        return str(Path(path).relative_to(project.root))
    except ValueError:
        return str(path)
