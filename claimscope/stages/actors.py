"""Mentions of the parties, resolved to canonical actors: ``doc.spans["actors"]``.

Each span's label is the canonical actor ("Israel", "Hamas", "Russia", ...)
and its ``via`` attribute the alias group it came from (names, government,
forces, leaders, places, demonyms, agencies). ``doc.fields["actors"]`` lists
the actors of the article with their number of mentions, most mentioned
first. The gazetteers are in :mod:`claimscope.actors`; a user file given as
``extra`` (``--actors FILE``) is merged over the shipped ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..actors import Gazetteer, Mention, as_paths, load_gazetteer
from ..document import Document
from ..pipeline import Stage
from ..registry import stages


@stages.register("actors")
class Actors(Stage):
    """Find actor mentions with one compiled regex over all aliases (no model)."""

    name = "actors"
    assigns = ("spans.actors",)
    piecewise = True

    def __init__(self, extra: str | Path | Sequence[str | Path] | None = None,
                 gazetteer: Gazetteer | None = None) -> None:
        self.extra = as_paths(extra)
        self._gazetteer = gazetteer
        if self.extra and gazetteer is None:
            # a user file is cheap to read: check it now, so a bad file is a usage error
            # before any article is analysed
            self._gazetteer = load_gazetteer(self.extra)

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer(self.extra)
        return self._gazetteer

    def predict(self, docs: list[Document]) -> list[list[Mention]]:
        gaz = self.gazetteer
        return [gaz.find(d.text) for d in docs]

    def set_annotations(self, docs: list[Document], preds: list[list[Mention]]) -> None:
        for doc, mentions in zip(docs, preds):
            group = doc.spans["actors"]
            group.clear()
            for m in mentions:
                group.add(m.start, m.end, label=m.actor, via=m.via)
            doc.fields["actors"] = _counts(Counter(m.actor for m in mentions))

    def merge_pieces(self, doc: Document, pieces: list[Document], starts: list[int]) -> None:
        """The whole article's counts, from its joined mentions."""
        doc.fields["actors"] = _counts(Counter(s.label for s in doc.spans["actors"]))


def _counts(counts: Counter) -> list[dict]:
    return [{"name": name, "mentions": n}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
