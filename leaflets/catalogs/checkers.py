"""Checks on one translated message; each is a small function that raises CheckFailed."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import regex
from babel.messages.catalog import Message

from ..errors import Problem
from ..kept import answer
from ..locales import font_faces


class CheckFailed(ValueError):
    """A translation breaks a rule; ``check`` names the rule for reports."""

    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check


_PRINTF = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# str.format fields such as {name} or {0:>3}, but not Jinja's {{ }} or {% %}
_BRACE = re.compile(r"(?<![{%#])\{[A-Za-z_0-9][\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")


# A tag as the HTML5 tokenizer sees it, written plainly: only HTML whitespace,
# simple names, quoted or plain values. Anything else that starts with "<" is
# not a tag we recognise, so it is never let through as markup.
_SPACE = "[ \\t\\n\\f\\r]"
_SOURCE_ATTR = re.compile(f"{_SPACE}+([A-Za-z_:][-A-Za-z0-9_:.]*)"
                          f"(?:{_SPACE}*={_SPACE}*(\"[^\"]*\"|'[^']*'|[^ \\t\\n\\f\\r\"'=<>`]+))?")
_SOURCE_TAG = re.compile(
    f"<(/?)([A-Za-z][A-Za-z0-9]*)((?:{_SOURCE_ATTR.pattern})*){_SPACE}*/?>")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")


def tag_key(tag: re.Match) -> tuple:
    """A tag's identity: name, closing or not, attributes as a sorted tuple (case as HTML)."""
    attrs = sorted((name.lower(), value[1:-1] if value[:1] in "\"'" else value)
                   for name, value in _SOURCE_ATTR.findall(tag.group(3)))
    return (tag.group(1), tag.group(2).lower(), tuple(attrs))


def source_tags(*sources: str) -> set[tuple]:
    """The tags a translation may use: those of its source string(s)."""
    return {tag_key(m) for source in sources for m in _SOURCE_TAG.finditer(source)}


def foreign_markup(sources: tuple[str, ...], translation: str) -> list[tuple[int, int]]:
    """Spans of ``translation`` that an HTML parser could read as markup its sources lack.

    That is every ``<`` followed by a letter, ``/``, ``!`` or ``?`` (tags, comments,
    declarations, also unterminated ones) that is not exactly a tag of a source.
    """
    allowed = source_tags(*sources)
    spans, pos = [], 0
    for start in (m.start() for m in _MARKUP_START.finditer(translation)):
        if start < pos:
            continue
        tag = _SOURCE_TAG.match(translation, start)
        if tag and tag_key(tag) in allowed:
            pos = tag.end()
            continue
        end = tag.end() if tag else min(len(translation), start + 40)
        spans.append((start, end))
        pos = start + 1
    return spans


def source_markup_spans(sources: tuple[str, ...], translation: str) -> list[tuple[int, int]]:
    """Spans of ``translation`` that are exactly tags of its sources (and may stay markup)."""
    allowed = source_tags(*sources)
    return [m.span() for m in _SOURCE_TAG.finditer(translation) if tag_key(m) in allowed]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[(tag, tuple(sorted(attrs)))] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tags[("/" + tag, ())] += 1


