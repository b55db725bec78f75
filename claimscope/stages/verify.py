"""A verdict for every claim from the passages ``retrieve`` found, or an abstention.

A verdict needs a passage that speaks to the claim. For each (passage, claim) pair:

1. **Relevance.** The NLI cross-encoder gives p(entailment, neutral, contradiction); a
   small learned model (:mod:`claimscope.relevance`) reads those with the retrieval
   cosine and explicit anchors (the claim's content words and names found in the
   passage, a figure of the same counted thing) and gives p(the passage speaks to the
   claim). Below ``min_relevance`` the passage decides nothing, whatever the NLI says.
2. **Figures** (:func:`claimscope.numcompare.best_comparison`). A claim's figure is
   compared only with a source figure of the same counted thing, in the same context,
   for the same measure (need, allowance, delivery; a rate or a total), the same place
   or thing and the same day or period (``period``). A figure that agrees supports the
   claim when the source is of the same period, a nearby earlier day or the claim is
   undated; one that disagrees refutes it only for the same period, and a running total
   only when it is off by more than ``total_tolerance`` (totals of one day from two
   sources differ by the hour they were taken).
3. **NLI alone** decides only claims without figures: ``supports`` when p(entailment)
   >= ``min_entail`` and the passage is relevant; ``refutes`` only when
   ``nli_refutes`` is on (off by default: on conflict reporting, two different events
   look like a contradiction to an NLI model) and p(contradiction) >= ``min_contra``. A
   claim with figures is decided by its figures, never by the NLI alone.

The claim's verdict: ``conflicting`` when one passage supports and another refutes,
else ``supported`` / ``refuted``, else ``not_enough_evidence`` with the best passage
found and why nothing decided (``reason``). Thresholds come with the relevance model
(``relevance.json``: where each was chosen and the precision it gave); parameters
override them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from ..dates import to_date
from ..document import Document
from ..errors import ClaimscopeError, check_param
from ..numcompare import best_comparison, day_for_total, decisive
from ..pipeline import Stage
from ..registry import stages

VERDICTS = ("supported", "refuted", "not_enough_evidence", "conflicting")
STANCES = ("supports", "refutes", "neutral")
#: why a passage decided nothing (``evidence[i]["reason"]``)
REASONS = ("off_topic", "other_period", "other_measure", "other_place", "figures_differ",
           "total_tolerance", "no_figure", "nli_uncertain", "figures_disagree", "stale",
           "after_article", "partial")
#: thresholds for a relevance model that names none
DEFAULT_THRESHOLDS = {"relevance": 0.5, "relevance_numbers": 0.5, "entailment": 0.8,
                      "contradiction": 0.9}


def passage_stance(probs: dict[str, float], comparisons: list[dict[str, Any]], *,
                   relevance: float = 1.0, has_figures: bool | None = None,
                   thresholds: dict[str, float] | None = None,
                   nli_refutes: bool = False, total_tolerance: float = 0.10,
                   stale: bool = False) -> tuple[str, float, str, str | None]:
    """(stance, confidence, basis, reason) of one passage.

    ``basis`` is ``numbers`` or ``nli``; ``reason`` says why a neutral passage decided
    nothing (None when it decided). ``has_figures`` says whether the claim has figures
    (default: whether any comparison was made).
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    e, c = probs["entailment"], probs["contradiction"]
    if has_figures is None:
        has_figures = bool(comparisons)
    # "loose" matches ("people" for "Palestinians") and "weak" ones (one side names no
    # counted noun) may support with the very same figure; only "strong" ones refute
    strong = [r for r in comparisons if r["strength"] in ("strong", "loose")
              or (r["strength"] == "weak" and r["relation"] == "consistent"
                  and r.get("distance", 1.0) == 0.0 and r.get("claim_interval")
                  == r.get("source_interval"))]
    bad = [r for r in strong if r["relation"] == "inconsistent" and r["strength"] == "strong"]
    good = [r for r in strong if r["relation"] == "consistent" and r.get("contained", True)]
    if has_figures:
        if relevance < t["relevance_numbers"]:
            return "neutral", round(1 - relevance, 4), "numbers", "off_topic"
        if not strong:
            return "neutral", round(relevance, 4), "numbers", "no_figure"
        # an undated claim is borne out by any day's figure only for a running total: a
        # figure of one event ("six people were killed in the strike") could be any day's
        kept_good = [r for r in good if decisive(r)
                     and r.get("period", "same") in ("same", "previous", "near", "undated")
                     and (r.get("period") != "undated" or r.get("claim_cumulative", True))]
        # a running total ("1,100 trucks have entered since 21 October") is not refuted by
        # one day's count ("one truck entered on 17 November"): they measure different things
        kept_bad = [r for r in bad if decisive(r) and r.get("period", "same") == "same"
                    and not stale and not (r.get("cumulative")
                                           and r.get("distance", 1.0) <= total_tolerance)
                    and not day_for_total(r)]
        # one figure of the claim that the source contradicts for the same day makes the
        # claim false, whatever its other figures
        if kept_bad:
            return "refutes", round(relevance, 4), "numbers", None
        # a passage supports only when each of the claim's figures it gives is borne out:
        # one it contradicts, or one it does not bear out, and it supports none of them
        if kept_good and all(r in good for r in strong if decisive(r)):
            return "supports", round(relevance, 4), "numbers", None
        return "neutral", round(relevance, 4), "numbers", _why_not(strong, stale,
                                                                    total_tolerance)
    if relevance < t["relevance"]:
        return "neutral", round(1 - relevance, 4), "nli", "off_topic"
    if e >= t["entailment"] and e >= c:
        return "supports", round(min(e, relevance), 4), "nli", None
    if nli_refutes and c >= t["contradiction"]:
        return "refutes", round(min(c, relevance), 4), "nli", None
    return "neutral", round(probs["neutral"], 4), "nli", "nli_uncertain"


