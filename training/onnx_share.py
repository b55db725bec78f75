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
    python training/onnx_share.py --half claimscope/models/data   # float16 token states
    python training/onnx_share.py --plain claimscope/models/data  # plain outputs, external weights
    python training/onnx_share.py --fuse-head claimscope/models/data  # fused attention, GELU
    python training/onnx_share.py --expose-all claimscope/models/data /tmp/cs_layers
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from claimscope.models import HALF_SUFFIX  # noqa: E402  (the name the run time looks for)

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


def expose_layer_output(path: Path, name: str) -> None:
    """Add ``name`` = ``hidden_K``, the states after layer K of the encoder, as a graph output.

    The graph computes it anyway; exposing it changes none of the other outputs (checked
    bit for bit) and lets the rhetoric heads read it (their own copy of the last layer on
    ``hidden_5``, or several layers side by side). Idempotent; external data stays where
    it is.
    """
    import onnx

    path = Path(path)
    tensor = layer_tensor(name)
    model = onnx.load(str(path), load_external_data=False)
    if any(o.name == name for o in model.graph.output):
        return
    if not any(tensor in n.output for n in model.graph.node):
        raise SystemExit(f"{path}: expected a tensor {tensor!r} (the output of {name}); "
                         "this is not a claimscope MiniLM export")
    model.graph.node.append(onnx.helper.make_node("Identity", [tensor], [name],
                                                  name=f"{name}_output"))
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        name, onnx.TensorProto.FLOAT, ["batch", "sequence", 384]))
    path.write_bytes(model.SerializeToString())


def add_half_outputs(path: Path) -> list[str]:
    """Add a float16 copy (``Cast``) of every token-state output of the encoder at ``path``.

    The run time keeps token states as float16; onnxruntime converts 30x faster than
    numpy and rounds the same way (to nearest even), so the states are bit for bit what
    numpy's ``astype`` gave, and the other outputs do not change. Idempotent. Returns the
    names of the float16 outputs.
    """
    import onnx

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    have = {o.name for o in model.graph.output}
    states = [o.name for o in model.graph.output if o.name == "last_hidden_state"
              or (o.name.startswith("hidden_") and not o.name.endswith(HALF_SUFFIX))]
    for name in states:
        half = name + HALF_SUFFIX
        if half in have:
            continue
        model.graph.node.append(onnx.helper.make_node(
            "Cast", [name], [half], to=onnx.TensorProto.FLOAT16, name=f"{half}_cast"))
        model.graph.output.append(onnx.helper.make_tensor_value_info(
            half, onnx.TensorProto.FLOAT16, ["batch", "sequence", 384]))
    path.write_bytes(model.SerializeToString())
    return [n + HALF_SUFFIX for n in states]


def half_input(path: Path, name: str = "token_states") -> None:
    """Make input ``name`` of the model at ``path`` float16, cast to float32 inside (the
    rhetoric heads read the float16 states the encoder gives without a numpy copy; the
    values they compute with are the same). Idempotent."""
    import onnx

    path = Path(path)
    model = onnx.load(str(path))
    inp = next((i for i in model.graph.input if i.name == name), None)
    if inp is None:
        raise SystemExit(f"{path}: expected an input named {name!r}, found "
                         f"{', '.join(i.name for i in model.graph.input)}")
    if inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT16:
        return
    inner = f"{name}_float32"
    for node in model.graph.node:
        node.input[:] = [inner if x == name else x for x in node.input]
    model.graph.node.insert(0, onnx.helper.make_node(
        "Cast", [name], [inner], to=onnx.TensorProto.FLOAT, name=f"{name}_cast"))
    inp.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    onnx.save(model, str(path))


#: the plain encoder's weights as ONNX external data, shared with the rhetoric encoder graph
WEIGHTS_FILE = "encoder.weights.bin"
#: the rhetoric encoder graph: the encoder (same weights) + the rhetoric heads' front,
#: read by the ``encode`` stage when the rhetoric layer runs (persuasion.json names it)
RHETORIC_ENCODER = "rhetoric_encoder.onnx"
#: its output: the token head's input, float16 [batch, sequence, d]
FRONT_OUTPUT = "rhetoric_states"
#: the graph outputs of the plain encoder: what the sentence heads and retrieval read
PLAIN_OUTPUTS = ("last_hidden_state", "sentence_embedding")


