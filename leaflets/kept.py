"""Slow answers a build keeps from run to run: fontconfig's, CLDR's, a font's, a template's.

Code that asks a slow question (a fontconfig command, a locale's CLDR data, a font's
character map, a template's messages) asks through ``answer``. While a build runs it
installs ``kept_answers`` with its cache (``building/build.py``), which keys each answer
by its kind, the question, the content hashes of the files the answer was read from and
this tool's code, so a changed font or template is always asked again. Anywhere else the
question is simply asked.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, TypeVar

T = TypeVar("T")

# (kind, question, files, ask, encode, decode) -> the answer
Remember = Callable[[str, Any, "tuple[str, ...]", Callable[[], Any], Callable, Callable], Any]

_kept: Remember | None = None


def _same(value: Any) -> Any:
    return value


@contextmanager
def kept_answers(remember: Remember):
    """While in this block, every ``answer`` goes through ``remember``."""
    global _kept
    before, _kept = _kept, remember
    try:
        yield
    finally:
        _kept = before


def answer(kind: str, question: Any, ask: Callable[[], T], *, files: Iterable[str] = (),
           encode: Callable[[T], Any] = _same, decode: Callable[[Any], T] = _same) -> T:
    """``ask()``, or the answer the running build keeps for ``question`` (JSON data).

    ``files``: what the answer is read from; their content is part of its key.
    ``encode`` makes the answer JSON data, ``decode`` makes it back and raises TypeError,
    ValueError or KeyError on data of another shape (the answer is then asked again)."""
    if _kept is None:
        return ask()
    return _kept(kind, question, tuple(files), ask, encode, decode)
