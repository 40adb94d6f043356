"""Reading a leaflet back as four viewers do: poppler, pypdf, PDFium (Chrome, Edge) and pdf.js
(Firefox), and scoring each against the messages the leaflet prints.

Used by the tests (tests/test_viewers.py) and by benchmarks/text_layer.py, which prints the
per-viewer table of README's "Text layer" section.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

JS = Path(__file__).resolve().parent / "js"
EXTRACTORS = ("poppler", "pypdf", "pdfium", "pdfjs")
# Bidi marks a text layer may add that a message never has (the old patch added them).
ADDED_MARKS = "\u061c\u200e\u200f"
_MARKS = re.compile(f"[{ADDED_MARKS}\u00ad]")
# Embeddings and isolates: poppler's default mode wraps every right-to-left line in them
# itself (unpatched WeasyPrint too); they are the extractor's formatting, not the PDF's.
_EMBEDDINGS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"


def poppler(paths: list[Path], rtl: bool) -> list[str]:
    """pdftotext: its default mode (logical order) for right-to-left, -raw for the rest."""
    mode = [] if rtl else ["-raw"]
    return [subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout for path in paths]


def pypdf_text(paths: list[Path], rtl: bool) -> list[str]:
    """pypdf's extract_text, page after page."""
    import pypdf
    return ["\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
            for path in paths]


def pdfium(paths: list[Path], rtl: bool) -> list[str]:
    """PDFium's text page (FPDFText_GetText): what Chrome and Edge copy and read aloud."""
    import pypdfium2
    texts = []
    for path in paths:
        document = pypdfium2.PdfDocument(path)
        texts.append("\n".join(page.get_textpage().get_text_range() for page in document))
        document.close()
    return texts


def pdfjs(paths: list[Path], rtl: bool) -> list[str]:
    """pdf.js's getTextContent (pdfjs-dist, run with node): what Firefox copies and reads."""
    found = subprocess.run(["node", str(JS / "pdfjs_text.mjs"), *map(str, paths)],
                           check=True, capture_output=True, text=True, cwd=JS).stdout
    texts = json.loads(found)
    return [texts[str(path)] for path in paths]


READERS = {"poppler": poppler, "pypdf": pypdf_text, "pdfium": pdfium, "pdfjs": pdfjs}


def normalize(text: str, *, cjk: bool = False, marks: bool = False) -> str:
    """NFC, whitespace folded (CJK: removed), soft hyphens dropped; bidi marks too if ``marks``."""
    text = _EMBEDDINGS.sub("", unicodedata.normalize("NFC", text))
    text = (_MARKS if marks else re.compile("\u00ad")).sub("", text)
    text = re.sub(r"(?<=\w)-\s*\n\s*(?=\w)", "-", text)  # a line broken after a hyphen
    text = re.sub(r"\s+", " ", text).strip()
    if cjk:
        text = re.sub(f"(?<=[{_CJK}]) | (?=[{_CJK}])", "", text)
    return text


@dataclass
class Score:
    """How one extractor read one leaflet: messages found exactly, and marks it added."""

    exact: int
    total: int
    added_marks: int
    missing: list[str]
    exact_without_marks: int  # found once the added marks are taken out

    def __str__(self) -> str:
        if not self.added_marks:
            return f"{self.exact}/{self.total}"
        return (f"{self.exact}/{self.total} (+{self.added_marks} marks; "
                f"{self.exact_without_marks} without them)")


def score(text: str, messages: list[str], *, cjk: bool) -> Score:
    """Score ``text`` against ``messages``: exact after NFC and whitespace folding, marks kept.

    A message counts only if it is found as is, with no bidi mark added inside it;
    ``added_marks`` counts the marks in the whole text that no message has.
    """
    folded = normalize(text, cjk=cjk)
    wanted = [normalize(message, cjk=cjk) for message in messages]
    missing = [message for message in wanted if message not in folded]
    own = sum(message.count(mark) for message in wanted for mark in ADDED_MARKS)
    added = max(0, sum(folded.count(mark) for mark in ADDED_MARKS) - own)
    unmarked = normalize(text, cjk=cjk, marks=True)
    without = sum(normalize(message, cjk=cjk, marks=True) in unmarked for message in wanted)
    return Score(len(wanted) - len(missing), len(wanted), added, missing, without)


def plain(markup: str) -> str:
    """A message as printed: markup removed."""
    return re.sub(r"<[^>]+>", "", markup)


def printed_messages(project, leaflet, lang: str, pages: int,
                     msgids: set[str] | None = None, page: int = 1) -> list[str]:
    """Every message of ``leaflet`` the standard edition prints in ``lang``, filled in
    as on ``page`` (or those of ``msgids``)."""
    from babel.messages.pofile import read_po

    from leaflets.catalogs.extract import domain_messages
    from leaflets.render.html import _date, month_year
    from leaflets.locales import language

    info = language(lang)
    SOURCE_LANG = project.source_lang
    values = {"page": str(page), "pages": str(pages), "version": leaflet.version,
              "published": _date(leaflet.published, info),
              "review": month_year(leaflet.review, info),
              "phone": project.settings.emergency_phone}
    skipped = {"Incomplete translation.", "Some parts of this leaflet have not been "
               "translated yet and are shown in English."}
    texts = []
    for domain in ("common", leaflet.domain):
        if lang == SOURCE_LANG:
            pairs = [(m.msgid, m.msgid) for m in domain_messages(project, domain)]
        else:
            with project.po_path(lang, domain).open("rb") as f:
                pairs = [(m.id, m.string) for m in read_po(f) if m.id]
        for msgid, text in pairs:
            if msgids is not None and msgid not in msgids:
                continue
            if msgid in skipped or (lang == SOURCE_LANG and ("Draft" in msgid or msgid.startswith(
                    "This translation has not"))):
                continue
            texts.append(plain(text) % values if "%(" in text else plain(text))
    return texts
