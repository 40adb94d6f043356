"""Variants of a leaflet from the same catalogs: standard, large print, and bilingual (English beside)."""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

from ..catalogs.pofile import StrictTranslations
from ..errors import UsageError
from ..locales import Language
from ..project import Leaflet

STANDARD, LARGE_PRINT, BILINGUAL = "standard", "large-print", "bilingual"
VARIANTS = (STANDARD, LARGE_PRINT, BILINGUAL)


def check_variant(variant: str, langs: list[str], asked: bool, source: str) -> list[str]:
    """The languages a variant is built in; a variant that cannot be built is a usage error."""
    if variant not in VARIANTS:
        raise UsageError(f"unknown variant {variant!r}: use {', '.join(VARIANTS)}")
    if variant != BILINGUAL:
        return langs
    if asked and source in langs:
        raise UsageError(f"a bilingual leaflet pairs the source language with another one; "
                         f"--lang {source} has nothing to pair with")
    return [lang for lang in langs if lang != source]


def page_limit(leaflet: Leaflet, variant: str) -> int:
    """The most pages a variant of the leaflet may have (its .toml can raise it per variant)."""
    limit = {LARGE_PRINT: leaflet.max_pages_large_print,
             BILINGUAL: leaflet.max_pages_bilingual}.get(variant)
    return limit or leaflet.max_pages


def file_suffix(variant: str) -> str:
    """What the variant adds to the PDF's file name: ``hsg-large-print.pdf``."""
    return "" if variant == STANDARD else f"-{variant}"


class BilingualTranslations(StrictTranslations):
    """Each message of the page body in the patient's language with its English source beside it.

    Pairs are made per message, never by position, so a reordered or longer translation
    cannot drift away from its English. Messages before the body (title, page footer) are
    plain text in the patient's language: they end up in PDF metadata and CSS strings.
    """

    def __init__(self, patient: StrictTranslations, lang: Language):
        super().__init__(patient.messages)
        self.patient = patient
        self.misses = patient.misses  # one record of misses, read by the build
        self.plural_expr = patient.plural_expr
        self.lang = lang
        self.pairing = False

    def start_pairs(self) -> str:
        """Called by base.html where <body> starts; prints nothing."""
        self.pairing = True
        return ""

    def gettext(self, message: str) -> str:
        return self.patient.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return self.patient.pgettext(context, message)

    def jinja_gettext(self, english_values: dict[str, str]):
        """A newstyle ``gettext`` for Jinja2 that pairs each body message with its English.

        Each half is filled in with its own values: a date the page wrote in the
        patient's language appears in the English half as English writes it.
        """

        @pass_context
        def gettext(context, message: str, **variables) -> str:
            # as jinja2.ext's newstyle gettext: the message is markup, values are escaped
            translated = Markup(context.call(self.gettext, message)) % variables
            if not self.pairing:
                return translated
            english = Markup(message) % {name: english_values.get(value, value)
                                         for name, value in variables.items()}
            return pair(translated, english, self.lang)

        return gettext


def pair(translated: Markup, english: Markup, lang: Language) -> Markup:
    """One message in two columns: the patient's language first, then the English."""
    return (Markup('<span class="pair"><span class="pair-patient" lang="{0}" dir="{1}">')
            .format(lang.tag, lang.direction) + translated
            + Markup('</span><span class="pair-source" lang="en" dir="ltr">') + english
            + Markup("</span></span>"))


def wrap_translations(variant: str, translations: StrictTranslations,
                      lang: Language) -> StrictTranslations:
    """The translations a variant renders with."""
    return BilingualTranslations(translations, lang) if variant == BILINGUAL else translations

