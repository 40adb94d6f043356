"""Front desk page: index.html beside the PDFs, so staff find a leaflet by language in seconds.

A stage like the others: ``page_files`` takes the manifest's PDF entries, the PDF bytes and
the leaflets' metadata and returns every file of the page (HTML, CSS, JS, one thumbnail of
page 1 per PDF) as bytes; ``write_frontdesk`` does the reading and atomic writing around it
and lists the files in manifest.json with ``kind: "frontdesk"``. The page is plain HTML with
a little JavaScript for the search box: it opens from ``file://`` and fetches nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import jinja2
import pypdfium2
from babel.dates import format_date
from PIL import Image

from .. import __version__
from ..errors import LeafletError, TemplateError
from ..files import write_if_changed
from .cache import Memo, make_key
from ..locales import Language, language
from .manifest import (PDF_KIND, HeldManifest, file_entry, kind_of,
                       read_manifest, valid_bytes, write_entries, still_valid)
from ..project import Leaflet, Project

LOG = logging.getLogger(__name__)

KIND = "frontdesk"  # manifest kind of the page's files
INDEX = "index.html"
ASSETS = "frontdesk"  # output folder of the page's CSS, JS and thumbnails
TEMPLATE_DIR = "frontdesk"  # under templates/; not a leaflet (leaflets are templates/*.toml)
STATIC_FILES = ("frontdesk.css", "frontdesk.js")
THUMB_WIDTH = 150  # pixels; recognisable at a glance, a few kB each
THUMB_COLOURS = 32  # a palette PNG of a text page is a third of the size of an RGB one
STANDARD = "standard"  # the variant of an entry without a "variant" field
VARIANT_LABELS = {STANDARD: "Standard", "large-print": "Large print", "bilingual": "Bilingual"}
PAPER_LABELS = {"a4": "A4", "letter": "US Letter"}
MM_PER_POINT = 25.4 / 72
UI_LOCALE = "en"  # the page's own words are English; every language name is also native


@dataclass(frozen=True)
class PdfFacts:
    """What the page shows that only the PDF itself knows."""

    title: str
    width_mm: int
    height_mm: int
    thumbnail: bytes  # PNG of page 1
    thumb_size: tuple[int, int]


@dataclass(frozen=True)
class Edition:
    """One PDF as the page lists it: a leaflet in a language, in one variant."""

    path: str
    variant: str
    label: str
    title: str
    pages: int
    paper: str
    kilobytes: int
    version: str
    status: str  # "source", "reviewed", "unreviewed" or "incomplete": a CSS class too
    status_label: str
    thumbnail: str
    thumb_size: tuple[int, int]


@dataclass(frozen=True)
class Card:
    """One language of one leaflet: its standard edition first, then its variants."""

    leaflet: str
    leaflet_title: str  # in the source language
    language: Language
    editions: list[Edition]

    @property
    def main(self) -> Edition:
        return self.editions[0]

    @property
    def english_name(self) -> str:
        """The English name, fit for brackets: "Chinese, Simplified" (CLDR: "… (Simplified)")."""
        name = self.language.english_name
        if name.endswith(")") and " (" in name:
            base, _, detail = name[:-1].partition(" (")
            name = f"{base}, {detail}"
        return name

    @property
    def search(self) -> str:
        """Everything a search may match, in every script, NFC like the JavaScript query."""
        lang = self.language
        words = [lang.name, lang.english_name, lang.code, lang.tag, self.leaflet,
                 self.leaflet_title]
        words += [e.title for e in self.editions]
        words += [e.label for e in self.editions if e.variant != STANDARD]
        return unicodedata.normalize("NFC", " ".join(dict.fromkeys(words)))


@dataclass(frozen=True)
class Section:
    """One leaflet with every language it was built in."""

    id: str
    code: str
    title: str
    review: str | None
    review_iso: str | None
    cards: list[Card]


def pdf_facts(data: bytes, width: int = THUMB_WIDTH) -> PdfFacts:
    """Title, page size and a page-1 thumbnail read from the real PDF with PDFium."""
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise LeafletError(f"cannot read PDF for the front desk page: {exc}") from None
    try:
        title = pdf.get_metadata_dict().get("Title", "")
        page = pdf[0]
        width_pt, height_pt = page.get_size()
        bitmap = page.render(scale=width / width_pt, draw_annots=False)
        image = bitmap.to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    # a fixed palette method and no dithering keep the bytes the same build after build
    image = image.quantize(colors=THUMB_COLOURS, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return PdfFacts(title=title, width_mm=round(width_pt * MM_PER_POINT),
                    height_mm=round(height_pt * MM_PER_POINT), thumbnail=buffer.getvalue(),
                    thumb_size=image.size)


@lru_cache(maxsize=1)
def _drawing_versions() -> tuple[str, str]:
    from importlib.metadata import version  # reads package metadata: once per process

    return version("pypdfium2"), version("Pillow")


def facts_key(data: bytes) -> str:
    """The cache key of a PDF's facts: its sha256 and what draws the thumbnail."""
    return _facts_key(hashlib.sha256(data).hexdigest())


