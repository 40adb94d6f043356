"""Update and init: merge the templates into every catalog without ever losing a translation."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.catalog import Catalog, Message

from .pofile import (REVIEW_DATE_HEADER, REVIEWER_HEADER, PoFile, po_bytes, read_catalog,
                     read_po)
from ..errors import CatalogError, UsageError
from .extract import domain_templates, template_catalog
from ..files import atomic_write
from ..locales import language
from ..project import SHARED_DOMAINS, Project


@dataclass
class CatalogUpdate:
    """What ``update`` does to one catalog."""

    path: Path
    shown_as: str
    data: bytes  # the catalog's new bytes
    changed: bool
    added: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)  # changed in the source: translation kept
    obsoleted: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # came back from obsolete, as fuzzy

    def summary(self) -> str:
        """One line: what changed in the catalog."""
        parts = [f"{len(self.added)} new", f"{len(self.fuzzy)} fuzzy",
                 f"{len(self.obsoleted)} obsolete"]
        if self.restored:
            parts.append(f"{len(self.restored)} restored")
        return f"{self.shown_as}: {', '.join(parts)}"


def plan_updates(project: Project, langs: list[str] | None = None) -> list[CatalogUpdate]:
    """Read every catalog (any malformed one stops here) and compute its updated bytes."""
    langs = [lang for lang in project.select_languages(langs) if lang != project.source_lang]
    templates = {domain: template_catalog(project, domain)
                 for domain in sorted(domain_templates(project))}
    updates = []
    for lang in langs:
        for domain in templates:
            path = project.po_path(lang, domain)
            # read (strictly, contained) before anything else: a loop or an escape is an error,
            # not a catalog to skip
            po = read_catalog(project, lang, domain, required=False)
            if not project.writable(path):
                continue  # the installed theme's catalog: a read-only default
            # a copy each time: Babel puts the template's own Message objects into the catalog
            template = copy.deepcopy(templates[domain])
            theme = project.theme_po_path(lang, domain)
            if po is None and domain in SHARED_DOMAINS and theme.is_file():
                # the project replaced a shared template: start from the theme's translations
                po = read_po(theme, project.rel(theme))
            if po is not None:
                updates.append(update_catalog(po, path, template))
            else:  # a new leaflet: start its catalog in every language
                data = new_catalog(template, language(lang), domain)
                updates.append(CatalogUpdate(path, project.rel(path), data, changed=True,
                                             added=[m.id for m in template if m.id]))
    return updates


def update(project: Project, langs: list[str] | None = None,
           check: bool = False) -> list[CatalogUpdate]:
    """Merge the templates into the catalogs; write the changed ones (none with ``check``).

    Every catalog is read before anything is written: one malformed file changes nothing.
    """
    updates = plan_updates(project, langs)
    if not check:
        for item in updates:
            if item.changed:
                atomic_write(item.path, item.data)
    return updates


def update_catalog(po: PoFile, path: Path, template: Catalog) -> CatalogUpdate:
    """The catalog merged with ``template`` by Babel, keeping headers, comments and every string."""
    old = copy.deepcopy(po.catalog)
    catalog = po.catalog
    before = {_key(m) for m in catalog if m.id}
    restored = _restore_obsolete(catalog, template)
    previous = {_key(m): m.previous_id for m in catalog if m.id and m.previous_id}
    catalog.update(template, update_header_comment=False, keep_user_comments=True,
                   update_creation_date=True)
    for message in catalog:
        # Babel drops the "#| msgid" of an entry that was already fuzzy
        if message.id and message.fuzzy and not message.previous_id:
            message.previous_id = previous.get(_key(message), [])
        if message.id and not message.fuzzy:
            message.previous_id = []
    _keep_lost_strings(old, catalog, po.path)
    headers = dict(po.headers) if po.headers else None
    if headers is not None and "POT-Creation-Date" in headers:
        headers["POT-Creation-Date"] = format_datetime(template.creation_date,
                                                       "yyyy-MM-dd HH:mmZ", locale="en")
    new = po_bytes(catalog, headers=headers).decode("utf-8")
    # Compare as Babel would write both, so a file saved by another editor is
    # only rewritten when its content changes, not for wrapping alone.
    before_text = po_bytes(old, headers=dict(po.headers) if po.headers else None).decode("utf-8")
    unchanged = new == before_text
    new = keep_original_entries(new, before_text, path.read_bytes().decode("utf-8-sig"))
    after = {_key(m): m for m in catalog if m.id}
    return CatalogUpdate(
        path=path, shown_as=po.path, data=new.replace("\n", po.newline).encode("utf-8"),
        changed=not unchanged,
        added=[k[0] for k, m in after.items() if k not in before and not m.string
               and k not in restored],
        fuzzy=[k[0] for k, m in after.items() if k not in before and m.fuzzy and m.previous_id],
        obsoleted=[k[0] for k in before if k not in after],
        restored=[k[0] for k in restored])


def keep_original_entries(new: str, before: str, original: str) -> str:
    """``new`` with every entry that did not change written exactly as ``original`` had it.

    ``before`` is ``original`` as Babel writes it; where its entries line up one to one
    with the file's, an entry Babel would write the same way before and after the
    update keeps the file's own wrapping (Poedit's, Weblate's), so ``git diff`` shows
    only the entries that really changed.
    """
    original = original.replace("\r\n", "\n").replace("\r", "\n")
    raw = original.strip("\n").split("\n\n")
    babel = before.strip("\n").split("\n\n")
    if len(raw) != len(babel):
        return new  # unusual spacing in the file: write it all as Babel does
    as_written = dict(zip(babel, raw))
    ending = "\n" * max(1, len(original) - len(original.rstrip("\n")))
    return "\n\n".join(as_written.get(block, block)
                         for block in new.strip("\n").split("\n\n")) + ending


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def _restore_obsolete(catalog: Catalog, template: Catalog) -> set[tuple[str, str | None]]:
    """Bring back obsolete entries whose source string is in the templates again, as fuzzy.

    Babel leaves them obsolete and starts the message empty; msgmerge restores them.
    """
    wanted = {_key(m) for m in template if m.id}
    restored = set()
    for key, message in list(catalog.obsolete.items()):
        if _key(message) in wanted and catalog.get(message.id, message.context) is None:
            del catalog.obsolete[key]
            if message.string:
                message.flags.add("fuzzy")  # someone must confirm it still fits
            catalog[message.id] = message
            restored.add(_key(message))
    return restored


def _strings(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [s for s in strings if s]


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string or "",)


def _keep_lost_strings(old: Catalog, new: Catalog, where: str) -> None:
    """Keep any translation Babel's merge would drop (e.g. plural forms) as obsolete."""
    # a translation is kept when its message (same msgid and context, active or obsolete)
    # has every form of it, or when Babel moved it whole to a fuzzy match (#| msgid): a
    # string that only equals some other message's is not kept by that
    kept = set()
    for message in [*new, *new.obsolete.values()]:
        if message.id:
            kept.add((_key(message), _forms(message)))
            if message.fuzzy and message.previous_id:
                kept.add(("#|", message.previous_id[0], _forms(message)))
    for message in [*old, *old.obsolete.values()]:
        if not message.id or not _strings(message):
            continue
        forms = _forms(message)
        if (_key(message), forms) in kept or ("#|", _key(message)[0], forms) in kept:
            continue
        key = new._key_for(message.id, message.context)
        if key in new.obsolete:
            raise CatalogError(f"update would lose the translation of {message.id!r}: an "
                               "obsolete entry with the same source exists; delete one of them",
                               where, message.lineno)
        new.obsolete[key] = message


