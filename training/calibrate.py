"""Fixed activation ranges for claimscope's int8 graphs, so that the result of a sentence
does not depend on the other sentences of its batch.

The exports are quantized with onnxruntime's ``quantize_dynamic``: int8 weights, and
activations quantized on the fly with one uint8 scale per batch tensor. That scale comes
from the batch's most extreme value, so with dynamic ranges the same sentence gets another
embedding alone, padded, or beside other sentences (up to 0.3 per component;
check-worthiness scores move by up to 0.13 and persuasion spans changed in 15 of 24
articles between a batch run and one-article runs). This script measures each quantized
activation's range once, on sentences of training splits only, and fixes it in the graph
(``onnx_share.static_activations``): the same speed, and the same result alone or in any
batch.

Calibration data (training splits, never a benchmark's test data): 1,500 sentences drawn
(seed 0) from CheckThat! 2024 check-worthiness train, the sentences of the first 60 PTC
train articles (SemEval-2020 Task 11), and, for the NLI model, 1,500 LingNLI train pairs.

Steps, on the model folder (idempotent: a graph with no dynamic quantizer is left alone):

1. the encoder is calibrated and its ranges fixed in it and in the rhetoric encoder graph
   (the encoder and the rhetoric heads' front), whose tensors have the same names, so both
   still give bit-identical sentence embeddings; then the front, on what the fixed encoder
   gives;
2. the token head (``rhetoric.onnx``), on what the fixed encoder gives for the same text;
3. the NLI cross-encoder;
4. manifest.json, persuasion.json and nli.json record the new sha256 and the calibration.

Usage::

    python training/calibrate.py --data ../shared/data --models claimscope/models/data
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import persuasion_data as pdata  # noqa: E402
from onnx_share import RHETORIC_ENCODER, _file_entry, activation_ranges, static_activations  # noqa: E402

SEED = 0
N_SENTENCES = 1500
N_ARTICLES = 60
N_PAIRS = 1500
BATCH = 32  # the encoder's batch size at run time
CW_TRAIN = "checkthat2024-task1-checkworthiness-en/CT24_checkworthy_english_train.tsv"
LINGNLI = "lingnli/lingnli_train.jsonl.gz"
NOTE = ("static uint8 activations: ranges measured once (training/calibrate.py) on "
        f"{N_SENTENCES} CheckThat! 2024 check-worthiness train sentences and the sentences of "
        f"{N_ARTICLES} PTC train articles (NLI: {N_PAIRS} LingNLI train pairs); "
        "a sentence's result does not depend on its batch")


def calibration_groups(data: Path) -> list[list[str]]:
    """Sentences in groups (an article, or 40 check-worthiness sentences), training splits."""
    import claimscope

    rng = random.Random(SEED)
    path = data / CW_TRAIN
    with path.open(encoding="utf-8") as fh:
        rows = [r["Text"] for r in csv.DictReader(fh, delimiter="\t")]
    picked = rng.sample(rows, N_SENTENCES)
    groups = [picked[i:i + 40] for i in range(0, len(picked), 40)]
    articles = pdata.ptc("train", data)[:N_ARTICLES]
    segment = claimscope.load(["segment"])
    groups += [[s.text for s in doc.sentences]
               for doc in segment.pipe([a["text"] for a in articles], batch_size=16)]
    return [g for g in groups if g]


def encoder_batches(encoder, sentences: list[str]):
    from claimscope.models import padded_batches

    encoder._load()
    ids = [e.ids for e in encoder.tokenizer_.encode_batch(sentences, add_special_tokens=True)]
    for _, tokens, mask, _ in padded_batches(ids, BATCH):
        feeds = {"input_ids": tokens, "attention_mask": mask}
        if "token_type_ids" in encoder._input_names:
            feeds["token_type_ids"] = tokens * 0
        yield feeds, mask


class _Recorder:
    """Stands in for the token head's session: runs it and keeps every batch it was fed."""

    def __init__(self, session) -> None:
        self.session, self.feeds = session, []

    def run(self, names, feeds):
        self.feeds.append({k: v.copy() for k, v in feeds.items()})
        return self.session.run(names, feeds)

    def get_inputs(self):
        return self.session.get_inputs()


def head_batches(models: Path, groups: list[list[str]]):
    """The token head's input batches for ``groups``, through the (fixed) rhetoric encoder."""
    from claimscope.models import ModelBundle
    from claimscope.models.rhetoric_heads import sentence_context

    bundle = ModelBundle(models, verify=False)
    rhetoric = bundle.rhetoric
    rhetoric._load()
    recorder = _Recorder(rhetoric.session_)
    rhetoric.session_ = recorder
    for sentences in groups:
        emb, states, offsets, ids = bundle.encoder.embed_tokens(
            sentences, rhetoric.states_input, rhetoric.encoder_graph)
        rhetoric.token_pass(states, offsets, ids, sentence_context(emb))
    return [(feeds, feeds["mask"]) for feeds in recorder.feeds]


