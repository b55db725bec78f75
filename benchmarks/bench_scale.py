"""Collections at scale: articles/s of the default analysis, workers, flat memory.

- ``speed``: ``claimscope analyze PTC_TRAIN -o OUT --format json`` (the 371 PTC train
  articles), load time excluded: each run's wall time minus that of the same command on
  one article (start-up, model load, one article), in turns with ``--baseline`` (another
  checkout's claimscope, e.g. main's) so that the machine's drift hits both alike.
- ``workers``: the same with ``--workers 1`` and ``--workers 2``, in turns.
- ``memory``: peak resident memory of the whole run (claimscope and its workers, summed,
  sampled every 0.1 s) for 300 and 1,200 articles with ``--format jsonl``.
- ``resume``: ``--format jsonl,parquet`` on the 75 PTC dev articles, killed with SIGKILL
  once some articles are written, then run again with ``--resume``: every article must be
  in ``report.jsonl`` exactly once, every line valid, and each Parquet table must hold as
  many rows as the JSONL's articles hold items (the same run uninterrupted is the check).

    python benchmarks/bench_scale.py [speed] [workers] [memory] [resume] [--baseline PATH]
        [--runs N]

Prints the figures and saves ``benchmarks/results_scale.json`` (one key per part).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, data_dir

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results_scale.json"


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, summed (MB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process tree, exit code) of ``cmd``."""
    peak = 0.0
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    secs = time.perf_counter() - t
    done.set()
    th.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed: {err[-1000:]}")
    return secs, peak, proc.returncode


def _one_article(folder: Path, tmp: Path) -> Path:
    one = tmp / "one"
    one.mkdir(exist_ok=True)
    first = sorted(folder.iterdir())[0]
    (one / first.name).write_bytes(first.read_bytes())
    return one


def rate(exe: str, folder: Path, tmp: Path, extra: list[str], n: int) -> dict[str, float]:
    """Articles/s of ``exe analyze folder``, load time excluded (see the module doc)."""
    out = tmp / "out"
    full, _, _ = timed([exe, "analyze", str(folder), "-o", str(out), "--format", "json", "-q",
                        *extra])
    load, _, _ = timed([exe, "analyze", str(_one_article(folder, tmp)), "-o", str(out),
                        "--format", "json", "-q", *extra])
    return {"seconds": round(full, 2), "load_seconds": round(load, 2),
            "articles_per_s": round((n - 1) / max(1e-9, full - load), 2)}


def _paired(commands: dict[str, tuple[str, list[str]]], folder: Path, n: int, runs: int
            ) -> dict[str, dict]:
    out: dict[str, list[dict]] = {k: [] for k in commands}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(runs):
            names = list(commands) if r % 2 == 0 else list(reversed(commands))
            for name in names:
                exe, extra = commands[name]
                res = rate(exe, folder, Path(tmp), extra, n)
                out[name].append(res)
                print(f"  run {r + 1} {name}: {res['articles_per_s']} articles/s "
                      f"({res['seconds']} s, load {res['load_seconds']} s)", flush=True)
    return {k: {"runs": v, "median_articles_per_s": statistics.median(
        x["articles_per_s"] for x in v)} for k, v in out.items()}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parts", nargs="*", default=["speed", "workers", "memory", "resume"])
    ap.add_argument("--baseline", default=None,
                    help="another claimscope executable (e.g. ../main/.venv/bin/claimscope)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    exe = str(ROOT / ".venv" / "bin" / "claimscope")
    ptc = data_dir("semeval2020-task11-ptc") / "train-articles"
    n = len(list(ptc.iterdir()))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = {"cores": os.cpu_count(), "load_average": os.getloadavg()}
    if "speed" in args.parts:
        print(f"speed: {n} PTC train articles, --format json, load time excluded")
        cmds = {"this": (exe, [])}
        if args.baseline:
            cmds["baseline"] = (args.baseline, [])
        results["speed"] = {"articles": n, **_paired(cmds, ptc, n, args.runs)}
    if "workers" in args.parts:
        print(f"workers: {n} PTC train articles, --workers 1 against 2")
        results["workers"] = {"articles": n, **_paired(
            {"1": (exe, ["--workers", "1"]), "2": (exe, ["--workers", "2"])}, ptc, n,
            args.runs)}
    if "memory" in args.parts:
        print("memory: peak RSS of the run (all processes), --format jsonl")
        texts = []
        for split in ("train-articles", "dev-articles", "test-articles"):
            folder = ptc.parent / split
            if folder.is_dir():
                texts += [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())]
        mem = {}
        with tempfile.TemporaryDirectory() as tmp:
            for size in (300, 1200):
                src = Path(tmp) / f"in{size}.jsonl"
                with src.open("w", encoding="utf-8") as fh:
                    for i in range(size):
                        fh.write(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) + "\n")
                secs, peak, _ = timed([exe, "analyze", str(src), "-o", str(Path(tmp) / "o"),
                                       "--format", "jsonl", "-q"])
                mem[str(size)] = {"peak_mb": round(peak, 1), "seconds": round(secs, 1)}
                print(f"  {size} articles: peak {peak:.0f} MB, {secs:.0f} s", flush=True)
        mem["ratio_1200_to_300"] = round(mem["1200"]["peak_mb"] / mem["300"]["peak_mb"], 3)
        print(f"  ratio 1,200 / 300: {mem['ratio_1200_to_300']} (target <= 1.25)")
        results["memory"] = mem
    if "resume" in args.parts:
        print("resume: SIGKILL during a jsonl,parquet run, then --resume")
        results["resume"] = killed_and_resumed(exe, ptc.parent / "dev-articles")
        print(f"  {results['resume']}")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


#: what each Parquet table holds one row of, counted in the articles of the JSONL
_ROWS = {"articles": lambda a: 1, "sentences": lambda a: len(a.get("sentences") or []),
         "quantities": lambda a: len(a.get("quantities") or []),
         "spans": lambda a: sum(len(v) for v in (a.get("spans") or {}).values()),
         "paragraphs": lambda a: len(a.get("paragraphs") or []),
         "ledger": lambda a: len(a.get("ledger") or [])}


def killed_and_resumed(exe: str, folder: Path) -> dict:
    """Kill a run with SIGKILL after a few articles, resume it, check the outputs."""
    import signal

    import pyarrow.parquet as pq

    files = sorted(folder.iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = [exe, "analyze", str(folder), "-o", str(out), "--format", "jsonl,parquet", "-q"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        partial = out / "report.jsonl.partial"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            if partial.exists() and partial.read_bytes().count(b"\n") >= len(files) // 3:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        before = partial.read_bytes().count(b"\n") if partial.exists() else 0
        secs, _, code = timed(cmd + ["--resume"])
        lines = (out / "report.jsonl").read_text(encoding="utf-8").splitlines()
        arts = [json.loads(x) for x in lines]  # raises on a line that is not valid JSON
        ids = [a["id"] for a in arts]
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        tables = {name: pq.ParquetFile(out / f"{name}.parquet").metadata.num_rows
                  for name in _ROWS}
        expected = {name: sum(f(a) for a in arts) for name, f in _ROWS.items()}
    return {"articles": len(files), "written_when_killed": before,
            "resumed": run["counts"].get("resumed"), "exit_code": code,
            "lines": len(lines), "distinct_ids": len(set(ids)),
            "every_article_once": sorted(ids) == sorted(p.stem for p in files),
            "parquet_rows": tables, "parquet_rows_match_jsonl": tables == expected,
            "resume_seconds": round(secs, 1)}


if __name__ == "__main__":
    main()
