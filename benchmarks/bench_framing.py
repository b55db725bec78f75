"""Frames (subtask 2) and genre (subtask 1) of SemEval-2023 Task 3, English, 5-fold CV on train.

There are no dev labels for subtasks 1-2 in ../shared/data, so the figures are 5-fold
cross-validation on the 433 training articles: the article features come from the real
pipeline (encode + the shipped token head), the article heads are refitted on 4/5 and
scored on the held-out fifth with the same recipe as training/train_persuasion.py.
Official metrics: micro-F1 for frames, macro-F1 for genre (both micro and macro shown).
Published: genre macro-F1 0.616 (MLModeler5, rank 2 on the English test set; rank 1 not
verified); frames: not verified (SOURCE.md). Not comparable: test set vs CV on train.
"""

from __future__ import annotations

import json

from _common import report
from _rhetoric import docs_of, persuasion_data, pipeline


def main(argv: list[str] | None = None) -> dict:
    import numpy as np
    from train_persuasion import cross_validate_articles

    articles = persuasion_data.st12()
    nlp = pipeline("persuasion")
    X = np.stack([d.tensors["rhetoric"]["article"]
                  for d in nlp.pipe(docs_of(articles), batch_size=16)])
    cv = cross_validate_articles(X, [a["genre"] for a in articles],
                                 [a["frames"] for a in articles], seed=13)
    report(f"framing: SemEval-2023 T3 ST1/ST2 EN train, 5-fold CV, {len(articles)} articles", [
        ("frames micro-F1", f"{cv['frames']['micro_f1']:.4f}", "official ST2 metric; published best not verified"),
        ("frames macro-F1", f"{cv['frames']['macro_f1']:.4f}", ""),
        ("genre macro-F1", f"{cv['genre']['macro_f1']:.4f}",
         "official ST1 metric; 0.616 = rank 2 on test (MLModeler5)"),
        ("genre micro-F1", f"{cv['genre']['micro_f1']:.4f}", ""),
    ] + [(f"  genre F1 {k}", f"{v:.3f}", "") for k, v in cv["genre"]["per_class_f1"].items()])
    return {"st2_frames_micro_f1": round(cv["frames"]["micro_f1"], 4),
            "st2_frames_macro_f1": round(cv["frames"]["macro_f1"], 4),
            "st1_genre_macro_f1": round(cv["genre"]["macro_f1"], 4),
            "st1_genre_micro_f1": round(cv["genre"]["micro_f1"], 4)}


if __name__ == "__main__":
    print(json.dumps(main()))
