"""Even-handedness: do labels change when the sides are swapped?

Every text is analysed twice by the full pipeline: as written, and with
Israel <-> Hamas and Russia <-> Ukraine swapped (claimscope.swap: names,
forces, leaders, demonyms). For each stage we count the share of labels that
change once the actors are swapped back:

- check-worthiness and subjectivity: the >= 0.5 decision of each sentence
  (sentences aligned through the swap's offset map);
- quantities: low, high, bound, approximate, unit, kind and counted (with the
  actors in `counted` swapped back), aligned by offset;
- ledger: rows as (side of actor, kind, polarity, domain), sides swapped back;
- persuasion: span labels per sentence, if that stage exists.

Texts: the sentences of benchmarks/ledger_dev.jsonl and ledger_gold.jsonl,
examples/sample_article.txt and benchmarks/swap_articles.jsonl.
Target: <= 1% of labels change. Model stages are skipped (n/a) when the
shipped models are missing.

The shipped pipeline reads sentences side-blind (``encode`` with ``blind=True``: the
sides' names become "Side A", "Leader B", ...). ``--raw`` also measures the encoder
reading the names (``blind=False``): how much the model itself leans, which the blinding
hides rather than cures.
"""

from __future__ import annotations

import json
from pathlib import Path

from _common import ROOT, report

HERE = Path(__file__).resolve().parent
MODEL_STAGES = ("encode", "checkworthiness", "subjectivity")


def texts() -> list[tuple[str, str]]:
    out = []
    for name in ("ledger_dev.jsonl", "ledger_gold.jsonl", "swap_articles.jsonl"):
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append((item["id"], item["text"]))
    out.append(("sample_article", (ROOT / "examples" / "sample_article.txt").read_text(
        encoding="utf-8")))
    return out


def models_available() -> bool:
    from claimscope.models import DATA_DIR

    return (Path(DATA_DIR) / "manifest.json").is_file()


def pipeline(blind: bool = True):
    import claimscope
    from claimscope.stages import DEFAULT_STAGES

    names = list(DEFAULT_STAGES)
    if not models_available():
        names = [n for n in names if n not in MODEL_STAGES]
    elif "persuasion" in claimscope.registry.stages and "persuasion" not in names:
        names.append("persuasion")
    config = {"encode": {"blind": blind}} if "encode" in names else None
    return claimscope.load(names, config=config), names


def main(argv: list[str] | None = None) -> dict:
    args = list(argv if argv is not None else __import__("sys").argv[1:])
    res = measure(blind=True)
    if "--raw" in args and "encode" in res["stages"]:
        res["raw_encoder"] = measure(blind=False)
    return res


def measure(blind: bool) -> dict:
    from claimscope.swap import label_changes, swap_actors

    nlp, names = pipeline(blind)
    items = texts()
    swaps = [swap_actors(t) for _, t in items]
    origs = list(nlp.pipe([t for _, t in items], batch_size=32))
    swapped = list(nlp.pipe([s.text for s in swaps], batch_size=32))
    totals: dict[str, list[int]] = {}
    diffs = []
    for (name, _), o, s, res in zip(items, origs, swapped, swaps):
        for stage, (c, n) in label_changes(o, s, res).items():
            t = totals.setdefault(stage, [0, 0])
            t[0] += c
            t[1] += n
            if c:
                diffs.append((name, stage, c))
    n_sent = sum(len(o.sentences) for o in origs)
    res = {"texts": len(items), "sentences": n_sent, "stages": names,
           "changed": {k: {"changed": c, "labels": n, "rate": round(c / n, 4) if n else 0.0}
                       for k, (c, n) in totals.items()},
           "texts_with_changes": diffs}
    rows = [(f"{k}: changed / labels", f"{v['changed']} / {v['labels']}",
             f"{100 * v['rate']:.2f}% (target <= 1%)") for k, v in res["changed"].items()]
    for head in ("checkworthiness", "subjectivity"):
        if head not in res["changed"]:
            rows.append((f"{head}", "n/a", "shipped models missing"))
    mode = "side-blind encoder (shipped)" if blind else "raw encoder (names visible)"
    report(f"swap test, {mode}: {len(items)} texts, {n_sent} sentences, Israel<->Hamas and "
           f"Russia<->Ukraine swapped", rows)
    if diffs:
        print("  texts with changes:", ", ".join(f"{n} ({s} {c})" for n, s, c in diffs))
    return res


if __name__ == "__main__":
    print(json.dumps(main()))
