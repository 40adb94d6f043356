"""Checks on one translated message; each is a small function that raises CheckFailed."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from babel.messages.catalog import Message


class CheckFailed(ValueError):
    """A translation breaks a rule; ``check`` names the rule for reports."""

    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check


_PRINTF = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


# A tag as the HTML5 tokenizer sees it, written plainly: only HTML whitespace,
# simple names, quoted or plain values. Anything else that starts with "<" is
# not a tag we recognise, so it is never let through as markup.
_SPACE = "[ \\t\\n\\f\\r]"
_ATTR = re.compile(f"{_SPACE}+([A-Za-z_:][-A-Za-z0-9_:.]*)"
                   f"(?:{_SPACE}*={_SPACE}*(\"[^\"]*\"|'[^']*'|[^ \\t\\n\\f\\r\"'=<>`]+))?")
_TAG = re.compile(f"<(/?)([A-Za-z][A-Za-z0-9]*)((?:{_ATTR.pattern})*){_SPACE}*/?>")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")


def tag_key(tag: re.Match) -> tuple:
    """A tag's identity: name, closing or not, attributes as a sorted tuple (case as HTML)."""
    attrs = sorted((name.lower(), (value or "").strip("\"'"))
                   for name, value in _ATTR.findall(tag.group(3)))
    return (tag.group(1), tag.group(2).lower(), tuple(attrs))


def source_tags(*sources: str) -> set[tuple]:
    """The tags a translation may use: those of its source string(s)."""
    return {tag_key(m) for source in sources for m in _TAG.finditer(source)}


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
        tag = _TAG.match(translation, start)
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
    return [m.span() for m in _TAG.finditer(translation) if tag_key(m) in allowed]


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
    """The multiset of printf-style placeholders in ``text`` (``%%`` excluded)."""
    return Counter(m.group(0) for m in _PRINTF.finditer(text) if m.group(0) != "%%")


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


SAFETY_CHECKS = (check_markup, check_placeholders, check_template_code)
