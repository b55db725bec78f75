"""The outcome ledger: ``doc.fields["ledger"]``, rows of objectives and outcomes by actor.

``predict`` parses, with one spaCy pipeline loaded once per process (tok2vec,
tagger and parser of en_core_web_sm; no NER, no lemmatizer), only the
sentences that both carry a ledger cue and mention an actor (or a pronoun,
or are list items), batched across the articles of a batch with
``nlp.pipe``; then builds the rows with :func:`claimscope.ledger.extract_rows`.
``set_annotations`` writes them. See :mod:`claimscope.ledger` for the rules.
"""

from __future__ import annotations

import threading
from typing import Any

from .. import _ledger_lexicon as L
from ..document import Document
from ..ledger import SentenceInfo, extract_rows, needs_parse
from ..pipeline import Stage
from ..registry import stages
from .segment import for_tokenizer, load_spacy

_lock = threading.Lock()
_parser: Any = None


def load_parser() -> Any:
    """The dependency parser pipeline, loaded once per process."""
    global _parser
    with _lock:
        if _parser is None:
            # tok2vec, tagger (fine-grained tags) and parser only
            _parser = load_spacy(["ner", "lemmatizer", "senter", "attribute_ruler"])
    return _parser


def sentence_infos(doc: Document) -> list[SentenceInfo]:
    """The doc's sentences with their actor mentions, line numbers and bullet flags."""
    mentions = sorted(doc.spans["actors"], key=lambda s: s.start)
    out: list[SentenceInfo] = []
    line, last = 0, 0
    k = 0
    for sent in doc.sentences:
        line += doc.text.count("\n", last, sent.start)
        last = sent.start
        while k < len(mentions) and mentions[k].end <= sent.start:
            k += 1
        found = []
        j = k
        dateline = L.DATELINE.match(doc.text, sent.start, sent.end)
        skip_to = dateline.end() if dateline else sent.start
        while j < len(mentions) and mentions[j].start < sent.end:
            m = mentions[j]
            if m.start >= skip_to and m.end <= sent.end:
                found.append((m.start, m.end, m.label or "", str(m.attrs.get("via", ""))))
            j += 1
        line_start = doc.text.rfind("\n", 0, sent.start) + 1
        bullet = bool(L.BULLET.match(doc.text, sent.start)) or (
            line_start < sent.start and not doc.text[line_start:sent.start].strip() and
            bool(L.BULLET.match(doc.text, line_start)))
        out.append(SentenceInfo(sent.start, sent.end, found, line, bullet))
    return out


@stages.register("ledger")
class Ledger(Stage):
    """Objectives and outcomes claimed for each actor, with who claims them."""

    name = "ledger"
    requires = ("spans.sentences", "spans.actors", "spans.quantities")
    assigns = ("fields.ledger",)
    piecewise = True

    def __init__(self, batch_size: int = 64, parse: bool = True) -> None:
        self.batch_size = batch_size
        #: False: no dependency parse (nearest actor before the cue; faster, less exact)
        self.parse = parse

    def predict(self, docs: list[Document]) -> list[list[dict[str, Any]]]:
        infos = [sentence_infos(d) for d in docs]
        todo = [(i, si) for i, (d, sents) in enumerate(zip(docs, infos))
                for si, s in enumerate(sents) if needs_parse(d.text, s)]
        parses: list[dict[int, Any]] = [{} for _ in docs]
        if todo and self.parse:
            nlp = load_parser()
            texts = [_parse_text(docs[i].text, infos[i][si]) for i, si in todo]
            for (i, si), sdoc in zip(todo, nlp.pipe(texts, batch_size=self.batch_size)):
                parses[i][si] = sdoc
        out = []
        for d, sents, parsed in zip(docs, infos, parses):
            quantities = [q.to_dict() for q in d.spans["quantities"]]
            out.append(extract_rows(d.text, sents, quantities, parsed))
        return out

    def set_annotations(self, docs: list[Document], preds: list[list[dict[str, Any]]]
                        ) -> None:
        for doc, rows in zip(docs, preds):
            doc.fields["ledger"] = rows


def _parse_text(text: str, sent: SentenceInfo) -> str:
    """The sentence, with a leading bullet mark or dateline blanked (offsets kept)."""
    s = text[sent.start:sent.end]
    m = L.BULLET.match(s) or L.DATELINE.match(s)
    if m:
        s = " " * m.end() + s[m.end():]
    return for_tokenizer(s)
