"""The corpus at scale: indexing speed, retrieval latency per claim, ANN recall, memory.

    python benchmarks/bench_corpus.py [--sizes 10000,100000] [--with-1m] [--no-add]

1. ``corpus add`` speed: a fresh store of the 12,945 OCHA Flash Update passages (13,299
   once long paragraphs are cut into windows), passages/s, and the process's CPU time
   over wall time (how much of the cores the encoder used).
2. Retrieval at 10k, 100k (and 1M with ``--with-1m``) passages: the OCHA passages with
   their vectors, then perturbed copies (bench_ann_choice's ``synthesise``: OCHA vector
   plus noise, cosine ~0.9 to it, the original's text and date), written into a real
   store with ``CorpusStore.add``. For the 84 claims of ``ocha_claims_gold.jsonl`` and
   ``ocha_series_gold.jsonl``: milliseconds per claim (median, p95) of the dense search
   as retrieval calls it (twice: up to the claim's date, and unfiltered) and of the
   whole ``Retrieve.search`` (BM25, dense, figures, fusion, passage records), each in a
   fresh process whose peak RSS is recorded: exact search and the ANN path at every
   size (the default path is exact below ``ANN_MIN_PASSAGES``, the ANN path above), and
   recall@10 / recall@100 of the ANN path against exact.

Saves ``benchmarks/results_corpus.json``. The 1M store takes ~2 GB of disk in the temp
folder and some minutes to write.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir, report  # noqa: E402
from _verify import SOURCE_TEMPLATE  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results_corpus.json"
GOLD = [HERE / "ocha_claims_gold.jsonl", HERE / "ocha_series_gold.jsonl"]


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which a new program starts afresh (ru_maxrss keeps
    the parent's peak across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_speed(db: Path) -> dict:
    """A fresh build of the OCHA corpus at ``db`` with ``CorpusStore.add``."""
    from claimscope.corpus import CorpusStore, Fields, read_sources
    from claimscope.corpus.embed import default_encoder

    src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
    fields = Fields(date="report_date", source=SOURCE_TEMPLATE, publisher="=UN OCHA oPt")
    db.unlink(missing_ok=True)
    default_encoder().embed(["warm up"])  # the model loads before the clock starts
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    with CorpusStore(db, create=True) as store:
        res = store.add(d for d in read_sources([src], fields) if not isinstance(d, Exception))
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"passages": res.passages, "seconds": round(secs, 1),
           "passages_per_second": round(res.passages / secs, 1),
           "cpu_seconds": round(cpu, 1), "cores_busy": round(cpu / secs, 2),
           "cpu_ms_per_passage": round(1000 * cpu / res.passages, 1),
           "load_average_before": round(load0, 2), "cores": os.cpu_count()}
    report("corpus add (fresh OCHA store)", [
        ("passages/s", f"{out['passages_per_second']}", f"{res.passages} passages in {secs:.0f} s"),
        ("cores busy (CPU s / wall s)", f"{out['cores_busy']}",
         f"{out['cpu_ms_per_passage']} ms CPU a passage; load before {load0:.1f}")])
    return out


class ListEncoder:
    """Hands out precomputed vectors in order: ``add`` embeds the passages of a fresh
    store in the order it is given them."""

    name = None  # the store records the real embedder's name: these are its vectors

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.at = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        out = self.vectors[self.at:self.at + len(texts)]
        self.at += len(texts)
        return out.astype(np.float32)


def build_store(base_db: Path, n: int, db: Path) -> dict:
    """A store of ``n`` passages at ``db``: the OCHA passages of ``base_db``, then
    perturbed copies, each with its original's text and date."""
    from bench_ann_choice import synthesise

    from claimscope.corpus import CorpusStore, PassageIn, SourceDoc

    con = sqlite3.connect(base_db)
    rows = con.execute("SELECT p.text, COALESCE(p.date, d.date), d.source, p.embedding "
                       "FROM passages p JOIN documents d ON d.id = p.doc_id "
                       "ORDER BY p.id").fetchall()
    con.close()
    base = np.stack([np.frombuffer(r[3], np.float16) for r in rows]).astype(np.float32)
    vecs = synthesise(base, n).astype(np.float16)
    docs: list[SourceDoc] = []
    for i in range(n):
        text, date, source, _ = rows[i % len(rows)]
        name = source if i < len(rows) else f"{source} (copy {i // len(rows)})"
        if not docs or docs[-1].source != name:
            docs.append(SourceDoc(source=name, passages=[], date=date,
                                  publisher="UN OCHA oPt", declared=True))
        docs[-1].passages.append(PassageIn(text, 0, len(text), date=date))
    db.unlink(missing_ok=True)
    Path(str(db) + ".ann").unlink(missing_ok=True)
    t0 = time.perf_counter()
    with CorpusStore(db, create=True, encoder=ListEncoder(vecs), ann_min=n + 1) as store:
        res = store.add(docs)
    write = time.perf_counter() - t0
    assert res.passages == n, res
    t0 = time.perf_counter()
    with CorpusStore(db, ann_min=1) as store:
        store.build_ann()
    build = time.perf_counter() - t0
    return {"passages": n, "write_seconds": round(write, 1), "ann_build_seconds": round(build, 1),
            "db_mb": round(db.stat().st_size / 2**20),
            "ann_mb": round(Path(str(db) + ".ann").stat().st_size / 2**20)}


