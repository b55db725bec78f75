"""A span model: heads on a second encoder place the persuasion spans, the shipped heads
label them and do everything else (``persuasion.json`` ``span_model``).

The span models here are the shipped heads installed a second time under the span
model's names (in place of the shipped span model), so what the hybrid must give is known
exactly: the shipped heads placing the spans themselves (``span_states=False``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import claimscope
from claimscope.errors import ModelError
from claimscope.models import DATA_DIR, ModelBundle, _sha256

pytestmark = pytest.mark.skipif(not (DATA_DIR / "rhetoric_encoder.onnx").is_file(),
                                reason="rhetoric heads not installed")

STAGES = ["segment", "language", "encode", "persuasion", "techniques", "framing"]
TEXTS = ["Traitors and Thugs Destroy Our Great Nation\n\n"
         "These cowardly thugs are nothing but terrorists, and every patriot knows it.\n"
         "Why does the corrupt elite keep lying to us? Never again! Never again!\n\n"
         "The ministry said 12 people were injured on Tuesday.\n",
         "The shameful regime lied again. Only a fool would believe a word of it.\n\n"
         "Officials said 3 people died.",
         "Ok."]


def _span_folder(folder, combine: str = "alone", **decoding: float):
    """The shipped folder (linked) with its own heads installed again as the span model;
    ``decoding`` replaces values of the span model's numpy heads (e.g. si_threshold)."""
    for path in DATA_DIR.iterdir():  # the shipped span model's files are left out
        if path.name != "persuasion.json" and not path.name.startswith("span_"):
            (folder / path.name).symlink_to(path)
    (folder / "span_encoder.onnx").symlink_to(DATA_DIR / "rhetoric_encoder.onnx")
    (folder / "span_head.onnx").symlink_to(DATA_DIR / "rhetoric.onnx")
    with np.load(DATA_DIR / "rhetoric.npz") as npz:
        weights = {k: npz[k] for k in npz.files}
    weights.update({k: np.float32(v) for k, v in decoding.items()})
    np.savez(folder / "span_head.npz", **weights)
    shipped = json.loads((DATA_DIR / "persuasion.json").read_text())
    shipped.pop("span_model", None)
    files = {"span_encoder.onnx": shipped["files"]["rhetoric_encoder.onnx"],
             "span_head.onnx": shipped["files"]["rhetoric.onnx"],
             "span_head.npz": {"sha256": _sha256(folder / "span_head.npz")}}
    span = dict(shipped, name="span heads (test)", files=files,
                token_head=dict(shipped["token_head"], graph="span_head.onnx",
                                weights="span_head.npz", encoder_graph="span_encoder.onnx",
                                combine=combine))
    (folder / "span_head.json").write_text(json.dumps(span))
    (folder / "persuasion.json").write_text(json.dumps(dict(shipped, span_model="span_head.json")))
    return folder


def _spans(doc):
    return [(s.start, s.end, s.label, s.score) for s in doc.spans["persuasion"]]


def _rest(doc):
    return doc.fields["paragraphs"], doc.fields["frames"], doc.fields["genre"]


#: the shipped heads placing the spans themselves: no second pass
ALONE = {"encode": {"span_states": False}}


@pytest.fixture(scope="module")
def plain():
    return list(claimscope.load(STAGES, config=ALONE).pipe(TEXTS))


def test_the_shipped_span_model_places_the_spans_and_moves_nothing_else(plain):
    nlp = claimscope.load(STAGES)
    span_model = nlp.get_stage("persuasion").bundle.rhetoric.span_model
    assert span_model is not None and span_model.combine == "mean"
    docs = list(nlp.pipe(TEXTS))
    assert [_spans(d) for d in docs] != [_spans(d) for d in plain]
    assert any(_spans(d) for d in docs)
    # paragraphs, frames and genre read the shipped heads' own spans, as they were fitted
    assert [_rest(d) for d in docs] == [_rest(d) for d in plain]
    # every placed span is labelled by the shipped heads, one or two techniques each
    from claimscope.rhetoric_labels import PTC_TECHNIQUES

    assert all(s.label in PTC_TECHNIQUES and 0 < s.score <= 1
               for d in docs for s in d.spans["persuasion"])