def _why_not(strong: list[dict[str, Any]], stale: bool, tolerance: float) -> str:
    """The first reason, in order of how a reader would check, that figures did not decide."""
    r = strong[0]
    if r.get("other_day") or r.get("period") in ("other", "unknown"):
        return "other_period"
    if r.get("other_measure"):
        return "other_measure"
    if r.get("other_scope") or r.get("total"):
        return "other_place"
    if stale:
        return "stale"
    if r.get("cumulative") and r.get("distance", 1.0) <= tolerance:
        return "total_tolerance"
    if any(x["relation"] == "consistent" for x in strong) and \
            any(x["relation"] == "inconsistent" for x in strong):
        return "figures_disagree"
    return "figures_differ"


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
    # probability that no passage speaks to the claim
    best = max((ev.get("relevance", 0.0) for ev in evidence), default=0.0)
    return "not_enough_evidence", round(1.0 - best, 4)


def _supersede(evidence: list[dict[str, Any]]) -> None:
    """Figures are snapshots: when dated passages of the claim's period disagree on the
    claim's figures, the latest one stands and the older ones become neutral
    (``superseded_by``: its date)."""
    numeric = [ev for ev in evidence if ev["basis"] == "numbers" and ev.get("date")
               and ev["stance"] in ("supports", "refutes")]
    if len({ev["stance"] for ev in numeric}) < 2:
        return
    latest = max(ev["date"] for ev in numeric)
    keep = {ev["stance"] for ev in numeric if ev["date"] == latest}
    if len(keep) != 1:
        return
    for ev in numeric:
        if ev["stance"] not in keep:
            ev["stance"], ev["superseded_by"], ev["reason"] = "neutral", latest, "other_period"


