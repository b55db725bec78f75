"""Worker processes that analyse articles under a time and memory budget per article.

Each worker loads the models once and analyses jobs (lists of articles, batched as
``Pipeline.pipe`` batches them). The parent watches each job: a job that runs past the
budget's seconds, or whose worker grows past its memory after loading by more than the
budget's memory, has its worker killed and replaced. A job of several articles is then
split and each article retried alone, so only the article that overran gets the coded
error (E010 time, E011 memory, E012 crash) and the others are analysed.

``map`` yields ``(job key, index in the job, (article dict, tensors))`` per article, as
jobs finish.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from ..document import Document
from ..errors import Errors, check_param

#: How often the parent looks at each worker's clock and memory (seconds).
POLL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Budget:
    """The most one article may take: wall-clock seconds and memory (MB) above what the
    worker holds once its models are loaded. None: no limit."""

    seconds: float | None = 60.0
    memory_mb: float | None = 1024.0

    def __post_init__(self) -> None:
        for name in ("seconds", "memory_mb"):
            value = getattr(self, name)
            check_param("Budget", name, value,
                        value is None or (isinstance(value, (int, float)) and value > 0),
                        "None or a number > 0")


#: 60 s and 1 GB per article
DEFAULT_BUDGET = Budget()


@dataclass
class Setup:
    """What a worker builds: ``claimscope.load(stages, config=config)``."""

    stages: list[str] | None = None
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_size: int = 32
    piece_chars: int | None = None
    threads: int = 1
    #: doc.tensors entries sent back with each article (compare reads the embeddings)
    keep_tensors: tuple[str, ...] = ()
    #: modules a worker imports before building the pipeline (plugins that register stages)
    imports: tuple[str, ...] = ()


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


def _reset_peak() -> None:
    """Start this process's peak resident memory (VmHWM) again from its current size."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _worker_main(conn: Connection, setup: Setup) -> None:  # pragma: no cover - child
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    os.environ["CLAIMSCOPE_THREADS"] = str(setup.threads)
    from .. import load
    from ..report import generator_info

    try:
        for module in setup.imports:
            importlib.import_module(module)
        pipeline = load(setup.stages, config=setup.config)
        pipeline.keep_tensors |= set(setup.keep_tensors)
        if setup.piece_chars is not None:
            pipeline.piece_chars = setup.piece_chars
        pipeline("Warm-up. The army said 300 trucks entered Gaza on Monday.")  # loads models
        info = generator_info(pipeline)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the run
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", info, rss_mb(os.getpid())))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        key, docs = msg
        _reset_peak()
        t0 = time.perf_counter()
        out = []
        for doc in pipeline.pipe(docs, batch_size=setup.batch_size):
            out.append((doc.to_dict(), {k: doc.tensors[k] for k in setup.keep_tensors
                                        if k in doc.tensors}))
        conn.send(("done", key, out, {"seconds": round(time.perf_counter() - t0, 3),
                                      "peak_mb": round(_peak_mb(), 1)}))


class WorkerFailed(RuntimeError):
    """A worker could not build its pipeline (the message says why)."""


@dataclass
class _Job:
    key: Any
    docs: list[Document]
    #: index in the caller's job of docs[0] (a split job's articles keep theirs)
    first: int = 0


