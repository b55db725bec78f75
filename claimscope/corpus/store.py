"""The reference corpus: one SQLite file with passages, an FTS5 index and embeddings.

Tables (schema version 3):

- ``meta(key, value)``: ``schema_version``, ``embedder``, ``embedding_dtype``, ``created``;
- ``documents``: one row per source (a file, or the JSONL/CSV lines sharing a source), with
  url, date, publisher, title, metadata and the content hash that makes re-adding a no-op;
  ``origin`` (the resolved path of the file it came from) and ``declared`` (1 when its
  name came from a field of the input) give it a stable identity: a file added under
  another spelling of its path is the same source, and a source name that another file
  already declares is refused (E305) instead of replacing that file's passages;
- ``passages``: text, offsets into the source document, optional per-passage url/date/
  publisher, metadata, content hash and the embedding (float16 or float32 blob);
- ``passages_fts``: an FTS5 index over passage text (external content, kept in step by
  triggers), tokenised with ``porter unicode61``.

Older stores are migrated in place when opened (``MIGRATIONS``); a newer one is refused.
Dense search is an exact cosine over all vectors held in memory up to ``ann_min`` passages
(``ANN_MIN_PASSAGES``); above it, an approximate-nearest-neighbour index (``ann.py``, saved
beside the file as ``<db>.ann``, rebuilt when the corpus changes) finds the candidates and
the stored vectors rescore them, so scores are exact cosines either way.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import sqlite3
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ClaimscopeError, Errors, Warnings, check_param
from ..text import SEARCH_STOP_WORDS
from .ingest import SourceDoc

SCHEMA_VERSION = 3
#: dense search uses the ANN index from this many passages on (exact below: ~7 ms a query
#: at 50k passages against ~1 ms for the index and its rescoring; see docs/benchmarks.md)
ANN_MIN_PASSAGES = 50_000
#: candidates asked of the index beyond the k wanted: its float16 scores are the stored
#: float16 vectors' cosines up to rounding, so a few more settle the order at the k-th place
ANN_MARGIN = 16
#: a claim's word searches with and without its date limit filter one ranking of this
#: many times k passages (a ranking costs about the same for k and for 4k)
BM25_POOL = 4
#: ``add`` embeds and writes the passages of about this many at once
CHUNK_PASSAGES = 512
DTYPES = {"float16": np.float16, "float32": np.float32}

_SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    url TEXT, date TEXT, publisher TEXT, title TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    n_passages INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    origin TEXT,
    declared INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_origin ON documents(origin);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    passage_key TEXT, url TEXT, date TEXT, publisher TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT,
    embedding BLOB
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE INDEX IF NOT EXISTS passages_date ON passages(date);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, content='passages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

#: The first released layout (kept to test the migration path): no publisher, metadata,
#: per-passage url/date or content hashes, float32 vectors, no embedder record.
SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, url TEXT, date TEXT, title TEXT,
    content_hash TEXT NOT NULL, n_passages INTEGER NOT NULL DEFAULT 0, added TEXT NOT NULL);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    embedding BLOB);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, content='passages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
INSERT INTO meta VALUES ('schema_version', '1');
"""


