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
        _ = ModelBundle(folder).manifest
    with pytest.raises(ModelError, match="E006"):
        NLIModel(folder).predict_proba([("A passage.", "A claim.")])


def test_models_load_from_a_copied_folder(tmp_path):
    _models_copy(tmp_path)
    emb = ModelBundle(tmp_path).encoder.embed(["More than 4,000 rockets were fired."])
    ref = ModelBundle(DATA_DIR).encoder.embed(["More than 4,000 rockets were fired."])
    assert emb.shape == (1, 384) and (emb == ref).all()


def test_the_rhetoric_heads_read_an_output_their_encoder_graph_has():
    bundle = ModelBundle(DATA_DIR)
    want, graph = bundle.rhetoric.states_input, bundle.rhetoric.encoder_graph
    texts = ["These cowardly thugs will never win.", "Officials said 12 people were hurt."]
    pooled, states, offsets, ids = bundle.encoder.embed_tokens(texts, want, graph)
    ref_pooled, ref_states, _, _ = bundle.encoder.embed_tokens(texts)
    # the sentence path does not depend on it: the same embeddings, bit for bit
    assert (pooled == ref_pooled).all() and (pooled == bundle.encoder.embed(texts)).all()
    width = int(bundle.rhetoric.manifest["token_head"]["inputs"]["token_states"]
                .split(", ")[-1].rstrip("]"))
    assert [s.shape for s in states] == [(len(r), width) for r in ref_states]
    assert [len(o) for o in offsets] == [len(s) for s in states] == [len(i) for i in ids]
    assert all(s.dtype == np.float16 for s in states)


def test_the_plain_encoder_keeps_only_what_the_sentence_heads_read():
    # onnxruntime runs every node of a graph whatever a call asks for: the heads' front
    # lives in its own graph, so a pipeline without the rhetoric layer does not pay it
    encoder = ModelBundle(DATA_DIR).encoder
    assert encoder.outputs == ["last_hidden_state", "sentence_embedding"]


def test_a_changed_rhetoric_encoder_graph_is_refused(tmp_path):
    _models_copy(tmp_path)
    graph = tmp_path / ModelBundle(DATA_DIR).rhetoric.encoder_graph.name
    graph.write_bytes(graph.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="E006"):
        _ = ModelBundle(tmp_path).rhetoric.encoder_graph


def test_rhetoric_heads_on_other_encoder_weights_are_refused(tmp_path):
    _models_copy(tmp_path)
    weights = ModelBundle(DATA_DIR).rhetoric.manifest["encoder_weights"]
    manifest = json.loads((tmp_path / "persuasion.json").read_text())
    manifest["encoder_weights"]["sha256"] = "0" * 64  # as if the encoder were retrained
    (tmp_path / "persuasion.json").write_text(json.dumps(manifest))
    assert (tmp_path / weights["file"]).is_file()
    with pytest.raises(ModelError, match="E400"):
        _ = ModelBundle(tmp_path).rhetoric.manifest



def ort_session(path):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


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


# --- a sentence's result does not depend on its batch (training/calibrate.py) ----------
_ALONE = "More than 4,000 rockets were fired at towns in the south, the army said."
_OTHERS = ["Cowards!", "The ministry said on Tuesday that at least 240 people, among them "
           "dozens of children and elderly residents of the border villages, had been taken "
           "captive and that negotiations through foreign mediators had not yet begun."]


def test_an_embedding_is_the_same_alone_padded_or_beside_other_sentences():
    # quantize_dynamic's one activation scale per batch made these differ by up to 0.3
    encoder = ModelBundle(DATA_DIR).encoder
    alone = encoder.embed([_ALONE])[0]
    for batch in ([_ALONE] + _OTHERS, _OTHERS + [_ALONE], [_OTHERS[1], _ALONE]):
        got = encoder.embed(batch)[batch.index(_ALONE)]
        np.testing.assert_allclose(got, alone, atol=1e-5)


def test_an_nli_verdict_is_the_same_alone_or_in_a_batch():
    model = NLIModel()
    pair = ("Officials said more than 4,000 rockets were fired.", _ALONE)
    others = [(o, _ALONE) for o in _OTHERS]
    np.testing.assert_allclose(model.predict_proba(others + [pair])[-1],
                               model.predict_proba([pair])[0], atol=1e-5)


def test_a_claim_longer_than_the_nli_window_is_cut_not_an_error():
    # a run-on sentence of a social-media post: the tokenizer refuses to keep it whole
    model = NLIModel()
    claim = " ".join(["the ministry said many more people were killed in the camp"] * 20)
    short = ("Officials said more than 4,000 rockets were fired.", _ALONE)
    probs = model.predict_proba([("Fuel entered Gaza on Monday.", claim), short])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # the other pairs of the batch are encoded as they are on their own
    np.testing.assert_allclose(probs[1], model.predict_proba([short])[0], atol=1e-5)


def test_no_graph_keeps_a_batch_dependent_quantizer():
    # DynamicQuantizeLinear takes its scale from the whole batch; calibrate.py fixes them
    from claimscope.models import batch_dependent

    for name in ("encoder.int8.onnx", "rhetoric_encoder.onnx", "rhetoric.onnx", "nli.int8.onnx"):
        assert b"QuantizeLinear" in (DATA_DIR / name).read_bytes(), name
        assert not batch_dependent(DATA_DIR / name), name


