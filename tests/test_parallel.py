"""Parallel rendering: worker processes give the same bytes as one process."""

from __future__ import annotations

import os
import pickle

import pytest

from leaflets.building.build import BuildOptions, build
from leaflets.errors import RenderError
from leaflets.building.parallel import RenderTask, render_all

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
