"""Command line: parse arguments, call the library, print ``path:line: message``, pick exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .build import BuildOptions, build
from .errors import LeafletError
from .project import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_OUT = "dist"


def parser() -> argparse.ArgumentParser:
    """The argument parser for ``generate.py`` and the ``leaflets`` console script."""
    main = argparse.ArgumentParser(
        prog="generate.py",
        description="Build print-ready PDF patient leaflets from gettext catalogs.")
    main.add_argument("--version", action="version", version=f"leaflets {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    b = add_command(commands, "build", "build leaflets as PDFs (the default command)")
    b.add_argument("--lang", action="append", default=[], metavar="LANG",
                   help="language to build (repeatable; e.g. es, zh_Hans or zh-Hans); default: all")
    b.add_argument("--leaflet", action="append", default=[], metavar="ID",
                   help="leaflet to build (repeatable); default: all")
    b.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                   help=f"output folder (default: {DEFAULT_OUT}/)")
    b.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size")
    b.add_argument("--allow-incomplete", action="store_true",
                   help="render leaflets with missing or fuzzy translations, with a visible notice")
    b.set_defaults(handler=cmd_build)
    return main


def add_command(commands, name: str, help: str) -> argparse.ArgumentParser:
    """Add a subcommand with the options every command shares."""
    command = commands.add_parser(name, help=help, description=help)
    command.add_argument("--root", type=Path, default=None,
                         help="project folder (default: the nearest folder holding templates/ "
                              "and locales/)")
    command.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return command


def find_root(start: Path) -> Path:
    """The project folder: ``start`` or the nearest parent with templates/ and locales/."""
    for folder in [start, *start.parents]:
        if (folder / "templates").is_dir() and (folder / "locales").is_dir():
            return folder
    return Path(__file__).resolve().parent.parent


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    """Build PDFs and report each failed job's problems."""
    options = BuildOptions(leaflets=tuple(args.leaflet), langs=tuple(args.lang), out=args.out,
                           paper=args.paper, allow_incomplete=args.allow_incomplete)
    result = build(project, options)
    for outcome in result.outcomes:
        if outcome.entry and outcome.incomplete:
            print(f"warning: {outcome.job.path}: incomplete translation, printed with a notice",
                  file=sys.stderr)
        if outcome.entry is None:
            print(f"error: {outcome.job.name}: not built:", file=sys.stderr)
        for problem in outcome.problems:
            print(problem, file=sys.stderr)
    if not args.quiet:
        for entry in result.written:
            print(f"{Path(args.out) / entry.path}  {entry.pages} pages  {entry.bytes} bytes")
        if result.manifest:
            print(f"{result.manifest}")
        if (Path(args.out) / "index.html").is_file():
            print(f"{Path(args.out) / 'index.html'}  (front desk page: open it in a browser)")
    if result.failed:
        print(f"error: {len(result.failed)} of {len(result.outcomes)} leaflets not built",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")  # "generate.py" alone builds everything
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    project = Project((args.root or find_root(Path.cwd())).resolve())
    try:
        return args.handler(project, args)
    except LeafletError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}" if not exc.path else line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no partial files were left", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
