"""Compact CJK fonts: small PDFs that look exactly like WeasyPrint's own output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
from conftest import normalize, pdftotext
from PIL import Image, ImageChops

from leaflets.render.fontsubset import cid_keyed_cff
from leaflets.building.inputs import font_files
from leaflets.render.pdf import Renderer

CJK = ("Noto Sans CJK SC", "Noto Sans")
TEXT = "在一项研究中，虽然检查已经按月经周期的日期预约好，当天验孕时仍然发现了1例事先没想到的怀孕。"


def chinese_page() -> str:
    return ('<html lang="zh-Hans"><head><title>t</title><style>:root { font-family: '
            f'"Noto Sans CJK SC", "Noto Sans" }}</style></head><body><h1>{TEXT[:8]}</h1>'
            f"<p>{TEXT * 3}</p><p><b>{TEXT}</b></p></body></html>")


def font_streams(path: Path) -> dict[str, int]:
    """Subtype -> compressed bytes of each embedded font program."""
    sizes = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") in (
                    "/CIDFontType0C", "/OpenType"):
                key = str(obj.Subtype)
                sizes[key] = sizes.get(key, 0) + len(obj.read_raw_bytes())
    return sizes


def pixels(path: Path, tmp: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(path), str(tmp / path.stem)], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(tmp.glob(f"{path.stem}-*.png"))]


def test_compact_fonts_look_and_read_the_same(project, renderer, tmp_path):
    compact = tmp_path / "compact.pdf"
    plain = tmp_path / "plain.pdf"
    compact.write_bytes(renderer.render(chinese_page(), name="c", max_pages=2,
                                        allowed_fonts=CJK).data)
    plain.write_bytes(Renderer(project.template_dirs, compact_fonts=False).render(
        chinese_page(), name="p", max_pages=2, allowed_fonts=CJK).data)
    assert set(font_streams(compact)) == {"/CIDFontType0C"}
    assert set(font_streams(plain)) == {"/OpenType"}
    assert sum(font_streams(compact).values()) * 4 < sum(font_streams(plain).values())
    assert normalize(pdftotext(compact), cjk=True) == normalize(pdftotext(plain), cjk=True)
    assert TEXT in normalize(pdftotext(compact), cjk=True)
    for a, b in zip(pixels(compact, tmp_path), pixels(plain, tmp_path), strict=True):
        assert ImageChops.difference(a, b).getbbox() is None  # not one pixel differs


def test_chinese_leaflet_is_small_enough_to_email(built):
    out, _ = built
    path = out / "zh_Hans" / "hsg.pdf"
    assert path.stat().st_size < 120_000  # plain WeasyPrint 70: ~370 KB
    assert set(font_streams(path)) == {"/CIDFontType0C"}


def test_truetype_fonts_are_left_to_weasyprint():
    regular = next(f for f in font_files("Noto Sans") if f.endswith("NotoSans-Regular.ttf"))
    assert cid_keyed_cff(Path(regular).read_bytes(), [0, 1, 2]) is None
