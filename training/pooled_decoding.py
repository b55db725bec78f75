"""Choose the span decoding on several held-out slices of PTC train at once.

One slice of 37 articles is a noisy judge of settings this close (two runs of the same
settings on two slices can disagree by 0.03 SI), so this scores each run on its own
held-out slice, pools the predictions and prints the decoding with the best pooled SI F1.
Pass the result to ``train_persuasion.py --span-decoding`` when exporting the run that ships.

    python training/pooled_decoding.py --models /tmp/cs_layers \
        --inputs hidden_1+hidden_2+hidden_3+hidden_4+hidden_5+last_hidden_state \
        --run 13 RUN_SLICE_13 --run 7 RUN_SLICE_7
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import train_persuasion as tp  # noqa: E402

from claimscope.models.rhetoric_heads import RhetoricModel, mean_bio  # noqa: E402
from claimscope.scoring import si_score  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=tp.pdata.SHARED)
    ap.add_argument("--models", type=Path, required=True, help="the encoder the runs read")
    ap.add_argument("--inputs", default="last_hidden_state")
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--run", nargs="+", action="append", required=True,
                    metavar="SPLIT_SEED FOLDER",
                    help="a run's --split-seed and the folder of its exported rhetoric heads; "
                         "several folders (same slice): their BIO outputs are averaged")
    ap.add_argument("--show", type=int, default=0, help="also print the N best decodings")
    ap.add_argument("--per-run", action="store_true",
                    help="also tune the decoding on each run's slice alone")
    args = ap.parse_args(argv)
    if any(len(run) < 2 for run in args.run):
        raise SystemExit("--run takes a split seed and at least one folder")
    targs = tp.parse_args(["--models", str(args.models), "--data", str(args.data),
                           "--inputs", args.inputs])
    examples = tp.load_examples(targs)["all"]
    runs = []
    for split_seed, *folders in args.run:
        ids = tp.heldout_ids(examples, int(split_seed), args.valid_fraction)
        held = [e for e in examples if e.id in ids and e.ptc]
        members = []
        for folder in folders:
            model = RhetoricModel(Path(folder), verify=False)
            # heads with their front in the encoder graph (--front-in-encoder): the
            # held-out articles read through that run's graphs, as at run time
            valid = (tp.through_graphs(held, Path(folder)) if model.encoder_graph is not None
                     else held)
            members.append((model, [model.token_pass(ex.states, ex.offsets, ex.ids, ex.context)
                                    for ex in valid]))
        model, outs = members[0][0], [averaged([m[1][k] for m in members])
                                      for k in range(len(held))]
        runs.append((model, held, outs))
    scored = best_decoding(runs)
    if args.per_run:
        for split_seed, run in zip((r[0] for r in args.run), runs):
            f1, t, seed, split, gap = max(best_decoding([run]))
            print(f"slice {split_seed} alone: SI F1 {f1:.4f} (threshold {t}, seed {seed}, "
                  f"split {split}, gap {gap})")
    f1, t, seed, split, gap = max(scored)
    print(f"pooled SI F1 {f1:.4f} on {sum(len(r[1]) for r in runs)} articles: "
          f"--span-decoding {t} {seed} {split} {gap}")
    for row in sorted(scored, reverse=True)[:args.show]:
        print("  pooled SI F1 {:.4f}: threshold {}, seed {}, split {}, gap {}".format(*row))


def averaged(member_outs):
    """One article's token-head outputs, the BIO probabilities of several heads averaged."""
    return member_outs[0] if len(member_outs) == 1 else mean_bio(*member_outs)


def best_decoding(runs):
    """(pooled SI F1, threshold, seed, split, gap) of every decoding on the grid."""
    gold = {(i, ex.id): [(s, e) for _, s, e in ex.gold_spans]
            for i, (_, valid, _) in enumerate(runs) for ex in valid}
    scored = []
    for seed in tp.SEEDS:
        for split in tp.SPLITS:
            for gap in tp.GAPS:
                for t in tp.THRESHOLDS:
                    if seed and t >= seed:
                        continue
                    pred = {}
                    for i, (model, valid, outs) in enumerate(runs):
                        tp.set_decoding(model.weights_, seed, split, gap)
                        for ex, o in zip(valid, outs):
                            found = model.detect(ex.text, ex.sentences, o, t)
                            if found:
                                pred[(i, ex.id)] = [(s, e) for s, e, _, _ in found]
                    # ties broken as tune_span_decoding breaks them
                    scored.append((si_score(pred, gold)["f1"], t, seed, split, gap))
    return scored


if __name__ == "__main__":
    main()
