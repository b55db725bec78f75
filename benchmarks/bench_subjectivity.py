"""Subjectivity on CheckThat! subjectivity English dev_test (CT2024 English test with gold).

Official metric: macro-F1 over OBJ/SUBJ. Target for claimscope: >= 0.75. Published
best on the CT2024 English test: 0.7442, rank 1 of the task (HYBRINFOX: a fine-tuned
RoBERTa with frozen sentence-BERT embeddings and the VAGO lexicon's scores; Casanova
et al., CLEF 2024 Working Notes, arXiv 2407.03770). SOURCE.md infers from the counts,
without having checked it, that dev_test_en is that test set.
"""

from __future__ import annotations

import json

from _common import data_dir, f1_positive, macro_f1, read_tsv, report, sentence_scores

TARGET = 0.75
PUBLISHED_BEST = 0.7442  # CT2024 Task 2 English, rank 1 (HYBRINFOX, RoBERTa-based)


def main(argv: list[str] | None = None) -> dict:
    rows = read_tsv(data_dir("checkthat-subjectivity-en") / "dev_test_en.tsv")
    texts = [r["sentence"] for r in rows]
    gold = [int(r["label"].strip() == "SUBJ") for r in rows]
    pred = [int(s >= 0.5) for s in sentence_scores(texts, "subjectivity")]
    mf1 = macro_f1(gold, pred)
    report(f"subjectivity: CheckThat! EN dev_test, n={len(rows)}", [
        ("macro-F1", f"{mf1:.3f}", f"target {TARGET}; published best {PUBLISHED_BEST} (CT2024 rank 1)"),
        ("SUBJ F1", f"{f1_positive(gold, pred)['f1']:.3f}", ""),
    ])
    return {"subjectivity_macro_f1": round(mf1, 4)}


if __name__ == "__main__":
    print(json.dumps(main()))
