"""Readers: turn paths (.txt, .html, .jsonl, folders, stdin) into Documents.

Every input either becomes a Document or a ReadError naming the file (and
line): nothing is skipped silently. For a .txt file, ``Document.text`` is the
file's decoded content unchanged, so offsets point into the file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..document import Document
from ..errors import Errors, InputError, Warnings
from ..formats import ARTICLE_FORMATS, format_of, suffixes_of
from ..registry import readers
from .safe import clean_text, loads_bounded

#: Largest article read (bytes); a JSONL file is limited per line.
DEFAULT_MAX_BYTES = 10_000_000
TEXT_SUFFIXES = suffixes_of(("text",))
HTML_SUFFIXES = suffixes_of(("html",))
JSONL_SUFFIXES = suffixes_of(("jsonl",))
SUPPORTED = suffixes_of(ARTICLE_FORMATS)
_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"PK\x03\x04": "a ZIP archive",
          b"\x1f\x8b": "a gzip archive", b"\x7fELF": "an executable", b"GIF8": "a GIF image",
          b"\xff\xd8\xff": "a JPEG image"}
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
         (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass
class ReadError:
    """An input that could not be turned into a Document."""

    source: str
    code: str
    message: str
    id: str | None = None

    @classmethod
    def from_exc(cls, exc: InputError, id: str | None = None) -> ReadError:
        return cls(source=exc.source or "", code=exc.code or "", message=str(exc), id=id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decode(data: bytes, source: str) -> tuple[str, str | None]:
    """Decode bytes to text; return (text, encoding if it was not UTF-8).

    Raises InputError for empty, binary or undecodable input.
    """
    if not data.strip():
        raise InputError(Errors.E101.format(source=source), source=source)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(Errors.E102.format(source=source, detail=what), source=source)
    encoding: str | None = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None and b"\x00" in data[:65536]:
        raise InputError(Errors.E102.format(source=source, detail="it contains NUL bytes"),
                         source=source)
    try:
        text = data.decode(encoding or "utf-8")
        label = None if encoding in (None, "utf-8-sig") else encoding
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InputError(Errors.E103.format(source=source), source=source) from None
        text, label = str(best), best.encoding
        western = _cp1252(data, best.chaos)
        if western is not None:
            text, label = western, "cp1252"
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > 0.01 * len(sample):
        raise InputError(Errors.E102.format(
            source=source, detail=f"{controls} control characters in the first "
                                  f"{len(sample)}"), source=source)
    if not text.strip():
        raise InputError(Errors.E101.format(source=source), source=source)
    return clean_text(text), label


def _cp1252(data: bytes, chaos: float) -> str | None:
    """``data`` as Windows-1252 (a superset of printable Latin-1) when that reads at least
    as cleanly as charset-normalizer's best guess, else None.

    On a short text every single-byte code page decodes without error and charset-normalizer
    picks among the ties by name ("Café" came out as cp775 "Cafķ"); Western European
    text is by far the likeliest of them for English-language news.
    """
    from charset_normalizer.md import mess_ratio

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return text if mess_ratio(text, 1.0) <= chaos + 0.01 else None


def html_to_text(html: str, source: str) -> tuple[str, dict[str, str | None], bool]:
    """Main text and metadata of an HTML page (trafilatura), with a visible-text fallback.

    Returns (text, meta, used_fallback).
    """
    import trafilatura

    meta: dict[str, str | None] = {"title": None, "published": None, "outlet": None,
                                   "url": None}
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          include_tables=True)
    except Exception:  # noqa: BLE001 - trafilatura raises many types on broken markup
        doc = None
    if doc is not None and (doc.text or "").strip():
        meta.update(title=doc.title, published=doc.date, outlet=doc.sitename, url=doc.url)
        return doc.text, meta, False
    text = _visible_text(html)
    if not text.strip():
        raise InputError(Errors.E107.format(source=source), source=source)
    return text, meta, True


def _visible_text(html: str) -> str:
    """All visible text of a page, one line per block.

    lxml first; when it finds nothing (libxml2 stops at 256 levels of nesting, so a
    deeply nested page came out empty), a streaming parser that keeps no tree and so has
    no depth limit."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fromstring(html)
        for bad in root.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        raw = root.text_content()
    except (ParserError, ValueError):
        raw = ""
    if not raw.strip():
        raw = _streamed_text(html)
    lines = (" ".join(line.split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)


_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                    "section", "article", "blockquote", "pre", "td", "th", "ul", "ol",
                    "table", "header", "footer", "main", "aside", "nav", "figcaption", "dd",
                    "dt", "hr"})


