"""Catalogs in Hebrew, Persian and Amharic script, made from the Arabic drafts.

Not translations: each Arabic letter is written with a letter of the other
script, so a leaflet has the same shape in a script the repository has no
catalog for (right-to-left Hebrew with points and "ה-HSG"; Persian letters with
ZWNJ, as in "می‌تواند"; Ethiopic syllables ending with "።"). Markup, placeholders,
digits and Latin text are left as they are. What the tests check is that such a
catalog builds with no code change and reads back exactly.
"""

from __future__ import annotations

import re

from babel.messages.pofile import read_po, write_po

ZWNJ = "\u200c"
HEBREW = dict(zip(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئ",
    "אבתתגחכדזרזסשצצטטעגפקכלמנהוייהאאאאוי"))
HEBREW.update({"،": ",", "؟": "?", "؛": ";", "ـ": "",
               "\u064e": "\u05b7", "\u0650": "\u05b4", "\u064f": "\u05bb",
               "\u0652": "\u05b0", "\u0651": "\u05bc", "\u064b": "", "\u064c": "", "\u064d": ""})
FINALS = dict(zip("כמנפצ", "ךםןףץ"))
PERSIAN = {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"}
# one Ethiopic syllable per Arabic letter, vowels of the first order and the sixth
ETHIOPIC = dict(zip("ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئ",
                    "አበተሰጀሐኀደዘረዘሰሸጸፀጠፀዐገፈቀከለመነሀወየየትአአእኣዉይ"))
ETHIOPIC.update({"،": "፣", "؛": "፤", "؟": "፧", ".": "።", "ـ": ""})
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
_TAG_OR_PLACEHOLDER = re.compile(r"<[^>]+>|%\(\w+\)[sd]|https?://\S+|\w+\.\w+")


def hebrew(text: str) -> str:
    """Arabic letters as Hebrew ones, with final forms; HSG with its prefix: ה-HSG."""
    def word(match):
        letters = "".join(HEBREW.get(char, char) for char in match.group(0))
        return letters[:-1] + FINALS.get(letters[-1], letters[-1]) if letters else letters
    text = _ARABIC_WORD.sub(word, text)
    return re.sub(r"(?<![\w-])HSG\b", "ה-HSG", text, count=1)


def persian(text: str) -> str:
    """Persian letters; verbs (words starting with ي or ت) get the prefix می‌ with its ZWNJ."""
    def word(match):
        letters = "".join(PERSIAN.get(char, char) for char in match.group(0))
        if len(letters) > 3 and letters[0] in "یت":
            letters = "می" + ZWNJ + letters
        return letters
    return _ARABIC_WORD.sub(word, text)


def amharic(text: str) -> str:
    """Ethiopic syllables and punctuation (። ፣ ፧), a final colon as ፦."""
    kept = _TAG_OR_PLACEHOLDER.findall(text)
    parts = _TAG_OR_PLACEHOLDER.split(text)
    out = ["".join(ETHIOPIC.get(c, "" if "\u064b" <= c <= "\u0652" else c) for c in part)
           for part in parts]
    text = "".join(p + k for p, k in zip(out, kept + [""]))
    return re.sub(r":(\s*(?:<[^>]+>\s*)*)$", r"፦\1", text)


WRITERS = {"he": hebrew, "fa": persian, "am": amharic}


def fill_from_arabic(project, lang: str) -> None:
    """Fill the catalogs ``init`` made for ``lang`` with its script's version of Arabic."""
    write = WRITERS[lang]
    for source in sorted((project.locales / "ar" / "LC_MESSAGES").glob("*.po")):
        target = project.locales / lang / "LC_MESSAGES" / source.name
        with source.open("rb") as f:
            arabic = read_po(f)
        with target.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            found = arabic.get(message.id, message.context)
            if found is not None and found.string and not found.fuzzy:
                message.string = write(found.string)
        with target.open("wb") as f:
            write_po(f, catalog, width=76)
