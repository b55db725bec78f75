"""Find passages of the user's reference corpus that speak to each claim of an article.

A *claim* is a sentence with check-worthiness >= ``threshold`` or with a figure (a count,
percent, money amount or measure). For each, hybrid retrieval over the corpus: BM25 from
the FTS5 index (the query is built from the claim's words only, so nothing in an article
can inject FTS5 syntax) and dense cosine over all-MiniLM-L6-v2 vectors, fused by
reciprocal rank fusion. When the article has a publication date (or ``as_of`` is given),
passages dated after it are demoted (``after="demote"``), dropped (``"exclude"``) or
left alone (``"ignore"``); among earlier ones, closer dates rank higher (a weight
``1 / (1 + days / recency_days)``), and a text repeated in several sources is shown once.

Writes ``doc.fields["claims"]``: one entry per claim with its ``candidates`` (the top-k
passages); the ``verify`` stage turns them into verdicts.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..document import Document, Span
from ..errors import ClaimscopeError, Warnings, check_param
from ..numcompare import NUMERIC_KINDS
from ..pipeline import Stage
from ..registry import stages

AFTER_MODES = ("demote", "exclude", "ignore")
#: a dateline such as "JERUSALEM/CAIRO, Nov 18 (Sample Wire) - " is not part of a claim
_DATELINE = re.compile(r"^[A-Z][A-Z/ .'-]{2,60},[^-–—\n]{0,40}?\s[-–—]{1,2}\s")


def _date(value: Any) -> _dt.date | None:
    from ..corpus.ingest import iso_date

    iso = iso_date(value)
    try:
        return _dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def claim_span(doc: Document, sent: Span) -> tuple[int, int]:
    """The sentence without a leading dateline."""
    m = _DATELINE.match(sent.text)
    return (sent.start + m.end(), sent.end) if m else (sent.start, sent.end)


def select_claims(doc: Document, threshold: float = 0.5) -> list[dict[str, Any]]:
    """Check-worthy or numeric sentences as claim dicts (no evidence yet)."""
    quantities = doc.spans["quantities"] if "quantities" in doc.spans else []
    out = []
    for sent in doc.sentences:
        qs = [q for q in quantities if sent.start <= q.start and q.end <= sent.end]
        numeric = [q for q in qs if q.attrs.get("kind") in NUMERIC_KINDS]
        cw = sent.attrs.get("checkworthiness")
        if not numeric and (cw is None or cw < threshold):
            continue
        start, end = claim_span(doc, sent)
        out.append({
            "sentence": {"start": sent.start, "end": sent.end},
            "span": {"start": start, "end": end},
            "text": doc.text[start:end],
            "checkworthiness": cw,
            "quantities": [{"start": q.start, "end": q.end, "text": q.text, **q.attrs}
                           for q in numeric],
        })
    return out


@stages.register("retrieve")
class Retrieve(Stage):
    """Top-k passages of a reference corpus for every claim (hybrid BM25 + dense, RRF)."""

    name = "retrieve"
    requires = ("doc.sentences", "sentences.checkworthiness", "doc.quantities")
    assigns = ("doc.claims",)

    def __init__(self, db: Any = None, *, k: int = 5, candidates: int = 50,
                 threshold: float = 0.5, after: str = "demote", as_of: str | None = None,
                 rrf_k: int = 60, recency_days: float = 30.0, max_claims: int = 200,
                 encoder: Any = None) -> None:
        check_param("Retrieve", "db", db, db is not None,
                    "a corpus path (str or Path) or a CorpusStore")
        check_param("Retrieve", "k", k, isinstance(k, int) and k >= 1, "an int >= 1")
        check_param("Retrieve", "candidates", candidates,
                    isinstance(candidates, int) and candidates >= k, f"an int >= k ({k})")
        check_param("Retrieve", "threshold", threshold,
                    isinstance(threshold, (int, float)) and 0 <= threshold <= 1,
                    "a float in the range [0.0, 1.0]")
        check_param("Retrieve", "after", after, after in AFTER_MODES,
                    f"one of {', '.join(AFTER_MODES)}")
        check_param("Retrieve", "as_of", as_of, as_of is None or _date(as_of) is not None,
                    "None or a date such as 2023-11-18")
        self.db = db
        self.k = k
        self.candidates = candidates
        self.threshold = threshold
        self.after = after
        self.as_of = as_of
        self.rrf_k = rrf_k
        self.recency_days = recency_days
        self.max_claims = max_claims
        self.encoder = encoder
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from ..corpus import CorpusStore

            self._store = self.db if isinstance(self.db, CorpusStore) else \
                CorpusStore(self.db, encoder=self.encoder)
        return self._store

    def report_info(self) -> dict[str, Any]:
        """The ``generator.corpus`` block of a report: which corpus, which content."""
        try:
            return {"corpus": self.store.stats()}
        except ClaimscopeError:  # no readable corpus: the stage already recorded the error
            return {"corpus": {"db": Path(str(getattr(self.db, "path", self.db))).name}}

    # model work ---------------------------------------------------------------------
    def predict(self, docs: list[Document]) -> list[list[dict[str, Any]]]:
        claims = [select_claims(d, self.threshold)[: self.max_claims] for d in docs]
        flat = [c for cs in claims for c in cs]
        if not flat or self.store.count() == 0:
            return claims
        if self.encoder is None:
            from ..corpus.embed import default_encoder

            self.encoder = default_encoder()
        vecs = self.encoder.embed([c["text"] for c in flat])
        i = 0
        for doc, cs in zip(docs, claims):
            ref = _date(doc.meta.get("published")) or _date(self.as_of)
            for c in cs:
                c["candidates"] = self.search(c["text"], vecs[i], ref)
                i += 1
        return claims

    def search(self, text: str, vector: np.ndarray, ref: _dt.date | None = None) -> list[dict]:
        """Fused top-k passages for one claim, dated relative to ``ref`` when given."""
        store = self.store
        bm25 = store.search_bm25(text, self.candidates)
        dense = store.search_dense(vector, self.candidates)
        fused: dict[int, float] = {}
        for ranking in (bm25, dense):
            for rank, (pid, _) in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        if not fused:
            return []
        cos = dict(dense)
        bm = dict(bm25)
        records = store.passages(fused)
        scored = []
        for pid, score in fused.items():
            rec = records.get(pid)
            if rec is None:
                continue
            when = _date(rec.get("date"))
            late = bool(ref and when and when > ref)
            if late and self.after == "exclude":
                continue
            if late and self.after == "demote":
                score *= 0.25
            elif ref and when and self.recency_days:
                # figures are snapshots: the latest report before the date counts most
                score *= 1.0 / (1.0 + (ref - when).days / self.recency_days)
            if pid not in cos:
                cos[pid] = float(vector @ store.vectors()[1][_row(store, pid)])
            scored.append((score, pid, late))
        scored.sort(key=lambda t: -t[0])
        out: list[dict] = []
        seen: set[str] = set()
        for score, pid, late in scored:
            if len(out) >= self.k:
                break
            rec = records[pid]
            norm = " ".join(rec["text"].lower().split())
            if norm in seen:  # the same text in several reports: keep the best-ranked one
                continue
            seen.add(norm)
            out.append({"passage_id": rec["key"] or str(pid), "passage": rec["text"],
                        "source": rec["source"], "title": rec["title"], "url": rec["url"],
                        "date": rec["date"], "publisher": rec["publisher"],
                        "offsets": {"start": rec["start"], "end": rec["end"]},
                        "score": round(score, 5), "cosine": round(cos[pid], 4),
                        "bm25": round(bm.get(pid, 0.0), 3), "after_article": late})
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[dict[str, Any]]]) -> None:
        empty = self.store.count() == 0
        for doc, claims in zip(docs, preds):
            if empty and claims:
                doc.warn(Warnings.W300)
            for c in claims:
                c.setdefault("candidates", [])
            doc.fields["claims"] = claims
            if self.as_of and not doc.meta.get("published"):
                doc.fields["claims_as_of"] = self.as_of


def _row(store: Any, pid: int) -> int:
    ids, _ = store.vectors()
    return int(np.searchsorted(ids, pid))
