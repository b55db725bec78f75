"""A fast web app for tests: the rule stages, a stand-in check-worthiness head and a small
corpus checked with the fake encoder and NLI of verify_fakes (no shipped model loads)."""

from __future__ import annotations

from pathlib import Path

from verify_fakes import CoverageRelevance, HashEncoder, KeywordNLI

import claimscope
from claimscope import registry
from claimscope.corpus import CorpusStore, PassageIn, SourceDoc
from claimscope.pipeline import Stage
from claimscope.web import create_app
from claimscope.web.analyzer import Analyzer

STAGES = ["segment", "test_web_heads", "quantities", "actors", "ledger"]


@registry.stages.register("test_web_heads")
class FakeHeads(Stage):
    """Stands in for the sentence heads (in batches too): a sentence with a digit is
    check-worthy, one with "mild" or "pleasant" is opinion."""

    name = "test_web_heads"
    requires = ("spans.sentences",)
    assigns = ("sentences.checkworthiness", "sentences.subjectivity")

    def predict(self, docs):
        return [[(0.9 if any(c.isdigit() for c in s.text) else 0.2,
                  0.8 if "mild" in s.text or "pleasant" in s.text else 0.1)
                 for s in d.sentences] for d in docs]

    def set_annotations(self, docs, preds):
        for doc, scores in zip(docs, preds):
            for s, (cw, subj) in zip(doc.sentences, scores):
                s.attrs["checkworthiness"], s.attrs["subjectivity"] = cw, subj
ARTICLE = ("Trucks and rockets\n\n"
           "Some 300 trucks entered Gaza through the Rafah crossing on 18 November, "
           "officials said. Israel said more than 4,000 rockets were fired by Hamas.\n\n"
           "The weather was mild and pleasant that evening.")
PASSAGES = [
    ("OCHA Flash Update #43", "2023-11-18", "https://example.org/43",
     ["On 18 November, 117 trucks entered Gaza through the Rafah crossing.",
      "Hospital officials denied that the hospital was used for military purposes."]),
    ("OCHA Flash Update #44", "2023-11-19", "javascript:alert(1)",
     ["More than 4,000 rockets were fired by Hamas, Israel said on 18 November."]),
]


def make_corpus(path: Path) -> Path:
    docs = [SourceDoc(src, [PassageIn(t, 0, len(t)) for t in texts], url=url, date=date,
                      publisher="OCHA") for src, date, url, texts in PASSAGES]
    with CorpusStore(path, create=True, encoder=HashEncoder()) as store:
        store.add(docs)
    return path


def make_app(tmp: Path, *, hosts: list[str] | None = None, corpus: bool = True,
             max_bytes: int = 2_000_000, fetch_allow_hosts: list[str] | None = None):
    db = make_corpus(tmp / "corpus.db") if corpus else None
    config = {"retrieve": {"db": str(db), "encoder": HashEncoder()},
              "verify": {"nli": KeywordNLI(), "relevance": CoverageRelevance()}} if db else None
    pipeline = claimscope.load(STAGES, config=config)
    return create_app(store=tmp / "analyses.db", corpus=db, analyzer=Analyzer(pipeline),
                      allowed_hosts=hosts or ["testserver"], max_bytes=max_bytes,
                      retrieval_encoder=HashEncoder(), fetch_allow_hosts=fetch_allow_hosts)
