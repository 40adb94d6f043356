"""``leaflets new DIR``: a working project with one short example leaflet, like sphinx-quickstart."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .catalogs.extract import extract
from .catalogs.pofile import po_bytes, read_po
from .catalogs.update import init
from .errors import UsageError
from .files import atomic_write
from .project import Project
from .settings import PROJECT_FILE

EXAMPLE_ID = "visiting"
EXAMPLE_LANG = "fr"

_TOML = """\
# {file}: this folder is a leaflets project. Every command finds it by looking here
# and in the folders above, like pyproject.toml. See README.md.
name = "{name}"
organisation = "{name}"
# the language the templates are written in, and its locale (dates, lang tags)
source_locale = "en-GB"
# the emergency number printed on the leaflets
emergency_phone = "999"
paper = "a4"
output = "dist"
# languages = ["fr"]      # default: every language with catalogs under locales/
# [fonts]                 # choose the fonts of a language or script yourself
# ar = ["Noto Naskh Arabic", "Noto Sans"]
"""

_LEAFLET = """\
{% extends "base.html" %}
{#- An example leaflet: replace it with your own. The layout (base.html), its stylesheet
    (leaflet.css) and the clinic edition (edition.html) come from the leaflets theme; put a
    file of the same name in templates/ to change one. -#}

{% block title %}{% trans %}Visiting the clinic{% endtrans %}{% endblock %}

{% block kicker %}{% trans %}Information for patients and visitors{% endtrans %}{% endblock %}

{% block standfirst %}
{% trans %}What to bring and what happens when you arrive.{% endtrans %}
{% endblock %}

{% block content %}
<section id="arriving">
<h2>{% trans %}When you arrive{% endtrans %}</h2>
<p>{% trans %}Please come 10 minutes before your appointment. Give your name and date of birth at the front desk.{% endtrans %}</p>
</section>

<section id="bring">
<h2>{% trans %}What to bring{% endtrans %}</h2>
<ul>
<li>{% trans %}Your appointment letter.{% endtrans %}</li>
<li>{% trans %}A list of the medicines you take.{% endtrans %}</li>
</ul>
</section>

<section id="help">
<h2>{% trans %}If you need help{% endtrans %}</h2>
<p>{% trans %}You can ask for a free interpreter when you book your appointment.{% endtrans %}</p>
</section>
{% endblock %}
"""

_LEAFLET_TOML = """\
# Metadata of the example leaflet; its text is in {id}.html.
id = "{id}"
code = "VIS-01"
version = "1.0"
published = {published}
review = {review}
owner = "{name}"
max_pages = 2
"""

# A draft translation, as a translator would start it: never marked as reviewed.
_FRENCH = {
    "Visiting the clinic": "Venir à la clinique",
    "Information for patients and visitors": "Informations pour les patients et les visiteurs",
    "What to bring and what happens when you arrive.":
        "Ce qu’il faut apporter et ce qui se passe à votre arrivée.",
    "When you arrive": "À votre arrivée",
    "Please come 10 minutes before your appointment. Give your name and date of birth at "
    "the front desk.": "Merci d’arriver 10 minutes avant votre rendez-vous. Donnez votre nom "
                       "et votre date de naissance à l’accueil.",
    "What to bring": "Ce qu’il faut apporter",
    "Your appointment letter.": "Votre lettre de rendez-vous.",
    "A list of the medicines you take.": "La liste des médicaments que vous prenez.",
    "If you need help": "Si vous avez besoin d’aide",
    "You can ask for a free interpreter when you book your appointment.":
        "Vous pouvez demander un interprète gratuit quand vous prenez rendez-vous.",
}

_README = """\
# {name}

Patient leaflets made with [leaflets](https://pypi.org/project/leaflets/): each leaflet is a
Jinja2 template in `templates/`, its text is translated in gettext catalogs under `locales/`,
and `leaflets build` turns every leaflet in every language into a print-ready PDF.

## Build

    leaflets build            # PDFs, manifest.json and the front desk page in dist/
    leaflets build --lang fr  # one language
    leaflets status           # what is translated, reviewed and printable

Open `dist/index.html` in a browser to find and print a leaflet.

## Write a leaflet

1. Copy `templates/{id}.html` and `templates/{id}.toml` to a new name (the `id` in the
   `.toml` must match the file name). Plain language, short sentences; one paragraph is one
   message, so a translator sees whole sentences.
2. `leaflets update` extracts the messages into `locales/<id>.pot` and starts or updates the
   catalog of every language.

## Translate

- `leaflets init de` starts the catalogs of a new language.
- Translate `locales/<lang>/LC_MESSAGES/*.po` with Poedit or Weblate.
- `leaflets check` finds mistakes (`file:line: what is wrong`); `leaflets proof de` makes a
  PDF with source and translation side by side for a reviewer.
- A translation is a draft until a qualified medical translator signs it off: they set
  `X-Medical-Reviewer` in the catalog's header. Until then the leaflet says so on its first page.

## The theme

The shared layout (`base.html`), its stylesheet (`leaflet.css`), the clinic edition
(`edition.html`) and the front desk page (`frontdesk/`) come with leaflets, with the
`common` and `edition` catalogs in several languages. To change one, put a file of the same
name in `templates/`: yours is used first. To change a shared message in one language, put
your own `locales/<lang>/LC_MESSAGES/common.po`: yours is used first.

## Settings

`{file}` holds the project's name, source language, emergency number, paper, languages,
fonts and output folder. Every command finds it in this folder or the folders above.
"""

_GITIGNORE = "dist/\ndist-*/\n"


def new_project(folder: Path) -> list[Path]:
    """Create a project in ``folder`` (new or empty); return the files written, sorted."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not an empty folder; choose a new "
                         "folder for the project")
    name = folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Leaflets"
    name = "".join(c for c in name if c.isprintable() and c not in '"\\') or "Leaflets"
    today = _today()
    files = {
        PROJECT_FILE: _TOML.format(file=PROJECT_FILE, name=name),
        "README.md": _README.format(name=name, id=EXAMPLE_ID, file=PROJECT_FILE),
        ".gitignore": _GITIGNORE,
        f"templates/{EXAMPLE_ID}.html": _LEAFLET,
        f"templates/{EXAMPLE_ID}.toml": _LEAFLET_TOML.format(
            id=EXAMPLE_ID, name=name, published=today.isoformat(),
            review=today.replace(year=today.year + 2, day=min(today.day, 28)).isoformat()),
    }
    for relative, text in files.items():
        atomic_write(folder / relative, text.encode("utf-8"))
    project = Project(folder.resolve())
    written = [folder / relative for relative in files]
    written += [Path(folder) / project.rel(path) for path in extract(project)]
    created = dt.datetime.combine(today, dt.time(), dt.timezone.utc)
    for path in init(project, EXAMPLE_LANG, created=created):
        _translate(path, _FRENCH, project)
        written.append(Path(folder) / project.rel(path))
    return sorted(written)


def _translate(path: Path, strings: dict[str, str], project: Project) -> None:
    """Fill a fresh catalog with ``strings`` (msgid -> translation), kept as a draft."""
    po = read_po(path, project.rel(path))
    for message in po.catalog:
        if message.id in strings:
            message.string = strings[message.id]
    atomic_write(path, po_bytes(po.catalog, headers=po.headers or None))


def _today() -> dt.date:
    """SOURCE_DATE_EPOCH's day when set (reproducible examples), else today."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc).date()
    return dt.date.today()