def layer_tensor(name: str) -> str:
    """The encoder graph's tensor holding output ``name`` (``hidden_K`` or
    ``last_hidden_state``), whether or not it is exposed as a graph output."""
    if name == "last_hidden_state":
        return name
    if not (name.startswith("hidden_") and name[7:].isdigit() and 1 <= int(name[7:]) <= 5):
        raise SystemExit(f"expected an output name hidden_K (K = 1 ... 5, the layer; the "
                         f"sixth is last_hidden_state), got {name!r}")
    return f"/encoder/encoder/layer.{int(name[7:]) - 1}/output/LayerNorm/LayerNormalization_output_0"


def _save(model, path: Path) -> None:
    # serialised by hand: onnx.save would try to write (and move) the external data itself
    Path(path).write_bytes(model.SerializeToString())


def externalize_weights(path: Path, file: str = WEIGHTS_FILE, min_bytes: int = 1024) -> bool:
    """Move the inline initializers (>= ``min_bytes``) of the model at ``path`` into
    ``file`` beside it, as ONNX external data, so that a second graph (the rhetoric
    encoder) can read the same weights. The values do not change (outputs bit-identical).
    Idempotent: returns False when nothing was left inline. Refuses to overwrite an
    existing ``file`` (another graph may read it)."""
    import onnx
    from onnx import numpy_helper

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    inline = [t for t in model.graph.initializer
              if t.data_location != onnx.TensorProto.EXTERNAL
              and numpy_helper.to_array(t).nbytes >= min_bytes]
    if not inline:
        return False
    target = path.parent / file
    if target.exists():
        raise SystemExit(f"{target} exists and {path} still has inline weights; expected "
                         f"one or the other. Remove {target} (no graph must read it) or "
                         "start from the exported encoder.")
    offset = 0
    with target.open("wb") as fh:
        for tensor in inline:
            data = numpy_helper.to_array(tensor).tobytes()
            fh.write(data)
            for field in ("raw_data", "float_data", "int32_data", "int64_data"):
                tensor.ClearField(field)
            tensor.data_location = onnx.TensorProto.EXTERNAL
            del tensor.external_data[:]
            for key, value in (("location", file), ("offset", str(offset)),
                               ("length", str(len(data)))):
                entry = tensor.external_data.add()
                entry.key, entry.value = key, value
            offset += len(data)
    _save(model, path)
    return True


def _prune(graph) -> None:
    """Drop the nodes no graph output needs (onnxruntime runs every node of a graph,
    whatever outputs a call asks for)."""
    needed = {o.name for o in graph.output}
    keep = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(keep))
    used = {i for n in graph.node for i in n.input}
    kept_init = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept_init)


def keep_outputs(path: Path, keep: tuple[str, ...] = PLAIN_OUTPUTS) -> None:
    """Keep only the graph outputs ``keep`` of the model at ``path``, and the nodes they
    need: the exposed layers and float16 copies earlier token heads read cost time in
    every encoder call. The kept outputs do not change. Idempotent."""
    import onnx

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    missing = [k for k in keep if k not in {o.name for o in model.graph.output}]
    if missing:
        raise SystemExit(f"{path}: expected outputs {', '.join(keep)}; missing {missing}")
    outputs = [o for o in model.graph.output if o.name in keep]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    _prune(model.graph)
    _save(model, path)