@pytest.mark.parametrize("combine", ["alone", "mean"])
def test_a_span_model_equal_to_the_heads_changes_nothing(tmp_path, plain, combine):
    nlp = claimscope.load(STAGES, models=str(_span_folder(tmp_path, combine)))
    assert nlp.get_stage("persuasion").bundle.rhetoric.span_model is not None
    docs = list(nlp.pipe(TEXTS))
    assert [d.to_dict() for d in docs] == [d.to_dict() for d in plain]
    assert any(_spans(d) for d in docs)
    for d in docs:  # the second pass's tensors are dropped with the token states
        assert not {"span_states", "span_embeddings", "token_states"} & set(d.tensors)


def test_the_span_model_places_the_spans_and_the_heads_label_them(tmp_path, plain):
    folder = _span_folder(tmp_path, si_threshold=0.8, si_seed=0.8)
    docs = list(claimscope.load(STAGES, models=str(folder)).pipe(TEXTS))
    # what the shipped heads give at that decoding (they label the same tokens the same)
    strict = list(claimscope.load(STAGES, config={**ALONE, "persuasion": {"threshold": 0.8}})
                  .pipe(TEXTS))
    assert [_spans(d) for d in docs] == [_spans(d) for d in strict]
    assert sum(map(len, map(_spans, docs))) < sum(map(len, map(_spans, plain)))
    # paragraphs, frames and genre stay the shipped heads' (at their own decoding)
    assert [_rest(d) for d in docs] == [_rest(d) for d in plain]
    # span_states=False: no second pass, the shipped heads place the spans
    fast = claimscope.load(STAGES, models=str(folder),
                           config={"encode": {"span_states": False}}).pipe(TEXTS)
    assert [d.to_dict() for d in fast] == [d.to_dict() for d in plain]


def test_the_report_names_the_span_model(tmp_path):
    from claimscope.report import build_report

    nlp = claimscope.load(STAGES, models=str(_span_folder(tmp_path)))
    info = build_report([nlp(TEXTS[1])], [], nlp)["generator"]["models"]["rhetoric"]
    assert info["span_model"]["name"] == "span heads (test)"
    assert set(info["span_model"]["sha256"]) == {"span_encoder.onnx", "span_head.onnx",
                                                 "span_head.npz"}


def test_an_unknown_way_to_combine_is_refused(tmp_path):
    folder = _span_folder(tmp_path, combine="max")
    with pytest.raises(ModelError, match="E005.*expected 'alone' or 'mean', got 'max'"):
        _ = ModelBundle(folder).rhetoric.span_model.combine
    # in a run, each article gets the error, and nothing is placed by a guess
    docs = list(claimscope.load(STAGES, models=str(folder)).pipe(TEXTS[:2]))
    assert all(any("expected 'alone' or 'mean'" in str(e) for e in d.errors) for d in docs)


def test_a_changed_or_missing_span_model_file_is_refused(tmp_path):
    folder = _span_folder(tmp_path)
    (folder / "span_head.npz").write_bytes((folder / "span_head.npz").read_bytes() + b"\0")
    with pytest.raises(ModelError, match="E006"):
        _ = ModelBundle(folder).rhetoric.span_model.states_input
    (folder / "span_head.npz").unlink()
    with pytest.raises(ModelError, match="E005"):
        _ = ModelBundle(folder).rhetoric.span_model.states_input


def test_mean_bio_averages_only_the_bio_probabilities():
    from claimscope.models.rhetoric_heads import SentenceOutputs, mean_bio

    rng = np.random.default_rng(5)
    offsets = np.array([[-1, -1], [0, 4], [5, 9], [-1, -1]])

    def outs():
        return [SentenceOutputs(rng.normal(size=(4, 8)).astype(np.float32),
                                rng.dirichlet(np.ones(3), 4).astype(np.float32),
                                rng.normal(size=(4, 23)).astype(np.float32),
                                rng.normal(size=(4, 23)).astype(np.float32), offsets)]

    a, b = outs(), outs()
    (got,) = mean_bio(a, b)
    np.testing.assert_allclose(got.bio, (a[0].bio + b[0].bio) / 2, rtol=1e-6)
    assert got.features is a[0].features and got.para_value is a[0].para_value
    want = max((a[0].bio[k, 1:].sum() + b[0].bio[k, 1:].sum()) / 2 for k in (1, 2))
    assert abs(got.summary.inside_max - want) < 1e-6  # the summary reads the mean


