"""Analysed articles read back: a run's JSONL or Parquet output, or the analysis store.

``compare`` (and anything else) can take a collection analysed once and read it as
often as needed:

- a run folder (``claimscope analyze -o OUT --format jsonl`` or ``parquet``): its
  ``report.jsonl`` (or ``report.jsonl.partial`` of a run that was stopped), else its
  Parquet tables;
- a ``.jsonl`` file of report articles (one article object of the JSON report a line);
- a ``report.json`` file;
- a ``.parquet`` table of a run (its folder's tables are read together);
- an analysis store (``claimscope serve``'s SQLite file, ``claimscope.store``).

Each yields the article objects of the report (schema version 1), one at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["analysed_kind", "read_analysed"]


def _report_line(path: Path) -> bool:
    """Is the first line of ``path`` an article of a report (not an input article)?"""
    from .safe import loads_bounded

    try:
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    obj = loads_bounded(raw)  # a hostile line nests 100,000 deep
                    return isinstance(obj, dict) and isinstance(obj.get("sentences"), list) \
                        and isinstance(obj.get("spans"), dict) and "text" in obj
    except (OSError, ValueError):
        return False
    return False


def _is_store(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            cols = {r[1] for r in con.execute("PRAGMA table_info(articles)")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return {"store_id", "article", "content_hash"} <= cols


def analysed_kind(path: str | Path) -> str | None:
    """``"jsonl"``, ``"json"``, ``"parquet"`` or ``"store"`` when ``path`` holds analysed
    articles (see the module doc), else None (an input to analyse)."""
    path = Path(path)
    if path.is_dir():
        if (path / "report.jsonl").is_file() or (path / "report.jsonl.partial").is_file():
            return "jsonl"
        if (path / "articles.parquet").is_file():
            return "parquet"
        return None
    if not path.is_file():
        return None
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl" if _report_line(path) else None
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".json" and path.stat().st_size < 500_000_000:
        try:
            with path.open("rb") as fh:
                head = fh.read(4096)
            return "json" if b'"schema_version"' in head and b'"articles"' in \
                path.read_bytes() else None
        except OSError:
            return None
    if suffix in (".db", ".sqlite", ".sqlite3") and _is_store(path):
        return "store"
    return None


def read_analysed(path: str | Path) -> Iterator[dict[str, Any]]:
    """The report articles ``path`` holds (see ``analysed_kind``), one at a time."""
    from .safe import loads_bounded

    path = Path(path)
    kind = analysed_kind(path)
    if kind == "jsonl":
        if path.is_dir():
            path = path / "report.jsonl" if (path / "report.jsonl").is_file() else \
                path / "report.jsonl.partial"
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    try:
                        obj = loads_bounded(raw)
                    except ValueError:
                        continue  # a half-written last line of a stopped run
                    if isinstance(obj, dict):
                        yield obj
    elif kind == "json":
        report = loads_bounded(path.read_bytes())
        yield from (a for a in report.get("articles", []) if isinstance(a, dict))
    elif kind == "parquet":
        from .parquet import read_articles

        yield from read_articles(path if path.is_dir() else path.parent)
    elif kind == "store":
        from ..store import AnalysisStore

        with AnalysisStore(path) as store:
            yield from store.iter_articles()
    else:
        raise ValueError(f"{path} holds no analysed articles")
