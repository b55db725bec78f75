"""The shared encoder pass and the sentence classification heads on top of it.

``encode`` runs the int8 MiniLM encoder once over every sentence of a batch of
articles (sorted by length, across articles); each head stage is then a
matrix product on ``doc.tensors["sentence_embeddings"]``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..document import Document
from ..models import ModelBundle, bundle
from ..pipeline import Stage
from ..registry import stages


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
    """Sentence embeddings: ``doc.tensors["sentence_embeddings"]`` (n_sentences, 384)."""

    name = "encode"
    requires = ("doc.sentences",)
    assigns = ("doc.tensors.sentence_embeddings",)

    def predict(self, docs: list[Document]) -> list[np.ndarray]:
        texts = [s.text for d in docs for s in d.sentences]
        emb = self.bundle.encoder.embed(texts)
        out, i = [], 0
        for d in docs:
            n = len(d.sentences)
            out.append(emb[i:i + n])
            i += n
        return out

    def set_annotations(self, docs: list[Document], preds: list[np.ndarray]) -> None:
        for doc, emb in zip(docs, preds):
            doc.tensors["sentence_embeddings"] = emb


class _Head(_ModelStage):
    """Write the positive-class probability of a head to each sentence."""

    head: ClassVar[str]
    requires = ("doc.sentences", "doc.tensors.sentence_embeddings")

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
