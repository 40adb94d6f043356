"""Clinic profile: a TOML file with a clinic's name, logo, numbers and choices, checked field by field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..errors import LeafletError, Problem, ProblemsError, UsageError
from ..render.html import PAPER_SIZES
from ..locales import normalize_code
from ..project import Project
from ..settings import line_of as toml_line, parse_toml

DEFAULT_ACCENT = "#1f5f8b"
LOGO_TYPES = {".svg": "SVG", ".png": "PNG"}
# name -> (TOML type, required, what a good value looks like)
FIELDS: dict[str, tuple[type, bool, str]] = {
    "name": (str, True, "the clinic's name as patients know it"),
    "logo": (str, False, "an SVG or PNG file next to the profile, e.g. \"logo.svg\""),
    "address": (list, False, "a list of address lines"),
    "main_phone": (str, True, "a phone number such as \"01632 960100\""),
    "urgent_phone": (str, False, "the out-of-hours or urgent phone number"),
    "interpreter_phone": (str, False, "the interpreter line's phone number"),
    "emergency_phone": (str, False, "the emergency number for a severe reaction, e.g. \"112\""),
    "website": (str, False, "an https:// address"),
    "leaflets_url": (str, False, "the https:// folder where the built leaflets are published"),
    "accent_colour": (str, False, "a colour like \"#1f5f8b\""),
    "paper": (str, False, "a4 or letter"),
    "languages": (list, False, "a list of language codes such as [\"en\", \"ar\"]"),
}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_MAX_TEXT = 120
# Unicode directional controls would reorder what is printed around a value.
_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Clinic:
    """A checked clinic profile; every value is printed as is, never translated."""

    path: Path
    name: str
    main_phone: str
    logo: Path | None = None
    address: tuple[str, ...] = ()
    urgent_phone: str | None = None
    interpreter_phone: str | None = None
    emergency_phone: str | None = None  # else the project's (leaflets.toml)
    website: str | None = None
    leaflets_url: str | None = None
    accent_colour: str = DEFAULT_ACCENT
    paper: str = "a4"
    languages: tuple[str, ...] = ()  # empty: every language of the project

    @property
    def folder(self) -> Path:
        """The profile's folder: the only place besides templates/ a leaflet may load files from."""
        return self.path.resolve().parent

    @property
    def website_shown(self) -> str | None:
        """The website as printed: ``www.example.org``, without scheme or trailing slash.

        Shorter, and with no trailing slash that a wrapped right-to-left line could move.
        """
        if not self.website:
            return None
        return re.sub(r"^https?://", "", self.website).rstrip("/")

    def online_copy(self, pdf_path: str) -> str | None:
        """The URL of a built leaflet (``es/hsg.pdf``) on the clinic's website, if it has one."""
        base = self.leaflets_url or (self.website.rstrip("/") + "/leaflets/"
                                     if self.website else None)
        if not base:
            return None
        return base.rstrip("/") + "/" + quote(pdf_path)


def load_clinic(path: Path, project: Project) -> Clinic:
    """Read and check a clinic profile; every bad field is one ``file:line: field ...`` problem."""
    path = Path(path)
    shown = project.rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no clinic profile at {shown}; see clinics/example.toml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LeafletError(f"cannot read clinic profile: {exc}", shown) from None
    data = parse_toml(text, shown)

    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, toml_line(text, key), f"field {key!r}: {message}"))

    for key in sorted(set(data) - set(FIELDS)):
        bad(key, f"unknown field; known fields are {', '.join(FIELDS)}")
    values: dict[str, object] = {}
    for key, (kind, required, hint) in FIELDS.items():
        if key not in data:
            if required:
                problems.append(Problem(shown, None, f"field {key!r} is missing: add {key} = "
                                        f"{hint}"))
            continue
        value = data[key]
        if not isinstance(value, kind):
            bad(key, f"must be {hint}")
            continue
        try:
            values[key] = _CHECKS[key](value, path, project)
        except ValueError as exc:
            bad(key, str(exc))
    if problems:
        raise ProblemsError(problems)
    return Clinic(path=path, **values)


def _text(value: str, *_args) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"longer than {_MAX_TEXT} characters; shorten it to fit the leaflet")
    for char in value:
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            raise ValueError(f"contains the control character U+{ord(char):04X}; remove it")
    return value


def _address(lines: list, *_args) -> tuple[str, ...]:
    if not lines or len(lines) > 6 or not all(isinstance(line, str) for line in lines):
        raise ValueError("must be a list of 1 to 6 address lines, e.g. [\"12 Mill Lane\", "
                         "\"Newtown NT1 2AB\"]")
    return tuple(_text(line) for line in lines)


