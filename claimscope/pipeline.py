"""Stages and the Pipeline that runs them over Documents.

A stage is ``stage(doc) -> doc``. It declares the attributes it ``requires``
and ``assigns``, and those it ``reads`` when they are there, with one naming
pattern: ``spans.<group>`` (``spans.sentences``), ``sentences.<score>``,
``fields.<report key>`` (``fields.ledger``), ``tensors.<array>`` and
``doc.<attribute>``. The Pipeline checks the order once, when it is built, and
frees a tensor once the last stage that requires or reads it has run (unless
the caller keeps it: ``keep_tensors``). Model stages split ``predict(docs)`` (the model, no Document
writes) from ``set_annotations(docs, preds)`` (writes, no model), and get
batching for free from ``Stage.pipe``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, ClassVar

from .document import Document, Span
from .errors import Errors, PipelineError, check_param

logger = logging.getLogger(__name__)

#: An article longer than this (characters) is analysed in pieces of whole lines, so that
#: what the models hold at once depends on the piece, not on the article (1 MB of text
#: peaked at 1.66 GB analysed whole). The longest of the 371 PTC train articles has 48,000.
PIECE_CHARS = 100_000
#: ... and a piece holds at most this many lines and sentence ends ("A.\n" 30,000 times,
#: 90 KB, peaked at 1 GB: memory follows the sentences); PTC train articles have < 300.
PIECE_UNITS = 3_000
_UNIT = re.compile(r"\n|[.!?](?=\s)")


class Stage:
    """Base class of pipeline stages."""

    name: ClassVar[str] = "stage"
    assigns: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    #: what the stage uses when it is there (not checked for order; kept until it ran)
    reads: ClassVar[tuple[str, ...]] = ()
    #: True when the stage may run on the pieces of a long article one at a time and its
    #: results be joined (``merge_pieces``); a stage that reads the whole article (its
    #: frames, a corpus check) leaves it False and runs on the joined article.
    piecewise: ClassVar[bool] = False

    def merge_pieces(self, doc: Document, pieces: list[Document], starts: list[int]) -> None:
        """Join what this stage wrote on ``pieces`` (which start at ``starts`` in
        ``doc.text``) into ``doc``, beyond what ``join_pieces`` does for every stage
        (spans shifted; list fields concatenated with their offsets shifted; per-sentence
        arrays in ``tensors`` stacked). Override for a field that is not a list of
        records (a count, a score of the whole article)."""

    def predict(self, docs: list[Document]) -> Any:
        """Run the model over a batch; must not modify the documents."""
        raise NotImplementedError

    def set_annotations(self, docs: list[Document], preds: Any) -> None:
        """Write what ``predict`` returned onto the documents."""
        raise NotImplementedError

    def __call__(self, doc: Document) -> Document:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for batch in minibatch(docs, batch_size):
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def minibatch(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class Pipeline:
    """An ordered list of stages, checked for their requirements when built.

    ``piece_chars``: articles longer than this are analysed in pieces (see PIECE_CHARS);
    None analyses every article whole.
    """

    def __init__(self, stages: Sequence[Any], piece_chars: int | None = PIECE_CHARS,
                 keep_tensors: Iterable[str] = ()) -> None:
        check_param("Pipeline", "piece_chars", piece_chars,
                    piece_chars is None or (isinstance(piece_chars, int) and piece_chars >= 1000),
                    "None or an int >= 1000")
        self.stages = list(stages)
        self.piece_chars = piece_chars
        #: tensors the caller reads after the analysis: never freed
        self.keep_tensors = set(keep_tensors)
        self._check_order()

    def _last_readers(self) -> dict[int, list[str]]:
        """Stage index -> the tensors to free after it: those it is the last stage to
        require or read (tensors no stage reads stay for the caller)."""
        last: dict[str, int] = {}
        for i, stage in enumerate(self.stages):
            for attr in (*getattr(stage, "requires", ()), *getattr(stage, "reads", ())):
                if attr.startswith("tensors."):
                    last[attr[len("tensors."):]] = i
        out: dict[int, list[str]] = {}
        for key, i in last.items():
            if key not in self.keep_tensors:
                out.setdefault(i, []).append(key)
        return out

    def _free(self, stage: Any, docs: Iterable[Document]) -> None:
        """Drop the tensors no later stage reads (what a batch holds stays bounded)."""
        keys = self._last_readers().get(self.stages.index(stage)) if stage in self.stages \
            else None
        for doc in docs if keys else ():
            for key in keys:
                doc.tensors.pop(key, None)

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def get_stage(self, name: str) -> Any:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise PipelineError(Errors.E002.format(kind="stage", name=name,
                                               available=", ".join(self.stage_names)))

    def _check_order(self) -> None:
        assigned: set[str] = set()
        seen: list[str] = []
        for stage in self.stages:
            if stage.name in seen:
                raise PipelineError(Errors.E007.format(name=stage.name))
            for attr in getattr(stage, "requires", ()):
                if attr not in assigned:
                    raise PipelineError(Errors.E003.format(
                        name=stage.name, attr=attr, before=", ".join(seen) or "none"))
            assigned.update(getattr(stage, "assigns", ()))
            seen.append(stage.name)

    def make_doc(self, obj: str | Document, **meta: Any) -> Document:
        if isinstance(obj, Document):
            return obj
        return Document(obj, **meta)

    def __call__(self, text: str | Document, **meta: Any) -> Document:
        """Analyse one article; stage errors propagate."""
        doc = self.make_doc(text, **meta)
        for stage in self.stages:
            result = stage(doc)
            if not isinstance(result, Document):
                raise PipelineError(Errors.E001.format(name=stage.name, got=result))
            doc = result
            doc.assigned.update(getattr(stage, "assigns", ()))
            self._free(stage, [doc])
        return doc

    def pipe(self, texts: Iterable[str | Document], batch_size: int = 32) -> Iterator[Document]:
        """Analyse many articles, batching model work across them.

        Output order follows input order. If a stage fails on a batch, the
        batch is retried one article at a time, so that one bad article gets
        the error (in ``doc.errors``) and the others are analysed. An article
        longer than ``piece_chars`` is analysed in pieces (``_run_in_pieces``).
        """
        check_param("Pipeline.pipe", "batch_size", batch_size,
                    isinstance(batch_size, int) and batch_size >= 1, "an int >= 1")
        for batch in batches((self.make_doc(t) for t in texts), batch_size, self.piece_chars):
            if len(batch) == 1 and is_long(batch[0].text, self.piece_chars) \
                    and self._piecewise():
                yield self._run_in_pieces(batch[0], batch_size)
            else:
                yield from self._run_batch(batch, batch_size)

    def _piecewise(self) -> list[Any]:
        """The leading stages that may run piece by piece."""
        out = []
        for stage in self.stages:
            if not getattr(stage, "piecewise", False):
                break
            out.append(stage)
        return out

    def _run_in_pieces(self, doc: Document, batch_size: int) -> Document:
        """Analyse a long article piece by piece (whole lines, at most ``piece_chars``
        each) with the piecewise stages, join the pieces, then run the other stages on
        the whole article."""
        first = self._piecewise()
        starts = split_points(doc.text, self.piece_chars or len(doc.text))
        ends = starts[1:] + [len(doc.text)]
        pieces = []
        for a, b in zip(starts, ends):
            piece = Document(doc.text[a:b], language=doc.language, **doc.meta)
            piece.warnings = list(doc.warnings)
            pieces.append(piece)
        done: list[Document] = []
        for batch in minibatch(pieces, 2):
            done.extend(self._run_batch(batch, batch_size, first))
        join_pieces(doc, done, starts, first)
        rest = self.stages[len(first):]
        if rest and not doc.errors:
            self._run_batch([doc], batch_size, rest)
        return doc

    def _run_batch(self, batch: list[Document], batch_size: int,
                   stages: Sequence[Any] | None = None) -> list[Document]:
        live = list(batch)
        for stage in self.stages if stages is None else stages:
            if not live:
                break
            try:
                out = list(_stage_pipe(stage, live, batch_size))
            except Exception as exc:  # noqa: BLE001 - retried per document below
                if len(live) == 1:
                    _fail(live[0], stage, exc)
                    live = []
                    continue
                logger.info("stage %s failed on a batch (%s); retrying per article",
                            stage.name, exc)
                out = []
                for doc in live:
                    try:
                        out.extend(_stage_pipe(stage, [doc], 1))
                    except Exception as exc1:  # noqa: BLE001 - recorded on the doc
                        _fail(doc, stage, exc1)
            for doc in out:
                if not isinstance(doc, Document):
                    raise PipelineError(Errors.E001.format(name=stage.name, got=doc))
                doc.assigned.update(getattr(stage, "assigns", ()))
            self._free(stage, out)
            live = out
        return batch


def is_long(text: str, piece_chars: int | None) -> bool:
    """Whether ``text`` is more than one piece: longer than ``piece_chars`` or holding
    more than PIECE_UNITS lines and sentence ends."""
    if piece_chars is None:
        return False
    if len(text) > piece_chars:
        return True
    n = 0
    for _ in _UNIT.finditer(text):
        n += 1
        if n > PIECE_UNITS:
            return True
    return False


class BatchRule:
    """The batching rule of ``batches``, one article at a time, from its length alone (so
    that an engine holding no texts, like the Ray driver, forms the very same batches):
    batches of at most ``batch_size`` articles and two pieces' worth of text (what the
    models hold at once follows it); an article longer than a piece is a batch alone."""

    def __init__(self, batch_size: int, piece_chars: int | None) -> None:
        self.batch_size = batch_size
        self.limit = 2 * piece_chars if piece_chars else None
        self.key = -1  # the current batch's number
        self.n = 0
        self.chars = 0
        #: the current batch takes no more articles (it is a long article's)
        self.closed = True

    def add(self, chars: int, long: bool) -> int:
        """The batch number (0, 1, ...) of the next article: ``chars`` characters long,
        ``long`` as ``is_long`` says."""
        if self.closed or long or self.n >= self.batch_size or (
                self.limit and self.chars + chars > self.limit):
            self.key, self.n, self.chars = self.key + 1, 0, 0
        self.n += 1
        self.chars += chars
        self.closed = long
        return self.key


def batch_keys(lengths: Iterable[tuple[int, bool]], batch_size: int,
               piece_chars: int | None) -> list[int]:
    """The batch number of each article of a stream, given its (characters, is_long):
    articles with the same number are the batch ``batches`` makes of them."""
    rule = BatchRule(batch_size, piece_chars)
    return [rule.add(chars, long) for chars, long in lengths]


def batches(docs: Iterable[Document], batch_size: int, piece_chars: int | None
            ) -> Iterator[list[Document]]:
    """The articles of ``docs`` in the batches of ``BatchRule``, as they come."""
    rule = BatchRule(batch_size, piece_chars)
    batch: list[Document] = []
    key = 0
    for doc in docs:
        k = rule.add(len(doc.text), is_long(doc.text, piece_chars))
        if batch and k != key:
            yield batch
            batch = []
        key = k
        batch.append(doc)
        if rule.closed:  # a long article is yielded before the next is read
            yield batch
            batch = []
    if batch:
        yield batch


def split_points(text: str, limit: int, units: int = PIECE_UNITS) -> list[int]:
    """Where the pieces of ``text`` start: each piece at most ``limit`` characters and
    ``units`` lines and sentence ends, cut after a line break when the piece has one, else
    after the last white space (a piece of one unbroken line), else at the limit."""
    ends = [m.end() for m in _UNIT.finditer(text)]
    starts = [0]
    k = 0  # ends[k] is the first unit end after the current piece's start
    while True:
        a = starts[-1]
        while k < len(ends) and ends[k] <= a:
            k += 1
        stop = a + limit
        if k + units < len(ends):
            stop = min(stop, ends[k + units - 1])
        if stop >= len(text):
            return starts
        cut = text.rfind("\n", a + 1, stop)
        if cut < 0:
            cut = max(text.rfind(" ", a + 1, stop), text.rfind("\t", a + 1, stop))
        starts.append(cut + 1 if cut > a else stop)


def shift_offsets(value: Any, delta: int) -> Any:
    """A copy of a JSON-like value with every ``start``/``end`` integer moved by ``delta``."""
    if isinstance(value, dict):
        return {k: (v + delta if k in ("start", "end") and isinstance(v, int)
                    and not isinstance(v, bool) else shift_offsets(v, delta))
                for k, v in value.items()}
    if isinstance(value, list):
        return [shift_offsets(v, delta) for v in value]
    return value


def join_pieces(doc: Document, pieces: list[Document], starts: list[int],
                stages: Sequence[Any]) -> None:
    """Write the analysis of ``pieces`` (starting at ``starts`` in ``doc.text``) onto
    ``doc``: spans shifted, warnings once, errors, list fields concatenated with their
    offsets shifted, per-sentence arrays stacked; then each stage's ``merge_pieces``."""
    import numpy as np

    for piece, off in zip(pieces, starts):
        for name, group in piece.spans.items():
            target = doc.spans[name]
            target.extend(Span(doc, s.start + off, s.end + off, s.label, s.score, s.attrs)
                          for s in group)
        for w in piece.warnings:
            if w not in doc.warnings:
                doc.warnings.append(w)
        doc.errors.extend(e for e in piece.errors if e not in doc.errors)
        doc.assigned.update(piece.assigned)
        for key, value in piece.fields.items():
            if isinstance(value, list):
                doc.fields.setdefault(key, []).extend(shift_offsets(value, off))
            else:
                doc.fields.setdefault(key, value)
    if pieces:
        doc.language = pieces[0].language
        for key, first in pieces[0].tensors.items():
            parts = [p.tensors.get(key) for p in pieces]
            if isinstance(first, np.ndarray) and all(
                    isinstance(t, np.ndarray) and len(t) == len(p.sentences)
                    for t, p in zip(parts, pieces)):
                doc.tensors[key] = np.concatenate(parts)
    for stage in stages:
        getattr(stage, "merge_pieces", lambda *a: None)(doc, pieces, starts)


def _stage_pipe(stage: Any, docs: list[Document], batch_size: int) -> Iterator[Document]:
    if hasattr(stage, "pipe"):
        return stage.pipe(docs, batch_size=batch_size)
    return (stage(d) for d in docs)


def _fail(doc: Document, stage: Any, exc: Exception) -> None:
    if isinstance(exc, PipelineError):
        raise exc
    logger.warning("stage %s failed on %s: %s", stage.name, doc.id, exc)
    doc.add_error(Errors.E009.format(name=stage.name, detail=f"{type(exc).__name__}: {exc}"))
