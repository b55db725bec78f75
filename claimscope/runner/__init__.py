"""Runs over many articles: streamed output, resume, worker processes, budgets.

``run_analysis`` reads the inputs lazily, sends batches of articles to worker processes
(``workers.WorkerPool``; ``workers=0`` analyses in this process), and writes each article,
in input order, as soon as it and those before it are done:

- ``OUTDIR/report.jsonl.partial`` holds the finished articles, one JSON object a line,
  flushed as each is written (renamed ``report.jsonl`` at the end when ``jsonl`` was asked
  for, else removed); ``--resume`` reads it back, drops a half-written last line and skips
  the articles it holds (by id and content hash);
- streaming formats (``parquet``) get each article as it is written;
- ``json`` is streamed from the partial file at the end; ``html``, ``md`` and
  ``claimreview`` render the whole report, so they are refused above ``MAX_WHOLE_REPORT``
  articles (use ``jsonl`` or ``parquet``);
- ``OUTDIR/run.json``: generator, status, counts and errors of the run.

Ctrl-C (SIGINT) and SIGTERM stop the workers, keep what is written, write ``run.json``
with ``"status": "interrupted"`` and return 130 or 143.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import ClaimscopeError, Errors
from .workers import DEFAULT_BUDGET, Budget, Setup, WorkerFailed, WorkerPool

__all__ = ["run_analysis", "analyse_documents", "RunOutput", "Budget", "Setup", "InlinePool",
           "default_workers", "MAX_WHOLE_REPORT"]

#: Above this many articles, html/md/claimreview (rendered from the whole report) are refused.
MAX_WHOLE_REPORT = 5_000
#: ... and above this many MB of articles (JSONL) they are not written (E016).
MAX_WHOLE_REPORT_MB = 50
WHOLE_REPORT = ("html", "md", "claimreview")
PARTIAL = "report.jsonl.partial"
RUN_FILE = "run.json"


class RunError(ClaimscopeError):
    """The run cannot start: the output folder, or a run to resume, is not usable."""


class Interrupted(Exception):
    """SIGINT or SIGTERM: the exit code to return (130 or 143)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def default_workers() -> int:
    """Worker processes when none is asked for: one (measured on this 2-core machine:
    benchmarks/bench_scale.py)."""
    return 1


def content_key(article: dict[str, Any] | Document) -> tuple[str, str]:
    """What marks an article done: its id and the sha256 of its text."""
    if isinstance(article, Document):
        doc_id, text = article.id, article.text
    else:
        doc_id, text = article.get("id"), article.get("text") or ""
    return (str(doc_id), hashlib.sha256(text.encode("utf-8", "replace")).hexdigest())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# the output folder -----------------------------------------------------------------------


