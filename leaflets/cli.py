"""Command line: parse arguments, call the library, print ``path:line: message``, pick exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .clinic import pack
from .building.build import BuildOptions, Progress, build, build_time
from .arguments import GLOBAL_DEFAULTS, PROOF_OUT, XLIFF_OUT, parser, program_name, with_command
from .clinic.profile import load_clinic
from .errors import LeafletError, UsageError
from .files import atomic_write
from .building.cache import Memo
from .building.manifest import merge_manifests
from .building.merge import merge_shards
from .project import Project, open_project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_options(project: Project, args: argparse.Namespace) -> BuildOptions:
    """BuildOptions from the command line; the clinic profile is read and checked here."""
    clinic = load_clinic(args.clinic, project) if args.clinic else None
    paper = args.paper or (clinic.paper if clinic else project.settings.paper)
    return BuildOptions(leaflets=tuple(args.leaflet), langs=tuple(args.lang), out=args.out,
                        paper=paper, allow_incomplete=args.allow_incomplete, clinic=clinic,
                        variant=args.variant, release=getattr(args, "release", False),
                        allow_unreviewed=getattr(args, "allow_unreviewed", False),
                        force=getattr(args, "force", False), jobs=getattr(args, "jobs", 0),
                        strict=getattr(args, "strict", False),
                        shard=getattr(args, "shard", (1, 1)), cache_dir=args.cache_dir,
                        cache=not args.no_cache)


def output_folder(project: Project, args: argparse.Namespace) -> Path:
    """--out, else leaflets.toml's output folder inside the project (shown relative when it can)."""
    if args.out is not None:
        return args.out
    folder = project.root / project.settings.output
    try:
        return Path(os.path.relpath(folder))
    except ValueError:  # Windows: another drive
        return folder


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    """Build PDFs and report each failed job's problems."""
    if args.allow_unreviewed and not args.release:
        raise UsageError("--allow-unreviewed only makes sense with --release")
    if args.allow_incomplete and args.release:
        raise UsageError("--allow-incomplete cannot be used with --release: a release never "
                         "publishes an incomplete translation")
    args.out = output_folder(project, args)
    options = build_options(project, args)
    mode = args.progress
    if mode == "auto":
        mode = "none" if args.quiet else "bar" if sys.stderr.isatty() else "lines"
    display = ProgressDisplay(mode, args.out)
    try:
        result = build(project, options, progress=display)
    finally:
        display.close()
    return report(result, args)


def report(result, args: argparse.Namespace) -> int:
    """Print each failed job's problems and what was written; the exit status."""
    release = getattr(args, "release", False)
    for outcome in result.outcomes:
        if outcome.entry and outcome.incomplete:
            print(f"warning: {outcome.job.path}: incomplete translation, printed with a notice",
                  file=sys.stderr)
        if outcome.entry is None:
            print(f"error: {outcome.job.name}: not {'released' if release else 'built'}:",
                  file=sys.stderr)
            for problem in outcome.problems:
                print(problem, file=sys.stderr)
            if outcome.removed:  # never silently: say which file went, and why
                print(f"removed {Path(args.out) / outcome.job.path}, made by an earlier build: "
                      "it is no longer valid (the reasons above)", file=sys.stderr)
    if not args.quiet:
        if result.manifest:
            print(f"{result.manifest}")
        if result.report:
            print(f"{result.report}")
        if (Path(args.out) / "index.html").is_file():
            print(f"{Path(args.out) / 'index.html'}  (front desk page: open it in a browser)")
    rebuilt = sum(outcome.rebuilt for outcome in result.outcomes)
    if not args.quiet:
        print(f"{len(result.written)} of {len(result.outcomes)} PDFs published "
              f"({rebuilt} rebuilt, {len(result.written) - rebuilt} unchanged)", file=sys.stderr)
    if result.failed:
        print(f"error: {len(result.failed)} of {len(result.outcomes)} leaflets not "
              f"{'released' if release else 'built'}; see {result.report}", file=sys.stderr)
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


def cmd_merge(project: Project, args: argparse.Namespace) -> int:
    """Merge shard folders into one release; exit 1 when a shard failed a job."""
    memo = Memo(args.cache_dir)
    result = merge_shards(project, args.shards, args.out, memo=memo)
    memo.flush()
    for job in result.failed:
        print(f"error: {job.path}: not published, see {result.report}", file=sys.stderr)
    if not args.quiet:
        print(f"{args.out}: {result.pdfs} PDFs from {len(args.shards)} shards; "
              f"{len(result.failed)} failed")
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_pack(project: Project, args: argparse.Namespace) -> int:
    """Build the leaflets, then merge them into one PDF; no pack unless every leaflet built."""
    if Path(args.name).name != args.name or not args.name.endswith(".pdf"):
        raise UsageError(f"--name {args.name!r}: give a file name ending in .pdf; the pack "
                         "goes into the output folder (--out)")
    args.out = output_folder(project, args)
    result = build(project, build_options(project, args))
    status = report(result, args)
    if status != EXIT_OK:
        print("error: no print pack written: fix the leaflets above first", file=sys.stderr)
        return status
    path = Path(args.out) / args.name
    made = pack.write_pack(path, [(entry.path, Path(args.out) / entry.path)
                                  for entry in result.written], duplex=not args.simplex)
    if not args.quiet:
        print(f"{path}  {made.pages} pages ({made.blanks} blank for duplex), "
              f"{made.documents} leaflets")
    return EXIT_OK


def cmd_new(project: None, args: argparse.Namespace) -> int:
    """Create a new project with an example leaflet."""
    from .scaffold import new_project

    written = new_project(args.folder)
    if not args.quiet:
        for path in written:
            print(path)
        print(f"project created; now: cd {args.folder} && {args.prog} build", file=sys.stderr)
    return EXIT_OK


