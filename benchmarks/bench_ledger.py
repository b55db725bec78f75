"""Outcome ledger: precision, recall and F1 of rows against a hand-written gold set.

Each line of the gold file is ``{"id", "text", "rows": [[actor, kind, polarity,
domain, "author"|"source"], ...]}``. A predicted row matches a gold row of the
same item when actor, kind, polarity and domain are equal (multiset matching).
Per field: predicted and gold rows of an item are paired greedily by the
number of agreeing fields (actor first); accuracy is over those pairs.

    python benchmarks/bench_ledger.py                  # the gold set
    python benchmarks/bench_ledger.py --file benchmarks/ledger_dev.jsonl -v

The gold set (ledger_gold.jsonl) was written once and scored once at the end;
the rules were developed against ledger_dev.jsonl only.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from _common import report

HERE = Path(__file__).resolve().parent
FIELDS = ("actor", "kind", "polarity", "domain", "attribution")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def predict(texts: list[str]) -> list[list[tuple[str, ...]]]:
    import claimscope

    nlp = claimscope.load(["segment", "quantities", "actors", "ledger"])
    out = []
    for doc in nlp.pipe(texts, batch_size=64):
        out.append([(r["actor"], r["kind"], r["polarity"], r["domain"],
                     "author" if r["attributed_to"] == "author" else "source")
                    for r in doc.fields.get("ledger", [])])
    return out


def _pair(gold: list[tuple], pred: list[tuple]) -> list[tuple[tuple, tuple]]:
    pairs, left = [], list(pred)
    for g in gold:
        if not left:
            break
        best = max(left, key=lambda p: (p[0] == g[0], sum(a == b for a, b in zip(g, p))))
        if best[0] != g[0] and sum(a == b for a, b in zip(g, best)) < 2:
            continue
        pairs.append((g, best))
        left.remove(best)
    return pairs


def score(items: list[dict], preds: list[list[tuple]], verbose: bool = False) -> dict:
    tp = fp = fn = 0
    field_ok: Counter = Counter()
    n_pairs = 0
    for item, pred in zip(items, preds):
        gold = [tuple(r) for r in item["rows"]]
        g4 = Counter(r[:4] for r in gold)
        p4 = Counter(r[:4] for r in pred)
        hit = sum((g4 & p4).values())
        tp += hit
        fp += sum(p4.values()) - hit
        fn += sum(g4.values()) - hit
        for g, p in _pair(gold, pred):
            n_pairs += 1
            for f, a, b in zip(FIELDS, g, p):
                field_ok[f] += a == b
        if verbose and g4 != p4:
            print(f"\n[{item['id']}] {item['text']}\n  gold: {gold}\n  pred: {pred}")
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"items": len(items), "gold_rows": tp + fn, "predicted_rows": tp + fp,
            "precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3),
            "paired_rows": n_pairs,
            "field_accuracy": {f: round(field_ok[f] / n_pairs, 3) if n_pairs else 0.0
                               for f in FIELDS}}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=HERE / "ledger_gold.jsonl")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the misses")
    args = ap.parse_args(argv)
    items = load(args.file)
    preds = predict([i["text"] for i in items])
    res = score(items, preds, args.verbose)
    report(f"ledger rows on {args.file.name}: {res['items']} items, {res['gold_rows']} gold "
           f"rows, {res['predicted_rows']} predicted", [
        ("precision (actor, kind, polarity, domain)", f"{res['precision']:.3f}", ""),
        ("recall", f"{res['recall']:.3f}", ""),
        ("F1", f"{res['f1']:.3f}", "no published baseline (own gold set)"),
    ] + [(f"  {f} accuracy on {res['paired_rows']} paired rows", f"{v:.3f}", "")
         for f, v in res["field_accuracy"].items()])
    return res


if __name__ == "__main__":
    print(json.dumps(main()))
