"""PDF: HTML to print-ready bytes with WeasyPrint, refusing anything we would not hand a patient."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from . import weasy  # first: finds its C libraries quickly
from weasyprint import CSS, HTML
from weasyprint.text.ffi import ffi
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher

from ..render import tagging, textlayer
from ..errors import RenderError
from ..files import inside
from .fontsubset import compact_cid_fonts
from .rendered import FontUse, RenderedPdf

STYLESHEET = "leaflet.css"
# Tagged PDF (structure tree, /Lang, title shown, XMP pdfuaid): screen readers and reflow.
PDF_VARIANT = "pdf/ua-1"
LOG = logging.getLogger(__name__)


class LocalFetcher(URLFetcher):
    """Serves files inside the allowed folders and ``data:`` images; refuses everything else.

    Paths are resolved (symlinks, ``..``, ``%2e%2e``) before the check and the resolved
    file is what gets opened, so a link or symlink cannot lead outside the roots.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            target = inside(url2pathname(parts.path), self.roots)  # it unquotes %2e
            if target is not None and parts.netloc in ("", "localhost"):
                return super().fetch(target.as_uri(), headers)
        elif scheme == "data" and url[5:].lstrip().lower().startswith("image/"):
            return super().fetch(url, headers)
        self.refused.append(url)
        # FatalURLFetchingError would stop WeasyPrint at once, but it swallows the
        # URL; the refusal is recorded above and reported after rendering.
        raise ValueError(f"refused to fetch {url}")


# Only these link targets may appear in a leaflet; file: links would point the
# reader (and some PDF viewers) at the build machine's disk.
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")


