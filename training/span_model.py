"""Install (or remove) a span model: rhetoric heads on a second encoder that place the
persuasion spans, beside the shipped heads that label them.

A span model is the output folder of ``train_persuasion.py --front-in-encoder`` run on
another encoder (e.g. one fine-tuned on the PTC token task, ``train_sentence_heads.py
--ptc-tokens``). Its files are copied into the model folder under their own names, its
encoder graph pointed at its own copy of the encoder weights (the word embeddings and the
tokenizer must be the shipped ones), and the shipped ``persuasion.json`` names it::

    python training/span_model.py --heads RUN_FOLDER --models claimscope/models/data
    # an ensemble of the two encoders' heads: the spans decoded from their mean BIO
    # probabilities, with a decoding chosen for the mean (pooled_decoding.py --run S A B)
    python training/span_model.py --heads RUN_FOLDER --models claimscope/models/data \
        --combine mean --span-decoding 0.2 0.35 1.01 4
    python training/span_model.py --remove --models claimscope/models/data

Heads trained without ``--context`` read no sentence embedding, so the installed encoder
graph is pruned to their token states: the pass stops at the last layer they read (e.g.
``--inputs hidden_1+hidden_2+hidden_3`` runs three of the six layers), and only those
layers' weights are copied.

Needs onnx (requirements-train.txt).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_persuasion import set_decoding, sha256  # noqa: E402

MANIFEST = "span_head.json"
FILES = {"rhetoric_encoder.onnx": "span_encoder.onnx",
         "encoder.weights.bin": "span_encoder.weights.bin",
         "rhetoric.onnx": "span_head.onnx",
         "rhetoric.npz": "span_head.npz"}
SHARED = ("word_embeddings.uint8.bin", "tokenizer.json")


def install(heads: Path, models: Path, combine: str = "alone",
            decoding: tuple[float, float, float, int] | None = None) -> dict:
    """Copy the span model in ``heads`` into ``models``; returns its manifest.

    ``combine``: "alone" (its own BIO outputs place the spans) or "mean" (the mean of its
    and the shipped heads'); ``decoding`` (threshold, seed, split, gap) replaces the span
    decoding in its numpy heads (required with "mean": the run's own was tuned alone)."""
    import numpy as np
    import onnx

    if combine not in ("alone", "mean"):
        raise SystemExit(f"--combine: expected 'alone' or 'mean', got {combine!r}")
    if combine == "mean" and decoding is None:
        raise SystemExit("--combine mean needs --span-decoding T SEED SPLIT GAP tuned for the "
                         "mean (training/pooled_decoding.py --run SEED SHIPPED RUN ...)")

    source = json.loads((heads / "persuasion.json").read_text(encoding="utf-8"))
    head = source.get("token_head", {})
    if head.get("encoder_graph") != "rhetoric_encoder.onnx":
        raise SystemExit(f"{heads}: expected heads exported with --front-in-encoder "
                         f"(token_head.encoder_graph rhetoric_encoder.onnx), got "
                         f"{head.get('encoder_graph')!r}; re-export the run with it")
    for name in (*FILES, *SHARED):
        if not (heads / name).is_file():
            raise SystemExit(f"{heads}: expected a file {name}; it is missing")
    for name in SHARED:
        if sha256(heads / name) != sha256(models / name):
            raise SystemExit(f"{heads / name} differs from {models / name}: a span model "
                             "must share the shipped word embeddings and tokenizer")
    graph = onnx.load(str(heads / "rhetoric_encoder.onnx"), load_external_data=False)
    entries = [e for t in graph.graph.initializer for e in t.external_data
               if e.key == "location" and e.value == "encoder.weights.bin"]
    if not entries:
        raise SystemExit(f"{heads / 'rhetoric_encoder.onnx'}: expected weights in "
                         "encoder.weights.bin, found none")
    weights_file = models / FILES["encoder.weights.bin"]
    if head.get("context"):
        for entry in entries:  # its own copy of the weights, under its own name
            entry.value = FILES["encoder.weights.bin"]
        onnx.save(graph, str(models / FILES["rhetoric_encoder.onnx"]))
        shutil.copyfile(heads / "encoder.weights.bin", weights_file)
    else:
        # the head reads no sentence embedding: only its token states are kept, so the
        # pass stops at the last layer they read, and only those layers' weights are copied
        # (the word embeddings stay the shared file)
        keep_only(graph.graph, str(head.get("input", "rhetoric_states")))
        weights_file.write_bytes(own_weights(graph.graph, heads / "encoder.weights.bin",
                                             weights_file.name))
        onnx.save(graph, str(models / FILES["rhetoric_encoder.onnx"]))
    for src, dst in FILES.items():
        if src not in ("rhetoric_encoder.onnx", "rhetoric.npz", "encoder.weights.bin"):
            shutil.copyfile(heads / src, models / dst)
    with np.load(heads / "rhetoric.npz") as npz:
        weights = {k: npz[k] for k in npz.files}
    if decoding is not None:
        t, seed, split, gap = decoding
        weights["si_threshold"] = np.float32(t)
        set_decoding(weights, seed, split, int(gap))
    np.savez(models / FILES["rhetoric.npz"], **weights)
    manifest = {k: v for k, v in source.items() if k not in ("files", "encoder_sha256",
                                                             "encoder_weights")}
    manifest["name"] = "claimscope-span-heads"
    manifest["role"] = ("places the persuasion spans (SI); the shipped heads in "
                        "persuasion.json label them and do everything else")
    manifest["source"] = {"folder": str(heads), "encoder_sha256": source.get("encoder_sha256")}
    manifest["token_head"] = dict(head, graph=FILES["rhetoric.onnx"],
                                  weights=FILES["rhetoric.npz"],
                                  encoder_graph=FILES["rhetoric_encoder.onnx"], combine=combine)
    if decoding is not None:
        manifest["thresholds"] = dict(manifest.get("thresholds", {}), span=decoding[0],
                                      span_seed=decoding[1], span_split=decoding[2],
                                      span_merge_gap=int(decoding[3]))
    manifest["files"] = {dst: {"sha256": sha256(models / dst)} for dst in FILES.values()}
    (models / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _name_in_shipped(models, MANIFEST)
    return manifest


def keep_only(graph, output: str) -> None:
    """Prune ``graph`` (an onnx GraphProto) to the nodes, initializers and value infos that
    ``output`` needs; it becomes the only output (the inputs stay, unused ones included)."""
    if output not in {o.name for o in graph.output}:
        raise SystemExit(f"expected the encoder graph to have an output {output!r}; it has "
                         f"{', '.join(o.name for o in graph.output)}")
    needed, nodes = {output}, []
    for node in reversed(graph.node):
        if needed.intersection(node.output):
            nodes.append(node)
            needed.update(name for name in node.input if name)

    def keep(field, items) -> None:
        # copies first: clearing a repeated field invalidates the messages it held
        copies = []
        for item in items:
            copy = type(item)()
            copy.CopyFrom(item)
            copies.append(copy)
        del field[:]
        field.extend(copies)

    keep(graph.output, [o for o in graph.output if o.name == output])
    keep(graph.node, reversed(nodes))
    keep(graph.initializer, [t for t in graph.initializer if t.name in needed])
    keep(graph.value_info, [v for v in graph.value_info if v.name in needed])


def own_weights(graph, source: Path, location: str) -> bytes:
    """The bytes ``graph`` reads from ``source`` (external data), packed in the order of its
    initializers; their entries are pointed at ``location``, where the caller writes them.
    Tensors in other files (the shared word embeddings) stay where they are."""
    data, packed = source.read_bytes(), bytearray()
    for tensor in graph.initializer:
        info = {e.key: e.value for e in tensor.external_data}
        if info.get("location") != source.name:
            continue
        offset = int(info.get("offset", 0))
        length = int(info.get("length", len(data) - offset))
        entries = {**info, "location": location, "offset": str(len(packed)),
                   "length": str(length)}
        del tensor.external_data[:]
        for key, value in entries.items():
            tensor.external_data.add(key=key, value=value)
        packed += data[offset:offset + length]
    return bytes(packed)


def remove(models: Path) -> None:
    """Take the span model out of ``models``: the shipped heads place the spans again."""
    _name_in_shipped(models, None)
    for name in (MANIFEST, *FILES.values()):
        (models / name).unlink(missing_ok=True)


def _name_in_shipped(models: Path, name: str | None) -> None:
    path = models / "persuasion.json"
    shipped = json.loads(path.read_text(encoding="utf-8"))
    if name:
        shipped["span_model"] = name
    else:
        shipped.pop("span_model", None)
    path.write_text(json.dumps(shipped, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=Path, required=True, help="the model folder to change")
    ap.add_argument("--heads", type=Path, help="train_persuasion.py output folder to install")
    ap.add_argument("--remove", action="store_true", help="remove the installed span model")
    ap.add_argument("--combine", default="alone", choices=("alone", "mean"),
                    help="decode its own BIO outputs, or their mean with the shipped heads'")
    ap.add_argument("--span-decoding", type=float, nargs=4, default=None,
                    metavar=("THRESHOLD", "SEED", "SPLIT", "GAP"),
                    help="span decoding to install (required with --combine mean)")
    args = ap.parse_args(argv)
    if args.remove == bool(args.heads):
        raise SystemExit("expected exactly one of --heads FOLDER or --remove")
    if args.remove:
        remove(args.models)
        print(f"removed the span model from {args.models}")
    else:
        m = install(args.heads, args.models, args.combine,
                    tuple(args.span_decoding) if args.span_decoding else None)
        print(json.dumps({"installed": str(args.models / MANIFEST),
                          "heldout_slice": m.get("heldout_slice")}))


if __name__ == "__main__":
    main()
