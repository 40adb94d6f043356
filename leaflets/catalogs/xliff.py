"""XLIFF 1.2 exchange with translation agencies, through Translate Toolkit's po2xliff.

The PO catalogs stay the master copy: ``export`` turns a language's catalogs into one
XLIFF file (one <file> per catalog), ``import`` copies the agency's targets and
approval state back into the matching PO entries and keeps everything else (headers,
comments, previous msgids, obsolete entries, flags) as it was. Exporting and importing
without changes gives byte-identical catalogs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from .pofile import PoFile, po_bytes, read_catalog
from ..errors import CatalogError, UsageError
from .extract import domain_templates
from ..files import atomic_write
from ..locales import language
from ..project import Project
from .update import keep_original_entries

XLIFF_11 = b"urn:oasis:names:tc:xliff:document:1.1"
XLIFF_12 = b"urn:oasis:names:tc:xliff:document:1.2"


def _catalogs(project: Project, code: str) -> dict[str, tuple[Path, PoFile]]:
    lang = language(code)
    if lang.code == project.source_lang or lang.pseudo:
        raise UsageError(f"{lang.code} has no catalogs to exchange; name a translation language")
    found = {}
    for domain in sorted(domain_templates(project)):
        # strict, contained in locales/: refuse broken input, never read an outside file
        found[domain] = (project.po_path(lang.code, domain),
                         read_catalog(project, lang.code, domain))
    return found


def export_xliff(project: Project, code: str) -> bytes:
    """Every catalog of language ``code`` as one XLIFF 1.2 document."""
    from translate.convert.po2xliff import po2xliff
    from translate.storage import po as ttk_po
    from translate.storage import poxliff

    lang = language(code)
    store = poxliff.PoXliffFile(sourcelanguage="en", targetlanguage=lang.tag)
    converter = po2xliff()
    for domain, (path, _) in _catalogs(project, code).items():
        # CR-only files (old Mac editors) are read by our reader; give Translate Toolkit LF
        data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        source = ttk_po.pofile(io.BytesIO(data))
        for unit in source.units:
            if unit.isblank() or unit.isheader() or unit.isobsolete():
                continue
            converted = converter.convertunit(store, unit, f"{domain}.po")
            if unit.getcontext():
                # po2xliff drops msgctxt; XLIFF's resname carries it so import can match
                converted.xmlelement.set("resname", unit.getcontext())
    # Translate Toolkit writes the 1.1 namespace; the 1.2 schema is a superset of it.
    data = bytes(store).replace(XLIFF_11, XLIFF_12)
    return data.replace(b'version="1.1"', b'version="1.2"', 1)


# XLIFF 1.2 target states that mean "translated" (agency tools set these rather than
# approved="yes"); needs-* states and no state stay fuzzy in the PO file.
DONE_STATES = {"translated", "final", "signed-off"}


def _done(unit, store) -> bool:
    states = [t.get("state") for t in unit.xmlelement.iter(store.namespaced("target"))
              if t.getparent().tag != store.namespaced("alt-trans")]
    return bool(states) and all(state in DONE_STATES for state in states)


@dataclass
class ImportResult:
    """What ``import`` changed."""

    changed: dict[str, int]  # catalog (as shown) -> number of entries changed


def import_xliff(project: Project, code: str, xliff: Path, dry_run: bool = False) -> ImportResult:
    """Copy the targets of an XLIFF file into the catalogs of ``code``; all or nothing."""
    from translate.storage import poxliff

    where = str(xliff)
    try:
        store = poxliff.PoXliffFile.parsestring(Path(xliff).read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read XLIFF file: {exc.strerror}", where) from None
    except Exception as exc:  # lxml and Translate Toolkit raise many kinds for bad XML
        raise CatalogError(f"not a readable XLIFF file: {exc}", where) from None
    lang = language(code)
    catalogs = _catalogs(project, code)
    before = {domain: po_bytes(po.catalog, headers=po.headers or None).decode("utf-8")
              for domain, (_, po) in catalogs.items()}
    changed: dict[str, int] = {}
    for unit in store.units:
        if unit.isheader() or not unit.source:
            continue
        line = unit.xmlelement.sourceline
        filenode = next(unit.xmlelement.iterancestors(store.namespaced("file")), None)
        target_lang = filenode.get("target-language") if filenode is not None else None
        if target_lang and target_lang.replace("-", "_").lower() != lang.code.lower():
            raise CatalogError(f"this file is for language {target_lang}, not {lang.code}",
                               where, filenode.sourceline)
        name = filenode.get("original", "") if filenode is not None else ""
        domain = name[:-3] if name.endswith(".po") else name
        if domain not in catalogs:
            raise CatalogError(f"unknown catalog {name!r}; expected one of "
                               f"{', '.join(d + '.po' for d in catalogs)}", where, line)
        po = catalogs[domain][1]
        sources = list(unit.source.strings) if unit.hasplural() else [str(unit.source)]
        context = unit.xmlelement.get("resname") or None
        message = po.catalog.get(sources[0], context)
        if message is None:
            raise CatalogError(f"no entry {sources[0][:50]!r} in {po.path}: the source changed "
                               "since this file was exported; export again", where, line)
        if unit.hasplural():
            targets = [str(t) for t in unit.target.strings] if unit.target else []
            if len(targets) != po.catalog.num_plurals:
                raise CatalogError(f"{len(targets)} plural forms, but {lang.code} has "
                                   f"{po.catalog.num_plurals}", where, line)
            string = tuple(targets)
        else:
            string = str(unit.target or "")
        fuzzy = bool(unit.target) and not (unit.isapproved() or _done(unit, store))
        if string != message.string or fuzzy != message.fuzzy:
            message.string = string
            if fuzzy:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")
                message.previous_id = []
            changed[po.path] = changed.get(po.path, 0) + 1
    if not dry_run:
        updates = {}
        for domain, (path, po) in catalogs.items():
            if po.path in changed:
                text = po_bytes(po.catalog, headers=po.headers or None).decode("utf-8")
                text = keep_original_entries(text, before[domain],
                                             path.read_bytes().decode("utf-8-sig"))
                if not project.writable(path):  # the installed theme's: the project's own copy
                    path = project.locales / lang.code / "LC_MESSAGES" / path.name
                updates[path] = text.replace("\n", po.newline).encode("utf-8")
        for path, data in updates.items():
            atomic_write(path, data)
    return ImportResult(changed)
