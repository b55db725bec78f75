"""The analysis behind the web app: one pipeline, loaded once, and background batch jobs.

``Analyzer`` holds the pipeline (``claimscope.load``) and runs it under a lock, so that
requests from several tabs take turns on the models instead of racing for the CPU.
``Jobs`` runs batch uploads on one background thread, a few articles at a time, so an
article pasted meanwhile is analysed between two chunks of the batch.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..document import Document

__all__ = ["Analyzer", "Jobs", "Job"]


class Analyzer:
    """Runs the pipeline on Documents; ``load()`` builds it and warms the models."""

    def __init__(self, pipeline: Any = None, *, stages: list[str] | None = None,
                 config: dict[str, dict[str, Any]] | None = None, corpus: Any = None,
                 batch_size: int = 8) -> None:
        self.pipeline = pipeline
        self.stages = stages
        self.config = config
        self.corpus = corpus
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._generator: dict[str, Any] | None = None
        self.load_seconds: float | None = None

    def load(self) -> Analyzer:
        """Build the pipeline (when not given) and run it once, so every model is loaded
        before the first request."""
        t0 = time.perf_counter()
        if self.pipeline is None:
            from .. import load

            self.pipeline = load(self.stages, config=self.config, corpus=self.corpus)
        with self._lock:
            list(self.pipeline.pipe([Document("Some 40 rockets were fired on Monday, the "
                                              "army said.")], batch_size=1))
        self.load_seconds = round(time.perf_counter() - t0, 2)
        return self

    def analyze(self, docs: list[Document]) -> list[Document]:
        """Analyse Documents (in order); an article that fails gets its error (E009)."""
        if self.pipeline is None:
            self.load()
        with self._lock:
            return list(self.pipeline.pipe(docs, batch_size=self.batch_size))

    def generator(self) -> dict[str, Any]:
        """The ``generator`` block of the reports this pipeline makes."""
        from ..report import generator_info

        if self._generator is None:
            self._generator = generator_info(self.pipeline)
        return {**self._generator, "created": generator_info()["created"]}


@dataclass
class Job:
    """A batch being analysed in the background."""

    id: str
    total: int
    done: int = 0
    state: str = "queued"  # queued, running, done, failed
    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "total": self.total, "done": self.done, "state": self.state,
                "articles": [{"id": i, "title": t, "url": f"/articles/{i}"}
                             for i, t in zip(self.ids, self.titles)],
                "errors": self.errors}


class Jobs:
    """Batch jobs on one background thread, ``chunk`` articles per turn on the models."""

    def __init__(self, analyzer: Analyzer, store: Any, *, chunk: int = 4,
                 keep: int = 200) -> None:
        self.analyzer = analyzer
        self.store = store
        self.chunk = chunk
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, list[Document]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, docs: list[Document], errors: list[dict[str, Any]] = ()) -> Job:
        job = Job(uuid.uuid4().hex[:12], total=len(docs) + len(errors))
        job.errors = list(errors)
        job.done = len(job.errors)
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-self.keep]:
                del self._jobs[old]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="claimscope-jobs",
                                                daemon=True)
                self._thread.start()
        self._queue.put((job, docs))
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, docs = item
            job.state = "running"
            try:
                generator = self.analyzer.generator()
                it = iter(docs)
                while chunk := list(itertools.islice(it, self.chunk)):
                    for doc in self.analyzer.analyze(chunk):
                        article = doc.to_dict()
                        job.ids.append(self.store.add(article, generator=generator))
                        job.titles.append(str(article.get("title") or article.get("id")
                                              or "article"))
                        job.errors += [{"source": doc.meta.get("source"), **e}
                                       for e in doc.errors]
                        job.done += 1
                job.state = "done"
            except Exception as exc:  # noqa: BLE001 - the job records it; the server goes on
                job.state = "failed"
                job.errors.append({"code": "E518", "message": str(exc)[:300]})

    def close(self) -> None:
        self._queue.put(None)
