"""The web app's latency: one ~1,000-word article pasted, analysed and shown.

Starts the app in this process with the shipped models (loaded once, at start, as
`claimscope serve` does), then times POST /api/analyze and GET /articles/{id} through the
HTTP interface. Prints the model load time and the median and worst of ``--runs`` articles.

    python benchmarks/bench_web.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_article.txt"
TARGET = 2.0  # seconds, the budget


def article(words: int = 1000) -> str:
    """The sample article cut to about ``words`` words, at a paragraph."""
    text = SAMPLE.read_text(encoding="utf-8")
    out, n = [], 0
    for para in text.split("\n\n"):
        out.append(para)
        n += len(para.split())
        if n >= words:
            break
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from claimscope.web import create_app

    text = article()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        app = create_app(store=Path(tmp) / "bench.db", allowed_hosts=["testserver"])
        load = time.perf_counter() - t0
        client = TestClient(app)
        times, words = [], len(text.split())
        for i in range(args.runs):
            body = {"text": text + f"\n\n(Run {i}.)", "title": f"Benchmark {i}"}
            t = time.perf_counter()
            resp = client.post("/api/analyze", json=body)
            resp.raise_for_status()
            page = client.get(resp.json()["url"])
            page.raise_for_status()
            times.append(time.perf_counter() - t)
    result = {"benchmark": "web", "words": words, "runs": args.runs,
              "model_load_s": round(load, 2), "median_s": round(statistics.median(times), 3),
              "max_s": round(max(times), 3), "target_s": TARGET}
    print(json.dumps(result))
    print(f"one {words}-word article analysed and shown: median {result['median_s']} s, "
          f"worst {result['max_s']} s (target {TARGET} s); models loaded in "
          f"{result['model_load_s']} s")


if __name__ == "__main__":
    main()
