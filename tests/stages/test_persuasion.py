"""The rhetoric layer: persuasion spans, paragraph techniques, frames and genre.

Doc logic is tested with hand-built Documents and fake predictions (no model); the real
heads are tested when they are installed (claimscope/models/data/rhetoric.onnx).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import claimscope
from claimscope import Document
from claimscope.layers import config_for, parse_layers, stages_for
from claimscope.models import DATA_DIR, ModelBundle
from claimscope.rhetoric_labels import (
    FRAMES,
    GENRES,
    N_SPAN_FEATURES,
    PTC_TECHNIQUES,
    ST3_TECHNIQUES,
    decode_spans,
    group_by_paragraph,
    paragraphs,
    snap_span,
    span_features,
)
from claimscope.stages.rhetoric import Framing, Persuasion, Techniques

HAVE_MODELS = (DATA_DIR / "rhetoric.onnx").is_file() and (DATA_DIR / "encoder.int8.onnx").is_file()
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason="rhetoric heads not installed")

TEXT = ("Headline: the cowards strike again\n\n"
        "These cowardly thugs attacked the village. They will pay!\n"
        "Officials said 12 people were hurt.\n")


# --------------------------------------------------------------- helpers


def test_paragraphs_are_non_blank_lines_with_valid_offsets():
    paras = paragraphs(TEXT)
    assert len(paras) == 3
    for start, end in paras:
        assert 0 <= start < end <= len(TEXT)
        assert TEXT[start:end] == TEXT[start:end].strip() and "\n" not in TEXT[start:end]
    assert TEXT[paras[1][0]:paras[1][1]].startswith("These cowardly")
    assert paragraphs("  one  \r\n\n\ntwo") == [(2, 5), (11, 14)]
    assert paragraphs("") == [] and paragraphs("\n \n") == []


def test_snap_span_grows_to_words_and_trims_punctuation():
    text = "They are cowardly thugs, said he."
    assert snap_span(text, 10, 15) == (9, 17)            # "owardl" -> "cowardly"
    assert text[slice(*snap_span(text, 8, 24))] == "cowardly thugs"
    assert snap_span(text, 23, 25) is None                # only ", "


def test_decode_spans_runs_and_cuts():
    text = "the cowardly thugs ran away"
    offsets = np.array([[-1, -1], [0, 3], [4, 12], [13, 18], [19, 22], [23, 27], [-1, -1]])
    p_in = np.array([0.9, 0.1, 0.8, 0.7, 0.2, 0.9, 0.9])  # specials never inside
    p_b = np.array([0.0, 0.0, 0.7, 0.1, 0.0, 0.8, 0.0])
    spans = decode_spans(text, offsets, p_in, p_b, 0.5)
    assert [(text[s:e], a, b) for s, e, a, b in spans] == [("cowardly thugs", 2, 4), ("away", 5, 6)]
    # a B inside a run starts a new span
    p_b2 = np.array([0.0, 0.0, 0.7, 0.9, 0.0, 0.0, 0.0])
    assert [text[s:e] for s, e, _, _ in decode_spans(text, offsets, p_in, p_b2, 0.5)] == [
        "cowardly", "thugs", "away"]


def test_decode_spans_hysteresis_keeps_runs_that_reach_the_seed():
    text = "the cowardly thugs ran away"
    offsets = np.array([[-1, -1], [0, 3], [4, 12], [13, 18], [19, 22], [23, 27], [-1, -1]])
    p_in = np.array([0.0, 0.1, 0.8, 0.3, 0.1, 0.35, 0.0])
    p_b = np.zeros(7)
    # threshold alone: both runs above 0.25 are spans
    assert [text[s:e] for s, e, _, _ in decode_spans(text, offsets, p_in, p_b, 0.25)] == [
        "cowardly thugs", "away"]
    # seed 0.5: "cowardly" (0.8) seeds its run, which extends over "thugs" (0.3);
    # "away" never reaches the seed
    assert [text[s:e] for s, e, _, _ in decode_spans(text, offsets, p_in, p_b, 0.25,
                                                     seed=0.5)] == ["cowardly thugs"]


def test_span_features_see_repetition_and_marks():
    text = "Never again! Never again, they said. Never again?"
    f = span_features(text, 0, 11, 0, 12)
    assert f.shape == (N_SPAN_FEATURES,) and f[3] == 1.0 and f[2] > 0  # repeated
    assert f[8] == 1.0                                         # '!'
    assert f[13] == 0.0 and f[14] > 0                          # first of three: later repeats
    last = span_features(text, 37, 48, 37, 49)
    assert last[13] == 1.0 and last[14] == 0.0                 # the last one: earlier repeats
    assert span_features(text, 26, 35, 26, 35)[3] == 0.0


def test_group_by_paragraph():
    assert group_by_paragraph([(0, 10), (12, 30)], [(0, 4), (5, 10), (12, 20), (21, 30)]) == [
        [0, 1], [2, 3]]


# --------------------------------------------------------- stage doc logic


class FakeRhetoric:
    paragraph_thresholds = np.full(len(ST3_TECHNIQUES), 0.5, np.float32)
    frame_thresholds = np.full(len(FRAMES), 0.5, np.float32)

    def frames(self, X):
        out = np.full((len(X), len(FRAMES)), 0.1, np.float32)
        out[:, FRAMES.index("Security_and_defense")] = 0.9
        out[:, FRAMES.index("Political")] = 0.6
        return out

    def genre(self, X):
        return np.tile(np.array([0.7, 0.2, 0.1], np.float32), (len(X), 1))


class FakeBundle(ModelBundle):
    def __init__(self):
        super().__init__()
        self._fake = FakeRhetoric()

    @property
    def rhetoric(self):
        return self._fake


def _probs(**kw):
    p = np.full(len(PTC_TECHNIQUES), 0.01, np.float32)
    for k, v in kw.items():
        p[PTC_TECHNIQUES.index(k)] = v
    return p


def test_persuasion_writes_overlapping_spans_from_the_taxonomy():
    doc = Document(TEXT)
    start = TEXT.index("cowardly thugs")
    doc.tensors["token_states"] = [np.zeros((3, 384), np.float16)]
    doc.tensors["token_offsets"] = [np.zeros((3, 2), np.int32)]
    preds = [{"spans": [(start, start + 14, 0.9), (start + 9, start + 14, 0.6)],
              "probs": np.stack([_probs(Loaded_Language=0.55, **{"Name_Calling,Labeling": 0.4}),
                                 _probs(**{"Name_Calling,Labeling": 0.9})]),
              "paragraphs": paragraphs(TEXT), "paragraph_probs": np.zeros((3, 23), np.float32),
              "article": np.zeros(10, np.float32)}]
    Persuasion(models=FakeBundle()).set_annotations([doc], preds)
    spans = doc.spans["persuasion"]
    assert [(s.text, s.label) for s in spans] == [
        ("cowardly thugs", "Loaded_Language"), ("cowardly thugs", "Name_Calling,Labeling"),
        ("thugs", "Name_Calling,Labeling")]
    for s in spans:
        assert 0 <= s.start < s.end <= len(TEXT)
        assert s.label in PTC_TECHNIQUES and s.attrs["technique"] == s.label
        assert 0.0 <= s.score <= 1.0
    assert spans[0].score == pytest.approx(0.9 * 0.55, abs=1e-4)
    # freeing the token states after their last reader is the pipeline's step, not the
    # stage's (tests/test_pipeline.py)
    assert "rhetoric" in doc.tensors
    out = doc.to_dict()["spans"]["persuasion"]
    assert out[0]["technique"] == out[0]["label"] == "Loaded_Language"


def test_techniques_and_framing_fields():
    doc = Document(TEXT)
    pp = np.zeros((3, len(ST3_TECHNIQUES)), np.float32)
    pp[1, ST3_TECHNIQUES.index("Name_Calling-Labeling")] = 0.8
    pp[1, ST3_TECHNIQUES.index("Loaded_Language")] = 0.6
    doc.tensors["rhetoric"] = {"paragraphs": paragraphs(TEXT), "paragraph_probs": pp,
                               "article": np.zeros(10, np.float32)}
    Techniques(models=FakeBundle())(doc)
    Framing(models=FakeBundle())(doc)
    rows = doc.fields["paragraphs"]
    assert len(rows) == 3 and rows[0]["techniques"] == [] and rows[2]["techniques"] == []
    assert [t["label"] for t in rows[1]["techniques"]] == ["Name_Calling-Labeling", "Loaded_Language"]
    for row in rows:
        assert 0 <= row["start"] < row["end"] <= len(TEXT)
    assert [f["label"] for f in doc.fields["frames"]] == ["Security_and_defense", "Political"]
    assert doc.fields["genre"]["label"] == "opinion" and set(doc.fields["genre"]["scores"]) == set(GENRES)
    one = Techniques(models=FakeBundle(), threshold=0.7)
    one(doc)
    assert [t["label"] for t in doc.fields["paragraphs"][1]["techniques"]] == ["Name_Calling-Labeling"]


def test_bad_parameters_are_one_clear_message():
    with pytest.raises(claimscope.InvalidParameterError, match="threshold"):
        Persuasion(threshold=1.5)
    with pytest.raises(ValueError, match="second_label"):
        Persuasion(second_label=0)


def test_pipeline_order_is_checked():
    with pytest.raises(claimscope.ClaimscopeError, match="token_states"):
        claimscope.load(["segment", "encode", "persuasion"], config={"encode": {"token_states": False}})
    with pytest.raises(claimscope.ClaimscopeError, match="rhetoric"):
        claimscope.load(["segment", "encode", "techniques"])


# ------------------------------------------------------------------ layers / CLI


def test_layers_map_to_stages_in_order():
    assert stages_for(["numbers", "claims"]) == ["segment", "language", "encode",
                                                 "checkworthiness", "quantities"]
    names = stages_for(parse_layers("persuasion, framing"))
    assert names == ["segment", "language", "encode", "persuasion", "framing"]
    assert config_for(names) == {"encode": {"token_states": True}}
    assert config_for(stages_for(["claims"])) == {"encode": {"token_states": False}}
    with pytest.raises(claimscope.InvalidParameterError, match="E401"):
        parse_layers("claims,spin")


def test_cli_only_unknown_layer_is_a_usage_error(tmp_path):
    from claimscope.cli import main

    (tmp_path / "a.txt").write_text("They said 3 people died.", encoding="utf-8")
    res = CliRunner().invoke(main, ["analyze", str(tmp_path / "a.txt"), "-o", str(tmp_path),
                                    "--only", "spin"])
    assert res.exit_code == 2 and "E401" in res.output


def test_cli_only_numbers_runs_without_the_encoder(tmp_path):
    from claimscope.cli import main

    (tmp_path / "a.txt").write_text("They said 3 people died.", encoding="utf-8")
    res = CliRunner().invoke(main, ["analyze", str(tmp_path / "a.txt"), "-o", str(tmp_path),
                                    "--only", "numbers", "--format", "json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["generator"]["stages"] == ["segment", "language", "quantities"]
    assert report["articles"][0]["quantities"]


# ------------------------------------------------------------- real heads


@pytest.fixture(scope="module")
def rhetoric_nlp():
    return claimscope.load(["segment", "language", "encode", "persuasion", "techniques", "framing"])


@needs_models
def test_real_heads_on_a_hand_written_article(rhetoric_nlp):
    text = ("Traitors and Thugs Destroy Our Great Nation\n\n"
            "These cowardly thugs are nothing but terrorists, and every patriot knows it.\n"
            "Why does the corrupt elite keep lying to us? Never again! Never again!\n\n"
            "The ministry said 12 people were injured on Tuesday.\n")
    doc = rhetoric_nlp(text)
    spans = doc.spans["persuasion"]
    assert spans, "a text full of loaded language should yield spans"
    for s in spans:
        assert 0 <= s.start < s.end <= len(text) and s.text.strip() == s.text
        assert s.label in PTC_TECHNIQUES and 0 <= s.score <= 1
    paras = doc.fields["paragraphs"]
    assert [(p["start"], p["end"]) for p in paras] == paragraphs(text)
    assert all(t["label"] in ST3_TECHNIQUES for p in paras for t in p["techniques"])
    assert all(f["label"] in FRAMES for f in doc.fields["frames"])
    assert doc.fields["genre"]["label"] in GENRES
    assert not doc.errors and "token_states" not in doc.tensors


@needs_models
def test_real_heads_on_empty_and_tiny_documents(rhetoric_nlp):
    docs = list(rhetoric_nlp.pipe(["", "Ok.", "\n\n"], batch_size=3))
    for doc in docs:
        assert not doc.errors
        assert doc.fields["genre"]["label"] in GENRES
    assert docs[0].fields["paragraphs"] == [] and len(docs[1].fields["paragraphs"]) == 1


@needs_models
def test_report_with_rhetoric_validates(rhetoric_nlp):
    jsonschema = pytest.importorskip("jsonschema")
    from claimscope.report import build_report, schema

    doc = rhetoric_nlp("The cowardly regime lies again. Shameful!\n\nOfficials said 3 died.")
    report = build_report([doc], [], rhetoric_nlp)
    jsonschema.validate(report, schema())
    art = report["articles"][0]
    assert {"paragraphs", "frames", "genre"} <= set(art)
    assert "rhetoric" in report["generator"]["models"]


def test_schema_accepts_the_new_fields():
    jsonschema = pytest.importorskip("jsonschema")
    from claimscope.report import build_report, schema

    doc = Document("Cowards! The thugs lied.\nSecond line.")
    doc.sentences.add(0, 8)
    doc.spans["persuasion"].add(0, 6, label="Name_Calling,Labeling", score=0.8,
                                technique="Name_Calling,Labeling")
    doc.spans["persuasion"].add(0, 6, label="Loaded_Language", score=0.4, technique="Loaded_Language")
    doc.fields["paragraphs"] = [{"start": 0, "end": 24, "techniques": [
        {"label": "Name_Calling-Labeling", "score": 0.8}]}, {"start": 25, "end": 37, "techniques": []}]
    doc.fields["frames"] = [{"label": "Morality", "score": 0.7}]
    doc.fields["genre"] = {"label": "opinion", "score": 0.8,
                           "scores": {"opinion": 0.8, "reporting": 0.15, "satire": 0.05}}
    report = build_report([doc])
    jsonschema.validate(report, schema())
    bad = json.loads(json.dumps(report))
    bad["articles"][0]["spans"]["persuasion"][0]["label"] = "Spin"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema())


def _fake_heads(members: int, d: int = 8, hidden: int = 5, seed: int = 0):
    """Random numpy head weights; members > 1 stacks them on a leading axis."""
    from claimscope.rhetoric_labels import HASH_BUCKETS

    rng = np.random.default_rng(seed)
    shapes = {"span.W1": (5 * d + N_SPAN_FEATURES, hidden), "span.b1": (hidden,),
              "span.W2": (hidden, len(PTC_TECHNIQUES)), "span.b2": (len(PTC_TECHNIQUES),),
              "span.bow": (HASH_BUCKETS, len(PTC_TECHNIQUES)),
              "para.Ws": (384, len(ST3_TECHNIQUES)), "para.b": (len(ST3_TECHNIQUES),)}
    lead = (members,) if members > 1 else ()
    return {k: rng.normal(0, 0.3, lead + v).astype(np.float32) for k, v in shapes.items()}


def _runtime(weights, members: int, d: int):
    from claimscope.models.rhetoric_heads import RhetoricModel

    model = RhetoricModel(DATA_DIR)
    model.weights_, model.session_ = weights, "no session: heads only"
    model.manifest_ = {"token_head": {"d": d, "members": members}}
    return model


def test_an_ensemble_averages_its_members():
    """Two token heads in one graph: each member's span and paragraph heads read their own
    slice of the outputs, and the probabilities are the members' average."""
    from claimscope.models.rhetoric_heads import SentenceOutputs

    d, rng = 8, np.random.default_rng(1)
    text = "They are cowards. Officials said 12 people were hurt."
    bounds = [(0, 17), (18, len(text))]
    offsets = [np.array([[-1, -1], [0, 4], [5, 8], [9, 16], [-1, -1]]),
               np.array([[-1, -1], [18, 27], [28, 32], [33, 35], [36, 42], [-1, -1]])]
    parts = [[(rng.normal(size=(len(o), d)).astype(np.float32),
               rng.normal(size=(len(o), 23)).astype(np.float32),
               rng.normal(size=(len(o), 23)).astype(np.float32)) for o in offsets]
             for _ in range(2)]
    bio = [np.full((len(o), 3), 1 / 3, np.float32) for o in offsets]

    def outs_of(member_parts):
        return [SentenceOutputs(np.concatenate([p[si][0] for p in member_parts], 1), bio[si],
                                np.concatenate([p[si][1] for p in member_parts], 1),
                                np.concatenate([p[si][2] for p in member_parts], 1), offsets[si])
                for si in range(len(offsets))]

    stacked = _fake_heads(2, d)
    ensemble = _runtime(stacked, 2, d)
    singles = [_runtime({k: v[m] for k, v in stacked.items()}, 1, d) for m in range(2)]
    spans = [(0, 4, None), (18, 42, None)]
    emb = rng.normal(size=(2, 384)).astype(np.float32)
    para = [(0, len(text))]

    got = ensemble.classify(text, bounds, outs_of(parts), spans)
    want = np.mean([s.classify(text, bounds, outs_of([parts[m]]), spans)
                    for m, s in enumerate(singles)], 0)
    assert got.shape == (2, len(PTC_TECHNIQUES))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(1), 1.0, rtol=1e-5)

    got_p = ensemble.paragraph_probs(para, bounds, outs_of(parts), emb)
    want_p = np.mean([s.paragraph_probs(para, bounds, outs_of([parts[m]]), emb)
                      for m, s in enumerate(singles)], 0)
    np.testing.assert_allclose(got_p, want_p, rtol=1e-5, atol=1e-6)
    # the members disagree, so the average is not either one of them
    assert not np.allclose(got_p, singles[0].paragraph_probs(para, bounds, outs_of([parts[0]]),
                                                            emb))


