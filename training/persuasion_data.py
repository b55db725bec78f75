"""Readers of the persuasion data sets in ../shared/data, shared by training and benchmarks.

- SemEval-2020 Task 11 PTC: ``ptc(split)`` -> articles with gold technique spans.
- SemEval-2023 Task 3 (English): ``st3(split)`` -> articles with per-paragraph technique
  sets (paragraph = non-blank line, numbered by line as in the task files);
  ``st12()`` -> training articles with genre (subtask 1) and frames (subtask 2).
- FIGNEWS 2024: ``fignews()`` -> posts with English MT, majority propaganda and bias votes.

Each article is a dict with ``id`` and ``text`` (the file's text, unchanged, so gold
offsets index it). ``features(articles, models)`` runs the real pipeline's ``segment``
and ``encode`` stages (token states on) and caches what the heads are trained on.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLAIMSCOPE_SHARED_DATA", ROOT.parent / "shared" / "data"))
PTC = "semeval2020-task11-ptc"
ST3 = "semeval2023-task3-en"
FIGNEWS = "fignews2024-israel-gaza"
CACHE = Path(os.environ.get("CLAIMSCOPE_FEATURE_CACHE", "/tmp/cs_persuasion/features"))


def _read(path: Path) -> str:
    # newline="" keeps "\r" characters, so offsets stay those of the file
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def _article_id(name: str) -> str:
    return re.search(r"article(\d+)", name).group(1)


def ptc(split: str, data: Path = SHARED) -> list[dict[str, Any]]:
    """PTC ``train`` or ``dev`` articles: id, text, spans [(technique, start, end)]."""
    folder = data / PTC
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with (folder / f"{split}-task2-TC.labels").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                aid, label, start, end = line.rstrip("\n").split("\t")
                spans[aid].append((label, int(start), int(end)))
    out = []
    for path in sorted((folder / f"{split}-articles").glob("article*.txt")):
        aid = _article_id(path.name)
        out.append({"id": aid, "text": _read(path), "spans": sorted(spans.get(aid, []),
                                                                    key=lambda s: s[1:])})
    return out


def ptc_techniques(data: Path = SHARED) -> list[str]:
    path = data / PTC / "propaganda-techniques-names-semeval2020task11.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def line_paragraphs(text: str) -> dict[int, tuple[int, int]]:
    """Non-blank lines by 1-based line number -> (start, end) without outer white space."""
    out, pos = {}, 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            start = pos + (len(line) - len(line.lstrip()))
            out[number] = (start, pos + len(line.rstrip()))
        pos += len(line) + 1
    return out


def st3(split: str, data: Path = SHARED) -> list[dict[str, Any]]:
    """ST3 ``train`` or ``dev``: id, text, paragraphs [{line, start, end, labels}]."""
    folder = data / ST3 / "subtask3"
    labels: dict[str, dict[int, list[str]]] = defaultdict(dict)
    with (folder / f"{split}-labels-subtask-3.txt").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                aid, number, *rest = line.rstrip("\n").split("\t")
                techs = rest[0].split(",") if rest and rest[0].strip() else []
                labels[aid][int(number)] = [t.strip() for t in techs if t.strip()]
    out = []
    for path in sorted((folder / f"{split}-articles").glob("article*.txt")):
        aid = _article_id(path.name)
        text = _read(path)
        paras = line_paragraphs(text)
        items = [{"line": n, "start": paras[n][0], "end": paras[n][1], "labels": labs}
                 for n, labs in sorted(labels.get(aid, {}).items()) if n in paras]
        out.append({"id": aid, "text": text, "paragraphs": items})
    return out


def st3_techniques(data: Path = SHARED) -> list[str]:
    path = data / ST3 / "subtask3" / "techniques_subtask3.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def st12(data: Path = SHARED) -> list[dict[str, Any]]:
    """ST1/ST2 training articles: id, text, genre, frames (no dev labels exist)."""
    folder = data / ST3 / "subtask1-2"

    def table(name: str) -> dict[str, str]:
        rows = {}
        with (folder / name).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    aid, _, value = line.rstrip("\n").partition("\t")
                    rows[aid] = value
        return rows

    genre, frames = table("train-labels-subtask-1.txt"), table("train-labels-subtask-2.txt")
    out = []
    for path in sorted((folder / "train-articles").glob("article*.txt")):
        aid = _article_id(path.name)
        out.append({"id": aid, "text": _read(path), "genre": genre[aid],
                    "frames": [f for f in frames.get(aid, "").split(",") if f]})
    return out


def fignews(data: Path = SHARED) -> list[dict[str, str]]:
    """The 1,500 FIGNEWS IAA posts: id, text (English MT), majority_propaganda/bias."""
    path = data / FIGNEWS / "derived" / "fignews_iaa_text_with_vote_counts.tsv"
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{"id": f"{r['batch']}-{r['source_language']}-{r['id']}",
             "language": r["source_language"], "text": r["english_mt"],
             "majority_propaganda": r["majority_propaganda"],
             "majority_bias": r["majority_bias"]} for r in rows]


# ------------------------------------------------------------------ features


def encoder_digest(models: str | Path | None = None) -> str:
    """sha256 of the encoder file that produced the features (keys the cache)."""
    from claimscope.models import bundle

    path = bundle(str(models) if models else None).encoder.onnx_path
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def features(name: str, articles: list[dict[str, Any]], models: str | Path | None = None,
             batch_size: int = 16, states_output: str = "last_hidden_state",
             cache: bool = True) -> list[dict[str, Any]]:
    """Run segment + encode (token states) over ``articles``; cached per encoder
    (``cache=False``: not read nor written, for states that depend on more than the
    encoder file, such as the rhetoric encoder graph's).

    Each item: id, sentences [(start, end)], sentence_embeddings (n, 384) float32,
    token_states [per sentence float16 (t, width)], token_offsets [int32 (t, 2)].
    """
    import claimscope

    digest = encoder_digest(models)[:16]
    ids = hashlib.sha256("\n".join(a["id"] for a in articles).encode()).hexdigest()[:8]
    # "blind": token states of the side-blind encoder pass (encode's default)
    layer = "" if states_output == "last_hidden_state" else f"-{states_output}"
    path = CACHE / digest / f"{name}-{len(articles)}-{ids}-blind{layer}.pkl"
    if cache and path.is_file():
        with path.open("rb") as fh:
            cached = pickle.load(fh)
        _add_ids(cached, articles, models)
        return cached
    nlp = claimscope.load(["segment", "encode"], models=str(models) if models else None,
                          config={"encode": {"token_states": True,
                                             "states_output": states_output}})
    out = []
    docs = (claimscope.Document(a["text"], id=a["id"]) for a in articles)
    for doc in nlp.pipe(docs, batch_size=batch_size):
        view = doc.tensors["model_text"]
        out.append({"id": doc.id,
                    "sentences": [(s.start, s.end) for s in doc.sentences],
                    "sentence_embeddings": doc.tensors["sentence_embeddings"],
                    "token_states": doc.tensors["token_states"],
                    "token_offsets": [_to_original(o, view) for o in doc.tensors["token_offsets"]],
                    "token_ids": doc.tensors["token_ids"]})
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def _to_original(offsets: np.ndarray, view: Any) -> np.ndarray:
    """Token offsets in the side-blind text the encoder read -> offsets in the article
    (a token of "Side A" covers the whole name it stands for), so gold spans line up."""
    if not view.pieces:
        return offsets
    out = offsets.copy()
    for row, (start, end) in enumerate(offsets):
        if start >= 0:
            out[row] = view.to_original_span(int(start), int(end))
    return out


def _add_ids(items: list[dict[str, Any]], articles: list[dict[str, Any]],
             models: str | Path | None) -> None:
    """Token ids for cached features that lack them (same tokenizer, same sentences)."""
    if all("token_ids" in f for f in items):
        return
    from claimscope.models import bundle

    enc = bundle(str(models) if models else None).encoder
    if enc.tokenizer_ is None:
        enc._load()
    texts = {a["id"]: a["text"] for a in articles}
    for f in items:
        sents = [texts[f["id"]][s:e] for s, e in f["sentences"]]
        encs = enc.tokenizer_.encode_batch(sents, add_special_tokens=True) if sents else []
        f["token_ids"] = [np.asarray(e.ids, np.int32) for e in encs]
        assert all(len(i) == len(s) for i, s in zip(f["token_ids"], f["token_states"]))


def token_labels(offsets: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """BIO tags (0 = O, 1 = B, 2 = I) of one sentence's tokens for character spans.

    A token is inside a span when its characters overlap it; the first inside token of
    each span is B. Special tokens are O.
    """
    tags = np.zeros(len(offsets), dtype=np.int64)
    for start, end in spans:
        inside = np.where((offsets[:, 0] >= 0) & (offsets[:, 0] < end) & (offsets[:, 1] > start))[0]
        if len(inside):
            if tags[inside[0]] == 0:
                tags[inside[0]] = 1
            for k in inside[1:]:
                if tags[k] == 0:
                    tags[k] = 2
    return tags


def map_bounds(src: str, dst: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Move ``(start, end)`` offsets of ``src`` onto ``dst``, a copy of it that differs only
    in white space (ST3 joins some PTC lines); None when the texts differ otherwise."""
    src_pos = [i for i, c in enumerate(src) if not c.isspace()]
    dst_pos = [i for i, c in enumerate(dst) if not c.isspace()]
    if len(src_pos) != len(dst_pos) or any(src[i] != dst[j] for i, j in zip(src_pos, dst_pos)):
        return None
    rank = {p: k for k, p in enumerate(src_pos)}
    out = []
    for start, end in bounds:
        ks = [rank[p] for p in range(start, end) if p in rank]
        if not ks:
            return None
        out.append((dst_pos[ks[0]], dst_pos[ks[-1]] + 1))
    return out