def markup(text: str) -> Counter:
    """The multiset of tags (with their attributes) in ``text``."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.tags


def placeholders(text: str) -> Counter:
    """The multiset of printf-style (``%(name)s``, not ``%%``) and ``{name}`` placeholders."""
    found = Counter(m.group(0) for m in _PRINTF.finditer(text) if m.group(0) != "%%")
    found.update(m.group(0) for m in _BRACE.finditer(_JINJA.sub(" ", text)))
    return found


def _pairs(message: Message):
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    for index, string in enumerate(strings):
        if string:
            yield ids[min(index, len(ids) - 1)], string


def check_markup(message: Message) -> None:
    """A translation may use exactly the tags and attributes of its source, no others."""
    sources = message.id if isinstance(message.id, tuple) else (message.id,)
    for source, translation in _pairs(message):
        spans = foreign_markup(sources, translation)
        if spans:
            start, end = spans[0]
            shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}"
                            for c in translation[start:end])
            raise CheckFailed("markup", f"translation adds markup its source does not have: "
                              f"{shown}; use only the source's tags, and write a literal < "
                              "as &lt;")
        extra = markup(translation) - markup(source)
        missing = markup(source) - markup(translation)
        if extra:
            tag, attrs = next(iter(extra))
            shown = "<" + tag + "".join(f' {k}="{v}"' for k, v in attrs) + ">"
            raise CheckFailed("markup", f"translation adds markup its source does not have: {shown}")
        if missing:
            tag, _ = next(iter(missing))
            raise CheckFailed("markup", f"translation drops markup <{tag}> that its source has")


def check_placeholders(message: Message) -> None:
    """Placeholders such as ``%(phone)s`` must be the same as in the source."""
    for source, translation in _pairs(message):
        if "%" in _PRINTF.sub("", translation) and "%" not in _PRINTF.sub("", source):
            # Jinja2 %-formats every translation: a lone % would stop the build
            # with an error in the template, far from this catalog line
            raise CheckFailed("placeholders", "translation has a lone %; write %% for a "
                              "percent sign")
        if placeholders(translation) != placeholders(source):
            extra = placeholders(translation) - placeholders(source)
            missing = placeholders(source) - placeholders(translation)
            detail = (f"adds {', '.join(extra)}" if extra else f"drops {', '.join(missing)}")
            raise CheckFailed("placeholders", f"translation {detail}; keep exactly the "
                              "placeholders of the source")


def check_template_code(message: Message) -> None:
    """A translation may not contain Jinja2 syntax its source lacks (it is never evaluated)."""
    for source, translation in _pairs(message):
        extra = set(_JINJA.findall(translation)) - set(_JINJA.findall(source))
        if extra:
            raise CheckFailed("template-code", f"translation contains template code "
                              f"{sorted(extra)[0]!r}; write it as plain text")


# Unicode general categories of characters that draw nothing and may change how the rest
# of the line is read (controls, format characters, separators, private use, unassigned).
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# HTML folds these into one space, and PO editors put them into long translations.
_HTML_WHITESPACE = {"\t", "\n"}


def allowed_character(char: str) -> bool:
    """True when a translation may contain ``char`` although its source does not.

    Decided from Unicode properties, not a list: any visible character or mark, tab and
    newline, and the format characters whose Bidi_Class is BN (ZWNJ, ZWJ, soft hyphen,
    word joiner): the bidi algorithm removes BN characters before it orders anything
    (rule X9), so they cannot move a digit. Every other control, format character
    (bidi embeddings, overrides, isolates, LRM/RLM/ALM, Arabic number signs), line or
    paragraph separator, private-use or unassigned code point is refused.
    """
    category = unicodedata.category(char)
    if category not in _INVISIBLE_CATEGORIES or char in _HTML_WHITESPACE:
        return True
    return category == "Cf" and unicodedata.bidirectional(char) == "BN"


def check_characters(message: Message) -> None:
    """No invisible control or bidi character its source lacks: it could change what prints."""
    for source, translation in _pairs(message):
        for char in dict.fromkeys(translation):
            if not allowed_character(char) and char not in source:
                name = unicodedata.name(char, f"{unicodedata.category(char)} character")
                raise CheckFailed("characters", f"translation contains U+{ord(char):04X} {name} "
                                  "(an invisible control or bidi character) that its source "
                                  "does not have; delete it")


SAFETY_CHECKS = (check_markup, check_placeholders, check_template_code, check_characters)


# --- Quality checks for the `check` command -------------------------------------------
# Each takes the message and the catalog's Language; SAFETY_CHECKS above are also run.

_TAG = re.compile(r"<[^>]*>")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

# Sentence ends come from Unicode: \p{Sentence_Terminal} (. ? ! । ። 。 ؟ ...) and the
# colons and semicolons closing a lead-in; a mark's kind comes from its name.
_END_KINDS = ("QUESTION", "EXCLAMATION", "SEMICOLON", "COLON")
# ISO 15924 codes of CLDR that Unicode's Script_Extensions spell otherwise.
_UNICODE_SCRIPT = {"Hans": "Hani", "Hant": "Hani", "Jpan": "Hani", "Kore": "Hang"}
# Arabic-script languages end sentences with "." (U+06D4 ARABIC FULL STOP is Urdu's):
# the one fact Unicode's properties do not tell.
_COMMON_STOP_SCRIPTS = {"Arab"}


def end_kind(char: str) -> str | None:
    """What a sentence-final character is: stop, question, exclamation, colon... or None."""
    if not char:
        return None
    name = unicodedata.name(char, "")
    sentence_end = regex.match(r"\p{Sentence_Terminal}", char) is not None
    kind = next((k.lower() for k in _END_KINDS if k in name.split()), None)
    if kind in ("colon", "semicolon"):
        return kind if unicodedata.category(char) == "Po" else None
    return (kind or "stop") if sentence_end else None


@lru_cache(maxsize=None)
def _end_marks() -> tuple[tuple[str, str], ...]:
    """Every punctuation character that can end a sentence or a lead-in, with its kind."""
    # a scan of every code point (~25 ms): a build keeps it for these Unicode versions
    return answer("end-marks", [unicodedata.unidata_version, regex.__version__],
                  _scan_end_marks, decode=_marks)


def _marks(found: list) -> tuple[tuple[str, str], ...]:
    marks = tuple((char, kind) for char, kind in found)
    if not all(isinstance(char, str) and len(char) == 1 and isinstance(kind, str)
               for char, kind in marks):
        raise TypeError("an end mark is a character and its kind")
    return marks


def _scan_end_marks() -> tuple[tuple[str, str], ...]:
    chars = (chr(c) for c in range(0x20, 0x20000))
    return tuple((char, kind) for char in chars
                 if unicodedata.category(char) == "Po" and (kind := end_kind(char)))


@lru_cache(maxsize=None)
def script_end_marks(script: str, kind: str) -> frozenset[str]:
    """The sentence-end marks of ``kind`` that belong to ``script`` (Script_Extensions)."""
    if kind == "stop" and script in _COMMON_STOP_SCRIPTS:
        return frozenset()
    pattern = regex.compile(rf"\p{{scx={_UNICODE_SCRIPT.get(script, script)}}}")
    return frozenset(char for char, found in _end_marks() if found == kind and
                     pattern.match(char))


def _text(markup_text: str) -> str:
    """The text a reader sees: tags and placeholders removed."""
    return _BRACE.sub(" ", _PRINTF.sub(" ", _TAG.sub(" ", markup_text)))


# What str.isdigit accepts (Numeric_Type Decimal or Digit: any script's digits, ², ①)
# other than 0-9, found by one regex rather than tested character by character
_OTHER_DIGIT = regex.compile(r"[[\p{Numeric_Type=Decimal}\p{Numeric_Type=Digit}]--[0-9]]",
                             regex.V1)


def _as_ascii_digit(match) -> str:
    char = match.group(0)
    # regex may know a newer Unicode than unicodedata: such a digit is left as it is
    return str(unicodedata.digit(char)) if char.isdigit() else char


def numbers(text: str) -> Counter:
    """The multiset of numbers in ``text``, with any script's digits read as 0-9."""
    digits = _OTHER_DIGIT.sub(_as_ascii_digit, _text(text))
    return Counter(m.group(0).replace(",", ".") for m in _NUMBER.finditer(digits))


