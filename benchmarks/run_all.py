"""Run every benchmark and save what they print to benchmarks/results.json.

Each benchmark runs in its own Python process, so one cannot inflate another's figures
(peak memory is a process-lifetime maximum; models and caches would stay loaded).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
MARK = "@@claimscope-benchmark-result@@"
_RUNNER = ("import json, sys; sys.path.insert(0, sys.argv[1]); import importlib; "
           "r = importlib.import_module(sys.argv[2]).main(sys.argv[3:]); "
           f"print({MARK!r} + json.dumps(r), flush=True)")


def _bench(module: str, *argv: str):
    """Run ``benchmarks/<module>.py``'s main(argv) in a fresh process when called."""
    def run():
        proc = subprocess.Popen([sys.executable, "-c", _RUNNER, str(HERE), module, *argv],
                                stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        result = None
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith(MARK):
                result = json.loads(line[len(MARK):])
            else:
                print(line, end="", flush=True)
        if proc.wait() != 0 or result is None:
            sys.exit(f"benchmark {module} failed (exit code {proc.returncode})")
        return result
    return run


BENCHES = {"checkworthiness": _bench("bench_checkworthiness"),
           "subjectivity": _bench("bench_subjectivity"),
           "quantities": _bench("bench_quantities"),
           "ledger": _bench("bench_ledger"),
           "swap": _bench("bench_swap", "--raw"),
           "persuasion": _bench("bench_persuasion"),
           "techniques": _bench("bench_techniques"),
           "framing": _bench("bench_framing"),
           "fignews": _bench("bench_fignews"),
           "nli": _bench("bench_nli", "--climate-n", "500", "--vitaminc-n", "1500"),
           "verify_ocha": _bench("bench_verify_ocha"),
           "verify_offtopic": _bench("bench_verify_offtopic"),
           "verify_fignews": _bench("bench_verify_fignews"),
           "speed": _bench("bench_speed"),
           "speed_rhetoric": _bench("bench_speed_rhetoric")}


def main() -> None:
    names = sys.argv[1:] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {unknown[0]!r}; expected one of {', '.join(BENCHES)}")
    out_path = Path(__file__).with_name("results.json")
    results = json.loads(out_path.read_text()) if out_path.is_file() else {}
    for name in names:
        results[name] = BENCHES[name]()
        out_path.write_text(json.dumps(results, indent=2) + "\n")  # a long run keeps what it has
    results["_machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "date": time.strftime("%Y-%m-%d")}
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nsaved {out_path}")


if __name__ == "__main__":
    main()
