"""Parallel rendering: one long-lived worker process per core, each with its own Renderer.

The parent renders the HTML (Jinja2 and the catalogs are cheap and already
loaded there) and sends each worker a frozen, picklable RenderTask; the
worker keeps its WeasyPrint FontConfiguration and parsed stylesheet across
documents and answers with a RenderOutput.  Processes, not threads:
WeasyPrint is CPU-bound Python and its font state is not thread-safe.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import LeafletError, Problem, RenderError

if TYPE_CHECKING:  # imported when a worker starts: a no-op build never loads WeasyPrint
    from ..render.pdf import Renderer
    from ..render.rendered import FontUse
    from .frontdesk import PdfFacts


@dataclass(frozen=True)
class RenderTask:
    """One document for a worker: its HTML and what the renderer must enforce."""

    key: str  # the job's output path, unique within a build
    html: str
    name: str
    max_pages: int
    allowed_fonts: tuple[str, ...]
    identifier: bytes
    thumbnail: bool = True  # also read back the front desk's facts and page-1 thumbnail


@dataclass(frozen=True)
class RenderOutput:
    """A worker's answer: the PDF, or the problems that stopped it.

    In a build the PDF's bytes are moved to a ``Spool`` when they arrive (``data`` is
    then None and ``spooled`` says where they are): ``made`` and ``pdf()`` serve both."""

    key: str
    data: bytes | None
    pages: int = 0
    fonts: "tuple[FontUse, ...]" = ()
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0  # CPU time of this document in the worker
    worker: int = 0  # the worker's process id
    peak_rss_kb: int = 0  # the worker's peak resident memory so far
    fatal: bool = False  # the worker has no renderer (e.g. leaflet.css was refused)
    facts: "PdfFacts | None" = None  # title, size and thumbnail for the front desk page
    spooled: "tuple[Spool, int, int] | None" = None  # (spool, offset, length) of the PDF

    @property
    def made(self) -> bool:
        """Whether a PDF was made."""
        return self.data is not None or self.spooled is not None

    def pdf(self) -> bytes | None:
        """The PDF's bytes (read back from the spool if they were moved there)."""
        if self.spooled is None:
            return self.data
        spool, offset, length = self.spooled
        return spool.read(offset, length)


class Spool:
    """Rendered PDFs kept in one unnamed temporary file until the write stage.

    Nothing is written to the output folder until every job is judged, so a build of
    many PDFs would hold them all in memory; here they wait on disk instead, and the
    parent's memory stays flat as the library grows."""

    def __init__(self):
        import tempfile

        self._file = None
        self._make = tempfile.TemporaryFile  # unlinked at once: nothing is left behind

    def keep(self, output: RenderOutput) -> RenderOutput:
        """``output`` with its PDF moved here."""
        if output.data is None:
            return output
        if self._file is None:
            self._file = self._make()
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(output.data)
        return replace(output, data=None, spooled=(self, offset, len(output.data)))

    def read(self, offset: int, length: int) -> bytes:
        """The bytes ``keep`` put at ``offset``."""
        assert self._file is not None, "nothing was spooled"
        self._file.seek(offset)
        data = self._file.read(length)
        if len(data) != length:
            raise OSError(f"the build's temporary file lost {length - len(data)} bytes")
        return data


_RENDERER: "Renderer | None" = None
_START_ERROR: LeafletError | None = None


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent(parent: int) -> None:
    """Make this worker exit when ``parent`` dies, even by SIGKILL (no cleanup runs there).

    Linux: the kernel sends SIGKILL when the parent thread dies (prctl PR_SET_PDEATHSIG).
    Everywhere, also: a daemon thread that sees the worker re-parented and exits.
    """
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, TypeError):  # not Linux (no prctl)
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)  # noqa: SLF001  (the parent is gone: nobody wants our results)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)


def _start_worker(templates_dirs: tuple[str, ...], extra_roots: tuple[str, ...],
                  parent: int = 0) -> None:
    global _RENDERER, _START_ERROR
    from ..render.pdf import Renderer

    if parent:
        end_with_parent(parent)

    try:
        _RENDERER = Renderer(tuple(Path(p) for p in templates_dirs),
                             extra_roots=tuple(Path(p) for p in extra_roots))
    except LeafletError as exc:
        # raised here it would break the pool (a traceback); the parent raises it instead
        _START_ERROR = exc
    # What the worker holds from now on (modules, fonts, stylesheets, what it inherited)
    # lives as long as it does; full collections scanned it all again, about a tenth
    # of a worker's time. Frozen, they look only at what each document made.
    gc.freeze()


def _render_in_worker(task: RenderTask) -> RenderOutput:
    if _START_ERROR is not None:
        return RenderOutput(task.key, None, problems=tuple(_START_ERROR.problems), fatal=True)
    assert _RENDERER is not None, "worker started without its renderer"
    return render_one(_RENDERER, task)


def render_one(renderer: "Renderer", task: RenderTask) -> RenderOutput:
    """Render one task with ``renderer``; problems a user can fix come back as data."""
    started = time.process_time()
    try:
        pdf = renderer.render(task.html, name=task.name, max_pages=task.max_pages,
                              allowed_fonts=task.allowed_fonts, identifier=task.identifier)
    except LeafletError as exc:
        return RenderOutput(task.key, None, problems=tuple(exc.problems),
                            seconds=time.process_time() - started, worker=os.getpid(),
                            peak_rss_kb=_peak_rss_kb())
    facts = None
    if task.thumbnail:
        # here, in the worker: the thumbnails render in parallel, not one by one at the end
        from .frontdesk import pdf_facts

        facts = pdf_facts(pdf.data)
    return RenderOutput(task.key, pdf.data, pdf.pages, pdf.fonts,
                        seconds=time.process_time() - started, worker=os.getpid(),
                        peak_rss_kb=_peak_rss_kb(), facts=facts)


