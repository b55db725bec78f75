import pytest

import claimscope
from claimscope import Document, Pipeline, Stage
from claimscope.errors import PipelineError


class Upper(Stage):
    name = "upper"
    assigns = ("doc.upper",)

    def predict(self, docs):
        return [d.text.upper() for d in docs]

    def set_annotations(self, docs, preds):
        for d, p in zip(docs, preds):
            d.tensors["upper"] = p


class NeedsUpper(Stage):
    name = "needs_upper"
    requires = ("doc.upper",)
    assigns = ("doc.length",)

    def predict(self, docs):
        if any("boom" in d.text for d in docs):
            raise RuntimeError("boom in text")
        return [len(d.tensors["upper"]) for d in docs]

    def set_annotations(self, docs, preds):
        for d, p in zip(docs, preds):
            d.tensors["length"] = p


def test_order_is_checked_when_built():
    with pytest.raises(PipelineError, match=r"\[E003\] Stage 'needs_upper' requires 'doc.upper'"):
        Pipeline([NeedsUpper(), Upper()])


def test_duplicate_stage_refused():
    with pytest.raises(PipelineError, match="E007"):
        Pipeline([Upper(), Upper()])


def test_stage_must_return_document():
    class Bad(Stage):
        name = "bad"

        def __call__(self, doc):
            return "oops"

    with pytest.raises(PipelineError, match="E001"):
        Pipeline([Bad()])("text")


def test_call_and_pipe_agree():
    nlp = Pipeline([Upper(), NeedsUpper()])
    one = nlp("abc")
    assert one.tensors["length"] == 3 and "doc.length" in one.assigned
    many = list(nlp.pipe(["a", "bb", "ccc"], batch_size=2))
    assert [d.tensors["length"] for d in many] == [1, 2, 3]


def test_one_bad_article_does_not_stop_the_batch():
    nlp = Pipeline([Upper(), NeedsUpper()])
    docs = list(nlp.pipe(["fine", "boom here", "also fine"], batch_size=8))
    assert [d.text for d in docs] == ["fine", "boom here", "also fine"]
    assert docs[0].tensors["length"] == 4 and docs[2].tensors["length"] == 9
    assert "length" not in docs[1].tensors
    assert docs[1].errors[0]["code"] == "E009"
    assert "boom in text" in docs[1].errors[0]["message"]


def test_batch_size_is_validated():
    with pytest.raises(claimscope.InvalidParameterError, match="batch_size"):
        list(Pipeline([Upper()]).pipe(["a"], batch_size=0))


def test_registry_names_and_unknown_stage():
    names = claimscope.registry.stages.names()
    for name in ("segment", "language", "encode", "checkworthiness", "subjectivity",
                 "quantities"):
        assert name in names
    with pytest.raises(PipelineError, match=r"\[E002\] Unknown stage 'nope'"):
        claimscope.load(["nope"])


def test_default_pipeline_order_is_valid():
    nlp = claimscope.load()
    assert nlp.stage_names[0] == "segment"
    assert isinstance(nlp.get_stage("encode"), Stage)


def test_pipeline_accepts_documents():
    doc = Document("abc", id="d1")
    out = Pipeline([Upper()])(doc)
    assert out is doc and doc.tensors["upper"] == "ABC"


def test_spacy_layers_run_on_numpy_blas_not_thinc_blis():
    # thinc's bundled BLIS is 3-6x slower than numpy's BLAS for the tok2vec layers here
    from claimscope.stages.ledger import load_parser
    from claimscope.stages.segment import _load_nlp

    for nlp in (_load_nlp(), load_parser()):
        ops = {getattr(node.ops, "use_blis", None) for _, pipe in nlp.components
               if getattr(pipe, "model", None) is not None for node in pipe.model.walk()}
        assert ops == {False}


# long articles: analysed in pieces, memory bounded by the piece ----------------------


class Widest(Stage):
    """Records the most text any one call of the stage saw."""

    name = "widest"
    piecewise = True
    seen: list[int] = []

    def predict(self, docs):
        Widest.seen.append(sum(len(d.text) for d in docs))
        return [None] * len(docs)

    def set_annotations(self, docs, preds):
        pass


def _long_text(n_lines=400):
    line = ("Israel said it destroyed 30 Hamas tunnels in Gaza on Monday, and the ministry "
            "said 1,200 people were killed. ")
    return "\n".join(f"{i}. {line * (1 + i % 3)}" for i in range(n_lines))