def cmd_extract(project: Project, args: argparse.Namespace) -> int:
    """Write the .pot files (or, with --check, report the stale ones)."""
    from .catalogs.extract import extract

    changed = extract(project, check=args.check)
    for path in changed:
        if args.check:
            print(f"{project.rel(path)}: out of date; run 'leaflets extract'", file=sys.stderr)
        elif not args.quiet:
            print(f"{project.rel(path)}: written")
    if not changed and not args.quiet:
        print("templates (.pot) are up to date")
    return EXIT_FAILED if args.check and changed else EXIT_OK


def cmd_update(project: Project, args: argparse.Namespace) -> int:
    """Extract, then merge the templates into the catalogs."""
    from .catalogs.extract import extract
    from .catalogs.update import update

    from .catalogs.update import plan_updates

    plan_updates(project, args.lang)  # a malformed catalog stops here, before any .pot is written
    stale = extract(project, check=args.check)
    updates = update(project, args.lang, check=args.check)
    changed = [u for u in updates if u.changed]
    for path in stale:
        if args.check:
            print(f"{project.rel(path)}: out of date; run 'leaflets update'", file=sys.stderr)
    for item in changed:
        if args.check:
            print(f"{item.summary()}: out of date; run 'leaflets update'", file=sys.stderr)
        elif not args.quiet:
            print(item.summary())
    if not args.quiet and not args.check:
        print(f"{len(changed)} of {len(updates)} catalogs updated")
    return EXIT_FAILED if args.check and (stale or changed) else EXIT_OK


def cmd_init(project: Project, args: argparse.Namespace) -> int:
    """Create the catalogs of a new language."""
    from .catalogs.extract import extract
    from .catalogs.update import init

    extract(project)
    paths = init(project, args.lang, created=build_time(project.root))
    if not args.quiet:
        for path in paths:
            print(f"{project.rel(path)}: created")
    return EXIT_OK


def cmd_status(project: Project, args: argparse.Namespace) -> int:
    """Print the status table (or JSON)."""
    from .translators.status import status, status_json, status_table

    rows = status(project, args.leaflet, args.lang, built=args.built)
    print(status_json(rows) if args.json else status_table(rows))
    return EXIT_OK


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    """Print every finding; exit 1 when any is an error (or a warning, with --strict)."""
    from .translators.status import check, readability_figures

    findings = check(project, args.lang, built=args.built)
    for finding in findings:
        print(finding)
    for line in readability_figures(project):
        print(f"readability: {line}", file=sys.stderr)
    errors = sum(1 for f in findings if f.error or args.strict)
    warnings = sum(1 for f in findings if not f.error)
    if not args.quiet or errors:
        print(f"{errors} errors, {warnings} warnings" if findings else "all checks passed",
              file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


def cmd_pseudo(project: Project, args: argparse.Namespace) -> int:
    """Build the pseudo-locales into their own folder."""
    from .translators.pseudo import build_pseudo

    result = build_pseudo(project, args.out, args.lang or None)
    for outcome in result.failed:
        print(f"error: {outcome.job.name}: not built:", file=sys.stderr)
        for problem in outcome.problems:
            print(problem, file=sys.stderr)
    if not args.quiet:
        for entry in result.written:
            print(f"{Path(args.out) / entry.path}  {entry.pages} pages")
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_proof(project: Project, args: argparse.Namespace) -> int:
    """Write a proof PDF for one language."""
    from .locales import normalize_code
    from .translators.proof import write_proof

    out = args.out or Path(PROOF_OUT) / f"{normalize_code(args.lang)}.pdf"
    write_proof(project, args.lang, out)
    if not args.quiet:
        print(out)
    return EXIT_OK


def cmd_export(project: Project, args: argparse.Namespace) -> int:
    """Write one XLIFF file with every catalog of a language."""
    from .files import atomic_write
    from .locales import normalize_code
    from .catalogs.xliff import export_xliff

    out = args.out or Path(XLIFF_OUT) / f"{normalize_code(args.lang)}.xlf"
    atomic_write(out, export_xliff(project, args.lang))
    if not args.quiet:
        print(out)
    return EXIT_OK


def cmd_import(project: Project, args: argparse.Namespace) -> int:
    """Merge an agency's XLIFF file into the catalogs."""
    from .catalogs.xliff import import_xliff

    result = import_xliff(project, args.lang, args.xliff)
    if not args.quiet:
        for path, count in sorted(result.changed.items()):
            print(f"{path}: {count} entries changed")
        if not result.changed:
            print("no changes")
    return EXIT_OK


# each command of arguments.parser and the function that runs it
COMMANDS = {
    "new": cmd_new,
    "build": cmd_build,
    "pack": cmd_pack,
    "merge-manifests": cmd_merge_manifests,
    "merge": cmd_merge,
    "extract": cmd_extract,
    "update": cmd_update,
    "init": cmd_init,
    "status": cmd_status,
    "check": cmd_check,
    "pseudo": cmd_pseudo,
    "proof": cmd_proof,
    "export": cmd_export,
    "import": cmd_import,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = program_name()
    main_parser = parser(prog)
    commands = next(a for a in main_parser._actions if isinstance(a, argparse._SubParsersAction))
    args = main_parser.parse_args(with_command(argv, set(commands.choices)))
    for name, value in GLOBAL_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    args.prog = prog
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        project = (open_project(args.root, Path.cwd())
                   if getattr(args, "needs_project", True) else None)
        return COMMANDS[args.command](project, args)
    except LeafletError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}" if not exc.path else line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no partial files were left", file=sys.stderr)
        return 130
    except BrokenPipeError:  # "generate.py status | head": the reader left, not an error
        sys.stderr = sys.stdout = open(os.devnull, "w")
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