def _facts_key(sha256: str) -> str:
    return make_key("frontdesk-facts", sha256, THUMB_WIDTH, THUMB_COLOURS, *_drawing_versions())


def known_facts(memo: Memo):
    """The facts remembered for the PDF a manifest entry lists, by the sha256 it gives
    (checked against the file by the caller), or None: the PDF need not be read."""
    return lambda entry: memo.recall(_facts_key(str(entry.get("sha256"))), _decode_facts)


def remember_facts(memo: Memo, data: bytes, facts: PdfFacts) -> None:
    """Keep the facts a worker read from ``data``, for this run's page and the next runs'."""
    memo.put(facts_key(data), _encode_facts(facts))


def cached_facts(memo: Memo | None):
    """``pdf_facts``, remembered by the PDF's sha256: an unchanged PDF keeps its thumbnail."""
    if memo is None:
        return None  # page_files reads every PDF itself
    return lambda data: memo.remember(facts_key(data), lambda: pdf_facts(data),
                                      encode=_encode_facts, decode=_decode_facts)


def _encode_facts(facts: PdfFacts) -> dict:
    return {"title": facts.title, "width_mm": facts.width_mm, "height_mm": facts.height_mm,
            "thumbnail": base64.b64encode(facts.thumbnail).decode("ascii"),
            "thumb_size": list(facts.thumb_size)}


def _decode_facts(data: dict) -> PdfFacts:
    width, height = data["thumb_size"]
    facts = PdfFacts(title=str(data["title"]), width_mm=int(data["width_mm"]),
                     height_mm=int(data["height_mm"]),
                     thumbnail=base64.b64decode(data["thumbnail"], validate=True),
                     thumb_size=(int(width), int(height)))
    if not facts.thumbnail.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG thumbnail")
    return facts


def status_of(entry: dict) -> tuple[str, str]:
    """The translation status staff must see before handing a leaflet out: (key, label)."""
    review = str(entry.get("review_status", ""))
    if not entry.get("complete", False):
        return "incomplete", "Incomplete: some parts are still in English"
    if review == "source":
        return "source", "Original text"
    if review.startswith("reviewed"):
        return "reviewed", f"Translation {review}"
    return "unreviewed", "Not yet reviewed: draft translation"


def thumbnail_path(pdf_path: str) -> str:
    """Where the thumbnail of the PDF at ``pdf_path`` goes, relative to the output folder."""
    return str(PurePosixPath(ASSETS, "thumbs", pdf_path).with_suffix(".png"))


def variant_label(variant: str) -> str:
    """How the page names a variant: "large-print" -> "Large print"."""
    return VARIANT_LABELS.get(variant) or variant.replace("-", " ").replace("_", " ").capitalize()


def page_files(leaflets: list[Leaflet], entries: list[dict], pdfs: Mapping[str, bytes],
               template_dir: Path, source_lang: str = "en", facts_of=None,
               known=None) -> dict[str, bytes]:
    """Every file of the front desk page for these PDF entries, by path in the output folder.

    ``facts_of(pdf bytes)`` reads a PDF's facts (``pdf_facts``, or a cached one);
    ``known(entry)`` gives them without reading the PDF, or None (``known_facts``)."""
    facts_of = facts_of or pdf_facts
    files: dict[str, bytes] = {}
    editions: dict[tuple[str, str], list[Edition]] = {}
    for entry in sorted(entries, key=lambda e: e["path"]):
        facts = (known(entry) if known else None) or facts_of(pdfs[entry["path"]])
        thumb = thumbnail_path(entry["path"])
        files[thumb] = facts.thumbnail
        variant = entry.get("variant") or STANDARD
        status, status_label = status_of(entry)
        paper = PAPER_LABELS.get(entry.get("paper", ""), str(entry.get("paper", "")).upper())
        editions.setdefault((entry["leaflet"], entry["lang"]), []).append(Edition(
            path=entry["path"], variant=variant, label=variant_label(variant),
            title=facts.title, pages=entry["pages"],
            paper=f"{paper} ({facts.width_mm} × {facts.height_mm} mm)",
            kilobytes=max(1, round(entry["bytes"] / 1000)), version=entry.get("version", ""),
            status=status, status_label=status_label, thumbnail=thumb,
            thumb_size=facts.thumb_size))
    sections = _sections({leaflet.id: leaflet for leaflet in leaflets}, editions, source_lang)
    env = _environment(template_dir)
    try:
        html = env.get_template("index.html").render(sections=sections, version=__version__,
                                                     assets=ASSETS)
        for name in STATIC_FILES:
            files[f"{ASSETS}/{name}"] = (template_dir / name).read_bytes()
    except jinja2.TemplateError as exc:
        raise TemplateError(f"front desk page: {exc}", str(template_dir / "index.html"),
                            getattr(exc, "lineno", None)) from None
    except OSError as exc:
        raise TemplateError(f"front desk page: cannot read {exc.filename}: {exc.strerror}",
                            str(template_dir)) from None
    files[INDEX] = html.encode("utf-8")
    return dict(sorted(files.items()))


