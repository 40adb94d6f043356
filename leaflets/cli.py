"""Command line: parse arguments, call the library, print ``path:line: message``, pick exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .build import BuildOptions, Progress, build
from .errors import LeafletError, UsageError
from .files import atomic_write
from .manifest import merge_manifests
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
    b.add_argument("--release", action="store_true",
                   help="publish only leaflets that pass every release gate; exit 1 listing "
                        "every reason when one does not")
    b.add_argument("--allow-unreviewed", action="store_true",
                   help="with --release: publish translations not yet signed off by a medical "
                        "reviewer, with the 'not reviewed' notice printed on them")
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
    b.set_defaults(handler=cmd_build)

    m = add_command(commands, "merge-manifests",
                    "merge the manifest.json files of several shards into one")
    m.add_argument("manifests", nargs="+", type=Path, metavar="MANIFEST",
                   help="manifest.json files written by 'build --shard K/N'")
    m.add_argument("-o", "--output", type=Path, required=True,
                   help="where to write the merged manifest")
    m.set_defaults(handler=cmd_merge_manifests)
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
    if args.allow_unreviewed and not args.release:
        raise UsageError("--allow-unreviewed only makes sense with --release")
    if args.allow_incomplete and args.release:
        raise UsageError("--allow-incomplete cannot be used with --release: a release never "
                         "publishes an incomplete translation")
    options = BuildOptions(leaflets=tuple(args.leaflet), langs=tuple(args.lang), out=args.out,
                           paper=args.paper, allow_incomplete=args.allow_incomplete,
                           release=args.release, allow_unreviewed=args.allow_unreviewed,
                           force=args.force, jobs=args.jobs, shard=args.shard)
    mode = args.progress
    if mode == "auto":
        mode = "none" if args.quiet else "bar" if sys.stderr.isatty() else "lines"
    display = ProgressDisplay(mode, args.out)
    try:
        result = build(project, options, progress=display)
    finally:
        display.close()
    for outcome in result.outcomes:
        if outcome.entry and outcome.incomplete:
            print(f"warning: {outcome.job.path}: incomplete translation, printed with a notice",
                  file=sys.stderr)
        if outcome.entry is None:
            print(f"error: {outcome.job.name}: not {'released' if args.release else 'built'}:",
                  file=sys.stderr)
            for problem in outcome.problems:
                print(f"  {problem}", file=sys.stderr)
    if not args.quiet:
        if result.manifest:
            print(f"{result.manifest}")
        if result.report:
            print(f"{result.report}")
    rebuilt = sum(outcome.rebuilt for outcome in result.outcomes)
    if not args.quiet:
        print(f"{len(result.written)} of {len(result.outcomes)} PDFs published "
              f"({rebuilt} rebuilt, {len(result.written) - rebuilt} unchanged)", file=sys.stderr)
    if result.failed:
        print(f"error: {len(result.failed)} of {len(result.outcomes)} leaflets not "
              f"{'released' if args.release else 'built'}; see {result.report}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


class ProgressDisplay:
    """Shows build progress: a redrawn bar on a terminal, one plain line per PDF in CI logs."""

    def __init__(self, mode: str, out: Path, stream=None):
        self.mode, self.out, self.stream = mode, Path(out), stream or sys.stderr
        self.drawn = False

    def __call__(self, event: Progress) -> None:
        if self.mode == "lines":
            print(f"[{event.done}/{event.total}] {event.state:9} {self.out / event.path}",
                  file=self.stream, flush=True)
        elif self.mode == "bar":
            width = 30
            filled = width * event.done // max(event.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                              f"{event.done}/{event.total} {event.path[:40]:40}")
            self.stream.flush()
            self.drawn = True

    def close(self) -> None:
        """End the bar's line so later messages start on their own line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def cmd_merge_manifests(project: Project, args: argparse.Namespace) -> int:
    """Merge shard manifests into one sorted manifest."""
    data = merge_manifests(args.manifests)
    atomic_write(args.output, data)
    if not args.quiet:
        print(args.output)
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