def check_numbers(message: Message, lang=None) -> None:
    """Doses, frequencies and phone numbers must survive translation unchanged."""
    for source, translation in _pairs(message):
        if numbers(translation) != numbers(source):
            missing = sorted(numbers(source) - numbers(translation))
            extra = sorted(numbers(translation) - numbers(source))
            detail = (f"drops {', '.join(missing)}" if missing else "") + (
                "; " if missing and extra else "") + (f"adds {', '.join(extra)}" if extra else "")
            raise CheckFailed("numbers", f"numbers differ from the source: translation {detail}; "
                              "a changed number in a medical leaflet is an error")


def check_translated(message: Message, lang=None) -> None:
    """Every message needs a translation in every plural form."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if not any(strings):
        raise CheckFailed("untranslated", f"untranslated: {_shown_source(message)}")
    if not all(strings):
        raise CheckFailed("untranslated", f"untranslated: a plural form of "
                          f"{_shown_source(message)}")


def _shown_source(message: Message, limit: int = 60) -> str:
    source = " ".join((message.id if isinstance(message.id, str) else message.id[0]).split())
    return '"' + (source if len(source) <= limit else source[: limit - 1] + "…") + '"'



def check_fuzzy(message: Message, lang=None) -> None:
    """A fuzzy translation is a guess: it is never printed until a translator confirms it."""
    if message.fuzzy:
        changed = " (the source changed; compare with the #| msgid line)" if message.previous_id \
            else ""
        raise CheckFailed("fuzzy", f"fuzzy: {_shown_source(message)}: marked fuzzy{changed}; "
                          "check the translation, then remove the fuzzy flag")


def check_unchanged(message: Message, lang=None) -> None:
    """A translation identical to the English source is probably not translated."""
    for source, translation in _pairs(message):
        if translation.strip() == source.strip() and re.search(r"[^\W\d_]", _text(source)):
            raise CheckFailed("unchanged", "translation is the same as the English source")


def check_whitespace(message: Message, lang=None) -> None:
    """Leading and trailing whitespace must match the source's."""
    for source, translation in _pairs(message):
        for side, pattern in (("leading", r"^\s*"), ("trailing", r"\s*$")):
            wanted = re.search(pattern, source).group(0)
            found = re.search(pattern, translation).group(0)
            if wanted != found:
                raise CheckFailed("whitespace", f"{side} whitespace {found!r} differs from the "
                                  f"source's {wanted!r}")


