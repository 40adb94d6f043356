"""Property: ``update`` never loses a translator's work, whatever catalog the reader accepts.

Hypothesis generates catalogs as Poedit, Weblate and hand editors write them (LF, CRLF
and CR-only line endings, a BOM, wrapped strings, plural forms, contexts, flags, fuzzy
entries with ``#|`` previous msgids, obsolete entries with flags and ``#~|``) and a
template that keeps some messages, drops others and adds new ones. After
``update_catalog`` the new file is read back and every translation must still be there:
a kept message with its exact text and flags, a dropped one as an obsolete entry with its
exact text and flags, an obsolete one unchanged. EXAMPLES generated catalogs per run.
"""

from __future__ import annotations

import copy
import os

from babel.messages.catalog import Catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaflets.catalogs.pofile import read_po
from leaflets.catalogs.update import update_catalog

EXAMPLES = int(os.environ.get("UPDATE_PROPERTY_EXAMPLES", 300))
PLURAL_HEADER = "nplurals=2; plural=(n != 1);"

# letters of several scripts, spaces, quotes, backslashes, tabs and newlines, an Arabic
# tatweel, a ZWNJ: everything a PO string may hold that escaping or wrapping could break
_CHARS = st.sampled_from(list("abcxyz ABC  .,?-:%'\"\\\t\néйحक中ـ\u200c"))
TEXT = st.one_of(st.text(_CHARS, min_size=1, max_size=40),
                 st.text(_CHARS, min_size=60, max_size=160),  # wraps
                 st.builds(lambda w, t: "x" * w + t, st.integers(80, 400),  # a long word
                           st.sampled_from(["", " ", "\n", " end "])))
TRANSLATION = st.one_of(st.just(""), TEXT)
FLAGS = st.sets(st.sampled_from(["python-format", "no-python-format", "c-format",
                                 "ignore-unchanged"]), max_size=2)


@st.composite
def entries(draw):
    """Distinct entries: (msgid or (msgid, plural), context, strings, flags, fuzzy, previous)."""
    count = draw(st.integers(1, 8))
    keys = draw(st.lists(st.tuples(TEXT, st.one_of(st.none(), st.sampled_from(["menu", "b"]))),
                         min_size=count, max_size=count, unique_by=lambda k: k))
    result = []
    for msgid, context in keys:
        plural = draw(st.booleans()) and draw(st.booleans())
        strings = draw(st.lists(TRANSLATION, min_size=2, max_size=2)) if plural else [
            draw(TRANSLATION)]
        fuzzy = draw(st.booleans()) and any(strings)
        previous = draw(st.one_of(st.none(), TEXT)) if fuzzy else None
        result.append(((msgid, msgid + " (plural)") if plural else msgid, context, strings,
                       draw(FLAGS), fuzzy, previous))
    return result


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
            .replace("\r", "\\r").replace("\n", "\\n"))


def _quoted(keyword: str, text: str, style: str, prefix: str = "") -> list[str]:
    """``keyword "text"`` as an editor writes it: on one line, or wrapped (Poedit, Weblate)."""
    width = {"poedit": 79, "weblate": 77}.get(style)
    if width is None or len(text) + len(keyword) + 3 <= (width or 0):
        if width is None or "\n" not in text[:-1]:
            return [f'{prefix}{keyword} "{_escape(text)}"']
    pieces, current = [], ""
    for index, char in enumerate(text):
        current += char
        at_space = char == " " and len(current) >= width - 10
        if char == "\n" or at_space or (style == "weblate" and len(current) >= width - 2):
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_escape(p)}"' for p in pieces]


def serialize(active, obsolete, style: str) -> str:
    lines = ["# A catalog as an editor saved it.", 'msgid ""', 'msgstr ""',
             '"Content-Type: text/plain; charset=UTF-8\\n"',
             f'"Plural-Forms: {PLURAL_HEADER}\\n"', '"X-Medical-Reviewer: none\\n"', ""]
    for entry_list, prefix in ((active, ""), (obsolete, "#~ ")):
        for msgid, context, strings, flags, fuzzy, previous in entry_list:
            if not prefix:
                lines.append("#: templates/x.html:1")
            shown = sorted(flags | ({"fuzzy"} if fuzzy else set()))
            if shown:
                lines.append("#, " + ", ".join(shown))
            if previous is not None:
                lines += _quoted("msgid", previous, style, "#| " if not prefix else "#~| ")
            if context is not None:
                lines += _quoted("msgctxt", context, style, prefix)
            if isinstance(msgid, tuple):
                lines += _quoted("msgid", msgid[0], style, prefix)
                lines += _quoted("msgid_plural", msgid[1], style, prefix)
                for index, string in enumerate(strings):
                    lines += _quoted(f"msgstr[{index}]", string, style, prefix)
            else:
                lines += _quoted("msgid", msgid, style, prefix)
                lines += _quoted("msgstr", strings[0], style, prefix)
            lines.append("")
    return "\n".join(lines)


def _template(active, keep: list[bool], new: list[str]) -> Catalog:
    template = Catalog(fuzzy=False)
    for (msgid, context, *_), kept in zip(active, keep):
        if kept:
            template.add(msgid, context=context, locations=[("templates/x.html", 1)])
    for msgid in new:
        if template.get(msgid) is None:
            template.add(msgid, locations=[("templates/x.html", 2)])
    return template


def _strings(message) -> tuple:
    return tuple(message.string) if isinstance(message.string, tuple) else (message.string,)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_update_keeps_every_translation(data, tmp_path):
    everything = data.draw(entries())
    split = data.draw(st.integers(0, len(everything)))
    active, obsolete = everything[:split], everything[split:]
    keep = data.draw(st.lists(st.booleans(), min_size=len(active), max_size=len(active)))
    new = data.draw(st.lists(st.text(_CHARS, min_size=1, max_size=30), max_size=3))
    style = data.draw(st.sampled_from(["none", "poedit", "weblate"]))
    newline = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = data.draw(st.booleans())
    text = serialize(active, obsolete, style).replace("\n", newline)
    path = tmp_path / "x.po"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))

    po = read_po(path, "x.po")  # every generated file is one the reader must accept
    template = _template(active, keep, new)
    result = update_catalog(po, path, copy.deepcopy(template))
    assert result.data.decode("utf-8").count("\n") == 0 or newline != "\r", "CR-only kept"
    path.write_bytes(result.data)
    after = read_po(path, "x.po").catalog

    for (msgid, context, strings, flags, fuzzy, previous), kept in zip(active, keep):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        if kept:
            message = after.get(key, context)
            assert message is not None, key
            assert _strings(message) == tuple(strings), key
            assert flags <= message.flags and message.fuzzy == fuzzy, (key, message.flags)
            if previous is not None:
                assert message.previous_id and message.previous_id[0] == previous
        elif any(strings):
            # gone from the templates: it must survive somewhere, text exact
            found = [m for m in [*after, *after.obsolete.values()]
                     if _strings(m) == tuple(strings)]
            assert found, (key, strings)
    for msgid, context, strings, flags, fuzzy, previous in obsolete:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = after.obsolete.get(after._key_for(key, context))
        if message is None:  # brought back by the templates: as a fuzzy active entry
            if not any(strings):
                continue  # nothing to keep
            message = after.get(key, context)
            assert message is not None and (message.fuzzy or not any(strings)), key
            assert _strings(message) == tuple(strings), key
            continue
        assert _strings(message) == tuple(strings), key
        assert message.flags == flags | ({"fuzzy"} if fuzzy else set()), (key, message.flags)
        if previous is not None:
            assert message.previous_id and message.previous_id[0] == previous
