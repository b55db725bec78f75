"""Post-processing of claimscope's MiniLM ONNX exports: the word-embedding matrix that the
encoder and the NLI model share, stored in one file; and the encoder's ``hidden_5`` output.

The sentence encoder and the NLI cross-encoder are both all-MiniLM-L6-v2 fine-tuned with
their word embeddings frozen, so after int8 quantization the two 30522 x 384 matrices are
byte for byte the same: 11.7 MB of the 23 MB of each model. This moves the matrix into
``word_embeddings.uint8.bin`` beside the models as ONNX external data (onnxruntime reads
it when it opens the model; nothing changes at run time, outputs are bit-identical) and
ships it once.

Usage::

    python training/onnx_share.py claimscope/models/data/encoder.int8.onnx claimscope/models/data/nli.int8.onnx
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


def expose_branch_output(path: Path) -> None:
    """Add ``BRANCH_OUTPUT`` (the output of the second-to-last layer) as a graph output.

    The graph computes it anyway; exposing it changes none of the other outputs (checked
    bit for bit) and lets the rhetoric heads run their own copy of the last layer on it.
    Idempotent; external data stays where it is.
    """
    import onnx

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    if any(o.name == BRANCH_OUTPUT for o in model.graph.output):
        return
    tensor = f"/encoder/encoder/layer.{BRANCH_LAYER}/output/LayerNorm/LayerNormalization_output_0"
    if not any(tensor in n.output for n in model.graph.node):
        raise SystemExit(f"{path}: expected a tensor {tensor!r} (the output of layer "
                         f"{BRANCH_LAYER}); this is not a claimscope MiniLM export")
    model.graph.node.append(onnx.helper.make_node("Identity", [tensor], [BRANCH_OUTPUT],
                                                  name=f"{BRANCH_OUTPUT}_output"))
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        BRANCH_OUTPUT, onnx.TensorProto.FLOAT, ["batch", "sequence", 384]))
    path.write_bytes(model.SerializeToString())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for arg in sys.argv[1:]:
        print(arg, "->", share_word_embeddings(Path(arg)))
