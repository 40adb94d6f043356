"""Catalogs: read PO files strictly, find what a leaflet needs, and hand out only real translations."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, unescape

from ..errors import CatalogError, Problem

if TYPE_CHECKING:
    from ..project import Project

# PO header fields that record the medical sign-off. They live in the file so
# they travel with it through Poedit, Weblate and agencies.
REVIEWER_HEADER = "X-Medical-Reviewer"
REVIEW_DATE_HEADER = "X-Medical-Review-Date"
_QUOTED = re.compile(r'^"(?:[^"\\]|\\[\\"abfnrtv?\'0-7]|\\x[0-9A-Fa-f])*"$')
_QUOTED_ANY = re.compile(r'^"(?:[^"\\]|\\.)*"$')
UNREVIEWED = {"", "none", "no", "not reviewed", "unreviewed"}
# A leaflet catalog is tens of kilobytes; anything near this is the wrong file,
# and parsing and rendering it would only make the build slow to fail.
MAX_CATALOG_BYTES = 2 * 1024 * 1024

# The PO grammar, strictly: Babel's parser guesses at broken lines (an unclosed
# string becomes an empty translation, "\q" stays as two characters), msgfmt does not.
_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)[ \t]*(.*)')
_WHOLE_STRING = re.compile(_STRING + r"[ \t]*")
_ESCAPE = re.compile(r"\\(.)")  # left to right, so \\q is an escaped backslash, then q


class _StrictParser(PoFileParser):
    """Babel's parser, but a duplicate message is an error rather than a silent overwrite."""

    def __init__(self, catalog: Catalog, path: str):
        super().__init__(catalog, abort_invalid=True)
        self.path = path
        self.seen: dict[tuple, int] = {}
        self.previous: dict[str, str] = {}
        self.raw_flags: list[str] = []
        self._previous_field = "id"

    def _process_comment(self, line) -> None:
        # Babel reads "#| msgid" (Poedit, Weblate, msgmerge) as a user comment and
        # writes it back as "# | msgid": keep it as the previous msgid instead.
        if line.startswith("#|"):
            self._finish_current_message()
            self._add_previous(line[2:].strip())
        else:
            if line.startswith("#,"):
                self._finish_current_message()
                # Babel's Message drops or adds python-format by looking at the msgid;
                # the file's flags are the translator's, so they are kept as written
                self.raw_flags += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
            super()._process_comment(line)

    def _add_previous(self, text: str) -> None:
        for keyword, name in (("msgctxt ", "context"), ("msgid_plural ", "plural"),
                              ("msgid ", "id")):
            if text.startswith(keyword):
                self._previous_field, text = name, text[len(keyword):].strip()
                break
        if not (text.startswith('"') and text.endswith('"') and len(text) > 1):
            raise CatalogError(f"malformed previous-msgid comment: #| {text}", self.path,
                               self.offset + 1)
        field = self._previous_field
        self.previous[field] = self.previous.get(field, "") + unescape(text)

    def _process_message_line(self, lineno, line, obsolete=False) -> None:
        if line.startswith("|"):  # "#~| msgid": previous msgid of an obsolete entry
            self._finish_current_message()
            self._add_previous(line[1:].strip())
            return
        # Babel strips the quotes without looking: an unterminated string or a
        # bad escape would silently change the text that gets printed.
        quoted = line if line[:1] == '"' else line.partition(" ")[2]
        if line and not _QUOTED.match(quoted):
            problem = ("bad escape sequence" if _QUOTED_ANY.match(quoted)
                       else "string is not enclosed in double quotes (unterminated?)")
            raise CatalogError(f"malformed PO file: {problem}; fix the entry or restore the file "
                               "from version control", self.path, lineno + 1)
        super()._process_message_line(lineno, line, obsolete)

    def _add_message(self) -> None:
        msgid = (tuple(m.denormalize() for m in self.messages) if len(self.messages) > 1
                 else self.messages[0].denormalize())
        key = (msgid, self.context.denormalize() if self.context else None, self.obsolete)
        if len(self.messages) > 1 and len(self.translations) != self.catalog.num_plurals:
            # Babel pads or drops forms silently; a missing form would print as nothing
            raise CatalogError(f"{len(self.translations)} plural forms (msgstr[N]) but the "
                               f"header's Plural-Forms says nplurals={self.catalog.num_plurals}; "
                               "write one msgstr[N] per plural form", self.path, self.offset + 1)
        if key in self.seen:
            raise CatalogError(f"duplicate message (first defined on line {self.seen[key]}); "
                               "keep one and delete the other", self.path, self.offset + 1)
        self.seen[key] = self.offset + 1
        obsolete, context = self.obsolete, key[1]
        previous, self.previous = self.previous, {}
        flags, self.raw_flags = self.raw_flags, []
        super()._add_message()
        found = (self.catalog.obsolete.get(self.catalog._key_for(msgid, context)) if obsolete
                 else self.catalog.get(msgid, context) if msgid else None)
        if found is not None:
            found.flags = set(flags)
            if "id" in previous:
                found.previous_id = [previous["id"]] + (
                    [previous["plural"]] if "plural" in previous else [])


