"""Rules: the one verdict on whether a leaflet, in a language and variant, may reach a patient.

``check``, ``status``, ``build``, ``build --release``, ``proof`` and the front desk page
all take their verdict from here, so they cannot disagree. A verdict is a list of
findings, each ``file:line: message [rule]`` with a level:

- an **error** blocks every build; ``--allow-incomplete`` relaxes only the rules of
  INCOMPLETE (the leaflet then prints with its "incomplete translation" notice);
- a **warning** never blocks a plain build; ``--strict`` makes warnings errors;
- the RELEASE rules are applied by ``build --release`` only (``--allow-unreviewed``
  relaxes ``unreviewed``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from babel.messages.catalog import Message

from ..catalogs import checkers
from ..catalogs.checkers import Finding
from ..catalogs.pofile import PoFile
from ..errors import Problem
from ..locales import Language
from ..project import Leaflet

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    """One rule: its level, the release gate it belongs to, and what it refuses."""

    level: str
    gate: str  # incomplete, check, render, review-date, unreviewed (build-report.json)
    refuses: str


RULES: dict[str, Rule] = {
    "missing": Rule(ERROR, "incomplete", "a message the templates use is not in the catalog"),
    "untranslated": Rule(ERROR, "incomplete", "a message (or a plural form) has no translation"),
    "fuzzy": Rule(ERROR, "incomplete", "a translation is marked fuzzy (a guess)"),
    "markup": Rule(ERROR, "check", "a translation adds or drops tags or attributes"),
    "placeholders": Rule(ERROR, "check", "a translation adds or drops %(name)s / {name}, or "
                         "has a lone %"),
    "template-code": Rule(ERROR, "check", "a translation contains {{ }}, {% %} or {# #}"),
    "numbers": Rule(ERROR, "check", "a number is changed, missing or added (any script's "
                    "digits)"),
    "characters": Rule(ERROR, "check", "an invisible control, bidi or separator character "
                       "its source lacks"),
    "font-coverage": Rule(ERROR, "check", "a character the language's fonts cannot draw"),
    "glyph": Rule(ERROR, "render", "rendering drew a character with no glyph (.notdef)"),
    "font-fallback": Rule(ERROR, "render", "text fell back to a font outside the script's fonts"),
    "page-limit": Rule(ERROR, "render", "the leaflet is longer than its page limit"),
    "render": Rule(ERROR, "render", "anything else rendering refuses (a refused file, alt "
                   "text, a link)"),
    "readability": Rule(ERROR, "check", "the source text is over its reading-age limits "
                        "(max_fk_grade, max_smog in the leaflet's .toml)"),
    "hard-sentence": Rule(WARNING, "check", "a source message whose hardest sentence is over "
                          "the grade limit (where to start rewriting)"),
    "review-date": Rule(ERROR, "review-date", "release only: the leaflet's review date has "
                        "passed"),
    "unreviewed": Rule(ERROR, "unreviewed", "release only: no medical reviewer signed the "
                       "catalog off (--allow-unreviewed: printed with a notice)"),
    "unchanged": Rule(WARNING, "check", "a translation is the same as the English source"),
    "whitespace": Rule(WARNING, "check", "leading or trailing whitespace differs from the "
                       "source's"),
    "end-punctuation": Rule(WARNING, "check", "the sentence does not end with its script's mark"),
    "stale": Rule(WARNING, "check", "no template uses this message (its other rules still "
                  "apply)"),
}
INCOMPLETE = frozenset(r for r, rule in RULES.items() if rule.gate == "incomplete")
RELEASE = frozenset(("review-date", "unreviewed"))
GATES = ("incomplete", "check", "render", "review-date", "unreviewed")


def finding(path: str | None, lineno: int | None, rule: str, message: str) -> Finding:
    """A finding of ``rule`` at ``path:lineno``, with the rule's level."""
    return Finding(path, lineno, rule, message, RULES[rule].level == ERROR)


@dataclass(frozen=True)
class Mode:
    """How strict a command is: what a plain build, --allow-incomplete, --strict, --release mean."""

    allow_incomplete: bool = False
    strict: bool = False
    release: bool = False
    allow_unreviewed: bool = False

    def blocks(self, item: Finding) -> bool:
        """True when ``item`` keeps the leaflet from printing in this mode."""
        if not item.error:
            return self.strict
        if item.check in INCOMPLETE:
            return not self.allow_incomplete or self.release
        if item.check == "unreviewed":
            return not self.allow_unreviewed
        return True


