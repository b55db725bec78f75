"""Paragraph persuasion techniques on SemEval-2023 Task 3 subtask 3, English dev (90 articles).

Official metric: micro-F1 over the 23 techniques (also macro-F1), paragraphs = lines.
Target: micro-F1 >= 0.35. The published English rank-1 test score is not verified in
../shared/data (see its SOURCE.md); the dev set here is the PTC test articles, which
training never saw.
"""

from __future__ import annotations

import json

from _common import report
from _rhetoric import docs_of, persuasion_data, pipeline

TARGET = 0.35


def main(argv: list[str] | None = None) -> dict:
    from claimscope.rhetoric_labels import ST3_TECHNIQUES
    from claimscope.scoring import multilabel_f1

    articles = persuasion_data.st3("dev")
    by_id = {a["id"]: a for a in articles}
    nlp = pipeline("persuasion", "techniques")
    gold, pred, missing = {}, {}, 0
    for doc in nlp.pipe(docs_of(articles), batch_size=16):
        rows = {(r["start"], r["end"]): r for r in doc.fields["paragraphs"]}
        for p in by_id[doc.id]["paragraphs"]:
            key = (doc.id, p["line"])
            gold[key] = p["labels"]
            row = rows.get((p["start"], p["end"]))
            if row is None:
                missing += 1
                continue
            pred[key] = [t["label"] for t in row["techniques"]]
    res = multilabel_f1(gold, pred, ST3_TECHNIQUES)
    report(f"techniques: SemEval-2023 T3 ST3 EN dev, {len(articles)} articles, {len(gold)} paragraphs", [
        ("micro-F1", f"{res['micro_f1']:.4f}", f"target {TARGET}; published best not verified (SOURCE.md)"),
        ("macro-F1", f"{res['macro_f1']:.4f}", ""),
        ("precision / recall", f"{res['precision']:.3f} / {res['recall']:.3f}", ""),
        ("paragraphs not found", str(missing), "should be 0"),
    ])
    return {"st3_micro_f1": round(res["micro_f1"], 4), "st3_macro_f1": round(res["macro_f1"], 4),
            "st3_precision": round(res["precision"], 4), "st3_recall": round(res["recall"], 4)}


if __name__ == "__main__":
    print(json.dumps(main()))