@dataclass
class PoFile:
    """A parsed catalog plus what Babel does not keep: raw headers and the file's name."""

    path: str  # as shown to users
    catalog: Catalog
    headers: dict[str, str] = field(default_factory=dict)  # every field, in file order
    newline: str = "\n"  # "\r\n" for files saved with Windows line endings

    @property
    def reviewer(self) -> str | None:
        """Who signed the translation off, or None when nobody has yet."""
        value = self.headers.get(REVIEWER_HEADER, "").strip()
        return None if value.lower() in UNREVIEWED else value

    @property
    def review_date(self) -> str | None:
        """When the translation was signed off, as written in the header."""
        return self.headers.get(REVIEW_DATE_HEADER, "").strip() or None


def read_po(path: Path, shown_as: str | None = None) -> PoFile:
    """Parse a PO file strictly; any defect raises CatalogError with the file and line."""
    where = shown_as or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror}", where) from None
    if len(data) > MAX_CATALOG_BYTES:
        raise CatalogError(f"catalog is {len(data) // 1024} KiB, more than the limit of "
                           f"{MAX_CATALOG_BYTES // 1024} KiB: is this the right file?", where)
    lines = _decode_lines(data, where)
    if not any(line.strip() for line in lines):
        raise CatalogError("empty catalog: restore it from version control or recreate it "
                           "with 'leaflets update'", where)
    _check_syntax(lines, where)
    catalog = Catalog(charset="utf-8")
    parser = _StrictParser(catalog, where)
    try:
        parser.parse(lines)
    except PoFileError as exc:
        message = str(exc).rsplit(" on ", 1)[0]
        raise CatalogError(f"malformed PO file: {message}; fix the entry or restore the file "
                           "from version control", where, exc.lineno + 1) from None
    except (ValueError, IndexError, KeyError) as exc:
        raise CatalogError(f"malformed PO file: {exc}", where, parser.offset + 1) from None
    headers = _headers(lines)
    charset = re.search(r"charset=([\w-]+)", headers.get("Content-Type", "charset=utf-8"))
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise CatalogError(f"charset {charset.group(1)} is not supported; save the file as UTF-8 "
                           "and set 'Content-Type: text/plain; charset=UTF-8'", where,
                           _header_line(lines, "Content-Type"))
    _check_plural_expression(catalog, lines, where)
    return PoFile(where, catalog, headers, _newline(data))


