"""The Document: one article's text and everything the pipeline finds in it.

Spans are character offsets into ``Document.text`` and live in named groups
(``doc.spans["sentences"]``, ``doc.spans["quantities"]``, later
``doc.spans["persuasion"]``). Sentence-level scores are span attributes
(``sent.attrs["checkworthiness"]``). Arrays a model computes for later stages
(sentence embeddings) live in ``doc.tensors`` and are never serialised.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import Errors, InvalidParameterError

#: Article metadata fields carried from the input to the report.
META_FIELDS = ("id", "source", "title", "url", "published", "outlet")


@dataclass(eq=False)
class Span:
    """A labelled character range ``[start, end)`` of a Document's text."""

    doc: Document = field(repr=False)
    start: int
    end: int
    label: str | None = None
    score: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    def __len__(self) -> int:
        return self.end - self.start

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return (self.start, self.end, self.label, self.score, self.attrs) == (
            other.start, other.end, other.label, other.score, other.attrs)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.label is not None:
            out["label"] = self.label
        if self.score is not None:
            out["score"] = self.score
        out.update(self.attrs)
        return out


class SpanGroup(list[Span]):
    """A named list of spans of one Document, kept in the order they were added."""

    def __init__(self, doc: Document, name: str, spans: list[Span] | None = None) -> None:
        super().__init__(spans or [])
        self.doc = doc
        self.name = name

    def add(self, start: int, end: int, label: str | None = None,
            score: float | None = None, **attrs: Any) -> Span:
        """Append a span after checking its offsets against the text."""
        span = self.doc.char_span(start, end, label=label, score=score, **attrs)
        self.append(span)
        return span

    def covering(self, start: int, end: int) -> Iterator[Span]:
        """The spans of this group that overlap ``[start, end)``."""
        return (s for s in self if s.start < end and start < s.end)


class _SpanGroups(dict[str, SpanGroup]):
    """``doc.spans``: a new name gives an empty group, as in spaCy."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self._doc = doc

    def __missing__(self, name: str) -> SpanGroup:
        group = SpanGroup(self._doc, name)
        self[name] = group
        return group


class Document:
    """One article: its text, metadata, span groups, scores and problems."""

    def __init__(self, text: str, *, id: str | None = None, source: str | None = None,
                 title: str | None = None, url: str | None = None,
                 published: str | None = None, outlet: str | None = None,
                 language: str | None = None) -> None:
        if not isinstance(text, str):
            raise InvalidParameterError(Errors.E008.format(got=type(text).__name__))
        self.text = text
        self.meta: dict[str, str | None] = {
            "id": id, "source": source, "title": title, "url": url,
            "published": published, "outlet": outlet,
        }
        self.language = language
        self.spans = _SpanGroups(self)
        self.tensors: dict[str, Any] = {}
        #: JSON-ready results of later stages, written to the report as top-level
        #: article keys (e.g. "ledger", "claims"); a stage sets its own key
        self.fields: dict[str, Any] = {}
        self.warnings: list[dict[str, str]] = []
        self.errors: list[dict[str, str]] = []
        #: what each stage assigned, in order (names of attributes, e.g. 'doc.sentences')
        self.assigned: set[str] = set()

    def __repr__(self) -> str:
        head = self.text[:40].replace("\n", " ")
        return f"Document(id={self.meta['id']!r}, chars={len(self.text)}, text={head!r}...)"

    @property
    def id(self) -> str | None:
        return self.meta["id"]

    @property
    def sentences(self) -> SpanGroup:
        return self.spans["sentences"]

    def char_span(self, start: int, end: int, label: str | None = None,
                  score: float | None = None, **attrs: Any) -> Span:
        """A span of this document; offsets must satisfy 0 <= start <= end <= len(text)."""
        if not (isinstance(start, int) and isinstance(end, int)
                and 0 <= start <= end <= len(self.text)):
            raise InvalidParameterError(Errors.E004.format(
                param="start/end", owner="Document.char_span",
                expected=f"integers with 0 <= start <= end <= {len(self.text)}",
                got=(start, end)))
        return Span(self, start, end, label, score, dict(attrs))

    def warn(self, message: str) -> None:
        """Record a coded warning (a message from errors.Warnings), once."""
        entry = _coded(message)
        if entry not in self.warnings:
            self.warnings.append(entry)

    def add_error(self, message: str) -> None:
        """Record a coded error that did not stop the analysis of this article."""
        self.errors.append(_coded(message))

    # serialisation -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The article entry of the JSON report (schema version 1)."""
        out: dict[str, Any] = dict(self.meta)
        out["language"] = self.language
        out["text"] = self.text
        out["warnings"] = list(self.warnings)
        fields = sentence_fields()
        out["sentences"] = [
            {"start": s.start, "end": s.end, "text": s.text,
             **{f: s.attrs.get(f) for f in fields}}
            for s in self.sentences
        ]
        out["quantities"] = [q.to_dict() for q in self.spans["quantities"]]
        others = {name: [s.to_dict() for s in group] for name, group in self.spans.items()
                  if name not in ("sentences", "quantities")}
        out["spans"] = others
        for key, value in self.fields.items():
            out.setdefault(key, value)
        out["errors"] = list(self.errors)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Rebuild a Document from its report entry (tensors are not restored)."""
        doc = cls(data["text"], language=data.get("language"),
                  **{k: data.get(k) for k in META_FIELDS})
        fields = sentence_fields()
        for s in data.get("sentences", []):
            doc.sentences.add(s["start"], s["end"], **{
                k: s[k] for k in fields if s.get(k) is not None})
        for q in data.get("quantities", []):
            doc.spans["quantities"].add(q["start"], q["end"], **_attrs(q))
        for name, group in data.get("spans", {}).items():
            for s in group:
                doc.spans[name].add(s["start"], s["end"], label=s.get("label"),
                                    score=s.get("score"), **_attrs(s))
        known = set(META_FIELDS) | {"language", "text", "warnings", "sentences", "quantities",
                                    "spans", "errors"}
        doc.fields = {k: v for k, v in data.items() if k not in known}
        doc.warnings = list(data.get("warnings", []))
        doc.errors = list(data.get("errors", []))
        return doc


def sentence_fields() -> list[str]:
    """The per-sentence scores of a report: what the registered stages declare they
    assign to sentences (``assigns = ("sentences.checkworthiness",)``), by stage name.
    Every sentence of the report carries each of them (null when its stage did not run)."""
    from .registry import stages

    out: list[str] = []
    for name in stages.names():
        for attr in getattr(stages.get(name), "assigns", ()):
            field = attr.partition("sentences.")[2] if attr.startswith("sentences.") else ""
            if field and field not in out:
                out.append(field)
    return out


def _attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("start", "end", "text", "label", "score")}


def _coded(message: str) -> dict[str, str]:
    """Split '[W001] text' into {'code': 'W001', 'message': 'text'}."""
    if message.startswith("[") and "]" in message[:8]:
        end = message.index("]")
        return {"code": message[1:end], "message": message[end + 1:].strip()}
    return {"code": "", "message": message}
