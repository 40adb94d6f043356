"""PDF: HTML to print-ready bytes with WeasyPrint, refusing anything we would not hand a patient."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.ffi import ffi
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher

from . import tagging, textlayer
from .errors import RenderError
from .fontsubset import compact_cid_fonts

STYLESHEET = "leaflet.css"
# Tagged PDF (structure tree, /Lang, title shown, XMP pdfuaid): screen readers and reflow.
PDF_VARIANT = "pdf/ua-1"
LOG = logging.getLogger(__name__)


class LocalFetcher(URLFetcher):
    """Serves files inside the allowed folders and ``data:`` images; refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        allowed = False
        if scheme == "file":
            target = Path(url2pathname(unquote(parts.path))).resolve()
            allowed = any(target.is_relative_to(root) for root in self.roots)
        elif scheme == "data":
            allowed = url[5:].lower().startswith("image/")
        if not allowed:
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url}")
        return super().fetch(url, headers)


class _Capture(logging.Handler):
    """Collects WeasyPrint's warnings, which are the only report of missing glyphs."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(frozen=True)
class FontUse:
    """A font family embedded in a PDF and the sha256 of the font file it came from."""

    family: str
    sha256: str


@dataclass(frozen=True)
class RenderedPdf:
    """A finished PDF in memory, with what we read off the document while writing it."""

    data: bytes
    pages: int
    fonts: tuple[FontUse, ...] = ()  # sorted by family, then file hash


class Renderer:
    """Long-lived WeasyPrint state: fonts and parsed stylesheets are reused across documents."""

    def __init__(self, templates_dir: Path, extra_roots: tuple[Path, ...] = (),
                 compact_fonts: bool = True, pdf_variant: str | None = PDF_VARIANT):
        textlayer.install()  # exact text for Arabic and Devanagari (WeasyPrint #2841)
        tagging.install()  # page headers and footers as artifacts (WeasyPrint #1836)
        self.pdf_variant = pdf_variant
        self.templates_dir = Path(templates_dir).resolve()
        self.compact_fonts = compact_fonts
        self._font_hashes: dict[int, str] = {}
        self.roots = [self.templates_dir, *extra_roots]
        self.font_config = FontConfiguration()
        self.base_url = self.templates_dir.as_uri() + "/"
        # Read the stylesheet ourselves: CSS(filename=...) would bypass the fetcher.
        stylesheet = self.templates_dir / STYLESHEET
        self.stylesheets = [CSS(string=stylesheet.read_text(encoding="utf-8"),
                                base_url=self.base_url, font_config=self.font_config,
                                url_fetcher=LocalFetcher(self.roots))]

    def render(self, html: str, *, name: str, max_pages: int,
               allowed_fonts: tuple[str, ...], identifier: bytes | None = None) -> RenderedPdf:
        """Render ``html`` to PDF bytes; ``name`` identifies the document in errors.

        ``identifier`` becomes the first half of the PDF's /ID (the second is a hash of the
        content), so the same document keeps the same ID from build to build."""
        fetcher = LocalFetcher(self.roots)
        capture = _Capture()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(capture)
        try:
            # The variant is needed twice: layout keeps what tags need, write_pdf tags.
            document = HTML(string=html, base_url=self.base_url, url_fetcher=fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets,
                pdf_variant=self.pdf_variant)
            pages = len(document.pages)
            if pages > max_pages:
                raise RenderError(f"{name}: {pages} pages, more than the limit of {max_pages}; "
                                  "shorten the text or raise max_pages in the leaflet's .toml")
            data = document.write_pdf(
                finisher=compact_cid_fonts if self.compact_fonts else None,
                pdf_identifier=identifier or True, pdf_variant=self.pdf_variant)
        finally:
            logger.removeHandler(capture)
        if fetcher.refused:
            raise RenderError(f"{name}: refused to load {fetcher.refused[0]!r}: leaflets may only "
                              "use files inside templates/")
        # Document.fonts ({hash: Font}) is filled by write_pdf; Font.missing holds
        # the code points drawn as .notdef. Both are WeasyPrint 70 internals.
        fonts = list(document.fonts.values())
        self._check_glyphs(name, capture.records, fonts, allowed_fonts)
        used = sorted({FontUse(font.family, self._file_hash(font.hb_face)) for font in fonts},
                      key=lambda use: (use.family, use.sha256))
        return RenderedPdf(data=data, pages=pages, fonts=tuple(used))

    def _file_hash(self, hb_face) -> str:
        """sha256 of the font file behind a HarfBuzz face, once per face per process."""
        key = int(ffi.cast("uintptr_t", hb_face))
        if key not in self._font_hashes:
            # HarfBuzz holds the whole file (all faces of a .ttc), which is what we hash
            self._font_hashes[key] = hashlib.sha256(get_hb_object_data(hb_face) or b"").hexdigest()
        return self._font_hashes[key]

    def _check_glyphs(self, name, records, fonts, allowed_fonts) -> None:
        for record in records:
            message = record.getMessage()
            if ".notdef" in message or "unsupported by fonts" in message:
                raise RenderError(f"{name}: {message}; install a font for this script "
                                  "or fix the character in the catalog")
            if "has no required alt description" in message:
                raise RenderError(f"{name}: {message}; give every <img> a non-empty alt text, "
                                  "translated like the rest of the leaflet (PDF/UA)")
            if record.levelno >= logging.ERROR:
                raise RenderError(f"{name}: WeasyPrint: {message}")
            LOG.warning("%s: WeasyPrint: %s", name, message)
        for font in fonts:
            if font.family not in allowed_fonts:
                raise RenderError(f"{name}: text fell back to font {font.family!r}; expected only "
                                  f"{', '.join(allowed_fonts)}: a character is outside the "
                                  "leaflet's script")
            if getattr(font, "missing", None):
                codepoint = min(font.missing)
                raise RenderError(f"{name}: no glyph for U+{codepoint:04X} in {font.family}")