def attach_front(encoder_path: Path, front_path: Path, out_path: Path,
                 layers: list[str], output: str = FRONT_OUTPUT) -> None:
    """Write ``out_path``: the encoder at ``encoder_path`` (its weights read from the same
    external files) with the graph at ``front_path`` fed by the encoder layers ``layers``
    (the front's inputs, in order), giving outputs ``sentence_embedding`` and the
    front's ``output``. One encoder pass then yields the sentence embeddings and the
    token head's input; the encoder file itself is not changed."""
    import onnx

    encoder_path, out_path = Path(encoder_path), Path(out_path)
    if encoder_path.parent.resolve() != out_path.parent.resolve():
        raise SystemExit(f"{out_path}: expected it beside {encoder_path} (they share the "
                         "encoder's external weight files)")
    externalize_weights(encoder_path)
    model = onnx.load(str(encoder_path), load_external_data=False)
    front = onnx.load(str(front_path))
    if len(front.graph.input) != len(layers):
        raise SystemExit(f"{front_path}: expected {len(layers)} inputs (one per layer: "
                         f"{', '.join(layers)}), found {len(front.graph.input)}")
    outputs = [o.name for o in front.graph.output]
    if outputs != [output]:
        raise SystemExit(f"{front_path}: expected one output {output!r}, found {outputs}")
    rename = {i.name: layer_tensor(name) for i, name in zip(front.graph.input, layers)}
    rename[output] = output

    def name_of(x: str) -> str:
        return rename.get(x, f"rhetoric_front/{x}") if x else x

    for k, node in enumerate(front.graph.node):
        node.name = f"rhetoric_front/{node.name or f'{node.op_type}_{k}'}"
        node.input[:] = [name_of(x) for x in node.input]
        node.output[:] = [name_of(x) for x in node.output]
        model.graph.node.append(node)
    for tensor in front.graph.initializer:
        tensor.name = name_of(tensor.name)
        model.graph.initializer.append(tensor)
    kept = [o for o in model.graph.output if o.name == "sentence_embedding"]
    del model.graph.output[:]
    model.graph.output.extend(kept + list(front.graph.output))
    domains = {o.domain for o in model.opset_import}
    model.opset_import.extend(op for op in front.opset_import if op.domain not in domains)
    _prune(model.graph)
    _save(model, out_path)


def fuse_head(path: Path) -> bool:
    """Give onnxruntime's fused kernels the token head's attention and GELU.

    The export writes each block's attention as reshapes, transposes, two MatMuls and a
    Softmax, and its tanh GELU as nine elementwise nodes; onnxruntime's optimizer
    recognises neither, and those nodes took two thirds of the head's time. This puts
    in their place one ``com.microsoft`` ``MultiHeadAttention`` (the padding mask as its
    key padding mask; the same -10000 fill and 1/sqrt(head size) scale) and one
    ``FastGelu`` (the same tanh formula). Outputs change by float rounding only (which
    can move an int8 activation bucket of the next quantized product). Idempotent:
    returns False when there is nothing left to fuse.
    """
    import onnx
    from onnx import helper, numpy_helper

    path = Path(path)
    model = onnx.load(str(path))
    graph = model.graph
    nodes = {n.name: n for n in graph.node}
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t)
              for n in graph.node if n.op_type == "Constant"}
    # "/blocks.0/", or "/members.1/blocks.0/" in an ensemble's graph
    blocks = sorted({n.name[:-len("Reshape_1")] for n in graph.node
                     if n.name.endswith("/Reshape_1") and "blocks." in n.name})
    if not blocks:
        return False
    replace: dict[str, object] = {}   # first node of a pattern -> the fused node(s)
    drop: set[str] = set()
    for p in blocks:
        # GELU: act/Mul (x*x) ... act/Mul_5 (0.5 * x * (1 + tanh(...))); the int8 quantizer's
        # DynamicQuantizeLinear of its output also lives under act/ and stays
        act = [n.name for n in graph.node if n.name.startswith(p + "act/")
               and n.op_type in ("Mul", "Add", "Tanh", "Constant")]
        x, y = nodes[p + "act/Mul"].input[0], nodes[p + "act/Mul_5"].output[0]
        replace[p + "act/Mul"] = helper.make_node("FastGelu", [x], [y], name=p + "act/FastGelu",
                                                  domain="com.microsoft")
        drop.update(act)
        # attention: qkv -> Reshape (b, t, 3, heads, size) -> ... -> Reshape_1 (b, t, d)
        reshape = nodes[p + "Reshape"]
        shape = next(n for n in graph.node if reshape.input[1] in n.output)
        heads = int(consts[shape.input[3]].reshape(-1)[0])
        size = int(consts[shape.input[4]].reshape(-1)[0])
        q, k, v = (f"{p}mha/{c}" for c in "qkv")
        split = f"{p}mha/split_sizes"
        replace[p + "Reshape"] = [
            helper.make_node("Constant", [], [split], name=split,
                             value=helper.make_tensor(split, onnx.TensorProto.INT64, [3],
                                                      [heads * size] * 3)),
            helper.make_node("Split", [reshape.input[0], split], [q, k, v], name=p + "mha/Split",
                             axis=-1),
            helper.make_node("MultiHeadAttention", [q, k, v, "", "mask_int32"],
                             [nodes[p + "Reshape_1"].output[0]], name=p + "mha/Attention",
                             domain="com.microsoft", num_heads=heads)]
        drop.update(p + name for name in (
            "Reshape", "Transpose", "Split", "Squeeze", "Squeeze_1", "Squeeze_2", "Transpose_1",
            "MatMul", "Div", "Add", "Softmax", "MatMul_1", "Transpose_2", "Reshape_1"))
    out = [helper.make_node("Cast", ["mask"], ["mask_int32"], name="mask_int32",
                            to=onnx.TensorProto.INT32)]
    for node in graph.node:
        fused = replace.get(node.name)
        if fused is not None:
            out.extend(fused if isinstance(fused, list) else [fused])
        if node.name not in drop:
            out.append(node)
    del graph.node[:]
    graph.node.extend(out)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    _prune(graph)
    _save(model, path)
    return True


