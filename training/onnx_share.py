"""Post-processing of claimscope's MiniLM ONNX exports: the word-embedding matrix that the
encoder and the NLI model share, stored in one file; and the encoder's ``hidden_K`` outputs.

The sentence encoder and the NLI cross-encoder are both all-MiniLM-L6-v2 fine-tuned with
their word embeddings frozen, so after int8 quantization the two 30522 x 384 matrices are
byte for byte the same: 11.7 MB of the 23 MB of each model. This moves the matrix into
``word_embeddings.uint8.bin`` beside the models as ONNX external data (onnxruntime reads
it when it opens the model; nothing changes at run time, outputs are bit-identical) and
ships it once.

Usage::

    python training/onnx_share.py claimscope/models/data/encoder.int8.onnx claimscope/models/data/nli.int8.onnx
    python training/onnx_share.py --expose hidden_3 claimscope/models/data   # + manifest.json
"""

from __future__ import annotations

import sys
from pathlib import Path

SHARED_FILE = "word_embeddings.uint8.bin"
TENSOR = "encoder.embeddings.word_embeddings.weight_quantized"


def share_word_embeddings(model_path: Path) -> Path:
    """Move ``TENSOR`` of the model at ``model_path`` into ``SHARED_FILE`` beside it.

    Idempotent. Fails when the file already holds different bytes (a model whose word
    embeddings were trained, or another base model): models must not silently share
    weights that differ.
    """
    import onnx
    from onnx import numpy_helper

    model_path = Path(model_path)
    model = onnx.load(str(model_path))  # reads external data too, so re-running is safe
    found = [t for t in model.graph.initializer if t.name == TENSOR]
    if not found:
        raise SystemExit(f"{model_path}: expected an initializer named {TENSOR!r}, found none; "
                         "this is not a claimscope MiniLM export")
    tensor = found[0]
    data = numpy_helper.to_array(tensor).tobytes()
    target = model_path.parent / SHARED_FILE
    if target.exists() and target.read_bytes() != data:
        raise SystemExit(f"{model_path}: its word embeddings differ from {target}; expected "
                         "the frozen base embeddings both models share. Export it without "
                         "sharing or retrain it with frozen word embeddings.")
    if not target.exists():
        target.write_bytes(data)
    tensor.ClearField("raw_data")
    tensor.data_location = onnx.TensorProto.EXTERNAL
    del tensor.external_data[:]
    for key, value in (("location", SHARED_FILE), ("offset", "0"), ("length", str(len(data)))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    # serialised by hand: onnx.save would try to write the external data itself
    model_path.write_bytes(model.SerializeToString())
    return target


#: the encoder output the rhetoric heads read when they carry their own top layer
#: (train_persuasion.py --branch): the states after layer 5 of MiniLM-L6's 6
BRANCH_OUTPUT = "hidden_5"
BRANCH_LAYER = 4  # 0-based index of the layer whose output BRANCH_OUTPUT is
#: middle-layer outputs every export exposes beside the last layer (train_persuasion.py
#: --inputs hidden_3+last_hidden_state reads the two side by side)
MIX_OUTPUTS = ("hidden_3",)
#: every hidden_K output an export exposes (the branch input and the mixed layers)
EXPOSED_OUTPUTS = (BRANCH_OUTPUT, *MIX_OUTPUTS)


def expose_layer_output(path: Path, name: str) -> None:
    """Add ``name`` = ``hidden_K``, the states after layer K of the encoder, as a graph output.

    The graph computes it anyway; exposing it changes none of the other outputs (checked
    bit for bit) and lets the rhetoric heads read it (their own copy of the last layer on
    ``hidden_5``, or several layers side by side). Idempotent; external data stays where
    it is.
    """
    import onnx

    path = Path(path)
    if not (name.startswith("hidden_") and name[7:].isdigit() and int(name[7:]) >= 1):
        raise SystemExit(f"expected an output name hidden_K (K >= 1, the layer), got {name!r}")
    layer = int(name[7:]) - 1
    model = onnx.load(str(path), load_external_data=False)
    if any(o.name == name for o in model.graph.output):
        return
    tensor = f"/encoder/encoder/layer.{layer}/output/LayerNorm/LayerNormalization_output_0"
    if not any(tensor in n.output for n in model.graph.node):
        raise SystemExit(f"{path}: expected a tensor {tensor!r} (the output of layer "
                         f"{layer}, 0-based); this is not a claimscope MiniLM export, or "
                         f"{name} is its last layer (use last_hidden_state)")
    model.graph.node.append(onnx.helper.make_node("Identity", [tensor], [name],
                                                  name=f"{name}_output"))
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        name, onnx.TensorProto.FLOAT, ["batch", "sequence", 384]))
    path.write_bytes(model.SerializeToString())


def layer_output_doc(name: str) -> str:
    """The manifest's description of a ``hidden_K`` output."""
    return (f"float32 [batch, sequence, 384] (the states after layer {name[7:]} of 6; "
            "read by the rhetoric heads when persuasion.json token_head.input names it)")


def expose_in_folder(folder: Path, name: str) -> None:
    """``expose_layer_output`` on ``folder/encoder.int8.onnx``, and its manifest.json
    updated to match (the file's sha256 and size, the output's description)."""
    import hashlib
    import json

    folder = Path(folder)
    path = folder / "encoder.int8.onnx"
    expose_layer_output(path, name)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["onnx"]["outputs"][name] = layer_output_doc(name)
    manifest["files"]["encoder.int8.onnx"] = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--expose":
        # python training/onnx_share.py --expose hidden_3 claimscope/models/data
        expose_in_folder(Path(sys.argv[3]), sys.argv[2])
        raise SystemExit(0)
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for arg in sys.argv[1:]:
        print(arg, "->", share_word_embeddings(Path(arg)))
