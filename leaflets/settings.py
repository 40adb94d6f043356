"""The project file: ``leaflets.toml`` at a project's root, found like pyproject.toml, checked field by field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .errors import LeafletError, Problem, ProblemsError, UsageError
from .locales import normalize_code

PROJECT_FILE = "leaflets.toml"
PAPERS = ("a4", "letter")
# name -> (TOML type, what a good value looks like)
FIELDS: dict[str, tuple[type, str]] = {
    "name": (str, "the project's name, e.g. \"Riverside patient leaflets\""),
    "organisation": (str, "who publishes the leaflets, e.g. \"Riverside Health Centre\""),
    "source_language": (str, "the catalog code of the language the templates are written "
                             "in, e.g. \"en\" (default: the language of source_locale)"),
    "source_locale": (str, "the CLDR locale of the source text, e.g. \"en-GB\""),
    "emergency_phone": (str, "the emergency number printed on the leaflets, e.g. \"999\""),
    "paper": (str, "a4 or letter"),
    "languages": (list, "a list of catalog language codes such as [\"fr\", \"ar\"]"),
    "fonts": (dict, "a table {language or script = [font families, preferred first]}, "
                    "e.g. fonts.ar = [\"Noto Naskh Arabic\", \"Noto Sans\"]"),
    "output": (str, "the output folder, relative to the project, e.g. \"dist\""),
}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$|^[0-9]$")
_CODE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")


@dataclass(frozen=True)
class Settings:
    """A checked project file; the defaults are those of a project without one."""

    path: Path | None = None
    name: str = "leaflets"
    organisation: str = ""
    source_language: str = "en"
    source_locale: str = "en"
    emergency_phone: str | None = None
    paper: str = "a4"
    languages: tuple[str, ...] = ()  # empty: every language with catalogs
    fonts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    output: str = "dist"


def find_project_file(start: Path) -> Path | None:
    """``leaflets.toml`` in ``start`` or the nearest parent folder, like pyproject.toml."""
    start = Path(start).resolve()
    for folder in [start, *start.parents]:
        if (folder / PROJECT_FILE).is_file():
            return folder / PROJECT_FILE
    return None


def read_settings(path: Path, shown: str | None = None) -> Settings:
    """Read and check a project file; every bad field is one ``file:line: field ...`` problem."""
    path = Path(path)
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no {PROJECT_FILE} here; run 'leaflets new DIR' to start a project",
                         shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LeafletError(f"cannot read the project file: {exc}", shown) from None
    data = parse_toml(text, shown)

    problems: list[Problem] = []
    values: dict[str, object] = {}
    for key in sorted(set(data) - set(FIELDS)):
        problems.append(Problem(shown, line_of(text, key),
                                f"field {key!r}: unknown field; known fields are "
                                f"{', '.join(FIELDS)}"))
    for key, (kind, hint) in FIELDS.items():
        if key not in data:
            continue
        value = data[key]
        try:
            if not isinstance(value, kind):
                raise ValueError(f"must be {hint}")
            values[key] = _CHECKS[key](value, hint)
        except ValueError as exc:
            problems.append(Problem(shown, line_of(text, key), f"field {key!r}: {exc}"))
    if problems:
        raise ProblemsError(problems)
    if "source_locale" in values and "source_language" not in values:
        values["source_language"] = str(values["source_locale"]).partition("_")[0]
    values["source_locale"] = values.get("source_locale", values.get("source_language", "en"))
    return Settings(path=path, **values)


def parse_toml(text: str, shown: str) -> dict:
    """``text`` parsed as TOML; a syntax error is one line naming ``shown`` and its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise LeafletError(f"invalid TOML: {str(exc).split(' (at')[0]}", shown,
                           int(found.group(1)) if found else None) from None


def line_of(text: str, key: str) -> int | None:
    """The line where ``key = ...`` (or a ``[key]`` table) is set in a TOML text."""
    found = re.search(rf'^[ \t]*(?:{re.escape(key)}|"{re.escape(key)}")[ \t]*(=|\.)'
                      rf'|^[ \t]*\[[ \t]*{re.escape(key)}[ \t]*\]', text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _text(value: str, _hint: str) -> str:
    value = value.strip()
    if not value or len(value) > 200 or not value.isprintable():
        raise ValueError("must be one line of text, 1 to 200 characters")
    return value


def _code(value: str, hint: str) -> str:
    """A language code that CLDR knows, in catalog spelling (``en_GB``)."""
    try:
        code = normalize_code(value)
    except UsageError:
        raise ValueError(f"{value!r} is not a language code; use {hint}") from None
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"{value!r} is not a language CLDR knows; use {hint}") from None
    return code


def _phone(value: str, hint: str) -> str:
    if not _PHONE.match(value.strip()):
        raise ValueError(f"{value!r} is not a phone number; use {hint}")
    return value.strip()


def _paper(value: str, hint: str) -> str:
    if value.lower() not in PAPERS:
        raise ValueError(f"{value!r}: use {hint}")
    return value.lower()


def _languages(value: list, hint: str) -> tuple[str, ...]:
    if not all(isinstance(code, str) for code in value):
        raise ValueError(f"must be {hint}")
    return tuple(dict.fromkeys(_code(code, hint) for code in value))


def _fonts(value: dict, hint: str) -> dict[str, tuple[str, ...]]:
    fonts = {}
    for key, families in value.items():
        if not (_SCRIPT.match(key) or _CODE.match(key)):
            raise ValueError(f"{key!r} is neither a language code nor an ISO 15924 script "
                             "such as Arab")
        if (not isinstance(families, list) or not families
                or not all(isinstance(f, str) and f.strip() for f in families)):
            raise ValueError(f"{key!r} must be a list of font family names; {hint}")
        fonts[key if _SCRIPT.match(key) else _code(key, hint)] = tuple(f.strip() for f in families)
    return fonts


def _output(value: str, hint: str) -> str:
    folder = Path(value)
    if not value.strip() or folder.is_absolute() or ".." in folder.parts:
        raise ValueError(f"{value!r}: use {hint}, inside the project")
    return folder.as_posix()


_CHECKS = {"name": _text, "organisation": _text, "source_language": _code,
           "source_locale": _code, "emergency_phone": _phone, "paper": _paper,
           "languages": _languages, "fonts": _fonts, "output": _output}