def activation_ranges(path: Path, batches) -> dict[str, tuple[float, float]]:
    """The smallest and largest value (0 included) of the input of every
    ``DynamicQuantizeLinear`` in the model at ``path`` over ``batches``: an iterable of
    ``(feeds, mask)``, where ``mask`` (batch, tokens) marks the real tokens of a padded
    batch (None: count every value). Padding positions are left out: nothing reads them,
    and their values are the outliers that made a sentence's result depend on its
    batch (see ``static_activations``)."""
    import onnx
    import onnxruntime as ort

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    names = [n.input[0] for n in model.graph.node if n.op_type == "DynamicQuantizeLinear"]
    if not names:
        return {}
    have = {o.name for o in model.graph.output}
    model.graph.output.extend(onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None)
                              for n in names if n not in have)
    scratch = path.with_name(f".calibrate.{path.name}")  # beside it: external data resolves
    _save(model, scratch)
    try:
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        sess = ort.InferenceSession(str(scratch), opts, providers=["CPUExecutionProvider"])
        lo, hi = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
        for feeds, mask in batches:
            for name, value in zip(names, sess.run(names, feeds)):
                if mask is not None and value.ndim == 3 and value.shape[:2] == mask.shape:
                    value = value[mask.astype(bool)]
                if value.size:
                    lo[name] = min(lo[name], float(value.min()))
                    hi[name] = max(hi[name], float(value.max()))
    finally:
        scratch.unlink()
    return {n: (lo[n], hi[n]) for n in names}


