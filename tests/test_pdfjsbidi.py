"""leaflets/render/pdfjsbidi.py against pdf.js's own bidi, run with node."""

import json
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from leaflets.render import pdfjsbidi
from script_catalogs import hebrew, persian

JS = Path(__file__).parent / "js"
ROOT = Path(__file__).parent.parent


def pdfjs_bidi(strings: list[str]) -> list[str]:
    """pdf.js's text for each string, read as one item's glyphs in drawing order."""
    found = subprocess.run(["node", str(JS / "pdfjs_bidi.mjs")], input=json.dumps(strings),
                           check=True, capture_output=True, text=True, cwd=JS).stdout
    return json.loads(found)


def samples() -> list[str]:
    """Words and three-word runs of the Arabic catalogs and of their Hebrew and
    Persian forms (tests/script_catalogs.py), each also reversed, and strings made
    to test the rules (digits, brackets, marks, ZWNJ)."""
    found = {"(NHS)،", "HSG؟", "10.", "5%", "1.1،", "ה-HSG", "می‌تواند", "a <b> c",
             "مرحبًا 123 abc", "«اختبار»", "١٢٣ مرحبا", "+12 ابت", "abc ابت def"}
    for path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        if path.parts[-3] != "ar":
            continue
        with path.open("rb") as f:
            for message in read_po(f):
                if not isinstance(message.string, str) or not message.string:
                    continue
                for text in (message.string, hebrew(message.string),
                             persian(message.string)):
                    words = text.split()
                    found.update(words)
                    found.update(" ".join(words[i:i + 3]) for i in range(len(words)))
    return sorted(found | {text[::-1] for text in found})


def test_bidi_is_what_pdfjs_keeps():
    strings = samples()
    assert len(strings) > 500
    mismatched = [(text, want) for text, want in zip(strings, pdfjs_bidi(strings))
                  if pdfjsbidi.bidi(text) != want]
    assert mismatched == []


@pytest.mark.parametrize("word", ["فحص", "رحمكِ", "HSG؟", "(NHS)،", "10.", "ה-HSG",
                                  "می‌تواند", "2029."])
def test_shown_reads_back_as_the_word_in_pdfjs(word):
    [found] = pdfjs_bidi([pdfjsbidi.shown(word)])
    assert found == word
