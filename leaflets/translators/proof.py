"""Proof: a translator's PDF with source and translation side by side, message by message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from ..render import weasy  # noqa: F401  (first: finds its C libraries quickly)
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from ..catalogs.pofile import PoFile, is_translated, read_catalog
from ..building.rules import message_findings
from ..catalogs.checkers import Finding
from ..errors import UsageError
from ..catalogs.extract import domain_templates
from ..locales import Language, language
from ..render.pdf import LocalFetcher
from ..project import Project

STATES = {
    "translated": "translated",
    "fuzzy": "fuzzy: check it, then remove the fuzzy flag",
    "untranslated": "untranslated",
    "same": "same as the English source",
}


@dataclass
class ProofRow:
    """One message as the proof shows it."""

    where: str  # path:line in the PO file
    state: str  # a key of STATES
    context: str | None
    source: list[str]  # one per plural form
    translation: list[str]
    previous: str | None
    notes: list[str]  # translator comments from the templates
    findings: list[Finding]


def state_of(message) -> str:
    """translated, fuzzy, untranslated or same (as the source)."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if not any(strings):
        return "untranslated"
    if message.fuzzy:
        return "fuzzy"
    if not is_translated(message):
        return "untranslated"
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return "same" if strings[0].strip() == ids[0].strip() else "translated"


def proof_rows(po: PoFile, lang: Language) -> list[ProofRow]:
    """Every active message of a catalog, in file order."""
    rows = []
    for message in sorted((m for m in po.catalog if m.id), key=lambda m: m.lineno or 0):
        ids = list(message.id) if isinstance(message.id, tuple) else [message.id]
        strings = (list(message.string) if isinstance(message.string, tuple)
                   else [message.string or ""])
        rows.append(ProofRow(
            where=f"{po.path}:{message.lineno}", state=state_of(message),
            context=message.context, source=ids, translation=strings,
            previous=message.previous_id[0] if message.previous_id else None,
            notes=[" ".join(message.auto_comments)] if message.auto_comments else [],
            findings=[f for f in message_findings(message, lang, po.path)
                      if f.check not in ("untranslated", "fuzzy", "unchanged")]))
    return rows


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Proof: {{ lang.english_name }}</title>
<style>
@page { size: A4 landscape; margin: 12mm 12mm 16mm;
  @bottom-left { content: "Translator's proof, {{ lang.code }}: not for patients";
                 font: 8pt "Noto Sans"; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "Noto Sans"; } }
body { font-family: "Noto Sans", {{ lang.css_font_stack|safe }}; font-size: 9pt; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; }
.summary span { margin-right: 5mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.5pt solid #999; padding: 1.5mm; vertical-align: top; text-align: start; }
thead th { background: #eee; }
col.where { width: 25%; } col.text { width: 37.5%; }
tr { break-inside: avoid; }
tr.untranslated td { background: #fde2e2; } tr.fuzzy td { background: #fff1c2; }
tr.same td { background: #dcebff; }
.state { font-weight: bold; display: block; } .where code { font-size: 8pt; }
.note, .previous, .context { color: #444; font-size: 8pt; display: block; margin-top: 1mm; }
.finding { color: #a00; font-size: 8pt; display: block; margin-top: 1mm; }
.form { display: block; } .form + .form { border-top: 0.5pt dotted #999; margin-top: 1mm; }
.src, .tr { white-space: pre-wrap; }
</style></head>
<body>
<h1>Translator's proof: {{ lang.english_name }} ({{ lang.name }}, {{ lang.code }})</h1>
<p class="summary">{% for state, label in states.items() %}<span class="{{ state }}">
{{ label.split(':')[0] }}: <b>{{ totals[state] }}</b></span>{% endfor %}</p>
<p>Colours: red = untranslated, yellow = fuzzy, blue = same as the English source.
Tags such as &lt;strong&gt; are shown as written in the catalog.</p>
{% for po, rows in catalogs %}
<h2>{{ po.path }}: reviewed by {{ po.reviewer or "nobody yet" }}</h2>
<table><colgroup><col class="where"><col class="text"><col class="text"></colgroup>
<thead><tr><th>Message (file:line)</th><th>English source</th>
<th>Translation ({{ lang.code }})</th></tr></thead>
<tbody>
{% for row in rows %}<tr class="{{ row.state }}">
<td class="where"><code>{{ row.where }}</code><span class="state">{{ states[row.state] }}</span>
{% if row.context %}<span class="context">context: {{ row.context }}</span>{% endif %}
{% for note in row.notes %}<span class="note">{{ note }}</span>{% endfor %}</td>
<td lang="en" dir="ltr">{% for form in row.source %}<span class="form src">{{ form }}</span>{% endfor %}
{% if row.previous %}<span class="previous">before the source changed: {{ row.previous }}</span>{% endif %}</td>
<td lang="{{ lang.tag }}" dir="{{ lang.direction }}">{% for form in row.translation %}
<span class="form tr">{{ form }}</span>{% endfor %}
{% for finding in row.findings %}<span class="finding" dir="ltr">[{{ finding.check }}] {{ finding.message }}</span>{% endfor %}</td>
</tr>{% endfor %}
</tbody></table>
{% endfor %}
</body></html>
"""


def proof_html(project: Project, code: str) -> str:
    """The proof of every catalog of language ``code`` as HTML."""
    lang = language(code)
    if lang.code == project.source_lang or lang.pseudo:
        raise UsageError(f"{lang.code} has no catalogs to proof; name a translation language")
    catalogs = []
    for domain in sorted(domain_templates(project)):
        po = read_catalog(project, lang.code, domain)
        catalogs.append((po, proof_rows(po, lang)))
    totals = {state: sum(1 for _, rows in catalogs for r in rows if r.state == state)
              for state in STATES}
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_TEMPLATE).render(lang=lang, catalogs=catalogs, states=STATES,
                                             totals=totals)


def proof_pdf(project: Project, code: str, font_config: FontConfiguration | None = None) -> bytes:
    """The proof as PDF bytes; it loads nothing from outside the document."""
    html = proof_html(project, code)
    return HTML(string=html, url_fetcher=LocalFetcher([])).write_pdf(
        font_config=font_config or FontConfiguration())


def write_proof(project: Project, code: str, out: Path) -> Path:
    """Write the proof PDF of ``code`` to ``out`` atomically."""
    from ..files import atomic_write

    atomic_write(out, proof_pdf(project, code))
    return out