class _Capture(logging.Handler):
    """Collects WeasyPrint's warnings, which are the only report of missing glyphs."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Renderer:
    """Long-lived WeasyPrint state: fonts and parsed stylesheets are reused across documents."""

    def __init__(self, templates_dir: Path | tuple[Path, ...], extra_roots: tuple[Path, ...] = (),
                 compact_fonts: bool = True, pdf_variant: str | None = PDF_VARIANT):
        from .html import search_path

        textlayer.install()  # exact text for Arabic and Devanagari (WeasyPrint #2841)
        tagging.install()  # page headers and footers as artifacts (WeasyPrint #1836)
        weasy.install()  # streams deflated at zlib's default level, not 9: 5% of a render
        self.pdf_variant = pdf_variant
        # the project's templates/, then the theme's: a leaflet may load files from each
        self.templates_dirs = tuple(folder.resolve() for folder in search_path(templates_dir))
        self.templates_dir = self.templates_dirs[0]
        self.compact_fonts = compact_fonts
        self._font_hashes: dict[int, str] = {}
        self.roots = [*self.templates_dirs, *(Path(root).resolve() for root in extra_roots)]
        self.font_config = FontConfiguration()
        self.base_url = self.templates_dir.as_uri() + "/"
        # The project's own leaflet.css, else the theme's. Read it ourselves:
        # CSS(filename=...) would bypass the fetcher.
        own = next((folder / STYLESHEET for folder in self.templates_dirs
                    if (folder / STYLESHEET).exists() or (folder / STYLESHEET).is_symlink()),
                   self.templates_dir / STYLESHEET)
        stylesheet = inside(own, self.roots)
        if stylesheet is None or not stylesheet.is_file():
            raise RenderError(f"{STYLESHEET} leads outside templates/ (a symlink?) or is missing; "
                              "replace it with a real file", f"templates/{STYLESHEET}")
        fetcher = LocalFetcher(self.roots)
        self.stylesheets = [CSS(string=stylesheet.read_text(encoding="utf-8"),
                                base_url=own.parent.as_uri() + "/", font_config=self.font_config,
                                url_fetcher=fetcher)]
        if fetcher.refused:
            raise RenderError(self._refusal(STYLESHEET, fetcher.refused),
                              f"templates/{STYLESHEET}")

    def render(self, html: str, *, name: str, max_pages: int,
               allowed_fonts: tuple[str, ...], identifier: bytes | None = None) -> RenderedPdf:
        """Render ``html`` to PDF bytes; ``name`` identifies the document in errors.

        ``identifier`` becomes the first half of the PDF's /ID (the second is a hash of the
        content), so the same document keeps the same ID from build to build."""
        options = self.pdf_options(identifier)
        if options.get("attachments"):  # WeasyPrint would embed these files, unchecked
            raise RenderError(f"{name}: leaflets carry no attachments")
        fetcher = LocalFetcher(self.roots)
        capture = _Capture()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(capture)
        # what WeasyPrint logs comes back as the job's one-line findings, not as raw lines
        propagate, logger.propagate = logger.propagate, False
        try:
            # The variant is needed twice: layout keeps what tags need, write_pdf tags.
            document = HTML(string=html, base_url=self.base_url, url_fetcher=fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets,
                pdf_variant=self.pdf_variant)
            self._check_resources(name, document, fetcher, written=False)
            pages = len(document.pages)
            if pages > max_pages:
                raise RenderError(f"{name}: {pages} pages, more than the limit of {max_pages}; "
                                  "shorten the text or raise max_pages in the leaflet's .toml")
            data = document.write_pdf(**options)
        finally:
            logger.removeHandler(capture)
            logger.propagate = propagate
        # write_pdf is when WeasyPrint fetches attachments: the fetcher refuses any
        # outside templates/, and those inside are refused here, before anything is saved
        self._check_resources(name, document, fetcher, written=True)
        # Document.fonts ({hash: Font}) is filled by write_pdf; Font.missing holds
        # the code points drawn as .notdef. Both are WeasyPrint 70 internals.
        fonts = list(document.fonts.values())
        self._check_glyphs(name, capture.records, fonts, allowed_fonts)
        used = sorted({FontUse(font.family, self._file_hash(font.hb_face)) for font in fonts},
                      key=lambda use: (use.family, use.sha256))
        return RenderedPdf(data=data, pages=pages, fonts=tuple(used))

    def pdf_options(self, identifier: bytes | None) -> dict:
        """The options handed to WeasyPrint's ``write_pdf``; never ``attachments``."""
        return {"finisher": compact_cid_fonts if self.compact_fonts else None,
                "pdf_identifier": identifier or True, "pdf_variant": self.pdf_variant}

    def _file_hash(self, hb_face) -> str:
        """sha256 of the font file behind a HarfBuzz face, once per face per process."""
        key = int(ffi.cast("uintptr_t", hb_face))
        if key not in self._font_hashes:
            # HarfBuzz holds the whole file (all faces of a .ttc), which is what we hash
            self._font_hashes[key] = hashlib.sha256(get_hb_object_data(hb_face) or b"").hexdigest()
        return self._font_hashes[key]

    def _refusal(self, name: str, urls: list[str]) -> str:
        shown = ", ".join(repr(url[:200]) for url in dict.fromkeys(urls))
        folders = ", ".join(str(root) for root in self.roots)
        return (f"{name}: refused to load {shown}: a leaflet may only use files inside "
                f"{folders} (no network, no other files, data: URLs for images only)")

    def _check_resources(self, name: str, document, fetcher: LocalFetcher, written: bool) -> None:
        """Refuse fetched URLs, file attachments and links to anything but the web."""
        if fetcher.refused:
            raise RenderError(self._refusal(name, fetcher.refused))
        if written and document.metadata.attachments:
            raise RenderError(f"{name}: the document asks to attach a file "
                              "(<link rel=attachment>); leaflets carry no attachments")
        for page in document.pages:
            for kind, target, *_ in page.links:
                if kind == "attachment" and written:
                    raise RenderError(f"{name}: the document asks to attach {target!r} "
                                      "(<a rel=attachment>); leaflets carry no attachments")
                if kind == "external" and not target.lower().startswith(LINK_SCHEMES):
                    raise RenderError(f"{name}: link to {target[:200]!r}; leaflets may link "
                                      "only to http(s), mailto: and tel: addresses")

    def _check_glyphs(self, name, records, fonts, allowed_fonts) -> None:
        for record in records:
            # quoted text from the catalog: a U+2028 or control character in it
            # must not break the one-line report
            message = "".join(c if c.isprintable() else f"\\u{ord(c):04x}"
                              for c in record.getMessage())
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