def _streamed_text(html: str) -> str:
    """Visible text of a page with the standard library's event parser (no tree)."""
    from html.parser import HTMLParser

    out: list[str] = []
    hidden = 0

    class _Text(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            nonlocal hidden
            if tag in _HIDDEN:
                hidden += 1
            elif tag in _BLOCK:
                out.append("\n")

        def handle_endtag(self, tag: str) -> None:
            nonlocal hidden
            if tag in _HIDDEN:
                hidden = max(0, hidden - 1)
            elif tag in _BLOCK:
                out.append("\n")

        def handle_data(self, data: str) -> None:
            if not hidden:
                out.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return "".join(out)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(Errors.E106.format(source=source, size=size, limit=max_bytes),
                             source=source)
        return path.read_bytes()
    except OSError as exc:
        raise InputError(Errors.E110.format(source=source, detail=exc.strerror or exc),
                         source=source) from exc


@readers.register("txt")
def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """A plain-text article; its decoded content is the Document text, unchanged."""
    try:
        data = _read_bytes(path, max_bytes)
    except InputError as exc:
        yield ReadError.from_exc(exc, id=path.stem)
        return
    yield from _text_document(str(path), path.stem, data)


def _text_document(source: str, stem: str, data: bytes) -> Iterator[Document | ReadError]:
    try:
        text, encoding = decode(data, source)
    except InputError as exc:
        yield ReadError.from_exc(exc, id=stem)
        return
    doc = Document(text, id=stem, source=source)
    if encoding:
        doc.warn(Warnings.W003.format(encoding=encoding))
    yield doc


@readers.register("html")
def read_html(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """An HTML page; the main text is extracted with trafilatura."""
    try:
        data = _read_bytes(path, max_bytes)
    except InputError as exc:
        yield ReadError.from_exc(exc, id=path.stem)
        return
    yield from _html_document(str(path), path.stem, data)


def _html_document(source: str, stem: str, data: bytes) -> Iterator[Document | ReadError]:
    try:
        html, encoding = decode(data, source)
        text, meta, fallback = html_to_text(html, source)
    except InputError as exc:
        yield ReadError.from_exc(exc, id=stem)
        return
    doc = Document(text, id=stem, source=source, **meta)
    if encoding:
        doc.warn(Warnings.W003.format(encoding=encoding))
    if fallback:
        doc.warn(Warnings.W002)
    yield doc


def _jsonl_record(line: bytes, source: str, default_id: str) -> Document:
    try:
        obj = loads_bounded(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(Errors.E104.format(source=source, detail=str(exc)[:120]),
                         source=source) from None
    return record_document(obj, source, default_id)


def record_document(obj: Any, source: str, default_id: str) -> Document:
    """The Document of one article record (a JSONL line's object, a table row): ``id``,
    ``text`` or ``html``, optional ``url``, ``title``, ``published``, ``outlet``,
    ``language``. Raises InputError (E104, E105) for a record that is not one."""
    if not isinstance(obj, dict):
        raise InputError(Errors.E104.format(source=source,
                                            detail=f"got a JSON {type(obj).__name__}"),
                         source=source)
    text, html = obj.get("text"), obj.get("html")
    meta = {k: (str(obj[k]) if obj.get(k) is not None else None)
            for k in ("url", "title", "published", "outlet")}
    fallback = False
    if isinstance(text, str) and text.strip():
        pass
    elif isinstance(html, str) and html.strip():
        text, extracted, fallback = html_to_text(html, source)
        meta = {k: meta.get(k) or extracted.get(k) for k in extracted}
    else:
        raise InputError(Errors.E105.format(source=source, keys=", ".join(sorted(obj)) or
                                            "none"), source=source)
    doc_id = str(obj["id"]) if obj.get("id") is not None else default_id
    language = obj.get("language") if isinstance(obj.get("language"), str) else None
    doc = Document(text, id=doc_id, source=source, language=language, **meta)
    if fallback:
        doc.warn(Warnings.W002)
    return doc


@readers.register("jsonl")
def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """One article per line: ``id``, ``text`` or ``html``, optional url/title/published/outlet."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield ReadError(str(path), "E110", Errors.E110.format(source=path,
                                                             detail=exc.strerror or exc))
        return
    with fh:
        yield from _jsonl_documents(str(path), path.stem, fh, max_bytes)


def _jsonl_documents(name: str, stem: str, lines: Iterable[bytes], max_bytes: int
                     ) -> Iterator[Document | ReadError]:
    any_line = False
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        any_line = True
        source = f"{name}:{lineno}"
        default_id = f"{stem}-{lineno}"
        if len(line) > max_bytes:
            exc = InputError(Errors.E106.format(source=source, size=len(line),
                                                limit=max_bytes), source=source)
            yield ReadError.from_exc(exc, id=default_id)
            continue
        try:
            yield _jsonl_record(line, source, default_id)
        except InputError as exc:
            yield ReadError.from_exc(exc, id=default_id)
    if not any_line:
        yield ReadError(name, "E101", Errors.E101.format(source=name), id=stem)


def read_data(source: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
              ) -> Iterator[Document | ReadError]:
    """The Documents (or ReadErrors) of the content ``data`` of the file named ``source``
    (read elsewhere: a Ray task, another filesystem), exactly as the reader of its type
    reads that file: ``read_data(str(p), p.read_bytes())`` gives what ``read([p])`` gives."""
    import io

    name = source.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    kind = _reader_for(Path(name))
    if kind is None:
        suffix = "." + name.rsplit(".", 1)[1] if "." in name.lstrip(".") else "(none)"
        yield ReadError(source, "E108", Errors.E108.format(source=source, suffix=suffix),
                        id=stem)
        return
    if kind == "jsonl":
        yield from _jsonl_documents(source, stem, io.BytesIO(data), max_bytes)
        return
    if len(data) > max_bytes:
        exc = InputError(Errors.E106.format(source=source, size=len(data), limit=max_bytes),
                         source=source)
        yield ReadError.from_exc(exc, id=stem)
        return
    yield from (_text_document if kind == "txt" else _html_document)(source, stem, data)


def _reader_for(path: Path) -> str | None:
    """The registered reader of an article file (None: not an article format)."""
    fmt = format_of(path)
    return {"text": "txt", "html": "html", "jsonl": "jsonl"}.get(fmt) \
        if fmt in ARTICLE_FORMATS else None


def read_stdin(stream: BinaryIO | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """Standard input, as HTML when it looks like a page, else as plain text."""
    stream = stream or sys.stdin.buffer
    data = stream.read(max_bytes + 1)
    try:
        if len(data) > max_bytes:
            raise InputError(Errors.E106.format(source="<stdin>", size=f"more than {max_bytes}",
                                                limit=max_bytes), source="<stdin>")
        text, encoding = decode(data, "<stdin>")
        head = text.lstrip()[:200].lower()
        fallback = False
        meta: dict[str, str | None] = {}
        if head.startswith(("<!doctype html", "<html", "<head", "<body", "<article")):
            text, meta, fallback = html_to_text(text, "<stdin>")
    except InputError as exc:
        yield ReadError.from_exc(exc, id="stdin")
        return
    doc = Document(text, id="stdin", source="<stdin>", **meta)
    if encoding:
        doc.warn(Warnings.W003.format(encoding=encoding))
    if fallback:
        doc.warn(Warnings.W002)
    yield doc


def read(paths: Sequence[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES,
         stdin: BinaryIO | None = None, exclude: Sequence[str | Path] = ()
         ) -> Iterator[Document | ReadError]:
    """Documents (or ReadErrors) for files, folders (recursively) and '-' (stdin).

    Files under a folder of ``exclude`` (a run's output folder) are not read from folders.
    """
    skip = [Path(p).resolve() for p in exclude]
    for raw in paths:
        if str(raw) == "-":
            yield from read_stdin(stdin, max_bytes)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts)
                and not any(p.resolve().is_relative_to(x) for x in skip))
            supported = [p for p in files if _reader_for(p)]
            if not supported:
                yield ReadError(str(path), "E109", Errors.E109.format(source=path))
            for p in files:
                yield from _read_file(p, max_bytes)
        elif path.exists():
            yield from _read_file(path, max_bytes)
        else:
            yield ReadError(str(path), "E100", Errors.E100.format(source=path))


def _read_file(path: Path, max_bytes: int) -> Iterator[Document | ReadError]:
    name = _reader_for(path)
    if name is None:
        yield ReadError(str(path), "E108", Errors.E108.format(source=path,
                                                             suffix=path.suffix or "(none)"),
                        id=path.stem)
        return
    yield from readers.get(name)(path, max_bytes=max_bytes)
