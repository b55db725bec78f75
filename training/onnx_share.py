"""Store the word-embedding matrix that claimscope's ONNX models share in one file.

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


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for arg in sys.argv[1:]:
        print(arg, "->", share_word_embeddings(Path(arg)))
