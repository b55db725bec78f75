"""Stages and the Pipeline that runs them over Documents.

A stage is ``stage(doc) -> doc``. It declares the attributes it ``requires``
and ``assigns`` (names such as ``"doc.sentences"`` or
``"sentences.checkworthiness"``); the Pipeline checks the order once, when it
is built. Model stages split ``predict(docs)`` (the model, no Document
writes) from ``set_annotations(docs, preds)`` (writes, no model), and get
batching for free from ``Stage.pipe``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, ClassVar

from .document import Document
from .errors import Errors, PipelineError, check_param

logger = logging.getLogger(__name__)


class Stage:
    """Base class of pipeline stages."""

    name: ClassVar[str] = "stage"
    assigns: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()

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
    """An ordered list of stages, checked for their requirements when built."""

    def __init__(self, stages: Sequence[Any]) -> None:
        self.stages = list(stages)
        self._check_order()

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
        return doc

    def pipe(self, texts: Iterable[str | Document], batch_size: int = 32) -> Iterator[Document]:
        """Analyse many articles, batching model work across them.

        Output order follows input order. If a stage fails on a batch, the
        batch is retried one article at a time, so that one bad article gets
        the error (in ``doc.errors``) and the others are analysed.
        """
        check_param("Pipeline.pipe", "batch_size", batch_size,
                    isinstance(batch_size, int) and batch_size >= 1, "an int >= 1")
        for batch in minibatch((self.make_doc(t) for t in texts), batch_size):
            yield from self._run_batch(batch, batch_size)

    def _run_batch(self, batch: list[Document], batch_size: int) -> list[Document]:
        live = list(batch)
        for stage in self.stages:
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
            live = out
        return batch


def _stage_pipe(stage: Any, docs: list[Document], batch_size: int) -> Iterator[Document]:
    if hasattr(stage, "pipe"):
        return stage.pipe(docs, batch_size=batch_size)
    return (stage(d) for d in docs)


def _fail(doc: Document, stage: Any, exc: Exception) -> None:
    if isinstance(exc, PipelineError):
        raise exc
    logger.warning("stage %s failed on %s: %s", stage.name, doc.id, exc)
    doc.add_error(Errors.E009.format(name=stage.name, detail=f"{type(exc).__name__}: {exc}"))
