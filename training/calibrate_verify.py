"""Sweep the verification thresholds on development data, never on a benchmark's test set.

    python training/calibrate_verify.py --db OCHA.db [--dev benchmarks/fignews_claims_dev.jsonl]
        [--relevance 0.84,0.8,0.75,0.7] [--relevance-numbers 0.84,0.7,0.6,0.5]
        [--entailment 0.53,0.45] [--relevance-model relevance.json]

For every (relevance, relevance_numbers) pair it prints:

- **off topic**: false verdicts per 1,000 claims of SemEval-2020 PTC *train* articles
  (from the 151st on: the first 150 train the relevance model; PTC dev and test are the
  off-topic benchmark) against the OCHA corpus, which speaks to none of them;
- **dev**: precision and the share of decidable claims decided correctly on the FIGNEWS
  development gold (``fignews_claims_dev.jsonl``; the test gold is not read);
- **ocha**: verdict accuracy on the OCHA hand-written gold and series sentences.

The stages up to retrieval, the NLI model and the relevance features run once per
claim; only the relevance model and the verdict rules run per setting.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "training"))


class CachedVerify:
    """Wraps the pipeline's ``verify`` stage: the relevance features of a claim's passages
    are computed once and reused by every threshold setting."""

    def __init__(self, verify) -> None:
        self.verify = verify
        self.rows: dict = {}
        original = verify.pair_rows

        def pair_rows(doc, claim, cands, probs, labels):
            key = (doc.id, hash(doc.text), claim["span"]["start"], claim["span"]["end"], claim["text"])
            if key not in self.rows:
                self.rows[key] = original(doc, claim, cands, probs, labels)
            return self.rows[key]

        verify.pair_rows = pair_rows
        self.probs: dict = {}
        model = verify.model
        predict = model.predict_proba

        def predict_proba(pairs):
            import numpy as np

            todo = [p for p in dict.fromkeys(pairs) if p not in self.probs]
            if todo:
                for p, row in zip(todo, predict(todo)):
                    self.probs[p] = row
            return np.array([self.probs[p] for p in pairs]) if pairs else \
                np.zeros((0, 3), np.float32)

        model.predict_proba = predict_proba

    def run(self, docs, **thresholds):
        import copy

        v = self.verify
        v.min_relevance = thresholds.get("relevance")
        v.min_relevance_numbers = thresholds.get("relevance_numbers")
        v.min_entail = thresholds.get("entailment")
        out = [copy.copy(d) for d in docs]
        for d in out:
            d.fields = dict(d.fields)
        v.set_annotations(out, v.predict(out))
        return out


def upto_verify(nlp, docs):
    """The documents through every stage before ``verify``."""
    from train_relevance import run_docs, upto_retrieve

    return run_docs(upto_retrieve(nlp)[0], docs)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--dev", type=Path, default=ROOT / "benchmarks" / "fignews_claims_dev.jsonl")
    ap.add_argument("--ptc-from", type=int, default=150)
    ap.add_argument("--ptc-articles", type=int, default=221)
    ap.add_argument("--relevance", default=None,
                    help="comma-separated thresholds (default: the model's own)")
    ap.add_argument("--relevance-numbers", default=None)
    ap.add_argument("--entailment", default=None,
                    help="comma-separated p(entailment) thresholds for claims without figures")
    ap.add_argument("--relevance-model", type=Path, default=None,
                    help="a relevance.json to try instead of the shipped one")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    import bench_verify_fignews as fn
    from _common import data_dir
    from _verify import gold_correct, pipeline, sentence_verdict

    from claimscope.document import Document

    nlp = pipeline(Path(args.db))
    t0 = time.time()
    files = sorted((data_dir("semeval2020-task11-ptc") / "train-articles").glob("*.txt"))
    files = files[args.ptc_from: args.ptc_from + args.ptc_articles]
    off = upto_verify(nlp, [Document(f.read_text(encoding="utf-8"), id=f.stem) for f in files])
    sets = {"off": off}
    if args.dev.is_file():
        _, gold = fn.load_gold(args.dev)
        keys, by_post, docs_in = fn.post_docs(nlp, gold)
        sets["dev"] = upto_verify(nlp, docs_in)
    ocha = [json.loads(x) for name in ("ocha_claims_gold.jsonl", "ocha_series_gold.jsonl")
            for x in (ROOT / "benchmarks" / name).read_text(encoding="utf-8").splitlines()
            if x.strip()]
    sets["ocha"] = upto_verify(nlp, [nlp.make_doc(r["claim"], published=r["as_of"])
                                     for r in ocha])
    print(f"stages up to retrieval: {time.time() - t0:.0f} s", flush=True)
    if args.relevance_model:
        from claimscope.relevance import RelevanceModel

        nlp.stages[-1].relevance = RelevanceModel(args.relevance_model)
    cv = CachedVerify(nlp.stages[-1])
    own = cv.verify.thresholds()

    def values(arg, name):
        return [float(x) for x in arg.split(",")] if arg else [own[name]]

    grid = itertools.product(values(args.relevance, "relevance"),
                             values(args.relevance_numbers, "relevance_numbers"),
                             values(args.entailment, "entailment"))
    for rel, reln, ent in grid:
        t1 = time.time()
        res = {}
        done = cv.run(sets["off"], relevance=rel, relevance_numbers=reln, entailment=ent)
        claims = [c for d in done for c in d.fields.get("claims", [])]
        false = [c for c in claims if c["verdict"] != "not_enough_evidence"]
        res["off"] = f"{1000 * len(false) / max(len(claims), 1):.2f}/1000 ({len(false)}/{len(claims)})"
        if "dev" in sets:
            s = fn.score(keys, by_post, cv.run(sets["dev"], relevance=rel,
                                               relevance_numbers=reln, entailment=ent))
            res["dev"] = (f"precision {s['decided_correct']}/{s['decided']}, decided correctly "
                          f"{s['decidable_decided_correctly']}/{s['decidable']} "
                          f"= {s['share_decided_correctly']:.3f}")
        done_o = cv.run(sets["ocha"], relevance=rel, relevance_numbers=reln, entailment=ent)
        ok = 0
        for r, d in zip(ocha, done_o):
            v = sentence_verdict([c["verdict"] for c in d.fields.get("claims", [])])
            ok += gold_correct(r["label"], v)
        res["ocha"] = f"{ok}/{len(ocha)} = {ok / len(ocha):.3f}"
        print(f"relevance {rel:.2f} numbers {reln:.2f} entailment {ent:.2f}: " + "; ".join(
            f"{k} {v}" for k, v in res.items()) + f" ({time.time() - t1:.0f} s)", flush=True)
        if args.verbose:
            for c in false:
                ev = c["evidence"][0] if c["evidence"] else {}
                print(f"    OFF [{c['verdict']}] {c['text'][:90]!r} <- "
                      f"{(ev.get('passage') or '')[:90]!r} r={ev.get('relevance')}")
            if "dev" in sets:
                for w in s["wrong"]:
                    print(f"    WRONG [{w['verdict']} vs {w['gold']}] {w['unit'][:90]!r} "
                          f"<- {w['passage_id']}: {w['comparison']}")
                for g, reasons in s["_missed"]:
                    print(f"    MISSED {g['id']} [{g['label']}] {g['claim'][:90]!r} "
                          f"gold={g['passage_ids'][:2]} date={g.get('published')}")
                    for w in reasons:
                        print(f"        {w}")


if __name__ == "__main__":
    main()
