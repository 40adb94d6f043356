"""Parallel rendering: worker processes give the same bytes as one process."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaflets.building.build import BuildOptions, build
from leaflets.errors import RenderError
from leaflets.building.parallel import RenderTask, Spool, render_all

LATIN = ("Noto Sans",)


def task(key: str, body: str) -> RenderTask:
    html = (f'<html lang="en"><head><title>{key}</title><style>:root {{ font-family: "Noto Sans" }}'
            f"</style></head><body>{body}</body></html>")
    return RenderTask(key=key, html=html, name=key, max_pages=2, allowed_fonts=LATIN,
                      identifier=key.encode())


def test_tasks_and_results_cross_process_boundaries(project, renderer):
    one = task("a", "<p>Hello</p>")
    assert pickle.loads(pickle.dumps(one)) == one
    [output] = render_all([one], count=1, templates_dir=project.template_dirs, jobs=1,
                          renderer=renderer).values()
    assert pickle.loads(pickle.dumps(output)) == output


def test_workers_give_the_bytes_one_process_gives(project, renderer):
    tasks = [task(str(n), f"<p>Paragraph {n}</p>" * n) for n in range(1, 5)]
    tasks.append(task("too-long", "<p style='break-after: page'>x</p>" * 3))
    serial = render_all(tasks, count=len(tasks), templates_dir=project.template_dirs, jobs=1,
                        renderer=renderer)
    seen = []
    parallel = render_all(iter(tasks), count=len(tasks), templates_dir=project.template_dirs, jobs=2,
                          on_done=seen.append)
    assert sorted(o.key for o in seen) == sorted(t.key for t in tasks)
    assert {o.worker for o in parallel.values()} - {os.getpid()} == \
        {o.worker for o in parallel.values()}  # rendered in other processes
    for key, output in serial.items():
        assert parallel[key].data == output.data
        assert parallel[key].problems == output.problems
    assert parallel["too-long"].data is None
    assert "more than the limit of 2" in parallel["too-long"].problems[0].message


def test_workers_get_a_few_tasks_ahead_not_all_of_them(project):
    # the HTML of a library of a thousand documents never waits in memory at once
    made, ahead = [], []

    def tasks():
        for n in range(12):
            made.append(n)
            yield task(str(n), "<p>x</p>")

    def done(output):
        ahead.append(len(made) - sum(1 for _ in ahead) - 1)

    render_all(tasks(), count=12, templates_dir=project.template_dirs, jobs=2, on_done=done)
    assert len(made) == 12 and len(ahead) == 12
    assert max(ahead) <= 4  # 2 per worker: made but not yet rendered when one finishes


def test_long_lived_objects_are_frozen_while_documents_render(project, renderer, monkeypatch):
    """A full collection looks at what documents make, not at fonts and modules again."""
    import gc
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from leaflets.building import parallel
    from leaflets.render.html import search_path

    dirs = tuple(map(str, search_path(project.template_dirs)))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                             initializer=parallel._start_worker, initargs=(dirs, ())) as pool:
        assert pool.submit(gc.get_freeze_count).result() > 10_000
    # one process: frozen while it renders, thawed for the caller after
    seen, render = [], parallel.render_one
    monkeypatch.setattr(parallel, "render_one",
                        lambda *args: seen.append(gc.get_freeze_count()) or render(*args))
    render_all([task("a", "<p>a</p>"), task("b", "<p>b</p>")], count=2,
               templates_dir=project.template_dirs, jobs=1, renderer=renderer)
    assert len(seen) == 2 and min(seen) > 10_000 and gc.get_freeze_count() == 0


def test_spooled_pdfs_wait_on_disk_and_come_back_whole(project, renderer):
    tasks = [task(str(n), f"<p>Paragraph {n}</p>" * n) for n in range(1, 4)]
    tasks.append(task("too-long", "<p style='break-after: page'>x</p>" * 3))
    plain = render_all(tasks, count=len(tasks), templates_dir=project.template_dirs, jobs=1,
                       renderer=renderer)
    spool = Spool()
    spooled = render_all(tasks, count=len(tasks), templates_dir=project.template_dirs, jobs=1,
                         renderer=renderer, keep=spool.keep)
    for key, output in plain.items():
        kept = spooled[key]
        assert kept.data is None  # not held in memory
        assert kept.made == output.made and kept.pdf() == output.data
    assert not spooled["too-long"].made and spooled["too-long"].pdf() is None


def test_a_build_spools_its_pdfs_and_writes_the_same_bytes(project, renderer, tmp_path):
    result = build(project, BuildOptions(out=tmp_path, langs=("en", "ar"), jobs=1), renderer)
    assert result.renders and all(r.data is None and r.spooled for r in result.renders)
    for render in result.renders:
        assert (tmp_path / render.key).read_bytes() == render.pdf()


def add_leaflets(project, count: int) -> None:
    """``count`` more copies of the HSG leaflet, hsg0, hsg1, ..., with its catalogs."""
    for n in range(count):
        for ext in ("html", "toml"):
            text = (project.templates / f"hsg.{ext}").read_text(encoding="utf-8")
            (project.templates / f"hsg{n}.{ext}").write_text(
                text.replace('id = "hsg"', f'id = "hsg{n}"'), encoding="utf-8")
        for po in project.locales.glob("*/LC_MESSAGES/hsg.po"):
            (po.parent / f"hsg{n}.po").write_bytes(po.read_bytes())


def test_a_leaflets_catalogs_are_let_go_once_its_jobs_are_done(project_copy, renderer,
                                                               tmp_path, monkeypatch):
    """The parent holds the catalogs of the leaflets being rendered, not of the library."""
    import gc
    import weakref

    from leaflets.building import build as stage
    from leaflets.building import jobs

    add_leaflets(project_copy, 2)
    parsed, alive = {}, {}
    read, make_task = jobs.read_catalog, stage.render_task

    def reading(project, lang, domain):
        po = read(project, lang, domain)
        parsed[lang, domain] = weakref.ref(po)
        return po

    def task(project, outcome, *args):
        gc.collect()
        alive[outcome.job.path] = {key for key, ref in parsed.items() if ref() is not None}
        return make_task(project, outcome, *args)

    monkeypatch.setattr(jobs, "read_catalog", reading)
    monkeypatch.setattr(stage, "render_task", task)
    result = build(project_copy, BuildOptions(out=tmp_path, langs=("en", "ar"), jobs=1),
                   renderer)
    assert result.ok and len(result.written) == 6
    # hsg, hsg0, hsg1 in turn: the last one's Arabic PDF is made when the first two are done
    assert ("ar", "hsg1") in alive["ar/hsg1.pdf"] and ("ar", "common") in alive["ar/hsg1.pdf"]
    assert ("ar", "hsg") not in alive["ar/hsg1.pdf"]
    assert ("ar", "hsg0") not in alive["ar/hsg1.pdf"]


def test_parallel_build_matches_the_session_build(project, renderer, built, tmp_path):
    out, _ = built
    result = build(project, BuildOptions(out=tmp_path, langs=("en", "ar"), jobs=1), renderer)
    for entry in result.written:
        assert (tmp_path / entry.path).read_bytes() == (out / entry.path).read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_refused_stylesheet_stops_the_build_in_one_line(project_copy, jobs):
    """Workers build their renderer when they start: its error must not break the pool."""
    css = project_copy.templates / "leaflet.css"
    css.write_text("@import url(http://127.0.0.1:9/x.css);\n" + css.read_text())
    tasks = [task(str(n), "<p>x</p>") for n in range(3)]
    with pytest.raises(RenderError) as caught:
        render_all(iter(tasks), count=len(tasks), templates_dir=project_copy.template_dirs,
                   jobs=jobs)
    assert caught.value.path == "templates/leaflet.css"
    assert "refused to load 'http://127.0.0.1:9/x.css'" in caught.value.message


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """The pids still running after ``seconds`` (empty when all exited in time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


_ORPHAN = """
import multiprocessing, os, sys, time
sys.path.insert(0, {root!r})
from leaflets.building import parallel
if {no_prctl}:
    parallel.PR_SET_PDEATHSIG = 0  # an invalid prctl option: only the watching thread is left
def work(parent):
    parallel.end_with_parent(parent)
    time.sleep(120)
child = multiprocessing.get_context("fork").Process(target=work, args=(os.getpid(),))
child.start()
print(child.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("no_prctl", [False, True], ids=["pdeathsig", "watching-thread"])
def test_a_worker_exits_when_its_parent_is_killed(no_prctl):
    """SIGKILL leaves the parent no chance to clean up; the worker must notice by itself."""
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN.format(
        root=str(Path(__file__).resolve().parent.parent), no_prctl=no_prctl)],
        stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        time.sleep(0.5)
        assert alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert gone_within({worker}, 3.0) == set()
    finally:
        parent.kill()


def test_a_killed_build_leaves_no_worker_rendering(project_copy, tmp_path):
    """A real build, killed by SIGKILL while its workers render: they exit within 3 s."""
    # ten leaflets in every language: enough work that the workers are busy when killed
    add_leaflets(project_copy, 10)
    build_process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent.parent / "generate.py"), "build",
         "--root", str(project_copy.root), "--out", str(tmp_path / "out"), "--jobs", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = children(build_process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the build never started its workers"
        time.sleep(1.0)  # rendering now
        assert all(alive(w) for w in workers) and build_process.poll() is None
        build_process.send_signal(signal.SIGKILL)
        build_process.wait(timeout=10)
        assert gone_within(workers, 3.0) == set()
    finally:
        build_process.kill()


def test_a_warm_worker_renders_one_document_and_stops(project, renderer):
    from leaflets.building.parallel import WarmWorker

    warm = WarmWorker(project.template_dirs, ())
    warm.start()
    assert warm.started
    one = task("a", "<p>Hello</p>")
    try:
        [output] = render_all([one], count=5, templates_dir=project.template_dirs, jobs=2,
                              warm=warm).values()
    finally:
        pid = warm._process.pid
        warm.stop()
    assert output.worker == pid != os.getpid()
    [alone] = render_all([one], count=1, templates_dir=project.template_dirs, jobs=1,
                         renderer=renderer).values()
    assert output.data == alone.data  # the same bytes as one process
    assert not warm.started and gone_within({pid}, 5) == set()


def test_a_warm_worker_gives_way_to_the_pool_when_there_is_more_to_render(project):
    from leaflets.building.parallel import WarmWorker

    warm = WarmWorker(project.template_dirs, ())
    warm.start()
    pid = warm._process.pid
    tasks = [task(str(n), "<p>x</p>") for n in range(3)]
    outputs = render_all(iter(tasks), count=3, templates_dir=project.template_dirs, jobs=2,
                         warm=warm)
    assert sorted(outputs) == ["0", "1", "2"] and all(o.made for o in outputs.values())
    assert pid not in {o.worker for o in outputs.values()} and not warm.started
    assert gone_within({pid}, 5) == set()


def test_a_warm_worker_that_dies_is_one_line_not_a_hang(project):
    from leaflets.building.parallel import WarmWorker

    warm = WarmWorker(project.template_dirs, ())
    warm.start()
    os.kill(warm._process.pid, signal.SIGKILL)
    with pytest.raises(RenderError, match="the rendering process stopped unexpectedly"):
        render_all([task("a", "<p>x</p>")], count=1, templates_dir=project.template_dirs,
                   jobs=2, warm=warm)
    warm.stop()


def test_a_warm_worker_without_a_renderer_stops_the_build_in_one_line(project_copy):
    from leaflets.building.parallel import WarmWorker

    css = project_copy.templates / "leaflet.css"
    css.write_text("@import url(http://127.0.0.1:9/x.css);\n" + css.read_text())
    warm = WarmWorker(project_copy.template_dirs, ())
    warm.start()
    try:
        with pytest.raises(RenderError) as caught:
            render_all([task("a", "<p>x</p>")], count=1,
                       templates_dir=project_copy.template_dirs, jobs=2, warm=warm)
    finally:
        warm.stop()
    assert caught.value.path == "templates/leaflet.css"


def test_a_build_that_renders_one_pdf_renders_it_in_its_warm_worker(project_copy, tmp_path,
                                                                   monkeypatch):
    from leaflets.building import parallel

    options = BuildOptions(out=tmp_path / "out", langs=("en", "es"), jobs=2)
    assert build(project_copy, options).ok
    po = project_copy.po_path("es", "hsg")
    po.write_text(po.read_text(encoding="utf-8").replace("#. ", "#. Edited: ", 1),
                  encoding="utf-8")

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one PDF")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    result = build(project_copy, options)
    assert result.ok and [o.job.path for o in result.outcomes if o.rebuilt] == ["es/hsg.pdf"]
    [output] = [o for o in result.renders if o.made]
    assert output.worker != os.getpid()  # not in the build's own process either
    assert gone_within({output.worker}, 5) == set()  # and stopped when the build ended