def test_every_spelling_of_the_model_folder_gives_one_set_of_models():
    # two bundles would each load the encoder: twice the memory for the same answers
    from claimscope.models import bundle
    from claimscope.models.nli import nli_model

    assert bundle() is bundle(None) is bundle(DATA_DIR) is bundle(str(DATA_DIR) + "/")
    assert nli_model() is nli_model(None) is nli_model(DATA_DIR)


def test_a_graph_with_per_batch_ranges_is_flagged(tmp_path):
    # a retrained model that skipped training/calibrate.py: W005 when it loads
    from claimscope.models import batch_dependent, warn_if_batch_dependent

    old = tmp_path / "old.onnx"
    old.write_bytes(b"\x08\x07...DynamicQuantizeLinear...")
    assert batch_dependent(old)
    with pytest.warns(UserWarning, match="W005"):
        warn_if_batch_dependent(old)
    assert not any(batch_dependent(p) for p in DATA_DIR.glob("*.onnx"))



def test_encoder_outputs_as_token_states_need_no_rhetoric_heads(tmp_path):
    # training features of a new encoder (train_persuasion.py --models) come from a
    # folder that has no rhetoric heads yet
    import claimscope

    _models_copy(tmp_path)
    for name in ("persuasion.json", "rhetoric.onnx", "rhetoric.npz", "rhetoric_encoder.onnx"):
        (tmp_path / name).unlink()
    nlp = claimscope.load(["segment", "encode"], models=str(tmp_path),
                          config={"encode": {"token_states": True,
                                             "states_output": "last_hidden_state"}})
    doc = nlp("Officials said 12 people were hurt. These cowardly thugs will never win.")
    assert len(doc.tensors["token_states"]) == 2
    assert all(s.shape[1] == 384 for s in doc.tensors["token_states"])


def test_one_read_gives_the_digest_and_finds_a_quantizer_across_read_boundaries(tmp_path):
    import hashlib

    from claimscope.models import _sha256, batch_dependent

    marker = b"DynamicQuantizeLinear"
    for at in (0, (1 << 20) - 7, (1 << 20) - len(marker), 1 << 20, None):
        data = bytearray((1 << 20) + 4096)
        if at is not None:
            data[at:at + len(marker)] = marker
        path = tmp_path / f"graph_{at}.onnx"
        path.write_bytes(bytes(data))
        assert batch_dependent(path) is (at is not None), at
        assert _sha256(path) == hashlib.sha256(bytes(data)).hexdigest()
    path.write_bytes(marker)  # changed in place: read again, not taken from the cache
    assert batch_dependent(path)


@pytest.mark.slow
def test_batches_side_by_side_give_what_one_batch_at_a_time_gives():
    from claimscope.models import Encoder

    texts = [f"Sentence {i}: " + "the army said more than 4,000 rockets were fired " * (i % 7)
             for i in range(150)]                     # several batches of unequal lengths
    graph = DATA_DIR / "rhetoric_encoder.onnx"
    one, two = (Encoder(DATA_DIR / "encoder.int8.onnx", DATA_DIR / "tokenizer.json",
                        threads=n) for n in (1, 2))
    assert (one.workers, two.workers) == (1, 2)
    assert np.array_equal(one.embed(texts), two.embed(texts))
    p1, s1, o1, _ = one.embed_tokens(texts, "rhetoric_states", graph)
    p2, s2, o2, _ = two.embed_tokens(texts, "rhetoric_states", graph)
    assert np.array_equal(p1, p2)
    assert all(np.array_equal(a, b) for a, b in zip(s1, s2))
    assert all(np.array_equal(a, b) for a, b in zip(o1, o2))
    # the rhetoric token head runs its batches side by side too
    from claimscope.models.rhetoric_heads import RhetoricModel, sentence_context

    _, _, _, ids = one.embed_tokens(texts, "rhetoric_states", graph)
    heads = [RhetoricModel(DATA_DIR, threads=n).token_pass(s1, o1, ids, sentence_context(p1))
             for n in (1, 2)]
    assert all(np.array_equal(a.bio, b.bio) and np.array_equal(a.features, b.features)
               for a, b in zip(*heads))
    # and so does the NLI model
    pairs = [(t, texts[-1 - i]) for i, t in enumerate(texts[:70])]
    nli = [NLIModel(DATA_DIR, threads=n).logits(pairs) for n in (1, 2)]
    assert np.array_equal(*nli)


def test_every_session_draws_on_the_one_shared_memory_arena():
    from claimscope.models import open_session

    graphs = ("encoder.int8.onnx", "rhetoric.onnx", "nli.int8.onnx")
    sessions = [open_session(DATA_DIR / g) for g in graphs]
    # without the entry each session keeps an arena of its own at its largest run
    assert all(s.get_session_options().get_session_config_entry("session.use_env_allocators")
               == "1" for s in sessions)
    # and the outputs are those of a session with an arena of its own
    import onnxruntime as ort

    own = ort.InferenceSession(str(DATA_DIR / "encoder.int8.onnx"),
                               providers=["CPUExecutionProvider"])
    ids = np.array([[101, 1996, 2390, 2056, 102]], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in {i.name for i in own.get_inputs()}:
        feeds["token_type_ids"] = np.zeros_like(ids)
    assert all(np.array_equal(a, b) for a, b in zip(sessions[0].run(None, feeds),
                                                    own.run(None, feeds)))
