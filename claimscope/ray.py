"""The analysis as a Ray Data job: on this machine's cores or on an existing Ray cluster.

    import ray
    import claimscope.ray

    ds = ray.data.read_json("s3://bucket/articles/")      # id, text or html, title, ...
    out = claimscope.ray.analyze(ds)                      # one row per article
    claimscope.ray.write(out, "s3://bucket/run/", ["jsonl", "parquet"])

Model results differ slightly with the articles that share a batch, so ``analyze`` gives
the actors the very batches a local run makes (``pipeline.BatchRule``): it measures every
row (text length, ``is_long``) in a light ``map_batches`` stage and materialises the rows,
numbers each row's batch on the driver from the lengths alone, and packs each batch into
one row (``groupby("batch").map_groups``, a sort, in input order). The analysis is then
one ``map_batches`` stage of one packed batch per call: a callable class,
:class:`Analyser`, that builds the pipeline once per actor (models load once per actor)
and analyses each batch with ``Pipeline.pipe``. Ray schedules the actors; nothing here
schedules anything; the actors get the driver's ``OMP_NUM_THREADS`` (or none), as the
local workers do, for the same numpy sums. Each output row has ``id``, ``article`` (the
article object of the JSON report, schema version 1, as JSON text) and ``error`` (the JSON
of a record that could not be read, else null). ``write`` streams the rows, in input
order, through the library's own writers (``jsonl_line``, ``ParquetSink``), so a Ray run
writes the very files a local run writes. ``claimscope analyze --engine ray`` is
``run_analysis`` below.

Ray is an optional extra: ``pip install 'claimscope[ray]'``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .document import Document
from .errors import ClaimscopeError, Errors
from .pipeline import PIECE_CHARS

__all__ = ["analyze", "write", "articles", "read_inputs", "init", "run_analysis",
           "Analyser", "RayMissing"]

#: the input suffixes read as files (the local readers'); .parquet is read as a table
FILE_SUFFIXES = ("txt", "text", "md", "html", "htm", "jsonl")
#: reading and parsing take no CPU slot of their own: the analysis actors hold them all
#: (one per CPU), and a read task waiting for a slot would wait for ever
_LIGHT = {"num_cpus": 0}
#: formats written through a pyarrow filesystem (an s3://, gs://, hdfs:// ... folder)
REMOTE_FORMATS = ("jsonl", "parquet")


class RayMissing(ClaimscopeError):
    """Ray (or Ray Data) is not installed."""


def require_ray() -> Any:
    """The ``ray`` module with Ray Data, or E017 saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayMissing(Errors.E017.format(detail=exc)) from None
    return ray


def init(address: str | None = None, *, num_cpus: int | None = None) -> Any:
    """Connect to Ray: ``address`` None starts a local cluster of ``num_cpus`` (default:
    every core); "auto" joins the cluster this machine belongs to; "ray://host:10001" a
    remote one. Nothing happens when Ray is already initialised. Ray Data keeps the input
    order and shows no progress bars of its own."""
    ray = require_ray()
    global _STARTED
    if not ray.is_initialized():
        _STARTED = address is None
        quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
        if address is None:
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False,
                     **quiet)
        else:
            ray.init(address=address, **quiet)
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    return ray


def shutdown() -> None:
    """Stop the local Ray cluster ``init`` started (a cluster joined is left alone)."""
    global _STARTED
    if _STARTED:
        import ray

        ray.shutdown()
        _STARTED = False


_STARTED = False


# the actor ------------------------------------------------------------------------------


def _record_id(record: dict[str, Any]) -> str:
    """The id of a table row that has none: a hash of its text (rows have no line)."""
    body = record.get("text") if isinstance(record.get("text"), str) else record.get("html")
    return "row-" + hashlib.sha256(str(body).encode("utf-8", "replace")).hexdigest()[:12]


