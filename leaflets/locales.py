"""Languages: codes, text direction, names and fonts, all derived from CLDR via Babel."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .errors import UsageError

# Font families per ISO 15924 script (the script itself comes from CLDR's likely
# subtags).  Every family listed is installed by the setup and is the only one
# allowed in a PDF of that script: fontconfig's silent fallback is an error.
SCRIPT_FONTS: dict[str, tuple[str, ...]] = {
    "Latn": ("Noto Sans",),
    "Cyrl": ("Noto Sans",),
    "Grek": ("Noto Sans",),
    "Arab": ("Noto Sans Arabic", "Noto Sans"),
    "Deva": ("Noto Sans Devanagari", "Noto Sans"),
    "Hans": ("Noto Sans CJK SC", "Noto Sans"),
    "Hant": ("Noto Sans CJK TC", "Noto Sans"),
    "Jpan": ("Noto Sans CJK JP", "Noto Sans"),
    "Kore": ("Noto Sans CJK KR", "Noto Sans"),
}

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
        """The font families this language's leaflets may use, preferred first."""
        if self.font_override:
            return self.font_override
        return SCRIPT_FONTS.get(self.script, SCRIPT_FONTS["Latn"])

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
    return Language(
        code=code,
        tag=code.replace("_", "-"),
        direction=locale.text_direction,
        script=_script_of(locale),
        name=locale.get_display_name(locale) or code,
        english_name=locale.get_display_name("en") or code,
    )


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