def nli_batches(models: Path, data: Path):
    from claimscope.models import padded_batches
    from claimscope.models.nli import NLIModel

    rng = random.Random(SEED)
    with gzip.open(data / LINGNLI, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    pairs = [(r["premise"], r["hypothesis"]) for r in rng.sample(rows, N_PAIRS)]
    model = NLIModel(models, verify=False)
    model._load()
    encs = model.tokenizer_.encode_batch(pairs)
    for _, ids, mask, types in padded_batches([e.ids for e in encs], model.batch_size,
                                              [e.type_ids for e in encs]):
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        yield {k: v for k, v in feeds.items() if k in model._inputs}, mask


def calibrate_folder(models: Path, data: Path) -> dict[str, int]:
    """Fix the activation ranges of every int8 graph in ``models`` and record the new files
    in its manifests (steps 1-4 above). Returns the quantizers fixed per graph."""
    from claimscope.models import ENCODER_FILE

    need = [Path(models) / ENCODER_FILE, Path(data) / CW_TRAIN, Path(data) / pdata.PTC]
    if (Path(models) / "nli.int8.onnx").is_file():
        need.append(Path(data) / LINGNLI)
    missing = [str(p) for p in need if not p.exists()]
    if missing:
        raise SystemExit(f"expected the model folder's encoder and the calibration data "
                         f"(--models, --data); missing: {', '.join(missing)}")
    # this opens the per-batch graphs on purpose: their load-time warning (W005) is moot
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W005\]")
        fixed = _calibrate(Path(models), data)
    _record(Path(models))
    return fixed


def _calibrate(models: Path, data: Path) -> dict[str, int]:
    from claimscope.models import ENCODER_FILE, TOKENIZER_FILE, Encoder

    fixed: dict[str, int] = {}
    groups = calibration_groups(data)
    sentences = [s for g in groups for s in g]
    # the encoder first (both graphs get its ranges, so their sentence embeddings stay
    # bit-identical), then the rhetoric encoder's front, on what the fixed encoder gives
    encoder, graph = models / ENCODER_FILE, models / RHETORIC_ENCODER
    ranges = activation_ranges(encoder, encoder_batches(
        Encoder(encoder, models / TOKENIZER_FILE), sentences))
    for path in (encoder, graph):
        if path.is_file():
            fixed[path.name] = static_activations(path, ranges)
    if graph.is_file():
        fixed[graph.name] += static_activations(graph, activation_ranges(graph, encoder_batches(
            Encoder(graph, models / TOKENIZER_FILE), sentences)))
    head = models / "rhetoric.onnx"
    if head.is_file():
        fixed[head.name] = static_activations(head, activation_ranges(
            head, head_batches(models, groups)))
    nli = models / "nli.int8.onnx"
    if nli.is_file():
        fixed[nli.name] = static_activations(nli, activation_ranges(nli, nli_batches(models, data)))
    return fixed


def _record(models: Path) -> None:
    """manifest.json, persuasion.json and nli.json: what the files now are."""
    from claimscope.models import ENCODER_FILE

    encoder = _file_entry(models / ENCODER_FILE)
    path = models / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    m["files"][ENCODER_FILE] = encoder
    m["format"] = "onnx opset 17, onnxruntime quantize_dynamic weights (QInt8 per-channel); " + NOTE
    path.write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    path = models / "persuasion.json"
    if path.is_file():
        p = json.loads(path.read_text(encoding="utf-8"))
        p["encoder_sha256"] = encoder["sha256"]
        for name in ("rhetoric.onnx", RHETORIC_ENCODER):
            if name in p.get("files", {}):
                p["files"][name] = _file_entry(models / name)
        p["activations"] = NOTE
        path.write_text(json.dumps(p, indent=2) + "\n", encoding="utf-8")
    path = models / "nli.json"
    if path.is_file():
        n = json.loads(path.read_text(encoding="utf-8"))
        entry = _file_entry(models / "nli.int8.onnx")
        n["sha256"]["nli.int8.onnx"], n["bytes"] = entry["sha256"], entry["bytes"]
        n["activations"] = NOTE
        path.write_text(json.dumps(n, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--models", type=Path, default=Path("claimscope/models/data"))
    args = ap.parse_args(argv)
    for name, n in calibrate_folder(args.models, args.data).items():
        print(f"{name}: {n} quantizers fixed")


if __name__ == "__main__":
    main()
