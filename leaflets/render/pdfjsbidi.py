"""How pdf.js reorders a text item, so the invisible text layer can be written for it.

pdf.js (Firefox's viewer, src/core/bidi.js) runs a simplified Unicode bidi
algorithm over each text item it extracts, as if the item were in display order,
and keeps the result as the item's text. A right-to-left word is therefore drawn
in the order that pdf.js turns back into the word (``shown``). Its character
types are Unicode's, except as pdf.js simplifies them: Hebrew points are strong
right, and every character above U+00FF outside the Hebrew and Arabic blocks is
strong left (ZWNJ, dashes, bullets). It also drops '<' and '>'.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ARABIC_EXTRA = ((0x0700, 0x08AC), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def char_type(char: str) -> str:
    """The bidi type pdf.js gives ``char``."""
    code = ord(char)
    if code <= 0xFF or 0x0600 <= code <= 0x06FF:
        return unicodedata.bidirectional(char) or 'L'
    if 0x0590 <= code <= 0x05F4:
        return 'R'
    if any(start <= code <= end for start, end in _ARABIC_EXTRA):
        return 'AL'
    return 'L'


def bidi(text: str) -> str:
    """The text pdf.js keeps for an item whose glyphs read ``text`` in drawing order."""
    types = [char_type(c) for c in text]
    strong = sum(1 for t in types if t in ('R', 'AL', 'AN'))
    if not strong:
        return text
    rtl = not (strong / len(text) < 0.3 and len(text) > 4)
    base = 'R' if rtl else 'L'
    last = base
    for i, t in enumerate(types):  # W1: marks take the type before them
        if t == 'NSM':
            types[i] = last
        else:
            last = t
    last = base
    for i, t in enumerate(types):  # W2, W3
        if t == 'EN' and last == 'AL':
            types[i] = 'AN'
        elif t in ('R', 'L', 'AL'):
            last = t
    types = ['R' if t == 'AL' else t for t in types]
    for i in range(1, len(types) - 1):  # W4
        if types[i] == 'ES' and types[i - 1] == types[i + 1] == 'EN':
            types[i] = 'EN'
        if types[i] == 'CS' and types[i - 1] in ('EN', 'AN') and types[i + 1] == types[i - 1]:
            types[i] = types[i - 1]
    for i, t in enumerate(types):  # W5: terminators next to European digits
        if t == 'EN':
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(types) and types[j] == 'ET':
                    types[j] = 'EN'
                    j += step
    types = ['ON' if t in ('WS', 'ES', 'ET', 'CS') else t for t in types]
    last = base
    for i, t in enumerate(types):  # W7
        if t == 'EN' and last == 'L':
            types[i] = 'L'
        elif t in ('R', 'L'):
            last = t
    _resolve_neutrals(types, base)
    level0 = 1 if rtl else 0
    levels = [level0 + _raise(level0, t) for t in types]
    chars = list(text)
    for level in range(max(levels), _lowest_odd(levels) - 1, -1):
        start = None
        for i in range(len(chars) + 1):
            if i < len(chars) and levels[i] >= level:
                start = i if start is None else start
            elif start is not None:
                chars[start:i] = chars[start:i][::-1]
                start = None
    return ''.join(c for c in chars if c not in '<>')


def _resolve_neutrals(types: list[str], base: str) -> None:
    """N1, N2: a run of neutrals takes the direction around it, else the base's."""
    def side(indices):
        for j in indices:
            if types[j] == 'L':
                return 'L'
            if types[j] in ('R', 'EN', 'AN'):
                return 'R'
        return base
    i = 0
    while i < len(types):
        if types[i] != 'ON':
            i += 1
            continue
        end = i
        while end < len(types) and types[end] == 'ON':
            end += 1
        before, after = side(range(i - 1, -1, -1)), side(range(end, len(types)))
        types[i:end] = [before if before == after else base] * (end - i)
        i = end


def _raise(level: int, kind: str) -> int:
    if level % 2 == 0:
        return 1 if kind == 'R' else 2 if kind in ('AN', 'EN') else 0
    return 1 if kind in ('L', 'AN', 'EN') else 0


def _lowest_odd(levels: list[int]) -> int:
    return min((level for level in levels if level % 2), default=max(levels) + 1)


@lru_cache(maxsize=4096)
def shown(word: str) -> str:
    """``word`` in the drawing order pdf.js reads back as ``word``, when one is found."""
    reversed_word = word[::-1]
    for candidate in (reversed_word, word, _visual(word)):
        if bidi(candidate) == word:
            return candidate
    return reversed_word


def _visual(word: str) -> str:
    """``word`` as a right-to-left display shows it: its left-to-right runs (Latin,
    digits) kept in order, the rest reversed, the runs in reverse order."""
    runs, found = [], []
    for char in word:
        left = char_type(char) in ('L', 'EN')
        if runs and runs[-1][0] == left:
            runs[-1][1].append(char)
        else:
            runs.append((left, [char]))
    for left, chars in reversed(runs):
        found += chars if left else chars[::-1]
    return ''.join(found)
