"""``--format parquet``: the report as flat tables, written in row groups as a run goes.

One file per table in the output folder (``articles.parquet``, ``sentences.parquet``,
``quantities.parquet``, ``spans.parquet``, ``paragraphs.parquet``, ``ledger.parquet``,
``claims.parquet``, ``evidence.parquet``); every row carries ``article_id`` (the article's
position in the run, from 0) and ``id`` (the article's own id), and every row about a
piece of text its ``start``/``end`` offsets into the article's ``text``. The columns and
their types are in ``TABLES`` and in ``claimscope/schema/parquet.md``.

A record's keys that are not columns (a field added to the report later, a user's JSONL
metadata) are kept as JSON in the table's ``extra`` column, so a new key never breaks the
writer; a value of the wrong type is written as null and kept in ``extra`` too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: Articles per row group (memory holds at most this many articles' rows).
ROW_GROUP_ARTICLES = 64

_ID = [("article_id", "int64"), ("id", "string")]
_SPAN = [("start", "int64"), ("end", "int64"), ("text", "string")]

#: table -> [(column, type)]; types: int64, double, bool, string (nested values: JSON text)
TABLES: dict[str, list[tuple[str, str]]] = {
    "articles": _ID + [("source", "string"), ("title", "string"), ("url", "string"),
                       ("published", "string"), ("outlet", "string"),
                       ("language", "string"), ("text", "string"),
                       ("n_sentences", "int64"), ("n_quantities", "int64"),
                       ("warnings", "string"), ("errors", "string"), ("actors", "string"),
                       ("frames", "string"), ("genre", "string"), ("genre_score", "double"),
                       ("extra", "string")],
    "sentences": _ID + [("index", "int64")] + _SPAN + [
        ("checkworthiness", "double"), ("subjectivity", "double"), ("extra", "string")],
    "quantities": _ID + [("index", "int64")] + _SPAN + [
        ("low", "double"), ("high", "double"), ("bound", "string"), ("approximate", "bool"),
        ("unit", "string"), ("counted", "string"), ("kind", "string"), ("extra", "string")],
    "spans": _ID + [("group", "string"), ("index", "int64")] + _SPAN + [
        ("label", "string"), ("score", "double"), ("technique", "string"), ("via", "string"),
        ("extra", "string")],
    "paragraphs": _ID + [("index", "int64"), ("start", "int64"), ("end", "int64"),
                         ("techniques", "string"), ("top_technique", "string"),
                         ("top_score", "double"), ("extra", "string")],
    "ledger": _ID + [("index", "int64")] + _SPAN + [
        ("actor", "string"), ("kind", "string"), ("polarity", "string"),
        ("domain", "string"), ("attributed_to", "string"), ("sentence_start", "int64"),
        ("sentence_end", "int64"), ("quantities", "string"), ("extra", "string")],
    "claims": _ID + [("index", "int64")] + _SPAN + [
        ("sentence_start", "int64"), ("sentence_end", "int64"), ("verdict", "string"),
        ("confidence", "double"), ("comparison", "string"), ("n_evidence", "int64"),
        ("extra", "string")],
    "evidence": _ID + [("claim_index", "int64"), ("index", "int64"), ("source", "string"),
                       ("passage", "string"), ("url", "string"), ("date", "string"),
                       ("stance", "string"), ("score", "double"), ("passage_start", "int64"),
                       ("passage_end", "int64"), ("extra", "string")],
}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _typed(value: Any, kind: str) -> tuple[bool, Any]:
    """(ok, value as the column type); not ok: the value does not fit the column."""
    if value is None:
        return True, None
    if kind == "int64":
        ok = isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
        return ok, value if ok else None
    if kind == "double":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else None
    if kind == "bool":
        return isinstance(value, bool), value if isinstance(value, bool) else None
    if isinstance(value, str):
        return True, value
    return True, _json(value)  # a nested value in a text column: JSON


def _row(table: str, record: dict[str, Any], fixed: dict[str, Any]) -> dict[str, Any]:
    """One row: ``fixed`` columns, then the record's keys that are columns, the rest in
    ``extra``."""
    row: dict[str, Any] = dict(fixed)
    extra: dict[str, Any] = {}
    columns = dict(TABLES[table])
    for key, value in record.items():
        if key in columns and key not in row and key != "extra":
            ok, row[key] = _typed(value, columns[key])
            if not ok:
                extra[key] = value
        elif key not in row:
            extra[key] = value
    row["extra"] = _json(extra) if extra else None
    return row


def article_rows(n: int, article: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for the ``n``-th article of a run."""
    ident = {"article_id": n, "id": None if article.get("id") is None else str(article["id"])}
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    skip = {"sentences", "quantities", "spans", "paragraphs", "ledger", "claims"}
    genre = article.get("genre") if isinstance(article.get("genre"), dict) else {}
    head = {k: v for k, v in article.items() if k not in skip and k != "id"}
    head.update(n_sentences=len(article.get("sentences") or []),
                n_quantities=len(article.get("quantities") or []),
                genre=genre.get("label"), genre_score=genre.get("score"))
    for key in ("warnings", "errors", "actors", "frames"):
        head[key] = _json(head.get(key))
    out["articles"].append(_row("articles", head, ident))
    for i, s in enumerate(_records(article.get("sentences"))):
        out["sentences"].append(_row("sentences", s, {**ident, "index": i}))
    for i, q in enumerate(_records(article.get("quantities"))):
        out["quantities"].append(_row("quantities", q, {**ident, "index": i}))
    spans = article.get("spans") if isinstance(article.get("spans"), dict) else {}
    for group, items in spans.items():
        for i, s in enumerate(_records(items)):
            out["spans"].append(_row("spans", s, {**ident, "group": str(group), "index": i}))
    for i, p in enumerate(_records(article.get("paragraphs"))):
        techs = _records(p.get("techniques"))
        top = techs[0] if techs else {}
        rec = {**p, "techniques": _json(p.get("techniques")),
               "top_technique": top.get("label"), "top_score": top.get("score")}
        out["paragraphs"].append(_row("paragraphs", rec, {**ident, "index": i}))
    for i, r in enumerate(_records(article.get("ledger"))):
        sent = r.get("sentence") if isinstance(r.get("sentence"), dict) else {}
        rec = {k: v for k, v in r.items() if k != "sentence"}
        rec.update(sentence_start=sent.get("start"), sentence_end=sent.get("end"),
                   quantities=_json(r.get("quantities")))
        out["ledger"].append(_row("ledger", rec, {**ident, "index": i}))
    for i, c in enumerate(_records(article.get("claims"))):
        span = c.get("span") if isinstance(c.get("span"), dict) else {}
        sent = c.get("sentence") if isinstance(c.get("sentence"), dict) else {}
        evidence = _records(c.get("evidence"))
        rec = {k: v for k, v in c.items() if k not in ("span", "sentence", "evidence")}
        rec.update(start=span.get("start", c.get("start")), end=span.get("end", c.get("end")),
                   sentence_start=sent.get("start"), sentence_end=sent.get("end"),
                   n_evidence=len(evidence))
        out["claims"].append(_row("claims", rec, {**ident, "index": i}))
        for j, ev in enumerate(evidence):
            offsets = ev.get("offsets") if isinstance(ev.get("offsets"), dict) else {}
            rec = {k: v for k, v in ev.items() if k != "offsets"}
            rec.update(passage_start=offsets.get("start"), passage_end=offsets.get("end"))
            out["evidence"].append(_row("evidence", rec,
                                        {**ident, "claim_index": i, "index": j}))
    return out