def _sections(leaflets: dict[str, Leaflet], editions: dict[tuple[str, str], list[Edition]],
              source_lang: str) -> list[Section]:
    by_leaflet: dict[str, dict[str, list[Edition]]] = {}
    for (leaflet_id, lang), found in editions.items():
        found.sort(key=lambda e: (e.variant != STANDARD, e.variant, e.path))
        by_leaflet.setdefault(leaflet_id, {})[lang] = found
    sections = []
    for leaflet_id, langs in sorted(by_leaflet.items()):
        source = langs.get(source_lang)
        title = (source[0].title if source else "") or leaflet_id
        # every card also matches the leaflet's English title: staff may search by topic
        cards = [Card(leaflet_id, title, language(lang), found) for lang, found in langs.items()]
        # staff look a language up by its English name; the native name sits beside it
        cards.sort(key=lambda c: (c.language.english_name.casefold(), c.language.code))
        leaflet = leaflets.get(leaflet_id)
        sections.append(Section(
            id=leaflet_id, code=leaflet.code if leaflet else leaflet_id, title=title,
            review=format_date(leaflet.review, "d MMMM y", locale=UI_LOCALE) if leaflet else None,
            review_iso=leaflet.review.isoformat() if leaflet else None, cards=cards))
    return sections


@lru_cache(maxsize=4)
def _environment(template_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def template_dir(project: Project) -> Path:
    """The page's template folder: the project's own templates/frontdesk/, else the theme's."""
    own = project.templates / TEMPLATE_DIR
    if own.is_dir():
        return own
    return project.theme_templates / TEMPLATE_DIR


def write_frontdesk(project: Project, out: Path, held: HeldManifest | None = None,
                    memo: Memo | None = None) -> Path | None:
    """Write the page for the PDFs that ``out/manifest.json`` lists, and list the page there.

    ``held``: the manifest as the caller holds it under the build lock (else read here).
    Files whose bytes are unchanged are not rewritten; with ``memo``, the thumbnail of a PDF
    seen before (same sha256) is reused instead of drawn again."""
    out = Path(out)
    entries = list(held.entries) if held is not None else read_manifest(out)
    pdf_entries = [entry for entry in entries
                   if kind_of(entry) == PDF_KIND and still_valid(out, entry)]
    if not pdf_entries:
        return None
    # a PDF whose facts were kept is not read again: its entry's sha256 was just checked
    files = page_files(project.leaflets(), pdf_entries, _PdfsOnDisk(out, pdf_entries),
                       template_dir(project), project.source_lang, cached_facts(memo),
                       known_facts(memo) if memo is not None else None)
    for path, data in files.items():
        write_if_changed(out / path, data)
    _remove_stale(out, [e for e in entries if kind_of(e) == KIND and e.get("path") not in files])
    kept = [e for e in entries if kind_of(e) != KIND]
    write_entries(out, kept + [file_entry(path, data, KIND) for path, data in files.items()],
                  held)
    LOG.debug("wrote %s and %d other files", INDEX, len(files) - 1)
    return out / INDEX


class _PdfsOnDisk(Mapping):
    """{path: bytes} of the listed PDFs, each read when asked and not kept: a library's
    PDFs are not all in memory while its page is made."""

    def __init__(self, out: Path, entries: list[dict]):
        self.out, self.entries = out, {entry["path"]: entry for entry in entries}

    def __getitem__(self, path: str) -> bytes:
        data = valid_bytes(self.out, self.entries[path])
        if data is None:  # checked a moment ago, under the build lock
            raise KeyError(f"{path} changed while the front desk page was made")
        return data

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _remove_stale(out: Path, entries: list[dict]) -> None:
    """Delete page files an earlier build listed and this one no longer makes (old thumbnails)."""
    for entry in entries:
        path = PurePosixPath(str(entry.get("path", "")))
        # only ever inside our own assets folder, whatever an edited manifest says
        if path.parts[:1] != (ASSETS,) or ".." in path.parts or path.is_absolute():
            continue
        try:
            (out / path).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            LOG.warning("%s: cannot remove old front desk file: %s", out / path, exc.strerror)