def _sql_text(value: str) -> str:
    """A string as an SQL literal (for a script, which takes no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    for stmt in ("ALTER TABLE documents ADD COLUMN publisher TEXT",
                 "ALTER TABLE documents ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}'",
                 "ALTER TABLE passages ADD COLUMN passage_key TEXT",
                 "ALTER TABLE passages ADD COLUMN url TEXT",
                 "ALTER TABLE passages ADD COLUMN date TEXT",
                 "ALTER TABLE passages ADD COLUMN publisher TEXT",
                 "ALTER TABLE passages ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}'",
                 "ALTER TABLE passages ADD COLUMN content_hash TEXT",
                 "CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id)",
                 "CREATE INDEX IF NOT EXISTS passages_date ON passages(date)"):
        con.execute(stmt)
    # version 1 stored float32 vectors and recorded no embedder: keep reading them as such
    con.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_dtype', 'float32')")
    rows = con.execute("SELECT id, text FROM passages").fetchall()
    con.executemany("UPDATE passages SET content_hash = ? WHERE id = ?",
                    [(hashlib.sha256(t.encode()).hexdigest(), i) for i, t in rows])


def _migrate_2_to_3(con: sqlite3.Connection) -> None:
    con.execute("ALTER TABLE documents ADD COLUMN origin TEXT")
    con.execute("ALTER TABLE documents ADD COLUMN declared INTEGER NOT NULL DEFAULT 0")
    con.execute("CREATE INDEX IF NOT EXISTS documents_origin ON documents(origin)")
    # a source named after a file that is still there: that file is its origin
    for doc_id, source in con.execute("SELECT id, source FROM documents").fetchall():
        try:
            path = Path(source)
            if path.is_file():
                con.execute("UPDATE documents SET origin = ? WHERE id = ?",
                            (str(path.resolve()), doc_id))
        except (OSError, ValueError):
            continue


#: from-version -> function migrating one step up
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2,
                                                               2: _migrate_2_to_3}


def _chunks(docs: Iterable[SourceDoc], passages: int) -> Iterator[list[SourceDoc]]:
    """Lists of consecutive sources holding at least ``passages`` passages (the last one
    what is left); a source is never split."""
    chunk: list[SourceDoc] = []
    n = 0
    for doc in docs:
        chunk.append(doc)
        n += len(doc.passages)
        if n >= passages:
            yield chunk
            chunk, n = [], 0
    if chunk:
        yield chunk


class CorpusError(ClaimscopeError):
    """The corpus file is missing, not a corpus, or from a newer claimscope."""


def _db_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SQLite's errors inside a store method into coded CorpusErrors: E306 when the
    file cannot be written, E300 for anything else (a damaged or foreign file)."""
    import functools

    @functools.wraps(method)
    def wrapper(self: CorpusStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                raise CorpusError(Errors.E306.format(path=self.path, detail=exc)) from None
            raise CorpusError(Errors.E300.format(path=self.path, detail=exc)) from None
        except sqlite3.DatabaseError as exc:
            raise CorpusError(Errors.E300.format(path=self.path, detail=exc)) from None
    return wrapper


@dataclass
class AddResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    seconds: float = 0.0
    #: coded messages of the sources that were not added (E305)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ----------------------------------------------------------------------------- FTS5 queries


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fts_query(text: str, max_terms: int = 32) -> str | None:
    """An FTS5 MATCH expression for untrusted text: each word a quoted term, OR-ed.

    Only letters and digits reach the expression, every term is double-quoted (so FTS5
    operators, column filters, ``*``, ``^``, ``NEAR`` and quotes in the input are plain
    words or dropped); returns None when nothing searchable is left.
    """
    seen: list[str] = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in SEARCH_STOP_WORDS or (len(tok) < 2 and not tok.isdigit()) or tok in seen:
            continue
        seen.append(tok)
        if len(seen) >= max_terms:
            break
    if not seen:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in seen)


