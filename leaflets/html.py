"""HTML: one leaflet in one language, rendered from its Jinja2 template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from babel.dates import format_date, format_skeleton
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from . import __version__
from .catalogs import StrictTranslations
from .errors import TemplateError
from .locales import Language
from .project import Leaflet

# Sentinels for the page counters inside the translated "Page %(page)s of
# %(pages)s"; private-use characters cannot come from a real translation.
COUNTER_PAGE = "\ue000"
COUNTER_PAGES = "\ue001"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Unicode isolates keep left-to-right runs (phone numbers, codes, URLs) in
# order inside right-to-left text; WeasyPrint ignores CSS unicode-bidi.
LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class PageOptions:
    """Per-document settings that are not in the leaflet's metadata."""

    paper: str = "a4"
    incomplete: bool = False  # render with the "incomplete translation" notice
    created: str = "1970-01-01T00:00:00Z"  # ISO 8601, from the build's one clock


def css_string(value: object) -> Markup:
    """Quote ``value`` as a CSS string literal that no translation can break out of."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    return Markup('"' + "".join(_css_char(c) for c in text) + '"')


def _css_char(char: str) -> str:
    if char.isalnum() or char in " .,:;!?()%-'/" or ord(char) > 0x7F and char.isprintable():
        return char
    # the space ends the escape and is consumed by the CSS parser
    return f"\\{ord(char):06x} "


def css_counters(value: object) -> Markup:
    """Turn a translated page label with counter sentinels into a CSS ``content`` value."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    parts = []
    buffer = ""
    for char in text:
        if char in (COUNTER_PAGE, COUNTER_PAGES):
            if buffer:
                parts.append(css_string(buffer))
            parts.append("counter(page)" if char == COUNTER_PAGE else "counter(pages)")
            buffer = ""
        else:
            buffer += char
    if buffer:
        parts.append(css_string(buffer))
    return Markup(" ".join(parts))


def isolate_ltr(value: object) -> Markup:
    """Wrap a left-to-right value (phone number, code, URL) so bidi text keeps it in order."""
    return Markup(LRI) + jinja2.utils.markupsafe.escape(value) + Markup(PDI)


@lru_cache(maxsize=8)
def environment(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja2 environment: sandboxed, autoescaped, strict about undefined names."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters.update(css_string=css_string, css_counters=css_counters, ltr=isolate_ltr)
    env.globals.update(COUNTER_PAGE=COUNTER_PAGE, COUNTER_PAGES=COUNTER_PAGES)
    return env


def render_html(templates_dir: Path, leaflet: Leaflet, lang: Language,
                translations: StrictTranslations, options: PageOptions,
                unreviewed: bool) -> str:
    """Render the leaflet's HTML; template errors become TemplateError with file and line."""
    env = environment(templates_dir)
    page = {
        "lang_tag": lang.tag,
        "direction": lang.direction,
        "start_side": "right" if lang.direction == "rtl" else "left",
        "end_side": "left" if lang.direction == "rtl" else "right",
        "font_stack": Markup(lang.css_font_stack),
        "paper": PAPER_SIZES[options.paper],
        "published": _date(leaflet.published, lang),
        "review": month_year(leaflet.review, lang),
        "created": options.created,
        "tool_version": __version__,
        "unreviewed": unreviewed,
        "incomplete": options.incomplete,
    }
    try:
        template = env.get_template(leaflet.template)
        # install per document: the environment is shared, the language is not
        env.install_gettext_translations(translations, newstyle=True)
        return template.render(leaflet=leaflet, page=page)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}",
                            f"templates/{exc.name or leaflet.template}", exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}",
                            f"templates/{leaflet.template}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"undefined name in template: {exc.message}",
                            f"templates/{leaflet.template}", _template_line(exc)) from None
    except (KeyError, ValueError, TypeError) as exc:
        # a translation whose placeholders don't match its source string
        raise TemplateError(f"cannot format a message: {exc!r}",
                            f"templates/{leaflet.template}", _template_line(exc)) from None


def _date(day: dt.date, lang: Language, fmt: str = "long") -> str:
    return format_date(day, fmt, locale=lang.cldr or lang.code)


def month_year(day: dt.date, lang: Language) -> str:
    """A month and year as the language writes them ("listopad 2029", "2029年11月")."""
    return format_skeleton("yMMMM", day, locale=lang.cldr or lang.code)


def _template_line(exc: BaseException) -> int | None:
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
