"""Write ``ocha_series_gold.jsonl``: OCHA sentences word for word, and with another day's figure.

    python benchmarks/make_ocha_series.py [--n 25]

Figures in the OCHA Flash Updates are snapshots of series: the same sentence comes back
report after report with a new figure ("Since 7 October, Israeli forces have injured
2,011 Palestinians ..."). For ``--n`` series picked at random (seed 2024) among sentences
that come back in at least two reports with different figures:

- ``verbatim`` (label ``supported``): the sentence as one report states it, checked as of
  that report's date;
- ``other_day`` (label ``not_supported``: refuted or not enough evidence are both right):
  the same sentence with a figure another report of the series gives, checked as of the
  first report's date; the figure is more than 10 % away from the true one and makes the
  sentence false (above the true figure for "at least", below it for "at most").

The sentences are OCHA's (attribute "UN OCHA oPt, Flash Update #N"); nothing here is
written by hand, and nothing of it is used to train or tune a model.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir  # noqa: E402

OUT = Path(__file__).with_name("ocha_series_gold.jsonl")
_SENT = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_FIG = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d,.])\d{3,}(?![\d,.])")


def _bound(sentence: str, fig: str) -> str:
    before = sentence[:sentence.index(fig)].lower()
    if re.search(r"(?:at least|more than|over|above|in excess of|upwards of)\s*$", before):
        return "at_least"
    if re.search(r"(?:at most|less than|fewer than|under|below|up to)\s*$", before):
        return "at_most"
    return "exact"


def template(sentence: str) -> str:
    return _FIG.sub("#", sentence)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=25)
    args = ap.parse_args(argv)
    src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
    series: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for line in src.open(encoding="utf-8"):
        r = json.loads(line)
        for sent in _SENT.split(r["text"]):
            figs = _FIG.findall(sent)
            # one figure, a sentence of its own: the claim is about that figure
            if len(figs) == 1 and 40 <= len(sent) <= 300 and not sent.endswith(":"):
                series[template(sent)].append((r["report_date"], r["passage_id"], sent))
    usable = []
    for key, items in series.items():
        values = {_FIG.findall(s)[0] for _, _, s in items}
        if len(items) >= 2 and len(values) >= 2:
            usable.append(key)
    usable.sort()
    rng = random.Random(2024)
    rng.shuffle(usable)
    out = []
    for key in usable:
        if len(out) >= 2 * args.n:
            break
        items = sorted(series[key])
        date, pid, sent = items[rng.randrange(len(items))]
        fig = _FIG.findall(sent)[0]
        value = float(fig.replace(",", ""))
        bound = _bound(sent, fig)
        # another report's figure that makes the sentence false as of this date: more than
        # 10 % away (running totals of one day differ by the hour); "at least X" is false
        # only for a larger X, "at most X" only for a smaller one
        others = sorted(o for o in {_FIG.findall(s)[0] for _, _, s in items} - {fig}
                        if abs(float(o.replace(",", "")) - value) > 0.1 * value
                        and (bound != "at_least" or float(o.replace(",", "")) > value)
                        and (bound != "at_most" or float(o.replace(",", "")) < value))
        if not others:
            continue
        other = others[rng.randrange(len(others))]
        n = len(out) // 2
        out.append({"id": f"series-{n:02d}a", "claim": sent, "as_of": date,
                    "passage_ids": [pid], "label": "supported", "kind": "verbatim"})
        out.append({"id": f"series-{n:02d}b", "claim": sent.replace(fig, other, 1),
                    "as_of": date, "passage_ids": [pid], "label": "not_supported",
                    "kind": "other_day", "edit": f"{fig} -> {other} (another report's figure)"})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out),
                   encoding="utf-8")
    print(f"wrote {OUT} ({len(out)} claims from {len(usable)} series)")


if __name__ == "__main__":
    main()
