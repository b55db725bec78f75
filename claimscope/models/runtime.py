"""The onnxruntime side of the models: sessions on one shared memory arena, batches run
side by side, padded batches, file digests and checks, threads."""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, ModelError, Warnings, check_param


def default_threads() -> int:
    """Threads a model may use: ``CLAIMSCOPE_THREADS`` if set, else every core (each
    model runs that many batches side by side, see ``side_by_side``)."""
    value = os.environ.get("CLAIMSCOPE_THREADS", "").strip()
    if not value:
        return os.cpu_count() or 1
    check_param("the environment", "CLAIMSCOPE_THREADS", value,
                value.isdigit() and int(value) > 0, "a whole number >= 1 (or unset)")
    return int(value)


def padded_batches(id_lists: Sequence[list[int]], batch_size: int,
                   type_lists: Sequence[list[int]] | None = None
                   ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray, np.ndarray | None]]:
    """Length-sorted batches of token ids: ``(indices, ids, mask, type ids or None)``,
    int64 arrays padded to the longest text of the batch.

    Takes each text's ids as one list: a tokenizers ``Encoding`` builds a new list on
    every ``.ids`` access, which cost more than the padding itself.
    """
    lengths = [len(t) for t in id_lists]
    order = sorted(range(len(id_lists)), key=lengths.__getitem__)
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        width = lengths[idx[-1]]
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        types = np.zeros((len(idx), width), dtype=np.int64) if type_lists is not None else None
        for row, j in enumerate(idx):
            n = lengths[j]
            ids[row, :n] = id_lists[j]
            mask[row, :n] = 1
            if types is not None:
                types[row, :n] = type_lists[j]  # type: ignore[index]
        yield idx, ids, mask, types


_DYNAMIC = b"DynamicQuantizeLinear"  # an op type is a plain string in the protobuf


@lru_cache(maxsize=64)
def _facts(path: Path, size: int, mtime_ns: int) -> tuple[str, bool]:
    """sha256 of a file and whether it holds ``_DYNAMIC``, from one read (a model folder's
    graphs are checked for both when they load); cached while the file is unchanged."""
    h, found, tail = hashlib.sha256(), False, b""
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            found = found or _DYNAMIC in tail + chunk[:len(_DYNAMIC)] or _DYNAMIC in chunk
            tail = chunk[-(len(_DYNAMIC) - 1):]
    return h.hexdigest(), found


def _file_facts(path: Path) -> tuple[str, bool]:
    path = Path(path)
    st = path.stat()
    return _facts(path.resolve(), st.st_size, st.st_mtime_ns)


def _sha256(path: Path) -> str:
    return _file_facts(path)[0]


def batch_dependent(path: Path) -> bool:
    """True when the ONNX graph at ``path`` quantizes activations with per-batch ranges
    (``DynamicQuantizeLinear``)."""
    return _file_facts(path)[1]


def warn_if_batch_dependent(path: Path) -> None:
    """W005 once per graph file: a retrained model that skipped training/calibrate.py."""
    if path not in _WARNED and Path(path).is_file() and batch_dependent(path):
        _WARNED.add(path)
        warnings.warn(Warnings.W005.format(path=path), stacklevel=3)


_WARNED: set[Path] = set()


def check_files(data_dir: Path, digests: dict[str, str | None]) -> None:
    """Raise E006 unless every file named in ``digests`` (relative to ``data_dir``) has
    the recorded sha256; an absent file reads as 'missing', a None digest is not checked."""
    for name, digest in digests.items():
        if not digest:
            continue
        path = data_dir / name
        got = _sha256(path) if path.is_file() else "missing"
        if got != digest:
            raise ModelError(Errors.E006.format(path=path, got=got, expected=digest))


def open_session(path: Path) -> Any:
    """An onnxruntime session of the graph at ``path`` for ``side_by_side``: one intra-op
    thread (the batches run side by side instead). E005 when it is missing or unreadable;
    W005 when it quantizes per batch."""
    import onnxruntime as ort

    if not Path(path).is_file():
        raise ModelError(Errors.E005.format(path=path, detail="not found"))
    warn_if_batch_dependent(path)
    _no_telemetry()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    _shared_arena()
    opts.add_session_config_entry("session.use_env_allocators", "1")
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc


@cache
def _no_telemetry() -> None:
    """Turn onnxruntime's telemetry events off before any session (see ORT_DISABLE_TELEMETRY
    above, which also keeps its store off the disk)."""
    import onnxruntime as ort

    disable = getattr(ort, "disable_telemetry_events", None)
    if disable is not None:
        disable()


@cache
def _shared_arena() -> None:
    """Register one CPU memory arena with onnxruntime's environment for every session.

    Each session otherwise grows an arena of its own to its largest run and keeps it, so
    the encoder, span encoder, token heads and NLI graphs held their peaks side by side
    (1,513 against 815 MB peak for the whole pipeline with a span model; the same speed).
    """
    import onnxruntime as ort

    info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0,
                             ort.OrtMemType.DEFAULT)
    try:
        ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, 0, -1, -1))
    except Exception:  # one is registered already (by the host program): share that one
        pass


def workers(threads: int | None) -> int:
    """How many runs go side by side: ``threads``, else ``default_threads()``."""
    return threads or default_threads()


@cache
def _executor(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(workers, thread_name_prefix="claimscope-onnx")


def side_by_side(session: Any, fetch: list[str], jobs: Iterable[tuple[Any, dict[str, Any]]],
                 threads: int | None = None) -> Iterator[tuple[Any, list[np.ndarray]]]:
    """``(key, session.run(fetch, feeds))`` for each ``(key, feeds)`` of ``jobs``, in
    order. With ``workers(threads)`` > 1 the runs go side by side on a shared thread pool
    (onnxruntime sessions take concurrent runs; ``open_session`` gives each one thread).
    Every job is submitted at once, so their inputs and outputs are all held at once."""
    n = workers(threads)
    if n == 1:
        for key, feeds in jobs:
            yield key, session.run(fetch, feeds)
        return
    pool = _executor(n)
    futures = [(key, pool.submit(session.run, fetch, feeds)) for key, feeds in jobs]
    for key, future in futures:
        yield key, future.result()
