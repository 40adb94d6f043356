"""HTML: one leaflet in one language, rendered from its Jinja2 template."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import jinja2
from babel.dates import format_date, format_skeleton
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .. import __version__
from ..catalogs.pofile import StrictTranslations
from ..errors import TemplateError
from ..locales import Language, language
from ..project import Leaflet
from .variants import BilingualTranslations

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
    # the print edition (leaflets/clinic/edition.py fills these in)
    variant: str = "standard"
    clinic: object | None = None  # leaflets.clinic.Clinic
    online_url: str | None = None  # this leaflet on the clinic's website
    qr: str | None = None  # QR code of online_url, as a data: URI
    today: dt.date | None = None  # the build's clock, for the review-overdue warning
    translation: object | None = None  # leaflets.edition.TranslationStatus
    source_lang: str = "en"  # the project's source language (bilingual pages pair with it)
    # project settings (leaflets.toml): the source language's CLDR locale for its dates,
    # and the emergency number (a clinic profile's own, else the project's)
    source_locale: str = ""
    emergency_phone: str = ""


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


def single_stops(value: object) -> object:
    """One full stop where a date ending in one ("листопад 2029 р.") meets the sentence's own."""
    fixed = re.sub(r"(?<!\.)\.\.(?!\.)", ".", str(value))
    return Markup(fixed) if isinstance(value, Markup) else fixed


def isolate_ltr(value: object) -> Markup:
    """Wrap a left-to-right value (phone number, code, URL) so bidi text keeps it in order."""
    return Markup(LRI) + jinja2.utils.markupsafe.escape(value) + Markup(PDI)


def isolate_phone(value: object) -> Markup:
    """A phone number that stays left-to-right and never wraps (no-break spaces)."""
    return isolate_ltr(str(value).replace(" ", "\u00a0"))


def isolate_url(value: object) -> Markup:
    """A web address in a left-to-right inline block.

    An isolate alone is not enough when the address wraps: WeasyPrint lays each line
    out on its own, and a continuation line in right-to-left text loses the isolate.
    """
    return Markup('<span class="url" dir="ltr">') + isolate_ltr(value) + Markup("</span>")


def search_path(templates: Path | str | tuple[Path, ...] | list[Path]) -> tuple[Path, ...]:
    """Template folders in lookup order (the project's, then the theme's) from one or many."""
    if isinstance(templates, (str, Path)):
        return (Path(templates),)
    return tuple(Path(folder) for folder in templates)


def environment(templates: Path | tuple[Path, ...]) -> jinja2.Environment:
    """The one Jinja2 environment: sandboxed, autoescaped, strict about undefined names.

    Templates are looked up in each folder in turn: a project's own base.html or
    edition.html hides the theme's (Project.template_dirs gives the order)."""
    return _environment(search_path(templates))


@lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters.update(css_string=css_string, css_counters=css_counters, ltr=isolate_ltr,
                       phone=isolate_phone, url=isolate_url, single_stops=single_stops)
    env.globals.update(COUNTER_PAGE=COUNTER_PAGE, COUNTER_PAGES=COUNTER_PAGES)
    return env


def render_html(templates_dir: Path | tuple[Path, ...], leaflet: Leaflet, lang: Language,
                translations: StrictTranslations, options: PageOptions,
                unreviewed: bool) -> str:
    """Render the leaflet's HTML; template errors become TemplateError with file and line."""
    env = environment(templates_dir)
    lang = _dated(lang, options)
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
        **({"emergency_phone": options.emergency_phone} if options.emergency_phone else {}),
        **_edition(leaflet, lang, translations, options),
    }
    try:
        template = env.get_template(leaflet.template)
        # install per document: the environment is shared, the language is not
        env.install_gettext_translations(translations, newstyle=True)
        if isinstance(translations, BilingualTranslations):
            english = _english_values(leaflet, lang, options, page)
            # "_" is jinja2's alias that looks "gettext" up at each call: replace only
            # gettext, and the next document's install puts the plain one back
            env.globals["gettext"] = translations.jinja_gettext(english)
        return template.render(leaflet=leaflet, page=page)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}",
                            f"templates/{exc.name or leaflet.template}", exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}",
                            f"templates/{leaflet.template}") from None
    except jinja2.UndefinedError as exc:
        if "emergency_phone" in (exc.message or ""):  # a setting, not a template mistake
            raise TemplateError("this leaflet prints the emergency number, but it is not set: "
                                "add emergency_phone = \"999\" (your country's number) to "
                                "leaflets.toml, or to the clinic profile",
                                f"templates/{leaflet.template}", _template_line(exc)) from None
        raise TemplateError(f"undefined name in template: {exc.message}",
                            f"templates/{leaflet.template}", _template_line(exc)) from None
    except (KeyError, ValueError, TypeError) as exc:
        # a translation whose placeholders don't match its source string
        raise TemplateError(f"cannot format a message: {exc!r}",
                            f"templates/{leaflet.template}", _template_line(exc)) from None


def _edition(leaflet: Leaflet, lang: Language, translations: StrictTranslations,
             options: PageOptions) -> dict:
    clinic, status = options.clinic, options.translation
    return {
        "variant": options.variant,
        "clinic": clinic,
        "logo": clinic.logo.as_uri() if clinic and clinic.logo else None,
        # checked as #rrggbb by leaflets/clinic/profile.py, so safe inside <style>
        "accent": Markup(clinic.accent_colour) if clinic else None,
        "online_url": options.online_url,
        "qr": options.qr,
        "review_long": _date(leaflet.review, lang),
        "overdue": options.today is not None and leaflet.review < options.today,
        "translation": status,
        "translation_date": _date(status.date, lang) if status and status.date else None,
        # bilingual pages pair messages from <body> on (leaflets/render/variants.py)
        "start_body": getattr(translations, "start_pairs", lambda: ""),
    }


def _english_values(leaflet: Leaflet, lang: Language, options: PageOptions,
                    page: dict) -> dict[str, str]:
    """The page's dates in the leaflet's language, each mapped to how English writes it."""
    english = _dated(language(options.source_lang), options)
    status = options.translation
    pairs = [(page["published"], _date(leaflet.published, english)),
             (page["review"], month_year(leaflet.review, english)),
             (page["review_long"], _date(leaflet.review, english))]
    if page["translation_date"]:
        pairs.append((page["translation_date"], _date(status.date, english)))
    return dict(pairs)


def _dated(lang: Language, options: PageOptions) -> Language:
    """The source language writes its dates in the project's locale (en-GB: 26 November 2026)."""
    if lang.code == options.source_lang and options.source_locale:
        return replace(lang, cldr=options.source_locale)
    return lang


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
