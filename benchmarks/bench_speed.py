"""Speed and memory of the full pipeline on 200 news articles of ~1,000 words.

Articles: the OCHA oPt Flash Updates (real reporting), cut at paragraph
boundaries into ~1,000-word pieces; without ../shared/data, the bundled sample
article repeated. Prints articles/s in batch, seconds for one article with
models loaded, peak memory (RSS), per-stage time, and the time of a bare
encoder pass over the same sentences: the floor any model-based pipeline pays.
Targets: >= 5 articles/s, < 1 s single, < 1.5 GB, pipeline <= 1.5x encoder.

This 2-core machine drifts by 20 % and more from one minute to the next, so the two
are timed in pairs: each batch of articles goes through the pipeline and, just before
or after it (alternating), its sentences through the bare encoder; the totals add up
the pairs. A ratio of two runs a minute apart measured the drift as much as the pipeline.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from _common import ROOT, SHARED, report

N_ARTICLES = 200
WORDS = 1_000


def articles(n: int = N_ARTICLES, words: int = WORDS) -> list[str]:
    path = SHARED / "ocha-opt-flash-updates-2023-2024" / "flash_updates_reports.jsonl"
    out: list[str] = []
    if path.is_file():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                paras = [p for p in json.loads(line)["text_markdown"].split("\n") if p.strip()]
                cur: list[str] = []
                for p in paras:
                    cur.append(p)
                    if sum(len(c.split()) for c in cur) >= words:
                        out.append("\n\n".join(cur))
                        cur = []
                if len(out) >= n:
                    return out[:n]
    sample = (ROOT / "examples" / "sample_article.txt").read_text(encoding="utf-8")
    return (out + [sample] * n)[:n]


class Timed:
    """Wrap a stage to add up the time spent in it."""

    def __init__(self, stage, totals):
        self.stage, self.totals = stage, totals
        self.name, self.assigns, self.requires = stage.name, stage.assigns, stage.requires

    def __call__(self, doc):
        t = time.perf_counter()
        out = self.stage(doc)
        self.totals[self.name] += time.perf_counter() - t
        return out

    def pipe(self, docs, batch_size=32):
        it = iter(self.stage.pipe(docs, batch_size=batch_size))
        while True:
            t = time.perf_counter()
            try:
                doc = next(it)
            except StopIteration:
                return
            finally:
                self.totals[self.name] += time.perf_counter() - t
            yield doc


def timed_pipeline(names: list[str] | None, config: dict | None, warm: list[str]):
    """The pipeline of stages ``names`` (None: the default analysis), each stage timed into
    the returned totals; models loaded and caches warmed on ``warm``, totals reset."""
    import claimscope
    from claimscope.pipeline import Pipeline

    totals: dict[str, float] = defaultdict(float)
    nlp = Pipeline([Timed(s, totals) for s in claimscope.load(names, config=config).stages])
    list(nlp.pipe(warm, batch_size=len(warm)))
    totals.clear()
    return nlp, totals


def paired_runs(analyses: dict[str, Callable[[list[str]], object]], encoder,
                texts: list[str], batch_size: int) -> dict:
    """Time each of ``analyses`` over ``texts`` one batch at a time and, back to back with
    them, the bare encoder pass over that batch's sentences (the order rotates from batch
    to batch). Returns the seconds of each (``encoder`` too), each analysis's ratio to
    the encoder per batch (``pair_ratios``) and all the sentences."""
    import claimscope

    segment = claimscope.load(["segment"])  # the pipeline's sentences, found untimed
    steps = [*analyses, "encoder"]
    seconds = dict.fromkeys(steps, 0.0)
    ratios: dict[str, list[float]] = {name: [] for name in analyses}
    sentences: list[str] = []
    for n, k in enumerate(range(0, len(texts), batch_size)):
        chunk = texts[k:k + batch_size]
        sents = [s.text for d in segment.pipe(chunk, batch_size=batch_size) for s in d.sentences]
        sentences += sents
        took = {}
        for step in steps[n % len(steps):] + steps[:n % len(steps)]:
            t = time.perf_counter()
            if step == "encoder":
                encoder.embed(sents)
            else:
                analyses[step](chunk)
            took[step] = time.perf_counter() - t
            seconds[step] += took[step]
        for name in analyses:
            ratios[name].append(round(took[name] / took["encoder"], 2))
    return {"seconds": seconds, "pair_ratios": ratios, "sentences": sentences}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=N_ARTICLES)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args(argv)

    from claimscope.models import bundle

    texts = articles(args.articles)
    n_words = sum(len(t.split()) for t in texts)
    nlp, totals = timed_pipeline(None, None, texts[:4])

    def analyse(chunk: list[str]) -> list:
        return list(nlp.pipe(chunk, batch_size=args.batch_size))

    pairs = paired_runs({"pipeline": analyse}, bundle().encoder, texts, args.batch_size)
    batch_s, encoder_s = pairs["seconds"]["pipeline"], pairs["seconds"]["encoder"]
    sentences = pairs["sentences"]
    ratios = pairs["pair_ratios"]["pipeline"]

    singles = []
    for text in texts[:5]:
        t = time.perf_counter()
        nlp(text)
        singles.append(time.perf_counter() - t)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "articles": len(texts), "words_per_article": round(n_words / len(texts)),
        "sentences": len(sentences),
        "articles_per_s": round(len(texts) / batch_s, 2),
        "single_article_s": round(statistics.median(singles), 3),
        "peak_rss_mb": round(peak_mb),
        "encoder_pass_s": round(encoder_s, 2), "pipeline_s": round(batch_s, 2),
        "pipeline_over_encoder": round(batch_s / encoder_s, 2),
        "stage_s": {k: round(v, 2) for k, v in totals.items()},
        "pair_ratios": ratios,
    }
    report(f"speed: {len(texts)} articles, ~{result['words_per_article']} words, "
           f"{len(sentences)} sentences, batch {args.batch_size}", [
        ("articles/s (batch)", f"{result['articles_per_s']}", "target >= 5"),
        ("single article, s", f"{result['single_article_s']}", "target < 1"),
        ("peak memory, MB", f"{result['peak_rss_mb']}", "target < 1,500"),
        ("bare encoder pass, s", f"{encoder_s:.1f}", f"{len(sentences) / encoder_s:.0f} sentences/s"),
        ("pipeline / encoder", f"{result['pipeline_over_encoder']}", "target <= 1.5"),
        ("  per batch pair", " ".join(f"{r:.2f}" for r in ratios),
         "batch and its encoder pass back to back"),
    ] + [(f"  stage {k}, s", f"{v:.2f}", "") for k, v in totals.items()])
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
