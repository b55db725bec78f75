"""False verdicts on an off-topic corpus: PTC dev articles checked against the OCHA corpus.

    python benchmarks/bench_verify_offtopic.py [--articles 165] [--db /tmp/cs_ocha.db]

The SemEval-2020 PTC dev and test articles (75 + 90; neither is used to train or tune
anything) are US and world news of 2017-18; the OCHA Flash
Updates speak of Gaza in 2023-24. The corpus says nothing about any of the articles'
claims, so every verdict other than ``not_enough_evidence`` is false. The figure is false
verdicts per 1,000 checked claims (target <= 1), with a 95 % Wilson interval.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir, report  # noqa: E402
from _verify import fmt_ci, ocha_db, pipeline  # noqa: E402

TARGET = 1.0  # false verdicts per 1,000 claims


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/cs_ocha.db"))
    ap.add_argument("--articles", type=int, default=165,
                    help="how many articles, dev first, then test")
    args = ap.parse_args(argv)
    ptc = data_dir("semeval2020-task11-ptc")
    files = sorted((ptc / "dev-articles").glob("*.txt")) + \
        sorted((ptc / "test-articles").glob("*.txt"))
    files = files[: args.articles]
    nlp = pipeline(ocha_db(args.db))
    t0 = time.perf_counter()
    claims, false = 0, []
    verdicts: Counter[str] = Counter()
    for f, doc in zip(files, nlp.pipe([f.read_text(encoding="utf-8") for f in files],
                                      batch_size=8)):
        for c in doc.fields.get("claims", []):
            claims += 1
            verdicts[c["verdict"]] += 1
            if c["verdict"] != "not_enough_evidence":
                ev = c["evidence"][0] if c["evidence"] else {}
                false.append({"article": f.name, "claim": c["text"], "verdict": c["verdict"],
                              "passage_id": ev.get("passage_id"),
                              "passage": (ev.get("passage") or "")[:200]})
    secs = time.perf_counter() - t0
    res = {"articles": len(files), "claims": claims, "false_verdicts": len(false),
           "per_1000": round(1000 * len(false) / max(claims, 1), 3),
           "verdicts": dict(verdicts), "seconds": round(secs, 1), "false": false}
    report(f"Off-topic corpus: {len(files)} PTC dev/test articles against the OCHA corpus", [
        ("false verdicts per 1,000 claims", fmt_ci(len(false), claims, 1000, 2),
         f"target <= {TARGET}"),
        ("claims checked", str(claims), str(dict(verdicts)))])
    for x in false:
        print(f"    {x['article']}: [{x['verdict']}] {x['claim'][:100]!r} <- {x['passage_id']}")
    return res


if __name__ == "__main__":
    out = main()
    Path(__file__).with_name("results_verify_offtopic.json").write_text(
        json.dumps(out, indent=2) + "\n")
