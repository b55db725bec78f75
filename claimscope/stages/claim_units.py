"""Select the sentences to check and take them apart into claim units.

A sentence is selected when its check-worthiness is at least ``threshold`` or it states
a figure (a count, percent, amount of money or measure); :mod:`claimscope.claim_units`
takes it apart (a figure's own clause, attribution kept aside, pronouns resolved) and
says which units are not checked (questions, list introductions, predictions, opinions).

``predict`` parses the selected sentences of a whole batch with one spaCy parser (the
ledger's, loaded once per process) and builds the units; ``set_annotations`` writes
``doc.fields["claims"]`` (the units to check, in text order) and
``doc.fields["claims_date"]``: the date the claims are checked for and where it came from
(:func:`claimscope.dates.article_date`: metadata, ``as_of``, a dateline, the URL, the
latest date in the text).
"""

from __future__ import annotations

from typing import Any

from ..claim_units import strip_dateline, units
from ..dates import article_date
from ..document import Document
from ..errors import check_param
from ..numcompare import NUMERIC_KINDS, inherit_counted
from ..pipeline import Stage
from ..registry import stages

#: units of time: a figure in them is a duration, not a claim about an amount
DURATIONS = frozenset({"hours", "days", "weeks", "months", "years", "minutes", "seconds",
                       "h", "min", "s", "d"})


@stages.register("claim_units")
class ClaimUnits(Stage):
    """The checkable claim units of each article, with the date they are checked for."""

    name = "claim_units"
    requires = ("spans.sentences", "sentences.checkworthiness", "spans.quantities")
    assigns = ("fields.claims",)

    def __init__(self, *, threshold: float = 0.5, max_claims: int = 200,
                 as_of: str | None = None, keep_skipped: bool = False) -> None:
        check_param("ClaimUnits", "threshold", threshold,
                    isinstance(threshold, (int, float)) and 0 <= threshold <= 1,
                    "a float in the range [0.0, 1.0]")
        check_param("ClaimUnits", "max_claims", max_claims,
                    isinstance(max_claims, int) and max_claims >= 1, "an int >= 1")
        from ..dates import to_date

        check_param("ClaimUnits", "as_of", as_of, as_of is None or to_date(as_of) is not None,
                    "None or a date such as 2023-11-18")
        self.threshold = threshold
        self.max_claims = max_claims
        self.as_of = as_of
        self.keep_skipped = keep_skipped

    def _selected(self, doc: Document) -> list[tuple[int, int, float | None, list, list]]:
        """(start, end, check-worthiness, numeric quantities, actor mentions) per sentence
        to take apart."""
        quantities = sorted(doc.spans["quantities"], key=lambda s: s.start) \
            if "quantities" in doc.spans else []
        actors = sorted(doc.spans["actors"], key=lambda s: s.start) \
            if "actors" in doc.spans else []
        out = []
        for sent in doc.sentences:
            start = strip_dateline(doc.text, sent.start, sent.end)
            # durations ("over the past 24 hours", "six weeks") say when, not what
            numeric = [{"start": q.start, "end": q.end, "text": q.text, **q.attrs}
                       for q in quantities if start <= q.start and q.end <= sent.end
                       and q.attrs.get("kind") in NUMERIC_KINDS
                       and q.attrs.get("unit") not in DURATIONS]
            # "372 people were killed and 1,335 injured": the second counts people too
            numeric = inherit_counted(doc.text[start:sent.end], numeric, start)
            cw = sent.attrs.get("checkworthiness")
            mentions = [(a.start, a.end, a.text, a.label or a.text, a.attrs.get("via"))
                        for a in actors if sent.start <= a.start and a.end <= sent.end]
            if numeric or (cw is not None and cw >= self.threshold):
                out.append((start, sent.end, cw, numeric, mentions,
                            sent.attrs.get("subjectivity")))
            else:
                out.append((start, sent.end, None, None, mentions, None))
        return out

    def predict(self, docs: list[Document]) -> list[list[dict[str, Any]]]:
        from .ledger import load_parser

        plans = [self._selected(d) for d in docs]
        texts = [d.text[s:e] for d, plan in zip(docs, plans)
                 for (s, e, _cw, numeric, _m, _subj) in plan if numeric is not None]
        parsed = iter(load_parser().pipe(texts, batch_size=64)) if texts else iter(())
        out = []
        for doc, plan in zip(docs, plans):
            claims: list[dict[str, Any]] = []
            before: list[tuple[str, str]] = []
            for (start, end, cw, numeric, mentions, subj) in plan:
                if numeric is not None:
                    sdoc = next(parsed)
                    checkworthy = cw is not None and cw >= self.threshold
                    for unit in units(sdoc, text=doc.text, start=start, end=end,
                                      quantities=numeric, checkworthy=checkworthy,
                                      subjectivity=subj, actors_before=before,
                                      actors_in=mentions):
                        if unit.skipped and not self.keep_skipped:
                            continue
                        claim = {"sentence": {"start": start, "end": end},
                                 **unit.to_dict(doc.text), "checkworthiness": cw}
                        claims.append(claim)
                before = [(m[2], m[3], m[4]) for m in mentions]
            out.append(claims[: self.max_claims])
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[dict[str, Any]]]) -> None:
        for doc, claims in zip(docs, preds):
            when, basis = article_date(published=doc.meta.get("published"), as_of=self.as_of,
                                       text=doc.text, url=doc.meta.get("url"))
            doc.fields["claims"] = claims
            doc.fields["claims_date"] = {"date": when.isoformat() if when else None,
                                         "basis": basis}
