"""Find passages of the user's reference corpus that speak to each claim of an article.

The claims are the units of the ``claim_units`` stage (``doc.fields["claims"]``); each is
searched with its ``query`` (its clause, with a pronoun subject replaced by the actor it
stands for). Hybrid retrieval: BM25 from the FTS5 index (the query is built from the
claim's words only, so nothing in an article can inject FTS5 syntax), dense cosine over
all-MiniLM-L6-v2 vectors and, for a claim with figures, the passages that state one of
its figures as written next to one of its words, fused by reciprocal rank fusion. When
the claims have a date (``doc.fields["claims_date"]``: the article's, ``as_of``, ...),
passages dated after it are demoted (``after="demote"``), dropped (``"exclude"``) or
left alone (``"ignore"``); among earlier ones, closer dates rank higher (a weight
``1 / (1 + days / recency_days)``), and a text repeated in several sources is shown once.

Writes ``doc.tensors["claim_candidates"]``: per claim, the top-k passages; the
``verify`` stage reads them and writes the verdicts.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..dates import to_date
from ..document import Document
from ..errors import ClaimscopeError, Warnings, check_param
from ..pipeline import Stage
from ..registry import stages
from ..text import GROUP_SPACE

AFTER_MODES = ("demote", "exclude", "ignore")
_WORD = re.compile(r"[^\W\d_]{3,}")


def claims_date(doc: Document) -> _dt.date | None:
    """The date the article's claims are checked for (``claim_units`` sets it)."""
    return to_date((doc.fields.get("claims_date") or {}).get("date"))


@stages.register("retrieve")
class Retrieve(Stage):
    """Top-k passages of a reference corpus for every claim (hybrid BM25 + dense, RRF)."""

    name = "retrieve"
    requires = ("fields.claims",)
    assigns = ("tensors.claim_candidates",)

    def __init__(self, db: Any = None, *, k: int = 6, candidates: int = 100,
                 after: str = "demote", as_of: str | None = None,
                 rrf_k: int = 60, recency_days: float = 30.0, rerank: int = 80,
                 encoder: Any = None) -> None:
        check_param("Retrieve", "db", db, db is not None,
                    "a corpus path (str or Path) or a CorpusStore")
        check_param("Retrieve", "k", k, isinstance(k, int) and k >= 1, "an int >= 1")
        check_param("Retrieve", "candidates", candidates,
                    isinstance(candidates, int) and candidates >= k, f"an int >= k ({k})")
        check_param("Retrieve", "after", after, after in AFTER_MODES,
                    f"one of {', '.join(AFTER_MODES)}")
        check_param("Retrieve", "as_of", as_of, as_of is None or to_date(as_of) is not None,
                    "None or a date such as 2023-11-18")
        self.db = db
        self.k = k
        self.candidates = candidates
        self.after = after
        self.as_of = as_of
        self.rrf_k = rrf_k
        self.recency_days = recency_days
        self.rerank = rerank
        self._figures: dict[int, list[dict[str, Any]]] = {}
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
    def predict(self, docs: list[Document]) -> list[list[list[dict[str, Any]]]]:
        """Per document, per claim, the top-k passages."""
        claims = [d.fields.get("claims", []) for d in docs]
        flat = [c for cs in claims for c in cs]
        if not flat or self.store.count() == 0:
            return [[[] for _ in cs] for cs in claims]
        if self.encoder is None:
            from ..corpus.embed import default_encoder

            self.encoder = default_encoder()
        vecs = self.encoder.embed([c.get("query") or c["text"] for c in flat])
        out, i = [], 0
        for doc, cs in zip(docs, claims):
            ref = claims_date(doc) or to_date(self.as_of)
            found = []
            for c in cs:
                found.append(self.search(c.get("query") or c["text"], vecs[i], ref,
                                         figures=[q["text"] for q in c.get("quantities", [])],
                                         quantities=c.get("quantities")))
                i += 1
            out.append(found)
        return out

    def search(self, text: str, vector: np.ndarray, ref: _dt.date | None = None, *,
               figures: list[str] | None = None,
               quantities: list[dict[str, Any]] | None = None) -> list[dict]:
        """Fused top-k passages for one claim, dated relative to ``ref`` when given;
        ``figures`` (as written in the claim) add the passages that state them, and with
        the claim's ``quantities``, passages whose figures agree with them come first
        among the best ``rerank`` (half of the k places at most)."""
        store = self.store
        digits = _figure_digits(figures or [])
        words = _WORD.findall(text)
        rankings, dense_lists = [], []
        # a corpus of daily reports repeats a sentence on many days: with a date, the
        # passages of that date and before are searched on their own too, so that later
        # copies cannot crowd them out
        limits = [None] if ref is None else [(ref + _dt.timedelta(days=1)).isoformat()] + (
            [None] if self.after != "exclude" else [])
        by_words = store.search_bm25_dated(text, self.candidates, max_dates=limits)
        by_figures = store.search_figures_dated(digits, words, self.candidates,
                                                max_dates=limits) if digits else None
        for n, max_date in enumerate(limits):
            rankings.append(by_words[n])
            dense_lists.append(store.search_dense(vector, self.candidates, max_date=max_date))
            rankings.append(dense_lists[-1])
            if by_figures is not None:
                rankings.append(by_figures[n])
        bm25 = rankings[0]
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, (pid, _) in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        if not fused:
            return []
        cos = dict(p for r in dense_lists for p in r)
        bm = dict(bm25)
        records = store.passages(fused)
        scored = []
        for pid, score in fused.items():
            rec = records.get(pid)
            if rec is None:
                continue
            when = to_date(rec.get("date"))
            late = bool(ref and when and when > ref)
            if late and self.after == "exclude":
                continue
            if late and self.after == "demote":
                score *= 0.25
            elif ref and when and self.recency_days:
                # figures are snapshots: the latest report before the date counts most
                score *= 1.0 / (1.0 + (ref - when).days / self.recency_days)
            scored.append((score, pid, late))
        missing = [pid for _, pid, _ in scored if pid not in cos]
        if missing:
            for pid, sim in zip(missing, store.cosines(missing, vector)):
                cos[pid] = float(sim)
        scored.sort(key=lambda t: -t[0])
        if quantities:
            scored = self._figures_first(scored, records, quantities)
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
                        "bm25": round(bm.get(pid, 0.0), 3), "after_article": late,
                        "context": _heading(rec.get("metadata"))})
        return out

    def _figures_first(self, scored: list[tuple[float, int, bool]],
                       records: dict[int, dict[str, Any]],
                       quantities: list[dict[str, Any]]) -> list[tuple[float, int, bool]]:
        """A running total is stated in one report among many alike: among the best
        ``rerank`` passages (not dated after the claim), those with a figure that agrees
        with one of the claim's move up, taking at most half of the k places."""
        from ..numcompare import compare_quantities, inherit_counted
        from ..quantities import extract_quantities

        agree: list[tuple[float, int, bool]] = []
        for item in scored[: self.rerank]:
            if item[2] or len(agree) >= (self.k + 1) // 2:
                continue
            pid = item[1]
            if pid not in self._figures:
                if len(self._figures) > 20000:
                    self._figures.clear()
                text = records[pid]["text"]
                self._figures[pid] = inherit_counted(text, extract_quantities(text))
            for cq in quantities:
                if any((r := compare_quantities(cq, sq)) and r["relation"] == "consistent"
                       and r["contained"] and r["strength"] in ("strong", "loose")
                       for sq in self._figures[pid]):
                    agree.append(item)
                    break
        first = {id(x) for x in agree}
        return agree + [x for x in scored if id(x) not in first]

    def set_annotations(self, docs: list[Document],
                        preds: list[list[list[dict[str, Any]]]]) -> None:
        empty = self.store.count() == 0
        for doc, found in zip(docs, preds):
            if empty and found:
                doc.warn(Warnings.W300)
            doc.tensors["claim_candidates"] = found
            if self.as_of and not doc.meta.get("published"):
                doc.fields["claims_as_of"] = self.as_of