def read_catalog(project: "Project", lang: str, domain: str, required: bool = True
                 ) -> PoFile | None:
    """The one way every command opens a language's catalog: inside locales/, a real file,
    read strictly. A missing one is an error (None when not ``required``)."""
    from ..files import inside
    from ..project import shown_path

    path = project.po_path(lang, domain)
    where = shown_path(project, path)
    try:
        target = path.resolve(strict=False)
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a symlink loop
        raise CatalogError("symlink loop: this catalog (or a folder above it) is a symlink that "
                           "leads back to itself; replace it with the catalog itself",
                           where) from None
    if not path.exists() and not path.is_symlink():
        if not required:
            return None
        raise CatalogError(f"no catalog for {lang}; run 'leaflets init {lang}' or "
                           "'leaflets update'", where)
    if inside(path, [folder.resolve() for folder in project.locale_dirs]) is None:
        raise CatalogError("catalog is a symlink to a file outside locales/; replace it with "
                           "the catalog itself", where)
    if target.is_dir():
        raise CatalogError("this is a folder where a catalog (a PO file) should be; remove or "
                           "rename the folder", where)
    if not target.exists():
        raise CatalogError("catalog is a symlink to a file that does not exist; replace it "
                           "with the catalog itself", where)
    return read_po(path, where)


def _check_syntax(lines: list[str], where: str) -> None:
    """Refuse the lines msgfmt would refuse, with the line of the first one."""
    state, forms = "start", 0  # the last keyword seen in the current entry; msgstr[N] so far

    def fail(lineno, message):
        raise CatalogError(f"malformed PO file: {message}; fix the entry or restore the file "
                           "from version control", where, lineno)

    for lineno, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith("#~") and not text.startswith("#~|"):
            text = text[2:].strip()  # obsolete entries follow the same grammar
        elif text.startswith("#") or not text:
            continue
        keyword = _KEYWORD.fullmatch(text)
        rest = keyword.group(3) if keyword else text
        if not keyword and not text.startswith('"'):
            fail(lineno, f"unknown keyword or stray text {text[:30]!r}")
        if not _WHOLE_STRING.fullmatch(rest):
            if rest.startswith('"') and not re.fullmatch(_STRING + ".*", rest):
                fail(lineno, "string not closed before the end of the line")
            fail(lineno, f"expected one quoted string, found {rest[:30]!r}")
        for escape in _ESCAPE.finditer(rest):
            if escape.group(1) not in '\\"ntr':
                fail(lineno, f"bad escape sequence {escape.group(0)}; write \\\\ for a "
                     "backslash")
        if not keyword:
            if state == "start":
                fail(lineno, "string outside of any entry")
            continue
        name, index = keyword.group(1), keyword.group(2)
        entry_done = state in ("msgstr", "msgstr[]")
        if name == "msgctxt" and not (state == "start" or entry_done):
            fail(lineno, "msgctxt in the middle of an entry")
        elif name == "msgid" and not (state in ("start", "msgctxt") or entry_done):
            fail(lineno, f"msgid after {state} (an entry needs a msgstr before the next msgid)")
        elif name == "msgid_plural" and state != "msgid":
            fail(lineno, "msgid_plural must follow msgid")
        elif name == "msgstr" and state != "msgid":
            fail(lineno, "msgstr must follow msgid (a plural entry uses msgstr[0], msgstr[1], ...)"
                 if state == "msgid_plural" else "msgstr without a msgid before it")
        elif index is not None:
            if state not in ("msgid_plural", "msgstr[]"):
                fail(lineno, "msgstr[N] needs a msgid_plural before it")
            forms = forms if state == "msgstr[]" else 0
            if int(index) != forms:
                fail(lineno, f"msgstr[{index}] where msgstr[{forms}] was expected")
            forms += 1
            name = "msgstr[]"
        state = name
    if state not in ("start", "msgstr", "msgstr[]"):
        fail(len(lines), f"the file ends inside an entry (after {state}); add its msgstr")


def _check_plural_expression(catalog: Catalog, lines: list[str], where: str) -> None:
    """Plural-Forms must be a C expression gettext can evaluate (nothing else is run)."""
    header = _header_line(lines, "Plural-Forms")
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError, RecursionError):
        raise CatalogError(f"invalid plural expression {catalog.plural_expr!r} in Plural-Forms",
                           where, header) from None


def _newline(data: bytes) -> str:
    """The file's line ending, kept when the file is rewritten: LF, CRLF or CR (old Mac)."""
    if b"\r\n" in data:
        return "\r\n"
    return "\r" if b"\r" in data and b"\n" not in data else "\n"


