"""Official metrics of the persuasion benchmarks, reimplemented without their I/O.

- :func:`si_score` — SemEval-2020 Task 11 span identification (SI): precision and
  recall with partial credit by character overlap. Overlapping spans are merged first,
  in the gold and in the prediction (the official ``task-SI_scorer.py`` merges the gold
  and, with ``-m``, the submission). For every pair (predicted s, gold t) of an article,
  precision gains ``|s ∩ t| / |s|`` and recall ``|s ∩ t| / |t|``; the sums are divided
  by the number of predicted and of gold spans over all articles.
  ``F1 = 2PR / (P + R)``; 0 when P or R is 0; 1 when there is nothing to find and
  nothing was predicted.
- :func:`tc_score` — SemEval-2020 Task 11 technique classification (TC): one label per
  gold span; within spans with identical offsets the labels are aligned to maximise the
  matches (as the official ``align_annotations``); micro-F1 over all spans (= accuracy,
  every span gets one label) and per-technique F1.
- :func:`multilabel_f1` — SemEval-2023 Task 3 subtasks 2 and 3 (frames per article,
  techniques per paragraph): micro- and macro-F1 over a fixed label list, as
  ``sklearn.metrics.f1_score`` on ``MultiLabelBinarizer`` vectors (a label never
  predicted nor present scores 0 in the macro average).
- :func:`multiclass_f1` — subtask 1 (genre): macro- and micro-F1 over the labels that
  occur in gold or prediction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

__all__ = ["merge_spans", "si_score", "tc_score", "multilabel_f1", "multiclass_f1", "prf"]

Interval = tuple[int, int]


def prf(p_num: float, p_den: float, r_num: float, r_den: float) -> dict[str, float]:
    """Precision, recall and F1 as the official scorers compute them."""
    p = p_num / p_den if p_den > 0 else 0.0
    r = r_num / r_den if r_den > 0 else 0.0
    f1 = 0.0
    if p_den == 0 and r_den == 0:
        f1 = 1.0
    if p > 0 and r > 0:
        f1 = 2 * p * r / (p + r)
    return {"precision": p, "recall": r, "f1": f1}


def _check(span: Interval, where: str) -> Interval:
    start, end = int(span[0]), int(span[1])
    if start < 0 or end <= start:
        raise ValueError(f"{where}: a span must have 0 <= start < end, got ({start}, {end})")
    return start, end


def merge_spans(spans: Iterable[Interval]) -> list[Interval]:
    """Merge spans that share at least one character (touching spans stay apart)."""
    out: list[list[int]] = []
    for start, end in sorted(_check(s, "merge_spans") for s in spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def si_score(pred: Mapping[str, Iterable[Interval]],
             gold: Mapping[str, Iterable[Interval]]) -> dict[str, float]:
    """SI precision, recall and F1 (partial overlap credit) over all articles.

    ``pred`` and ``gold`` map an article id to its ``(start, end)`` character spans.
    Articles missing from ``pred`` count as predicting nothing.
    """
    merged_pred = {a: merge_spans(s) for a, s in pred.items()}
    merged_gold = {a: merge_spans(s) for a, s in gold.items()}
    p_num = r_num = 0.0
    for article, spans in merged_pred.items():
        gold_spans = merged_gold.get(article, [])
        for s0, s1 in spans:
            for g0, g1 in gold_spans:
                inter = max(0, min(s1, g1) - max(s0, g0))
                if inter:
                    p_num += inter / (s1 - s0)
                    r_num += inter / (g1 - g0)
    p_den = sum(len(s) for s in merged_pred.values())
    r_den = sum(len(s) for s in merged_gold.values())
    out = prf(p_num, p_den, r_num, r_den)
    out.update(pred_spans=p_den, gold_spans=r_den)
    return out


def tc_assign(spans: Sequence[tuple[object, int, int]], probs: Sequence[Sequence[float]],
              labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """One label per template span: the k-th copy of a span gets its k-th most likely label.

    The TC template lists a span once per technique it carries, so giving every copy the
    same top label would make all but one copy wrong by construction.
    """
    seen: dict[Interval, int] = {}
    out = []
    for (_, s, e), p in zip(spans, probs):
        k = seen.get((s, e), 0)
        seen[(s, e)] = k + 1
        order = sorted(range(len(p)), key=lambda i: -float(p[i]))
        out.append((labels[order[min(k, len(order) - 1)]], s, e))
    return out


def tc_score(pred: Mapping[str, Iterable[tuple[str, int, int]]],
             gold: Mapping[str, Iterable[tuple[str, int, int]]],
             labels: Sequence[str] | None = None) -> dict[str, object]:
    """TC micro-F1 on gold spans; ``(label, start, end)`` triples per article.

    The prediction must hold exactly the gold spans (the task's template); a mismatch
    raises ValueError, as the official scorer refuses such a submission.
    """
    if set(pred) != set(gold):
        raise ValueError("TC: the prediction must cover exactly the gold articles, "
                         f"missing {sorted(set(gold) - set(pred))[:5]}, "
                         f"extra {sorted(set(pred) - set(gold))[:5]}")
    correct = total = 0
    per_label: dict[str, Counter] = defaultdict(Counter)  # label -> tp, fp, fn
    for article in gold:
        g_by: dict[Interval, list[str]] = defaultdict(list)
        p_by: dict[Interval, list[str]] = defaultdict(list)
        for label, start, end in gold[article]:
            g_by[_check((start, end), article)].append(label)
        for label, start, end in pred[article]:
            p_by[_check((start, end), article)].append(label)
        if {k: len(v) for k, v in g_by.items()} != {k: len(v) for k, v in p_by.items()}:
            raise ValueError(f"TC: the spans of article {article} differ from the gold spans")
        for span, g_labels in g_by.items():
            g_count, p_count = Counter(g_labels), Counter(p_by[span])
            matched = g_count & p_count
            correct += sum(matched.values())
            total += len(g_labels)
            for label in set(g_count) | set(p_count):
                tp = matched[label]
                per_label[label]["tp"] += tp
                per_label[label]["fp"] += p_count[label] - tp
                per_label[label]["fn"] += g_count[label] - tp
    micro = correct / total if total else 0.0
    names = list(labels) if labels is not None else sorted(per_label)
    per_class = {}
    for label in names:
        c = per_label.get(label, Counter())
        per_class[label] = prf(c["tp"], c["tp"] + c["fp"], c["tp"], c["tp"] + c["fn"])["f1"] \
            if (c["tp"] + c["fp"] + c["fn"]) else 0.0
    return {"micro_f1": micro, "precision": micro, "recall": micro, "spans": total,
            "per_class_f1": per_class}


def multilabel_f1(gold: Mapping[Hashable, Iterable[str]], pred: Mapping[Hashable, Iterable[str]],
                  labels: Sequence[str]) -> dict[str, object]:
    """Micro- and macro-F1 of multi-label predictions over ``labels`` (keys of ``gold``).

    Items missing from ``pred`` count as predicting no label; labels outside
    ``labels`` are ignored, as MultiLabelBinarizer(classes=labels) ignores them.
    """
    known = set(labels)
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for key, g in gold.items():
        gs = set(g) & known
        ps = set(pred.get(key, ())) & known
        for label in gs & ps:
            tp[label] += 1
        for label in ps - gs:
            fp[label] += 1
        for label in gs - ps:
            fn[label] += 1
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = 2 * t / (2 * t + f_p + f_n) if t else 0.0
    per_class = {label: (2 * tp[label] / (2 * tp[label] + fp[label] + fn[label])
                         if tp[label] else 0.0) for label in labels}
    return {"micro_f1": micro, "macro_f1": sum(per_class.values()) / len(labels),
            "precision": t / (t + f_p) if t + f_p else 0.0,
            "recall": t / (t + f_n) if t + f_n else 0.0,
            "items": len(gold), "per_class_f1": per_class}


def multiclass_f1(gold: Mapping[Hashable, str], pred: Mapping[Hashable, str]) -> dict[str, object]:
    """Macro-F1 (over labels in gold or prediction) and micro-F1 (= accuracy)."""
    keys = list(gold)
    labels = sorted({gold[k] for k in keys} | {pred[k] for k in keys if k in pred})
    per_class = {}
    for label in labels:
        tp = sum(1 for k in keys if gold[k] == label and pred.get(k) == label)
        fp = sum(1 for k in keys if gold[k] != label and pred.get(k) == label)
        fn = sum(1 for k in keys if gold[k] == label and pred.get(k) != label)
        per_class[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(1 for k in keys if pred.get(k) == gold[k]) / len(keys) if keys else 0.0
    return {"macro_f1": sum(per_class.values()) / len(labels) if labels else 0.0,
            "micro_f1": accuracy, "items": len(keys), "per_class_f1": per_class}
