"""A store of analysed articles: report-v1 article dicts in one SQLite file.

    from claimscope.store import AnalysisStore
    store = AnalysisStore("analyses.db")
    art_id = store.add(doc.to_dict(), generator=report["generator"])
    store.get(art_id)                       # the article dict, as it was added
    store.filter(outlet="Outlet A", technique="Loaded language", q="rockets")

Each article is keyed by an id (``store_id``, 16 hex digits of its content hash) and by
the content hash itself (sha256 of its text and metadata): adding the same article twice
gives the same id and stores it once. The article's own ``id`` field is kept as it came.

The file is in WAL mode; every call opens its own short transaction on a connection of
the calling thread (``BEGIN IMMEDIATE`` for writes, with a busy timeout), so several
threads or processes may add at once and none loses a write. Full-text search is SQLite
FTS5 over the title, outlet and text; the query is built from the words of the user's
text only (``claimscope.corpus.fts_query``), so no FTS5 syntax can be injected; every
word must match.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import ClaimscopeError, Errors, check_param
from .render._format import technique_key

__all__ = ["AnalysisStore", "StoreError", "content_hash", "default_store_path",
           "technique_key", "STORE_SCHEMA_VERSION"]

STORE_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    store_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    article_id TEXT, title TEXT, outlet TEXT, url TEXT, published TEXT, day TEXT,
    genre TEXT, sentences INTEGER NOT NULL DEFAULT 0,
    checkworthy INTEGER NOT NULL DEFAULT 0, opinion INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    article TEXT NOT NULL,
    generator TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet);
CREATE INDEX IF NOT EXISTS articles_day ON articles(day);
CREATE TABLE IF NOT EXISTS facets (
    store_id TEXT NOT NULL REFERENCES articles(store_id) ON DELETE CASCADE,
    kind TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (store_id, kind, value)
);
CREATE INDEX IF NOT EXISTS facets_value ON facets(kind, value);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    store_id UNINDEXED, title, outlet, text, tokenize='porter unicode61 remove_diacritics 2');
"""
FACET_KINDS = ("technique", "verdict", "actor")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class StoreError(ClaimscopeError):
    """The analysis store cannot be opened or is not a claimscope store."""


