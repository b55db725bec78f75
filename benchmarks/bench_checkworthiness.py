"""Check-worthiness on CheckThat! 2024 English dev-test (= CheckThat! 2023 1B test).

Official metric: F1 of the positive class ("Yes"). Published best on this set:
0.898 (CT23 1B winner); target for claimscope: >= 0.85. The model never saw
this split (trained on train, selected on dev).
"""

from __future__ import annotations

import json
import time

from _common import data_dir, f1_positive, read_tsv, report, sentence_scores

PUBLISHED_BEST = 0.898
TARGET = 0.85


def main(argv: list[str] | None = None) -> dict:
    rows = read_tsv(data_dir("checkthat2024-task1-checkworthiness-en")
                    / "CT24_checkworthy_english_dev-test.tsv")
    texts = [r["Text"] for r in rows]
    gold = [int(r["class_label"].strip() == "Yes") for r in rows]
    t0 = time.perf_counter()
    scores = sentence_scores(texts, "checkworthiness")
    secs = time.perf_counter() - t0
    m = f1_positive(gold, [int(s >= 0.5) for s in scores])
    report(f"check-worthiness: CT24 EN dev-test (CT23 1B test), n={len(rows)}", [
        ("F1 (positive class)", f"{m['f1']:.3f}", f"published best {PUBLISHED_BEST}, target {TARGET}"),
        ("precision", f"{m['precision']:.3f}", ""),
        ("recall", f"{m['recall']:.3f}", ""),
        ("seconds (incl. model load)", f"{secs:.1f}", ""),
    ])
    return {"checkworthiness_f1": round(m["f1"], 4)}


if __name__ == "__main__":
    print(json.dumps(main()))
