"""The shipped model files: one shared word-embedding file, checked by every model reading it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from claimscope.errors import ModelError
from claimscope.models import DATA_DIR, HALF_SUFFIX, ModelBundle
from claimscope.models.nli import NLIModel

SHARED = "word_embeddings.uint8.bin"
pytestmark = pytest.mark.skipif(not (DATA_DIR / SHARED).is_file(), reason="models not installed")


def _models_copy(folder):
    """The shipped model folder copied into ``folder``."""
    for path in DATA_DIR.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


def _folder_with_corrupt_shared_file(tmp_path):
    for path in DATA_DIR.iterdir():
        if path.name != SHARED:
            (tmp_path / path.name).symlink_to(path)
    data = bytearray((DATA_DIR / SHARED).read_bytes())
    data[1234] ^= 0xFF
    (tmp_path / SHARED).write_bytes(bytes(data))
    return tmp_path


def test_encoder_and_nli_list_the_same_shared_embeddings():
    encoder = json.loads((DATA_DIR / "manifest.json").read_text())["files"]
    nli = json.loads((DATA_DIR / "nli.json").read_text())["sha256"]
    assert encoder[SHARED]["sha256"] == nli[SHARED]
    assert encoder[SHARED]["bytes"] == 30522 * 384  # one uint8 matrix, shipped once


def test_a_changed_shared_file_is_refused_by_both_models(tmp_path):
    folder = _folder_with_corrupt_shared_file(tmp_path)
    with pytest.raises(ModelError, match="E006"):
        ModelBundle(folder).manifest
    with pytest.raises(ModelError, match="E006"):
        NLIModel(folder).predict_proba([("A passage.", "A claim.")])


def test_models_load_from_a_copied_folder(tmp_path):
    _models_copy(tmp_path)
    emb = ModelBundle(tmp_path).encoder.embed(["More than 4,000 rockets were fired."])
    ref = ModelBundle(DATA_DIR).encoder.embed(["More than 4,000 rockets were fired."])
    assert emb.shape == (1, 384) and (emb == ref).all()


def test_the_rhetoric_heads_read_an_output_the_encoder_has():
    bundle = ModelBundle(DATA_DIR)
    want = bundle.rhetoric.states_input
    texts = ["These cowardly thugs will never win.", "Officials said 12 people were hurt."]
    pooled, states, offsets, ids = bundle.encoder.embed_tokens(texts, want)
    ref_pooled, ref_states, _, _ = bundle.encoder.embed_tokens(texts)
    assert (pooled == ref_pooled).all()  # the sentence path does not depend on it
    parts = len(want.split("+"))
    assert [s.shape for s in states] == [(len(r), 384 * parts) for r in ref_states]
    assert [len(o) for o in offsets] == [len(s) for s in states] == [len(i) for i in ids]
    assert bundle.rhetoric.manifest["token_head"]["inputs"]["token_states"] == \
        f"float16 [batch, tokens, {384 * parts}]"
    assert all(s.dtype == np.float16 for s in states)


def test_float16_token_states_are_the_float32_ones_rounded():
    # the graph's own Cast gives what numpy's astype gave, bit for bit
    encoder = ModelBundle(DATA_DIR).encoder
    encoder.embed(["warm up"])
    feeds = {"input_ids": np.array([[101, 2023, 2003, 1037, 3231, 102]]),
             "attention_mask": np.ones((1, 6), dtype=np.int64),
             "token_type_ids": np.zeros((1, 6), dtype=np.int64)}
    halves = [n for n in encoder.outputs if n.endswith(HALF_SUFFIX)]
    assert halves, "the shipped encoder has float16 copies of its token-state outputs"
    for half in halves:
        full, got = encoder.session_.run([half[:-len(HALF_SUFFIX)], half], feeds)
        assert got.dtype == np.float16 and (got == full.astype(np.float16)).all()


def test_encoder_outputs_joined_by_plus_are_concatenated():
    encoder = ModelBundle(DATA_DIR).encoder
    texts = ["Officials said 12 people were hurt.", "Why?"]
    names = [n for n in encoder.outputs
             if n != "sentence_embedding" and not n.endswith(HALF_SUFFIX)]
    first, last = names[-1], "last_hidden_state"
    _, joined, _, _ = encoder.embed_tokens(texts, f"{first}+{last}")
    _, a, _, _ = encoder.embed_tokens(texts, first)
    _, b, _, _ = encoder.embed_tokens(texts, last)
    for j, x, y in zip(joined, a, b):
        assert j.shape == (len(x), 768)
        assert (j[:, :384] == x).all() and (j[:, 384:] == y).all()
    with pytest.raises(ModelError, match="E402.*no output 'hidden_9'"):
        encoder.embed_tokens(texts, f"{last}+hidden_9")


def test_an_encoder_output_that_does_not_exist_is_a_clear_error():
    with pytest.raises(ModelError, match="E402.*no output 'hidden_9'"):
        ModelBundle(DATA_DIR).encoder.embed_tokens(["A sentence."], "hidden_9")


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


def test_the_float16_conversion_of_a_folder_is_idempotent(tmp_path):
    half_in_folder = _onnx_share().half_in_folder
    _models_copy(tmp_path)
    half_in_folder(tmp_path)  # the shipped folder is already converted: nothing changes
    for name in ("encoder.int8.onnx", "rhetoric.onnx", "manifest.json", "persuasion.json"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_padded_batches_sort_by_length_and_pad_each_batch_to_its_longest():
    from claimscope.models import padded_batches

    ids = [[1, 2, 3], [4], [5, 6], [7, 8, 9, 10]]
    types = [[0, 0, 1], [0], [0, 1], [0, 0, 1, 1]]
    got = list(padded_batches(ids, 2, types))
    assert [b[0] for b in got] == [[1, 2], [0, 3]]
    idx, arr, mask, typ = got[1]
    assert arr.tolist() == [[1, 2, 3, 0], [7, 8, 9, 10]]
    assert mask.tolist() == [[1, 1, 1, 0], [1, 1, 1, 1]]
    assert typ.tolist() == [[0, 0, 1, 0], [0, 0, 1, 1]]
    assert all(b[3] is None for b in padded_batches(ids, 3))