def _peak_rss_kb() -> int:
    try:
        import resource  # POSIX only: on Windows the report shows no memory figure
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class WarmWorker:
    """One worker process started as soon as a build learns that something changed, before
    it knows how much: importing WeasyPrint and making a renderer (~0.45 s) then overlap
    the parent's checks. A build that renders one document renders it here
    (``render_all``); one that renders more stops it and starts its pool.

    A plain process and a pipe, no threads in the parent: the pool forked later must not
    inherit one."""

    def __init__(self, templates_dir: Path | tuple[Path, ...], extra_roots: tuple[Path, ...]):
        self._args = (templates_dir, extra_roots)
        self._process = None
        self._conn = None

    @property
    def started(self) -> bool:
        """Whether the process was started (and not stopped)."""
        return self._process is not None

    def start(self) -> None:
        """Start the process, once; a platform without fork has no warm worker."""
        if self._process is not None or "fork" not in multiprocessing.get_all_start_methods():
            return
        from ..render.html import search_path

        templates_dir, extra_roots = self._args
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, name="leaflets-warm-worker", daemon=True,
            args=(child, tuple(map(str, search_path(templates_dir))),
                  tuple(map(str, extra_roots)), os.getpid()))
        self._process.start()
        child.close()

    def render(self, task: RenderTask) -> RenderOutput:
        """Render ``task`` in the process; an error it raised is raised here."""
        assert self._conn is not None, "the warm worker was not started"
        try:
            self._conn.send(task)
            answer = self._conn.recv()
        except (EOFError, OSError):  # it died: killed, or out of memory
            self._process.join(timeout=5)
            raise RenderError(f"{task.name}: the rendering process stopped unexpectedly "
                              f"(exit status {self._process.exitcode})") from None
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def stop(self) -> None:
        """End the process: nothing it holds is needed (it may still be importing)."""
        if self._process is None:
            return
        self._conn.close()
        self._process.kill()
        self._process.join()
        self._process = self._conn = None


def _serve(conn, templates_dirs: tuple[str, ...], extra_roots: tuple[str, ...],
           parent: int) -> None:
    """The warm worker: a renderer, then one answer per task until the pipe closes."""
    _start_worker(templates_dirs, extra_roots, parent)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        try:
            answer = _render_in_worker(task)
        except Exception as exc:  # a bug: raised again in the parent, as a pool does
            answer = exc
        conn.send(answer)


def render_all(tasks: Iterable[RenderTask], *, templates_dir: Path | tuple[Path, ...],
               jobs: int, count: int | None = None, extra_roots: tuple[Path, ...] = (),
               renderer: "Renderer | None" = None,
               on_done: Callable[[RenderOutput], None] | None = None,
               keep: Callable[[RenderOutput], RenderOutput] = lambda output: output,
               warm: WarmWorker | None = None) -> dict[str, RenderOutput]:
    """Render the tasks, in up to ``jobs`` worker processes; results by key.

    ``count`` bounds the number of tasks, when known: no more workers start than that.
    ``tasks`` may be a generator: a few tasks per worker are made ahead, so the workers
    render while the caller is still checking and preparing the rest, and the HTML of
    a thousand documents never waits in memory at once. Each result is stored as
    ``keep`` returns it (``Spool.keep``), then given to ``on_done``."""
    from ..render.html import search_path

    results: dict[str, RenderOutput] = {}
    tasks = iter(tasks)
    # two tasks tell whether workers pay: one task renders here, with no pool to start
    first = list(itertools.islice(tasks, 2))
    if not first:
        return results
    workers = min(jobs, len(first) if len(first) < 2 else count or jobs)
    if warm is not None and warm.started:
        if len(first) == 1:  # its renderer is made, or being made, already
            results[first[0].key] = output = keep(_unless_fatal(warm.render(first[0])))
            if on_done:
                on_done(output)
            return results
        warm.stop()  # the pool's workers serve instead
    tasks = itertools.chain(first, tasks)
    if workers <= 1:
        if renderer is None:
            from ..render.pdf import Renderer

            renderer = Renderer(templates_dir, extra_roots=extra_roots)
        gc.freeze()  # as a worker does; thawed after, so a long-lived caller loses nothing
        try:
            for task in tasks:
                results[task.key] = output = keep(render_one(renderer, task))
                if on_done:
                    on_done(output)
        finally:
            gc.unfreeze()
        return results
    # fork: workers inherit the imported modules instead of importing WeasyPrint again
    from ..render import pdf  # noqa: F401  (importing WeasyPrint finds its C libraries: ~0.4 s)

    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_start_worker,
                             initargs=(tuple(map(str, search_path(templates_dir))),
                                       tuple(map(str, extra_roots)), os.getpid())
                             ) as pool:
        pending: set = set()
        ahead = 2 * workers  # each worker has its next document ready when it finishes one
        while True:
            try:
                for task in itertools.islice(tasks, ahead - len(pending)):
                    pending.add(pool.submit(_render_in_worker, task))
            except BaseException:
                # a task could not be made (e.g. a template error): drop the queued ones
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                output = future.result()
                if output.fatal:
                    pool.shutdown(wait=True, cancel_futures=True)
                    _unless_fatal(output)
                results[output.key] = output = keep(output)
                if on_done:
                    on_done(output)
    return results


def _unless_fatal(output: RenderOutput) -> RenderOutput:
    """``output``, unless its worker has no renderer: then raised, as ``Renderer()`` raises
    it in the one-process path."""
    if output.fatal:
        problem = output.problems[0]
        raise RenderError(problem.message, problem.path, problem.lineno)
    return output