def _heading(metadata: Any) -> str | None:
    """The heading a passage sits under in its source (a ``section``, ``heading`` or
    ``title`` field kept with it), which may say where its figures are from ("Violence and
    casualties (West Bank)")."""
    if not isinstance(metadata, dict):
        return None
    parts = [str(metadata[k]) for k in ("section", "heading", "chapter") if metadata.get(k)]
    return " / ".join(parts)[:200] or None


def _figure_digits(figures: list[str]) -> list[str]:
    """The digits of each figure as the index tokenises them ("some 23,000 litres" ->
    "23,000"); a round or bounded figure of thousands also gives its leading group
    followed by any group ("more than 11,000" -> "11,0*" ... "11,9*": 11,078 is a
    figure it speaks of). Figures written in words are left to the other rankings."""
    out = []
    for f in figures:
        m = re.search(r"\d[\d,.]*(?:" + GROUP_SPACE + r"\d{3}(?!\d))*"
                      r"(?:\s+(?:million|billion|thousand))?", f)
        if not m:
            continue
        # "25 000" (thousands grouped by a space) is the index's "25,000"
        digits = re.sub(r"(?<=\d)" + GROUP_SPACE + r"(?=\d{3}(?!\d))", ",",
                        m.group(0)).rstrip(".,")
        out.append(digits)
        groups = re.fullmatch(r"(\d{1,3}),(\d{3})", digits)
        if groups and (groups.group(2).endswith("00") or re.match(
                r"(?:more|over|at least|nearly|about|some|around|almost|approximately|"
                r"up to|less|fewer|under)\b", f.strip(), re.I)):
            out.extend(f"{groups.group(1)},{d}*" for d in "0123456789")
    return out

