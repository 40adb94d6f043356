#!/usr/bin/env python3
"""Build the same leaflets three ways and print one table (wall, CPU, peak memory, PDF bytes).

    python benchmarks/bench_build.py              # the real matrix and a 10x scaled one
    python benchmarks/bench_build.py --scale 0    # the real matrix only

Matrices: every leaflet x language of this repository, and a scaled copy with
``--scale`` leaflets (the real leaflet copied under new ids, catalogs copied
too) x the same languages.  Ways:

  (a) plain     one process, a loop of Jinja2 + Babel + WeasyPrint with fresh objects
                per document (Environment, Translations, FontConfiguration, CSS);
  (b) cli       one ``weasyprint`` command per PDF, two at a time as ``make -j2`` would
                (the HTML is written beforehand and not timed);
  (c) tool      ``generate.py build`` into an empty folder (cold), then again (no-op).

Every way runs in its own child process; CPU time and peak memory come from
getrusage(RUSAGE_CHILDREN) in a fresh measuring process, so peak memory is
that of the largest single process (for the tool: the parent or one worker).
"""

from __future__ import annotations

import argparse
import gettext
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- the scaled project -------------------------------------------------------------------

def make_project(folder: Path, copies: int) -> Path:
    """A copy of the repository's project (the theme stays the package's); ``copies`` > 1 adds leaflets."""
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(ROOT / "locales", folder / "locales")
    shutil.copyfile(ROOT / "leaflets.toml", folder / "leaflets.toml")
    for n in range(2, copies + 1):
        new = f"hsg{n:02d}"
        toml = (folder / "templates" / "hsg.toml").read_text(encoding="utf-8")
        (folder / "templates" / f"{new}.toml").write_text(
            toml.replace('id = "hsg"', f'id = "{new}"'), encoding="utf-8")
        shutil.copy(folder / "templates" / "hsg.html", folder / "templates" / f"{new}.html")
        for po in (folder / "locales").glob("*/LC_MESSAGES/hsg.po"):
            shutil.copy(po, po.with_name(f"{new}.po"))
    return folder


def documents(project_root: Path):
    """(leaflet, lang, html-renderer inputs) for every PDF of a project."""
    from leaflets.project import Project

    project = Project(project_root)
    return project, [(leaflet, lang) for leaflet in project.leaflets()
                     for lang in project.languages()]


# --- (a) the plain pipeline, run inside a child -------------------------------------------

def plain_translations(project, lang: str, leaflet):
    """Babel's reader and writer, then the standard library's gettext: fresh per document."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from leaflets.catalogs.extract import leaflet_domains
    SOURCE_LANG = project.source_lang

    if lang == SOURCE_LANG:
        return gettext.NullTranslations()
    merged = None
    for domain in leaflet_domains(leaflet):
        with open(project.po_path(lang, domain), "rb") as handle:
            catalog = read_po(handle)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = gettext.GNUTranslations(buffer)
        if merged is None:
            merged = translations
        else:
            merged.add_fallback(translations)
    return merged


def run_plain(project_root: Path, out: Path) -> None:
    """Way (a): one document after another, nothing reused."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from leaflets.render import html as html_stage
    from leaflets.render.html import PageOptions, render_html
    from leaflets.locales import language

    project, docs = documents(project_root)
    for leaflet, lang in docs:
        html_stage._environment.cache_clear()  # a fresh Jinja2 environment per document
        translations = plain_translations(project, lang, leaflet)
        markup = render_html(project.template_dirs, leaflet, language(lang), translations,
                             PageOptions(emergency_phone="999"), unreviewed=False)
        fonts = FontConfiguration()
        # the project's own stylesheet, else the theme's (the same lookup as the tool's)
        sheet = next(folder / "leaflet.css" for folder in project.template_dirs
                     if (folder / "leaflet.css").is_file())
        css = weasyprint.CSS(filename=str(sheet), font_config=fonts)
        target = out / lang / f"{leaflet.id}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        weasyprint.HTML(string=markup, base_url=str(project.templates) + "/").write_pdf(
            target, stylesheets=[css], font_config=fonts)


