"""--engine ray on this machine's 2-core local Ray cluster against --workers 2.

The first N PTC train articles (default 150) as one folder; each run is
``claimscope analyze FOLDER -o OUT --format jsonl -q`` with ``--workers 2`` (local engine)
or ``--engine ray`` (two actors, one CPU and one onnxruntime thread each), load time
excluded as in bench_scale.py (each run's wall time minus the same command's on one
article: start-up, the Ray cluster, model load), in turns so that the machine's drift
hits both alike. Each Ray run's report.jsonl must equal the local one byte for byte.

    python benchmarks/bench_ray.py [--articles N] [--runs N]

Prints the figures and saves ``benchmarks/results_ray.json``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import tempfile
from pathlib import Path

from _common import ROOT, data_dir
from bench_scale import _one_article, timed

RESULTS = Path(__file__).resolve().parent / "results_ray.json"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args(argv)
    exe = str(ROOT / ".venv" / "bin" / "claimscope")
    ptc = sorted((data_dir("semeval2020-task11-ptc") / "train-articles").iterdir())
    engines = {"local --workers 2": ["--workers", "2"], "ray (2 actors)": ["--engine", "ray"]}
    runs: dict[str, list[dict]] = {k: [] for k in engines}
    same = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for p in ptc[: args.articles]:
            (folder / p.name).write_bytes(p.read_bytes())
        one = _one_article(folder, Path(tmp))
        for r in range(args.runs):
            order = list(engines) if r % 2 == 0 else list(reversed(engines))
            for name in order:
                out = Path(tmp) / f"{r}-{name.split()[0]}"
                cmd = [exe, "analyze", str(folder), "-o", str(out), "--format", "jsonl", "-q"]
                full, peak, _ = timed(cmd + engines[name])
                load, _, _ = timed([exe, "analyze", str(one), "-o", str(Path(tmp) / "one"),
                                    "--format", "jsonl", "-q", *engines[name]])
                rate = (args.articles - 1) / max(1e-9, full - load)
                runs[name].append({"seconds": round(full, 2), "load_seconds": round(load, 2),
                                   "articles_per_s": round(rate, 2),
                                   "peak_mb": round(peak, 1)})
                print(f"  run {r + 1} {name}: {rate:.2f} articles/s ({full:.1f} s, load "
                      f"{load:.1f} s, peak {peak:.0f} MB)", flush=True)
            local = Path(tmp) / f"{r}-local" / "report.jsonl"
            far = Path(tmp) / f"{r}-ray" / "report.jsonl"
            same.append(filecmp.cmp(local, far, shallow=False))
    results = {
        "machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
        "articles": args.articles, "data": "SemEval-2020 PTC train articles (first N)",
        "ray_version": __import__("ray").__version__,
        "engines": {k: {"runs": v, "median_articles_per_s": statistics.median(
            x["articles_per_s"] for x in v)} for k, v in runs.items()},
        "report_jsonl_identical": all(same),
    }
    print(json.dumps({k: v["median_articles_per_s"] for k, v in results["engines"].items()}),
          "identical:", all(same))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