def test_long_article_in_pieces_is_the_article_whole():
    from claimscope.pipeline import split_points

    text = _long_text()
    rules = ["segment", "quantities", "actors", "ledger"]
    whole = claimscope.load(rules)
    whole.piece_chars = None
    want = next(whole.pipe([text])).to_dict()
    nlp = claimscope.load(rules)
    nlp.piece_chars = 5_000
    docs = list(nlp.pipe(["Short one.", text, "Another short one."]))  # order kept
    assert [d.text for d in docs] == ["Short one.", text, "Another short one."]
    assert len(split_points(text, 5_000)) > 10
    got = docs[1].to_dict()
    for key in ("sentences", "quantities", "spans", "actors", "ledger"):
        assert got[key] == want[key], key
    for s in docs[1].sentences:
        assert 0 <= s.start < s.end <= len(text)


def test_the_pipeline_never_holds_more_than_two_pieces():
    Widest.seen = []
    nlp = Pipeline([Widest()], piece_chars=5_000)
    text = _long_text(2000)  # ~330 KB
    assert len(text) > 300_000
    list(nlp.pipe([text, "short"] * 2))
    assert max(Widest.seen) <= 10_000
    nlp = Pipeline([Widest()], piece_chars=None)
    Widest.seen = []
    list(nlp.pipe([text]))
    assert max(Widest.seen) == len(text)


def test_one_unbroken_line_is_cut_at_white_space():
    from claimscope.pipeline import split_points

    text = "word " * 3000
    starts = split_points(text, 1_000)
    assert all(text[s - 1] == " " for s in starts[1:])
    assert all(b - a <= 1_000 for a, b in zip(starts, starts[1:] + [len(text)]))
    assert split_points("x" * 2_500, 1_000) == [0, 1_000, 2_000]


def test_many_short_sentences_make_pieces_too():
    from claimscope.pipeline import PIECE_UNITS, is_long, split_points

    text = "A.\n" * 30_000  # 90 KB, under the piece size, but 60,000 lines and sentence ends
    assert len(text) < 100_000 and is_long(text, 100_000)
    starts = split_points(text, 100_000)
    ends = starts[1:] + [len(text)]
    assert all(text[b - 1] == "\n" for b in ends)
    assert all(text[a:b].count("\n") * 2 <= PIECE_UNITS for a, b in zip(starts, ends))
    assert not is_long("A short article.\nTwo lines.", 100_000)


def test_the_options_a_user_gives_become_one_configuration():
    from claimscope.layers import plan

    names, config = plan(layers="claims,numbers", fast=True)
    assert names == ["segment", "language", "encode", "checkworthiness", "quantities"]
    assert config == {"encode": {"token_states": False, "span_states": False}}
    names, config = plan(corpus="c.db", as_of="2023-11-18", actors="a.toml")
    assert names is None and config["retrieve"] == {"db": "c.db", "as_of": "2023-11-18"}
    assert config["actors"] == {"extra": ["a.toml"]}
    with pytest.raises(claimscope.InvalidParameterError, match="either stages or layers"):
        plan(["segment"], layers="claims")
    # load() takes the same options
    nlp = claimscope.load(layers="numbers")
    assert nlp.stage_names == ["segment", "language", "quantities"]


def test_a_tensor_is_freed_after_the_last_stage_that_reads_it():
    nlp = claimscope.load(["segment", "language", "encode", "checkworthiness",
                           "subjectivity", "persuasion"])
    doc = nlp("The army said 12 people were killed. Shame on these thugs!")
    # read by persuasion last: gone; written by persuasion and read by nothing: kept
    assert not {"sentence_embeddings", "token_states", "token_offsets", "model_text",
                "token_ids", "span_states"} & set(doc.tensors)
    assert "rhetoric" in doc.tensors
    # what no stage of the pipeline reads stays for the caller, and a caller can keep more
    doc = claimscope.load(["segment", "encode"])("Twelve people were killed.")
    assert "sentence_embeddings" in doc.tensors
    nlp = claimscope.load(["segment", "encode", "checkworthiness"])
    nlp.keep_tensors.add("sentence_embeddings")
    assert "sentence_embeddings" in nlp("Twelve people were killed.").tensors