def _records(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class ParquetSink:
    """Writes the tables of ``outdir`` one row group per ROW_GROUP_ARTICLES articles, into
    temporary files renamed into place by ``close``. With ``filesystem`` (a pyarrow
    filesystem: S3, GCS, HDFS, ...), ``outdir`` is a folder path in it."""

    def __init__(self, outdir: Path | str, row_group_articles: int = ROW_GROUP_ARTICLES,
                 filesystem: Any = None) -> None:
        import pyarrow as pa

        self.fs = filesystem
        self.outdir = Path(outdir) if filesystem is None else str(outdir).rstrip("/")
        self.row_group_articles = row_group_articles
        self._types = {"int64": pa.int64(), "double": pa.float64(), "bool": pa.bool_(),
                       "string": pa.string()}
        self.schemas = {t: pa.schema([(c, self._types[k]) for c, k in cols])
                        for t, cols in TABLES.items()}
        self._writers: dict[str, Any] = {}
        self._rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
        self._pending = 0
        self.n = 0

    def _tmp(self, table: str) -> Any:
        return self._path(f".{table}.parquet.{os.getpid()}.tmp")

    def _path(self, name: str) -> Any:
        return self.outdir / name if self.fs is None else f"{self.outdir}/{name}"

    def write(self, article: dict[str, Any]) -> None:
        for table, rows in article_rows(self.n, article).items():
            self._rows[table].extend(rows)
        self.n += 1
        self._pending += 1
        if self._pending >= self.row_group_articles:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for table, rows in self._rows.items():
            if table not in self._writers:
                self._writers[table] = pq.ParquetWriter(self._tmp(table), self.schemas[table],
                                                        filesystem=self.fs)
            if rows:
                self._writers[table].write_table(
                    pa.Table.from_pylist(rows, schema=self.schemas[table]))
            self._rows[table] = []
        self._pending = 0

    def close(self, report: dict[str, Any] | None = None) -> list[Path]:
        self._flush()
        written = []
        for table, writer in self._writers.items():
            writer.close()
            path = self._path(f"{table}.parquet")
            if self.fs is None:
                os.replace(self._tmp(table), path)
            else:
                self.fs.move(self._tmp(table), path)
            written.append(path)
        self._writers = {}
        return written

    def abort(self) -> None:
        for table, writer in self._writers.items():
            try:
                writer.close()
            finally:
                if self.fs is None:
                    self._tmp(table).unlink(missing_ok=True)
                else:
                    self.fs.delete_file(self._tmp(table))
        self._writers = {}


def schema_markdown() -> str:
    """The tables and their column types, as documented in claimscope/schema/parquet.md."""
    lines = []
    for table, cols in TABLES.items():
        lines.append(f"### `{table}.parquet`\n")
        lines.append("| column | type |\n|---|---|")
        lines += [f"| `{c}` | {k} |" for c, k in cols]
        lines.append("")
    return "\n".join(lines)


# reading a run's tables back -------------------------------------------------------------

#: per table: the article key it fills, and the columns that are rebuilt (the rest, the
#: fixed columns, are dropped)
_FIXED = {"article_id", "id", "index", "extra", "group", "claim_index"}


def _rows_by_article(path: Path) -> Any:
    """(article_id, rows) of one table, in order, read a row group at a time."""
    import pyarrow.parquet as pq

    if not path.exists():
        return
    current: int | None = None
    rows: list[dict[str, Any]] = []
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            if row["article_id"] != current:
                if current is not None:
                    yield current, rows
                current, rows = row["article_id"], []
            rows.append(row)
    if current is not None:
        yield current, rows


def _record(row: dict[str, Any], drop: set[str] = _FIXED) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in drop}
    if row.get("extra"):
        out.update(json.loads(row["extra"]))
    return out


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def read_articles(folder: Path) -> Any:
    """The report articles of a run's Parquet tables in ``folder``, one at a time, rebuilt
    from the rows ``article_rows`` wrote (what the tables keep: every report field of
    schema version 1)."""
    folder = Path(folder)
    streams = {t: _rows_by_article(folder / f"{t}.parquet") for t in TABLES if t != "articles"}
    heads = {t: next(s, None) for t, s in streams.items()}

    def take(table: str, n: int) -> list[dict[str, Any]]:
        head = heads[table]
        while head is not None and head[0] < n:  # rows of an article not in articles
            head = heads[table] = next(streams[table], None)
        if head is None or head[0] != n:
            return []
        heads[table] = next(streams[table], None)
        return head[1]

    for n, rows in _rows_by_article(folder / "articles.parquet"):
        row = rows[0]
        art = _record(row, _FIXED - {"id"})
        for key in ("warnings", "errors", "actors", "frames"):
            art[key] = _loads(art.get(key)) if art.get(key) is not None else (
                [] if key != "frames" else None)
        genre, score = art.pop("genre", None), art.pop("genre_score", None)
        art["genre"] = {"label": genre, "score": score} if genre is not None else None
        art.pop("n_sentences", None)
        art.pop("n_quantities", None)
        art["sentences"] = [_record(r) for r in take("sentences", n)]
        art["quantities"] = [_record(r) for r in take("quantities", n)]
        spans: dict[str, list[dict[str, Any]]] = {}
        for r in take("spans", n):
            spans.setdefault(r["group"], []).append(
                {k: v for k, v in _record(r).items() if v is not None or k in ("label",)})
        art["spans"] = spans
        art["paragraphs"] = [
            {k: v for k, v in _record(r).items() if k not in ("top_technique", "top_score")}
            | {"techniques": _loads(r.get("techniques")) or []} for r in take("paragraphs", n)]
        ledger = []
        for r in take("ledger", n):
            rec = _record(r)
            rec["sentence"] = {"start": rec.pop("sentence_start"), "end": rec.pop("sentence_end")}
            rec["quantities"] = _loads(rec.get("quantities")) or []
            ledger.append(rec)
        art["ledger"] = ledger
        evidence: dict[int, list[dict[str, Any]]] = {}
        for r in take("evidence", n):
            rec = _record(r)
            rec["offsets"] = {"start": rec.pop("passage_start"), "end": rec.pop("passage_end")}
            evidence.setdefault(r["claim_index"], []).append(rec)
        claims = []
        for r in take("claims", n):
            rec = _record(r)
            rec["sentence"] = {"start": rec.pop("sentence_start"), "end": rec.pop("sentence_end")}
            rec.pop("n_evidence", None)
            rec["evidence"] = evidence.get(r["index"], [])
            claims.append(rec)
        if claims:
            art["claims"] = claims
        yield art
