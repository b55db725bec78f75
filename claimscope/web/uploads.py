"""Uploaded files as Documents, through the same readers (and coded errors) as the CLI.

A file is written under its own (cleaned) name into a temporary folder and read with
``claimscope.io.read``: ``.txt``, ``.md``, ``.html`` and ``.jsonl`` exactly as on the
command line. A ``.pdf`` is read through its text layer (pypdf, as ``corpus add`` does).
Messages name the uploaded file, never the temporary path.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import Errors, InputError
from ..io.readers import ReadError, read

__all__ = ["read_upload", "clean_name", "UPLOAD_SUFFIXES"]

UPLOAD_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".jsonl", ".pdf")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def clean_name(name: str | None) -> str:
    """A file name safe to write and to show: no folders, no control or odd characters."""
    base = Path(str(name or "upload").replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .") or "upload"
    return base[-120:]


def read_upload(filename: str | None, data: bytes, *,
                max_bytes: int) -> list[Document | ReadError]:
    """The Documents (and ReadErrors) in one uploaded file."""
    name = clean_name(filename)
    if len(data) > max_bytes:
        return [ReadError(name, "E106", Errors.E106.format(source=name, size=len(data),
                                                           limit=max_bytes), id=Path(name).stem)]
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="claimscope-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        if suffix == ".pdf":
            items: list[Any] = [_read_pdf(path, name)]
        else:
            items = list(read([path], max_bytes=max_bytes))
    out: list[Document | ReadError] = []
    for item in items:
        if isinstance(item, ReadError):
            item.source = item.source.replace(str(path), name)
            item.message = item.message.replace(str(path), name)
        else:
            item.meta["source"] = (item.meta.get("source") or "").replace(str(path), name)
        out.append(item)
    return out


def _read_pdf(path: Path, name: str) -> Document | ReadError:
    from ..corpus.ingest import read_pdf_file

    try:
        source = next(read_pdf_file(path))
    except InputError as exc:
        message = str(exc).replace(str(path), name)
        return ReadError(name, exc.code or "E102", message, id=Path(name).stem)
    from pypdf import PdfReader  # read_pdf_file checked that the text layer is there

    text = "\n\n".join((page.extract_text() or "").strip() for page in PdfReader(str(path)).pages)
    title = source.title if source.title and source.title != path.stem else None
    return Document(text, id=Path(name).stem, source=name, title=title, published=source.date)
