"""Turn the user's files into source documents split into passages.

Formats:

- ``.txt`` / ``.md``: one document; paragraphs (lines) become passages, long ones are cut
  into windows of whole sentences (about ``max_words`` words). Offsets index the file text.
- ``.html`` / ``.htm``: the main text (trafilatura), then as for text; offsets index the
  extracted text.
- ``.jsonl``: one passage (or document, split when long) per line with a text field and
  optional ``source``/``url``/``date``/``publisher``/``title``; lines sharing a source form
  one document; every other field is kept as metadata.
- ``.csv``: a table of figures; each row becomes one passage ("column: value; ...") unless a
  text column is named; the row's fields are kept as metadata.

A field option may name a field, be a template such as ``"OCHA Flash Update #{flash_update_no}"``
or a constant such as ``"=UN OCHA oPt"``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dates import iso_date
from ..errors import Errors, InputError
from ..formats import CORPUS_FORMATS, format_of, suffixes_of
from ..io.safe import clean_text

SUPPORTED = suffixes_of(CORPUS_FORMATS)
#: A PDF with more pages is refused (split it); pypdf bounds its own decompression.
MAX_PDF_PAGES = 2_000
#: A JSONL line longer than this (bytes) is refused.
MAX_LINE_BYTES = 10_000_000
#: a unit shorter than this (a heading, a dateline) is joined to the next one
MIN_WORDS = 8


@dataclass
class PassageIn:
    """A passage to index: text and offsets into its document, with optional overrides."""

    text: str
    start: int
    end: int
    key: str | None = None
    url: str | None = None
    date: str | None = None
    publisher: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return _hash(self.text, self.key, self.url, self.date, self.publisher,
                     json.dumps(self.metadata, sort_keys=True, ensure_ascii=False))


@dataclass
class SourceDoc:
    """One source (a file, or the lines of a JSONL/CSV sharing a source) and its passages."""

    source: str
    passages: list[PassageIn]
    url: str | None = None
    date: str | None = None
    publisher: str | None = None
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: the resolved path of the file it came from (its identity when ``declared`` is False)
    origin: str | None = None
    #: True when the source name comes from the input (a JSONL/CSV field), not the path
    declared: bool = False

    @property
    def content_hash(self) -> str:
        return _hash(self.source, self.url, self.date, self.publisher, self.title,
                     json.dumps(self.metadata, sort_keys=True, ensure_ascii=False),
                     *(p.content_hash for p in self.passages))


@dataclass
class Fields:
    """Which input fields hold the text, date, source, url, publisher and title."""

    text: str = "text"
    date: str = "date"
    source: str = "source"
    url: str = "url"
    publisher: str = "publisher"
    title: str = "title"
    key: str = "passage_id"


def _hash(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(b"\x00" if p is None else str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


# ----------------------------------------------------------------------------- dates


# ----------------------------------------------------------------------------- splitting


_SENT_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_ABBREV = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "jan", "feb", "mar",
                     "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gen",
                     "col", "lt", "sgt", "capt", "maj", "prof", "rev", "approx", "e.g", "i.e",
                     "u.s", "u.n", "u.k", "fig", "para", "art", "etc"})


def sentence_bounds(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ranges in text[start:end] by punctuation rules (fast; no model)."""
    end = len(text) if end is None else end
    out, s = [], start
    for m in _SENT_END.finditer(text, start, end):
        nxt = text[m.end():m.end() + 1]
        if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘("):
            continue
        word = re.search(r"([\w.]+)[.!?][\"'”’)\]]*\s+$", text[max(s, m.start() - 12):m.end()])
        if word and (word.group(1).lower() in _ABBREV or len(word.group(1)) == 1):
            continue
        out.append((s, m.start() + 1 + len(m.group().rstrip()) - 1))
        s = m.end()
    if s < end and text[s:end].strip():
        out.append((s, end))
    return [_strip(text, a, b) for a, b in out if text[a:b].strip()]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _words(text: str) -> int:
    return len(text.split())


def split_passages(text: str, max_words: int = 100) -> list[tuple[int, int]]:
    """Passages of ``text`` as (start, end) offsets.

    Each line (paragraph) is a unit; a short unit (heading) joins the next one; a unit
    longer than ``max_words`` is cut into windows of whole sentences of at most
    ``max_words`` words (a single longer sentence is cut at ``2 * max_words`` words).
    """
    units = [_strip(text, m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    units = [(a, b) for a, b in units if b > a]
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for a, b in units:
        if pending is not None:
            a = pending[0]
            pending = None
        n = _words(text[a:b])
        if n < MIN_WORDS:
            pending = (a, b)
            continue
        if n <= max_words:
            out.append((a, b))
            continue
        out.extend(_windows(text, a, b, max_words))
    if pending is not None:
        if out and _words(text[out[-1][0]:pending[1]]) <= max_words and \
                "\n\n" not in text[out[-1][1]:pending[0]]:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def _windows(text: str, a: int, b: int, max_words: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in sentence_bounds(text, a, b):
        if _words(text[s:e]) > 2 * max_words:
            if cur:
                out.append(cur)
                cur = None
            out.extend(_word_cut(text, s, e, 2 * max_words))
            continue
        if cur is None:
            cur = (s, e)
        elif _words(text[cur[0]:e]) <= max_words:
            cur = (cur[0], e)
        else:
            out.append(cur)
            cur = (s, e)
    if cur:
        out.append(cur)
    return out


def _word_cut(text: str, a: int, b: int, n: int) -> list[tuple[int, int]]:
    spans = [m.span() for m in re.finditer(r"\S+", text[a:b])]
    return [(a + spans[i][0], a + spans[min(i + n, len(spans)) - 1][1])
            for i in range(0, len(spans), n)]


# ----------------------------------------------------------------------------- readers


def _field(record: dict[str, Any], name: str | None) -> str | None:
    """A field of the record; ``name`` may be a template such as 'Update #{no}'."""
    if not name:
        return None
    if name.startswith("="):  # a constant, e.g. --publisher-field "=UN OCHA oPt"
        return name[1:] or None
    if "{" in name:
        try:
            return name.format(**record)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            return None
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value)


def check_template(name: str) -> str | None:
    """Why a field option cannot be used (a template reading an attribute or an index,
    such as '{text.nope}' or '{a[0]}', or one that does not parse), or None."""
    import string

    if not name or name.startswith("=") or "{" not in name:
        return None
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(name) if f is not None]
    except ValueError as exc:
        return f"the template does not parse ({exc})"
    bad = [f for f in fields if not f or not f.isidentifier()]
    if bad:
        return (f"the template reads {{{bad[0]}}}: only plain field names such as "
                "'Update #{no}' are allowed")
    return None


def source_name(path: Path) -> str:
    """How a file-derived source is named: the path as given, normalised
    ('./x/../f.txt' -> 'f.txt'); its identity is the resolved path (``origin``)."""
    return clean_text(os.path.normpath(str(path)))


def origin_of(path: Path) -> str:
    return clean_text(str(Path(path).resolve()))


def _doc_from_text(path: Path, text: str, max_words: int, **meta: Any) -> SourceDoc:
    passages = [PassageIn(text[a:b], a, b) for a, b in split_passages(text, max_words)]
    return SourceDoc(source=source_name(path), passages=passages, origin=origin_of(path),
                     **meta)


def read_text_file(path: Path, max_words: int = 100) -> Iterator[SourceDoc]:
    from ..io.readers import decode

    text, _ = decode(path.read_bytes(), str(path))
    yield _doc_from_text(path, text, max_words, title=path.stem)


def read_html_file(path: Path, max_words: int = 100) -> Iterator[SourceDoc]:
    from ..io.readers import decode, html_to_text

    html, _ = decode(path.read_bytes(), str(path))
    text, meta, _ = html_to_text(html, str(path))
    yield _doc_from_text(path, text, max_words, url=meta.get("url"),
                         date=iso_date(meta.get("published")), publisher=meta.get("outlet"),
                         title=meta.get("title") or path.stem)


def read_pdf_file(path: Path, max_words: int = 100) -> Iterator[SourceDoc]:
    """The text layer of a PDF (pypdf), pages joined by blank lines; each passage records
    the page it starts on. A scanned PDF (no text layer) is an error, not an empty source."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # an optional reader: say how to get it
        raise InputError(Errors.E302.format(source=path, detail="reading PDFs needs pypdf "
                                            "(pip install pypdf)"), source=str(path)) from exc
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings become our E302
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(Errors.E302.format(source=path, detail="the PDF is encrypted"),
                             source=str(path))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(Errors.E302.format(
                source=path, detail=f"{len(reader.pages)} pages, more than {MAX_PDF_PAGES}; "
                                    "split it"), source=str(path))
        pages = [clean_text((page.extract_text() or "").strip()) for page in reader.pages]
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip() or path.stem
        created = info.get("/CreationDate")
    except InputError:
        raise
    except (PdfReadError, RecursionError, MemoryError, Exception) as exc:  # noqa: BLE001
        # pypdf raises many types on a broken file, and LimitReachedError past its
        # decompression limits: each is this file's error, never the whole run's
        raise InputError(Errors.E302.format(
            source=path, detail=f"not a readable PDF ({type(exc).__name__}: {exc})"[:300]),
            source=str(path)) from None
    text = "\n\n".join(pages)
    starts = [0, *itertools.accumulate(len(page) + 2 for page in pages[:-1])]
    if not text.strip():
        raise InputError(Errors.E302.format(source=path, detail="the PDF has no text layer "
                                            "(scanned?); add its OCR text as .txt"),
                         source=str(path))
    doc = _doc_from_text(path, text, max_words, title=clean_text(title),
                         date=iso_date(_pdf_date(created)), metadata={"pages": len(pages)})
    for passage in doc.passages:
        passage.metadata["page"] = 1 + max(i for i, s in enumerate(starts) if s <= passage.start)
    yield doc


def _pdf_date(value: Any) -> str | None:
    """'D:20231118093000Z' -> '2023-11-18'."""
    digits = str(value or "").removeprefix("D:")[:8]
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 and digits.isdigit() \
        else None


def read_jsonl_file(path: Path, fields: Fields, max_words: int = 100,
                    max_bytes: int = MAX_LINE_BYTES) -> Iterator[SourceDoc | InputError]:
    """Lines grouped by source (default: the file), in first-seen order; a bad line is an
    InputError (yielded as it is met) and the other lines are read."""
    from ..io.safe import loads_bounded

    docs: dict[str, SourceDoc] = {}
    origin = origin_of(path)
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                if len(line) > max_bytes:
                    raise ValueError(f"{len(line)} bytes, more than {max_bytes}")
                rec = loads_bounded(line.decode("utf-8"))
            except ValueError as exc:  # UnicodeDecodeError is one
                yield InputError(Errors.E302.format(source=where, detail=f"not JSON ({exc})"[:300]),
                                 source=str(path))
                continue
            if not isinstance(rec, dict):
                yield InputError(Errors.E302.format(source=where,
                                                    detail="the line is not a JSON object"),
                                 source=str(path))
                continue
            text = rec.get(fields.text)
            if not isinstance(text, str) or not text.strip():
                yield InputError(Errors.E302.format(
                    source=where,
                    detail=f"no text in field '{fields.text}' (keys: "
                           f"{', '.join(sorted(map(str, rec)))[:200]})"), source=str(path))
                continue
            declared = _field(rec, fields.source)
            source = declared or source_name(path)
            url, date = _field(rec, fields.url), iso_date(_field(rec, fields.date))
            publisher, title = _field(rec, fields.publisher), _field(rec, fields.title)
            used = {fields.text, fields.source, fields.url, fields.date, fields.publisher,
                    fields.title, fields.key}
            meta = {k: v for k, v in rec.items() if k not in used}
            doc = docs.get(source)
            if doc is None:
                doc = docs[source] = SourceDoc(source=source, passages=[], url=url, date=date,
                                               publisher=publisher, title=title, origin=origin,
                                               declared=declared is not None)
            key = _field(rec, fields.key)
            bounds = [(0, len(text))] if _words(text) <= max_words * 1.5 else \
                split_passages(text, max_words)
            for i, (a, b) in enumerate(bounds):
                doc.passages.append(PassageIn(
                    text[a:b], a, b, key=(key if len(bounds) == 1 else f"{key or lineno}:{i}"),
                    url=url, date=date, publisher=publisher,
                    metadata={**meta, "line": lineno}))
    yield from docs.values()


def read_csv_file(path: Path, fields: Fields) -> Iterator[SourceDoc]:
    """Each row one passage: the text column if there is one, else 'column: value; ...'."""
    raw = path.read_bytes()
    from ..io.readers import decode

    content, _ = decode(raw, str(path))
    reader = csv.DictReader(io.StringIO(content))
    docs: dict[str, SourceDoc] = {}
    for rowno, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        text = row.get(fields.text) if fields.text in row else None
        if not text:
            cited = {fields.source, fields.publisher, fields.url, fields.key}
            text = "; ".join(f"{k.replace('_', ' ')}: {_fmt_cell(v)}" for k, v in row.items()
                             if v != "" and k not in cited)
        if not text:
            continue
        declared = _field(row, fields.source)
        source = declared or source_name(path)
        date = iso_date(_field(row, fields.date))
        url, publisher = _field(row, fields.url), _field(row, fields.publisher)
        doc = docs.get(source)
        if doc is None:
            doc = docs[source] = SourceDoc(source=source, passages=[], url=url,
                                           publisher=publisher, title=path.stem,
                                           origin=origin_of(path), declared=declared is not None)
        doc.passages.append(PassageIn(text, 0, len(text), key=f"row {rowno}", url=url,
                                      date=date, publisher=publisher,
                                      metadata={**row, "row": rowno}))
    yield from docs.values()


def _fmt_cell(value: str) -> str:
    """'11078' -> '11,078' so that numbers read as they do in prose."""
    if re.fullmatch(r"-?\d{4,}", value):
        return f"{int(value):,}"
    return value


def read_sources(paths: Iterable[str | Path], fields: Fields | None = None,
                 max_words: int = 100) -> Iterator[SourceDoc | InputError]:
    """Source documents of files and folders (recursively); bad files yield an InputError."""
    fields = fields or Fields()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in SUPPORTED
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files = [path]
        else:
            yield InputError(Errors.E100.format(source=path), source=str(path))
            continue
        for p in files:
            try:
                yield from _read_one(p, fields, max_words)
            except InputError as exc:
                yield exc
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                yield InputError(Errors.E302.format(source=p, detail=exc), source=str(p))
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the others
                yield InputError(Errors.E302.format(
                    source=p, detail=f"{type(exc).__name__}: {exc}"[:300]), source=str(p))


def _read_one(path: Path, fields: Fields, max_words: int) -> Iterator[SourceDoc]:
    fmt = format_of(path)
    if fmt == "text":
        return read_text_file(path, max_words)
    if fmt == "html":
        return read_html_file(path, max_words)
    if fmt == "jsonl":
        return read_jsonl_file(path, fields, max_words)
    if fmt == "csv":
        return read_csv_file(path, fields)
    if fmt == "pdf":
        return read_pdf_file(path, max_words)
    raise InputError(Errors.E302.format(source=path,
                                        detail=f"unsupported type '{path.suffix.lower()}'"),
                     source=str(path))
