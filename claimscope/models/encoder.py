"""The sentence encoder (int8 MiniLM) and the linear sentence heads."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import Errors, ModelError, check_param
from .runtime import open_session, padded_batches, side_by_side
from .runtime import workers as _workers

#: suffix of the float16 copy of a token-state output in the encoder graph
#: (``hidden_3_f16``; training/onnx_share.py adds them)
HALF_SUFFIX = "_f16"


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
        return _workers(self.threads)

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