def test_repetition_boost_lifts_only_spans_said_before():
    from claimscope.models.rhetoric_heads import SentenceOutputs
    from claimscope.rhetoric_labels import earlier_occurrences

    d, rng = 8, np.random.default_rng(3)
    text = "Never again. They lied. Never again."
    bounds = [(0, 12), (13, 23), (24, len(text))]
    offsets = [np.array([[-1, -1], [a, b], [-1, -1]]) for a, b in ((0, 11), (13, 22), (24, 35))]
    outs = [SentenceOutputs(rng.normal(size=(3, d)).astype(np.float32),
                            np.full((3, 3), 1 / 3, np.float32),
                            np.zeros((3, 23), np.float32), np.zeros((3, 23), np.float32), o)
            for o in offsets]
    spans = [(0, 11, None), (13, 22, None), (24, 35, None)]
    lowered = text.lower()
    assert [earlier_occurrences(lowered, s, e) for s, e, _ in spans] == [0, 0, 1]
    weights = _fake_heads(1, d)
    plain = _runtime(dict(weights), 1, d).classify(text, bounds, outs, spans)
    boosted = _runtime({**weights, "span.repetition_boost": np.float32(30.0)}, 1, d).classify(
        text, bounds, outs, spans)
    rep = PTC_TECHNIQUES.index("Repetition")
    np.testing.assert_allclose(boosted[:2], plain[:2], rtol=1e-6)  # not said before: unchanged
    assert boosted[2, rep] > plain[2, rep] and abs(boosted[2].sum() - 1) < 1e-5
    ratio = (boosted[2, rep] / boosted[2, :rep].sum()) / (plain[2, rep] / plain[2, :rep].sum())
    assert abs(ratio - 30.0) < 1e-2