def check_end_punctuation(message: Message, lang=None) -> None:
    """A sentence ends with a mark of the same kind, its script's own if it has one (؟ 。 । ።)."""
    script = getattr(lang, "script", "Latn")
    for source, translation in _pairs(message):
        end_source = _TAG.sub("", source).rstrip()[-1:]
        end_trans = _TAG.sub("", translation).rstrip()[-1:]
        wanted, found = end_kind(end_source), end_kind(end_trans)
        if wanted is None:
            if found is not None:
                raise CheckFailed("end-punctuation", f"translation ends with {end_trans!r} "
                                  "but the source has no end punctuation")
            continue
        own = script_end_marks(script, wanted)
        if found == wanted and (end_trans in own or not own):
            continue
        if wanted == "stop" and found == "exclamation":
            continue  # a full stop may become an exclamation mark
        expected = " or ".join(repr(mark) for mark in sorted(own)) if own else f"a {wanted} mark"
        raise CheckFailed("end-punctuation", f"source ends with {end_source!r}; the "
                          f"translation should end with {expected}, not {end_trans!r}")


def check_font_coverage(message: Message, lang=None) -> None:
    """Every character must be drawable by the fonts the language's leaflets may use."""
    if lang is None:
        return
    covered = font_coverage(tuple(lang.fonts))
    for _, translation in _pairs(message):
        if covered.issuperset(map(ord, translation)):
            continue
        for char in translation:
            if ord(char) in covered or char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            name = unicodedata.name(char, "unnamed character")
            raise CheckFailed("font-coverage", f"U+{ord(char):04X} {name} ({char}) cannot be drawn "
                              f"by {', '.join(lang.fonts)}; use another character")


@lru_cache(maxsize=None)
def font_coverage(families: tuple[str, ...]) -> frozenset[int]:
    """The code points the installed fonts of ``families`` can draw (fontconfig + fontTools)."""
    faces = [face for family in families for face in font_faces(family)]
    # reading the character maps takes ~50 ms a font: a build keeps them by the fonts' content
    return answer("font-coverage", faces, lambda: _read_coverage(faces),
                  files=sorted({path for path, _ in faces}), encode=_ranges, decode=_from_ranges)


def _read_coverage(faces: list[tuple[str, int]]) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    # no face means the family is not installed: the check then reports everything
    for path, index in faces:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            covered.update(font.getBestCmap() or {})
    return frozenset(covered)


def _ranges(code_points: frozenset[int]) -> list[list[int]]:
    """Code points as [first, last] runs: a CJK font's 40,000 are a few hundred runs."""
    runs: list[list[int]] = []
    for code in sorted(code_points):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return runs


def _from_ranges(runs: list) -> frozenset[int]:
    return frozenset(code for first, last in runs for code in range(int(first), int(last) + 1))


@dataclass(frozen=True)
class Check:
    """A named check and whether a failure blocks (error) or only warns."""

    function: object
    error: bool


# Errors block printing; warnings may be right (a drug name can be the same in
# every language) and can be silenced per message with a "#, ignore-<check>" flag.
QUALITY_CHECKS = (
    Check(check_translated, True), Check(check_fuzzy, True),
    Check(check_markup, True), Check(check_placeholders, True), Check(check_template_code, True),
    Check(check_characters, True),
    Check(check_numbers, True), Check(check_font_coverage, True),
    Check(check_unchanged, False), Check(check_whitespace, False),
    Check(check_end_punctuation, False),
)


@dataclass(frozen=True)
class Finding:
    """One failed check on one message."""

    path: str
    lineno: int | None
    check: str
    message: str
    error: bool

    def __str__(self) -> str:
        kind = "" if self.error else "warning: "
        where = f"{self.path}:{self.lineno}" if self.lineno else self.path
        return f"{where}: {kind}{self.message} [{self.check}]"

    @property
    def problem(self) -> Problem:
        """The finding as a located problem, its rule in brackets (for reports)."""
        kind = "" if self.error else "warning: "
        return Problem(self.path, self.lineno, f"{kind}{self.message} [{self.check}]")


def check_message(message: Message, lang, path: str) -> list[Finding]:
    """Every quality check on one message; a blocking failure stops the rest for that message."""
    findings = []
    for check in QUALITY_CHECKS:
        try:
            if check.function in SAFETY_CHECKS:
                check.function(message)
            else:
                check.function(message, lang)
        except CheckFailed as exc:
            if not check.error and f"ignore-{exc.check}" in message.flags:
                continue
            findings.append(Finding(path, message.lineno, exc.check, str(exc), check.error))
            if exc.check == "untranslated" and not any(_pairs(message)):
                break  # nothing else to check on an empty translation
    return findings
