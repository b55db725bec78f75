"""The NLI cross-encoder on NLI and fact-verification sets, given gold evidence.

    python benchmarks/bench_nli.py [--sets mnli,anli,averitec,climate,symmetric,adversarial,vitaminc]
                                   [--vitaminc-n 6000] [--models DIR]

None of these sets (nor their overlaps, see training/train_nli.py) was trained on.
Prints each official metric next to the published reference from the data's SOURCE.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir, report  # noqa: E402

LABELS = ("entailment", "neutral", "contradiction")


def jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(x) for x in fh if x.strip()]


def detok(text: str) -> str:
    for k, v in {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"',
                 "''": '"'}.items():
        text = text.replace(k, v)
    text = re.sub(r"\s+([.,;:!?%)\]'])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("\ufffd", " ")).strip()


def macro_f1(gold: list, pred: list, labels: list) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0))


def acc(gold: list, pred: list) -> float:
    return float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0


class Runner:
    def __init__(self, models: str | None) -> None:
        from claimscope.models.nli import NLIModel

        self.model = NLIModel(models, threads=1)  # the CPU is shared while benchmarking
        self.pairs = 0
        self.seconds = 0.0

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        t0 = time.perf_counter()
        out = self.model.predict_proba(pairs)
        self.seconds += time.perf_counter() - t0
        self.pairs += len(pairs)
        return out


def three_way(p: np.ndarray) -> list[str]:
    return [LABELS[i] for i in p.argmax(1)]


def two_way(p: np.ndarray) -> list[str]:
    """SUPPORTS/REFUTES for sets without NEI: entailment vs contradiction only."""
    return ["SUPPORTS" if e >= c else "REFUTES" for e, c in zip(p[:, 0], p[:, 2])]


def bench_mnli(r: Runner) -> dict:
    rows = jsonl(data_dir("mnli-taxinli-subset") / "mnli_dev_mismatched.jsonl")
    pred = three_way(r.probs([(x["premise"], x["hypothesis"]) for x in rows]))
    a = acc([x["label"] for x in rows], pred)
    report(f"MNLI dev-mismatched (TaxiNLI subset, n={len(rows)})", [
        ("accuracy", f"{a * 100:.1f}", "cross-encoder/nli-MiniLM2-L6-H768 86.9 (full MNLI-mm); "
                                       "target >= 80; BERT-base 81.4 on this subset")])
    return {"mnli_mm_subset_accuracy": round(a, 4), "n": len(rows)}


def bench_anli(r: Runner) -> dict:
    rows = jsonl(data_dir("anli-r1-r3-dev-test") / "R1_dev.jsonl")
    m = {"e": "entailment", "n": "neutral", "c": "contradiction"}
    pred = three_way(r.probs([(x["context"], x["hypothesis"]) for x in rows]))
    a = acc([m[x["label"]] for x in rows], pred)
    report(f"ANLI R1 dev (n={len(rows)})", [
        ("accuracy", f"{a * 100:.1f}", "RoBERTa-large (SNLI+MNLI+FEVER+ANLI) 73.8 test; "
                                       "MNLI-only models ~33 by construction")])
    return {"anli_r1_dev_accuracy": round(a, 4), "n": len(rows)}


def relevance(pairs: list[tuple[str, str]], probs: np.ndarray) -> np.ndarray:
    """The shipped relevance model's p(passage speaks to claim) for (passage, claim) pairs:
    the verify stage abstains below its threshold."""
    from claimscope.corpus.embed import default_encoder
    from claimscope.numcompare import NUMERIC_KINDS, best_comparison
    from claimscope.quantities import extract_quantities
    from claimscope.relevance import features, relevance_model

    texts = sorted({t for pair in pairs for t in pair})
    vecs = dict(zip(texts, default_encoder().embed(texts)))
    rows = []
    for (passage, claim), p in zip(pairs, probs):
        qs = [q for q in extract_quantities(claim) if q["kind"] in NUMERIC_KINDS]
        comps = best_comparison(qs, extract_quantities(passage), claim_text=claim,
                                source_text=passage) if qs else []
        rows.append(features(claim, passage, cosine=float(vecs[claim] @ vecs[passage]),
                             probs=dict(zip(LABELS, map(float, p))), has_figure=bool(qs),
                             figure_counted=bool(comps),
                             figure_value=any(r["relation"] == "consistent" and r["contained"]
                                              for r in comps),
                             figure_size=max((abs(q.get("low") or q.get("high") or 0.0)
                                              for q in qs), default=0.0)))
    return relevance_model().predict(rows)


def _verdicts(probs: np.ndarray, rel: np.ndarray) -> tuple[str, float]:
    """The verify stage's decision on gold evidence: each passage's stance (NLI, the
    relevance gate), aggregated."""
    from claimscope.stages.verify import aggregate, passage_stance

    evidence = []
    for p, g in zip(probs, rel):
        pd = dict(zip(LABELS, map(float, p)))
        stance, conf, _, _ = passage_stance(pd, [], relevance=float(g), has_figures=False)
        evidence.append({"stance": stance, "confidence": conf, "probs": pd,
                         "relevance": float(g)})
    return aggregate(evidence)


def bench_averitec(r: Runner) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    from train_nli import averitec_premise  # the same evidence text as in training

    rows = json.loads((data_dir("averitec") / "dev.json").read_text(encoding="utf-8"))
    to = {"supported": "Supported", "refuted": "Refuted",
          "not_enough_evidence": "Not Enough Evidence",
          "conflicting": "Conflicting Evidence/Cherrypicking"}
    gold = [x["label"] for x in rows]
    # (a) the verify stage's logic: each QA pair a passage, stances aggregated
    qa = [[t for q in x["questions"] if (t := averitec_premise({"questions": [q]}))]
          for x in rows]
    flat = [(p, x["claim"]) for x, ps in zip(rows, qa) for p in ps]
    probs = r.probs(flat)
    rel = relevance(flat, probs)
    pred_a, i = [], 0
    for ps in qa:
        pred_a.append(to[_verdicts(probs[i:i + len(ps)], rel[i:i + len(ps)])[0]])
        i += len(ps)
    # (b) all QA evidence joined into one premise (as in training), argmax of 3 classes
    joined = r.probs([(averitec_premise(x), x["claim"]) for x in rows])
    m = {"entailment": "Supported", "contradiction": "Refuted", "neutral": "Not Enough Evidence"}
    pred_b = [m[x] for x in three_way(joined)]
    labels = list(to.values())
    decided = [k for k, p in enumerate(pred_a) if p != "Not Enough Evidence"]
    res = {"verify_logic_accuracy": acc(gold, pred_a), "verify_logic_macro_f1": macro_f1(gold, pred_a, labels),
           "verify_logic_decided": len(decided),
           "verify_logic_decided_precision": acc([gold[k] for k in decided],
                                                 [pred_a[k] for k in decided]),
           "joined_accuracy": acc(gold, pred_b), "joined_macro_f1": macro_f1(gold, pred_b, labels),
           "predicted": dict(Counter(pred_a)), "n": len(rows)}
    report(f"AVeriTeC dev, gold QA evidence (n={len(rows)})", [
        ("label accuracy (verify logic, per-QA)", f"{res['verify_logic_accuracy'] * 100:.1f}",
         "shared-task best AVeriTeC score 0.63 on hidden test (with retrieval; not comparable)"),
        ("4-class macro-F1 (verify logic)", f"{res['verify_logic_macro_f1'] * 100:.1f}", ""),
        (f"precision of its decided verdicts (n={res['verify_logic_decided']}; the NLI "
         "alone never refutes)", f"{res['verify_logic_decided_precision'] * 100:.1f}", ""),
        ("label accuracy (joined evidence)", f"{res['joined_accuracy'] * 100:.1f}", ""),
        ("4-class macro-F1 (joined evidence)", f"{res['joined_macro_f1'] * 100:.1f}", ""),
        ("majority class (Refuted) accuracy",
         f"{Counter(gold).most_common(1)[0][1] / len(gold) * 100:.1f}", "")])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in res.items()}


def bench_climate(r: Runner, n: int = 0) -> dict:
    rows = jsonl(data_dir("climate-fever") / "climate-fever.jsonl")
    if n and n < len(rows):
        rows = random.Random(0).sample(rows, n)
    flat = [(e["evidence"], x["claim"]) for x in rows for e in x["evidences"]]
    probs = r.probs(flat)
    m3 = {"entailment": "SUPPORTS", "neutral": "NOT_ENOUGH_INFO", "contradiction": "REFUTES"}
    gold_s = [e["evidence_label"] for x in rows for e in x["evidences"]]
    pred_s = [m3[x] for x in three_way(probs)]
    to = {"supported": "SUPPORTS", "refuted": "REFUTES", "not_enough_evidence": "NOT_ENOUGH_INFO",
          "conflicting": "DISPUTED"}
    rel = relevance(flat, probs)
    pred_c, i = [], 0
    for x in rows:
        n = len(x["evidences"])
        pred_c.append(to[_verdicts(probs[i:i + n], rel[i:i + n])[0]])
        i += n
    gold_c = [x["claim_label"] for x in rows]
    # the relevance model was trained on the even claim ids: the odd ones are held out
    odd = [k for k, x in enumerate(rows) if int(x["claim_id"]) % 2]
    decided = [k for k in odd if pred_c[k] != "NOT_ENOUGH_INFO"]
    res = {"claim_accuracy": acc(gold_c, pred_c),
           "claim_macro_f1": macro_f1(gold_c, pred_c, sorted(set(to.values()))),
           "held_out_claims": len(odd),
           "held_out_claim_accuracy": acc([gold_c[k] for k in odd], [pred_c[k] for k in odd]),
           "held_out_decided": len(decided),
           "held_out_decided_precision": acc([gold_c[k] for k in decided],
                                             [pred_c[k] for k in decided]),
           "sentence_accuracy": acc(gold_s, pred_s),
           "sentence_macro_f1": macro_f1(gold_s, pred_s, sorted(set(m3.values()))),
           "n_claims": len(rows), "n_pairs": len(flat)}
    report(f"Climate-FEVER (claims n={len(rows)}, claim-sentence pairs n={len(flat)})", [
        ("claim-level accuracy (4 labels, verify logic)", f"{res['claim_accuracy'] * 100:.1f}",
         "paper: FEVER-trained entailment predictor 38.78 (summary page, not re-read)"),
        ("claim-level macro-F1", f"{res['claim_macro_f1'] * 100:.1f}", ""),
        (f"claim-level accuracy, odd claim ids (n={res['held_out_claims']}, held out from "
         "the relevance model)", f"{res['held_out_claim_accuracy'] * 100:.1f}", ""),
        (f"precision of its decided verdicts (n={res['held_out_decided']})",
         f"{res['held_out_decided_precision'] * 100:.1f}", ""),
        ("claim-sentence accuracy (3 labels)", f"{res['sentence_accuracy'] * 100:.1f}", ""),
        ("claim-sentence macro-F1", f"{res['sentence_macro_f1'] * 100:.1f}", "")])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in res.items()}


def bench_symmetric(r: Runner) -> dict:
    d = data_dir("fever-symmetric") / "v0.2"
    out = {}
    rows_all = []
    for split in ("dev", "test"):
        rows = jsonl(d / f"fever_symmetric_{split}.jsonl")
        rows_all += rows
        pred = two_way(r.probs([(detok(x["evidence"]), detok(x["claim"])) for x in rows]))
        gold = [x["label"] for x in rows]
        out[f"{split}_accuracy"] = round(acc(gold, pred), 4)
        out[f"{split}_macro_f1"] = round(macro_f1(gold, pred, ["SUPPORTS", "REFUTES"]), 4)
    report("FEVER-Symmetric v0.2 (dev 708 / test 712 pairs; 2-way)", [
        ("dev accuracy", f"{out['dev_accuracy'] * 100:.1f}", "no verified v0.2 number; v0.1 "
                                                             "generated: BERT 57.5, re-weighted 61.6"),
        ("test accuracy", f"{out['test_accuracy'] * 100:.1f}", ""),
        ("test macro-F1", f"{out['test_macro_f1'] * 100:.1f}", "")])
    return out


def bench_adversarial(r: Runner) -> dict:
    rows = jsonl(data_dir("fever2-adversarial-and-triggers") / "fever_adversarial_test.jsonl")
    pred = two_way(r.probs([(detok(x["evidence"]), detok(x["claim"])) for x in rows]))
    gold = [x["label"] for x in rows]
    res = {"accuracy": round(acc(gold, pred), 4),
           "macro_f1": round(macro_f1(gold, pred, ["SUPPORTS", "REFUTES"]), 4), "n": len(rows)}
    report(f"FEVER 2.0 adversarial (n={len(rows)}; 2-way)", [
        ("accuracy", f"{res['accuracy'] * 100:.1f}", "VitaminC paper: ~10 points gain from "
                                                     "VitaminC training (exact numbers not verified)"),
        ("macro-F1", f"{res['macro_f1'] * 100:.1f}", "")])
    return res


def bench_vitaminc(r: Runner, n: int) -> dict:
    from claimscope.numcompare import best_comparison
    from claimscope.quantities import extract_quantities
    from claimscope.stages.verify import passage_stance

    rows = jsonl(data_dir("vitaminc-real-test") / "test.jsonl")
    cases = sorted({x["case_id"] for x in rows})
    random.Random(0).shuffle(cases)
    keep, picked = set(), 0
    by_case = Counter(x["case_id"] for x in rows)
    for c in cases:
        if picked >= n:
            break
        keep.add(c)
        picked += by_case[c]
    rows = [x for x in rows if x["case_id"] in keep]
    probs = r.probs([(detok(x["evidence"]), detok(x["claim"])) for x in rows])
    m3 = {"entailment": "SUPPORTS", "neutral": "NOT ENOUGH INFO", "contradiction": "REFUTES"}
    pred = [m3[x] for x in three_way(probs)]
    gold = [x["label"] for x in rows]
    num = [i for i, x in enumerate(rows) if re.search(r"\d", x["claim"])]
    # the verify stage's stance (NLI + interval comparison of figures) on numeric claims
    st = {"supports": "SUPPORTS", "refutes": "REFUTES", "neutral": "NOT ENOUGH INFO"}
    pred_v = []
    num_pairs = [(detok(rows[i]["evidence"]), detok(rows[i]["claim"])) for i in num]
    rel = relevance(num_pairs, probs[num]) if num else np.zeros(0)
    for k, i in enumerate(num):
        x = rows[i]
        comps = best_comparison(extract_quantities(detok(x["claim"])),
                                extract_quantities(detok(x["evidence"])))
        pd = dict(zip(LABELS, map(float, probs[i])))
        pred_v.append(st[passage_stance(pd, comps, relevance=float(rel[k]))[0]])
    gn = [gold[i] for i in num]
    res = {"n": len(rows), "cases": len(keep), "accuracy": acc(gold, pred),
           "macro_f1": macro_f1(gold, pred, sorted(set(m3.values()))),
           "numeric_n": len(num), "numeric_accuracy_nli": acc(gn, [pred[i] for i in num]),
           "numeric_accuracy_verify_logic": acc(gn, pred_v)}
    report(f"VitaminC real test (random {len(keep)} cases = {len(rows)} of 34,481 pairs)", [
        ("accuracy (3-way)", f"{res['accuracy'] * 100:.1f}",
         "VitaminC paper (ALBERT-xlarge trained on VitaminC) not re-read here"),
        ("macro-F1", f"{res['macro_f1'] * 100:.1f}", ""),
        (f"accuracy, claims with a number (n={len(num)}), NLI", f"{res['numeric_accuracy_nli'] * 100:.1f}", ""),
        ("same, NLI + interval comparison (verify logic)", f"{res['numeric_accuracy_verify_logic'] * 100:.1f}", "")])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in res.items()}


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sets", default="mnli,anli,averitec,climate,symmetric,adversarial,vitaminc")
    p.add_argument("--vitaminc-n", type=int, default=6000)
    p.add_argument("--climate-n", type=int, default=0, help="random claims (0: all 1,535)")
    p.add_argument("--models", default=None)
    args = p.parse_args(argv)
    r = Runner(args.models)
    out: dict = {"model": r.model.describe()}
    fns = {"mnli": bench_mnli, "anli": bench_anli, "averitec": bench_averitec,
           "climate": lambda r: bench_climate(r, args.climate_n), "symmetric": bench_symmetric,
           "adversarial": bench_adversarial,
           "vitaminc": lambda r: bench_vitaminc(r, args.vitaminc_n)}
    for name in args.sets.split(","):
        out[name] = fns[name](r)
    out["nli_pairs_per_second"] = round(r.pairs / max(r.seconds, 1e-9), 1)
    print(f"\nNLI throughput: {out['nli_pairs_per_second']} pairs/s over {r.pairs} pairs")
    return out


if __name__ == "__main__":
    res = main()
    Path(__file__).with_name("results_nli.json").write_text(json.dumps(res, indent=2) + "\n")