def static_activations(path: Path, ranges: dict[str, tuple[float, float]]) -> int:
    """Quantize the activations of the model at ``path`` with fixed, calibrated ranges.

    onnxruntime's dynamic quantization takes one uint8 scale per *batch* (from its
    smallest and largest value), so a sentence's embedding, and every score computed
    from it, depended on which sentences shared its batch and how far it was padded:
    up to 0.3 per embedding component, 0.13 in a check-worthiness score. Each
    ``DynamicQuantizeLinear`` whose input is in ``ranges`` becomes a ``QuantizeLinear``
    with that range's scale and zero point (values outside saturate), and each product
    it feeds one ``com.microsoft`` ``MatMulIntegerToFloat`` (with the bias when one is
    added), the kernel onnxruntime fuses the dynamic form into. A sentence's result is then
    the same alone or in any batch. Returns the number of quantizers replaced; idempotent.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    path = Path(path)
    model = onnx.load(str(path), load_external_data=False)
    graph = model.graph
    nodes, swapped = [], 0
    for node in graph.node:
        if node.op_type != "DynamicQuantizeLinear" or node.input[0] not in ranges:
            nodes.append(node)
            continue
        lo, hi = ranges[node.input[0]]
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = max(hi - lo, 1e-8) / 255.0
        zero = int(np.clip(round(-lo / scale), 0, 255))
        y, y_scale, y_zero = node.output
        nodes += [helper.make_node("Constant", [], [y_scale], name=f"{node.name}/scale",
                                   value=numpy_helper.from_array(np.array(scale, np.float32))),
                  helper.make_node("Constant", [], [y_zero], name=f"{node.name}/zero_point",
                                   value=numpy_helper.from_array(np.array(zero, np.uint8))),
                  helper.make_node("QuantizeLinear", [node.input[0], y_scale, y_zero], [y],
                                   name=f"{node.name}/static")]
        swapped += 1
    del graph.node[:]
    graph.node.extend(nodes)
    # QuantizeLinear -> MatMulInteger -> Cast -> Mul(a_scale * b_scale) [-> Add(bias)]
    made = {o: n for n in graph.node for o in n.output}
    users: dict[str, list] = {}
    for n in graph.node:
        for x in n.input:
            users.setdefault(x, []).append(n)
    weights = {t.name for t in graph.initializer}
    fused, drop = {}, set()
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        a, b, a_zero, b_zero = node.input
        quant = made.get(a)
        after = users.get(node.output[0], [])
        if quant is None or quant.op_type != "QuantizeLinear" or len(after) != 1 \
                or after[0].op_type != "Cast":
            continue
        cast = after[0]
        after = users.get(cast.output[0], [])
        if len(after) != 1 or after[0].op_type != "Mul":
            continue
        mul = after[0]
        if not (node.name and cast.name and mul.name):
            continue  # nodes are dropped by name
        scales = made[next(x for x in mul.input if x != cast.output[0])]
        if scales.op_type != "Mul" or quant.input[1] not in scales.input:
            continue
        b_scale = next(x for x in scales.input if x != quant.input[1])
        out, extra = mul.output[0], []
        after = users.get(out, [])
        if len(after) == 1 and after[0].op_type == "Add":
            bias = next(x for x in after[0].input if x != out)
            if bias in weights:
                out, extra = after[0].output[0], [bias]
                drop.add(after[0].name)
        fused[node.name] = helper.make_node(
            "MatMulIntegerToFloat", [a, b, quant.input[1], b_scale, a_zero, b_zero] + extra,
            [out], name=f"{node.name}/to_float", domain="com.microsoft")
        drop.update((cast.name, mul.name))
    kept = [fused.get(n.name, n) for n in graph.node if n.name not in drop]
    del graph.node[:]
    graph.node.extend(kept)
    if fused and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    _prune(graph)
    _save(model, path)
    return swapped


def layer_output_doc(name: str) -> str:
    """The manifest's description of a ``hidden_K`` output."""
    return (f"float32 [batch, sequence, 384] (the states after layer {name[7:]} of 6; "
            "read by the rhetoric heads when persuasion.json token_head.input names it)")


def half_output_doc(half: str) -> str:
    """The manifest's description of ``half``, the float16 copy of an output."""
    name = half[:-len(HALF_SUFFIX)]
    return f"float16 [batch, sequence, 384] ({name} cast to float16: the token states kept)"