def _decode_lines(data: bytes, where: str) -> list[str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(data) > 1 and b"\x00" in data[:200] and (
                data[1:200:2].count(0) > 40 or data[0:200:2].count(0) > 40)):
        raise CatalogError("the file is UTF-16; save it as UTF-8 (in Poedit: File > Save As, "
                           "or any editor's UTF-8 encoding)", where, 1)
    if b"\x00" in data:
        lineno = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise CatalogError("NUL byte in catalog: the file is binary or corrupted", where, lineno)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        declared = re.search(rb"charset=([\w-]+)", data)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            lineno = data.count(b"\n", 0, declared.start()) + 1
            raise CatalogError(f"charset {declared.group(1).decode()} is not supported; save the "
                               "file as UTF-8 and set 'Content-Type: text/plain; charset=UTF-8'",
                               where, lineno) from None
        raise CatalogError("not valid UTF-8; save the file as UTF-8", where, lineno) from None
    # Only \n, \r\n, or \r in a file without \n (old Mac editors) end a PO line;
    # str.splitlines() would also split at U+2028, U+0085 or \f inside a translation
    # and break the entry in two.
    newline = _newline(data)
    lines = text.split("\r" if newline == "\r" else "\n")
    if lines and lines[-1] == "":
        lines.pop()
    if newline != "\r":
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        for lineno, line in enumerate(lines, 1):
            if "\r" in line:  # msgfmt reads a lone CR as part of the line: refuse, not guess
                raise CatalogError("a carriage return (CR) inside a line: the file mixes line "
                                   "endings; save it again with one kind (LF or CRLF)", where,
                                   lineno)
    return lines


def _headers(lines: list[str]) -> dict[str, str]:
    """The header entry's fields, including the X- fields Babel drops."""
    text, state = [], "before"
    for line in lines:
        line = line.strip()
        if state == "before" and line == 'msgid ""':
            state = "msgid"
        elif state == "msgid" and line.startswith("msgstr "):
            state = "msgstr"
            text.append(unescape(line[7:]))
        elif state == "msgstr" and line.startswith('"'):
            text.append(unescape(line))
        elif state == "msgstr":
            break
        elif state == "msgid" and not line.startswith('"'):
            return {}
    headers = {}
    for entry in "".join(text).split("\n"):
        name, sep, value = entry.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    return headers


def _header_line(lines: list[str], name: str) -> int | None:
    for number, line in enumerate(lines, 1):
        if line.lstrip('"').startswith(name + ":"):
            return number
    return None


def is_translated(message: Message) -> bool:
    """True when a message has a non-fuzzy translation in every plural form."""
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings)


def missing_translations(po: PoFile, wanted: list[tuple[str, str | None, str]]) -> list[Problem]:
    """Problems for every ``(msgid, context, where_used)`` that ``po`` lacks or marks fuzzy."""
    problems = []
    for msgid, context, used_at in wanted:
        message = po.catalog.get(msgid, context)
        if message is None:
            problems.append(Problem(po.path, None, f"missing: {_short(msgid)} (used at {used_at}); "
                                    "run 'leaflets update' to add it"))
        elif message.fuzzy:
            problems.append(Problem(po.path, message.lineno, f"fuzzy: {_short(msgid)}"))
        elif not is_translated(message):
            problems.append(Problem(po.path, message.lineno, f"untranslated: {_short(msgid)}"))
    return problems


def _short(text: str | tuple, limit: int = 60) -> str:
    text = text[0] if isinstance(text, tuple) else text
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def neutralize(sources: tuple[str, ...], translation: str) -> str:
    """``translation`` with every ``<`` and ``>`` escaped except in tags its sources have.

    Jinja2 marks translations as safe HTML (they carry the source's <strong> and
    links), so this is the last line of defence behind check_markup: whatever a
    catalog says, only the source's own tags reach the document as markup. Quotes
    stay as they are: templates never put a translation inside an attribute
    (tests/test_security.py checks that).
    """
    from .checkers import source_markup_spans

    out, pos = [], 0
    for start, end in [*source_markup_spans(sources, translation), (len(translation),) * 2]:
        out.append(translation[pos:start].replace("<", "&lt;").replace(">", "&gt;"))
        out.append(translation[start:end])
        pos = end
    return "".join(out)