def claims() -> list[dict]:
    return [json.loads(x) for p in GOLD for x in p.read_text().splitlines() if x.strip()]


def measure(db: Path, mode: str, out: Path) -> None:
    """In a fresh process: per claim, the dense search as retrieval calls it and the
    whole ``Retrieve.search``; the top-100 ids; peak RSS. ``mode``: exact or ann."""
    from claimscope.corpus import CorpusStore
    from claimscope.corpus.embed import default_encoder
    from claimscope.dates import to_date
    from claimscope.quantities import extract_quantities
    from claimscope.stages.retrieve import Retrieve

    gold = claims()
    vecs = default_encoder().embed([c["claim"] for c in gold])
    rss0 = peak_rss_mb()
    ann_min = 1 if mode == "ann" else 1 << 62
    store = CorpusStore(db, ann_min=ann_min)
    t0 = time.perf_counter()
    store.search_dense(vecs[0], 100)  # loads the vectors or the index
    first = time.perf_counter() - t0
    stage = Retrieve(store)
    dense_ms, bm25_ms, retrieve_ms, tops, tops_dated = [], [], [], [], []
    for c, v in zip(gold, vecs):
        ref = to_date(c["as_of"])
        max_date = ref.isoformat() if ref else None
        t0 = time.perf_counter()
        dated = store.search_dense(v, stage.candidates, max_date=max_date)
        whole = store.search_dense(v, stage.candidates)
        dense_ms.append((time.perf_counter() - t0) * 1000)
        tops.append([p for p, _ in whole])
        tops_dated.append([p for p, _ in dated])
        t0 = time.perf_counter()  # the word search, as retrieval calls it
        store.search_bm25_dated(c["claim"], stage.candidates, max_dates=[max_date, None]
                                if max_date else [None])
        bm25_ms.append((time.perf_counter() - t0) * 1000)
        figures = [q["text"] for q in extract_quantities(c["claim"])]
        t0 = time.perf_counter()
        stage.search(c["claim"], v, ref, figures=figures)
        retrieve_ms.append((time.perf_counter() - t0) * 1000)
    out.write_text(json.dumps({
        "mode": mode, "first_search_s": round(first, 2),
        "dense_ms": {"median": round(float(np.median(dense_ms)), 2),
                     "p95": round(float(np.percentile(dense_ms, 95)), 2)},
        "bm25_ms": {"median": round(float(np.median(bm25_ms)), 2),
                    "p95": round(float(np.percentile(bm25_ms, 95)), 2)},
        "retrieve_ms": {"median": round(float(np.median(retrieve_ms)), 2),
                        "p95": round(float(np.percentile(retrieve_ms, 95)), 2)},
        "peak_rss_mb": round(peak_rss_mb()), "rss_before_store_mb": round(rss0),
        "tops": tops, "tops_dated": tops_dated}))


