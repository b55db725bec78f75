"""Verification against a real reference corpus: the 151 UN OCHA oPt Flash Updates.

    python benchmarks/bench_verify_ocha.py [--db /tmp/cs_ocha.db] [--no-speed]

1. Indexing: builds the corpus from ``flash_updates_passages.jsonl`` (passages/s, size on
   disk). An existing db is reused (re-adding is a no-op; the first build is timed).
2. Verdicts on ``benchmarks/ocha_claims_gold.jsonl`` (46 claims written from the reports,
   some with a figure changed to make them false, three about things the reports do not
   cover, each with the passage ids that answer it and the date it is checked as of) and
   on ``benchmarks/ocha_series_gold.jsonl`` (``make_ocha_series.py``: 21 OCHA sentences
   word for word, which must be supported, and the same with another report's figure,
   which must not). The claims run through the real pipeline. The hand-written gold was
   used to find the kinds of error the verification rules now handle (it is a
   development set); the series sentences were not looked at while writing them.
3. Speed: ``claimscope analyze`` (library) with the corpus on the sample article:
   articles/s and latency per claim.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import ROOT, data_dir, report  # noqa: E402

GOLD = Path(__file__).with_name("ocha_claims_gold.jsonl")
SERIES = Path(__file__).with_name("ocha_series_gold.jsonl")
SOURCE_TEMPLATE = "UN OCHA oPt Flash Update #{flash_update_no}"


def build(db: Path) -> dict:
    from claimscope.corpus import CorpusStore, Fields, read_sources

    src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
    fields = Fields(date="report_date", source=SOURCE_TEMPLATE, publisher="=UN OCHA oPt")
    fresh = not db.exists()
    t0 = time.perf_counter()
    docs = [d for d in read_sources([src], fields) if not isinstance(d, Exception)]
    with CorpusStore(db, create=True) as store:
        res = store.add(docs)
        stats = store.stats()
    secs = time.perf_counter() - t0
    out = {"fresh_build": fresh, "passages": stats["passages"], "sources": stats["sources"],
           "seconds": round(secs, 1), "bytes": db.stat().st_size,
           "content_sha256": stats["content_sha256"]}
    if res.passages:
        out["passages_per_second"] = round(res.passages / secs, 1)
    report("OCHA corpus indexing", [
        ("passages", str(stats["passages"]), f"{stats['sources']} sources"),
        ("passages/s (embed + FTS5 + SQLite)", str(out.get("passages_per_second", "(reused)")),
         f"{secs:.0f} s" + ("" if fresh else " (db reused: re-add was a no-op)")),
        ("store size on disk", f"{db.stat().st_size / 1e6:.1f} MB", "")])
    return out


def index_speed(n: int = 1500) -> dict:
    """passages/s of a fresh build of the first ``n`` OCHA passages (embedding dominates)."""
    import tempfile

    from claimscope.corpus import CorpusStore, Fields, read_sources

    src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
    fields = Fields(date="report_date", source=SOURCE_TEMPLATE, publisher="=UN OCHA oPt")
    docs, total = [], 0
    for d in read_sources([src], fields):
        if isinstance(d, Exception):
            continue
        docs.append(d)
        total += len(d.passages)
        if total >= n:
            break
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "speed.db"
        from claimscope.corpus.embed import default_encoder

        default_encoder().embed(["warm up"])
        t0 = time.perf_counter()
        with CorpusStore(db, create=True) as store:
            res = store.add(docs)
        secs = time.perf_counter() - t0
        size = db.stat().st_size
    out = {"passages": res.passages, "seconds": round(secs, 1),
           "passages_per_second": round(res.passages / secs, 1),
           "bytes_per_passage": round(size / res.passages)}
    report(f"Corpus indexing speed (fresh build of {res.passages} OCHA passages)", [
        ("passages/s (embed + FTS5 + SQLite)", f"{out['passages_per_second']:.1f}",
         f"{size / res.passages / 1024:.1f} KiB per passage on disk")])
    return out


def gold_eval(db: Path) -> dict:
    """Verdict accuracy on the hand-written gold and on the OCHA series sentences, each
    claim analysed by the real pipeline (claim units, retrieval, verification) as of its
    date; a claim taken apart into units gets one verdict (``sentence_verdict``)."""
    from _verify import gold_correct, pipeline, sentence_verdict

    rows = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    series = [json.loads(x) for x in SERIES.read_text(encoding="utf-8").splitlines()
              if x.strip()]
    nlp = pipeline(db)
    texts = {}
    with sqlite3.connect(str(db)) as con:
        for key, text in con.execute("SELECT passage_key, text FROM passages"):
            texts[key] = text
    out: dict[str, dict] = {}
    t0 = time.perf_counter()
    n_units = 0
    for name, items in (("gold", rows), ("series", series)):
        confusion: Counter[tuple[str, str]] = Counter()
        hits = correct = with_gold = 0
        details = []
        docs = nlp.pipe([nlp.make_doc(r["claim"], published=r["as_of"]) for r in items],
                        batch_size=16)
        for r, doc in zip(items, docs):
            claims = doc.fields.get("claims", [])
            n_units += len(claims)
            verdict = sentence_verdict([c["verdict"] for c in claims])
            gold_text = {texts.get(g) for g in r["passage_ids"]}
            if r["passage_ids"]:
                with_gold += 1
                hits += any(ev.get("passage_id") in r["passage_ids"]
                            or ev.get("passage") in gold_text
                            for c in claims for ev in c.get("evidence", []))
            ok = gold_correct(r["label"], verdict)
            correct += ok
            confusion[(r["label"], verdict)] += 1
            details.append({"id": r["id"], "label": r["label"], "verdict": verdict,
                            "units": [c["verdict"] for c in claims],
                            "comparison": next((c.get("comparison") for c in claims
                                                if c.get("comparison")), None)})
        out[name] = {"n": len(items), "retrieved_gold_passage": round(hits / with_gold, 4),
                     "verdict_accuracy": round(correct / len(items), 4), "correct": correct,
                     "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
                     "details": details}
    secs = time.perf_counter() - t0
    allc = out["gold"]["correct"] + out["series"]["correct"]
    alln = out["gold"]["n"] + out["series"]["n"]
    out["all"] = {"n": alln, "correct": allc, "verdict_accuracy": round(allc / alln, 4),
                  "seconds_per_unit": round(secs / max(n_units, 1), 3)}
    from _verify import fmt_ci

    report("OCHA gold claims (hand-written) and OCHA series sentences (verbatim / other day)", [
        ("verdict accuracy, hand-written gold", fmt_ci(out["gold"]["correct"],
                                                      out["gold"]["n"]), "target >= 0.85"),
        ("verdict accuracy, series (verbatim: supported; other day: not supported)",
         fmt_ci(out["series"]["correct"], out["series"]["n"]), ""),
        ("verdict accuracy, all", fmt_ci(allc, alln), "target >= 0.85"),
        ("gold passage among the evidence (gold / series)",
         f"{out['gold']['retrieved_gold_passage']:.3f} / "
         f"{out['series']['retrieved_gold_passage']:.3f}", ""),
        ("analysis + retrieval + verification per claim unit",
         f"{secs / max(n_units, 1) * 1000:.0f} ms", "")])
    for name in ("gold", "series"):
        for key, n in out[name]["confusion"].items():
            print(f"    {name} {key}: {n}")
    return out


def speed(db: Path, repeat: int = 3) -> dict:
    import claimscope

    text = (ROOT / "examples" / "sample_article.txt").read_text(encoding="utf-8")
    nlp = claimscope.load(corpus=str(db), config={"retrieve": {"as_of": "2023-11-18"}})
    nlp("warm up the models. 300 trucks entered.")
    base = claimscope.load()
    t0 = time.perf_counter()
    docs = list(nlp.pipe([text] * repeat, batch_size=repeat))
    secs = time.perf_counter() - t0
    t1 = time.perf_counter()
    list(base.pipe([text] * repeat, batch_size=repeat))
    base_secs = time.perf_counter() - t1
    n_claims = sum(len(d.fields["claims"]) for d in docs)
    res = {"articles_per_second": round(repeat / secs, 3),
           "articles_per_second_without_corpus": round(repeat / base_secs, 3),
           "claims_per_article": n_claims // repeat,
           "seconds_per_claim_added": round((secs - base_secs) / max(n_claims, 1), 3),
           "verdicts": dict(Counter(c["verdict"] for c in docs[0].fields["claims"]))}
    report("analyze --corpus (OCHA) on examples/sample_article.txt", [
        ("articles/s with corpus", f"{res['articles_per_second']:.2f}",
         f"without: {res['articles_per_second_without_corpus']:.2f}"),
        ("claims per article", str(res["claims_per_article"]), str(res["verdicts"])),
        ("latency per claim (retrieve + verify)", f"{res['seconds_per_claim_added'] * 1000:.0f} ms", "")])
    return res


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, default=Path("/tmp/cs_ocha.db"))
    p.add_argument("--no-speed", action="store_true")
    args = p.parse_args(argv)
    out = {"index": build(args.db), "gold": gold_eval(args.db)}
    if not args.no_speed:
        out["index_speed"] = index_speed()
        out["speed"] = speed(args.db)
    return out


if __name__ == "__main__":
    res = main()
    Path(__file__).with_name("results_verify_ocha.json").write_text(json.dumps(res, indent=2) + "\n")
