"""Does a passage speak to a claim? A small learned model over explicit anchors.

A verdict needs a passage about the same thing as the claim: the same event or state,
the same actors or places, a compatible time. Retrieval cosine alone does not say that
(two passages about a conflict are always "close"), and an NLI model trained on
SNLI-style pairs calls two different events a contradiction. The relevance model is a
logistic regression over features a reader can check:

- ``cosine``: the retrieval embedding's cosine;
- ``related``: 1 - the NLI model's p(neutral);
- ``coverage`` / ``idf_coverage``: the share of the claim's content words (4-letter
  stems) in the passage, plain and weighted by rarity in the corpus;
- ``names`` / ``names_missing``: the share of the claim's names (capitalised words
  inside a sentence, "Joering", "Westerville", "Shifa") in the passage, and how many
  are missing;
- ``figure_counted`` / ``figure_value``: for a claim with figures, whether the passage
  has a figure of the same counted thing in the same context, and one of the same value;
- ``figure_size``: how telling a matching figure is (log10 of the claim's largest figure,
  over 6: "one woman" matches many passages, "2,814 Palestinians" few);
- ``has_figure``, ``entailment``, ``contradiction``.

Its weights and the thresholds that use it ship in ``relevance.json`` (the training data,
the held-out data each threshold was chosen on, and the precision it gave), written by
``training/train_relevance.py``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import Errors, ModelError
from .text import CONTENT_STOP_WORDS, CONTENT_WORD_RE, ends_sentence, stem4

__all__ = ["FEATURES", "content_stems", "names", "features", "RelevanceModel",
           "relevance_model"]

FEATURES = ("cosine", "related", "coverage", "idf_coverage", "names", "names_missing",
            "has_figure", "figure_counted", "figure_value", "figure_size", "entailment",
            "contradiction")

#: capitalised words that are not names (sentence starts and frequent title words)
_NOT_NAMES = frozenset("""The A An In On At Of For And But Or If As By To From With Since
After Before During While When Where Who What Which This That These Those It Its He She They
We I You Our Their His Her Mr Mrs Ms Dr Prof Gen Monday Tuesday Wednesday Thursday Friday
Saturday Sunday January February March April May June July August September October November
December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec According Some Most Many More
There Here Also However Meanwhile Today Yesterday Breaking Update Live Watch Read Video""".split())


def content_stems(text: str) -> list[str]:
    """4-letter stems of the lower-case content words of ``text``, in order, once each."""
    seen: list[str] = []
    for w in CONTENT_WORD_RE.findall(text):
        lw = w.lower()
        if len(lw) < 4 or lw in CONTENT_STOP_WORDS:
            continue
        stem = stem4(lw)
        if stem not in seen:
            seen.append(stem)
    return seen


def names(text: str) -> list[str]:
    """Capitalised words inside a sentence, lower-cased, once each ("Edward Snowden" ->
    ["edward", "snowden"]); words after a sentence end, in all-caps runs, or common
    title words are skipped."""
    out: list[str] = []
    prev_end = True
    for m in re.finditer(r"\S+", text):
        raw = m.group(0)
        word = re.sub(r"^[\W_]+|[\W_]+$", "", raw)
        if word and word[0].isupper() and not prev_end and word not in _NOT_NAMES \
                and not word.isupper() and len(word) > 1 and not any(c.isdigit() for c in word):
            for part in re.split(r"[-'’]", word):
                if len(part) > 2 and part.lower() not in out:
                    out.append(part.lower())
        prev_end = ends_sentence(raw)
    return out


def _stems_of(text: str) -> set[str]:
    # a word of four letters or fewer stays whole even where lower-casing lengthens it
    # ("İran" has five characters lower-cased), as the model's thresholds were set on it
    return {stem4(w) if len(w) > 4 else w.lower() for w in CONTENT_WORD_RE.findall(text)}


def features(claim: str, passage: str, *, cosine: float, probs: dict[str, float],
             has_figure: bool, figure_counted: bool, figure_value: bool,
             figure_size: float = 0.0,
             idf: Callable[[str], float] | None = None) -> dict[str, float]:
    """The relevance features of one (claim, passage) pair (see the module docstring)."""
    stems = content_stems(claim)
    have = _stems_of(passage)
    hits = [s for s in stems if s in have]
    coverage = len(hits) / len(stems) if stems else 0.0
    if idf is not None and stems:
        weights = {s: idf(s) for s in stems}
        total = sum(weights.values())
        idf_coverage = sum(weights[s] for s in hits) / total if total else 0.0
    else:
        idf_coverage = coverage
    claim_names = names(claim)
    low = passage.lower()
    missing = [n for n in claim_names if n not in low]
    return {"cosine": float(cosine), "related": 1.0 - float(probs["neutral"]),
            "coverage": coverage, "idf_coverage": idf_coverage,
            "names": 1.0 - len(missing) / len(claim_names) if claim_names else 1.0,
            "names_missing": float(min(len(missing), 3)),
            "has_figure": float(has_figure), "figure_counted": float(figure_counted),
            "figure_value": float(figure_value),
            "figure_size": min(max(math.log10(figure_size + 1.0) / 6.0, 0.0), 1.0)
            if has_figure else 0.0,
            "entailment": float(probs["entailment"]),
            "contradiction": float(probs["contradiction"])}


class RelevanceModel:
    """p(the passage speaks to the claim) from :func:`features`; loads on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest_: dict[str, Any] | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        if self.manifest_ is None:
            try:
                m = json.loads(self.path.read_text(encoding="utf-8"))
                assert tuple(m["features"]) == FEATURES, "feature list differs"
                self._mean = np.asarray(m["mean"], dtype=np.float64)
                self._scale = np.asarray(m["scale"], dtype=np.float64)
                self._coef = np.asarray(m["coef"], dtype=np.float64)
                self._bias = float(m["intercept"])
            except (OSError, ValueError, KeyError, AssertionError) as exc:
                raise ModelError(Errors.E005.format(path=self.path, detail=exc)) from exc
            self.manifest_ = m
        return self.manifest_

    @property
    def thresholds(self) -> dict[str, float]:
        return {k: float(v["value"] if isinstance(v, dict) else v)
                for k, v in self.manifest.get("thresholds", {}).items()}

    def describe(self) -> dict[str, Any]:
        import hashlib

        m = self.manifest
        return {"name": m.get("name"), "thresholds": self.thresholds,
                "sha256": hashlib.sha256(self.path.read_bytes()).hexdigest()}

    def predict(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """p(relevant) for each feature dict."""
        _ = self.manifest
        if not rows:
            return np.zeros(0)
        x = np.array([[r[f] for f in FEATURES] for r in rows], dtype=np.float64)
        z = ((x - self._mean) / self._scale) @ self._coef + self._bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def relevance_model(data_dir: str | Path | None = None) -> RelevanceModel:
    """The shipped relevance model (``relevance.json`` in the model folder)."""
    from .models import model_dir

    return _model(model_dir(data_dir))


@lru_cache(maxsize=4)
def _model(folder: Path) -> RelevanceModel:
    return RelevanceModel(folder / "relevance.json")


def idf_weight(df: int, n: int) -> float:
    """Smoothed inverse document frequency of a term in ``df`` of ``n`` passages."""
    return math.log((n + 1) / (df + 0.5))
