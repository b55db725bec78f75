"""Run every benchmark and save what they print to benchmarks/results.json."""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_checkworthiness  # noqa: E402
import bench_ledger  # noqa: E402
import bench_swap  # noqa: E402
import bench_quantities  # noqa: E402
import bench_speed  # noqa: E402
import bench_subjectivity  # noqa: E402

BENCHES = {"checkworthiness": bench_checkworthiness.main,
           "subjectivity": bench_subjectivity.main,
           "quantities": lambda: bench_quantities.main([]),
           "speed": lambda: bench_speed.main([]),
           "ledger": lambda: bench_ledger.main([]),
           "swap": lambda: bench_swap.main(["--raw"])}


def main() -> None:
    names = sys.argv[1:] or list(BENCHES)
    out_path = Path(__file__).with_name("results.json")
    results = json.loads(out_path.read_text()) if out_path.is_file() else {}
    for name in names:
        results[name] = BENCHES[name]()
    results["_machine"] = {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                           "date": time.strftime("%Y-%m-%d")}
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nsaved {out_path}")


if __name__ == "__main__":
    main()
