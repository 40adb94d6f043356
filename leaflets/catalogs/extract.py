"""Extraction: the messages each template uses, with locations and translator comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from .. import __version__
from ..errors import TemplateError
from ..kept import answer
from ..project import (BASE_TEMPLATE, COMMON_DOMAIN, EDITION_DOMAIN, EDITION_TEMPLATE, Leaflet,
                      Project)

COMMENT_TAGS = ("Translators:",)
# Must match html.py's environment: a lookup with different whitespace or
# options would miss the catalog entry (pallets/jinja#1925).
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trimmed": "true",
    "newstyle_gettext": "true",
    "silent": "false",
}

# A fixed POT-Creation-Date: the date would otherwise change on every run and
# make the .pot files churn in git (sphinx-doc/sphinx#3443, babel#999).
POT_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class SourceMessage:
    """One message as a template uses it."""

    msgid: str | tuple[str, str]
    context: str | None
    template: str
    lineno: int
    comments: tuple[str, ...]

    @property
    def where(self) -> str:
        """``templates/x.html:LINE`` for messages."""
        return f"templates/{self.template}:{self.lineno}"


def domain_templates(project: Project) -> dict[str, list[str]]:
    """Which template files feed which catalog domain, sorted."""
    domains = {COMMON_DOMAIN: [BASE_TEMPLATE], EDITION_DOMAIN: [EDITION_TEMPLATE]}
    for leaflet in project.leaflets():
        domains[leaflet.domain] = [leaflet.template]
    return domains


def leaflet_domains(leaflet: Leaflet) -> list[str]:
    """The catalog domains a leaflet's text comes from, shared layout first."""
    return [COMMON_DOMAIN, EDITION_DOMAIN, leaflet.domain]


def domain_messages(project: Project, domain: str) -> list[SourceMessage]:
    """Every message of ``domain`` in template order."""
    templates = domain_templates(project).get(domain)
    if templates is None:
        raise TemplateError(f"no templates for catalog domain {domain!r}")
    messages = []
    for name in templates:
        path = project.template_path(name)  # the project's own, else the theme's
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            raise TemplateError("missing: restore it from version control, or delete the "
                                "leaflet's .toml", f"templates/{name}") from None
        messages.extend(_extract(path, mtime, name))
    return messages


@lru_cache(maxsize=64)
def _extract(path: Path, _mtime: int, name: str) -> tuple[SourceMessage, ...]:
    # Babel's extractor parses the whole template (~20 ms each): a build keeps its
    # messages by the template's content (and Babel's and Jinja2's versions)
    return answer("template-messages", name, lambda: _read_messages(path, name),
                  files=[str(path)], encode=lambda found: [
                      [m.msgid, m.context, m.template, m.lineno, m.comments] for m in found],
                  decode=_messages)


def _read_messages(path: Path, name: str) -> tuple[SourceMessage, ...]:
    import jinja2

    try:
        found = extract_from_file("jinja2.ext:babel_extract", path, comment_tags=COMMENT_TAGS,
                                  options=JINJA_OPTIONS, strip_comment_tags=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", f"templates/{name}",
                            exc.lineno) from None
    messages = []
    for lineno, message, comments, context in found:
        messages.append(SourceMessage(message, context, name, lineno, tuple(comments)))
    return tuple(messages)


def _messages(data: list) -> tuple[SourceMessage, ...]:
    messages = []
    for msgid, context, template, lineno, comments in data:
        msgid = tuple(msgid) if isinstance(msgid, list) else msgid
        message = SourceMessage(msgid, context, template, lineno, tuple(comments))
        if not (isinstance(lineno, int) and isinstance(template, str)
                and all(isinstance(part, str) for part in (msgid if isinstance(msgid, tuple)
                                                           else (msgid,)))
                and (context is None or isinstance(context, str))
                and all(isinstance(comment, str) for comment in comments)):
            raise TypeError("not a template's message")
        messages.append(message)
    return tuple(messages)


def template_catalog(project: Project, domain: str) -> Catalog:
    """The ``.pot`` catalog of ``domain``: every message with its locations and comments."""
    catalog = Catalog(project="leaflets", version=__version__, domain=domain,
                      msgid_bugs_address="", charset="utf-8", fuzzy=False,
                      creation_date=POT_DATE, revision_date=POT_DATE)
    for message in domain_messages(project, domain):
        catalog.add(message.msgid, None, [(f"templates/{message.template}", message.lineno)],
                    auto_comments=message.comments, context=message.context)
    return catalog


def pot_bytes(project: Project, domain: str) -> bytes:
    """The ``.pot`` file of ``domain`` as ``extract`` writes it: same templates, same bytes."""
    from .pofile import po_bytes

    return po_bytes(template_catalog(project, domain))


def extract(project: Project, check: bool = False) -> list[Path]:
    """Write every domain's ``.pot``; return those that changed (with ``check``, write nothing).

    The installed theme's .pot files are read-only defaults: a project that does not
    replace a shared template has nothing to extract for it."""
    from ..files import atomic_write

    wanted = {project.pot_path(domain): pot_bytes(project, domain)
              for domain in sorted(domain_templates(project))
              if project.writable(project.pot_path(domain))}
    changed = [path for path, data in wanted.items()
               if not path.is_file() or path.read_bytes() != data]
    if not check:
        for path in changed:
            atomic_write(path, wanted[path])
    return changed
