"""The command line's arguments: the parser of ``leaflets``, ``python -m leaflets`` and
``generate.py``, its option types, and ``build`` as the command when none is named."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .clinic import pack
from .render import variants

DEFAULT_OUT = "dist"
# Translators' files stay apart from dist/, so no release ever ships them.
PSEUDO_OUT, PROOF_OUT, XLIFF_OUT = "dist-pseudo", "dist-proof", "dist-xliff"


def program_name(argv0: str | None = None) -> str:
    """How the user invoked us, for usage lines: leaflets, python -m leaflets or generate.py."""
    path = Path(argv0 if argv0 is not None else sys.argv[0])
    name = path.name
    if name == "__main__.py":  # python -m <package>
        return f"python -m {path.parent.name}"
    if name in ("", "-c"):
        return "leaflets"
    return name.removesuffix(".exe")


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser for ``leaflets``, ``python -m leaflets`` and ``generate.py``."""
    main = argparse.ArgumentParser(
        prog=prog or program_name(),
        description="Build print-ready PDF patient leaflets from gettext catalogs.")
    main.add_argument("--version", action="version", version=f"leaflets {__version__}")
    add_global_options(main, argparse.SUPPRESS)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    n = commands.add_parser("new", help="start a project in a new folder: leaflets.toml, an "
                            "example leaflet, its catalogs and a README",
                            description="start a project in a new folder: leaflets.toml, an "
                            "example leaflet, its catalogs and a README")
    n.add_argument("folder", type=Path, metavar="DIR", help="the new project's folder")
    add_global_options(n, argparse.SUPPRESS)
    n.set_defaults(needs_project=False)

    b = add_command(commands, "build", "build leaflets as PDFs (the default command)")
    add_build_options(b)
    b.add_argument("--release", action="store_true",
                   help="publish only leaflets that pass every release gate; exit 1 listing "
                        "every reason when one does not")
    b.add_argument("--allow-unreviewed", action="store_true",
                   help="with --release: publish translations not yet signed off by a medical "
                        "reviewer, with the 'not reviewed' notice printed on them")
    b.add_argument("--strict", action="store_true",
                   help="warnings of the checks block a leaflet too, as errors do")
    b.add_argument("--force", action="store_true",
                   help="rebuild every PDF, even those whose inputs have not changed")
    b.add_argument("-j", "--jobs", type=positive_int, default=0, metavar="N",
                   help="worker processes (default: one per core)")
    b.add_argument("--shard", type=shard, default=(1, 1), metavar="K/N",
                   help="build only the K-th of N deterministic parts of the work (CI matrix); "
                        "join the parts with 'merge-manifests'")
    b.add_argument("--progress", choices=["auto", "bar", "lines", "none"], default="auto",
                   help="progress display: a bar on a terminal, one line per PDF otherwise "
                        "(default: auto)")

    k = add_command(commands, "pack", "build leaflets and merge them into one PDF for a "
                    "duplex printer, each leaflet starting on a new sheet")
    add_build_options(k)
    k.add_argument("--name", default=pack.DEFAULT_NAME,
                   help=f"file name of the merged PDF in the output folder "
                        f"(default: {pack.DEFAULT_NAME})")
    k.add_argument("--simplex", action="store_true",
                   help="no blank pages: for printing on one side of the paper")

    m = add_command(commands, "merge-manifests",
                    "merge the manifest.json files of several shards into one")
    m.add_argument("manifests", nargs="+", type=Path, metavar="MANIFEST",
                   help="manifest.json files written by 'build --shard K/N'")
    m.add_argument("-o", "--output", type=Path, required=True,
                   help="where to write the merged manifest")
    m.set_defaults(needs_project=False)

    g = add_command(commands, "merge", "join the output folders of CI shards into one release: "
                    "PDFs, one manifest, one report and one front desk page")
    g.add_argument("shards", nargs="+", type=Path, metavar="FOLDER",
                   help="output folders written by 'build --shard K/N'")
    g.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                   help=f"the merged release's folder (default: {DEFAULT_OUT}/)")
    g.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="build cache to reuse front desk thumbnails from (default: none)")

    e = add_command(commands, "extract", "templates -> one .pot per catalog domain")
    e.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a .pot is out of date (for CI)")

    u = add_command(commands, "update", "merge the templates into every catalog (never loses "
                    "a translation)")
    u.add_argument("--lang", action="append", default=[], metavar="LANG",
                   help="only this language (repeatable); default: all")
    u.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a .pot or catalog is out of date (for CI)")

    i = add_command(commands, "init", "start the catalogs of a new language")
    i.add_argument("lang", metavar="LANG", help="CLDR language code, e.g. de, pt_BR, zh_Hant")

    s = add_command(commands, "status", "translated / fuzzy / untranslated per leaflet and "
                    "language, review status, printable or not")
    s.add_argument("--lang", action="append", default=[], metavar="LANG")
    s.add_argument("--leaflet", action="append", default=[], metavar="ID")
    s.add_argument("--json", action="store_true", help="print JSON for machines")
    s.add_argument("--built", type=Path, default=Path(DEFAULT_OUT), metavar="FOLDER",
                   help=f"a build's output folder: its unchanged PDFs need no rendering "
                        f"again (default: {DEFAULT_OUT}/)")

    c = add_command(commands, "check", "quality checks on every catalog (exit 1 on errors)")
    c.add_argument("--lang", action="append", default=[], metavar="LANG")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--built", type=Path, default=Path(DEFAULT_OUT), metavar="FOLDER",
                   help=f"a build's output folder: its unchanged PDFs need no rendering "
                        f"again (default: {DEFAULT_OUT}/)")

    p = add_command(commands, "pseudo", "build pseudo-locales (accented and 40%% longer: "
                    "en_XA; right to left: ar_XB) to test layouts; never translations")
    p.add_argument("--lang", action="append", default=[], metavar="CODE",
                   choices=["en_XA", "ar_XB"], help="en_XA or ar_XB (default: both)")
    p.add_argument("--out", type=Path, default=Path(PSEUDO_OUT),
                   help=f"output folder (default: {PSEUDO_OUT}/)")

    r = add_command(commands, "proof", "a translator's proof PDF: source and translation side "
                    "by side, problems highlighted, with each message's file:line")
    r.add_argument("lang", metavar="LANG")
    r.add_argument("--out", type=Path, default=None,
                   help=f"PDF to write (default: {PROOF_OUT}/LANG.pdf)")

    x = add_command(commands, "export", "export a language's catalogs to one XLIFF 1.2 file "
                    "for a translation agency")
    x.add_argument("lang", metavar="LANG")
    x.add_argument("--out", type=Path, default=None,
                   help=f"XLIFF file to write (default: {XLIFF_OUT}/LANG.xlf)")

    m = add_command(commands, "import", "copy the translations of an XLIFF file back into "
                    "the language's catalogs")
    m.add_argument("lang", metavar="LANG")
    m.add_argument("xliff", type=Path, metavar="FILE.xlf")
    return main


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def shard(value: str) -> tuple[int, int]:
    """argparse type: ``K/N`` with 1 <= K <= N."""
    index, _, count = value.partition("/")
    try:
        parsed = int(index), int(count)
    except ValueError:
        parsed = (0, 0)
    if not 1 <= parsed[0] <= parsed[1]:
        raise argparse.ArgumentTypeError(f"{value!r}: use K/N with 1 <= K <= N, e.g. 2/4")
    return parsed

