"""A verdict for every claim from the passages ``retrieve`` found.

For each (passage, claim) pair the NLI cross-encoder gives calibrated probabilities of
entailment / neutral / contradiction; for a claim with figures, the figures of the
passage (``extract_quantities``) are compared with the claim's as intervals
(``claimscope.numcompare``). A passage's *stance*:

- numbers of the same kind, unit and counted thing (in a passage not dated after the
  article: figures change over time) that are disjoint -> ``refutes`` when
  the passage speaks to the claim (NLI not confidently neutral); that meet -> ``supports``
  when NLI also leans to entailment over contradiction. Confidence = the NLI probability
  that the passage addresses the claim (1 - p_neutral): the arithmetic itself is certain.
- otherwise NLI alone: ``supports`` if p_entailment >= ``min_entail``, ``refutes``
  if p_contradiction >= ``min_contra``, else ``neutral``. By default both come with the
  NLI model (``nli.json`` ``thresholds``: the lowest at which the stance reaches a
  precision of 0.8 / 0.75 on the NLI training dev set; 0.7 / 0.8 for a model without
  them).

The claim's verdict: ``conflicting`` when some passage supports and another refutes (both
>= ``min_prob``), else ``supported`` / ``refuted`` from the passages that did, else
``not_enough_evidence`` (never a guess). Its confidence is that of the deciding passage.
When dated passages disagree on the figures, the latest one stands (reports revise
earlier figures); the older ones are kept as neutral evidence with ``superseded_by``. A
passage more than ``max_age_days`` (3) older than the article is not compared figure by
figure (its figures may have changed since), figures are compared only when the words
around them share a content word (``numcompare.same_context``) and, when both sentences
name days, one of them is the same (``numcompare.other_days``); the whole of a
part-of-whole figure, or a figure the claim places where the passage never goes
(``numcompare.decisive``), decides nothing; and a figure supports a claim only when it
lies inside the claim's interval. A passage whose matching figures all
disagree with the claim's never supports it on the NLI alone (old or new).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from ..document import Document
from ..errors import ClaimscopeError, check_param
from ..numcompare import best_comparison, decisive
from ..pipeline import Stage
from ..registry import stages

VERDICTS = ("supported", "refuted", "not_enough_evidence", "conflicting")
#: NLI-only stance thresholds for an NLI model whose nli.json names none
DEFAULT_THRESHOLDS = {"entailment": 0.7, "contradiction": 0.8}
STANCES = ("supports", "refutes", "neutral")


def passage_stance(probs: dict[str, float], comparisons: list[dict[str, Any]], *,
                   min_entail: float = DEFAULT_THRESHOLDS["entailment"],
                   min_contra: float = DEFAULT_THRESHOLDS["contradiction"],
                   min_related: float = 0.35, cosine: float = 1.0,
                   min_cosine: float = 0.5, stale: bool = False) -> tuple[str, float, str]:
    """(stance, confidence, basis) of one passage; basis is 'numbers' or 'nli'.

    The NLI thresholds (0.7 entailment, 0.8 contradiction) give a precision of about
    0.8 / 0.75 on the held-out training dev set; figures decide only for a passage close to
    the claim (NLI relatedness >= ``min_related`` and retrieval cosine >= ``min_cosine``)
    and not ``stale`` (an older snapshot). A passage whose matching figures all disagree
    with the claim's never supports it, whatever the NLI says (the model is weak at
    numbers: it entailed "more than 12,000 killed" from "7,028 killed").
    """
    e, n, c = probs["entailment"], probs["neutral"], probs["contradiction"]
    related = 1.0 - n
    strong = [r for r in comparisons if r["strength"] == "strong"]
    bad = [r for r in strong if r["relation"] == "inconsistent"]
    good = [r for r in strong if r["relation"] == "consistent" and r.get("contained", True)]
    # figures of another day or place than the claim's, and the wholes of part-of-whole
    # phrases ("of the 35 hospitals"), cannot decide it; they only keep the NLI from
    # supporting it (below)
    decisive_bad = [r for r in bad if decisive(r)]
    decisive_good = [r for r in good if decisive(r)]
    if (decisive_bad or decisive_good) and not stale and related >= min_related \
            and cosine >= min_cosine:
        if decisive_bad and not decisive_good:
            return "refutes", round(max(related, c), 4), "numbers"
        if decisive_good and not decisive_bad and e >= c:
            return "supports", round(max(related, e), 4), "numbers"
    if e >= min_entail and e >= c and not (bad and not good):
        return "supports", round(e, 4), "nli"
    if c >= min_contra:
        return "refutes", round(c, 4), "nli"
    return "neutral", round(n, 4), "nli"


def aggregate(evidence: list[dict[str, Any]], *, min_prob: float = 0.5) -> tuple[str, float]:
    """The claim's verdict and confidence from its passages' stances."""
    sup = [ev["confidence"] for ev in evidence if ev["stance"] == "supports"]
    ref = [ev["confidence"] for ev in evidence if ev["stance"] == "refutes"]
    s, r = max(sup, default=0.0), max(ref, default=0.0)
    if s >= min_prob and r >= min_prob:
        return "conflicting", round(min(s, r), 4)
    if s >= min_prob and s >= r:
        return "supported", round(s, 4)
    if r >= min_prob:
        return "refuted", round(r, 4)
    # probability that no passage decides the claim either way
    decided = max((max(ev["probs"]["entailment"], ev["probs"]["contradiction"])
                   for ev in evidence), default=0.0)
    return "not_enough_evidence", round(1.0 - decided, 4)


def _supersede(evidence: list[dict[str, Any]]) -> None:
    """Figures are snapshots: when dated passages disagree on the claim's figures, the
    latest one stands and the older ones become neutral (``superseded_by``: its date)."""
    numeric = [ev for ev in evidence if ev["basis"] == "numbers" and ev.get("date")]
    if len({ev["stance"] for ev in numeric}) < 2:
        return
    latest = max(ev["date"] for ev in numeric)
    keep = {ev["stance"] for ev in numeric if ev["date"] == latest}
    if len(keep) != 1:
        return
    for ev in numeric:
        if ev["stance"] not in keep:
            ev["stance"], ev["superseded_by"] = "neutral", latest


def comparison_sentence(claim: dict[str, Any], ev: dict[str, Any]) -> str | None:
    """'claim: some 300 trucks entered; source: 117 trucks entered ... (Source, date)'."""
    comps = ev.get("comparisons") or []
    if not comps:
        return None
    r = comps[0]
    cite = ", ".join(x for x in (ev.get("source"), ev.get("date")) if x)
    note = " [the wholes of part-of-whole figures: not decisive]" if r.get("total") else ""
    return (f"claim: {_context(claim['text'], r['claim'])}; "
            f"source: {_context(ev['passage'], r['source'])}" + (f" ({cite})" if cite else "")
            + note)


def _context(text: str, piece: str | None, words: int = 6) -> str:
    """The figure with a few words after it, within its clause."""
    if not piece:
        return text[:80]
    i = text.find(piece)
    if i < 0:
        return piece
    tail = text[i + len(piece):]
    cut = len(tail)
    for mark in (";", ".", ",", " - ", " – ", "(", ":"):
        j = tail.find(mark)
        if 0 <= j < cut:
            cut = j
    tail_words = tail[:cut].split()[:words]
    head = text[max(0, i - 40):i].split()
    lead = " ".join(head[-3:]) + " " if head and not text[max(0, i - 1):i].strip() else ""
    return (lead + piece + (" " + " ".join(tail_words) if tail_words else "")).strip()


@stages.register("verify")
class Verify(Stage):
    """Verdicts with calibrated confidence and the evidence that decided them."""

    name = "verify"
    requires = ("doc.claims",)
    assigns = ("doc.claims.verdict",)

    def __init__(self, *, models: str | None = None, min_prob: float = 0.5,
                 min_entail: float | None = None, min_contra: float | None = None,
                 min_related: float = 0.35, min_cosine: float = 0.2,
                 min_cosine_numbers: float = 0.5, max_age_days: int = 3,
                 max_evidence: int = 5,
                 nli: Any = None, batch_size: int = 32) -> None:
        for name, value in (("min_prob", min_prob), ("min_related", min_related),
                            ("min_cosine", min_cosine), ("min_entail", min_entail),
                            ("min_contra", min_contra),
                            ("min_cosine_numbers", min_cosine_numbers)):
            if value is None and name in ("min_entail", "min_contra"):
                continue  # the NLI model's own thresholds (nli.json)
            check_param("Verify", name, value,
                        isinstance(value, (int, float)) and 0 <= value <= 1,
                        "a float in the range [0.0, 1.0]")
        self.models = models
        self.min_prob = min_prob
        self.min_entail = min_entail
        self.min_contra = min_contra
        self.min_cosine_numbers = min_cosine_numbers
        self.max_age_days = max_age_days
        self.min_related = min_related
        self.min_cosine = min_cosine
        self.max_evidence = max_evidence
        self.nli = nli
        self.batch_size = batch_size

    @property
    def model(self) -> Any:
        if self.nli is None:
            from ..models.nli import nli_model

            self.nli = nli_model(self.models)
        return self.nli

    def thresholds(self) -> dict[str, float]:
        """NLI-only stance thresholds: the parameters, else the NLI model's own, else
        ``DEFAULT_THRESHOLDS``."""
        own = getattr(self.model, "thresholds", None)
        out = {**DEFAULT_THRESHOLDS, **(own() if callable(own) else {})}
        for label, value in (("entailment", self.min_entail), ("contradiction", self.min_contra)):
            if value is not None:
                out[label] = float(value)
        return out

    def report_info(self) -> dict[str, Any]:
        try:
            describe = getattr(self.model, "describe", None)
            info = describe() if callable(describe) else {}
        except ClaimscopeError:  # model missing: the stage already recorded the error
            info = {}
        out = {"nli_model": info.get("name"), "nli_sha256": info.get("sha256")}
        if info:
            out["nli_thresholds"] = self.thresholds()
        return {"corpus": out}

    def predict(self, docs: list[Document]) -> list[np.ndarray]:
        """NLI probabilities for every (candidate passage, claim) pair of the batch."""
        pairs = [(cand["passage"], c["text"]) for d in docs
                 for c in d.fields.get("claims", []) for cand in self._candidates(c)]
        probs = self.model.predict_proba(pairs) if pairs else np.zeros((0, 3), np.float32)
        out, i = [], 0
        for d in docs:
            n = sum(len(self._candidates(c)) for c in d.fields.get("claims", []))
            out.append(probs[i:i + n])
            i += n
        return out

    def _stale(self, ref: _dt.date | None, cand: dict[str, Any]) -> bool:
        """Is the passage dated more than ``max_age_days`` before ``ref`` (the article's
        date or as_of)?"""
        from .retrieve import _date

        when = _date(cand.get("date"))
        return bool(ref and when and (ref - when).days > self.max_age_days)

    def _candidates(self, claim: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in claim.get("candidates", [])
                if c.get("cosine", 1.0) >= self.min_cosine][: self.max_evidence]

    def set_annotations(self, docs: list[Document], preds: list[np.ndarray]) -> None:
        from ..quantities import extract_quantities
        from .retrieve import _date

        labels = list(getattr(self.model, "labels", ["entailment", "neutral", "contradiction"]))
        limits = self.thresholds()
        for doc, probs in zip(docs, preds):
            # the article's date: how old a passage is, and which day "on Wednesday" is
            ref = _date(doc.meta.get("published")) or _date(doc.fields.get("claims_as_of"))
            i = 0
            for claim in doc.fields.get("claims", []):
                evidence = []
                for cand in self._candidates(claim):
                    p = {lab: round(float(v), 4) for lab, v in zip(labels, probs[i])}
                    i += 1
                    # figures change over time: a passage dated after the article is not
                    # compared number by number (NLI still reads it)
                    comps = best_comparison(claim["quantities"],
                                            extract_quantities(cand["passage"]),
                                            claim_text=claim["text"],
                                            claim_offset=claim["span"]["start"],
                                            source_text=cand["passage"],
                                            claim_ref=ref, source_ref=_date(cand.get("date"))) \
                        if claim["quantities"] and not cand.get("after_article") else []
                    # an older snapshot's figures may have changed since: they cannot
                    # refute, and (as for any passage) figures that disagree cannot support
                    stale = bool(comps) and self._stale(ref, cand)
                    stance, conf, basis = passage_stance(
                        p, comps, min_entail=limits["entailment"],
                        min_contra=limits["contradiction"],
                        min_related=self.min_related, cosine=cand.get("cosine", 1.0),
                        min_cosine=self.min_cosine_numbers, stale=stale)
                    if stale:
                        comps = []
                    comps = [r for r in comps
                             if not (r.get("other_day") or r.get("other_scope"))]
                    ev = {k: cand.get(k) for k in ("passage", "passage_id", "source", "title",
                                                   "url", "date", "publisher", "offsets",
                                                   "score", "cosine", "after_article")}
                    ev.update(stance=stance, confidence=conf, basis=basis, probs=p,
                              comparisons=comps)
                    evidence.append(ev)
                _supersede(evidence)
                verdict, confidence = aggregate(evidence, min_prob=self.min_prob)
                order = {"supported": ("supports",), "refuted": ("refutes",),
                         "conflicting": ("supports", "refutes")}.get(verdict, ())
                evidence.sort(key=lambda ev: (ev["stance"] not in order, -ev["confidence"]
                                              if ev["stance"] in order else -ev["score"]))
                decisive = [ev for ev in evidence if ev["stance"] in order]
                claim.pop("candidates", None)
                claim["verdict"] = verdict
                claim["confidence"] = confidence
                claim["evidence"] = evidence
                claim["comparison"] = next(
                    (s for ev in (decisive or evidence)
                     if (s := comparison_sentence(claim, ev))), None)
