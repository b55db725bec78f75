"""Language identification (py3langid), with a warning for non-English text."""

from __future__ import annotations

from itertools import islice

from ..document import Document
from ..errors import Warnings
from ..pipeline import Stage
from ..registry import stages

#: Below this many letters, identification is a guess; English is assumed.
MIN_LETTERS = 20
#: Only the first chars are needed to tell the language (~300 words; py3langid takes
#: 8x longer on 5,000 chars than on 2,000, for the same answer on news text).
SAMPLE = 2_000


@stages.register("language")
class Language(Stage):
    """Identify ``doc.language`` (ISO 639-1) and warn when it is not English."""

    name = "language"
    assigns = ("doc.language",)
    piecewise = True

    def predict(self, docs: list[Document]) -> list[str | None]:
        import py3langid

        out: list[str | None] = []
        for doc in docs:
            sample = doc.text[:SAMPLE]
            # enough letters? stop counting at MIN_LETTERS (most texts reach it at once)
            if len(list(islice(filter(str.isalpha, sample), MIN_LETTERS))) < MIN_LETTERS:
                out.append(None)
            else:
                out.append(py3langid.classify(sample)[0])
        return out

    def set_annotations(self, docs: list[Document], preds: list[str | None]) -> None:
        for doc, lang in zip(docs, preds):
            if doc.language:  # given by the input (e.g. a JSONL field): keep it
                lang = doc.language
            if lang is None:
                doc.warn(Warnings.W004)
                lang = "en"
            elif lang != "en":
                doc.warn(Warnings.W001.format(lang=lang))
            doc.language = lang
