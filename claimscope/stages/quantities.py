"""Numbers in the text, normalised: ``doc.spans["quantities"]``.

The extraction rules live in ``claimscope.quantities``; this stage runs them
sentence by sentence so each quantity stays inside its sentence.
"""

from __future__ import annotations

from ..document import Document
from ..pipeline import Stage
from ..registry import stages


@stages.register("quantities")
class Quantities(Stage):
    name = "quantities"
    requires = ("spans.sentences",)
    assigns = ("spans.quantities",)
    piecewise = True

    def predict(self, docs: list[Document]) -> list[list[dict]]:
        from ..quantities import extract_quantities

        return [[q for s in d.sentences for q in extract_quantities(d.text, s.start, s.end)]
                for d in docs]

    def set_annotations(self, docs: list[Document], preds: list[list[dict]]) -> None:
        for doc, found in zip(docs, preds):
            group = doc.spans["quantities"]
            group.clear()
            for q in found:
                attrs = {k: v for k, v in q.items() if k not in ("start", "end", "text")}
                group.add(q["start"], q["end"], **attrs)
