"""Persuasion technique spans on the SemEval-2020 Task 11 PTC dev set (75 articles, gold public).

- SI (span identification): the task's F1 with partial credit by character overlap
  (claimscope.scoring.si_score, as the official task-SI_scorer.py), on the spans the
  ``persuasion`` stage writes. Published best 0.5155 (Hitachi, on the hidden test set).
  Target >= 0.42.
- TC (technique classification on the gold spans, the official template): micro-F1
  (claimscope.scoring.tc_score). The k-th copy of a span in the template gets the k-th
  most likely technique. Published best 0.6207 (ApplicaAI, test). Target >= 0.58.

Training never saw PTC dev (training/train_persuasion.py selects on a slice of PTC train).
"""

from __future__ import annotations

import argparse
import json

from _common import report
from _rhetoric import docs_of, persuasion_data, pipeline

SI_BEST, TC_BEST = 0.5155, 0.6207
SI_TARGET, TC_TARGET = 0.42, 0.58


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev")
    ap.add_argument("--threshold", type=float, default=None, help="override the span threshold")
    args = ap.parse_args(argv)

    from claimscope.rhetoric_labels import PTC_TECHNIQUES
    from claimscope.scoring import si_score, tc_assign, tc_score

    articles = persuasion_data.ptc(args.split)
    nlp = pipeline()
    stage = pipeline("persuasion", persuasion={"threshold": args.threshold}).get_stage("persuasion")
    pred_si, pred_tc, gold_si, gold_tc = {}, {}, {}, {}
    by_id = {a["id"]: a for a in articles}
    for doc in nlp.pipe(docs_of(articles), batch_size=16):
        gold = by_id[doc.id]["spans"]
        probs = stage.classify_spans(doc, [(s, e) for _, s, e in gold])
        pred_tc[doc.id] = tc_assign(gold, probs, PTC_TECHNIQUES)
        gold_tc[doc.id] = gold
        gold_si[doc.id] = [(s, e) for _, s, e in gold]
        stage(doc)
        spans = sorted({(s.start, s.end) for s in doc.spans["persuasion"]})
        if spans:
            pred_si[doc.id] = spans
    si = si_score(pred_si, {k: v for k, v in gold_si.items() if v})
    tc = tc_score(pred_tc, gold_tc, PTC_TECHNIQUES)
    report(f"persuasion: PTC {args.split}, {len(articles)} articles, "
           f"{si['gold_spans']} merged gold spans, {tc['spans']} TC spans", [
        ("SI F1 (partial overlap)", f"{si['f1']:.4f}", f"target {SI_TARGET}; published best {SI_BEST} (Hitachi, test)"),
        ("SI precision / recall", f"{si['precision']:.3f} / {si['recall']:.3f}", f"{si['pred_spans']} predicted spans"),
        ("TC micro-F1 (gold spans)", f"{tc['micro_f1']:.4f}",
         f"target {TC_TARGET}; published best {TC_BEST} (ApplicaAI, test)"),
    ] + [(f"  TC F1 {k}", f"{v:.3f}", "") for k, v in tc["per_class_f1"].items()])
    return {"ptc_si_f1": round(si["f1"], 4), "ptc_si_precision": round(si["precision"], 4),
            "ptc_si_recall": round(si["recall"], 4), "ptc_tc_micro_f1": round(tc["micro_f1"], 4),
            "ptc_tc_per_class_f1": {k: round(v, 4) for k, v in tc["per_class_f1"].items()}}


if __name__ == "__main__":
    print(json.dumps(main()))
