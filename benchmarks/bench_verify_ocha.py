"""Verification against a real reference corpus: the 151 UN OCHA oPt Flash Updates.

    python benchmarks/bench_verify_ocha.py [--db /tmp/cs_ocha.db] [--no-speed]

1. Indexing: builds the corpus from ``flash_updates_passages.jsonl`` (passages/s, size on
   disk). An existing db is reused (re-adding is a no-op; the first build is timed).
2. Retrieval and verdicts on ``benchmarks/ocha_claims_gold.jsonl``: 46 claims written
   here from the reports (some with a figure changed to make them false, three about
   things the reports do not cover), each with the passage ids that answer it and a date
   (the claim is checked as of that date). recall@5 counts a hit when a gold passage, or
   one with identical text (OCHA repeats figures across days), is in the top 5. Nothing
   was tuned on this set.
3. Speed: ``claimscope analyze`` (library) with the corpus on the sample article:
   articles/s and latency per claim.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import ROOT, data_dir, report  # noqa: E402

GOLD = Path(__file__).with_name("ocha_claims_gold.jsonl")
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


def gold_eval(db: Path, k: int = 5) -> dict:
    from claimscope.corpus import CorpusStore
    from claimscope.corpus.embed import default_encoder
    from claimscope.document import Document
    from claimscope.numcompare import NUMERIC_KINDS
    from claimscope.quantities import extract_quantities
    from claimscope.stages.retrieve import Retrieve, _date
    from claimscope.stages.verify import Verify

    rows = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    store = CorpusStore(db)
    retrieve = Retrieve(store, k=k)
    verify = Verify()
    texts = {}
    for (_pid, key, text) in store.con.execute("SELECT id, passage_key, text FROM passages"):
        texts[key] = text
    vecs = default_encoder().embed([r["claim"] for r in rows])
    hits, correct, confusion = 0, 0, Counter()
    with_gold = [r for r in rows if r["passage_ids"]]
    t0 = time.perf_counter()
    details = []
    for r, v in zip(rows, vecs):
        cands = retrieve.search(r["claim"], v, _date(r["as_of"]))
        gold_text = {texts.get(g) for g in r["passage_ids"]}
        hit = any(c["passage_id"] in r["passage_ids"] or c["passage"] in gold_text
                  for c in cands)
        if r["passage_ids"]:
            hits += hit
        doc = Document(r["claim"], published=r["as_of"])
        qs = [q for q in extract_quantities(r["claim"]) if q["kind"] in NUMERIC_KINDS]
        doc.fields["claims"] = [{"sentence": {"start": 0, "end": len(r["claim"])},
                                 "span": {"start": 0, "end": len(r["claim"])},
                                 "text": r["claim"], "quantities": qs, "candidates": cands}]
        verify(doc)
        c = doc.fields["claims"][0]
        correct += c["verdict"] == r["label"]
        confusion[(r["label"], c["verdict"])] += 1
        details.append({"id": r["id"], "label": r["label"], "verdict": c["verdict"],
                        "confidence": c["confidence"], "retrieved_gold": hit,
                        "comparison": c.get("comparison")})
    secs = time.perf_counter() - t0
    res = {"n": len(rows), "recall_at_5": round(hits / len(with_gold), 4),
           "verdict_accuracy": round(correct / len(rows), 4),
           "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
           "seconds_per_claim": round(secs / len(rows), 3), "details": details}
    report(f"OCHA gold claims (n={len(rows)}: {dict(Counter(r['label'] for r in rows))})", [
        (f"recall@{k} (n={len(with_gold)} with gold passages)",
         f"{res['recall_at_5'] * 100:.1f}", "own gold set, no published reference"),
        ("verdict accuracy (3 labels)", f"{res['verdict_accuracy'] * 100:.1f}", ""),
        ("retrieve + verify latency per claim", f"{secs / len(rows) * 1000:.0f} ms", "")])
    for key, n in res["confusion"].items():
        print(f"    {key}: {n}")
    return res


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