def default_store_path() -> Path:
    """``analyses.db`` in the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("claimscope", appauthor=False)) / "analyses.db"


def content_hash(article: dict[str, Any]) -> str:
    """sha256 of an article's text and metadata: the same article gives the same hash."""
    keys = ("text", "title", "url", "outlet", "published")
    payload = json.dumps([article.get(k) for k in keys], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _day(value: Any) -> str | None:
    m = _DAY.search(str(value or ""))
    return "-".join(m.groups()) if m else None


def _share(sentences: list[Any], key: str) -> int:
    return sum(1 for s in sentences if isinstance(s, dict)
               and isinstance(s.get(key), (int, float)) and s[key] >= 0.5)


def _facets(article: dict[str, Any]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {k: Counter() for k in FACET_KINDS}
    spans = article.get("spans") if isinstance(article.get("spans"), dict) else {}
    for s in spans.get("persuasion") or []:
        if isinstance(s, dict) and (s.get("technique") or s.get("label")):
            out["technique"][technique_key(s.get("technique") or s.get("label"))] += 1
    for c in article.get("claims") or []:
        if isinstance(c, dict) and c.get("verdict"):
            out["verdict"][str(c["verdict"])] += 1
    for a in article.get("actors") or []:
        if isinstance(a, dict) and a.get("name"):
            out["actor"][str(a["name"])] += int(a.get("mentions") or 1)
    if not out["actor"]:
        for s in spans.get("actors") or []:
            if isinstance(s, dict) and s.get("label"):
                out["actor"][str(s["label"])] += 1
    return out


class AnalysisStore:
    """Analysed articles in one SQLite file (see the module doc).

    The constructor only stores its parameters; the file is created (with its folder) on
    first use.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        check_param("AnalysisStore", "path", path, isinstance(path, (str, Path)),
                    "a file path (str or Path)")
        self.path = Path(path)
        self.timeout = timeout
        self._local = threading.local()
        self._ready = False
        self._init_lock = threading.Lock()

    # connection ------------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            with self._init_lock:
                if not self._ready:
                    self._init()
            con = self._connect()
            self._local.con = con
        return con

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(str(self.path), timeout=self.timeout,
                                  isolation_level=None, check_same_thread=False)
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(Errors.E520.format(path=self.path, detail=exc)) from exc
        return con

    def _init(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Switching a new file to WAL needs an exclusive lock, and SQLite answers "locked"
        # at once (no busy wait) when two connections race for it, so the first use retries
        # with a short back-off until the busy timeout has passed.
        deadline = time.monotonic() + self.timeout
        pause = 0.01
        while True:
            try:
                self._init_once()
                return
            except StoreError as exc:
                busy = isinstance(exc.__cause__, sqlite3.OperationalError) and any(
                    w in str(exc.__cause__) for w in ("locked", "busy"))
                if not busy or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _init_once(self) -> None:
        con = self._connect()
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "articles" not in tables:
                raise StoreError(Errors.E520.format(
                    path=self.path, detail="it is another SQLite database (no articles table)"))
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    con.execute(statement)
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                            (str(STORE_SCHEMA_VERSION),))
            elif int(row[0]) > STORE_SCHEMA_VERSION:
                raise StoreError(Errors.E520.format(
                    path=self.path, detail=f"schema version {row[0]} is newer than this "
                                           f"claimscope reads ({STORE_SCHEMA_VERSION})"))
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise StoreError(Errors.E520.format(path=self.path, detail=exc)) from exc
        finally:
            if con.in_transaction:
                con.execute("ROLLBACK")
            con.close()
        self._ready = True

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def __enter__(self) -> AnalysisStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # writing ---------------------------------------------------------------------------
    def add(self, article: dict[str, Any], *, generator: dict[str, Any] | None = None) -> str:
        """Store a report-v1 article dict; return its store id (the same for the same
        article, which is then stored once)."""
        check_param("AnalysisStore.add", "article", type(article).__name__,
                    isinstance(article, dict) and isinstance(article.get("text"), str),
                    "a report-v1 article dict with a 'text' string")
        digest = content_hash(article)
        store_id = digest[:16]
        sentences = article.get("sentences") if isinstance(article.get("sentences"), list) \
            else []
        genre = article.get("genre") if isinstance(article.get("genre"), dict) else {}
        row = (store_id, digest, _str(article.get("id")), _str(article.get("title")),
               _str(article.get("outlet")), _str(article.get("url")),
               _str(article.get("published")), _day(article.get("published")),
               _str(genre.get("label")), len(sentences), _share(sentences, "checkworthiness"),
               _share(sentences, "subjectivity"), _now(),
               json.dumps(article, ensure_ascii=False), json.dumps(generator or {}))
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            old = con.execute("SELECT 1 FROM articles WHERE store_id = ?",
                              (store_id,)).fetchone()
            if old is None:
                con.execute("INSERT INTO articles (store_id, content_hash, article_id, title, "
                            "outlet, url, published, day, genre, sentences, checkworthy, "
                            "opinion, added, article, generator) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            else:  # the same content analysed again (perhaps with a corpus): keep the latest
                con.execute("UPDATE articles SET genre = ?, sentences = ?, checkworthy = ?, "
                            "opinion = ?, added = ?, article = ?, generator = ? "
                            "WHERE store_id = ?", (*row[8:], store_id))
                con.execute("DELETE FROM facets WHERE store_id = ?", (store_id,))
                con.execute("DELETE FROM articles_fts WHERE store_id = ?", (store_id,))
            con.executemany("INSERT INTO facets (store_id, kind, value, n) VALUES (?, ?, ?, ?)",
                            [(store_id, kind, value, n)
                             for kind, counts in _facets(article).items()
                             for value, n in counts.items()])
            con.execute("INSERT INTO articles_fts (store_id, title, outlet, text) "
                        "VALUES (?, ?, ?, ?)", (store_id, row[3] or "", row[4] or "",
                                                article["text"]))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return store_id

    def add_many(self, articles: Iterable[dict[str, Any]], *,
                 generator: dict[str, Any] | None = None) -> list[str]:
        return [self.add(a, generator=generator) for a in articles]

    def remove(self, store_id: str) -> bool:
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            n = con.execute("DELETE FROM articles WHERE store_id = ?", (store_id,)).rowcount
            con.execute("DELETE FROM articles_fts WHERE store_id = ?", (store_id,))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return bool(n)

    # reading ---------------------------------------------------------------------------
    def get(self, store_id: str) -> dict[str, Any] | None:
        """The article dict stored under ``store_id`` (or its content hash), or None."""
        row = self._con().execute(
            "SELECT article FROM articles WHERE store_id = ? OR content_hash = ?",
            (str(store_id), str(store_id))).fetchone()
        return json.loads(row[0]) if row else None

    def generator(self, store_id: str) -> dict[str, Any]:
        row = self._con().execute("SELECT generator FROM articles WHERE store_id = ?",
                                  (str(store_id),)).fetchone()
        return json.loads(row[0]) if row else {}

    def count(self) -> int:
        return int(self._con().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        """Every stored article dict, oldest first, one at a time."""
        cur = self._con().execute("SELECT article FROM articles ORDER BY added, store_id")
        for (raw,) in cur:
            yield json.loads(raw)

    def list(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Summaries of the newest articles first (no text)."""
        return self.filter(limit=limit, offset=offset)

    def search(self, q: str, limit: int = 100) -> list[dict[str, Any]]:
        """Full-text search over title, outlet and text (FTS5, best match first)."""
        return self.filter(q=q, limit=limit)

    def filter(self, *, outlet: str | None = None, date_from: str | None = None,
               date_to: str | None = None, genre: str | None = None,
               technique: str | None = None, verdict: str | None = None,
               actor: str | None = None, q: str | None = None, ids: Iterable[str] = (),
               limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Summaries of the articles that match every filter given (no text)."""
        where, args = self._where(outlet=outlet, date_from=date_from, date_to=date_to,
                                  genre=genre, technique=technique, verdict=verdict,
                                  actor=actor, q=q, ids=ids)
        order = "a.added DESC, a.store_id"
        if q:
            from .corpus import fts_query

            match = fts_query(q)
            if match is None:
                return []
            # every word must match (terms are quoted words: no quote or space inside)
            match = match.replace('" OR "', '" AND "')
            order = "bm25(articles_fts), a.added DESC"
            sql = ("SELECT a.* FROM articles a JOIN articles_fts f ON f.store_id = a.store_id "
                   f"WHERE articles_fts MATCH ? {''.join(' AND ' + w for w in where)} "
                   f"ORDER BY {order} LIMIT ? OFFSET ?")
            args = [match, *args]
        else:
            sql = (f"SELECT a.* FROM articles a {'WHERE ' + ' AND '.join(where) if where else ''}"
                   f" ORDER BY {order} LIMIT ? OFFSET ?")
        con = self._con()
        cur = con.execute(sql, [*args, int(limit), int(offset)])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        facets = self._facets_of([r["store_id"] for r in rows])
        return [_summary(r, facets.get(r["store_id"], {})) for r in rows]

    def _where(self, **f: Any) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if f["outlet"]:
            where.append("a.outlet = ?")
            args.append(f["outlet"])
        if f["date_from"]:
            where.append("a.day >= ?")
            args.append(str(f["date_from"]))
        if f["date_to"]:
            where.append("a.day <= ?")
            args.append(str(f["date_to"]))
        if f["genre"]:
            where.append("a.genre = ?")
            args.append(f["genre"])
        for kind in FACET_KINDS:
            value = f[kind]
            if value:
                where.append("a.store_id IN (SELECT store_id FROM facets WHERE kind = ? "
                             "AND value = ?)")
                args += [kind, technique_key(value) if kind == "technique" else value]
        ids = [str(i) for i in f["ids"]]
        if ids:
            where.append(f"a.store_id IN ({','.join('?' * len(ids))})")
            args += ids
        return where, args

    def _facets_of(self, ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for sid, kind, value, n in self._con().execute(
                    "SELECT store_id, kind, value, n FROM facets WHERE store_id IN "
                    f"({','.join('?' * len(chunk))})", chunk):
                out.setdefault(sid, {}).setdefault(kind, {})[value] = n
        return out

    def facet_values(self) -> dict[str, list[str]]:
        """Every outlet, genre, technique, verdict and actor in the store, for filters."""
        con = self._con()
        out = {
            "outlet": [r[0] for r in con.execute(
                "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY 1")],
            "genre": [r[0] for r in con.execute(
                "SELECT DISTINCT genre FROM articles WHERE genre IS NOT NULL ORDER BY 1")]}
        for kind in FACET_KINDS:
            out[kind] = [r[0] for r in con.execute(
                "SELECT DISTINCT value FROM facets WHERE kind = ? ORDER BY 1", (kind,))]
        return out


def _summary(row: dict[str, Any], facets: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"id": row["store_id"], "content_hash": row["content_hash"],
            "article_id": row["article_id"], "title": row["title"], "outlet": row["outlet"],
            "url": row["url"], "published": row["published"], "day": row["day"],
            "genre": row["genre"], "sentences": row["sentences"],
            "checkworthy": row["checkworthy"], "opinion": row["opinion"],
            "added": row["added"], "techniques": facets.get("technique", {}),
            "verdicts": facets.get("verdict", {}), "actors": facets.get("actor", {})}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
