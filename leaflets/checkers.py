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
    for source, translation in _pairs(message):
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