def add_build_options(command: argparse.ArgumentParser) -> None:
    """The options shared by ``build`` and ``pack``: what to build, how, and for whom."""
    command.add_argument("--lang", action="append", default=[], metavar="LANG",
                         help="language to build (repeatable; e.g. es, zh_Hans or zh-Hans); "
                              "default: all, or the clinic's languages")
    command.add_argument("--leaflet", action="append", default=[], metavar="ID",
                         help="leaflet to build (repeatable); default: all")
    command.add_argument("--out", type=Path, default=None,
                         help="output folder (default: leaflets.toml's output, "
                              f"else {DEFAULT_OUT}/)")
    command.add_argument("--paper", choices=["a4", "letter"], default=None,
                         help="paper size (default: the clinic's, else leaflets.toml's, else a4)")
    command.add_argument("--clinic", type=Path, metavar="FILE",
                         help="clinic profile (TOML) for name, logo, numbers and QR code; "
                              "see clinics/example.toml")
    command.add_argument("--variant", choices=variants.VARIANTS, default=variants.STANDARD,
                         help="standard, large-print (16 pt and up) or bilingual (English "
                              "beside each message)")
    command.add_argument("--allow-incomplete", action="store_true",
                         help="render leaflets with missing or fuzzy translations, "
                              "with a visible notice")
    command.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                         help="where to keep what a build learns for the next one (checked "
                              "catalogs, font lookups, thumbnails; safe to delete); "
                              "default: OUT/.leaflets-cache")
    command.add_argument("--no-cache", action="store_true",
                         help="neither read nor write the build cache")


def add_command(commands, name: str, help: str) -> argparse.ArgumentParser:
    """Add a subcommand with the options every command shares."""
    command = commands.add_parser(name, help=help, description=help)
    add_global_options(command, argparse.SUPPRESS)
    return command


def add_global_options(command: argparse.ArgumentParser, default) -> None:
    """--root and -q, accepted before and after the subcommand.

    Both the main parser and each subcommand define them with a SUPPRESS default, so
    a value given in either place survives; ``main`` fills in the real defaults."""
    command.add_argument("--root", type=Path, default=default,
                         help="project folder (default: the nearest folder holding "
                              "leaflets.toml, this one or above)")
    command.add_argument("-q", "--quiet", action="store_true", default=default,
                         help="print only problems")


GLOBAL_DEFAULTS = {"root": None, "quiet": False}


def with_command(argv: list[str], commands: set[str]) -> list[str]:
    """``argv`` with ``build`` put in when no command is named (``generate.py`` alone builds)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] in ("-h", "--help", "--version"):
            return argv
        if argv[i] == "--root":
            i += 2
        elif argv[i] in ("-q", "--quiet") or argv[i].startswith("--root="):
            i += 1
        else:
            break
    if i >= len(argv) or argv[i] not in commands:
        return [*argv[:i], "build", *argv[i:]]
    return argv
