"""The shared encoder pass and the sentence classification heads on top of it.

``encode`` runs the int8 MiniLM encoder once over every sentence of a batch of
articles (sorted by length, across articles); each head stage is then a
matrix product on ``doc.tensors["sentence_embeddings"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..document import Document
from ..models import ModelBundle, bundle
from ..pipeline import Stage
from ..registry import stages
from ..swap import SwapResult, blind_sides


class _ModelStage(Stage):
    def __init__(self, models: ModelBundle | str | None = None) -> None:
        self.models = models

    @property
    def bundle(self) -> ModelBundle:
        if isinstance(self.models, ModelBundle):
            return self.models
        return bundle(self.models)


@stages.register("encode")
class Encode(_ModelStage):
    """Sentence embeddings: ``doc.tensors["sentence_embeddings"]`` (n_sentences, 384).

    With ``token_states=True`` (default) the same pass also keeps, per sentence, the
    token states (``doc.tensors["token_states"]``: float16 (n_tokens, width) arrays), their
    character offsets (``doc.tensors["token_offsets"]``: int32 (n_tokens, 2), (-1, -1)
    for [CLS]/[SEP]) in the text the encoder read (``doc.tensors["model_text"]``, a
    ``SwapResult`` whose ``to_original_span`` maps back to ``doc.text``)
    and ids (``doc.tensors["token_ids"]``) for span stages such as ``persuasion``, which
    drops them after use. ``claimscope.load`` passes ``token_states=False`` when no
    later stage needs them.

    ``states_output`` names the encoder output kept as token states (default: the one
    the rhetoric heads were trained on, ``persuasion.json`` ``token_head.input``). The
    shipped heads read ``rhetoric_states``: the pass then runs ``rhetoric_encoder.onnx``,
    the encoder's own weights with the heads' input projection of all six layers
    appended, so it gives the same sentence embeddings and 256 values per token.

    When the rhetoric heads have a span model (``persuasion.json`` ``span_model``: heads on
    a second encoder trained for the persuasion spans), ``span_states=True`` (default) also
    runs that encoder over the same sentences and keeps its token head's input
    (``doc.tensors["span_states"]``) and, when its heads read the sentence context, its
    sentence embeddings (``doc.tensors["span_embeddings"]``) for ``persuasion``;
    ``span_states=False`` skips that pass, and the shared heads place the spans. The
    shipped models have one (the PTC-trained encoder's heads, their BIO probabilities
    averaged with the shared heads'; ``training/README.md``).

    With ``blind=True`` (default) the encoder reads the article with the warring sides'
    names replaced by neutral placeholders (``claimscope.swap.blind_sides``: "Side A",
    "Leader B", ..., lettered in the order the sides first appear), so nothing computed
    from it (check-worthiness, subjectivity, persuasion) can depend on which side a
    sentence is about.
    """

    name = "encode"
    requires = ("spans.sentences",)
    assigns = ("tensors.sentence_embeddings",)
    piecewise = True

    def __init__(self, models: ModelBundle | str | None = None, token_states: bool = True,
                 blind: bool = True, states_output: str | None = None,
                 span_states: bool = True) -> None:
        super().__init__(models)
        self.token_states = token_states
        self.blind = blind
        self.states_output = states_output
        self.span_states = span_states
        if token_states:
            self.assigns = Encode.assigns + (
                "tensors.token_states", "tensors.token_offsets", "tensors.token_ids",
                "tensors.model_text") + (
                ("tensors.span_states", "tensors.span_embeddings") if span_states else ())

    def report_info(self) -> dict[str, Any]:
        """Recorded in the report's generator block: how the encoder read the text."""
        info: dict[str, Any] = {"side_blind": self.blind}
        if self.token_states:
            # whether the span model (named under models.rhetoric) placed the spans
            info["span_pass"] = self._token_pass()[2] is not None
        return {"models": info}

    def _token_pass(self) -> tuple[str, Path | None, Any]:
        """``(output, graph, span_model)``: the encoder output(s) kept as token states, the
        graph that computes them (None: the encoder itself) and the span model whose
        encoder runs as a second pass (None: no second pass)."""
        if self.states_output and all(name in self.bundle.encoder.outputs
                                      for name in self.states_output.split("+")):
            # outputs of the encoder itself: no rhetoric heads needed (training features)
            return self.states_output, None, None
        # the rhetoric heads say which encoder output(s) they read: a layer, layers
        # joined by "+", or their own input from the encoder graph that computes it
        rhetoric = self.bundle.rhetoric
        output = self.states_output or rhetoric.states_input
        graph = rhetoric.encoder_graph if output == rhetoric.states_input else None
        span_model = rhetoric.span_model if self.span_states and graph is not None else None
        return output, graph, span_model

    def predict(self, docs: list[Document]) -> list[Any]:
        views = [blind_sides(d.text) if self.blind else SwapResult(d.text, d.text)
                 for d in docs]
        spans = [[(v.to_swapped(s.start), v.to_swapped(s.end)) for s in d.sentences]
                 for d, v in zip(docs, views)]
        texts = [v.text[a:b] for v, sp in zip(views, spans) for a, b in sp]
        encoder = self.bundle.encoder
        span_pass = None
        if self.token_states:
            output, graph, span_model = self._token_pass()
            # offsets relative to the text the encoder read, not to each sentence
            tokens = encoder.tokenize(texts, starts=[a for sp in spans for a, _ in sp])
            emb, states = encoder.token_states(tokens, output, graph)
            offsets, ids = tokens.offsets, tokens.ids
            if span_model is not None:
                span_pass = encoder.token_states(tokens, span_model.states_input,
                                                 span_model.encoder_graph,
                                                 pooled=span_model.reads_context)
        else:
            emb = encoder.embed(texts)
        out, i = [], 0
        for v, sp in zip(views, spans):
            n = len(sp)
            if self.token_states:
                tensors = {"sentence_embeddings": emb[i:i + n], "token_states": states[i:i + n],
                           "token_offsets": offsets[i:i + n], "token_ids": ids[i:i + n],
                           "model_text": v}
                if span_pass is not None:
                    if span_pass[0] is not None:
                        tensors["span_embeddings"] = span_pass[0][i:i + n]
                    tensors["span_states"] = span_pass[1][i:i + n]
                out.append(tensors)
            else:
                out.append({"sentence_embeddings": emb[i:i + n]})
            i += n
        return out

    def set_annotations(self, docs: list[Document], preds: list[dict[str, Any]]) -> None:
        for doc, tensors in zip(docs, preds):
            doc.tensors.update(tensors)


class _Head(_ModelStage):
    """Write the positive-class probability of a head to each sentence."""

    head: ClassVar[str]
    requires = ("spans.sentences", "tensors.sentence_embeddings")
    piecewise = True

    def predict(self, docs: list[Document]) -> list[np.ndarray]:
        out = []
        for doc in docs:
            emb = doc.tensors["sentence_embeddings"]
            if len(emb) == 0:
                out.append(np.zeros(0, dtype=np.float32))
            else:
                out.append(self.bundle.heads.predict_proba(self.head, emb)[:, 1])
        return out

    def set_annotations(self, docs: list[Document], preds: list[Any]) -> None:
        for doc, probs in zip(docs, preds):
            for sent, p in zip(doc.sentences, probs):
                sent.attrs[self.head] = round(float(p), 4)


@stages.register("checkworthiness")
class Checkworthiness(_Head):
    """Probability that a sentence is a checkable factual claim worth checking."""

    name = head = "checkworthiness"
    assigns = ("sentences.checkworthiness",)


@stages.register("subjectivity")
class Subjectivity(_Head):
    """Probability that a sentence is opinion (SUBJ) rather than objective (OBJ)."""

    name = head = "subjectivity"
    assigns = ("sentences.subjectivity",)
