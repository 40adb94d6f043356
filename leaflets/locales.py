"""Languages: codes, text direction, names and fonts, all derived from CLDR via Babel."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .errors import UsageError
from .kept import answer

# Fonts drawn in leaflets of every script: the Latin text (HSG, phone numbers, URLs).
LATIN_LANG = "en"
# Family words of styles that are not body text, or a second choice for it.
_NOT_BODY = {"Mono", "UI", "Display", "Serif", "Math", "Symbols", "Rashi"}

_CODE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


def normalize_code(code: str) -> str:
    """Return the catalog spelling of a language code: ``zh-Hans`` -> ``zh_Hans``."""
    if not _CODE.match(code or ""):
        raise UsageError(f"{code!r} is not a language code (examples: es, zh_Hans, zh-Hans)")
    parts = code.replace("-", "_").split("_")
    fixed = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            fixed.append(part.title())  # script subtag
        elif len(part) in (2, 3):
            fixed.append(part.upper())  # region subtag
        else:
            fixed.append(part)
    return "_".join(fixed)


@dataclass(frozen=True)
class Language:
    """Everything the pipeline needs to know about one language."""

    code: str  # catalog spelling, e.g. zh_Hans
    tag: str  # BCP 47, e.g. zh-Hans, for lang attributes and PDF /Lang
    direction: str  # "ltr" or "rtl", from CLDR
    script: str  # ISO 15924, from CLDR likely subtags
    name: str  # in its own language
    english_name: str
    cldr: str = ""  # the CLDR locale for dates when ``code`` is not one (pseudo-locales)
    pseudo: bool = False  # a pseudo-locale: for layout tests, never a translation
    # the project's own choice of fonts (leaflets.toml [fonts]; Project.language fills it in)
    font_override: tuple[str, ...] = ()

    @property
    def fonts(self) -> tuple[str, ...]:
        """The font families this language's leaflets may use, preferred first.

        Empty when no installed font covers the language (see ``missing_font``)."""
        if self.font_override:  # the project's choice (leaflets.toml fonts)
            return self.font_override
        # fontconfig knows no orthography for some languages (ckb): the script's own
        # most likely language (CLDR: und_Arab -> ar) then stands for it
        own = script_font(self.fontconfig_lang) or script_font(_script_lang(self.script))
        latin = script_font(LATIN_LANG)
        if own is None:
            return ()
        return tuple(dict.fromkeys(f for f in (own, latin) if f))

    @property
    def fontconfig_lang(self) -> str:
        """The language as fontconfig names its orthographies: ``zh_Hans`` -> ``zh-cn``."""
        code = self.cldr or self.code
        base, _, rest = code.partition("_")
        script = self.script if not self.cldr else ""
        if base == "zh":
            return "zh-tw" if script == "Hant" or rest in ("TW", "HK", "MO") else "zh-cn"
        region = next((part for part in rest.split("_") if len(part) == 2), "")
        return f"{base}-{region.lower()}" if region else base

    @property
    def css_font_stack(self) -> str:
        """The font families as a CSS ``font-family`` value."""
        return ", ".join(f'"{family}"' for family in self.fonts)


# Pseudo-locales, named as Android names them: English made longer and accented
# (en-XA) and English laid out right to left (ar-XB). See leaflets/translators/pseudo.py.
PSEUDO_LANGUAGES = {
    "en_XA": Language("en_XA", "en-XA", "ltr", "Latn", "[Ƥşḗŭḓǿ Ȧƈƈḗƞŧḗḓ]",
                      "Pseudo-locale (accented, 40% longer)", cldr="en", pseudo=True),
    "ar_XB": Language("ar_XB", "ar-XB", "rtl", "Latn", "Pseudo RTL",
                      "Pseudo-locale (right to left)", cldr="en", pseudo=True),
}


@lru_cache(maxsize=None)
def language(code: str) -> Language:
    """Look a language up in CLDR; an unknown code is a usage error."""
    code = normalize_code(code)
    if code in PSEUDO_LANGUAGES:
        return PSEUDO_LANGUAGES[code]
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise UsageError(f"unknown language {code!r}: not in CLDR ({exc})") from None
    # loading a locale's CLDR data takes ~30 ms: a build keeps it (Babel's version is in the key)
    return answer("language", code, lambda: _cldr_language(code, locale), encode=language_json,
                  decode=language_from)


def _cldr_language(code: str, locale: Locale) -> Language:
    return Language(
        code=code,
        tag=code.replace("_", "-"),
        direction=locale.text_direction,
        script=_script_of(locale),
        name=locale.get_display_name(locale) or code,
        english_name=locale.get_display_name("en") or code,
    )


def language_json(lang: Language) -> dict:
    """``lang`` as JSON data (a build cache entry)."""
    return dataclasses.asdict(lang)


def language_from(data: dict) -> Language:
    """The Language ``language_json`` wrote; TypeError or ValueError if ``data`` is not one."""
    lang = Language(**{**data, "font_override": tuple(data["font_override"])})
    if not all(isinstance(getattr(lang, name), str) for name in
               ("code", "tag", "direction", "script", "name", "english_name", "cldr")):
        raise TypeError("a language's fields are strings")
    if lang.direction not in ("ltr", "rtl") or lang.pseudo is not False:
        raise ValueError("not a language CLDR describes")
    return lang


def missing_font(lang: Language) -> str | None:
    """One line saying which font to install when none covers ``lang``, else None."""
    if lang.fonts:
        return None
    script = Locale("en").scripts.get(lang.script, lang.script)
    package = "fonts-noto-cjk" if lang.script in _CJK_SCRIPTS else "fonts-noto-core"
    return (f"no installed font covers {lang.english_name} ({script} script); "
            f"install the Debian package {package} (or another font for it), then run fc-cache")


_CJK_SCRIPTS = {"Hans", "Hant", "Hani", "Jpan", "Kore", "Hang"}


@lru_cache(maxsize=None)
def script_font(fc_lang: str) -> str | None:
    """The installed family fontconfig says covers ``fc_lang`` best, Noto Sans preferred."""
    # two fontconfig commands per language (~50 ms): a build keeps the answer, keyed by the
    # font folders (``FONTCONFIG_KINDS``)
    return answer("font-choice", fc_lang, lambda: _ask_script_font(fc_lang), decode=_family)


def _family(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("a font family is a string")
    return value


def _ask_script_font(fc_lang: str) -> str | None:
    covering = _fc_families("fc-list", f":lang={fc_lang}")
    if not covering and "-" in fc_lang:
        return _ask_script_font(fc_lang.partition("-")[0])
    if not covering:
        return None
    # fontconfig's own order for the language breaks ties (Noto Sans CJK SC for zh-cn)
    ranked = {family: i for i, family in enumerate(_fc_families("fc-match", "-s",
                                                                f":lang={fc_lang}"))}

    def preference(family: str) -> tuple:
        words = set(family.split())
        return (not family.startswith("Noto Sans"), bool(words & _NOT_BODY), len(family),
                ranked.get(family, len(ranked)), family)

    return min(covering, key=preference)


def _script_lang(script: str) -> str:
    """The language CLDR thinks most likely for ``script``: Arab -> ar."""
    likely = get_global("likely_subtags").get(f"und_{script}", "")
    return likely.partition("_")[0] or LATIN_LANG


def _fc_families(command: str, *args: str) -> list[str]:
    """The first family name of each font a fontconfig command lists, in its order."""
    try:
        listed = subprocess.run([command, *args, "--format", "%{family[0]}\n"],
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return list(dict.fromkeys(line for line in listed.splitlines() if line))


def _script_of(locale: Locale) -> str:
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags")
    guess = likely.get(str(locale)) or likely.get(locale.language) or ""
    parts = guess.split("_")
    return next((p for p in parts[1:] if len(p) == 4), "Latn")


@lru_cache(maxsize=64)
def font_faces(family: str) -> tuple[tuple[str, int], ...]:
    """The faces fontconfig has for ``family``, every style: (file, index in a collection)."""
    return answer("font-faces", family, lambda: _ask_font_faces(family), encode=list,
                  decode=_faces)


def _faces(value: Any) -> tuple[tuple[str, int], ...]:
    faces = tuple((path, index) for path, index in value)
    if not all(isinstance(path, str) and isinstance(index, int) for path, index in faces):
        raise TypeError("a face is a file and an index")
    return faces


def _ask_font_faces(family: str) -> tuple[tuple[str, int], ...]:
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\t%{index}\n",
                                 f":family={family}"],
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    faces = {(path, int(index or 0)) for path, _, index in
             (line.partition("\t") for line in listed.splitlines() if line)}
    return tuple(sorted(faces))


def font_files(family: str) -> tuple[str, ...]:
    """The font files fontconfig has for ``family`` (every style), sorted."""
    return tuple(sorted({path for path, _ in font_faces(family)}))