def _same_period_first(evidence: list[dict[str, Any]]) -> None:
    """A passage that gives the claim's figure for the claim's own day or period outranks
    every other date: when one does (whether or not it agrees), passages of nearby days
    support nothing for that figure."""
    own = {r["claim"] for ev in evidence for r in ev.get("_all", ())
           if r.get("period") == "same" and decisive(r) and not day_for_total(r)}
    for ev in evidence:
        if ev["stance"] == "supports" and ev["basis"] == "numbers" and any(
                r.get("period") in ("near", "previous") and r["claim"] in own
                for r in ev["comparisons"]):
            ev["stance"], ev["reason"] = "neutral", "other_period"


def _all_figures(claim: dict[str, Any], evidence: list[dict[str, Any]]) -> None:
    """A claim is supported only when every one of its figures is (for an undated claim, by
    one passage: its figures must hold on one day); otherwise the supporting passages
    become neutral (``reason`` ``partial``)."""
    wanted = {q["text"] for q in claim.get("quantities", [])}

    def backed(ev: dict[str, Any]) -> set[str]:
        return {r["claim"] for r in ev["comparisons"] if r["relation"] == "consistent"
                and r.get("contained", True)}

    supporting = [ev for ev in evidence if ev["stance"] == "supports"]
    undated = any(r.get("period") == "undated" for ev in supporting for r in ev["comparisons"])
    # an undated claim's figures must hold together, on one day: in one passage
    if (any(wanted <= backed(ev) for ev in supporting) if undated
            else wanted <= set().union(*map(backed, supporting))):
        return
    for ev in evidence:
        if ev["stance"] == "supports":
            ev["stance"], ev["reason"] = "neutral", "partial"


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