def recall(got: list[list[int]], truth: list[list[int]], k: int) -> float:
    return round(float(np.mean([len(set(g[:k]) & set(t[:k])) / max(1, len(t[:k]))
                                for g, t in zip(got, truth)])), 4)


def run_size(base_db: Path, n: int, workdir: Path) -> dict:
    db = workdir / f"corpus_{n}.db"
    print(f"{n:,} passages: writing the store", flush=True)
    built = build_store(base_db, n, db)
    print(f"  written in {built['write_seconds']} s, ANN index built in "
          f"{built['ann_build_seconds']} s", flush=True)
    res: dict = {"store": built}
    for mode in ("exact", "ann"):
        out = workdir / f"measure_{n}_{mode}.json"
        subprocess.run([sys.executable, __file__, "--measure", str(db), mode, str(out)],
                       check=True)
        res[mode] = json.loads(out.read_text())
    for key, tops in (("recall", "tops"), ("recall_dated", "tops_dated")):
        res[key] = {f"@{k}": recall(res["ann"][tops], res["exact"][tops], k) for k in (10, 100)}
    for mode in ("exact", "ann"):
        del res[mode]["tops"], res[mode]["tops_dated"]
    from claimscope.corpus.store import ANN_MIN_PASSAGES

    res["default_path"] = "ann" if n >= ANN_MIN_PASSAGES else "exact"
    report(f"retrieval at {n:,} passages (84 claims)", [
        ("dense ms/claim exact (median, p95)",
         f"{res['exact']['dense_ms']['median']}", f"p95 {res['exact']['dense_ms']['p95']}"),
        ("dense ms/claim ANN (median, p95)",
         f"{res['ann']['dense_ms']['median']}", f"p95 {res['ann']['dense_ms']['p95']}"),
        ("Retrieve.search ms/claim exact / ANN",
         f"{res['exact']['retrieve_ms']['median']}", f"{res['ann']['retrieve_ms']['median']}"),
        ("ANN recall@10 / @100 (dated)", f"{res['recall']['@10']} / {res['recall']['@100']}",
         f"({res['recall_dated']['@10']} / {res['recall_dated']['@100']})"),
        ("peak RSS MB exact / ANN", f"{res['exact']['peak_rss_mb']}",
         f"{res['ann']['peak_rss_mb']}")])
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--with-1m", action="store_true", help="also 1,000,000 passages")
    ap.add_argument("--no-add", action="store_true",
                    help="skip the corpus add timing (reuse --ocha-db)")
    ap.add_argument("--ocha-db", type=Path,
                    default=Path(tempfile.gettempdir()) / "claimscope-bench" / "ocha_add.db")
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "claimscope-bench")
    ap.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        measure(Path(args.measure[0]), args.measure[1], Path(args.measure[2]))
        return {}
    args.workdir.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    out = {"machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
           "claims": len(claims()), "add": previous.get("add"),
           "sizes": previous.get("sizes", {})}
    if not args.no_add:
        args.ocha_db.parent.mkdir(parents=True, exist_ok=True)
        out["add"] = add_speed(args.ocha_db)
    sizes = [int(x) for x in args.sizes.split(",") if x] + ([1_000_000] if args.with_1m else [])
    for n in sizes:
        out["sizes"][str(n)] = run_size(args.ocha_db, n, args.workdir)
        RESULTS.write_text(json.dumps(out, indent=2) + "\n")
        for f in args.workdir.glob(f"corpus_{n}.db*"):
            f.unlink()
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    main()
