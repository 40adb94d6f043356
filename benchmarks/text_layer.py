#!/usr/bin/env python3
"""Build the HSG leaflet and print how exactly each viewer's text extraction reads it.

    python3 benchmarks/text_layer.py                  # ar hi he fa zh_Hans uk
    python3 benchmarks/text_layer.py --lang ar --lang fa
    python3 benchmarks/text_layer.py --plain          # WeasyPrint 70 without leaflets' patch

Extractors: poppler (pdftotext), pypdf, PDFium (pypdfium2: Chrome, Edge) and
pdf.js (pdfjs-dist with node: Firefox); pdf.js needs ``bash .ci/setup`` (npm).
A message counts when it is found exactly, after NFC and whitespace folding;
"+N marks" counts bidi marks (U+061C, U+200E, U+200F, ...) the text layer added
that no message has. Hebrew, Persian and Amharic catalogs are made from the
Arabic drafts (tests/script_catalogs.py): same shapes, other scripts.
Prints a Markdown table (README's "Text layer" section).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import readback  # noqa: E402
import script_catalogs  # noqa: E402

DEFAULT_LANGS = ("ar", "hi", "he", "fa", "zh_Hans", "uk")


def measure(langs: list[str], plain: bool) -> dict[str, dict[str, readback.Score]]:
    """Build ``langs`` in a copy of the project; {lang: {extractor: score}}."""
    import pypdf

    from leaflets.render import textlayer
    from leaflets.building.build import BuildOptions, build
    from leaflets.render.pdf import Renderer
    from leaflets.project import THEME, Project
    from leaflets.catalogs.update import init

    if plain:
        textlayer.install = lambda: None  # WeasyPrint's own text layer
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copyfile(ROOT / "leaflets.toml", Path(tmp) / "leaflets.toml")
        for name in ("templates", "locales"):  # the project's, then the package's theme
            shutil.copytree(ROOT / name, Path(tmp) / name)
            shutil.copytree(THEME / name, Path(tmp) / name, dirs_exist_ok=True)
        project = Project(Path(tmp))
        for lang in langs:
            if lang in script_catalogs.WRITERS and not project.po_path(lang, "common").exists():
                init(project, lang)
                script_catalogs.fill_from_arabic(project, lang)
        out = Path(tmp) / "dist"
        result = build(project, BuildOptions(out=out, langs=tuple(langs)),
                       Renderer(project.templates))
        if not result.ok:
            raise SystemExit("\n".join(str(p) for o in result.failed for p in o.problems))
        leaflet = project.leaflets()[0]
        scores = {}
        for lang in langs:
            from leaflets.locales import language
            path = out / lang / f"{leaflet.id}.pdf"
            pages = len(pypdf.PdfReader(path).pages)
            messages = readback.printed_messages(project, leaflet, lang, pages)
            rtl = language(lang).direction == "rtl"
            scores[lang] = {
                name: readback.score(reader([path], rtl)[0], messages,
                                     cjk=lang.startswith(("zh", "ja")))
                for name, reader in readback.READERS.items()}
        return scores


def table(scores: dict[str, dict[str, readback.Score]]) -> str:
    """The scores as a Markdown table, one row per language."""
    from leaflets.locales import language
    lines = ["| language | poppler | pypdf | PDFium | pdf.js |", "|---|---|---|---|---|"]
    for lang, row in scores.items():
        cells = [str(row[name]) for name in readback.EXTRACTORS]
        lines.append(f"| {language(lang).english_name} (`{lang}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", help="languages (default: %(default)s)")
    parser.add_argument("--plain", action="store_true", help="without leaflets' text layer patch")
    parser.add_argument("--missing", action="store_true", help="also list the missing messages")
    args = parser.parse_args()
    scores = measure(args.lang or list(DEFAULT_LANGS), args.plain)
    print(table(scores))
    if args.missing:
        for lang, row in scores.items():
            for name, found in row.items():
                for message in found.missing:
                    print(f"{lang} {name}: {message[:100]}")


if __name__ == "__main__":
    main()
