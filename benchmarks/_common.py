"""Shared helpers of the benchmark scripts: data paths, loaders, metrics."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__import__("os").environ.get("CLAIMSCOPE_SHARED_DATA", ROOT.parent / "shared" / "data"))
BASELINE = Path(__file__).with_name("baseline.json")


def data_dir(name: str) -> Path:
    path = SHARED / name
    if not path.is_dir():
        sys.exit(f"benchmark data {path} is missing (it lives in ../shared/data beside the repo)")
    return path


def unquote(text: str) -> str:
    """Undo the CSV quoting that QUOTE_NONE leaves in a field (outer and doubled quotes).

    The CheckThat! TSVs quote fields with commas or quotes; readers see plain sentences.
    """
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a CheckThat! TSV, every field unquoted and stripped."""
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [{k: unquote(v or "").strip() for k, v in row.items()} for row in rows]


def f1_positive(gold: list[int], pred: list[int]) -> dict[str, float]:
    tp = sum(1 for g, p in zip(gold, pred) if g and p)
    fp = sum(1 for g, p in zip(gold, pred) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred) if g and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}


def macro_f1(gold: list[int], pred: list[int]) -> float:
    pos = f1_positive(gold, pred)["f1"]
    neg = f1_positive([1 - g for g in gold], [1 - p for p in pred])["f1"]
    return (pos + neg) / 2


def sentence_scores(texts: list[str], head: str) -> list[float]:
    """Run the real pipeline, one document per given sentence, and read one head."""
    import claimscope

    nlp = claimscope.load(["segment", "encode", head], config={"segment": {"mode": "whole"}})
    return [d.sentences[0].attrs[head] if d.sentences else 0.0
            for d in nlp.pipe(texts, batch_size=256)]


def baseline() -> dict:
    return json.loads(BASELINE.read_text()) if BASELINE.is_file() else {}


def report(name: str, rows: list[tuple[str, str, str]]) -> None:
    """Print a small table: metric, ours, published best / target."""
    print(f"\n== {name}")
    width = max(len(r[0]) for r in rows)
    for metric, ours, ref in rows:
        print(f"  {metric:<{width}}  {ours:>10}   {ref}")