# --- (b) one weasyprint command per PDF ---------------------------------------------------

def write_html(project_root: Path, folder: Path) -> list[tuple[Path, Path]]:
    """The HTML of every document as files, for way (b); returns (html, pdf) pairs."""
    from leaflets.render.html import PageOptions, render_html
    from leaflets.locales import language

    project, docs = documents(project_root)
    pairs = []
    for leaflet, lang in docs:
        markup = render_html(project.template_dirs, leaflet, language(lang),
                             plain_translations(project, lang, leaflet), PageOptions(emergency_phone="999"),
                             unreviewed=False)
        source = folder / "html" / lang / f"{leaflet.id}.html"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(markup, encoding="utf-8")
        pairs.append((source, folder / "out" / lang / f"{leaflet.id}.pdf"))
    return pairs


def run_cli_per_pdf(project_root: Path, pairs_file: Path, jobs: int) -> None:
    """Way (b): ``weasyprint in.html out.pdf`` per document, ``jobs`` at a time."""
    pairs = json.loads(pairs_file.read_text())
    from leaflets.project import Project

    base = str(project_root / "templates") + "/"
    sheet = next(str(folder / "leaflet.css") for folder in Project(project_root).template_dirs
                 if (folder / "leaflet.css").is_file())

    def one(pair):
        Path(pair[1]).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["weasyprint", "--base-url", base, "--stylesheet", sheet,
                        pair[0], pair[1]], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, pairs))


# --- measuring ----------------------------------------------------------------------------

def measure(command: list[str]) -> dict:
    """Wall, CPU and peak RSS of ``command`` and its descendants, from a fresh process."""
    probe = [sys.executable, "-c", (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'wall': wall, 'cpu': u.ru_utime + u.ru_stime,"
        " 'rss_mb': u.ru_maxrss / 1024}))\n"), *command]
    return json.loads(subprocess.run(probe, check=True, capture_output=True, text=True).stdout)


def pdf_bytes(folder: Path) -> tuple[int, int]:
    """Total bytes of the PDFs under ``folder`` and of the largest zh_Hans one."""
    pdfs = list(folder.rglob("*.pdf"))
    zh = [p.stat().st_size for p in pdfs if p.parent.name.startswith("zh")]
    return sum(p.stat().st_size for p in pdfs), max(zh, default=0)


