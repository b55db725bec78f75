"""Speed of the full pipeline with and without the rhetoric layer (persuasion, techniques,
framing) on 1,000-word articles (same articles and method as bench_speed.py).

Target: >= 5 articles/s with the layer on.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from _common import report
from bench_speed import Timed, articles


def run(names, config, texts, batch_size):
    import claimscope
    from claimscope.pipeline import Pipeline

    totals: dict[str, float] = defaultdict(float)
    nlp = Pipeline([Timed(s, totals) for s in claimscope.load(names, config=config).stages])
    list(nlp.pipe(texts[:4], batch_size=4))
    totals.clear()
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    seconds = time.perf_counter() - t0
    return {"articles_per_s": round(len(texts) / seconds, 2), "seconds": round(seconds, 2),
            "stage_s": {k: round(v, 2) for k, v in totals.items()},
            "sentences": [s.text for d in docs for s in d.sentences]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args(argv)

    from claimscope.stages import CORE_STAGES, RHETORIC_STAGES

    texts = articles(args.articles)
    base = list(CORE_STAGES)
    without = run(base, {"encode": {"token_states": False}}, texts, args.batch_size)
    with_ = run(base + list(RHETORIC_STAGES), {"encode": {"token_states": True}}, texts,
                args.batch_size)
    from claimscope.models import bundle

    sentences = with_.pop("sentences")
    without.pop("sentences")
    t0 = time.perf_counter()
    bundle().encoder.embed(sentences)
    bare = time.perf_counter() - t0
    for r in (without, with_):
        r["pipeline_over_encoder"] = round(r["seconds"] / bare, 2)
    report(f"speed with/without the rhetoric layer: {len(texts)} articles of ~1,000 words", [
        ("articles/s without", f"{without['articles_per_s']}", ""),
        ("articles/s with", f"{with_['articles_per_s']}", "target >= 5"),
        ("bare encoder pass, s", f"{bare:.1f}", f"{len(sentences) / bare:.0f} sentences/s"),
        ("pipeline / encoder without", f"{without['pipeline_over_encoder']}", "target <= 1.5"),
        ("pipeline / encoder with", f"{with_['pipeline_over_encoder']}", ""),
    ] + [(f"  stage {k}, s", f"{v:.2f}", "") for k, v in with_["stage_s"].items()])
    return {"without": without, "with": with_, "encoder_pass_s": round(bare, 2)}


if __name__ == "__main__":
    print(json.dumps(main()))
