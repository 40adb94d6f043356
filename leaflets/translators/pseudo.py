"""Pseudo-locales: fake translations that show layout problems before translators start.

They are generated on the fly into a temporary project (templates linked, catalogs
generated) and built from there, so they never appear under locales/ and never count
as translations in ``status``, ``check`` or a release build.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path

from ..building.build import BuildOptions, BuildResult, build, build_time
from ..catalogs.pofile import REVIEWER_HEADER, po_bytes
from ..catalogs.extract import domain_templates, template_catalog
from ..files import atomic_write
from ..locales import PSEUDO_LANGUAGES, language
from ..render.pdf import Renderer
from ..project import Project

ACCENTED = "en_XA"
RTL = "ar_XB"
EXPANSION = 0.4  # German and Finnish run about 30-40% longer than English

# Everything a translation must keep verbatim: tags, entities, placeholders, template code.
_KEEP = re.compile(r"<[^>]*>|&[#\w]+;|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
                   r"|\{\{.*?\}\}|\{%.*?%\}|\{[\w.]*\}", re.S)
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ")
_FILLER = "one two three four five six seven eight nine ten".split()
RLO, PDF = "\u202e", "\u202c"  # right-to-left override: Latin letters shown mirrored


def _segments(text: str):
    """Split ``text`` into (is_text, piece) so markup and placeholders stay untouched."""
    position = 0
    for match in _KEEP.finditer(text):
        if match.start() > position:
            yield True, text[position:match.start()]
        yield False, match.group(0)
        position = match.end()
    if position < len(text):
        yield True, text[position:]


def accent_letters(text: str) -> str:
    """Latin letters swapped for accented look-alikes; markup and placeholders untouched."""
    return "".join(piece.translate(_ACCENTS) if is_text else piece
                   for is_text, piece in _segments(text))


def accented(text: str) -> str:
    """Accented letters, about 40% longer, in brackets to spot cut-off text."""
    if not text:
        return text
    pieces = [accent_letters(text)]
    visible = sum(len(piece) for is_text, piece in _segments(text) if is_text)
    filler, words = "", iter(_FILLER * (1 + visible // 10))
    while len(filler) < math.ceil(visible * EXPANSION):
        filler += " " + next(words).translate(_ACCENTS)
    return "[" + "".join(pieces) + filler + "]"


def right_to_left(text: str) -> str:
    """Each word mirrored by a right-to-left override, as Android's ar-XB does."""
    return "".join(re.sub(r"[^\W\d_]+", lambda m: RLO + m.group(0) + PDF, piece) if is_text
                   else piece for is_text, piece in _segments(text))


TRANSFORMS = {ACCENTED: accented, RTL: right_to_left}


def pseudo_catalog(project: Project, domain: str, code: str) -> bytes:
    """The PO file of ``domain`` in pseudo-locale ``code``."""
    transform = TRANSFORMS[code]
    catalog = template_catalog(project, domain)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(transform(form) for form in message.id)
        else:
            message.string = transform(message.id)
    headers = dict(catalog.mime_headers)
    headers.update({"Language": code, "Plural-Forms": "nplurals=2; plural=(n != 1);",
                    REVIEWER_HEADER: "none"})
    catalog.header_comment = f"# {language(code).english_name}: generated, never edit."
    return po_bytes(catalog, headers=headers)


def build_pseudo(project: Project, out: Path, codes: list[str] | None = None,
                 renderer: Renderer | None = None) -> BuildResult:
    """Generate the pseudo-locale catalogs in a temporary project and build every leaflet."""
    codes = codes or sorted(PSEUDO_LANGUAGES)
    with tempfile.TemporaryDirectory(prefix="leaflets-pseudo-") as folder:
        temp = Project(Path(folder), theme=project.theme)
        temp.templates.symlink_to(project.templates.resolve(), target_is_directory=True)
        if project.settings.path:  # the same source language and fonts
            shutil.copyfile(project.settings.path, temp.root / project.settings.path.name)
        for code in codes:
            for domain in sorted(domain_templates(project)):
                data = pseudo_catalog(project, domain, code)
                atomic_write(temp.po_path(code, domain), data)
                # a copy beside the PDFs, to read what was built
                atomic_write(Path(out) / code / f"{domain}.po", data)
        result = build(temp, BuildOptions(langs=tuple(codes), out=Path(out)),
                       renderer or Renderer(project.template_dirs), created=build_time(project.root))
    return result
