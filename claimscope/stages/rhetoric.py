"""The rhetoric layer: persuasion technique spans, paragraph techniques, frames and genre.

All three stages read what the encoder pass computed in ``encode``; none runs an
encoder.

- ``persuasion`` runs the small token head (``rhetoric.onnx``) over the token states of
  every sentence of a batch, writes technique spans to ``doc.spans["persuasion"]``
  (SemEval-2020 Task 11 taxonomy; label = technique, score = probability that the span
  uses that technique), and keeps compact per-article results in ``doc.tensors`` for the
  two stages below. It drops the token states afterwards. When ``encode`` also ran the
  span model's encoder (``doc.tensors["span_states"]``), the span model's token head
  places the spans (alone, or averaged with the shared head: its ``combine``) and the
  shared heads label them.
- ``techniques`` writes ``doc.fields["paragraphs"]``: every paragraph (non-blank line)
  with the SemEval-2023 Task 3 techniques predicted for it.
- ``framing`` writes ``doc.fields["frames"]`` (the 14 generic frames, multi-label) and
  ``doc.fields["genre"]`` (opinion, reporting or satire).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..document import Document
from ..errors import check_param
from ..models.rhetoric_heads import mean_bio, sentence_context
from ..registry import stages
from ..rhetoric_labels import FRAMES, GENRES, PTC_TECHNIQUES, ST3_TECHNIQUES, paragraphs
from ..swap import SwapResult
from .heads import _ModelStage

__all__ = ["Persuasion", "Techniques", "Framing"]


def _view(doc: Document) -> SwapResult:
    """The text the encoder read, with its offset map to ``doc.text``."""
    view = doc.tensors.get("model_text")
    return view if view is not None else SwapResult(doc.text, doc.text)


def _prob(name: str, value: Any) -> None:
    check_param(name, "threshold", value,
                value is None or (isinstance(value, (int, float)) and 0.0 <= value <= 1.0),
                "None or a float in the range [0.0, 1.0]")


@stages.register("persuasion")
class Persuasion(_ModelStage):
    """Persuasion technique spans: ``doc.spans["persuasion"]``.

    ``threshold`` overrides the shipped span-detection threshold (lower finds more,
    less precise spans); a span also gets its second most likely technique, as a second
    span with the same offsets, when that technique's probability is at least
    ``second_label`` (techniques overlap in the annotated data).
    """

    name = "persuasion"
    requires = ("spans.sentences", "tensors.sentence_embeddings", "tensors.token_states",
                "tensors.token_offsets", "tensors.model_text")
    #: the span model's pass, when one is installed
    reads = ("tensors.token_ids", "tensors.span_states", "tensors.span_embeddings")
    assigns = ("spans.persuasion", "tensors.rhetoric")
    piecewise = True

    def __init__(self, models: Any = None, threshold: float | None = None,
                 second_label: float = 0.35) -> None:
        super().__init__(models)
        _prob("Persuasion", threshold)
        check_param("Persuasion", "second_label", second_label,
                    isinstance(second_label, (int, float)) and 0.0 < second_label <= 1.0,
                    "a float in the range (0.0, 1.0]")
        self.threshold = threshold
        self.second_label = second_label

    def report_info(self) -> dict[str, Any]:
        return {"models": {"rhetoric": self.bundle.rhetoric.describe()}}

    def merge_pieces(self, doc: Document, pieces: list[Document], starts: list[int]) -> None:
        """The article features the frame and genre heads read, for a long article: the
        mean of its pieces' features weighted by their number of sentences (the means
        they hold are exact; the paragraph maxima become means of the pieces' maxima)."""
        feats = [(len(p.sentences), p.tensors["rhetoric"]["article"]) for p in pieces
                 if "rhetoric" in p.tensors]
        if feats:
            weights = np.asarray([max(1, n) for n, _ in feats], np.float32)
            article = (np.stack([f for _, f in feats]) * weights[:, None]).sum(0) / weights.sum()
            doc.tensors["rhetoric"] = {"article": article.astype(np.float32)}

    @staticmethod
    def _context(docs: list[Document], key: str) -> np.ndarray | None:
        return np.concatenate([sentence_context(d.tensors[key]) for d in docs]) if docs else None

    def _span_pass(self, docs: list[Document], offsets: list[np.ndarray],
                   ids: list[Any]) -> list[Any] | None:
        """The span model's token head over the span states ``encode`` kept (one batch
        for all docs), or None when these docs have none."""
        if not docs or not all("span_states" in d.tensors for d in docs):
            return None
        span_model = self.bundle.rhetoric.span_model
        if span_model is None:  # states from another model folder's encode stage
            return None
        context = self._context(docs, "span_embeddings") if span_model.reads_context else None
        return span_model.token_pass([s for d in docs for s in d.tensors["span_states"]],
                                     offsets, ids, context)

    def classify_spans(self, doc: Document, spans: list[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities (n, 14) of given character spans (e.g. gold spans).

        Needs the token states of ``encode``, so call it before the stage runs on ``doc``.
        """
        model = self.bundle.rhetoric
        view = _view(doc)
        outs = model.token_pass(doc.tensors["token_states"], doc.tensors["token_offsets"],
                                doc.tensors.get("token_ids"),
                                sentence_context(doc.tensors["sentence_embeddings"]))
        bounds = [(view.to_swapped(s.start), view.to_swapped(s.end)) for s in doc.sentences]
        return model.classify(view.text, bounds, outs,
                              [(view.to_swapped(s), view.to_swapped(e), None) for s, e in spans])

    def predict(self, docs: list[Document]) -> list[dict[str, Any]]:
        model = self.bundle.rhetoric
        states = [s for d in docs for s in d.tensors["token_states"]]
        offsets = [o for d in docs for o in d.tensors["token_offsets"]]
        ids = [t for d in docs for t in d.tensors.get("token_ids", [None] * len(d.sentences))]
        outs_all = model.token_pass(states, offsets, ids,
                                    self._context(docs, "sentence_embeddings"))
        span_outs_all = self._span_pass(docs, offsets, ids)
        preds, i = [], 0
        for doc in docs:
            n = len(doc.sentences)
            outs = outs_all[i:i + n]
            # The model works on the text the encoder read (side-blind, see ``encode``);
            # spans and paragraphs are mapped back to ``doc.text`` at the end.
            view = _view(doc)
            text = view.text
            bounds = [(view.to_swapped(s.start), view.to_swapped(s.end)) for s in doc.sentences]
            emb = doc.tensors["sentence_embeddings"]
            # the shared heads' own spans; with a span model they only feed the article
            # features, at the shipped threshold the frame and genre heads were fitted on
            found = model.detect(text, bounds, outs,
                                 self.threshold if span_outs_all is None else None)
            probs = model.classify(text, bounds, outs, [(s, e, t) for s, e, _, t in found])
            placed, placed_probs = found, probs
            if span_outs_all is not None:
                # the span model places the spans, the shared heads label them (the two
                # tokenisations are the same, so its token indices are these heads' too)
                span_outs = span_outs_all[i:i + n]
                if model.span_model.combine == "mean":
                    span_outs = mean_bio(span_outs, outs)
                placed = model.span_model.detect(text, bounds, span_outs, self.threshold)
                placed_probs = model.classify(text, bounds, outs,
                                              [(s, e, t) for s, e, _, t in placed])
            i += n
            para_bounds = paragraphs(text)
            para = model.paragraph_probs(para_bounds, bounds, outs, emb)
            weighted = probs * np.asarray([sc for _, _, sc, _ in found], np.float32)[:, None] \
                if found else probs
            article = model.article_features(outs, emb, para, weighted)
            preds.append({"spans": [(*view.to_original_span(s, e), sc) for s, e, sc, _ in placed],
                          "probs": placed_probs,
                          "paragraphs": [view.to_original_span(a, b) for a, b in para_bounds],
                          "paragraph_probs": para,
                          "article": article})
        return preds

    def set_annotations(self, docs: list[Document], preds: list[dict[str, Any]]) -> None:
        for doc, pred in zip(docs, preds):
            group = doc.spans["persuasion"]
            group.clear()
            for (start, end, detected), p in zip(pred["spans"], pred["probs"]):
                order = np.argsort(-p)
                for rank, k in enumerate(order[:2]):
                    if rank == 1 and p[k] < self.second_label:
                        break
                    label = PTC_TECHNIQUES[int(k)]
                    group.add(start, end, label=label, score=round(float(detected * p[k]), 4),
                              technique=label)
            doc.tensors["rhetoric"] = {"paragraphs": pred["paragraphs"],
                                       "paragraph_probs": pred["paragraph_probs"],
                                       "article": pred["article"]}


@stages.register("techniques")
class Techniques(_ModelStage):
    """Persuasion techniques per paragraph (SemEval-2023 Task 3): ``doc.fields["paragraphs"]``.

    Each entry: ``{"start", "end", "techniques": [{"label", "score"}]}`` for every
    paragraph (non-blank line), techniques above their threshold, most likely first.
    ``threshold`` replaces the shipped per-technique thresholds by one value.
    """

    name = "techniques"
    requires = ("tensors.rhetoric",)
    assigns = ("fields.paragraphs",)
    piecewise = True

    def __init__(self, models: Any = None, threshold: float | None = None) -> None:
        super().__init__(models)
        _prob("Techniques", threshold)
        self.threshold = threshold

    def predict(self, docs: list[Document]) -> list[list[dict[str, Any]]]:
        model = self.bundle.rhetoric
        cut = (np.full(len(ST3_TECHNIQUES), self.threshold, np.float32)
               if self.threshold is not None else model.paragraph_thresholds)
        out = []
        for doc in docs:
            r = doc.tensors["rhetoric"]
            rows = []
            for (start, end), p in zip(r["paragraphs"], r["paragraph_probs"]):
                hits = sorted(((float(p[k]), ST3_TECHNIQUES[k]) for k in np.where(p >= cut)[0]),
                              reverse=True)
                rows.append({"start": start, "end": end,
                             "techniques": [{"label": lab, "score": round(sc, 4)}
                                            for sc, lab in hits]})
            out.append(rows)
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[dict[str, Any]]]) -> None:
        for doc, rows in zip(docs, preds):
            doc.fields["paragraphs"] = rows


@stages.register("framing")
class Framing(_ModelStage):
    """Frames and genre of the article (SemEval-2023 Task 3 subtasks 2 and 1).

    ``doc.fields["frames"]``: ``[{"label", "score"}]`` of the frames above threshold, most
    likely first; ``doc.fields["genre"]``: ``{"label", "score", "scores"}``.
    """

    name = "framing"
    requires = ("tensors.rhetoric",)
    assigns = ("fields.frames", "fields.genre")

    def __init__(self, models: Any = None, threshold: float | None = None) -> None:
        super().__init__(models)
        _prob("Framing", threshold)
        self.threshold = threshold

    def predict(self, docs: list[Document]) -> list[tuple[np.ndarray, np.ndarray]]:
        model = self.bundle.rhetoric
        if not docs:
            return []
        X = np.stack([d.tensors["rhetoric"]["article"] for d in docs])
        return list(zip(model.frames(X), model.genre(X)))

    def set_annotations(self, docs: list[Document], preds: list[tuple[np.ndarray, np.ndarray]]) -> None:
        model = self.bundle.rhetoric if docs else None
        for doc, (frames, genre) in zip(docs, preds):
            cut = (np.full(len(FRAMES), self.threshold, np.float32)
                   if self.threshold is not None else model.frame_thresholds)
            hits = sorted(((float(frames[k]), FRAMES[k]) for k in np.where(frames >= cut)[0]),
                          reverse=True)
            doc.fields["frames"] = [{"label": lab, "score": round(sc, 4)} for sc, lab in hits]
            best = int(np.argmax(genre))
            doc.fields["genre"] = {"label": GENRES[best], "score": round(float(genre[best]), 4),
                                   "scores": {g: round(float(genre[k]), 4)
                                              for k, g in enumerate(GENRES)}}