def _day_number(iso: Any) -> int:
    """An ISO date as an int YYYYMMDD (0 when missing or unreadable): dates compare as ints."""
    digits = str(iso or "")[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CorpusStore:
    """A reference corpus in one SQLite file.

    The constructor only stores its parameters; the file is opened (created with
    ``create=True``, migrated when older) on first use. From ``ann_min`` passages on,
    dense search goes through the ANN index (``build_ann``; built on first search when
    missing or stale).
    """

    def __init__(self, path: str | Path, *, create: bool = False, dtype: str = "float16",
                 encoder: Any = None, ann_min: int = ANN_MIN_PASSAGES) -> None:
        check_param("CorpusStore", "dtype", dtype, dtype in DTYPES, "'float16' or 'float32'")
        check_param("CorpusStore", "ann_min", ann_min, isinstance(ann_min, int) and ann_min >= 1,
                    "an int >= 1")
        self.path = Path(path)
        self.create = create
        self.dtype = dtype
        self.encoder = encoder
        self.ann_min = ann_min
        self._con: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._vectors: tuple[str, np.ndarray, np.ndarray] | None = None
        self._dates_cache: tuple[np.ndarray, str, np.ndarray] | None = None
        self._stamp: tuple[int, int] | None = None
        self._state: tuple[tuple[int, int], int, str] | None = None
        self._ann: Any = None
        self._warned: set[str] = set()

    # connection and schema --------------------------------------------------------
    @property
    def con(self) -> sqlite3.Connection:
        if self._con is None:
            self._open()
        assert self._con is not None
        return self._con

    def _open(self) -> None:
        if not self.path.exists() and not self.create:
            raise CorpusError(Errors.E303.format(path=self.path))
        if self.path.exists() and not self.path.is_file():
            raise CorpusError(Errors.E300.format(path=self.path, detail="it is a folder"))
        try:
            if self.create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # writers wait for each other (two `corpus add` runs at once) instead of failing
            con = sqlite3.connect(str(self.path), check_same_thread=False, timeout=60)
            con.execute("PRAGMA foreign_keys = ON")
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except OSError as exc:
            raise CorpusError(Errors.E306.format(path=self.path, detail=exc.strerror or exc)) \
                from None
        except sqlite3.DatabaseError as exc:
            raise CorpusError(Errors.E300.format(path=self.path, detail=exc)) from exc
        if not tables:
            if not self.create:
                con.close()
                raise CorpusError(Errors.E300.format(path=self.path, detail="empty database"))
            # one transaction: a second `corpus add` creating the same file at the same
            # moment sees no tables or all of them, never a half-made corpus
            meta = [("schema_version", str(SCHEMA_VERSION)), ("embedding_dtype", self.dtype),
                    ("embedder", self._embedder_name()), ("created", _now())]
            inserts = "".join(f"INSERT OR IGNORE INTO meta VALUES ({_sql_text(k)}, "
                              f"{_sql_text(v)});\n" for k, v in meta)
            try:
                con.executescript("BEGIN IMMEDIATE;\n" + _SCHEMA_V2 + inserts + "COMMIT;\n")
            except sqlite3.DatabaseError as exc:
                con.close()
                raise CorpusError(Errors.E306.format(path=self.path, detail=exc)) from None
        elif "meta" not in tables or "passages" not in tables:
            con.close()
            raise CorpusError(Errors.E300.format(path=self.path,
                                                 detail="no meta/passages tables"))
        else:
            try:
                self._migrate(con)
            except sqlite3.DatabaseError as exc:
                con.close()
                raise CorpusError(Errors.E300.format(path=self.path, detail=exc)) from None
        self._con = con

    def _migrate(self, con: sqlite3.Connection) -> None:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else 1
        if version > SCHEMA_VERSION:
            con.close()
            raise CorpusError(Errors.E301.format(path=self.path, got=version,
                                                 expected=SCHEMA_VERSION))
        while version < SCHEMA_VERSION:
            with con:
                MIGRATIONS[version](con)
                version += 1
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                            (str(version),))
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            (f"migrated_to_{version}", _now()))

    def check(self) -> dict[str, Any]:
        """Read the whole corpus once (tables, index, every vector) and return its stats:
        a truncated or foreign file is E300 here, before any article is analysed, and a
        corpus embedded with another model E304."""
        try:
            stats = self.stats()
            self.search_bm25("check", 1)
            if stats["passages"] < self.ann_min:
                self.vectors()
            else:  # the vectors are not held in memory: check their size in SQL
                self._check_widths()
            problem = self.con.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise CorpusError(Errors.E300.format(path=self.path, detail=exc)) from exc
        if problem != "ok":
            raise CorpusError(Errors.E300.format(path=self.path, detail=problem))
        return stats

    def _embedder_name(self) -> str:
        from .embed import EMBEDDER

        return getattr(self.encoder, "name", None) or EMBEDDER

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        self._vectors = None
        self._ann = None
        self._state = None

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @_db_errors
    def meta(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT key, value FROM meta").fetchall())

    @property
    def schema_version(self) -> int:
        return int(self.meta().get("schema_version", 1))

    def _encoder(self) -> Any:
        if self.encoder is None:
            from .embed import default_encoder

            self.encoder = default_encoder()
        return self.encoder

    # writing ------------------------------------------------------------------------
    def check_embedder(self) -> None:
        """E304 when the corpus was embedded with another model than this store's."""
        stored = self.meta().get("embedder")
        if stored and stored != self._embedder_name():
            raise CorpusError(Errors.E304.format(path=self.path, got=stored,
                                                 expected=self._embedder_name()))

    def _existing(self, doc: SourceDoc) -> tuple[int, str, str | None, str] | None:
        """(id, content hash, origin, source) of the stored source ``doc`` is: the same
        declared name, or the same file for a file-derived source."""
        cols = "SELECT id, content_hash, origin, source FROM documents"
        if not doc.declared and doc.origin:
            row = self.con.execute(f"{cols} WHERE origin = ? AND declared = 0",
                                   (doc.origin,)).fetchone()
            if row:
                return row
        return self.con.execute(f"{cols} WHERE source = ?", (doc.source,)).fetchone()

    def _conflict(self, doc: SourceDoc, row: tuple | None) -> str | None:
        if row is None or not doc.origin or not row[2] or row[2] == doc.origin:
            return None
        return Errors.E305.format(source=doc.source, origin=doc.origin, other=row[2])

    @_db_errors
    def add(self, docs: Iterable[SourceDoc], *, batch_size: int = 64,
            progress: Callable[[int], None] | None = None,
            chunk_passages: int = CHUNK_PASSAGES) -> AddResult:
        """Add or update source documents; an unchanged document (same hash) is skipped,
        and a source whose name another file already holds is refused (``errors``).

        The sources come in chunks of about ``chunk_passages`` passages: the passages of a
        chunk are embedded together (sorted by length, in batches run side by side on
        every core) and written in one transaction; ``progress(n)`` is called with the
        passages of each source written. Safe to run twice at once on one file: each
        source is checked again inside the locked transaction that writes it, so the
        second run finds it unchanged."""
        import time

        t0 = time.perf_counter()
        result = AddResult()
        self.check_embedder()
        meta = self.meta()
        dtype = DTYPES[meta.get("embedding_dtype", self.dtype)]
        with self._lock:
            for chunk in _chunks(docs, chunk_passages):
                self._add_chunk(chunk, dtype, result, progress)
            self._vectors = None
        result.seconds = round(time.perf_counter() - t0, 3)
        return result

    def _settled(self, doc: SourceDoc, row: Any, digest: str, result: AddResult) -> bool:
        """Is there nothing to write for ``doc`` (its stored ``row``, if any)? A source name
        another file holds goes to ``result.errors``, an unchanged one to ``unchanged``."""
        if row and (conflict := self._conflict(doc, row)):
            result.errors.append(conflict)
            return True
        if row and row[1] == digest:
            result.unchanged += 1
            return True
        return False

    def _add_chunk(self, chunk: list[SourceDoc], dtype: Any, result: AddResult,
                   progress: Callable[[int], None] | None) -> None:
        todo: list[tuple[SourceDoc, str]] = []
        for doc in chunk:
            row = self._existing(doc)
            if row and not doc.declared:
                doc.source = row[3]  # the same file, spelt another way: keep its name
            digest = doc.content_hash
            if not self._settled(doc, row, digest, result):
                todo.append((doc, digest))
        texts = [p.text for doc, _ in todo for p in doc.passages]
        vecs = self._encoder().embed(texts) if texts else np.zeros((0, 384), np.float32)
        self.con.execute("BEGIN IMMEDIATE")  # one writer at a time, re-read inside
        written: list[int] = []
        try:
            at = 0
            for doc, digest in todo:
                first, at = at, at + len(doc.passages)
                row = self._existing(doc)
                if self._settled(doc, row, digest, result):
                    continue
                if row:
                    self.con.execute("DELETE FROM passages WHERE doc_id = ?", (row[0],))
                    self.con.execute("DELETE FROM documents WHERE id = ?", (row[0],))
                    result.updated += 1
                else:
                    result.added += 1
                cur = self.con.execute(
                    "INSERT INTO documents (source, url, date, publisher, title, metadata, "
                    "content_hash, n_passages, added, origin, declared) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc.source, doc.url, doc.date, doc.publisher, doc.title,
                     json.dumps(doc.metadata, ensure_ascii=False), digest,
                     len(doc.passages), _now(), doc.origin, int(doc.declared)))
                doc_id = cur.lastrowid
                self.con.executemany(
                    "INSERT INTO passages (doc_id, ord, text, start, \"end\", passage_key, "
                    "url, date, publisher, metadata, content_hash, embedding) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(doc_id, i, p.text, p.start, p.end, p.key, p.url, p.date, p.publisher,
                      json.dumps(p.metadata, ensure_ascii=False, default=str),
                      hashlib.sha256(p.text.encode()).hexdigest(),
                      vecs[first + i].astype(dtype).tobytes())
                     for i, p in enumerate(doc.passages)])
                result.passages += len(doc.passages)
                written.append(len(doc.passages))
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        if progress:
            for n in written:
                progress(n)

    @_db_errors
    def remove(self, source: str) -> int:
        """Remove a source (exact name) and its passages; return how many sources went."""
        with self._lock, self.con:
            n = self.con.execute("DELETE FROM documents WHERE source = ?", (source,)).rowcount
            self._vectors = None
        return n

    # reading ------------------------------------------------------------------------
    @_db_errors
    def sources(self) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT source, publisher, date, url, title, n_passages, added, content_hash "
            "FROM documents ORDER BY source").fetchall()
        keys = ("source", "publisher", "date", "url", "title", "passages", "added",
                "content_hash")
        return [dict(zip(keys, r)) for r in rows]

    @_db_errors
    def content_hash(self) -> str:
        """sha256 over the sorted content hashes of every source: changes iff content does."""
        h = hashlib.sha256()
        for (digest,) in self.con.execute("SELECT content_hash FROM documents ORDER BY source"):
            h.update(digest.encode())
        return h.hexdigest()

    @_db_errors
    def count(self) -> int:
        return int(self.con.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    @_db_errors
    def stats(self) -> dict[str, Any]:
        """What a report records about the corpus (the ``generator.corpus`` block)."""
        meta = self.meta()
        return {"db": self.path.name, "passages": self.count(),
                "sources": int(self.con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]),
                "content_sha256": self.content_hash(),
                "schema_version": int(meta.get("schema_version", 1)),
                "embedder": meta.get("embedder"),
                "bytes": self.path.stat().st_size if self.path.exists() else None}

    @_db_errors
    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, float32 matrix of unit vectors), cached until the content changes."""
        with self._lock:
            # the content hash reads every source's row: only when the file may have
            # changed (another connection's write, or one of this connection's)
            stamp = (self.con.execute("PRAGMA data_version").fetchone()[0],
                     self.con.total_changes)
            if self._vectors is not None and self._stamp == stamp:
                return self._vectors[1], self._vectors[2]
            digest = self.content_hash()
            self._stamp = stamp
            if self._vectors is None or self._vectors[0] != digest:
                self.check_embedder()
                dtype = self._stored_dtype()
                rows = self.con.execute(
                    "SELECT id, embedding FROM passages WHERE embedding IS NOT NULL "
                    "ORDER BY id").fetchall()
                width = 384 * dtype.itemsize
                bad = next((r[0] for r in rows if not isinstance(r[1], bytes)
                            or len(r[1]) != width), None)
                if bad is not None:
                    self._bad_vector(bad, dtype)
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                mat = (np.stack([np.frombuffer(r[1], dtype=dtype) for r in rows]).astype(np.float32)
                       if rows else np.zeros((0, 384), np.float32))
                self._vectors = (digest, ids, mat)
            return self._vectors[1], self._vectors[2]

    def _stored_dtype(self) -> np.dtype:
        return np.dtype(DTYPES.get(self.meta().get("embedding_dtype", "float32"), np.float32))

    def _bad_vector(self, pid: int, dtype: np.dtype) -> None:
        raise CorpusError(Errors.E300.format(
            path=self.path, detail=f"passage {pid}'s embedding is not 384 {dtype.name} values"))

    def _check_widths(self) -> None:
        """E300 unless every stored vector is 384 values of the stored type (read in SQL,
        not into memory)."""
        dtype = self._stored_dtype()
        row = self.con.execute(
            "SELECT id FROM passages WHERE embedding IS NOT NULL AND (typeof(embedding) != "
            "'blob' OR length(embedding) != ?) LIMIT 1", (384 * dtype.itemsize,)).fetchone()
        if row:
            self._bad_vector(row[0], dtype)

    def _embeddings(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of passages ``ids`` (float32, in that order), read from the
        file."""
        dtype = self._stored_dtype()
        width = 384 * dtype.itemsize
        out = np.zeros((len(ids), 384), np.float32)
        where = {int(pid): i for i, pid in enumerate(ids)}
        keys = list(where)
        for a in range(0, len(keys), 900):  # under SQLite's limit of bound parameters
            part = keys[a:a + 900]
            for pid, blob in self.con.execute(
                    f"SELECT id, embedding FROM passages WHERE id IN ({','.join('?' * len(part))})",
                    part):
                if not isinstance(blob, bytes) or len(blob) != width:
                    self._bad_vector(pid, dtype)
                out[where[pid]] = np.frombuffer(blob, dtype=dtype)
        return out

    @_db_errors
    def cosines(self, ids: Iterable[int], vector: np.ndarray) -> np.ndarray:
        """Exact cosines of ``vector`` with the stored vectors of passages ``ids``."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if self._ann_index() is None:  # exact search: the vectors are in memory anyway
            all_ids, mat = self.vectors()
            rows = np.searchsorted(all_ids, ids)
            return mat[rows] @ vector.astype(np.float32)
        return self._embeddings(ids) @ vector.astype(np.float32)

    # the ANN index -------------------------------------------------------------------
    @property
    def ann_path(self) -> Path:
        """Where the ANN index is saved: beside the corpus file."""
        return self.path.with_name(self.path.name + ".ann")

    def _corpus_state(self) -> tuple[int, str]:
        """(passages, stamp of the content the ANN index must match), read again only when
        the file may have changed."""
        with self._lock:
            key = (self.con.execute("PRAGMA data_version").fetchone()[0],
                   self.con.total_changes)
            if self._state is None or self._state[0] != key:
                n, top = self.con.execute(
                    "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM passages").fetchone()
                meta = self.meta()
                parts = (self.content_hash(), str(n), str(top), meta.get("embedder") or "",
                         meta.get("embedding_dtype") or "")
                self._state = (key, int(n),
                               hashlib.sha256("|".join(parts).encode()).hexdigest())
            return self._state[1], self._state[2]

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(message, stacklevel=4)

    @_db_errors
    def ann_due(self) -> bool:
        """Whether dense search would build the ANN index first: the corpus has
        ``ann_min`` passages or more, FAISS is installed, and no index matches the content."""
        from . import ann

        n, stamp = self._corpus_state()
        if n < self.ann_min or not ann.available():
            return False
        if self._ann is not None and self._ann.stamp == stamp:
            return False
        return ann.AnnIndex.read_stamp(self.ann_path) != stamp

    @_db_errors
    def build_ann(self, progress: Callable[[str], None] | None = None) -> None:
        """Build the ANN index over every stored vector and save it beside the corpus (kept
        in memory only, with a warning, when that folder cannot be written)."""
        from ..models.runtime import default_threads
        from .ann import AnnIndex

        with self._lock:
            self.check_embedder()
            _, stamp = self._corpus_state()  # before reading: a write meanwhile makes it stale
            rows = self.con.execute(
                "SELECT p.id, COALESCE(p.date, d.date, '') FROM passages p "
                "JOIN documents d ON d.id = p.doc_id WHERE p.embedding IS NOT NULL").fetchall()
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            days = np.fromiter((_day_number(r[1]) for r in rows), dtype=np.int64,
                               count=len(rows))
            del rows
            dtype = self._stored_dtype()
            self._check_widths()

            def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
                cur = self.con.execute("SELECT id, embedding FROM passages "
                                       "WHERE embedding IS NOT NULL ORDER BY id")
                while batch := cur.fetchmany(65536):
                    yield (np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch)),
                           np.frombuffer(b"".join(r[1] for r in batch), dtype=dtype)
                           .reshape(len(batch), 384).astype(np.float32))

            index = AnnIndex.build(ids, days, stamp, self._embeddings, chunks(),
                                   threads=default_threads(), progress=progress)
            self._ann = index
            try:
                index.save(self.ann_path)
            except OSError as exc:
                self._warn_once(Warnings.W302.format(path=self.ann_path,
                                                     detail=exc.strerror or exc))

    def _ann_index(self) -> Any:
        """The ANN index dense search uses, or None for exact search (a corpus under
        ``ann_min`` passages, or no FAISS: W303 once)."""
        from . import ann

        n, stamp = self._corpus_state()
        if n < self.ann_min:
            return None
        with self._lock:
            if self._ann is not None and self._ann.stamp == stamp:
                return self._ann
            if not ann.available():
                self._warn_once(Warnings.W303.format(n=n, path=self.path))
                return None
            if ann.AnnIndex.read_stamp(self.ann_path) == stamp:
                self._ann = ann.AnnIndex.load(self.ann_path)
                if self._ann is not None and self._ann.stamp == stamp:
                    return self._ann
            self._ann = None
            warnings.warn(Warnings.W301.format(n=n, path=self.ann_path), stacklevel=4)
            self.build_ann()
            return self._ann

    def _dates(self) -> np.ndarray:
        """Each vector row's passage date as an int YYYYMMDD (0 when undated), cached with
        the vectors."""
        ids, _ = self.vectors()
        with self._lock:
            if self._dates_cache is None or len(self._dates_cache[0]) != len(ids) \
                    or self._dates_cache[1] != self._vectors[0]:
                rows = dict(self.con.execute(
                    "SELECT p.id, COALESCE(p.date, d.date, '') FROM passages p "
                    "JOIN documents d ON d.id = p.doc_id"))
                self._dates_cache = (ids, self._vectors[0], np.array(
                    [_day_number(rows.get(int(i))) for i in ids], dtype=np.int64))
            return self._dates_cache[2]

    @_db_errors
    def search_bm25(self, text: str, k: int = 50, *,
                    max_date: str | None = None) -> list[tuple[int, float]]:
        """(passage id, bm25 score, higher is better) for the words of ``text``; with
        ``max_date`` (ISO), only passages dated on or before it."""
        return self.search_bm25_dated(text, k, max_dates=[max_date])[0]

    @_db_errors
    def search_bm25_dated(self, text: str, k: int = 50, *,
                          max_dates: Sequence[str | None] = (None,)
                          ) -> list[list[tuple[int, float]]]:
        """``search_bm25`` for each of ``max_dates`` (None: no date limit), from one
        ranking of the corpus (see ``_match_dated``)."""
        return self._match_dated(fts_query(text), k, max_dates)

    @_db_errors
    def search_figures(self, figures: list[str], words: list[str], k: int = 50, *,
                       max_date: str | None = None) -> list[tuple[int, float]]:
        """(passage id, bm25 score) of passages that state one of ``figures`` as written
        ("23,000" is the phrase "23 000") and share a word of ``words`` with the claim."""
        return self.search_figures_dated(figures, words, k, max_dates=[max_date])[0]

    @_db_errors
    def search_figures_dated(self, figures: list[str], words: list[str], k: int = 50, *,
                             max_dates: Sequence[str | None] = (None,)
                             ) -> list[list[tuple[int, float]]]:
        """``search_figures`` for each of ``max_dates``, from one ranking of the corpus."""
        # "11,0*": the phrase "11 0" with its last token a prefix (the index splits 11,078)
        terms = [(" ".join(_TOKEN.findall(f.lower())), f.endswith("*")) for f in figures]
        phrases = ['"' + t.replace('"', '""') + '"' + ("*" if star else "")
                   for t, star in terms if t]
        context = fts_query(" ".join(words), max_terms=12)
        query = f"({' OR '.join(phrases)}) AND ({context})" if phrases and context else None
        return self._match_dated(query, k, max_dates)

    def _match_dated(self, query: str | None, k: int,
                     max_dates: Sequence[str | None]) -> list[list[tuple[int, float]]]:
        """The best ``k`` matches of ``query`` for each date limit. Ranking is most of the
        cost of a word search in a large corpus and a claim's date limits only filter
        it, so the best ``BM25_POOL * k`` are ranked once and filtered by each limit;
        a limit that leaves fewer than ``k`` of them is ranked on its own."""
        if query is None:
            return [[] for _ in max_dates]
        if len(max_dates) == 1:
            return [self._match(query, k, max_dates[0])]
        pool = k * BM25_POOL
        rows = self.con.execute(
            "SELECT r.id, r.score, COALESCE(p.date, d.date) FROM (SELECT passages_fts.rowid "
            "AS id, -bm25(passages_fts) AS score FROM passages_fts WHERE passages_fts "
            "MATCH ? ORDER BY bm25(passages_fts), passages_fts.rowid LIMIT ?) AS r "
            "JOIN passages p ON p.id = r.id JOIN documents d ON d.id = p.doc_id "
            "ORDER BY r.score DESC, r.id", (query, int(pool))).fetchall()
        out = []
        for max_date in max_dates:
            kept = [(int(i), float(sc)) for i, sc, day in rows
                    if max_date is None or (day is not None and day <= max_date)]
            if len(kept) >= k or len(rows) < pool:
                out.append(kept[:k])
            else:
                out.append(self._match(query, k, max_date))
        return out

    def _match(self, query: str, k: int, max_date: str | None) -> list[tuple[int, float]]:
        # ties (a daily report repeats a sentence) go by passage id, so that a ranking
        # filtered by date is the ranking of the passages of that date
        if max_date is None:
            sql = ("SELECT passages_fts.rowid, -bm25(passages_fts) FROM passages_fts "
                   "WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts), "
                   "passages_fts.rowid LIMIT ?")
            args: tuple[Any, ...] = (query, int(k))
        else:
            sql = ("SELECT passages_fts.rowid, -bm25(passages_fts) FROM passages_fts "
                   "JOIN passages p ON p.id = passages_fts.rowid "
                   "JOIN documents d ON d.id = p.doc_id "
                   "WHERE passages_fts MATCH ? AND COALESCE(p.date, d.date) <= ? "
                   "ORDER BY bm25(passages_fts), passages_fts.rowid LIMIT ?")
            args = (query, max_date, int(k))
        return [(int(r[0]), float(r[1])) for r in self.con.execute(sql, args)]

    @_db_errors
    def search_dense(self, vector: np.ndarray, k: int = 50, *,
                     max_date: str | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine) of the ``k`` nearest passages (on or before ``max_date``):
        exact below ``ann_min`` passages, else the ANN index's candidates rescored exactly."""
        index = self._ann_index()
        if index is not None:
            vector = vector.astype(np.float32)
            day = None if max_date is None else _day_number(max_date)
            found = index.search(vector, k + ANN_MARGIN, day)
            if len(found) == 0:
                return []
            sims = self._embeddings(found) @ vector
            top = np.argsort(-sims, kind="stable")[:k]
            return [(int(found[i]), float(sims[i])) for i in top]
        ids, mat = self.vectors()
        if len(ids) == 0:
            return []
        sims = mat @ vector.astype(np.float32)
        if max_date is not None:
            dates = self._dates()
            sims = np.where(dates <= _day_number(max_date), sims, -np.inf)
            k = min(k, int(np.isfinite(sims).sum()))
            if k == 0:
                return []
        k = min(k, len(ids))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(ids[i]), float(sims[i])) for i in top]

    @_db_errors
    def passages(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Passage records by id, with the source's url/date/publisher as fallbacks."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.con.execute(
            f"SELECT p.id, p.text, p.start, p.\"end\", p.passage_key, "
            f"COALESCE(p.url, d.url), COALESCE(p.date, d.date), "
            f"COALESCE(p.publisher, d.publisher), p.metadata, d.source, d.title "
            f"FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})",
            ids).fetchall()
        out = {}
        for r in rows:
            out[r[0]] = {"id": r[0], "text": r[1], "start": r[2], "end": r[3], "key": r[4],
                         "url": r[5], "date": r[6], "publisher": r[7],
                         "metadata": json.loads(r[8] or "{}"), "source": r[9], "title": r[10]}
        return out
