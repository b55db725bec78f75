"""Which file format a path is, from its suffix: one table for articles and corpus sources.

``format_of("report.HTM")`` -> ``"html"``. Article readers (``claimscope.io.readers``)
read the formats in ``ARTICLE_FORMATS``; corpus sources (``claimscope.corpus.ingest``)
those in ``CORPUS_FORMATS``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SUFFIXES", "ARTICLE_FORMATS", "CORPUS_FORMATS", "format_of", "suffixes_of"]

#: file suffix -> format
SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
            ".jsonl": "jsonl", ".csv": "csv", ".pdf": "pdf"}
#: what `claimscope analyze` reads
ARTICLE_FORMATS = ("text", "html", "jsonl")
#: what `claimscope corpus add` reads
CORPUS_FORMATS = ("text", "html", "jsonl", "csv", "pdf")


def format_of(path: str | Path) -> str | None:
    """The format of a file from its suffix (any case), or None when it is not one."""
    return SUFFIXES.get(Path(path).suffix.lower())


def suffixes_of(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The suffixes of ``formats``, in the table's order."""
    return tuple(s for s, f in SUFFIXES.items() if f in formats)