def init(project: Project, code: str, created=None) -> list[Path]:
    """Start catalogs for a new language: every domain, empty translations, CLDR plural forms."""
    lang = language(code)  # validated against CLDR
    if lang.pseudo:
        raise UsageError(f"{lang.code} is a pseudo-locale: 'leaflets pseudo' makes it on the "
                         "fly; it never gets a catalog")
    if lang.code == project.source_lang:
        raise UsageError(f"{lang.code} is the source language; it needs no catalog")
    files = {}
    for domain in sorted(domain_templates(project)):
        path = project.po_path(lang.code, domain)
        if path.exists() and not project.writable(path):
            continue  # the installed theme already translates this shared domain
        if read_catalog(project, lang.code, domain, required=False) is not None:
            raise UsageError(f"a catalog for {lang.code} already exists; run 'leaflets "
                             "update' to bring it up to date", project.rel(path))
        files[path] = new_catalog(template_catalog(project, domain), lang, domain, created)
    for path, data in files.items():
        atomic_write(path, data)
    return list(files)


def new_catalog(template: Catalog, lang, domain: str, created=None) -> bytes:
    """A fresh catalog of ``domain`` for ``lang``: Babel's header and plural forms, not reviewed."""
    try:
        template.locale = Locale.parse(lang.code)
    except ValueError as exc:
        raise UsageError(f"unknown language {lang.code!r}: {exc}") from None
    template.fuzzy = False
    if created is not None:
        template.revision_date = created
    template.language_team = f"{lang.english_name} <none>"
    template.last_translator = "none"
    template.header_comment = (f"# {lang.english_name} translation of the leaflets {domain} "
                               f"catalog.\n# Set {REVIEWER_HEADER} below when a qualified "
                               "medical translator has signed it off.")
    return po_bytes(template, {REVIEWER_HEADER: "none", REVIEW_DATE_HEADER: ""})
