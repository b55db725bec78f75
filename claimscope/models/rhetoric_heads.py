"""The rhetoric heads: persuasion spans, paragraph techniques, frames and genre.

They read what the shared encoder already computed (``encode`` stage): the token states
of every sentence and the sentence embeddings. No second encoder pass.

Files (in the model folder, listed with sha256 in ``persuasion.json``):

- ``rhetoric_encoder.onnx`` — the encoder (its weights read from the encoder's own files)
  with the token head's input LayerNorms and projection of its six layers appended: it
  gives ``sentence_embedding`` (bit for bit the plain encoder's) and ``rhetoric_states``
  float16 (batch, tokens, d), the token head's input. The ``encode`` stage runs it in
  place of the plain encoder when the rhetoric layer is on.
- ``rhetoric.onnx`` — a small transformer over the token states of one sentence:
  inputs ``token_states`` float16 (batch, tokens, d) and ``mask`` float32 (batch, tokens);
  outputs ``features`` (batch, tokens, d), ``bio`` (batch, tokens, 3: O, B, I
  probabilities), ``para_value`` and ``para_attention`` (batch, tokens, 23).
- ``rhetoric.npz`` — numpy heads: the span technique classifier (an MLP on pooled token
  features and model-free span features), the paragraph head's sentence part and
  thresholds, the article heads (frames: one-vs-rest logistic, genre: softmax).

Run time: onnxruntime and numpy only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import Errors, ModelError
from ..rhetoric_labels import (
    FRAMES,
    GENRES,
    PTC_TECHNIQUES,
    ST3_TECHNIQUES,
    decode_spans,
    earlier_occurrences,
    group_by_paragraph,
    merge_close,
    span_features,
    span_hashes,
)
from . import _sha256, check_files, open_session, side_by_side

MANIFEST = "persuasion.json"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


class Summary(NamedTuple):
    """Per sentence (or, from ``summarise``, per row of a batch): see ``summarise``."""

    feature_sum: np.ndarray
    n_kept: np.ndarray
    para_max: np.ndarray
    para_z: np.ndarray
    para_a: np.ndarray
    inside_max: np.ndarray

    def row(self, i: int) -> Summary:
        """Row ``i`` of a batch's summary: one sentence's."""
        return Summary(*(a[i] for a in self))


def summarise(features: np.ndarray, para_value: np.ndarray, para_attention: np.ndarray,
              kept: np.ndarray, bio: np.ndarray) -> Summary:
    """What the paragraph and article heads need of a batch of sentences, over their
    word tokens (``kept``, (batch, tokens) bool: not [CLS], [SEP] or padding).

    Returns a ``Summary`` of arrays over the batch: per sentence
    the sum of the token features; the number of tokens; per paragraph column, the largest
    attention logit m, sum(exp(logit - m)) and sum(exp(logit - m) * value). A paragraph's
    attention-weighted value (a softmax over all its tokens) is then combined from its
    sentences' rows (``paragraph_probs``) without going back to the tokens; and the largest
    inside probability (B + I) of a word token, which lets ``detect`` skip a sentence no
    span can start in.
    """
    k = kept[..., None]
    feature_sum = np.matmul(kept[:, None, :].astype(features.dtype), features)[:, 0]
    n_kept = kept.sum(1)
    att = np.where(k, para_attention, -np.inf)
    para_max = att.max(1) if att.shape[1] else np.full(att.shape[::2], -np.inf, np.float32)
    e = np.exp(att - np.where(np.isfinite(para_max), para_max, 0.0)[:, None, :])
    inside = np.where(kept, bio[..., 1] + bio[..., 2], -np.inf)
    inside_max = inside.max(1) if inside.shape[1] else np.full(len(kept), -np.inf)
    return Summary(feature_sum, n_kept, para_max.astype(np.float32),
                   e.sum(1, dtype=np.float32), (e * para_value).sum(1, dtype=np.float32),
                   inside_max)


class SentenceOutputs:
    """The token head's outputs for one sentence (arrays over its tokens), and their
    ``summary`` (see ``summarise``; ``token_pass`` computes it for a whole batch)."""

    __slots__ = ("features", "bio", "para_value", "para_attention", "offsets", "_summary")

    def __init__(self, features: np.ndarray, bio: np.ndarray, para_value: np.ndarray,
                 para_attention: np.ndarray, offsets: np.ndarray,
                 summary: Summary | None = None) -> None:
        self.features, self.bio = features, bio
        self.para_value, self.para_attention = para_value, para_attention
        self.offsets = offsets
        self._summary = summary

    @property
    def summary(self) -> Summary:
        """This sentence's ``Summary``."""
        if self._summary is None:
            kept = (self.offsets[:, 0] >= 0)[None]
            self._summary = summarise(
                self.features[None], self.para_value[None], self.para_attention[None], kept,
                self.bio[None]).row(0)
        return self._summary