def _safe(message: Message, translation: str) -> str:
    return neutralize(message.id if isinstance(message.id, tuple) else (message.id,), translation)


class StrictTranslations(gettext.NullTranslations):
    """Translations that never fall back silently: every miss is recorded for the caller."""

    def __init__(self, messages: dict[tuple[str, str | None], Message] | None = None):
        super().__init__()
        self.messages = messages or {}
        self.misses: list[str] = []

    @classmethod
    def from_catalogs(cls, catalogs: list[PoFile]) -> StrictTranslations:
        """Merge the translated, non-fuzzy messages of several catalogs."""
        merged = {}
        for po in catalogs:
            for message in po.catalog:
                if message.id and is_translated(message):
                    key = (message.id if isinstance(message.id, str) else message.id[0],
                           message.context)
                    merged[key] = message
        translations = cls(merged)
        if catalogs:
            translations.plural_expr = catalogs[-1].catalog.plural_expr
        return translations

    def _lookup(self, msgid: str, context: str | None = None) -> Message | None:
        message = self.messages.get((msgid, context))
        if message is None:
            self.misses.append(msgid)
        return message

    # Every translation handed out goes through neutralize(): Jinja2 treats it as markup.

    def gettext(self, message: str) -> str:
        found = self._lookup(message)
        return _safe(found, found.string) if found else message

    def pgettext(self, context: str, message: str) -> str:
        found = self._lookup(message, context)
        return _safe(found, found.string) if found else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self._lookup(singular)
        if not found:
            return singular if n == 1 else plural
        return _safe(found, self._plural_form(found, n))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        found = self._lookup(singular, context)
        if not found:
            return singular if n == 1 else plural
        return _safe(found, self._plural_form(found, n))

    def _plural_form(self, found: Message, n: int) -> str:
        index = self._plural_index(n)
        return found.string[index] if index < len(found.string) else found.string[-1]

    plural_expr: str = "(n != 1)"

    def _plural_index(self, n: int) -> int:
        return int(gettext.c2py(self.plural_expr)(n))


class SourceTranslations(StrictTranslations):
    """The source language: every message is its own translation."""

    def _lookup(self, msgid: str, context: str | None = None) -> Message | None:
        return None

    def gettext(self, message: str) -> str:
        return message

    def pgettext(self, context: str, message: str) -> str:
        return message


def po_bytes(catalog: Catalog, extra_headers: dict[str, str] | None = None, *,
             headers: dict[str, str] | None = None, newline: str = "\n") -> bytes:
    """A catalog as Babel writes it (76-column wrapping, stable order), plus headers Babel drops.

    ``headers`` replaces Babel's header fields with these, in this order (an updated catalog
    keeps the fields and order its editor wrote); ``newline`` keeps a CRLF file CRLF.
    """
    from babel.messages.pofile import escape

    from .powrite import po_string, po_text

    text = po_text(catalog)
    if extra_headers:
        lines = text.split("\n")
        # the header entry ends at the first blank line after its msgid
        end = lines.index("", lines.index('msgid ""'))
        added = [escape(f"{name}: {value}\n") for name, value in extra_headers.items()]
        text = "\n".join(lines[:end] + added + lines[end:])
    if headers is not None:
        lines = text.split("\n")
        start = lines.index('msgid ""') + 1
        end = lines.index("", start)
        fields = "".join(f"{name}: {value}\n" for name, value in headers.items())
        block = ("msgstr " + po_string(fields)).split("\n")
        text = "\n".join(lines[:start] + block + lines[end:])
    if newline != "\n":
        text = text.replace("\n", newline)
    return text.encode("utf-8")


def write_po_file(path: Path, catalog: Catalog, extra_headers: dict[str, str] | None = None,
                  **options) -> None:
    """Write a catalog atomically (see ``po_bytes``)."""
    from ..files import atomic_write

    atomic_write(path, po_bytes(catalog, extra_headers, **options))