def _plain(value: Any) -> Any:
    """A value of a numpy batch as plain Python (numpy scalars and arrays unwrapped)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class Analyser:
    """Ray Data's callable class: the pipeline is built once per actor, in ``__init__``;
    ``__call__`` analyses a batch. A batch holds ``group`` (pickled batches of the local
    engine, as :func:`analyze` packs them: each is analysed as one), ``doc`` (pickled
    Documents read by ``read_inputs``) or article records (``text`` or ``html``, ``id``,
    ``url``, ``title``, ``published``, ``outlet``, ``language``: the fields of a JSONL
    input line). A record
    that is no article, or an input that could not be read, comes out as an ``error``
    row; an article a stage fails on gets E009 in its errors, as in a local run."""

    def __init__(self, stages: list[str] | None = None,
                 config: dict[str, dict[str, Any]] | None = None, batch_size: int = 32,
                 piece_chars: int | None = None, threads: int = 1,
                 imports: Sequence[str] = ()) -> None:
        import importlib

        os.environ["CLAIMSCOPE_THREADS"] = str(threads)
        from . import load
        from .pipeline import PIECE_CHARS

        for module in imports:
            importlib.import_module(module)
        self.batch_size = batch_size
        self.pipeline = load(stages, config=config or {})
        self.pipeline.piece_chars = PIECE_CHARS if piece_chars is None else piece_chars

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        if "group" in batch:  # one pipe call per packed batch: its batches are the local ones
            out: dict[str, list[Any]] = {"id": [], "article": [], "error": []}
            for group in batch["group"]:
                for key, values in self._analyse(pickle.loads(group)).items():
                    out[key].extend(values)
            return out
        return self._analyse(batch)

    def _analyse(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from .errors import InputError
        from .io.readers import ReadError, record_document
        from .io.safe import clean_value

        n = len(next(iter(batch.values()))) if batch else 0
        docs: list[Document] = []
        slots: list[Any] = []  # per row: index in docs, or a ReadError dict
        for i in range(n):
            if "doc" in batch:
                item = pickle.loads(batch["doc"][i]) if batch["doc"][i] is not None else None
                if item is None:
                    slots.append(json.loads(batch["error"][i]))
                    continue
            else:
                record = clean_value({k: _plain(v[i]) for k, v in batch.items()})
                record = {k: v for k, v in record.items() if v is not None}
                source = str(record.get("source") or "ray")
                try:
                    item = record_document(record, source, _record_id(record))
                except InputError as exc:
                    slots.append(ReadError.from_exc(exc, id=_record_id(record)).to_dict())
                    continue
            slots.append(len(docs))
            docs.append(item)
        done = list(self.pipeline.pipe(docs, batch_size=self.batch_size))
        out: dict[str, list[Any]] = {"id": [], "article": [], "error": []}
        for slot in slots:
            if isinstance(slot, int):
                article = done[slot].to_dict()
                out["id"].append(None if article.get("id") is None else str(article["id"]))
                out["article"].append(json.dumps(article, ensure_ascii=False))
                out["error"].append(None)
            else:
                out["id"].append(slot.get("id"))
                out["article"].append(None)
                out["error"].append(json.dumps(slot, ensure_ascii=False))
        return out


def analyze(ds: Any, *, stages: list[str] | None = None,
            config: dict[str, dict[str, Any]] | None = None, batch_size: int = 32,
            concurrency: int | None = None, num_cpus: float = 1,
            threads: int | None = None, imports: Sequence[str] = (),
            piece_chars: int | None = PIECE_CHARS) -> Any:
    """The analysed ``ds`` (a ``ray.data.Dataset`` of article records, or of the rows of
    :func:`read_inputs`): a Dataset with one row per input row, in input order, ``id``,
    ``article`` (the report article as JSON text) and ``error``.

    ``stages`` and ``config`` are those of ``claimscope.load``; ``concurrency`` is the
    number of actors (default: the cluster's CPUs divided by ``num_cpus``), each with
    ``num_cpus`` CPUs and ``threads`` onnxruntime threads (default ``num_cpus``).
    ``batch_size`` and ``piece_chars`` are those of ``Pipeline.pipe``: the articles are
    analysed in the batches a local run makes of them, so the output is the local one.
    The rows are read and grouped when this is called; the analysis runs when the result
    is consumed. A row without an ``id`` gets ``row-`` and a hash of its text."""
    ray = require_ray()
    import pyarrow as pa
    from ray.data.context import ShuffleStrategy

    from .errors import check_param
    from .pipeline import BatchRule

    check_param("claimscope.ray.analyze", "batch_size", batch_size,
                isinstance(batch_size, int) and batch_size >= 1, "an int >= 1")
    check_param("claimscope.ray.analyze", "concurrency", concurrency,
                concurrency is None or (isinstance(concurrency, int) and concurrency >= 1),
                "None or an int >= 1")
    if concurrency is None:
        cpus = ray.cluster_resources().get("CPU", 1) if ray.is_initialized() else 1
        concurrency = max(1, int(cpus // max(num_cpus, 1e-9)))
    # Model stages give results (floats at the 4th decimal) that depend on which articles
    # share a batch, so the batches must be the local engine's, which depend on the whole
    # stream before them: the rows are measured first, their batch numbers computed here
    # by the local rule from the lengths alone, and each batch packed into one row.
    measured = ds.map_batches(_measure, fn_kwargs={"piece_chars": piece_chars},
                              batch_format="numpy", **_LIGHT)
    measured.context.execution_options.preserve_order = True  # the lengths in row order
    measured = measured.materialize()
    rule = BatchRule(batch_size, piece_chars)
    keys: dict[str, tuple[int, int]] = {}  # row uid -> (batch, row)
    for part in measured.select_columns(["uid", "chars", "long"]).iter_batches(
            batch_size=None, batch_format="pyarrow"):
        for uid, chars, long in zip(*(part[c].to_pylist() for c in ("uid", "chars", "long"))):
            # a read error is in no batch of the local engine: it goes with its neighbours
            keys[uid] = (rule.add(chars, long) if chars >= 0 else max(rule.key, 0), len(keys))
    if not keys:
        return ray.data.from_arrow(pa.table({k: pa.array([], pa.string())
                                             for k in ("id", "article", "error")}))
    # the numbers go to the tasks with the function (some 50 bytes a row)
    keyed = measured.map_batches(_tag, fn_kwargs={"keys": keys}, batch_format="pyarrow",
                                 **_LIGHT)
    # a sort, not a hash shuffle: groups come out in key order, which is input order; and
    # the grouping runs before the actors take every CPU (its tasks need one)
    keyed.context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    packed = keyed.groupby("batch").map_groups(_pack, batch_format="numpy", **_LIGHT)
    packed = packed.materialize()
    return packed.map_batches(
        Analyser, fn_constructor_kwargs={
            "stages": stages, "config": config or {}, "batch_size": batch_size,
            "piece_chars": piece_chars, "threads": threads or max(1, int(num_cpus)),
            "imports": tuple(imports)},
        batch_size=1, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=concurrency), num_cpus=num_cpus,
        # Ray gives an actor of one CPU OMP_NUM_THREADS=1 when it is unset, and numpy's
        # BLAS then sums in another order than in a local worker (scores differ at the
        # 4th decimal): the actors get this process's value, or none, as a local run
        runtime_env={"env_vars": {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "")}})


def _measure(batch: dict[str, Any], piece_chars: int | None) -> Any:
    """Rows of ``read_inputs`` or article records -> ``doc`` (pickled) or ``error``, with
    ``chars`` (the text's length, -1 for an error), ``long`` (``is_long``) and ``uid``
    (which names the row until the driver has numbered it)."""
    import uuid

    import pyarrow as pa

    from .pipeline import is_long

    if "doc" not in batch:
        batch = _records_to_docs(batch, "ray")
    out: dict[str, list[Any]] = {"doc": [], "error": [], "uid": [], "chars": [], "long": []}
    for data, error in zip(batch["doc"], batch["error"]):
        text = pickle.loads(data).text if data is not None else None
        out["doc"].append(data)
        out["error"].append(error if text is None else None)
        out["uid"].append(uuid.uuid4().hex)
        out["chars"].append(-1 if text is None else len(text))
        out["long"].append(text is not None and is_long(text, piece_chars))
    # explicit types: a block of only errors must have the schema of the others
    types = {"doc": pa.binary(), "error": pa.string(), "uid": pa.string(),
             "chars": pa.int64(), "long": pa.bool_()}
    return pa.table({k: pa.array(v, types[k]) for k, v in out.items()})


def _tag(block: Any, keys: dict[str, tuple[int, int]]) -> Any:
    """Measured rows -> ``doc``, ``error``, ``batch`` and ``row`` (the input position)."""
    import pyarrow as pa

    where = [keys[uid] for uid in block["uid"].to_pylist()]
    return pa.table({"doc": block["doc"], "error": block["error"],
                     "batch": pa.array([k for k, _ in where], pa.int64()),
                     "row": pa.array([r for _, r in where], pa.int64())})


def _pack(group: dict[str, Any]) -> Any:
    """The rows of one batch -> one row: ``group``, their ``doc`` and ``error`` in input
    order, pickled."""
    import numpy as np
    import pyarrow as pa

    order = np.argsort(group["row"], kind="stable")
    rows = {"doc": [group["doc"][i] for i in order], "error": [group["error"][i] for i in order]}
    return pa.table({"batch": pa.array([int(group["batch"][0])], pa.int64()),
                     "group": pa.array([pickle.dumps(rows)], pa.binary())})


# reading inputs ---------------------------------------------------------------------------


def _remote(raw: str) -> bool:
    return "://" in raw and not raw.lower().startswith(("http://", "https://", "file://"))


def _parse(batch: dict[str, Any], max_bytes: int) -> dict[str, list[Any]]:
    """File contents -> one row per Document (pickled) or ReadError (JSON)."""
    from .io.readers import ReadError, read_data

    out: dict[str, list[Any]] = {"doc": [], "error": []}
    for path, data in zip(batch["path"], batch["bytes"]):
        for item in read_data(str(path), bytes(data), max_bytes):
            if isinstance(item, ReadError):
                out["doc"].append(None)
                out["error"].append(json.dumps(item.to_dict(), ensure_ascii=False))
            else:
                out["doc"].append(pickle.dumps(item))
                out["error"].append(None)
    return out


def read_inputs(paths: Sequence[str], *, max_bytes: int | None = None,
                exclude: Sequence[str | Path] = (),
                errors: list[dict[str, Any]] | None = None) -> Any:
    """The Dataset of the articles in ``paths``, read as ``claimscope analyze`` reads them:
    files and folders (local, or on any filesystem Ray and pyarrow reach: ``s3://``,
    ``gs://``, ``hdfs://``) of .txt, .md, .html and .jsonl are read by the local readers
    inside Ray tasks (one task per file: same ids, warnings and errors as a local run);
    .parquet files and folders are read with ``ray.data.read_parquet`` as article records.
    What cannot be listed (no such path, an unsupported file, a folder of nothing) is
    appended to ``errors`` as the local run reports it."""
    ray = require_ray()
    from .io import DEFAULT_MAX_BYTES
    from .io.readers import ReadError, _reader_for

    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    errors = [] if errors is None else errors
    skip = [Path(p).resolve() for p in exclude]
    files: list[str] = []
    tables: list[str] = []
    remote: list[str] = []
    local_docs: list[dict[str, Any]] = []
    for raw in map(str, paths):
        if raw == "-" or raw.lower().startswith(("http://", "https://")):
            from .io.fetch import read_inputs as read_local

            for item in read_local([raw], max_bytes=max_bytes):
                if isinstance(item, ReadError):
                    errors.append(item.to_dict())
                else:
                    local_docs.append({"doc": pickle.dumps(item), "error": None})
            continue
        if _remote(raw):
            (tables if raw.lower().endswith(".parquet") else remote).append(raw)
            continue
        path = Path(raw.removeprefix("file://"))
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts)
                and not any(p.resolve().is_relative_to(x) for x in skip))
            listed = [p for p in found if _reader_for(p) or p.suffix.lower() == ".parquet"]
            if not listed:
                errors.append(ReadError(str(path), "E109",
                                        Errors.E109.format(source=path)).to_dict())
            for p in found:
                _place(p, files, tables, errors)
        elif path.exists():
            _place(path, files, tables, errors)
        else:
            errors.append(ReadError(str(path), "E100", Errors.E100.format(source=path))
                          .to_dict())
    parts = []
    if local_docs:
        parts.append(ray.data.from_items(local_docs))
    if files or remote:
        read = ray.data.read_binary_files(
            files + remote, include_paths=True, **_LIGHT,
            **({"file_extensions": list(FILE_SUFFIXES)} if remote else {}))
        parts.append(read.map_batches(_parse, fn_kwargs={"max_bytes": max_bytes},
                                      batch_size=1, batch_format="numpy", **_LIGHT))
    if tables:
        parts.append(ray.data.read_parquet(tables, **_LIGHT).map_batches(
            _records_to_docs, batch_format="numpy", **_LIGHT))
    out = None
    for part in parts:
        out = part if out is None else out.union(part)
    return out


def _place(path: Path, files: list[str], tables: list[str],
           errors: list[dict[str, Any]]) -> None:
    from .io.readers import ReadError, _reader_for

    if path.suffix.lower() == ".parquet":
        tables.append(str(path))
    elif _reader_for(path):
        files.append(str(path))
    else:
        errors.append(ReadError(str(path), "E108", Errors.E108.format(
            source=path, suffix=path.suffix or "(none)"), id=path.stem).to_dict())


def _records_to_docs(batch: dict[str, Any], source: str = "parquet"
                     ) -> dict[str, list[Any]]:
    """Article records -> pickled Documents (or errors), so tables and files can share a
    Dataset; ``source`` is that of a record without one."""
    from .errors import InputError
    from .io.readers import ReadError, record_document
    from .io.safe import clean_value

    n = len(next(iter(batch.values()))) if batch else 0
    out: dict[str, list[Any]] = {"doc": [], "error": []}
    for i in range(n):
        record = clean_value({k: _plain(v[i]) for k, v in batch.items()})
        record = {k: v for k, v in record.items() if v is not None}
        try:
            doc = record_document(record, str(record.get("source") or source),
                                  _record_id(record))
            out["doc"].append(pickle.dumps(doc))
            out["error"].append(None)
        except InputError as exc:
            out["doc"].append(None)
            out["error"].append(json.dumps(ReadError.from_exc(exc, id=_record_id(record))
                                           .to_dict(), ensure_ascii=False))
    return out


# writing ---------------------------------------------------------------------------------


def articles(ds: Any, errors: list[dict[str, Any]] | None = None
             ) -> Iterator[dict[str, Any]]:
    """The report articles of an analysed Dataset, in its order, one at a time; the rows
    that are read errors go to ``errors``."""
    for row in ds.iter_rows():
        if row.get("article") is not None:
            yield json.loads(row["article"])
        elif errors is not None and row.get("error") is not None:
            errors.append(json.loads(row["error"]))


def is_uri(outdir: str) -> bool:
    """Is ``outdir`` a folder of a pyarrow filesystem (``s3://``, ``file://`` ...)?"""
    return _remote(outdir) or outdir.startswith("file://")


def _filesystem(outdir: str) -> tuple[Any, str] | None:
    """(pyarrow filesystem, path in it) for a URI folder; None for a local path."""
    if not is_uri(outdir):
        return None
    from pyarrow import fs

    return fs.FileSystem.from_uri(outdir)


def write(ds: Any, outdir: str | Path, formats: Sequence[str] = ("jsonl",), *,
          generator: dict[str, Any] | None = None) -> list[str]:
    """Write an analysed Dataset to ``outdir`` (a local folder, or a URI pyarrow reaches)
    as a local run writes it: ``report.jsonl`` and the Parquet tables; locally also
    ``json``, ``html``, ``md``, ``claimreview`` and ``run.json``. Returns the paths."""
    errors: list[dict[str, Any]] = []
    generator = generator or {"name": "claimscope", "engine": "ray"}
    remote = _filesystem(str(outdir))
    if remote is None:
        from .runner import RunOutput

        out = RunOutput(Path(outdir), list(formats))
        out.check()
        out.begin(generator, resume=False)
        for article in articles(ds, errors):
            out.write(article)
        return [str(p) for p in out.finish(generator, errors, {"analysed": out.written})]
    return [str(p) for p in _write_remote(articles(ds, errors), remote, list(formats),
                                          generator, errors)]


def _write_remote(items: Any, remote: tuple[Any, str], formats: list[str],
                  generator: dict[str, Any], errors: list[dict[str, Any]]) -> list[str]:
    """``report.jsonl`` and the Parquet tables into a pyarrow filesystem folder, through
    temporary names moved into place at the end."""
    from .io.parquet import ParquetSink
    from .io.writers import jsonl_line

    bad = [f for f in formats if f not in REMOTE_FORMATS]
    if bad:
        raise ClaimscopeError(Errors.E018.format(formats=", ".join(bad)))
    fs, root = remote
    root = root.rstrip("/")
    fs.create_dir(root, recursive=True)
    tmp = f"{root}/.report.jsonl.{os.getpid()}.tmp"
    stream = fs.open_output_stream(tmp) if "jsonl" in formats else None
    sink = ParquetSink(root, filesystem=fs) if "parquet" in formats else None
    n = 0
    try:
        for article in items:
            if stream is not None:
                stream.write(jsonl_line(article).encode("utf-8", "replace"))
            if sink is not None:
                sink.write(article)
            n += 1
    except BaseException:
        if stream is not None:
            stream.close()
            fs.delete_file(tmp)
        if sink is not None:
            sink.abort()
        raise
    written: list[str] = []
    if stream is not None:
        stream.close()
        fs.move(tmp, f"{root}/report.jsonl")
        written.append(f"{root}/report.jsonl")
    if sink is not None:
        written.extend(str(p) for p in sink.close())
    run = {"schema_version": "1", "generator": generator, "status": "complete",
           "formats": formats, "counts": {"analysed": n}, "errors": errors}
    with fs.open_output_stream(f"{root}/run.json") as fh:
        fh.write((json.dumps(run, ensure_ascii=False, indent=2) + "\n").encode())
    return written


# the command -----------------------------------------------------------------------------


def run_analysis(paths: list[str], outdir: str | Path, formats: list[str], setup: Any, *,
                 address: str | None = None, workers: int | None = None,
                 max_bytes: int, quiet: bool = False,
                 echo: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Any:
    """``claimscope analyze --engine ray``: ``paths`` read by :func:`read_inputs`, analysed
    by :func:`analyze` with ``workers`` actors (default: one per CPU of the cluster), and
    written by the local run's writers (or to a pyarrow filesystem). Returns the runner's
    ``RunResult``; raises ``RunError`` (before any analysis) for an unusable folder."""
    from tqdm import tqdm

    from . import load
    from .report import generator_info
    from .runner import (
        Interrupted,
        RunOutput,
        RunResult,
        _install_signals,
        _note_article,
        _now,
        _restore_signals,
        count_inputs,
    )

    remote = _filesystem(str(outdir))
    local = remote is None
    out = RunOutput(Path(outdir), formats) if local else None
    if out is not None:
        out.check()
    joined = require_ray().is_initialized()  # a cluster this process already uses stays up
    ray = init(address)
    generator = dict(generator_info(load(setup.stages, config=setup.config)), created=_now(),
                     engine="ray")
    read_errors: list[dict[str, Any]] = []
    ds = read_inputs(paths, max_bytes=max_bytes, exclude=[outdir] if local else [],
                     errors=read_errors)
    for err in read_errors:
        echo(f"error: {err['message']}")
    counts: Counter = Counter()
    if ds is None:
        echo("error: nothing to analyse" if not read_errors else
             f"error: none of the {len(read_errors)} input(s) could be read")
        return RunResult(1, [], dict(counts), read_errors)
    cpus = ray.cluster_resources().get("CPU", 1)
    result = analyze(ds, stages=setup.stages, config=setup.config,
                     batch_size=setup.batch_size, concurrency=workers or max(1, int(cpus)),
                     imports=setup.imports)
    total = count_inputs([p for p in paths if not _remote(p)], Path(outdir)) if local else None
    bar = tqdm(total=total, unit="article", file=sys.stderr,
               disable=quiet or not sys.stderr.isatty(), dynamic_ncols=True)
    previous = _install_signals()

    def analysed() -> Iterator[dict[str, Any]]:
        before = len(read_errors)
        for article in articles(result, read_errors):
            _note_article(article, counts, echo)
            bar.update(1)
            yield article
            for err in read_errors[before:]:
                echo(f"error: {err['message']}")
                bar.update(1)
            before = len(read_errors)

    try:
        if out is None:
            written = _write_remote(analysed(), remote, formats, generator, read_errors)
        else:
            out.begin(generator, resume=False)
            for article in analysed():
                out.write(article)
            bar.close()
            counts["read_errors"] = len(read_errors)
            if counts["analysed"] == 0:
                out.interrupt(generator, read_errors, dict(counts), status="empty")
                out.partial.unlink(missing_ok=True)
                echo(f"error: none of the {len(read_errors)} input(s) could be read")
                return RunResult(1, [], dict(counts), read_errors)
            written = out.finish(generator, read_errors, dict(counts))
            for note in out.notes:
                echo(f"error: [{note['code']}] {note['message']}")
        bar.close()
        counts["read_errors"] = len(read_errors)
        code = 1 if read_errors or counts["failed"] or (out and out.notes) else 0
        return RunResult(code, [Path(str(p)) for p in written], dict(counts), read_errors)
    except Interrupted as exc:
        bar.close()
        counts["read_errors"] = len(read_errors)
        if out is not None:
            out.interrupt(generator, read_errors, dict(counts))
        echo(f"interrupted: {counts['analysed']} article(s) were analysed; run the command "
             "again to analyse them all (--resume is for the local engine)")
        return RunResult(exc.code, [], dict(counts), read_errors)
    finally:
        _restore_signals(previous)
        if not joined:
            shutdown()
