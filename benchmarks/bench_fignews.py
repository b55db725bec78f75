"""Domain check on FIGNEWS 2024 (1,500 Israel-Gaza war posts, English MT, team majority votes).

Signal: an article-level "contains persuasion" flag = the ``persuasion`` stage finds at
least one technique span (secondary: some paragraph gets a technique from ``techniques``).
Reported: F1 of the flag against the majority propaganda vote (Propaganda vs Not
Propaganda; Unclear / Not Applicable majorities left out), and the same separately for
posts whose majority bias label is "Biased against Israel" and "Biased against
Palestine": the gap between the two groups should be small (the tool takes no side).
No leaderboard exists (an annotation task). Nothing was trained on FIGNEWS.
"""

from __future__ import annotations

import json

from _common import f1_positive, report
from _rhetoric import docs_of, persuasion_data, pipeline

GROUPS = {"against_israel": "Biased against Israel", "against_palestine": "Biased against Palestine"}


def main(argv: list[str] | None = None) -> dict:
    rows = [r for r in persuasion_data.fignews()
            if r["majority_propaganda"] in ("Propaganda", "Not Propaganda") and r["text"].strip()]
    nlp = pipeline("persuasion", "techniques")
    flag, flag_para = {}, {}
    for doc in nlp.pipe(docs_of(rows), batch_size=32):
        flag[doc.id] = int(len(doc.spans["persuasion"]) > 0)
        flag_para[doc.id] = int(any(p["techniques"] for p in doc.fields["paragraphs"]))
    gold = {r["id"]: int(r["majority_propaganda"] == "Propaganda") for r in rows}

    def score(ids, signal):
        g = [gold[i] for i in ids]
        p = [signal[i] for i in ids]
        out = f1_positive(g, p)
        out.update(n=len(ids), flagged_rate=sum(p) / len(p) if p else 0.0,
                   propaganda_rate=sum(g) / len(g) if g else 0.0)
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}

    ids = [r["id"] for r in rows]
    res = {"all": score(ids, flag), "all_paragraph_signal": score(ids, flag_para)}
    for key, name in GROUPS.items():
        sub = [r["id"] for r in rows if r["majority_bias"] == name]
        res[key] = score(sub, flag)
        res[key + "_paragraph_signal"] = score(sub, flag_para)
    gap = abs(res["against_israel"]["f1"] - res["against_palestine"]["f1"])
    gap_rate = abs(res["against_israel"]["flagged_rate"] - res["against_palestine"]["flagged_rate"])
    gap_recall = abs(res["against_israel"]["recall"] - res["against_palestine"]["recall"])
    report(f"fignews: {len(rows)} posts (English MT) vs majority propaganda vote", [
        ("F1, all posts", f"{res['all']['f1']:.3f}",
         f"P {res['all']['precision']:.3f} R {res['all']['recall']:.3f}; "
         f"flagged {res['all']['flagged_rate']:.2f} vs majority-propaganda {res['all']['propaganda_rate']:.2f}"),
        ("F1, paragraph signal", f"{res['all_paragraph_signal']['f1']:.3f}", "any paragraph technique"),
    ] + [(f"F1, {GROUPS[k]} (n={res[k]['n']})", f"{res[k]['f1']:.3f}",
          f"flagged {res[k]['flagged_rate']:.2f}, propaganda {res[k]['propaganda_rate']:.2f}")
         for k in GROUPS] + [
        ("F1 gap between the groups", f"{gap:.3f}", "should be small"),
        ("recall gap (propaganda posts flagged)", f"{gap_recall:.3f}", "equal-opportunity gap"),
        ("flag-rate gap", f"{gap_rate:.3f}", "base rates differ between the groups"),
    ])
    res["recall_gap"] = round(gap_recall, 4)
    res["f1_gap"] = round(gap, 4)
    res["flag_rate_gap"] = round(gap_rate, 4)
    return res


if __name__ == "__main__":
    print(json.dumps(main()))