class RunOutput:
    """The reports of one run in ``outdir``, written as articles finish."""

    def __init__(self, outdir: Path, formats: list[str],
                 max_whole_mb: float = MAX_WHOLE_REPORT_MB) -> None:
        self.outdir = Path(outdir)
        self.formats = list(formats)
        self.partial = self.outdir / PARTIAL
        self.max_whole_mb = max_whole_mb
        self._fh: Any = None
        self._sinks: list[Any] = []
        self.written = 0
        #: coded messages about the output (a format too large to write)
        self.notes: list[dict[str, str]] = []

    def check(self) -> None:
        """E013 unless reports can be written in ``outdir`` (made if missing)."""
        try:
            if self.outdir.exists() and not self.outdir.is_dir():
                raise OSError("it is a file, not a folder")
            self.outdir.mkdir(parents=True, exist_ok=True)
            probe = self.outdir / f".claimscope-probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise RunError(Errors.E013.format(path=self.outdir,
                                              detail=exc.strerror or exc)) from None

    def begin(self, generator: dict[str, Any], resume: bool) -> Counter:
        """Open the partial file (continued with ``resume``); return the done keys."""
        from ..io.writers import renderers

        done: Counter = Counter()
        if resume:
            self._check_same_run(generator)
            if not self.partial.exists() and (self.outdir / "report.jsonl").exists():
                self.partial.write_bytes((self.outdir / "report.jsonl").read_bytes())
            done = self._recover()
        elif self.partial.exists():
            self.partial.unlink()
        self._write_run(generator, "running", {}, [])
        self._fh = self.partial.open("a", encoding="utf-8", errors="replace", newline="")
        for name in self.formats:
            stream = renderers.get(name).stream
            if stream is not None:
                sink = stream(self.outdir)
                self._sinks.append(sink)
        if done:  # streaming formats start again from what the partial file holds
            from ..io.writers import iter_jsonl

            for article in iter_jsonl(self.partial):
                for sink in self._sinks:
                    sink.write(article)
        self.written = sum(done.values())
        return done

    def _check_same_run(self, generator: dict[str, Any]) -> None:
        path = self.outdir / RUN_FILE
        if not path.exists():
            return
        try:
            before = json.loads(path.read_text(encoding="utf-8")).get("generator") or {}
        except (OSError, ValueError):
            return
        for key in ("stages", "models", "corpus"):
            if before.get(key) != generator.get(key) and key in before:
                raise RunError(Errors.E014.format(path=self.outdir,
                                                  detail=f"'{key}' differs"))

    def _recover(self) -> Counter:
        """Keys of the valid lines of the partial file; a half-written or broken line is
        dropped (the file is cut after the last valid line)."""
        done: Counter = Counter()
        if not self.partial.exists():
            return done
        good = 0
        dropped = False
        with self.partial.open("rb") as fh:
            for raw in fh:
                try:
                    if not raw.endswith(b"\n"):
                        raise ValueError("half-written")
                    article = json.loads(raw)
                    if not isinstance(article, dict):
                        raise ValueError("not an object")
                except ValueError:
                    dropped = True
                    break
                done[content_key(article)] += 1
                good += len(raw)
        if dropped:
            with self.partial.open("r+b") as fh:
                fh.truncate(good)
        return done

    def write(self, article: dict[str, Any]) -> None:
        from ..io.writers import jsonl_line

        self._fh.write(jsonl_line(article))
        self._fh.flush()
        for sink in self._sinks:
            sink.write(article)
        self.written += 1

    def finish(self, generator: dict[str, Any], errors: list[dict[str, Any]],
               counts: dict[str, Any]) -> list[Path]:
        """Write every format, then ``run.json``; return the report paths.

        Every file is rendered to a temporary file first and renamed into place only when
        all are written: a failure leaves the earlier reports of the folder whole."""
        from ..io.writers import StagedFiles, iter_jsonl, renderers, stream_json

        self._fh.close()
        head = {"schema_version": "1", "generator": generator}
        mb = self.partial.stat().st_size / 2**20
        skip = [f for f in self.formats if f in WHOLE_REPORT] if mb > self.max_whole_mb else []
        if skip:
            message = Errors.E016.format(formats=", ".join(skip), mb=round(mb),
                                         limit=self.max_whole_mb)
            self.notes.append({"code": "E016", "message": message.split("] ", 1)[1]})
        written: list[Path] = []
        with StagedFiles() as staged:
            for name in self.formats:
                renderer = renderers.get(name)
                if renderer.stream is not None or name == "jsonl" or name in skip:
                    continue
                with staged.open(self.outdir / f"report{renderer.extension}") as fh:
                    if name == "json":
                        stream_json(fh, head, iter_jsonl(self.partial), {"errors": errors})
                    else:
                        fh.write(renderer.render({**head, "articles": list(
                            iter_jsonl(self.partial)), "errors": errors}))
            for sink in self._sinks:
                written.extend(sink.close({"generator": generator, "errors": errors}))
            written.extend(staged.commit())
        if "jsonl" in self.formats:
            os.replace(self.partial, self.outdir / "report.jsonl")
            written.insert(0, self.outdir / "report.jsonl")
        else:
            self.partial.unlink(missing_ok=True)
        self._write_run(generator, "complete", counts, errors)
        return written

    def interrupt(self, generator: dict[str, Any], errors: list[dict[str, Any]],
                  counts: dict[str, Any], status: str = "interrupted") -> None:
        """Keep what is written (the partial file), drop half-built streaming files."""
        if self._fh is not None:
            self._fh.close()
        for sink in self._sinks:
            sink.abort()
        self._write_run(generator, status, counts, errors)

    def _write_run(self, generator: dict[str, Any], status: str, counts: dict[str, Any],
                   errors: list[dict[str, Any]]) -> None:
        from ..io.writers import atomic_write

        doc = {"schema_version": "1", "generator": generator, "status": status,
               "updated": _now(), "formats": self.formats, "counts": counts,
               "errors": errors, "output_errors": self.notes}
        atomic_write(self.outdir / RUN_FILE,
                     lambda fh: fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n"))


# in-process analysis (workers=0) ---------------------------------------------------------


class InlinePool:
    """``WorkerPool``'s interface, analysing in this process (no budget is enforced)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.info: dict[str, Any] | None = None
        self.restarts = 0
        self.job_stats: list[dict[str, Any]] = []

    def start(self) -> dict[str, Any]:
        from .. import load
        from ..report import generator_info

        self.pipeline = load(self.setup.stages, config=self.setup.config)
        self.pipeline.keep_tensors |= set(self.setup.keep_tensors)
        if self.setup.piece_chars is not None:
            self.pipeline.piece_chars = self.setup.piece_chars
        self.info = generator_info(self.pipeline)
        return self.info

    def map(self, jobs: Iterable[tuple[Any, list[Document]]]) -> Iterator[tuple[Any, int, Any]]:
        for key, docs in jobs:
            for i, doc in enumerate(self.pipeline.pipe(docs, batch_size=self.setup.batch_size)):
                yield key, i, (doc.to_dict(), {k: doc.tensors[k] for k in self.setup.keep_tensors
                                               if k in doc.tensors})

    def close(self) -> None:
        pass


def make_pool(workers: int, setup: Setup, budget: Budget) -> WorkerPool | InlinePool:
    if workers == 0:
        return InlinePool(setup)
    if os.environ.get("CLAIMSCOPE_THREADS", "").strip():
        setup.threads = int(os.environ["CLAIMSCOPE_THREADS"])
    else:
        setup.threads = max(1, (os.cpu_count() or 1) // workers)
    return WorkerPool(workers, setup, budget)


def analyse_documents(docs: Iterable[Document], setup: Setup, *, workers: int = 1,
                      budget: Budget = DEFAULT_BUDGET) -> Iterator[Document]:
    """Analyse ``docs`` in worker processes under ``budget``; yield Documents rebuilt from
    the results (with the tensors ``setup.keep_tensors`` names), in input order."""
    pool = make_pool(workers, setup, budget)
    try:
        pool.start()
    except WorkerFailed as exc:
        pool.close()
        raise RunError(f"the analysis could not start: {exc}") from None
    try:
        for article, tensors in _in_order(pool, docs, setup):
            doc = Document.from_dict(article)
            doc.tensors.update(tensors)
            yield doc
    finally:
        pool.close()


def _in_order(pool: Any, docs: Iterable[Document], setup: Setup,
              on_input: Callable[[Document], bool] | None = None
              ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Results of ``pool`` for ``docs`` in input order (``on_input`` may drop a doc)."""
    from ..pipeline import batches

    starts: dict[int, int] = {}
    seq = 0

    def jobs() -> Iterator[tuple[int, list[Document]]]:
        nonlocal seq
        kept = (d for d in docs if on_input is None or on_input(d))
        for k, batch in enumerate(batches(kept, setup.batch_size, setup.piece_chars)):
            starts[k] = seq
            seq += len(batch)
            yield k, batch

    buffer: dict[int, Any] = {}
    nxt = 0
    for key, index, result in pool.map(jobs()):
        buffer[starts[key] + index] = result
        while nxt in buffer:
            yield buffer.pop(nxt)
            nxt += 1


# the whole run ---------------------------------------------------------------------------


@dataclass
class RunResult:
    code: int
    written: list[Path] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


def count_inputs(paths: Iterable[str], outdir: Path) -> int:
    """About how many articles ``paths`` hold (files; JSONL lines), for a progress bar."""
    from ..io.readers import JSONL_SUFFIXES, _reader_for

    total = 0
    for raw in paths:
        if raw == "-":
            total += 1
            continue
        path = Path(raw)
        files = [p for p in path.rglob("*") if p.is_file()
                 and not p.resolve().is_relative_to(Path(outdir).resolve())] \
            if path.is_dir() else [path]
        for p in files:
            if _reader_for(p) is None:
                continue
            if p.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with p.open("rb") as fh:
                        total += sum(1 for line in fh if line.strip())
                except OSError:
                    total += 1
            else:
                total += 1
    return total


def run_analysis(paths: list[str], outdir: Path, formats: list[str], setup: Setup, *,
                 workers: int = 1, budget: Budget = DEFAULT_BUDGET, resume: bool = False,
                 max_bytes: int, quiet: bool = False,
                 echo: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
                 max_whole_report: int = MAX_WHOLE_REPORT,
                 max_whole_mb: float = MAX_WHOLE_REPORT_MB) -> RunResult:
    """Analyse ``paths`` into ``outdir``; the exit code is 0, 1 (some input failed), 130 or
    143 (interrupted). Raises RunError (before any analysis) for an unusable folder."""
    from tqdm import tqdm

    from ..io import ReadError
    from ..io.fetch import read_inputs  # an http(s):// argument is fetched

    out = RunOutput(outdir, formats, max_whole_mb)
    out.check()
    total = count_inputs(paths, outdir)
    whole = [f for f in formats if f in ("html", "md", "claimreview")]
    if whole and total > max_whole_report:
        raise RunError(Errors.E015.format(n=total, limit=max_whole_report,
                                          formats=", ".join(whole)))
    pool = make_pool(workers, setup, budget)
    read_errors: list[dict[str, Any]] = []
    counts: Counter = Counter()
    generator: dict[str, Any] = {}
    bar = None
    previous = _install_signals()
    try:
        try:
            generator = dict(pool.start(), created=_now())
        except WorkerFailed as exc:
            raise RunError(f"the analysis could not start: {exc}") from None
        done = out.begin(generator, resume)
        counts["resumed"] = sum(done.values())
        bar = tqdm(total=total, initial=min(total, counts["resumed"]), unit="article",
                   file=sys.stderr, disable=quiet or not sys.stderr.isatty(),
                   dynamic_ncols=True)

        def keep(item: Any) -> bool:
            if isinstance(item, ReadError):
                read_errors.append(item.to_dict())
                echo(f"error: {item.message}")
                bar.update(1)
                return False
            key = content_key(item)
            if done[key] > 0:
                done[key] -= 1
                return False
            return True

        for article, _ in _in_order(pool, read_inputs(paths, max_bytes=max_bytes, exclude=[outdir]), setup,
                                    on_input=keep):
            out.write(article)
            _note_article(article, counts, echo)
            bar.update(1)
        bar.close()
        counts["read_errors"] = len(read_errors)
        counts["restarts"] = pool.restarts
        summary = {**counts, **_extremes(pool.job_stats)}
        if counts["analysed"] + counts["resumed"] == 0:  # no report of nothing
            out.interrupt(generator, read_errors, summary, status="empty")
            out.partial.unlink(missing_ok=True)
            echo("error: nothing to analyse" if not read_errors else
                 f"error: none of the {len(read_errors)} input(s) could be read")
            return RunResult(1, [], summary, read_errors)
        pool.close()  # before the reports: the workers' memory is not needed any more
        written = out.finish(generator, read_errors, summary)
        for note in out.notes:
            echo(f"error: [{note['code']}] {note['message']}")
        code = 1 if read_errors or counts["failed"] or out.notes else 0
        return RunResult(code, written, summary, read_errors)
    except Interrupted as exc:
        if bar is not None:
            bar.close()
        pool.close()
        counts["read_errors"] = len(read_errors)
        if generator:
            out.interrupt(generator, read_errors, dict(counts))
        echo(f"interrupted: {out.written} article(s) are saved in {out.partial}; run the same "
             f"command with --resume to analyse the rest")
        return RunResult(exc.code, [], dict(counts), read_errors)
    finally:
        pool.close()
        _restore_signals(previous)


def _extremes(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """The slowest and the largest job of a run (ids, characters, seconds, peak MB above
    the loaded models), for run.json."""
    if not stats:
        return {}
    return {"slowest_job": max(stats, key=lambda s: s["seconds"]),
            "largest_job": max(stats, key=lambda s: s["peak_mb"])}


def _note_article(article: dict[str, Any], counts: Counter, echo: Callable[[str], None]
                  ) -> None:
    """Count an analysed article (``analysed``, ``failed``) and print its errors."""
    counts["analysed"] += 1
    if article.get("errors"):
        counts["failed"] += 1
        for err in article["errors"]:
            echo(f"error: {article.get('source')}: {err['message']}")


def _install_signals() -> dict[int, Any]:
    """SIGINT -> Interrupted(130), SIGTERM -> Interrupted(143) (main thread only)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted(128 + signum)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
