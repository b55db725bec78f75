"""Offline models shipped inside the package: one int8 ONNX encoder, many heads.

Nothing is downloaded at run time. ``bundle()`` returns the shared, lazily
loaded models, so every stage that needs the encoder uses one session.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import Errors, ModelError, Warnings, check_param

# onnxruntime's Python build starts a telemetry client when it is imported, which writes an
# event store and a device id under ~/.cache/Microsoft/DeveloperTools; this variable (read
# at that import) keeps it off. A program that imported onnxruntime before claimscope gets
# disable_telemetry_events() in open_session instead.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

#: Where the shipped model files live (CLAIMSCOPE_MODELS overrides, e.g. for a retrained set).
DATA_DIR = Path(os.environ.get("CLAIMSCOPE_MODELS") or Path(__file__).parent / "data")
ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
HEADS_FILE = "heads.npz"
#: suffix of the float16 copy of a token-state output in the encoder graph
#: (``hidden_3_f16``; training/onnx_share.py adds them)
HALF_SUFFIX = "_f16"


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


class Tokens(NamedTuple):
    """Texts as the encoder reads them (``Encoder.tokenize``): per text the token ids as a
    list (``id_lists``) and as int32 (``ids``), their number (``lengths``) and int32
    (n_tokens, 2) character offsets, (-1, -1) for [CLS] and [SEP]."""

    id_lists: list[list[int]]
    lengths: np.ndarray
    offsets: list[np.ndarray]
    ids: list[np.ndarray]


class Encoder:
    """Sentence encoder: int8 ONNX MiniLM, mean-pooled, run by onnxruntime.

    Parameters are only stored here; the session and tokenizer load on first
    use. ``embed`` sorts texts by length so batches carry little padding. Batches of 32
    run as fast as 64 on 2 cores and keep onnxruntime's memory arena ~300 MB smaller.
    ``threads`` (default ``default_threads()``) batches run side by side, each on one
    thread: a batch's small matrix products split badly across threads, and two batches
    at once on two cores take ~20 % less time than each batch on both. A batch's result
    does not depend on what runs beside it (fixed activation ranges, tested).
    """

    def __init__(self, onnx_path: Path, tokenizer_path: Path, *, max_length: int = 128,
                 batch_size: int = 32, threads: int | None = None) -> None:
        self.onnx_path = Path(onnx_path)
        self.tokenizer_path = Path(tokenizer_path)
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self.session_: Any = None
        self.tokenizer_: Any = None
        self._graphs: dict[Path, Any] = {}

    @property
    def workers(self) -> int:
        """How many batches run side by side (one thread each)."""
        return workers(self.threads)

    def _load(self) -> None:
        with self._lock:
            if self.session_ is not None:
                return
            from tokenizers import Tokenizer

            if not self.tokenizer_path.is_file():
                raise ModelError(Errors.E005.format(path=self.tokenizer_path, detail="not found"))
            tok = Tokenizer.from_file(str(self.tokenizer_path))
            tok.enable_truncation(max_length=self.max_length)
            tok.no_padding()
            sess = open_session(self.onnx_path)
            self._input_names = {i.name for i in sess.get_inputs()}
            self._outputs = [o.name for o in sess.get_outputs()]
            self.tokenizer_ = tok
            self.session_ = sess

    def _session(self, graph: Path | None) -> tuple[Any, list[str]]:
        """The session of ``graph`` (another graph over the same encoder weights, such
        as the rhetoric layer's ``rhetoric_encoder.onnx``; None: the encoder itself) and
        its output names. Each graph loads once."""
        if self.session_ is None:
            self._load()
        if graph is None or Path(graph) == self.onnx_path:
            return self.session_, self._outputs
        graph = Path(graph)
        with self._lock:
            if graph not in self._graphs:
                sess = open_session(graph)
                self._graphs[graph] = (sess, [o.name for o in sess.get_outputs()])
        return self._graphs[graph]

    @property
    def dim(self) -> int:
        return 384

    @property
    def outputs(self) -> list[str]:
        """Names of the encoder graph's outputs (token states of some layers, the pooled
        ``sentence_embedding``); ``embed_tokens`` reads one or several of them."""
        if self.session_ is None:
            self._load()
        return list(self._outputs)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled sentence embeddings, shape (len(texts), dim), float32."""
        if self.session_ is None:
            self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer_.encode_batch(list(texts), add_special_tokens=True)
        pooled = "sentence_embedding" in self._outputs
        fetch = ["sentence_embedding" if pooled else self._outputs[0]]
        for idx, mask, (result,) in self._run(self.session_, fetch,
                                              self._batches([e.ids for e in encs])):
            out[idx] = result if pooled else _mean_pool(result, mask)
        return out

    def tokenize(self, texts: list[str], starts: Sequence[int] | None = None) -> Tokens:
        """The texts as the encoder reads them (see ``Tokens``); ``starts`` is added to
        text i's offsets (where it starts in a longer text)."""
        if self.session_ is None:
            self._load()
        encs = self.tokenizer_.encode_batch(list(texts), add_special_tokens=True) if texts else []
        id_lists = [e.ids for e in encs]
        # offsets and ids of all texts as one array each (one conversion, not one per text),
        # handed out as per-text views
        lengths = np.fromiter(map(len, id_lists), dtype=np.int64, count=len(id_lists))
        bounds = np.cumsum(lengths)[:-1]
        flat = np.array(list(chain.from_iterable(e.offsets for e in encs)),
                        dtype=np.int32).reshape(-1, 2)
        special = np.fromiter(chain.from_iterable(e.special_tokens_mask for e in encs),
                              dtype=bool, count=int(lengths.sum()))
        if starts is not None and len(flat):
            flat += np.repeat(np.asarray(starts, np.int32), lengths)[:, None]
        flat[special] = -1
        ids = np.fromiter(chain.from_iterable(id_lists), dtype=np.int32, count=int(lengths.sum()))
        return Tokens(id_lists, lengths, np.split(flat, bounds) if texts else [],
                      np.split(ids, bounds) if texts else [])

    def token_states(self, tokens: Tokens, states_output: str | None = None,
                     graph: Path | None = None, pooled: bool = True
                     ) -> tuple[np.ndarray | None, list[np.ndarray]]:
        """``(pooled, states)`` of tokenized texts: see ``embed_tokens``. With
        ``pooled=False`` the sentence embeddings are neither fetched nor computed (None):
        a graph pruned to its token states (a span model without context) has none."""
        session, outputs = self._session(graph)
        hidden_names = (states_output or ("last_hidden_state" if "last_hidden_state"
                                          in outputs else outputs[0])).split("+")
        n = len(tokens.id_lists)
        sentence = np.zeros((n, self.dim), dtype=np.float32)
        states: list[np.ndarray] = [np.zeros((0, self.dim * len(hidden_names)),
                                             np.float16)] * n
        if not n:
            return (sentence if pooled else None), states
        for name in hidden_names:
            if name not in outputs:
                raise ModelError(Errors.E402.format(path=graph or self.onnx_path, name=name,
                                                    outputs=", ".join(outputs)))
        # the float16 copy of an output when the graph has one; a graph without a pooled
        # output is pooled here, from the float32 states
        pool_here = pooled and "sentence_embedding" not in outputs
        fetch = [name + HALF_SUFFIX if name + HALF_SUFFIX in outputs and not pool_here
                 else name for name in hidden_names]
        for idx, mask, results in self._run(
                session, fetch + ["sentence_embedding"] if pooled and not pool_here else fetch,
                self._batches(tokens.id_lists)):
            if not pooled:
                hidden_parts, emb = results, None
            elif pool_here:
                hidden_parts, emb = results, _mean_pool(results[0], mask)
            else:
                *hidden_parts, emb = results
            # float16 parts come from the graph's own Cast (30x faster than numpy's)
            hidden_parts = [h.astype(np.float16, copy=False) for h in hidden_parts]
            hidden = (hidden_parts[0] if len(hidden_parts) == 1
                      else np.concatenate(hidden_parts, axis=-1))
            if emb is not None:
                sentence[idx] = emb
            for row, j in enumerate(idx):
                states[j] = hidden[row, :tokens.lengths[j]]
        return (sentence if pooled else None), states

    def embed_tokens(self, texts: list[str], states_output: str | None = None,
                     graph: Path | None = None, starts: Sequence[int] | None = None
                     ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """One pass giving what ``embed`` gives plus every text's token states.

        Returns ``(pooled, states, offsets, ids)``: ``pooled`` as ``embed``; ``states[i]``
        the float16 token states of text i (the model output ``states_output``, default
        ``last_hidden_state``; ``"a+b"`` concatenates outputs a and b along the last axis),
        shape (n_tokens, width), [CLS] and [SEP] included;
        ``offsets[i]`` int32 (n_tokens, 2) character offsets of each token in text i,
        (-1, -1) for the special tokens; ``ids[i]`` the int32 token ids. ``graph``: run
        that graph over the encoder's weights instead of the encoder (it must give
        ``sentence_embedding`` and ``states_output``), e.g. ``rhetoric_encoder.onnx``.
        ``starts``: added to text i's offsets (where it starts in a longer text).
        ``tokenize`` and ``token_states`` are its two halves, for several graphs over
        one tokenization.
        """
        tokens = self.tokenize(texts, starts)
        pooled, states = self.token_states(tokens, states_output, graph)
        return pooled, states, tokens.offsets, tokens.ids

    def _batches(self, id_lists: list[list[int]]
                 ) -> Iterator[tuple[list[int], dict[str, np.ndarray], np.ndarray]]:
        """``(indices, feeds, attention mask)`` of length-sorted batches (see padded_batches)."""
        for idx, ids, mask, _ in padded_batches(id_lists, self.batch_size):
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            yield idx, feeds, mask

    def _run(self, session: Any, fetch: list[str],
             batches: Iterator[tuple[list[int], dict[str, np.ndarray], np.ndarray]]
             ) -> Iterator[tuple[list[int], np.ndarray, list[np.ndarray]]]:
        """``(indices, attention mask, outputs)`` of every batch, in batch order."""
        for (idx, mask), outputs in side_by_side(
                session, fetch, (((idx, mask), feeds) for idx, feeds, mask in batches),
                self.threads):
            yield idx, mask, outputs


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


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    return (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)


class Heads:
    """Linear softmax heads over sentence embeddings, stored in one .npz file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.weights_: dict[str, tuple[np.ndarray, np.ndarray]] | None = None

    def _load(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        if self.weights_ is None:
            if not self.path.is_file():
                raise ModelError(Errors.E005.format(path=self.path, detail="not found"))
            with np.load(self.path) as npz:
                names = {k.rsplit(".", 1)[0] for k in npz.files}
                self.weights_ = {n: (npz[f"{n}.W"].astype(np.float32),
                                     npz[f"{n}.b"].astype(np.float32)) for n in names}
        return self.weights_

    @property
    def names(self) -> list[str]:
        return sorted(self._load())

    def predict_proba(self, name: str, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n, n_classes)."""
        heads = self._load()
        check_param("Heads.predict_proba", "name", name, name in heads,
                    f"one of {sorted(heads)}")
        W, b = heads[name]
        logits = X @ W + b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


class ModelBundle:
    """The shipped encoder, heads and manifest, loaded on first use."""

    def __init__(self, data_dir: Path = DATA_DIR, *, verify: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.verify = verify
        self._manifest: dict[str, Any] | None = None
        self._encoder: Encoder | None = None
        self._heads: Heads | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            path = self.data_dir / "manifest.json"
            try:
                self._manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc
            if self.verify:
                check_files(self.data_dir, {name: entry["sha256"] for name, entry
                                            in self._manifest.get("files", {}).items()})
        return self._manifest

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            m = self.manifest
            self._encoder = Encoder(self.data_dir / ENCODER_FILE, self.data_dir / TOKENIZER_FILE,
                                    max_length=int(m.get("max_length", 128)))
        return self._encoder

    @property
    def heads(self) -> Heads:
        if self._heads is None:
            self._heads = Heads(self.data_dir / HEADS_FILE)
        return self._heads

    @property
    def rhetoric(self) -> Any:
        """The rhetoric heads (persuasion spans, paragraph techniques, frames, genre) that
        read the encoder's token states; see ``claimscope.models.rhetoric_heads``."""
        model = getattr(self, "_rhetoric", None)
        if model is None:
            from .rhetoric_heads import RhetoricModel

            model = RhetoricModel(self.data_dir, verify=self.verify,
                                  encoder_path=self.encoder.onnx_path)
            self._rhetoric = model
        return model

    def describe(self) -> dict[str, Any]:
        """Model names, versions and file hashes for the report's generator block."""
        m = self.manifest
        return {"encoder": m.get("name"), "base_model": m.get("base_model"),
                "heads": sorted(m.get("heads", {})),
                "sha256": {name: e["sha256"] for name, e in m.get("files", {}).items()}}


def model_dir(data_dir: str | Path | None = None) -> Path:
    """The model folder ``data_dir`` (default: the shipped one) in one spelling, the key
    of the process-wide models (``bundle``, ``nli_model``)."""
    return Path(data_dir or DATA_DIR).resolve()


def bundle(data_dir: str | Path | None = None) -> ModelBundle:
    """The process-wide model bundle for ``data_dir`` (default: shipped models).

    ``bundle()``, ``bundle(None)`` and the folder's path in any spelling give one bundle:
    each would otherwise load its own copy of the models."""
    return _bundle(model_dir(data_dir))


@lru_cache(maxsize=4)
def _bundle(data_dir: Path) -> ModelBundle:
    return ModelBundle(data_dir)