def _phone(value: str, *_args) -> str:
    value = _text(value)
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.match(value) or not 7 <= digits <= 15:
        raise ValueError(f"{value!r} is not a phone number: use 7 to 15 digits with spaces, "
                         "+, ( ) or - only, e.g. \"01632 960100\" or \"+44 1632 960100\"")
    return value


def emergency_number(value: str, *_args) -> str:
    """An emergency number: a short code such as 999 or 112, or a full phone number."""
    value = _text(value)
    digits = sum(char.isdigit() for char in value)
    if not (_PHONE.match(value) or value.isdigit()) or not 3 <= digits <= 15:
        raise ValueError(f"{value!r} is not an emergency number: use 3 to 15 digits with "
                         "spaces, +, ( ) or - only, e.g. \"999\" or \"112\"")
    return value


def _url(value: str, *_args) -> str:
    value = _text(value)
    parts = urlsplit(value)
    if (parts.scheme not in ("https", "http") or not parts.hostname
            or any(char.isspace() or char in "\"'<>\\" for char in value)):
        raise ValueError(f"{value!r} is not a web address: write it in full, e.g. "
                         "\"https://www.example.org/\"")
    return value


def _colour(value: str, *_args) -> str:
    if not _COLOUR.match(value):
        raise ValueError(f"{value!r} is not a colour: use #rrggbb, e.g. \"#1f5f8b\"")
    if _contrast_with_white(value) < 4.5:
        raise ValueError(f"{value} is too light for text on white paper (contrast "
                         f"{_contrast_with_white(value):.1f}:1, WCAG needs 4.5:1); pick a darker "
                         "colour")
    return value.lower()


def _contrast_with_white(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def _paper(value: str, *_args) -> str:
    if value.lower() not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {value!r}: use {' or '.join(PAPER_SIZES)}")
    return value.lower()


def _languages(codes: list, _path: Path, project: Project) -> tuple[str, ...]:
    known = project.languages()
    chosen = []
    for code in codes:
        try:
            code = normalize_code(code if isinstance(code, str) else "")
        except UsageError:
            raise ValueError(f"{code!r} is not a language code (examples: es, zh_Hans)") from None
        if code not in known:
            raise ValueError(f"unknown language {code!r}: this project has catalogs for "
                             f"{', '.join(known)}")
        chosen.append(code)
    if not chosen:
        raise ValueError("list at least one language")
    return tuple(dict.fromkeys(chosen))


def _logo(value: str, path: Path, _project: Project) -> Path:
    folder = path.resolve().parent
    logo = (folder / value).resolve()
    if not logo.is_relative_to(folder):
        raise ValueError(f"{value!r} is outside the profile's folder {folder}; put the logo "
                         "next to the profile")
    if logo.suffix.lower() not in LOGO_TYPES:
        raise ValueError(f"{value!r} must be an SVG or PNG file")
    try:
        head = logo.read_bytes()[:4096]
    except OSError:
        raise ValueError(f"logo file {value!r} not found next to the profile ({folder})") from None
    kind = LOGO_TYPES[logo.suffix.lower()]
    if (kind == "PNG" and not head.startswith(b"\x89PNG\r\n\x1a\n")) or (
            kind == "SVG" and b"<svg" not in head):
        raise ValueError(f"{value!r} is not a valid {kind} file")
    if kind == "SVG":
        _check_svg(value, logo)
    return logo


def _check_svg(value: str, logo: Path) -> None:
    """An SVG logo must be well-formed XML: WeasyPrint refuses a broken one without a reason."""
    import xml.etree.ElementTree as ElementTree
    from xml.parsers import expat

    data = logo.read_bytes()
    if len(data) > 2 * 1024 * 1024 or b"<!ENTITY" in data:
        raise ValueError(f"{value!r} is refused: an SVG logo must be under 2 MiB and declare no "
                         "XML entities")
    try:
        ElementTree.fromstring(data)
    except (ElementTree.ParseError, expat.ExpatError) as exc:
        raise ValueError(f"{value!r} is not a valid SVG file: the XML is broken ({exc}); "
                         "export the logo again") from None


_CHECKS = {
    "name": _text, "logo": _logo, "address": _address, "main_phone": _phone,
    "urgent_phone": _phone, "interpreter_phone": _phone,
    "emergency_phone": emergency_number, "website": _url, "leaflets_url": _url,
    "accent_colour": _colour, "paper": _paper, "languages": _languages,
}


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG ``data:`` URI (the fetcher allows only data: images)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=4)
