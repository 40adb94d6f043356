"""Write catalogs: PO text as Babel lays it out, but in linear time and losing nothing.

Babel's ``write_po`` is used for everything else; its writer is not, because it
(a) splits strings with a regular expression that is quadratic on a long unbroken word
(a 60 KB word took over a minute, 1.5 MB never ended), (b) can move a string's final
space onto a line of its own and then turn it into a "\\n", and (c) writes obsolete
entries without their flags or ``#~|`` previous msgids. This module writes the same
layout (76 columns, wrapped at spaces, sorted flags, ``#|`` lines as msgmerge writes
them) and keeps every string, flag and previous msgid exactly.
"""

from __future__ import annotations

import os
import re

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import escape

WIDTH = 76
_TOKEN = re.compile(r"\s+|\S+")  # linear: no backtracking across a long word
_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # lines, each keeping its "\n"


def po_string(text: str, prefix: str = "", width: int = WIDTH) -> str:
    """``text`` as quoted PO lines (``""`` first when it takes several), wrapped at spaces."""
    lines = []
    for line in _LINE.findall(text):
        if len(escape(line)) + len(prefix) <= width:
            lines.append(line)
            continue
        current, size = [], 2
        for token in _TOKEN.findall(line):
            length = len(escape(token)) - 2
            if current and size + length + len(prefix) >= width:
                lines.append("".join(current))
                current, size = [], 2
            current.append(token)
            size += length
        if current:
            lines.append("".join(current))
    if len(lines) <= 1:
        return escape(text)
    return '""\n' + "\n".join(prefix + escape(line) for line in lines)


def _wrap_words(text: str, width: int) -> list[str]:
    """Comment text in lines of at most ``width`` characters, broken at spaces only."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return lines + ([current] if current else [])


def _comments(prefix: str, comments, width: int = WIDTH) -> list[str]:
    out = []
    for comment in comments:
        out += [f"#{prefix} {line}" for line in _wrap_words(comment, width)] or [f"#{prefix}"]
    return out


def _locations(message: Message) -> list[str]:
    try:
        locations = sorted(message.locations,
                           key=lambda x: (x[0], isinstance(x[1], int) and x[1] or -1))
    except TypeError:
        locations = message.locations
    shown = {}
    for filename, lineno in locations:
        location = filename.replace(os.sep, "/")
        if " " in location or "\t" in location:
            location = f"\u2068{location}\u2069"  # as Babel encloses such names
        shown[f"{location}:{lineno:d}" if lineno else location] = None
    return _comments(":", [" ".join(shown)]) if shown else []


def _entry(message: Message, num_plurals: int, obsolete: bool) -> list[str]:
    prefix = "#~ " if obsolete else ""
    lines = _comments("", message.user_comments)
    if not obsolete:
        lines += _comments(".", message.auto_comments) + _locations(message)
    if message.flags:
        lines.append("#, " + ", ".join(sorted(message.flags)))
    previous = "#~| " if obsolete else "#| "
    for keyword, value in zip(("msgid", "msgid_plural"), message.previous_id or ()):
        lines += [previous + line for line in
                  f"{keyword} {po_string(value, width=WIDTH)}".split("\n")]

    def field(keyword: str, value: str) -> None:
        lines.extend(f"{prefix}{keyword} {po_string(value, prefix, WIDTH)}".split("\n"))

    if message.context is not None:
        field("msgctxt", message.context)
    if isinstance(message.id, (list, tuple)):
        field("msgid", message.id[0])
        field("msgid_plural", message.id[1])
        strings = message.string if isinstance(message.string, (list, tuple)) else (
            message.string,)
        # never fewer forms than the file had: a form beyond nplurals is still a translation
        for index in range(max(num_plurals, len(strings))):
            field(f"msgstr[{index}]", strings[index] if index < len(strings) else "")
    else:
        field("msgid", message.id)
        field("msgstr", message.string or "")
    return lines


def po_text(catalog: Catalog) -> str:
    """The whole catalog as PO text: header comment and entry, messages, obsolete entries."""
    lines = []
    for message in catalog:
        if not message.id:
            for line in (catalog.header_comment or "").split("\n"):
                if len(line) > WIDTH and line.startswith("#"):
                    lines += ["# " + part for part in _wrap_words(line.lstrip("#"), WIDTH - 2)]
                elif line or catalog.header_comment:
                    lines.append(line)
        lines += _entry(message, catalog.num_plurals, obsolete=False)
        lines.append("")
    for message in catalog.obsolete.values():
        lines += _entry(message, catalog.num_plurals, obsolete=True)
        lines.append("")
    return "\n".join(lines) + "\n"
