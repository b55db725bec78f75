"""Real claims about the 2023-24 war: FIGNEWS-2024 posts checked against the OCHA corpus.

    python benchmarks/bench_verify_fignews.py [--db /tmp/cs_ocha.db] [-v]

``fignews_claims_gold.jsonl`` holds 263 claims from 110 posts (line 1: the labelling rules;
``fignews_claims_gold.md``: how posts were chosen), each with the verdict a strict
fact-checker reaches from the OCHA Flash Updates alone, labelled without running
claimscope. Posts are labelled exhaustively: a span of a selected post that no record
covers holds no checkable claim. The benchmark runs the real pipeline on each post's
English text (dated with the post's date where the gold gives one) and maps each checked
claim unit to the gold claim it overlaps most (none: "no checkable claim").

- **precision**: of the verdicts other than ``not_enough_evidence``, the share equal to
  the gold label (a verdict on a span with no gold claim, or on a claim the gold leaves
  undecided, is wrong); target >= 0.90;
- **decided correctly**: of the gold claims a fact-checker can decide (supported,
  refuted, conflicting), the share claimscope decides the same way (its units on the
  claim, read as one: refuted if one is, supported if all are); target >= 0.50.
Both with 95 % Wilson intervals.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir, report  # noqa: E402
from _verify import fmt_ci, ocha_db, pipeline, sentence_verdict  # noqa: E402

GOLD = Path(__file__).with_name("fignews_claims_gold.jsonl")
DECIDED = ("supported", "refuted", "conflicting")


def load_gold(path: Path = GOLD) -> tuple[dict, list[dict]]:
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines[0], lines[1:]


def posts() -> dict[tuple[str, str, str], str]:
    csv.field_size_limit(10**9)
    path = data_dir("fignews2024-israel-gaza") / "derived" / \
        "fignews_iaa_text_with_vote_counts.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["batch"], r["source_language"], r["id"]): r["english_mt"]
                for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def post_docs(nlp, gold: list[dict]) -> tuple[list[tuple], dict[tuple, list[dict]], list]:
    """The posts of ``gold`` as documents (dated with the gold's date where it gives one)."""
    texts = posts()
    by_post: dict[tuple, list[dict]] = defaultdict(list)
    for g in gold:
        key = (g["post"]["batch"], g["post"]["source_language"], g["post"]["id"])
        assert texts[key][g["start"]:g["end"]] == g["claim"], g["id"]
        by_post[key].append(g)
    keys = sorted(by_post)
    docs_in = []
    for key in keys:
        published = next((g["published"] for g in by_post[key] if g.get("published")), None)
        docs_in.append(nlp.make_doc(texts[key], id="/".join(key), published=published))
    return keys, by_post, docs_in


def score(keys: list[tuple], by_post: dict[tuple, list[dict]], docs: list) -> dict:
    """Precision and the share of decidable claims decided correctly, with the reasons."""
    gold = [g for key in keys for g in by_post[key]]
    decided, correct = 0, 0
    per_gold: dict[str, list[str]] = defaultdict(list)
    why: dict[str, list[str]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    n_units = 0
    for key, doc in zip(keys, docs):
        claims = by_post[key]
        for unit in doc.fields.get("claims", []):
            n_units += 1
            s, e = unit["span"]["start"], unit["span"]["end"]
            best, overlap = None, 0
            for g in claims:
                o = min(e, g["end"]) - max(s, g["start"])
                if o > overlap:
                    best, overlap = g, o
            label = best["label"] if best else "no_claim"
            if best:
                per_gold[best["id"]].append(unit["verdict"])
                ev = unit["evidence"][0] if unit["evidence"] else {}
                why[best["id"]].append(f"{unit['verdict']}/{unit.get('abstained')}: "
                                       f"{unit['text'][:70]!r} <- {ev.get('passage_id')} "
                                       f"r={ev.get('relevance')} "
                                       f"{(ev.get('passage') or '')[:90]!r}")
            if unit["verdict"] != "not_enough_evidence":
                decided += 1
                ok = unit["verdict"] == label
                correct += ok
                confusion[(label, unit["verdict"])] += 1
                if not ok:
                    ev = unit["evidence"][0] if unit["evidence"] else {}
                    wrong.append({"post": "/".join(key), "unit": unit["text"],
                                  "verdict": unit["verdict"], "gold": label,
                                  "gold_id": best["id"] if best else None,
                                  "passage_id": ev.get("passage_id"),
                                  "comparison": unit.get("comparison")})
    decidable = [g for g in gold if g["label"] in DECIDED]
    missed = [g for g in decidable
              if sentence_verdict(per_gold.get(g["id"], [])) != g["label"]]
    hits = len(decidable) - len(missed)
    return {"posts": len(keys), "gold_claims": len(gold), "units_checked": n_units,
            "decided": decided, "decided_correct": correct,
            "precision": round(correct / decided, 4) if decided else None,
            "decidable": len(decidable), "decidable_decided_correctly": hits,
            "share_decided_correctly": round(hits / len(decidable), 4),
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
            "wrong": wrong,
            "_missed": [(g, why.get(g["id"], ["(no unit)"])) for g in missed]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/cs_ocha.db"))
    ap.add_argument("--gold", type=Path, default=GOLD,
                    help="the gold set (default: the test set; "
                         "fignews_claims_dev.jsonl is the development set)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    _, gold = load_gold(args.gold)
    nlp = pipeline(ocha_db(args.db))
    keys, by_post, docs_in = post_docs(nlp, gold)
    t0 = time.perf_counter()
    docs = list(nlp.pipe(docs_in, batch_size=8))
    secs = time.perf_counter() - t0
    res = score(keys, by_post, docs)
    missed = res.pop("_missed")
    res["seconds"] = round(secs, 1)
    res["gold"] = args.gold.name
    decided, correct = res["decided"], res["decided_correct"]
    hits, n = res["decidable_decided_correctly"], res["decidable"]
    report(f"FIGNEWS posts against the OCHA corpus ({len(keys)} posts, {len(gold)} gold claims,"
           f" {n} decidable; {args.gold.name})", [
        ("precision of supported/refuted/conflicting", fmt_ci(correct, decided),
         "target >= 0.90"),
        ("decidable claims decided correctly", fmt_ci(hits, n), "target >= 0.50"),
        ("claim units checked", str(res["units_checked"]), f"{secs:.0f} s")])
    for k, v in res["confusion"].items():
        print(f"    {k}: {v}")
    if args.verbose:
        for g, reasons in missed:
            print(f"    MISSED {g['id']} [{g['label']}] {g['claim'][:100]!r} "
                  f"gold={g['passage_ids'][:2]} date={g.get('published')}")
            for w in reasons:
                print(f"        {w}")
        for w in res["wrong"]:
            print(f"    WRONG {w['post']} [{w['verdict']} vs {w['gold']}] {w['unit'][:110]!r} "
                  f"<- {w['passage_id']}: {w['comparison']}")
    return res


if __name__ == "__main__":
    out = main()
    name = "results_verify_fignews.json" if out["gold"] == GOLD.name else \
        f"results_verify_{Path(out['gold']).stem.replace('_claims', '')}.json"
    Path(__file__).with_name(name).write_text(json.dumps(out, indent=2) + "\n")
