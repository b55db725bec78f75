"""Tests of the training scripts (training/*.py): they need the training requirements
(onnx, torch: requirements-train.txt), so they live here, apart from the package's
tests. Run them with ``python -m pytest training/tests`` in the training environment."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import claimscope
from claimscope.models import DATA_DIR, HALF_SUFFIX, ModelBundle, _sha256

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.importorskip("onnx")

STAGES = ["segment", "language", "encode", "persuasion", "techniques", "framing"]
TEXTS = ["Traitors and Thugs Destroy Our Great Nation\n\n"
         "These cowardly thugs are nothing but terrorists, and every patriot knows it.\n"
         "Why does the corrupt elite keep lying to us? Never again! Never again!\n\n"
         "The ministry said 12 people were injured on Tuesday.\n",
         "The shameful regime lied again. Only a fool would believe a word of it.\n\n"
         "Officials said 3 people died.",
         "Ok."]


def _models_copy(folder):
    """The shipped model folder copied into ``folder``."""
    for path in DATA_DIR.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


def ort_session(path):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def plain():
    """The shipped heads placing the spans themselves (no span model pass)."""
    return list(claimscope.load(STAGES, config={"encode": {"span_states": False}}).pipe(TEXTS))


def test_float16_token_states_are_the_float32_ones_rounded(tmp_path):
    # the graph's own Cast gives what numpy's astype gave, bit for bit
    add_half_outputs = _onnx_share().add_half_outputs
    _models_copy(tmp_path)
    halves = add_half_outputs(tmp_path / "encoder.int8.onnx")
    session = ort_session(tmp_path / "encoder.int8.onnx")
    feeds = {"input_ids": np.array([[101, 2023, 2003, 1037, 3231, 102]]),
             "attention_mask": np.ones((1, 6), dtype=np.int64),
             "token_type_ids": np.zeros((1, 6), dtype=np.int64)}
    assert halves == ["last_hidden_state" + HALF_SUFFIX]
    for half in halves:
        full, got = session.run([half[:-len(HALF_SUFFIX)], half], feeds)
        assert got.dtype == np.float16 and (got == full.astype(np.float16)).all()


def _onnx_share():
    """training/onnx_share.py (needs onnx, a training dependency: requirements-train.txt)."""
    pytest.importorskip("onnx")
    import importlib
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    return importlib.import_module("onnx_share")


def test_exposing_a_layer_output_changes_no_other_output(tmp_path):
    expose_in_folder = _onnx_share().expose_in_folder
    _models_copy(tmp_path)
    expose_in_folder(tmp_path, "hidden_2")
    texts = ["Officials said 12 people were hurt.", "These cowardly thugs will never win."]
    new = ModelBundle(tmp_path).encoder  # the manifest's sha256 was updated: it loads
    old = ModelBundle(DATA_DIR).encoder
    assert "hidden_2" in new.outputs and "hidden_2" not in old.outputs
    p_new, s_new, _, _ = new.embed_tokens(texts, "last_hidden_state")
    p_old, s_old, _, _ = old.embed_tokens(texts, "last_hidden_state")
    assert (p_new == p_old).all() and all((a == b).all() for a, b in zip(s_new, s_old))
    _, mid, _, _ = new.embed_tokens(texts, "hidden_2")
    assert not any((a == b).all() for a, b in zip(mid, s_old))  # another layer's states
    with pytest.raises(SystemExit, match="expected an output name hidden_K"):
        expose_in_folder(tmp_path, "layer_2")


def test_the_plain_encoder_conversion_of_a_folder_is_idempotent(tmp_path):
    plain_encoder_in_folder = _onnx_share().plain_encoder_in_folder
    _models_copy(tmp_path)
    plain_encoder_in_folder(tmp_path)  # the shipped folder is already plain: nothing changes
    for name in ("encoder.int8.onnx", "encoder.weights.bin", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_a_front_attached_to_the_encoder_changes_no_sentence_embedding(tmp_path):
    share = _onnx_share()
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    _models_copy(tmp_path)
    # a front that reads two layers and adds them, as float16
    front = helper.make_model(helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["s"]),
         helper.make_node("Cast", ["s"], [share.FRONT_OUTPUT], to=TensorProto.FLOAT16)],
        "front", [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["b", "t", 384])
                  for n in ("a", "b")],
        [helper.make_tensor_value_info(share.FRONT_OUTPUT, TensorProto.FLOAT16, ["b", "t", 384])]),
        opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(front, str(tmp_path / "front.onnx"))
    share.attach_front(tmp_path / "encoder.int8.onnx", tmp_path / "front.onnx",
                       tmp_path / "graph.onnx", ["hidden_2", "last_hidden_state"])
    exposed = tmp_path / "exposed"
    share.expose_all(DATA_DIR, exposed)
    texts = ["Officials said 12 people were hurt.", "These cowardly thugs will never win."]
    enc = ModelBundle(exposed).encoder
    pooled, got, _, _ = enc.embed_tokens(texts, share.FRONT_OUTPUT, tmp_path / "graph.onnx")
    ref_pooled, ref, _, _ = enc.embed_tokens(texts, "hidden_2")
    _, last, _, _ = enc.embed_tokens(texts, "last_hidden_state")
    assert (pooled == ref_pooled).all()
    for g, a, b in zip(got, ref, last):
        want = (a.astype(np.float32) + b.astype(np.float32)).astype(np.float16)
        assert np.allclose(g.astype(np.float32), want.astype(np.float32), rtol=4e-3, atol=1e-2)
    with pytest.raises(SystemExit, match="expected 3 inputs"):
        share.attach_front(tmp_path / "encoder.int8.onnx", tmp_path / "front.onnx",
                           tmp_path / "graph.onnx", ["hidden_1", "hidden_2", "hidden_3"])


def test_a_full_train_refit_takes_the_thresholds_a_held_out_run_chose(tmp_path):
    # train_persuasion.py --full-train: nothing is tuned, so a bad file must stop it at
    # once, not after 20 minutes of training
    _onnx_share()
    import importlib

    tp = importlib.import_module("train_persuasion")
    shipped = json.loads((DATA_DIR / "persuasion.json").read_text(encoding="utf-8"))
    given = tp.given_thresholds(DATA_DIR / "persuasion.json")
    assert given["span"] == shipped["thresholds"]["span"]
    assert given["span_merge_gap"] == shipped["thresholds"]["span_merge_gap"]
    assert given["paragraph"].shape == (len(tp.ST3_TECHNIQUES),)
    bad = tmp_path / "persuasion.json"
    bad.write_text(json.dumps({"thresholds": {"span": 0.2}}), encoding="utf-8")
    with pytest.raises(SystemExit, match="expected a persuasion.json with thresholds"):
        tp.given_thresholds(bad)
    with pytest.raises(SystemExit, match="expected a persuasion.json"):
        tp.given_thresholds(tmp_path / "missing.json")


def test_span_model_py_installs_and_removes_a_run(tmp_path, plain):
    """training/span_model.py (needs onnx: the training requirements): the shipped heads,
    installed as a span model from a run folder, give the shipped output; --remove undoes it."""
    pytest.importorskip("onnx")
    import shutil
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    import span_model

    run, models = tmp_path / "run", tmp_path / "models"
    for folder in (run, models):
        shutil.copytree(DATA_DIR, folder)
        span_model.remove(folder)  # the shipped span model
    span_model.install(run, models)
    span = json.loads((models / "span_head.json").read_text())
    assert json.loads((models / "persuasion.json").read_text())["span_model"] == "span_head.json"
    assert span["token_head"]["encoder_graph"] == "span_encoder.onnx"
    assert (models / "span_encoder.weights.bin").read_bytes() == \
        (DATA_DIR / "encoder.weights.bin").read_bytes()
    # its graph reads its own copy of the weights (the names are plain strings in the file)
    graph = (models / "span_encoder.onnx").read_bytes()
    assert b"span_encoder.weights.bin" in graph
    assert graph.count(b"encoder.weights.bin") == graph.count(b"span_encoder.weights.bin")
    nlp = claimscope.load(STAGES, models=str(models))
    assert nlp.get_stage("persuasion").bundle.rhetoric.span_model is not None
    assert [d.to_dict() for d in nlp.pipe(TEXTS)] == [d.to_dict() for d in plain]
    with pytest.raises(SystemExit, match="span-decoding"):
        span_model.install(run, models, combine="mean")
    span_model.remove(models)
    assert not (models / "span_head.json").exists()
    assert "span_model" not in json.loads((models / "persuasion.json").read_text())


def test_span_model_py_prunes_a_span_encoder_whose_heads_read_no_context(tmp_path):
    """Heads without the sentence context need only their token states from the span
    encoder: the installed graph keeps that one output, and the same states."""
    onnx = pytest.importorskip("onnx")
    import shutil
    import sys
    from pathlib import Path

    from claimscope.models import Encoder

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    import span_model

    run, models = tmp_path / "run", tmp_path / "models"
    for folder in (run, models):
        shutil.copytree(DATA_DIR, folder)
        span_model.remove(folder)
    manifest = json.loads((run / "persuasion.json").read_text())
    manifest["token_head"]["context"] = False
    (run / "persuasion.json").write_text(json.dumps(manifest))
    span_model.install(run, models)
    graph = onnx.load(str(models / "span_encoder.onnx"), load_external_data=False)
    shipped = onnx.load(str(DATA_DIR / "rhetoric_encoder.onnx"), load_external_data=False)
    assert [o.name for o in graph.graph.output] == ["rhetoric_states"]
    assert len(graph.graph.node) < len(shipped.graph.node)   # the pooling is gone
    # its encoder weights are its own file; the word embeddings stay the shared one
    locations = {e.value for t in graph.graph.initializer for e in t.external_data
                 if e.key == "location"}
    assert locations == {"span_encoder.weights.bin", "word_embeddings.uint8.bin"}
    assert (models / "span_encoder.weights.bin").stat().st_size <= \
        (DATA_DIR / "encoder.weights.bin").stat().st_size
    span = json.loads((models / "span_head.json").read_text())
    assert span["files"]["span_encoder.weights.bin"]["sha256"] == \
        _sha256(models / "span_encoder.weights.bin")
    encoder = Encoder(DATA_DIR / "encoder.int8.onnx", DATA_DIR / "tokenizer.json")
    tokens = encoder.tokenize(TEXTS)
    _, want = encoder.token_states(tokens, "rhetoric_states", DATA_DIR / "rhetoric_encoder.onnx")
    pooled, got = encoder.token_states(tokens, "rhetoric_states", models / "span_encoder.onnx",
                                       pooled=False)
    assert pooled is None
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