def highlights(passage: str, comparisons: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Character spans of the passage's figures that decided (for the report to mark)."""
    out = []
    for r in comparisons:
        src = r.get("source")
        i = passage.find(src) if src else -1
        if i >= 0:
            out.append({"start": i, "end": i + len(src)})
    return out


@stages.register("verify")
class Verify(Stage):
    """Verdicts with calibrated confidence and the evidence that decided them."""

    name = "verify"
    requires = ("fields.claims", "tensors.claim_candidates")
    assigns = ("fields.claims.verdict",)

    def __init__(self, *, models: str | None = None, min_prob: float = 0.5,
                 min_entail: float | None = None, min_contra: float | None = None,
                 min_relevance: float | None = None,
                 min_relevance_numbers: float | None = None,
                 min_cosine: float = 0.2, nli_refutes: bool = False,
                 total_tolerance: float = 0.10, max_age_days: int = 3,
                 max_evidence: int = 5, nli: Any = None, relevance: Any = None,
                 batch_size: int = 32) -> None:
        for name, value in (("min_prob", min_prob), ("min_cosine", min_cosine),
                            ("min_entail", min_entail), ("min_contra", min_contra),
                            ("min_relevance", min_relevance),
                            ("min_relevance_numbers", min_relevance_numbers),
                            ("total_tolerance", total_tolerance)):
            if value is None:
                continue  # the relevance model's own thresholds (relevance.json)
            check_param("Verify", name, value,
                        isinstance(value, (int, float)) and 0 <= value <= 1,
                        "a float in the range [0.0, 1.0]")
        check_param("Verify", "max_age_days", max_age_days,
                    isinstance(max_age_days, int) and max_age_days >= 0, "an int >= 0")
        self.models = models
        self.min_prob = min_prob
        self.min_entail = min_entail
        self.min_contra = min_contra
        self.min_relevance = min_relevance
        self.min_relevance_numbers = min_relevance_numbers
        self.min_cosine = min_cosine
        self.nli_refutes = nli_refutes
        self.total_tolerance = total_tolerance
        self.max_age_days = max_age_days
        self.max_evidence = max_evidence
        self.nli = nli
        self.relevance = relevance
        self.batch_size = batch_size

    @property
    def model(self) -> Any:
        if self.nli is None:
            from ..models.nli import nli_model

            self.nli = nli_model(self.models)
        return self.nli

    @property
    def relevance_model(self) -> Any:
        if self.relevance is None:
            from ..relevance import relevance_model

            self.relevance = relevance_model(self.models)
        return self.relevance

    def thresholds(self) -> dict[str, float]:
        """The thresholds in force: the parameters, else the relevance model's own, else
        ``DEFAULT_THRESHOLDS``."""
        own = getattr(self.relevance_model, "thresholds", None)
        out = {**DEFAULT_THRESHOLDS, **(own if isinstance(own, dict) else {})}
        for label, value in (("entailment", self.min_entail),
                             ("contradiction", self.min_contra),
                             ("relevance", self.min_relevance),
                             ("relevance_numbers", self.min_relevance_numbers)):
            if value is not None:
                out[label] = float(value)
        return out

    def report_info(self) -> dict[str, Any]:
        try:
            describe = getattr(self.model, "describe", None)
            info = describe() if callable(describe) else {}
            rel = getattr(self.relevance_model, "describe", None)
            rel_info = rel() if callable(rel) else {}
        except ClaimscopeError:  # model missing: the stage already recorded the error
            info, rel_info = {}, {}
        out = {"nli_model": info.get("name"), "nli_sha256": info.get("sha256")}
        if info:
            limits = self.thresholds()
            out["nli_thresholds"] = {k: limits[k] for k in ("entailment", "contradiction")}
            out["thresholds"] = limits
            out["relevance_model"] = rel_info.get("name")
            out["relevance_sha256"] = rel_info.get("sha256")
            out["nli_refutes"] = self.nli_refutes
        return {"corpus": out}

    # model work ---------------------------------------------------------------------
    def _candidates(self, cands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [c for c in cands if c.get("cosine", 1.0) >= self.min_cosine][: self.max_evidence]

    def predict(self, docs: list[Document]) -> list[list[dict[str, Any]]]:
        """Per document, the checked claims (new dicts: the stage's input is not changed)."""
        work = []  # (doc index, claim, candidates)
        for di, d in enumerate(docs):
            found = d.tensors.get("claim_candidates") or []
            for ci, claim in enumerate(d.fields.get("claims", [])):
                cands = self._candidates(found[ci] if ci < len(found) else [])
                work.append((di, claim, cands))
        pairs = [(cand["passage"], claim.get("query") or claim["text"])
                 for _, claim, cands in work for cand in cands]
        probs = self.model.predict_proba(pairs) if pairs else np.zeros((0, 3), np.float32)
        labels = list(getattr(self.model, "labels", ["entailment", "neutral", "contradiction"]))
        out: list[list[dict[str, Any]]] = [[] for _ in docs]
        i = 0
        for di, claim, cands in work:
            n = len(cands)
            out[di].append(self._check(docs[di], claim, cands, probs[i:i + n], labels))
            i += n
        return out

    def pair_rows(self, doc: Document, claim: dict[str, Any], cands: list[dict[str, Any]],
                  probs: np.ndarray, labels: list[str]
                  ) -> list[tuple[dict[str, Any], dict[str, float], list[dict[str, Any]],
                                  dict[str, float]]]:
        """Per candidate passage: (passage, NLI probabilities, figure comparisons,
        relevance features). The relevance model is trained on exactly these rows."""
        from ..quantities import extract_quantities
        from ..relevance import features

        ref = to_date((doc.fields.get("claims_date") or {}).get("date"))
        sentence = doc.text[claim["sentence"]["start"]:claim["sentence"]["end"]]
        has_figures = bool(claim.get("quantities"))
        size = max((abs(q.get("low") or q.get("high") or 0.0)
                    for q in claim.get("quantities", [])), default=0.0)
        out = []
        for cand, p_row in zip(cands, probs):
            p = {lab: round(float(v), 4) for lab, v in zip(labels, p_row)}
            when = to_date(cand.get("date"))
            comps = best_comparison(
                claim.get("quantities", []), extract_quantities(cand["passage"]),
                claim_text=claim["text"], claim_offset=claim["span"]["start"],
                source_text=cand["passage"], claim_ref=ref, source_ref=when,
                claim_sentence=sentence, near_days=self.max_age_days,
                source_context=cand.get("context")) \
                if has_figures and not cand.get("after_article") else []
            counted = any(r["strength"] in ("strong", "loose") for r in comps)
            value = any(r["strength"] in ("strong", "loose") and r["relation"] == "consistent"
                        and r.get("contained", True) for r in comps)
            row = features(claim.get("query") or claim["text"], cand["passage"],
                           cosine=cand.get("cosine", 0.0), probs=p, has_figure=has_figures,
                           figure_counted=counted, figure_value=value, figure_size=size)
            out.append((cand, p, comps, row))
        return out

    def _check(self, doc: Document, claim: dict[str, Any], cands: list[dict[str, Any]],
               probs: np.ndarray, labels: list[str]) -> dict[str, Any]:
        ref = to_date((doc.fields.get("claims_date") or {}).get("date"))
        has_figures = bool(claim.get("quantities"))
        limits = self.thresholds()
        staged = self.pair_rows(doc, claim, cands, probs, labels)
        rows = [row for *_, row in staged]
        relevance = self.relevance_model.predict(rows) if rows else np.zeros(0)
        evidence = []
        for (cand, p, comps, _row), rel in zip(staged, relevance):
            stance, conf, basis, reason = passage_stance(
                p, comps, relevance=float(rel), has_figures=has_figures, thresholds=limits,
                nli_refutes=self.nli_refutes, total_tolerance=self.total_tolerance)
            if has_figures and cand.get("after_article") and reason is None:
                stance, reason = "neutral", "after_article"
            shown = [r for r in comps if decisive(r) and r.get("period") not in ("other",)]
            ev = {k: cand.get(k) for k in ("passage", "passage_id", "source", "title", "url",
                                           "date", "publisher", "offsets", "score", "cosine",
                                           "after_article")}
            ev.update(stance=stance, confidence=conf, basis=basis, probs=p,
                      relevance=round(float(rel), 4), comparisons=shown,
                      highlights=highlights(cand["passage"], shown) if stance != "neutral"
                      else [])
            if reason:
                ev["reason"] = reason
            ev["_all"] = comps
            evidence.append(ev)
        _supersede(evidence)
        if has_figures:
            _same_period_first(evidence)
            _all_figures(claim, evidence)
        for ev in evidence:
            del ev["_all"]
        verdict, confidence = aggregate(evidence, min_prob=self.min_prob)
        order = {"supported": ("supports",), "refuted": ("refutes",),
                 "conflicting": ("supports", "refutes")}.get(verdict, ())
        evidence.sort(key=lambda ev: (ev["stance"] not in order, -ev["confidence"]
                                      if ev["stance"] in order else -ev["relevance"]))
        deciding = [ev for ev in evidence if ev["stance"] in order]
        out = {k: v for k, v in claim.items() if k != "candidates"}
        out.update(verdict=verdict, confidence=confidence, evidence=evidence,
                   comparison=next((s for ev in (deciding or evidence)
                                    if (s := comparison_sentence(claim, ev))), None),
                   checked_for=_checked_for(doc, ref))
        if verdict == "not_enough_evidence":
            best = evidence[0] if evidence else None
            out["abstained"] = best.get("reason", "no_passage") if best else "no_passage"
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[dict[str, Any]]]) -> None:
        for doc, claims in zip(docs, preds):
            doc.fields["claims"] = claims


def _checked_for(doc: Document, ref: _dt.date | None) -> dict[str, Any]:
    """The period a claim was checked for: the date and where it came from."""
    info = doc.fields.get("claims_date") or {}
    return {"date": ref.isoformat() if ref else None, "basis": info.get("basis")}
