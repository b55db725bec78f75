"""The persuasion scorers (claimscope.scoring) on hand-made cases with known answers."""

import random

import pytest

from claimscope.scoring import (
    merge_spans,
    multiclass_f1,
    multilabel_f1,
    si_score,
    tc_assign,
    tc_score,
)


def test_merge_spans_overlapping_only():
    assert merge_spans([(5, 15), (0, 10), (20, 30), (30, 31)]) == [(0, 15), (20, 30), (30, 31)]


def test_si_perfect_and_empty():
    assert si_score({"a": [(0, 10)]}, {"a": [(0, 10)]})["f1"] == 1.0
    assert si_score({}, {})["f1"] == 1.0
    assert si_score({}, {"a": [(0, 10)]})["f1"] == 0.0
    assert si_score({"a": [(0, 10)]}, {})["f1"] == 0.0


def test_si_partial_overlap_credit():
    got = si_score({"a": [(5, 15)]}, {"a": [(0, 10)]})
    assert got["precision"] == pytest.approx(0.5) and got["recall"] == pytest.approx(0.5)
    assert got["f1"] == pytest.approx(0.5)


def test_si_one_long_prediction_over_two_gold_spans():
    got = si_score({"a": [(0, 30)]}, {"a": [(0, 10), (20, 30)]})
    assert got["precision"] == pytest.approx(20 / 30)
    assert got["recall"] == pytest.approx(1.0)
    assert got["f1"] == pytest.approx(0.8)


def test_si_gold_overlaps_are_merged():
    assert si_score({"a": [(0, 15)]}, {"a": [(0, 10), (5, 15)]})["f1"] == pytest.approx(1.0)


def test_si_missing_article_counts_in_recall():
    got = si_score({"a": [(0, 10)]}, {"a": [(0, 10)], "b": [(0, 10)]})
    assert got["precision"] == 1.0 and got["recall"] == 0.5
    assert got["f1"] == pytest.approx(2 / 3)


def test_si_rejects_empty_span():
    with pytest.raises(ValueError):
        si_score({"a": [(5, 5)]}, {"a": [(0, 10)]})


def _official_si(pred, gold):
    """The official algorithm, literally: character sets, recursive merge, pair sums."""
    def merge(annotations):
        out = []
        for span in annotations:
            out.append(set(span))
            i = len(out) - 1
            changed = True
            while changed:
                changed = False
                for j in range(len(out)):
                    if j != i and out[i] & out[j]:
                        out[j] |= out[i]
                        del out[i]
                        i = j if j < i else j - 1
                        changed = True
                        break
        return out
    sub = {a: merge([range(s, e) for s, e in spans]) for a, spans in pred.items()}
    gld = {a: merge([range(s, e) for s, e in spans]) for a, spans in gold.items()}
    pn = rn = 0.0
    for a, spans in sub.items():
        for s in spans:
            for g in gld.get(a, []):
                pn += len(s & g) / len(s)
                rn += len(s & g) / len(g)
    pd, rd = sum(map(len, sub.values())), sum(map(len, gld.values()))
    p, r = (pn / pd if pd else 0), (rn / rd if rd else 0)
    return 2 * p * r / (p + r) if p and r else (1.0 if not pd and not rd else 0.0)


def test_si_matches_the_official_algorithm_on_random_cases():
    rng = random.Random(3)
    for _ in range(200):
        def spans():
            out = []
            for _ in range(rng.randint(0, 5)):
                s = rng.randint(0, 80)
                out.append((s, s + rng.randint(1, 25)))
            return out
        gold = {a: spans() for a in "xyz"}
        gold = {a: s for a, s in gold.items() if s}
        pred = {a: spans() for a in "xyw"}
        pred = {a: s for a, s in pred.items() if s}
        assert si_score(pred, gold)["f1"] == pytest.approx(_official_si(pred, gold))


def test_tc_accuracy_with_duplicate_spans_aligned():
    gold = {"a": [("A", 0, 5), ("B", 0, 5), ("C", 10, 20)]}
    assert tc_score({"a": [("B", 0, 5), ("A", 0, 5), ("C", 10, 20)]}, gold)["micro_f1"] == 1.0
    got = tc_score({"a": [("A", 0, 5), ("A", 0, 5), ("B", 10, 20)]}, gold, labels=["A", "B", "C"])
    assert got["micro_f1"] == pytest.approx(1 / 3)
    assert got["per_class_f1"]["A"] == pytest.approx(2 / 3)  # tp 1, fp 1, fn 0
    assert got["per_class_f1"]["C"] == 0.0


def test_tc_requires_the_gold_spans():
    with pytest.raises(ValueError):
        tc_score({"a": [("A", 0, 6)]}, {"a": [("A", 0, 5)]})
    with pytest.raises(ValueError):
        tc_score({}, {"a": [("A", 0, 5)]})


def test_multilabel_micro_macro():
    labels = ["A", "B", "C"]
    gold = {1: ["A"], 2: ["A", "B"], 3: []}
    pred = {1: ["A"], 2: ["B", "C"], 3: ["C"]}
    got = multilabel_f1(gold, pred, labels)
    # tp A1 B1, fp C2, fn A1 -> micro 2*2/(4+2+1)
    assert got["micro_f1"] == pytest.approx(4 / 7)
    # A: tp1 fn1 -> 2/3; B: 1; C: 0
    assert got["macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3)


def test_multiclass_macro_and_accuracy():
    got = multiclass_f1({1: "opinion", 2: "opinion", 3: "satire"},
                        {1: "opinion", 2: "satire", 3: "satire"})
    assert got["micro_f1"] == pytest.approx(2 / 3)
    assert got["macro_f1"] == pytest.approx((2 / 3 + 2 / 3) / 2)


def test_tc_assign_gives_each_copy_of_a_span_its_next_label():
    labels = ["A", "B", "C"]
    spans = [("?", 0, 5), ("?", 0, 5), ("?", 7, 9), ("?", 0, 5), ("?", 0, 5)]
    probs = [[0.2, 0.5, 0.3]] * 2 + [[0.9, 0.05, 0.05]] + [[0.2, 0.5, 0.3]] * 2
    got = tc_assign(spans, probs, labels)
    assert got == [("B", 0, 5), ("C", 0, 5), ("A", 7, 9), ("A", 0, 5), ("A", 0, 5)]
    gold = {"x": [("B", 0, 5), ("C", 0, 5), ("A", 7, 9), ("A", 0, 5), ("B", 0, 5)]}
    assert tc_score({"x": got}, gold)["micro_f1"] == 0.8
