#!/usr/bin/env python3
"""A library of many leaflets: cold, no-op and one-edit builds as the library grows; one table, one plot.

    python benchmarks/bench_scale.py                      # 1, 6, 25, 125 leaflets x 8 languages
    python benchmarks/bench_scale.py --leaflets 1,6 --plain-at 0 --plot /tmp/p.png

Each size is a project made of copies of the HSG leaflet (``bench_build.make_project``) in
the repository's 8 languages, so 1, 6, 25 and 125 leaflets give 8, 48, 200 and 1,000 PDFs.
Per size, in a fresh output folder (the build cache lives in it):

  cold      ``generate.py build`` into the empty folder (no cache);
  no-op     the same command again, nothing changed (best of --repeat);
  one edit  a translator comment changed in one catalog (es/hsg.po), then the same
            command (best of --repeat, a new edit each time): one PDF is rebuilt, plus
            the manifest and the front desk page.

At ``--plain-at`` PDFs it also runs the plain single-process WeasyPrint loop of
bench_build.py, way (a), for the cold/plain ratio: there the cold build and the plain
loop take turns, --repeat times each, and the best of each is shown. Peak RSS is the
largest single process of each run (parent or one worker). With Debian's chromium, the
largest size's front desk page is opened and the time to filter every card on a search
is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_build import make_project, measure  # noqa: E402

LANGUAGES = 8
CHROMIUM = Path("/usr/bin/chromium")


def build_command(project: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, str(ROOT / "generate.py"), "build", "-q", "--root", str(project),
            "--out", str(out), "--jobs", str(jobs), "--progress", "none"]


def edit_catalog(project: Path, round_: int) -> None:
    """Change one translator comment (``#.``) in es/hsg.po: its PDF's inputs change."""
    po = project / "locales" / "es" / "LC_MESSAGES" / "hsg.po"
    lines = po.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("#. "):
            lines[index] = f"#. (benchmark edit {round_}) {line[3:].split(') ', 1)[-1]}"
            break
    po.write_text("".join(lines), encoding="utf-8")


def run_size(leaflets: int, work: Path, jobs: int, repeat: int, plain: bool) -> dict:
    """Cold, no-op and one-edit runs on one project size; plain loop when asked."""
    project = make_project(work / f"project-{leaflets}", leaflets)
    out = work / f"out-{leaflets}"
    command = build_command(project, out, jobs)
    row = {"leaflets": leaflets, "pdfs": leaflets * LANGUAGES}
    load = os.getloadavg()[0]
    row["cold"] = measure(command)
    if plain:
        # a shared machine's speed drifts by a fifth over minutes: the cold build and
        # the plain loop take turns, and the ratio is of the best of each
        plain_command = [sys.executable, str(HERE / "bench_build.py"), "--run-plain",
                         str(project), str(work / f"plain-{leaflets}")]
        colds, plains = [row["cold"]], [measure(plain_command)]
        for _ in range(repeat - 1):
            shutil.rmtree(out)
            colds.append(measure(command))
            plains.append(measure(plain_command))
        row["cold"] = min(colds, key=lambda r: r["wall"])
        row["plain"] = min(plains, key=lambda r: r["wall"])
    row["noop"] = min((measure(command) for _ in range(repeat)), key=lambda r: r["wall"])
    edits = []
    for round_ in range(repeat):
        edit_catalog(project, round_ + 1)
        edits.append(measure(command))
    row["edit"] = min(edits, key=lambda r: r["wall"])
    row["load"] = (load, os.getloadavg()[0])
    row["out"] = str(out)
    return row


def search_timing(index: Path, queries: list[str]) -> dict[str, dict]:
    """Milliseconds from a search's input event to the filtered, laid-out page, per query."""
    from playwright.sync_api import sync_playwright

    timings = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1100, "height": 900})
        tab.goto(index.as_uri())
        tab.wait_for_load_state("load")
        cards = tab.evaluate("document.querySelectorAll('.card').length")
        for query in queries:
            runs = []
            for _ in range(5):
                runs.append(tab.evaluate("""query => {
                    const input = document.getElementById('search-input');
                    input.value = ''; input.dispatchEvent(new Event('input'));
                    document.body.offsetHeight;
                    const start = performance.now();
                    input.value = query; input.dispatchEvent(new Event('input'));
                    document.body.offsetHeight;  // include the style and layout it causes
                    const ms = performance.now() - start;
                    return [ms, document.querySelectorAll('.card:not([hidden])').length];
                }""", query))
            timings[query] = {"ms": sorted(r[0] for r in runs)[len(runs) // 2],
                              "shown": runs[0][1], "cards": cards}
        browser.close()
    return timings


def table(rows: list[dict]) -> str:
    lines = ["| PDFs | cold s | no-op s | no-op / cold | one edit s | one edit / cold | "
             "cold / plain loop | peak RSS MB (cold) | load avg |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        cold = row["cold"]["wall"]
        plain = (f"{cold / row['plain']['wall']:.2f}x ({row['plain']['wall']:.1f} s)"
                 if "plain" in row else "")
        lines.append(
            f"| {row['pdfs']:,} | {cold:.1f} | {row['noop']['wall']:.2f} | "
            f"{row['noop']['wall'] / cold:.1%} | {row['edit']['wall']:.2f} | "
            f"{row['edit']['wall'] / cold:.1%} | {plain} | {row['cold']['rss_mb']:.0f} | "
            f"{row['load'][0]:.1f}-{row['load'][1]:.1f} |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    """Time against PDFs for cold, no-op and one-edit builds (log-log), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pdfs = [row["pdfs"] for row in rows]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
    for key, label, style in (("cold", "cold build", "o-"), ("edit", "one catalog edited", "s-"),
                              ("noop", "no-op rebuild", "^-")):
        axes.plot(pdfs, [row[key]["wall"] for row in rows], style, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("PDFs in the library (leaflets x 8 languages)")
    axes.set_ylabel("wall time, s")
    axes.set_title("leaflets build time as the library grows (2 cores)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaflets", default="1,6,25,125",
                        help="project sizes in leaflets, comma-separated (x 8 languages)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=3, help="runs of no-op and one-edit")
    parser.add_argument("--plain-at", type=int, default=25,
                        help="also run the plain WeasyPrint loop at this many leaflets (0: no)")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "bench-scale.png")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    # measured as installed: Python reuses its bytecode; a sandbox that turns that off
    # makes every run compile this package again (~0.1 s, a tenth of a no-op)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [int(size) for size in args.leaflets.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="leaflets-scale-") as tmp:
        for leaflets in sizes:
            rows.append(run_size(leaflets, Path(tmp), args.jobs, args.repeat,
                                 plain=leaflets == args.plain_at))
            print(f"done: {leaflets * LANGUAGES} PDFs", file=sys.stderr, flush=True)
        search = {}
        if CHROMIUM.exists():
            search = search_timing(Path(rows[-1]["out"]) / "index.html",
                                   ["arabic", "hsg1", "中文 hsg12", "zzz-no-match"])
    print(table(rows))
    print()
    for query, found in search.items():
        print(f"front desk search {query!r} over {found['cards']} cards: {found['ms']:.1f} ms "
              f"(median of 5, Chromium), {found['shown']} shown")
    plot(rows, args.plot)
    print(f"\nplot: {args.plot}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "search": search}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
