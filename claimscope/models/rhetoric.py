"""The rhetoric heads: persuasion spans, paragraph techniques, frames and genre.

They read what the shared encoder already computed (``encode`` stage): the token states
of every sentence and the sentence embeddings. No second encoder pass.

Files (in the model folder, listed with sha256 in ``persuasion.json``):

- ``rhetoric.onnx`` — a small transformer over the frozen token states of one sentence:
  inputs ``token_states`` float32 (batch, tokens, 384) and ``mask`` float32 (batch, tokens);
  outputs ``features`` (batch, tokens, d), ``bio`` (batch, tokens, 3: O, B, I
  probabilities), ``para_value`` and ``para_attention`` (batch, tokens, 23).
- ``rhetoric.npz`` — numpy heads: the span technique classifier (an MLP on pooled token
  features and model-free span features), the paragraph head's sentence part and
  thresholds, the article heads (frames: one-vs-rest logistic, genre: softmax).

Run time: onnxruntime and numpy only.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import default_threads
from ..errors import Errors, ModelError
from ..rhetoric import (FRAMES, GENRES, PTC_TECHNIQUES, ST3_TECHNIQUES, decode_spans,
                        group_by_paragraph, merge_close, span_features, span_hashes)

MANIFEST = "persuasion.json"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


class SentenceOutputs:
    """The token head's outputs for one sentence (arrays over its tokens)."""

    __slots__ = ("features", "bio", "para_value", "para_attention", "offsets")

    def __init__(self, features: np.ndarray, bio: np.ndarray, para_value: np.ndarray,
                 para_attention: np.ndarray, offsets: np.ndarray) -> None:
        self.features, self.bio = features, bio
        self.para_value, self.para_attention = para_value, para_attention
        self.offsets = offsets