def per_document_seconds(project_root: Path, repeat: int = 5) -> dict[str, float]:
    """Warm render time of one leaflet per language with this tool's Renderer (median)."""
    from leaflets.building.build import BuildOptions, build
    from leaflets.render.pdf import Renderer
    from leaflets.project import Project

    project = Project(project_root)
    renderer = Renderer(project.template_dirs)
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as out:
        for round_ in range(repeat + 1):
            for lang in ("en", "zh_Hans"):
                started = time.perf_counter()
                build(project, BuildOptions(out=Path(out), langs=(lang,), leaflets=("hsg",),
                                            jobs=1, force=True), renderer)
                if round_:  # the first round warms fonts and caches
                    times.setdefault(lang, []).append(time.perf_counter() - started)
    return {lang: sorted(values)[len(values) // 2] for lang, values in times.items()}


def best_of(repeat: int, command, fresh: Path | None = None) -> dict:
    """The run with the least wall time of ``repeat`` runs (the machine may be shared)."""
    runs = []
    for _ in range(repeat):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        runs.append(measure(command))
    return min(runs, key=lambda run: run["wall"])


def bench(name: str, project_root: Path, work: Path, jobs: int, repeat: int) -> list[dict]:
    """Run the three ways on one matrix; one row per way."""
    here = str(Path(__file__).resolve())
    rows = []
    _, docs = documents(project_root)

    out = work / "a"
    result = best_of(repeat, [sys.executable, here, "--run-plain", str(project_root), str(out)])
    rows.append({"matrix": name, "way": "(a) plain loop, 1 process", **result,
                 "pdfs": len(docs), "bytes": pdf_bytes(out)})

    pairs = write_html(project_root, work / "b")
    pairs_file = work / "b" / "pairs.json"
    pairs_file.write_text(json.dumps([[str(a), str(b)] for a, b in pairs]))
    result = measure([sys.executable, here, "--run-cli", str(project_root), str(pairs_file),
                      str(jobs)])
    rows.append({"matrix": name, "way": f"(b) weasyprint CLI per PDF, -j{jobs}", **result,
                 "pdfs": len(docs), "bytes": pdf_bytes(work / "b" / "out")})

    out = work / "c"
    command = [sys.executable, str(ROOT / "generate.py"), "build", "-q", "--root",
               str(project_root), "--out", str(out), "--jobs", str(jobs), "--progress", "none"]
    result = best_of(repeat, command, fresh=out)
    rows.append({"matrix": name, "way": f"(c) this tool, cold, --jobs {jobs}", **result,
                 "pdfs": len(docs), "bytes": pdf_bytes(out)})
    result = best_of(repeat, command)
    rows.append({"matrix": name, "way": "(c) this tool, no-op rebuild", **result,
                 "pdfs": 0, "bytes": (0, 0)})
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, with each way's wall time relative to (a)."""
    lines = ["| matrix | way | PDFs | wall s | vs (a) | CPU s | peak RSS MB | PDF bytes "
             "(zh_Hans) |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    plain = {}
    for row in rows:
        if row["way"].startswith("(a)"):
            plain[row["matrix"]] = row["wall"]
        total, zh = row["bytes"]
        lines.append(f"| {row['matrix']} | {row['way']} | {row['pdfs']} | {row['wall']:.2f} | "
                     f"{row['wall'] / plain[row['matrix']]:.3f}x | {row['cpu']:.2f} | "
                     f"{row['rss_mb']:.0f} | {total:,} ({zh:,}) |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10,
                        help="leaflets in the scaled matrix (0: skip it; default 10)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of (a) and (c); the fastest is reported (default 2)")
    parser.add_argument("--run-plain", nargs=2, metavar=("ROOT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--run-cli", nargs=3, metavar=("ROOT", "PAIRS", "JOBS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_plain:
        run_plain(Path(args.run_plain[0]), Path(args.run_plain[1]))
        return 0
    if args.run_cli:
        run_cli_per_pdf(Path(args.run_cli[0]), Path(args.run_cli[1]), int(args.run_cli[2]))
        return 0

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # no git needed in the copies
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaflets-bench-") as tmp:
        tmp = Path(tmp)
        real = make_project(tmp / "real", 1)
        load_before = os.getloadavg()[0]
        rows += bench("real (1x8)", real, tmp / "work-real", args.jobs, args.repeat)
        if args.scale > 1:
            scaled = make_project(tmp / "scaled", args.scale)
            languages = len(documents(scaled)[1]) // args.scale
            rows += bench(f"scaled ({args.scale}x{languages})", scaled, tmp / "work-scaled",
                          args.jobs, args.repeat)
        warm = per_document_seconds(real)
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    print(f"machine: {len(os.sched_getaffinity(0))} cores ({cpu}), {memory} MB RAM, "
          f"{platform.platform()}, Python {platform.python_version()}; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after; best of {args.repeat} "
          "runs for (a) and (c)")
    print()
    print(table(rows))
    print()
    print(f"warm render, one leaflet (median of 5, this tool's Renderer): "
          f"en {warm['en']:.3f} s, zh_Hans {warm['zh_Hans']:.3f} s "
          f"(zh/en = {warm['zh_Hans'] / warm['en']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