def _file_entry(path: Path) -> dict:
    """A manifest's record of a file: its sha256 and size."""
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def _update_encoder_manifest(folder: Path, outputs: dict[str, str],
                             keep: tuple[str, ...] | None = None,
                             files: tuple[str, ...] = ("encoder.int8.onnx",)) -> dict:
    """Add ``outputs`` (name -> description) to ``folder/manifest.json`` (with ``keep``:
    describe only those outputs) and record ``files`` as they now are; returns the
    manifest."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    described = manifest["onnx"]["outputs"]
    if keep is not None:
        described = manifest["onnx"]["outputs"] = {k: v for k, v in described.items()
                                                   if k in keep}
    described.update(outputs)
    for name in files:
        manifest["files"][name] = _file_entry(folder / name)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def fuse_head_in_folder(folder: Path) -> bool:
    """``fuse_head`` on ``folder/rhetoric.onnx``, recorded in ``folder/persuasion.json``."""
    folder = Path(folder)
    if not fuse_head(folder / "rhetoric.onnx"):
        return False
    heads_path = folder / "persuasion.json"
    heads = json.loads(heads_path.read_text(encoding="utf-8"))
    heads["files"]["rhetoric.onnx"] = _file_entry(folder / "rhetoric.onnx")
    heads_path.write_text(json.dumps(heads, indent=2) + "\n", encoding="utf-8")
    return True


def expose_in_folder(folder: Path, name: str) -> None:
    """``expose_layer_output`` on ``folder/encoder.int8.onnx``, and its manifest.json
    updated to match (the file's sha256 and size, the output's description)."""
    folder = Path(folder)
    expose_layer_output(folder / "encoder.int8.onnx", name)
    _update_encoder_manifest(folder, {name: layer_output_doc(name)})


def plain_encoder_in_folder(folder: Path) -> None:
    """The encoder of ``folder`` with only ``PLAIN_OUTPUTS`` (``keep_outputs``) and its
    weights in ``WEIGHTS_FILE`` (``externalize_weights``), manifest.json updated to
    match. The sentence embeddings are bit for bit what they were. Idempotent."""
    folder = Path(folder)
    keep_outputs(folder / "encoder.int8.onnx")
    externalize_weights(folder / "encoder.int8.onnx")
    _update_encoder_manifest(folder, {}, keep=PLAIN_OUTPUTS,
                             files=("encoder.int8.onnx", WEIGHTS_FILE))


def expose_all(src: Path, dst: Path) -> Path:
    """A copy of the model folder ``src`` in ``dst`` whose encoder exposes every layer
    (``hidden_1`` ... ``hidden_5`` beside ``last_hidden_state``): what
    ``train_persuasion.py --models`` reads the training features from when the token
    head reads several layers. For training only; the shipped encoder keeps
    ``PLAIN_OUTPUTS``."""
    import shutil

    src, dst = Path(src), Path(dst)
    if dst.exists():
        raise SystemExit(f"{dst} exists; expected a new folder")
    shutil.copytree(src, dst)
    for k in range(1, 6):
        expose_in_folder(dst, f"hidden_{k}")
    return dst


def half_in_folder(folder: Path) -> None:
    """``add_half_outputs`` on the encoder and ``half_input`` on ``rhetoric.onnx`` in
    ``folder``, with manifest.json and persuasion.json updated (outputs, sha256, sizes)."""
    folder = Path(folder)
    halves = add_half_outputs(folder / "encoder.int8.onnx")
    manifest = _update_encoder_manifest(
        folder, {half: half_output_doc(half) for half in halves})
    rhetoric = folder / "rhetoric.onnx"
    heads_path = folder / "persuasion.json"
    if rhetoric.is_file() and heads_path.is_file():
        half_input(rhetoric)
        heads = json.loads(heads_path.read_text(encoding="utf-8"))
        # the encoder computes what it computed; only float16 copies were added
        heads["encoder_sha256"] = manifest["files"]["encoder.int8.onnx"]["sha256"]
        desc = heads["token_head"]["inputs"]["token_states"]
        heads["token_head"]["inputs"]["token_states"] = desc.replace("float32", "float16", 1)
        heads["files"]["rhetoric.onnx"] = _file_entry(rhetoric)
        heads_path.write_text(json.dumps(heads, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--half":
        half_in_folder(Path(sys.argv[2]))
        raise SystemExit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "--expose-all":
        # python training/onnx_share.py --expose-all claimscope/models/data /tmp/cs_layers
        print(expose_all(Path(sys.argv[2]), Path(sys.argv[3])))
        raise SystemExit(0)
    if len(sys.argv) == 3 and sys.argv[1] == "--fuse-head":
        # python training/onnx_share.py --fuse-head claimscope/models/data
        print(fuse_head_in_folder(Path(sys.argv[2])))
        raise SystemExit(0)
    if len(sys.argv) == 3 and sys.argv[1] == "--plain":
        plain_encoder_in_folder(Path(sys.argv[2]))
        raise SystemExit(0)
    if len(sys.argv) >= 4 and sys.argv[1] == "--expose":
        # python training/onnx_share.py --expose hidden_3 claimscope/models/data
        expose_in_folder(Path(sys.argv[3]), sys.argv[2])
        raise SystemExit(0)
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for arg in sys.argv[1:]:
        print(arg, "->", share_word_embeddings(Path(arg)))
