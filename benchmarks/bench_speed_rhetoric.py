"""Speed of the full pipeline with and without the rhetoric layer (persuasion, techniques,
framing) on 1,000-word articles (same articles and method as bench_speed.py), and with the
layer but without the span model's second encoder pass ("fast": ``analyze --fast``).

Target: >= 5 articles/s with the layer on. The four (without, with, fast, bare encoder pass)
are timed batch by batch, back to back (bench_speed.paired_runs), so that the drift of
this machine does not land on one of them.
"""

from __future__ import annotations

import argparse
import json

from _common import report
from bench_speed import articles, paired_runs, timed_pipeline


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args(argv)

    from claimscope.models import bundle
    from claimscope.stages import CORE_STAGES, RHETORIC_STAGES

    texts = articles(args.articles)
    base = list(CORE_STAGES)
    runs = {"without": timed_pipeline(base, {"encode": {"token_states": False}}, texts[:4]),
            "with": timed_pipeline(base + list(RHETORIC_STAGES),
                                   {"encode": {"token_states": True}}, texts[:4]),
            "fast": timed_pipeline(base + list(RHETORIC_STAGES),
                                   {"encode": {"token_states": True, "span_states": False}},
                                   texts[:4])}
    pairs = paired_runs({name: (lambda chunk, nlp=nlp: list(nlp.pipe(chunk, args.batch_size)))
                         for name, (nlp, _) in runs.items()},
                        bundle().encoder, texts, args.batch_size)
    bare = pairs["seconds"]["encoder"]
    sentences = pairs["sentences"]
    without, with_, fast = ({"articles_per_s": round(len(texts) / pairs["seconds"][name], 2),
                       "seconds": round(pairs["seconds"][name], 2),
                       "pipeline_over_encoder": round(pairs["seconds"][name] / bare, 2),
                       "pair_ratios": pairs["pair_ratios"][name],
                       "stage_s": {k: round(v, 2) for k, v in runs[name][1].items()}}
                      for name in ("without", "with", "fast"))
    report(f"speed with/without the rhetoric layer: {len(texts)} articles of ~1,000 words", [
        ("articles/s without", f"{without['articles_per_s']}", ""),
        ("articles/s with", f"{with_['articles_per_s']}", "target >= 5"),
        ("articles/s with, --fast", f"{fast['articles_per_s']}", "no span-model pass"),
        ("bare encoder pass, s", f"{bare:.1f}", f"{len(sentences) / bare:.0f} sentences/s"),
        ("pipeline / encoder without", f"{without['pipeline_over_encoder']}", "core stages"),
        ("pipeline / encoder with", f"{with_['pipeline_over_encoder']}",
         "the whole pipeline, two encoder passes"),
        ("pipeline / encoder with, --fast", f"{fast['pipeline_over_encoder']}", "one pass"),
    ] + [(f"  stage {k}, s", f"{v:.2f}", "") for k, v in with_["stage_s"].items()])
    return {"without": without, "with": with_, "fast": fast, "encoder_pass_s": round(bare, 2)}


if __name__ == "__main__":
    print(json.dumps(main()))