class RhetoricModel:
    """Loads ``persuasion.json``, ``rhetoric.onnx`` and ``rhetoric.npz`` on first use."""

    def __init__(self, data_dir: Path, *, threads: int | None = None, verify: bool = True,
                 batch_size: int = 64, encoder_path: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.encoder_path = Path(encoder_path) if encoder_path else None
        self.threads = threads
        self.verify = verify
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self.manifest_: dict[str, Any] | None = None
        self.session_: Any = None
        self.weights_: dict[str, np.ndarray] | None = None

    # loading -------------------------------------------------------------
    def _load(self) -> None:
        with self._lock:
            if self.session_ is not None:
                return
            import onnxruntime as ort

            path = self.data_dir / MANIFEST
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc
            files = manifest.get("files", {})
            for name in ("rhetoric.onnx", "rhetoric.npz"):
                file = self.data_dir / name
                if not file.is_file():
                    raise ModelError(Errors.E005.format(path=file, detail="not found"))
                expected = files.get(name, {}).get("sha256")
                if self.verify and expected:
                    got = _sha256(file)
                    if got != expected:
                        raise ModelError(Errors.E006.format(path=file, got=got,
                                                            expected=expected))
            trained_on = manifest.get("encoder_sha256")
            if self.verify and trained_on and self.encoder_path is not None \
                    and self.encoder_path.is_file():
                installed = _sha256(self.encoder_path)
                if installed != trained_on:
                    raise ModelError(Errors.E400.format(path=self.data_dir, expected=trained_on,
                                                        got=installed))
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads or default_threads()
            opts.inter_op_num_threads = 1
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            try:
                sess = ort.InferenceSession(str(self.data_dir / "rhetoric.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ModelError(Errors.E005.format(path=self.data_dir / "rhetoric.onnx",
                                                    detail=exc)) from exc
            with np.load(self.data_dir / "rhetoric.npz") as npz:
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
        return {"name": m.get("name"), "trained_on_encoder": m.get("encoder_sha256"),
                "sha256": {k: v.get("sha256") for k, v in m.get("files", {}).items()}}

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
        inputs = {i.name for i in self.session_.get_inputs()}
        lexical = "token_ids" in inputs
        if "context" in inputs and context is None:
            raise ModelError(Errors.E005.format(
                path=self.data_dir / "rhetoric.onnx",
                detail="the head needs the sentence context; pass sentence_context(...)"))
        if lexical and (ids is None or any(t is None for t in ids)):
            raise ModelError(Errors.E005.format(
                path=self.data_dir / "rhetoric.onnx",
                detail="the head needs token ids; run the 'encode' stage with token_states"))
        out: list[SentenceOutputs | None] = [None] * len(states)
        order = sorted(range(len(states)), key=lambda i: len(states[i]))
        for k in range(0, len(order), self.batch_size):
            idx = order[k:k + self.batch_size]
            width = max(max(len(states[i]) for i in idx), 1)
            x = np.zeros((len(idx), width, states[idx[0]].shape[1] if len(states[idx[0]])
                          else 384), dtype=np.float32)
            mask = np.zeros((len(idx), width), dtype=np.float32)
            tok = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(states[i])
                x[row, :n] = states[i]
                mask[row, :n] = 1.0
                if lexical:
                    tok[row, :n] = ids[i]  # type: ignore[index]
            feeds = {"token_states": x, "mask": mask}
            if lexical:
                feeds["token_ids"] = tok
            if "context" in inputs:
                feeds["context"] = np.ascontiguousarray(context[idx], dtype=np.float32)
            feats, bio, pval, patt = self.session_.run(
                ["features", "bio", "para_value", "para_attention"], feeds)
            for row, i in enumerate(idx):
                n = len(states[i])
                out[i] = SentenceOutputs(feats[row, :n], bio[row, :n], pval[row, :n],
                                         patt[row, :n], offsets[i])
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
        spans = []
        for si, o in enumerate(outs):
            if len(o.bio) == 0:
                continue
            p_in = o.bio[:, 1] + o.bio[:, 2]
            found = merge_close(text, decode_spans(text, o.offsets, p_in, o.bio[:, 1], t, split),
                                gap)
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
        """Technique probabilities (n_spans, 14) of spans ``(start, end, tokens or None)``."""
        w = self.w
        if not spans:
            return np.zeros((0, len(PTC_TECHNIQUES)), dtype=np.float32)
        lowered = text.lower()
        rows = []
        for start, end, tokens in spans:
            if tokens is None:
                tokens = self.span_tokens(sentence_bounds, outs, start, end)
            rows.append(self._span_input(text, lowered, sentence_bounds, outs, start, end,
                                         tokens))
        x = np.stack(rows)
        h = _gelu(x @ w["span.W1"] + w["span.b1"])
        logits = h @ w["span.W2"] + w["span.b2"]
        if "span.bow" in w:
            for r, (start, end, _) in enumerate(spans):
                hashes = span_hashes(text, start, end)
                if hashes:
                    logits[r] += w["span.bow"][hashes].sum(0)
        return _softmax(logits)

    @property
    def feature_dim(self) -> int:
        """Width d of the token head's features."""
        return int(self.manifest["token_head"]["d"])

    def _span_input(self, text: str, lowered: str, sentence_bounds: Sequence[tuple[int, int]],
                    outs: Sequence[SentenceOutputs], start: int, end: int,
                    tokens: list[tuple[int, int]]) -> np.ndarray:
        dim = self.feature_dim
        if tokens:
            f = np.stack([outs[si].features[k] for si, k in tokens])
            sent = tokens[0][0]
            ctx = outs[sent].features[outs[sent].offsets[:, 0] >= 0]
            ctx_mean = ctx.mean(0) if len(ctx) else np.zeros(dim, np.float32)
            pooled = np.concatenate([f.mean(0), f.max(0), f[0], f[-1], ctx_mean])
            s0, s1 = sentence_bounds[sent]
        else:
            pooled = np.zeros(5 * dim, dtype=np.float32)
            s0, s1 = start, end
        feats = span_features(text, start, end, s0, s1, lowered)
        return np.concatenate([pooled, feats]).astype(np.float32)

    # paragraphs ----------------------------------------------------------------
    def paragraph_probs(self, para_bounds: Sequence[tuple[int, int]],
                        sentence_bounds: Sequence[tuple[int, int]],
                        outs: Sequence[SentenceOutputs],
                        sentence_embeddings: np.ndarray) -> np.ndarray:
        """ST3 technique probabilities (n_paragraphs, 23)."""
        w = self.w
        groups = group_by_paragraph(para_bounds, sentence_bounds)
        out = np.zeros((len(para_bounds), len(ST3_TECHNIQUES)), dtype=np.float32)
        for p, sents in enumerate(groups):
            logit = w["para.b"].astype(np.float32).copy()
            if sents:
                vals = np.concatenate([outs[s].para_value[outs[s].offsets[:, 0] >= 0]
                                       for s in sents])
                atts = np.concatenate([outs[s].para_attention[outs[s].offsets[:, 0] >= 0]
                                       for s in sents])
                if len(vals):
                    logit += (_softmax(atts, axis=0) * vals).sum(0)
                logit += sentence_embeddings[sents].mean(0) @ w["para.Ws"]
            out[p] = _sigmoid(logit)
        return out

    @property
    def paragraph_thresholds(self) -> np.ndarray:
        return self.w["para.threshold"]

    # article ----------------------------------------------------------------------
    def article_features(self, outs: Sequence[SentenceOutputs], sentence_embeddings: np.ndarray,
                         para_probs: np.ndarray, span_probs: np.ndarray) -> np.ndarray:
        """One vector per article for the frame and genre heads."""
        dim = self.feature_dim
        tok = [o.features[o.offsets[:, 0] >= 0] for o in outs]
        tok = [t for t in tok if len(t)]
        feats = np.concatenate(tok).mean(0) if tok else np.zeros(dim, np.float32)
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


def sentence_context(sentence_embeddings: np.ndarray) -> np.ndarray:
    """Per sentence: its embedding and the mean embedding of its article (n, 768)."""
    emb = np.asarray(sentence_embeddings, dtype=np.float32).reshape(-1, 384)
    if not len(emb):
        return np.zeros((0, 768), np.float32)
    return np.concatenate([emb, np.broadcast_to(emb.mean(0), emb.shape)], axis=1)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
