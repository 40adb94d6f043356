"""The PDF stage: local files only, no missing glyphs, no font fallback, page limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaflets.errors import RenderError
from leaflets.building.inputs import file_sha256, font_files

LATIN = ("Noto Sans",)


def page(body: str, lang: str = "en") -> str:
    return (f'<html lang="{lang}"><head><title>t</title><style>:root {{ font-family: "Noto Sans" }}'
            f"</style></head><body>{body}</body></html>")


def test_plain_document_renders(renderer):
    pdf = renderer.render(page("<p>Hello</p>"), name="t", max_pages=1, allowed_fonts=LATIN)
    assert pdf.data.startswith(b"%PDF") and pdf.pages == 1
    assert [font.family for font in pdf.fonts] == ["Noto Sans"]
    # the manifest's font hash is the hash of the installed file fontconfig picked
    assert pdf.fonts[0].sha256 in {file_sha256(Path(f)) for f in font_files("Noto Sans")}


@pytest.mark.parametrize("body", [
    '<img src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<link rel="attachment" href="file:///etc/hostname">',
    '<div style="background: url(../../../../etc/hostname)">x</div>',
    '<img src="data:text/html,hello">',
])
def test_outside_resources_are_refused(renderer, body):
    with pytest.raises(RenderError, match="refused to load"):
        renderer.render(page(body), name="t", max_pages=1, allowed_fonts=LATIN)


def test_font_fallback_is_an_error(renderer):
    with pytest.raises(RenderError, match="fell back to font"):
        renderer.render(page("<p>Hello مرحبا</p>"), name="t", max_pages=1, allowed_fonts=LATIN)


def test_character_no_font_has_is_an_error(renderer):
    with pytest.raises(RenderError, match="U\\+E123|glyph"):
        renderer.render(page("<p>Hello \ue123</p>"), name="t", max_pages=1, allowed_fonts=LATIN)


def test_page_limit(renderer):
    body = "<p style='break-after: page'>x</p>" * 3
    with pytest.raises(RenderError, match="3 pages, more than the limit of 2"):
        renderer.render(page(body), name="t", max_pages=2, allowed_fonts=LATIN)


def test_loading_weasyprint_leaves_ctypes_library_lookup_as_it_was():
    import ctypes.util

    from leaflets.render import weasy  # noqa: F401

    # the quick lookup is for WeasyPrint's own start only, never for other libraries
    assert ctypes.util.find_library.__name__ == "find_library"
    assert ctypes.util.find_library("c")


def test_streams_are_deflated_at_zlibs_default_level(renderer):
    """pydyf's level 9 costs three times the time of level 6 for 2% fewer bytes."""
    import zlib

    import pydyf

    content = b"BT /F1 12 Tf 72 712 Td (Hello, patient) Tj ET\n" * 500
    stream = pydyf.Stream([content.rstrip(b"\n")], compress=True).data
    body = stream.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    level6 = zlib.compressobj(6)
    assert body == level6.compress(content.rstrip(b"\n")) + level6.flush()
    level9 = zlib.compressobj(9)
    assert body != level9.compress(content.rstrip(b"\n")) + level9.flush()
