"""Small stand-ins for the retrieval encoder and the NLI model, for fast tests."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from claimscope import registry
from claimscope.pipeline import Stage


class HashEncoder:
    """Bag of words hashed into 384 dims, L2-normalised: similar words, similar vectors."""

    name = "test-hash-encoder"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z0-9]+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 384] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(n, 1e-9, None)


class KeywordNLI:
    """Entailment when every content word of the claim is in the passage, else neutral;
    contradiction when the passage contains 'not' next to a claim word."""

    labels = ["entailment", "neutral", "contradiction"]

    def describe(self) -> dict:
        return {"name": "keyword-nli", "sha256": "0" * 64}

    def predict_proba(self, pairs):
        out = []
        for premise, hyp in pairs:
            p = set(re.findall(r"[a-z]+", premise.lower()))
            h = [w for w in re.findall(r"[a-z]+", hyp.lower()) if len(w) > 3]
            share = sum(w in p for w in h) / max(1, len(h))
            if "denied" in p and share > 0.5:
                out.append([0.05, 0.15, 0.8])
            elif share >= 0.99:
                out.append([0.9, 0.08, 0.02])
            elif share >= 0.5:
                out.append([0.3, 0.4, 0.3])
            else:
                out.append([0.02, 0.96, 0.02])
        return np.array(out, dtype=np.float32)


class CoverageRelevance:
    """Relevance = the share of the claim's content words in the passage (a stand-in for
    the learned relevance model): 0.9 and above passes the default gate of 0.5."""

    thresholds = {"relevance": 0.5, "relevance_numbers": 0.5, "entailment": 0.8,
                  "contradiction": 0.9}

    def describe(self) -> dict:
        return {"name": "coverage-relevance", "thresholds": self.thresholds}

    def predict(self, rows):
        return np.array([r["coverage"] for r in rows], dtype=np.float64)


@registry.stages.register("test_checkworthy")
class AllCheckworthy(Stage):
    """Marks every sentence check-worthy (0.9), standing in for the model head."""

    name = "test_checkworthy"
    requires = ("spans.sentences",)
    assigns = ("sentences.checkworthiness",)

    def __call__(self, doc):
        for s in doc.sentences:
            s.attrs["checkworthiness"] = 0.9
        return doc