class _Worker:
    def __init__(self, ctx: Any, setup: Setup) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, setup), daemon=True,
                                name="claimscope-worker")
        self.proc.start()
        child.close()
        self.ready = False
        self.info: dict[str, Any] | None = None
        self.baseline = 0.0
        self.job: _Job | None = None
        self.started = 0.0

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """``n`` worker processes analysing jobs under ``budget``.

    ``map(jobs)`` yields ``(key, index, (article dict, tensors))`` for each article as its
    job finishes (jobs finish in any order). ``info`` is the report's generator block,
    from the first worker ready; ``job_stats`` the time and peak memory of each job.
    """

    def __init__(self, n: int, setup: Setup, budget: Budget = DEFAULT_BUDGET) -> None:
        check_param("WorkerPool", "n", n, isinstance(n, int) and n >= 1, "an int >= 1")
        self.n = n
        self.setup = setup
        self.budget = budget
        self.info: dict[str, Any] | None = None
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self.restarts = 0
        #: per finished job: article ids, characters, seconds, peak MB above the models
        self.job_stats: list[dict[str, Any]] = []

    # lifecycle ---------------------------------------------------------------------
    def start(self) -> dict[str, Any]:
        """Start the workers and wait until one is ready; return the generator block."""
        self._workers = [_Worker(self._ctx, self.setup) for _ in range(self.n)]
        while self.info is None:
            self._poll(wait_for_ready=True)
            if self.restarts > 2 * self.n:
                raise WorkerFailed("the worker processes stopped while loading the models "
                                   f"({self.restarts} times); is there memory enough?")
        return self.info

    def close(self) -> None:
        for w in self._workers:
            if w.proc.is_alive() and w.job is None and w.ready:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        for w in self._workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill()
        self._workers = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # work --------------------------------------------------------------------------
    def map(self, jobs: Iterable[tuple[Any, list[Document]]]
            ) -> Iterator[tuple[Any, int, tuple[dict[str, Any], dict[str, Any]]]]:
        """Analyse each ``(key, docs)``; yield ``(key, index, result)`` per article."""
        pending: deque[_Job] = deque()
        it = iter(jobs)
        exhausted = False
        self._results: deque[tuple[Any, int, Any]] = deque()
        while True:
            # fill idle workers: split jobs first, then new ones
            for w in self._workers:
                if w.ready and w.job is None:
                    if not pending and not exhausted:
                        nxt = next(it, None)
                        if nxt is None:
                            exhausted = True
                        else:
                            pending.append(_Job(nxt[0], list(nxt[1])))
                    if pending:
                        self._send(w, pending.popleft())
            busy = any(w.job is not None for w in self._workers)
            while self._results:
                yield self._results.popleft()
            if exhausted and not pending and not busy:
                return
            self._poll(pending=pending)
            while self._results:
                yield self._results.popleft()

    def _send(self, w: _Worker, job: _Job) -> None:
        w.job, w.started = job, time.monotonic()
        try:
            w.conn.send((job.key, job.docs))
        except OSError:
            self._lost(w, pending=None, reason="crash")

    def _poll(self, wait_for_ready: bool = False, pending: deque | None = None) -> None:
        conns = [w.conn for w in self._workers if not w.conn.closed]
        ready = wait(conns, timeout=POLL) if conns else []
        for w in list(self._workers):
            if w.conn in ready:
                try:
                    msg = w.conn.recv()
                except (EOFError, OSError):
                    self._lost(w, pending, "crash")
                    continue
                self._handle(w, msg)
            elif w.job is not None:
                self._watch(w, pending)
            elif not w.proc.is_alive():
                self._lost(w, pending, "crash")

    def _handle(self, w: _Worker, msg: tuple) -> None:
        if msg[0] == "failed":
            raise WorkerFailed(msg[1])
        if msg[0] == "ready":
            w.ready, w.info, w.baseline = True, msg[1], msg[2]
            if self.info is None:
                self.info = msg[1]
            return
        _, key, out, stats = msg
        job, w.job = w.job, None
        assert job is not None and job.key == key
        self.job_stats.append({"ids": [d.id for d in job.docs], "chars": sum(
            len(d.text) for d in job.docs), "seconds": stats["seconds"],
            "peak_mb": round(stats["peak_mb"] - w.baseline, 1)})
        self._results.extend((key, job.first + j, r) for j, r in enumerate(out))
        limit = self.budget.memory_mb
        if limit is not None and rss_mb(w.proc.pid) - w.baseline > limit / 2:
            self._replace(w)  # keep memory flat: a worker that grew is renewed

    def _watch(self, w: _Worker, pending: deque | None) -> None:
        b = self.budget
        if not w.proc.is_alive():
            self._lost(w, pending, "crash")
        elif b.seconds is not None and time.monotonic() - w.started > b.seconds:
            self._lost(w, pending, "time")
        elif b.memory_mb is not None and rss_mb(w.proc.pid) - w.baseline > b.memory_mb:
            self._lost(w, pending, "memory")

    def _lost(self, w: _Worker, pending: deque | None, reason: str) -> None:
        """A worker overran or died: replace it; split its job or fail its one article."""
        job = w.job
        code = w.proc.exitcode if not w.proc.is_alive() else None
        self._replace(w)
        if job is None:
            return
        if len(job.docs) > 1 and pending is not None:
            # retry each article alone: only the one that overran gets the error
            for i in reversed(range(len(job.docs))):
                pending.appendleft(_Job(job.key, [job.docs[i]], job.first + i))
            return
        self._results.append((job.key, job.first,
                              (failed_article(job.docs[0], reason, self.budget, code), {})))

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self.restarts += 1
        i = self._workers.index(w)
        self._workers[i] = _Worker(self._ctx, self.setup)


def failed_article(doc: Document, reason: str, budget: Budget, exitcode: int | None = None
                   ) -> dict[str, Any]:
    """The report entry of an article whose analysis overran its budget or crashed."""
    if reason == "time":
        doc.add_error(Errors.E010.format(seconds=budget.seconds))
    elif reason == "memory":
        doc.add_error(Errors.E011.format(memory=budget.memory_mb))
    else:
        doc.add_error(Errors.E012.format(detail=f"exit code {exitcode}" if exitcode is not None
                                         else "no answer"))
    return doc.to_dict()