class RhetoricModel:
    """Loads ``persuasion.json``, ``rhetoric.onnx`` and ``rhetoric.npz`` on first use.

    ``manifest_name`` loads another set of heads from the same folder (the span model,
    ``span_model``): its manifest names its token head and numpy heads
    (``token_head.graph``, ``token_head.weights``) and lists every file with its sha256.
    """

    def __init__(self, data_dir: Path, *, threads: int | None = None, verify: bool = True,
                 batch_size: int = 32, encoder_path: Path | None = None,
                 manifest_name: str = MANIFEST) -> None:
        self.data_dir = Path(data_dir)
        self.encoder_path = Path(encoder_path) if encoder_path else None
        self.threads = threads
        self.verify = verify
        self.batch_size = batch_size
        self.manifest_name = manifest_name
        self._lock = threading.Lock()
        self.manifest_: dict[str, Any] | None = None
        self.session_: Any = None
        self.weights_: dict[str, np.ndarray] | None = None
        self._span_model: RhetoricModel | None = None

    # loading -------------------------------------------------------------
    def _load(self) -> None:
        with self._lock:
            if self.session_ is not None:
                return
            path = self.data_dir / self.manifest_name
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc
            files = manifest.get("files", {})
            head = manifest.get("token_head", {})
            onnx_file = self.data_dir / head.get("graph", "rhetoric.onnx")
            npz_file = self.data_dir / head.get("weights", "rhetoric.npz")
            # the token head, its numpy heads, its encoder graph when it has one, and
            # whatever else the manifest lists (a span model's own encoder weights)
            graph = head.get("encoder_graph")
            names = dict.fromkeys([onnx_file.name, npz_file.name, *([graph] if graph else []),
                                   *files])
            for name in names:
                file = self.data_dir / name
                if not file.is_file():
                    raise ModelError(Errors.E005.format(path=file, detail="not found"))
                if self.verify:
                    check_files(self.data_dir, {name: files.get(name, {}).get("sha256")})
            # the encoder graph, and the file its weights live in when they are external
            checks = [(self.encoder_path, manifest.get("encoder_sha256"))]
            weights = manifest.get("encoder_weights") or {}
            if self.encoder_path is not None and weights.get("file"):
                checks.append((self.encoder_path.parent / weights["file"], weights.get("sha256")))
            for file, trained_on in checks:
                if self.verify and trained_on and file is not None and file.is_file():
                    installed = _sha256(file)
                    if installed != trained_on:
                        raise ModelError(Errors.E400.format(path=self.data_dir,
                                                            expected=trained_on, got=installed))
            sess = open_session(onnx_file)
            with np.load(npz_file) as npz:
                self.weights_ = {k: npz[k] for k in npz.files}
            self.manifest_ = manifest
            self.session_ = sess

    @property
    def manifest(self) -> dict[str, Any]:
        if self.manifest_ is None:
            self._load()
        return self.manifest_  # type: ignore[return-value]

    @property
    def w(self) -> dict[str, np.ndarray]:
        if self.weights_ is None:
            self._load()
        return self.weights_  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        m = self.manifest
        out = {"name": m.get("name"), "trained_on_encoder": m.get("encoder_sha256"),
               "sha256": {k: v.get("sha256") for k, v in m.get("files", {}).items()}}
        if self.span_model is not None:
            out["span_model"] = self.span_model.describe()
        return out

    @property
    def combine(self) -> str:
        """How a span model's BIO outputs are used (``token_head.combine`` of its manifest):
        ``"alone"`` (default) decodes its own, ``"mean"`` decodes the mean of its and the
        shipped heads' (an ensemble of two encoders; the decoding in its numpy heads is
        tuned for that mean)."""
        combine = self.manifest["token_head"].get("combine", "alone")
        if combine not in ("alone", "mean"):
            raise ModelError(Errors.E005.format(
                path=self.data_dir / self.manifest_name,
                detail=f"token_head.combine: expected 'alone' or 'mean', got {combine!r}"))
        return str(combine)

    @property
    def span_model(self) -> RhetoricModel | None:
        """The heads that place the persuasion spans, when the manifest names them
        (``span_model``: a manifest in the same folder), else None: these heads place
        them. The span model reads token states of its own encoder (a second encoder
        pass in ``encode``); the technique of each span, the paragraphs, frames and
        genre stay with these heads."""
        name = self.manifest.get("span_model")
        if name and self._span_model is None:
            with self._lock:
                if self._span_model is None:
                    self._span_model = RhetoricModel(
                        self.data_dir, threads=self.threads, verify=self.verify,
                        batch_size=self.batch_size, manifest_name=str(name))
        return self._span_model if name else None

    # token head ------------------------------------------------------------
    def token_pass(self, states: Sequence[np.ndarray], offsets: Sequence[np.ndarray],
                   ids: Sequence[np.ndarray | None] | None = None,
                   context: np.ndarray | None = None) -> list[SentenceOutputs]:
        """Run the token head over sentences (batched, sorted by length).

        ``ids`` (the token ids) are needed when the head has a lexical input; ``context``
        (n_sentences, 768: each sentence's embedding and its article's mean embedding,
        see ``sentence_context``) when it has a context input.
        """
        if self.session_ is None:
            self._load()
        inputs = {i.name: i.type for i in self.session_.get_inputs()}
        # a graph that takes float16 states casts them itself (training/onnx_share.py)
        dtype = np.float16 if inputs.get("token_states") == "tensor(float16)" else np.float32
        lexical = "token_ids" in inputs
        if "context" in inputs and context is None:
            raise ModelError(Errors.E005.format(
                path=self.data_dir / self.manifest_name,
                detail="the head needs the sentence context; pass sentence_context(...)"))
        if lexical and (ids is None or any(t is None for t in ids)):
            raise ModelError(Errors.E005.format(
                path=self.data_dir / self.manifest_name,
                detail="the head needs token ids; run the 'encode' stage with token_states"))
        width_of = {i.name: i.shape[-1] for i in self.session_.get_inputs()}.get("token_states")
        dim = width_of if isinstance(width_of, int) else 384
        out: list[SentenceOutputs | None] = [None] * len(states)
        order = sorted(range(len(states)), key=lambda i: len(states[i]))

        def batches():
            for k in range(0, len(order), self.batch_size):
                idx = order[k:k + self.batch_size]
                width = max(max(len(states[i]) for i in idx), 1)
                x = np.zeros((len(idx), width, states[idx[0]].shape[1] if len(states[idx[0]])
                              else dim), dtype=dtype)
                mask = np.zeros((len(idx), width), dtype=np.float32)
                kept = np.zeros((len(idx), width), dtype=bool)
                tok = np.zeros((len(idx), width), dtype=np.int64)
                for row, i in enumerate(idx):
                    n = len(states[i])
                    x[row, :n] = states[i]
                    mask[row, :n] = 1.0
                    kept[row, :n] = offsets[i][:, 0] >= 0
                    if lexical:
                        tok[row, :n] = ids[i]  # type: ignore[index]
                feeds = {"token_states": x, "mask": mask}
                if lexical:
                    feeds["token_ids"] = tok
                if "context" in inputs:
                    feeds["context"] = np.ascontiguousarray(context[idx], dtype=np.float32)
                yield (idx, kept), feeds

        for (idx, kept), (feats, bio, pval, patt) in side_by_side(
                self.session_, ["features", "bio", "para_value", "para_attention"], batches(),
                self.threads):
            summary = summarise(feats, pval, patt, kept, bio)
            for row, i in enumerate(idx):
                n = len(states[i])
                out[i] = SentenceOutputs(feats[row, :n], bio[row, :n], pval[row, :n],
                                         patt[row, :n], offsets[i],
                                         summary.row(row))
        return out  # type: ignore[return-value]

    # spans -------------------------------------------------------------------
    @property
    def span_threshold(self) -> float:
        return float(self.w["si_threshold"])

    def detect(self, text: str, sentence_bounds: Sequence[tuple[int, int]],
               outs: Sequence[SentenceOutputs],
               threshold: float | None = None) -> list[tuple[int, int, float, list[tuple[int, int]]]]:
        """Candidate spans: ``(start, end, score, tokens)``; tokens are (sentence, token)."""
        t = self.span_threshold if threshold is None else threshold
        split = float(self.w["si_split"]) if "si_split" in self.w else 0.5
        gap = int(self.w["si_merge_gap"]) if "si_merge_gap" in self.w else 0
        seed = float(self.w["si_seed"]) if "si_seed" in self.w else None
        if seed is not None and threshold is not None:
            seed = max(seed, threshold)  # an explicit threshold keeps its meaning
        # no span without a word token at the threshold, and (hysteresis) at the seed
        floor = t if seed is None else max(t, seed)
        spans = []
        for si, o in enumerate(outs):
            if len(o.bio) == 0 or o.summary.inside_max < floor:
                continue
            p_in = o.bio[:, 1] + o.bio[:, 2]
            found = merge_close(text, decode_spans(text, o.offsets, p_in, o.bio[:, 1], t, split,
                                                   seed), gap)
            for start, end, a, b in found:
                spans.append((start, end, float(p_in[a:b].mean()),
                              [(si, k) for k in range(a, b)]))
        return spans

    def span_tokens(self, sentence_bounds: Sequence[tuple[int, int]],
                    outs: Sequence[SentenceOutputs], start: int, end: int) -> list[tuple[int, int]]:
        """The (sentence, token) pairs whose characters overlap ``[start, end)``."""
        found = []
        for si, (s0, s1) in enumerate(sentence_bounds):
            if s1 <= start or s0 >= end:
                continue
            off = outs[si].offsets
            hit = np.where((off[:, 0] >= 0) & (off[:, 0] < end) & (off[:, 1] > start))[0]
            found += [(si, int(k)) for k in hit]
        return found

    def classify(self, text: str, sentence_bounds: Sequence[tuple[int, int]],
                 outs: Sequence[SentenceOutputs],
                 spans: Sequence[tuple[int, int, list[tuple[int, int]] | None]]) -> np.ndarray:
        """Technique probabilities (n_spans, 14) of spans ``(start, end, tokens or None)``.

        With several token heads (an ensemble), each member's span classifier reads its own
        slice of the features and the probabilities are averaged.
        """
        if not spans:
            return np.zeros((0, len(PTC_TECHNIQUES)), dtype=np.float32)
        lowered = text.lower()
        rows = []
        for start, end, tokens in spans:
            if tokens is None:
                tokens = self.span_tokens(sentence_bounds, outs, start, end)
            rows.append(self._span_input(text, lowered, sentence_bounds, outs, start, end,
                                         tokens))
        x = np.stack(rows)                                  # (n, members, 5d + features)
        hashes = [span_hashes(text, start, end) for start, end, _ in spans]
        probs = np.zeros((len(spans), len(PTC_TECHNIQUES)), dtype=np.float32)
        for m in range(self.members):
            w1, b1, w2, b2 = (self._member(k, m) for k in ("span.W1", "span.b1", "span.W2",
                                                           "span.b2"))
            logits = _gelu(x[:, m] @ w1 + b1) @ w2 + b2
            if "span.bow" in self.w:
                bow = self._member("span.bow", m)
                for r, hs in enumerate(hashes):
                    if hs:
                        logits[r] += bow[hs].sum(0)
            probs += _softmax(logits)
        probs /= self.members
        boost = float(self.w.get("span.repetition_boost", 1.0))
        if boost != 1.0:
            # Repetition is a property of the article, not of the span's words: the
            # classifier sees it only through a few features, and under-uses them
            # (tuned on the held-out slice of PTC train; see training/README.md).
            rep = PTC_TECHNIQUES.index("Repetition")
            for r, (start, end, _) in enumerate(spans):
                if earlier_occurrences(lowered, start, end):
                    probs[r, rep] *= boost
            probs /= probs.sum(1, keepdims=True)
        return probs

    @property
    def states_input(self) -> str:
        """The encoder output(s) the token head reads: ``last_hidden_state``, another
        layer's ``hidden_K``, several joined by "+" (concatenated, see ``embed_tokens``),
        or ``rhetoric_states`` of ``encoder_graph``."""
        return str(self.manifest["token_head"].get("input", "last_hidden_state"))

    @property
    def reads_context(self) -> bool:
        """Whether the token head reads each sentence's context (``token_head.context``: its
        embedding and its article's mean embedding, see ``sentence_context``). A span model
        that does not needs no sentence embeddings from its encoder pass."""
        return bool(self.manifest["token_head"].get("context", False))

    @property
    def encoder_graph(self) -> Path | None:
        """The graph the ``encode`` stage runs instead of the plain encoder to give the
        token head's input (``token_head.encoder_graph``: the encoder's weights with the
        head's input projection appended, ``rhetoric_encoder.onnx``), or None when the
        head reads a plain encoder output. Checked with the other files when they load."""
        name = self.manifest["token_head"].get("encoder_graph")
        return self.data_dir / name if name else None

    @property
    def feature_dim(self) -> int:
        """Width d of one token head's features."""
        return int(self.manifest["token_head"]["d"])

    @property
    def members(self) -> int:
        """Number of token heads averaged (1, or an ensemble exported as one graph)."""
        return int(self.manifest["token_head"].get("members", 1))

    # member weights are stacked on a leading axis; a single head stores them unstacked
    _BASE_NDIM = {"span.W1": 2, "span.b1": 1, "span.W2": 2, "span.b2": 1, "span.bow": 2,
                  "para.Ws": 2, "para.b": 1}

    def _member(self, key: str, m: int) -> np.ndarray:
        a = self.w[key]
        return a[m] if a.ndim > self._BASE_NDIM[key] else a

    def _span_input(self, text: str, lowered: str, sentence_bounds: Sequence[tuple[int, int]],
                    outs: Sequence[SentenceOutputs], start: int, end: int,
                    tokens: list[tuple[int, int]]) -> np.ndarray:
        """Span classifier input per member: (members, 5d + model-free span features)."""
        dim, k = self.feature_dim, self.members
        if tokens:
            f = np.stack([outs[si].features[t] for si, t in tokens])
            sent = tokens[0][0]
            ctx = outs[sent].summary
            ctx_mean = (ctx.feature_sum / ctx.n_kept if ctx.n_kept
                        else np.zeros(k * dim, np.float32))
            parts = [f.mean(0), f.max(0), f[0], f[-1], ctx_mean]
            pooled = np.stack([np.concatenate([p[m * dim:(m + 1) * dim] for p in parts])
                               for m in range(k)])
            s0, s1 = sentence_bounds[sent]
        else:
            pooled = np.zeros((k, 5 * dim), dtype=np.float32)
            s0, s1 = start, end
        feats = span_features(text, start, end, s0, s1, lowered)
        return np.concatenate([pooled, np.broadcast_to(feats, (k, len(feats)))],
                              axis=1).astype(np.float32)

    # paragraphs ----------------------------------------------------------------
    def paragraph_probs(self, para_bounds: Sequence[tuple[int, int]],
                        sentence_bounds: Sequence[tuple[int, int]],
                        outs: Sequence[SentenceOutputs],
                        sentence_embeddings: np.ndarray) -> np.ndarray:
        """ST3 technique probabilities (n_paragraphs, 23)."""
        groups = group_by_paragraph(para_bounds, sentence_bounds)
        n_lab, k = len(ST3_TECHNIQUES), self.members
        out = np.zeros((len(para_bounds), n_lab), dtype=np.float32)
        logit = np.zeros((len(para_bounds), k, n_lab), dtype=np.float32)
        for m in range(k):
            logit[:, m] = self._member("para.b", m)
        full = [p for p, sents in enumerate(groups) if sents]
        if full:
            # each paragraph's sentences as one run of rows, combined with reduceat
            order = np.concatenate([groups[p] for p in full])
            sizes = np.array([len(groups[p]) for p in full])
            starts = np.cumsum(sizes) - sizes
            rows = [outs[s].summary for s in order]
            para_max = np.stack([r.para_max for r in rows])
            top = np.maximum.reduceat(para_max, starts, axis=0)          # (P, members*23)
            scale = np.exp(para_max - np.repeat(np.where(np.isfinite(top), top, 0.0), sizes, 0))
            z = np.add.reduceat(np.stack([r.para_z for r in rows]) * scale, starts, axis=0)
            a = np.add.reduceat(np.stack([r.para_a for r in rows]) * scale, starts, axis=0)
            has_tokens = np.isfinite(top)
            value = np.where(has_tokens, a / np.where(has_tokens, z, 1.0), 0.0)
            sent_mean = np.add.reduceat(np.asarray(sentence_embeddings, np.float32)[order],
                                        starts, axis=0) / sizes[:, None]
            for m in range(k):
                logit[full, m] += value[:, m * n_lab:(m + 1) * n_lab]
                logit[full, m] += sent_mean @ self._member("para.Ws", m)
        for m in range(k):
            out += _sigmoid(logit[:, m])
        return out / k

    @property
    def paragraph_thresholds(self) -> np.ndarray:
        return self.w["para.threshold"]

    # article ----------------------------------------------------------------------
    def article_features(self, outs: Sequence[SentenceOutputs], sentence_embeddings: np.ndarray,
                         para_probs: np.ndarray, span_probs: np.ndarray) -> np.ndarray:
        """One vector per article for the frame and genre heads."""
        dim = self.feature_dim
        n_kept = sum(int(o.summary.n_kept) for o in outs)
        feats = (np.sum([o.summary.feature_sum for o in outs], axis=0) / n_kept if n_kept
                 else np.zeros(self.members * dim, np.float32))
        sent = sentence_embeddings.mean(0) if len(sentence_embeddings) else np.zeros(384, np.float32)
        pp = (np.concatenate([para_probs.mean(0), para_probs.max(0)]) if len(para_probs)
              else np.zeros(2 * len(ST3_TECHNIQUES), np.float32))
        sp = (span_probs.sum(0) / max(1, len(sentence_embeddings)) if len(span_probs)
              else np.zeros(len(PTC_TECHNIQUES), np.float32))
        return np.concatenate([sent, feats, pp, sp]).astype(np.float32)

    def frames(self, x: np.ndarray) -> np.ndarray:
        w = self.w
        z = (x - w["article.mean"]) / w["article.scale"]
        return _sigmoid(z @ w["frames.W"] + w["frames.b"])

    @property
    def frame_thresholds(self) -> np.ndarray:
        return self.w["frames.threshold"]

    def genre(self, x: np.ndarray) -> np.ndarray:
        w = self.w
        z = (x - w["article.mean"]) / w["article.scale"]
        return _softmax(z @ w["genre.W"] + w["genre.b"])

    labels = {"persuasion": PTC_TECHNIQUES, "techniques": ST3_TECHNIQUES, "frames": FRAMES,
              "genre": GENRES}


def mean_bio(*members: Sequence[SentenceOutputs]) -> list[SentenceOutputs]:
    """Token-head outputs of several heads over the same sentences and tokens, with their
    BIO probabilities averaged (everything else is the first member's): what a span model
    with ``combine`` "mean" decodes."""
    first = members[0]
    return [SentenceOutputs(o.features, np.mean([m[k].bio for m in members], axis=0),
                            o.para_value, o.para_attention, o.offsets)
            for k, o in enumerate(first)]


def sentence_context(sentence_embeddings: np.ndarray) -> np.ndarray:
    """Per sentence: its embedding and the mean embedding of its article (n, 768)."""
    emb = np.asarray(sentence_embeddings, dtype=np.float32).reshape(-1, 384)
    if not len(emb):
        return np.zeros((0, 768), np.float32)
    return np.concatenate([emb, np.broadcast_to(emb.mean(0), emb.shape)], axis=1)