@dataclass
class Verdict:
    """Every finding on one leaflet/language/variant; printable or not is decided by ``Mode``."""

    findings: list[Finding] = field(default_factory=list)

    def blocking(self, mode: Mode) -> list[Finding]:
        """The findings that stop printing in ``mode``, sorted by gate, file and line."""
        order = {gate: index for index, gate in enumerate(GATES)}
        return sorted((f for f in self.findings if mode.blocks(f)),
                      key=lambda f: (order[RULES[f.check].gate], f.path or "", f.lineno or 0,
                                     f.check, f.message))

    def printable(self, mode: Mode) -> bool:
        """True when nothing blocks in ``mode``."""
        return not self.blocking(mode)

    @property
    def incomplete(self) -> list[Finding]:
        """Missing, untranslated and fuzzy messages."""
        return [f for f in self.findings if f.check in INCOMPLETE]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.error]

    @property
    def renderable(self) -> bool:
        """True when rendering may be tried: no error but missing/fuzzy ones (which render with
        the notice), so a render finding is known whether or not --allow-incomplete is given."""
        return not any(f.error and f.check not in INCOMPLETE and f.check not in RELEASE
                       for f in self.findings)


def message_findings(message: Message, lang: Language | None, path: str,
                     used: bool = True) -> list[Finding]:
    """Every rule on one catalog entry; an entry no template uses is ``stale``, and its
    missing translation is no problem, but its text must still be safe."""
    found = checkers.check_message(message, lang, path)
    if lang is not None and lang.pseudo:
        # ar_XB mirrors text with U+202E on purpose; pseudo-locales are made by
        # leaflets/translators/pseudo.py, never by a translator, and never released
        found = [f for f in found if f.check != "characters"]
    if used:
        return found
    return [finding(path, message.lineno, "stale", "no template uses this message; run "
                    "'leaflets update'")] + [f for f in found if f.check not in INCOMPLETE]


def catalog_findings(po: PoFile, lang: Language, wanted: list[tuple[str, str | None, str]]
                     ) -> list[Finding]:
    """Every finding on one catalog, given the ``(msgid, context, where used)`` its templates
    need."""
    needed = {(msgid, context): where for msgid, context, where in wanted}
    found = []
    for message in po.catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        found += message_findings(message, lang, po.path, (msgid, message.context) in needed)
    for (msgid, context), where in needed.items():
        if po.catalog.get(msgid, context) is None:
            found.append(finding(po.path, None, "missing", f"missing: {_short(msgid)} (used at "
                                 f"{where}); run 'leaflets update'"))
    return found


_CODEPOINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})|\\u([0-9a-f]{4})|\(([^\x00-\x7f])\)")


def render_findings(problems: list[Problem], catalogs: list[PoFile], template: str
                    ) -> list[Finding]:
    """What rendering refused, as findings: a character no font draws is located at the first
    catalog entry whose translation has it, anything else at the leaflet's template."""
    found = []
    for problem in problems:
        text = problem.message
        rule = ("glyph" if any(s in text for s in (".notdef", "unsupported by fonts",
                                                   "no glyph for"))
                else "font-fallback" if "fell back to font" in text
                else "page-limit" if "more than the limit of" in text else "render")
        path, lineno = problem.path or template, problem.lineno
        if rule == "glyph" and problem.path is None:
            path, lineno = _locate(text, catalogs) or (path, lineno)
        found.append(finding(path, lineno, rule, text))
    return found


def _locate(text: str, catalogs: list[PoFile]) -> tuple[str, int | None] | None:
    chars = set()
    for match in _CODEPOINT.finditer(text):
        hex_ = match.group(1) or match.group(2)
        chars.add(chr(int(hex_, 16)) if hex_ else match.group(3))
    for po in catalogs:
        for message in po.catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and any(c in s for s in strings if s for c in chars):
                return po.path, message.lineno
    return None


def release_findings(leaflet: Leaflet, leaflet_file: str, catalogs: list[PoFile],
                     today: dt.date) -> list[Finding]:
    """The rules only a release applies: the review date, and each catalog's sign-off."""
    found = []
    if leaflet.review < today:
        found.append(finding(leaflet_file, None, "review-date", (
            f"review date {leaflet.review.isoformat()} has passed; have the leaflet reviewed, "
            "then update 'review' (and 'version') in this file")))
    found += [finding(po.path, None, "unreviewed", (
        "translation not signed off by a medical reviewer (header X-Medical-Reviewer); have it "
        "reviewed, or pass --allow-unreviewed to publish it with a notice"))
        for po in catalogs if not po.reviewer]
    return found


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'
