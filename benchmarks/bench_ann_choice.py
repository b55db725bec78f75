"""Which approximate-nearest-neighbour index for a corpus of a million passages?

The vectors: the 12,945 OCHA Flash Update passages embedded with the retrieval encoder,
then synthesised up to N by perturbation (each copy is an OCHA vector plus Gaussian noise,
normalised: cosine ~0.9 to its original, so the synthetic corpus has the near-duplicate
clusters of a real corpus of daily reports). The queries: the 84 OCHA gold and series
claims of benchmarks/ (what retrieval searches with). For each candidate, at 100k and 1M
vectors: build seconds, memory or file MB, milliseconds per query (one query at a time,
k = 100, as retrieval asks) and recall@100 against the exact search.

Candidates (each installs as a wheel from the package index): exact float32 (numpy, as
the store searches now), exact float16 in chunks, FAISS IVF with float16 vectors
(faiss-cpu; nprobe 16/32/64), FAISS IVF-PQ (48 bytes a vector) whose candidates are
rescored with the exact float16 vectors, USearch HNSW with float16 vectors (usearch),
rescored the same way. hnswlib has no
wheel for this Python (pip download --only-binary fails), so a fresh machine needs a
compiler for it: left out.

    python benchmarks/bench_ann_choice.py [--sizes 100000,1000000] [--queries 84] [--db OCHA.db]

``--db``: take the OCHA vectors from a built OCHA corpus instead of embedding them. The
exact search alone is also timed at 10k to 100k vectors (``--exact-sizes``), where the
store's threshold between exact search and the index was chosen.

Saves ``benchmarks/results_ann_choice.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results_ann_choice.json"
CACHE = Path(tempfile.gettempdir()) / "claimscope-bench"
K = 100


def ocha_vectors(db: Path | None = None) -> np.ndarray:
    """The OCHA passages' retrieval vectors: those of a built OCHA corpus ``db`` (what the
    store searches), else embedded here (cached in the temp folder between runs)."""
    if db is not None:
        from claimscope.corpus import CorpusStore

        with CorpusStore(db) as store:
            return store.vectors()[1].copy()
    CACHE.mkdir(exist_ok=True)
    path = CACHE / "ocha_vectors.npy"
    if path.exists():
        return np.load(path)
    from claimscope.corpus.embed import default_encoder

    src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
    texts = [json.loads(x)["text"] for x in src.read_text(encoding="utf-8").splitlines()
             if x.strip()]
    t0 = time.perf_counter()
    vecs = default_encoder().embed(texts)
    print(f"embedded {len(texts)} OCHA passages in {time.perf_counter() - t0:.0f} s")
    np.save(path, vecs)
    return vecs


def queries(n: int) -> np.ndarray:
    from claimscope.corpus.embed import default_encoder

    texts = []
    for name in ("ocha_claims_gold.jsonl", "ocha_series_gold.jsonl"):
        texts += [json.loads(x)["claim"] for x in (HERE / name).read_text().splitlines()
                  if x.strip()]
    return default_encoder().embed(texts[:n])


def synthesise(base: np.ndarray, n: int, sigma: float = 0.025, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors: the base vectors, then perturbed copies of them."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), np.float32)
    step = 200_000
    for a in range(0, n, step):
        b = min(n, a + step)
        idx = np.arange(a, b) % len(base)
        block = base[idx] + (rng.standard_normal((b - a, base.shape[1]), np.float32) * sigma
                             * (idx != np.arange(a, b))[:, None])
        out[a:b] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact(mat: np.ndarray, q: np.ndarray) -> np.ndarray:
    sims = mat @ q
    top = np.argpartition(-sims, K - 1)[:K]
    return top[np.argsort(-sims[top])]


def timeit(fn, qs: np.ndarray) -> tuple[float, list[np.ndarray]]:
    out = []
    t0 = time.perf_counter()
    for q in qs:
        out.append(fn(q))
    return (time.perf_counter() - t0) * 1000 / len(qs), out


def recall(got: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(np.mean([len(set(map(int, g)) & set(map(int, t))) / K
                          for g, t in zip(got, truth)]))


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(mat: np.ndarray, qs: np.ndarray) -> dict:
    n = len(mat)
    res: dict[str, dict] = {}
    ms, truth = timeit(lambda q: exact(mat, q), qs)
    res["exact float32 (numpy)"] = {"ms_per_query": round(ms, 2), "recall": 1.0,
                                    "memory_mb": round(mat.nbytes / 2**20)}
    print(f"  exact float32: {ms:.1f} ms", flush=True)
    half = mat.astype(np.float16)

    def exact16(q: np.ndarray) -> np.ndarray:
        sims = np.empty(n, np.float32)
        for a in range(0, n, 65536):
            sims[a:a + 65536] = half[a:a + 65536].astype(np.float32) @ q
        top = np.argpartition(-sims, K - 1)[:K]
        return top[np.argsort(-sims[top])]

    ms, got = timeit(exact16, qs[:20])
    res["exact float16 (chunks)"] = {"ms_per_query": round(ms, 2),
                                     "recall": round(recall(got, truth[:20]), 4),
                                     "memory_mb": round(half.nbytes / 2**20)}
    print(f"  exact float16: {ms:.1f} ms", flush=True)

    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    nlist = 1024 if n <= 200_000 else 4096
    t0 = time.perf_counter()
    quant = faiss.IndexFlatIP(mat.shape[1])
    index = faiss.IndexIVFScalarQuantizer(quant, mat.shape[1], nlist,
                                          faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)
    sample = mat[np.random.default_rng(1).choice(n, min(n, 64 * nlist), replace=False)]
    index.train(sample)
    index.add(mat)
    build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        faiss.write_index(index, f"{tmp}/i")
        size = os.path.getsize(f"{tmp}/i") / 2**20
    faiss.omp_set_num_threads(1)
    for nprobe in (16, 32, 64):
        index.nprobe = nprobe
        ms, got = timeit(lambda q, ix=index: ix.search(q[None, :], K)[1][0], qs)
        res[f"faiss IVF{nlist},SQfp16 nprobe={nprobe}"] = {
            "build_s": round(build, 1), "file_mb": round(size), "ms_per_query": round(ms, 2),
            "recall": round(recall(got, truth), 4)}
        print(f"  faiss nprobe {nprobe}: {ms:.2f} ms, recall {recall(got, truth):.3f}, "
              f"build {build:.0f} s", flush=True)

    def rescored(candidates: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The top K of ``candidates`` by their exact cosine (float16 vectors)."""
        rows = np.sort(candidates[candidates >= 0])
        sims = half[rows].astype(np.float32) @ q
        top = np.argsort(-sims)[:K]
        return rows[top]

    t0 = time.perf_counter()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    quant = faiss.IndexFlatIP(mat.shape[1])
    index = faiss.IndexIVFPQ(quant, mat.shape[1], nlist, 48, 8, faiss.METRIC_INNER_PRODUCT)
    index.train(sample)
    index.add(mat)
    build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        faiss.write_index(index, f"{tmp}/i")
        size = os.path.getsize(f"{tmp}/i") / 2**20
    faiss.omp_set_num_threads(1)
    for nprobe, fetch in ((32, 400), (64, 1000)):
        index.nprobe = nprobe
        ms, got = timeit(lambda q, ix=index, f=fetch: rescored(
            ix.search(q[None, :], f)[1][0], q), qs)
        res[f"faiss IVF{nlist},PQ48 nprobe={nprobe}, {fetch} rescored (float16)"] = {
            "build_s": round(build, 1), "file_mb": round(size), "ms_per_query": round(ms, 2),
            "recall": round(recall(got, truth), 4)}
        print(f"  faiss PQ nprobe {nprobe} fetch {fetch}: {ms:.2f} ms, recall "
              f"{recall(got, truth):.3f}, build {build:.0f} s", flush=True)

    from usearch.index import Index

    for conn, ef_add in ((16, 64),):
        t0 = time.perf_counter()
        index = Index(ndim=mat.shape[1], metric="ip", dtype="f16", connectivity=conn,
                      expansion_add=ef_add)
        index.add(np.arange(n), mat, threads=os.cpu_count() or 1)
        build = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            index.save(f"{tmp}/u")
            size = os.path.getsize(f"{tmp}/u") / 2**20
        for ef, fetch in ((128, K), (256, K), (256, 2 * K)):
            index.expansion_search = ef
            ms, got = timeit(lambda q, ix=index, f=fetch: rescored(
                ix.search(q, f, threads=1).keys.astype(np.int64), q), qs)
            res[f"usearch HNSW f16 M={conn} ef_add={ef_add} ef={ef}, {fetch} rescored"] = {
                "build_s": round(build, 1), "file_mb": round(size),
                "ms_per_query": round(ms, 2), "recall": round(recall(got, truth), 4)}
            print(f"  usearch ef {ef} fetch {fetch}: {ms:.2f} ms, recall "
                  f"{recall(got, truth):.3f}, build {build:.0f} s", flush=True)
        del index
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--queries", type=int, default=84)
    ap.add_argument("--exact-sizes", default="10000,25000,50000,100000",
                    help="sizes at which only the exact search is timed (the threshold)")
    ap.add_argument("--db", type=Path, default=None,
                    help="a built OCHA corpus to take the vectors from (else embed them)")
    args = ap.parse_args(argv)
    base = ocha_vectors(args.db)
    qs = queries(args.queries)
    out = {"machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
           "k": K, "queries": len(qs), "base_passages": len(base), "exact_ms": {},
           "sizes": {}}
    for n in (int(x) for x in args.exact_sizes.split(",") if x):
        mat = synthesise(base, n)
        exact(mat, qs[0])
        ms, _ = timeit(lambda q, m=mat: exact(m, q), qs)
        out["exact_ms"][str(n)] = round(ms, 2)
        print(f"exact float32 at {n:,}: {ms:.2f} ms/query", flush=True)
        del mat
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"{n:,} vectors", flush=True)
        mat = synthesise(base, n)
        out["sizes"][str(n)] = run_size(mat, qs)
        del mat
        RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    out["peak_rss_mb"] = round(peak_rss_mb())
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    main()
