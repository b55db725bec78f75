"""Output renderers, registered by name: each has an extension and ``render(report)``.

A renderer may also ``stream``: a factory of a sink that takes the articles one at a time
as a run finishes them (``jsonl``, ``parquet``), so a run of any size holds none of them.
Every file is written to a temporary file in the output folder and renamed into place:
a failed write leaves the earlier report as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..registry import renderers


@dataclass(frozen=True)
class Renderer:
    """A report format: file extension and a function from report dict to text.

    ``stream``, when set, builds a sink ``stream(outdir)`` with ``write(article)``,
    ``close(summary) -> list[Path]`` and ``abort()``: the format is written as the run
    goes instead of from the whole report at the end.
    """

    name: str
    extension: str
    render: Callable[[dict[str, Any]], str]
    stream: Callable[[Path], Any] | None = None


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def stream_json(fh: IO[str], head: dict[str, Any], articles: Iterable[dict[str, Any]],
                tail: dict[str, Any]) -> None:
    """Write ``{**head, "articles": [...], **tail}`` to ``fh`` exactly as ``render_json``
    would, taking the articles one at a time (none is held after it is written)."""
    def member(key: str, value: Any) -> str:
        body = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        return f"  {json.dumps(key, ensure_ascii=False)}: {body}"

    fh.write("{\n" + "".join(member(k, v) + ",\n" for k, v in head.items()))
    fh.write('  "articles": [')
    first = True
    for article in articles:
        body = json.dumps(article, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        fh.write(("\n    " if first else ",\n    ") + body)
        first = False
    fh.write("]" if first else "\n  ]")
    fh.write("".join(",\n" + member(k, v) for k, v in tail.items()) + "\n}\n")


def render_jsonl(report: dict[str, Any]) -> str:
    """One article object per line (the ``articles`` of the report)."""
    return "".join(jsonl_line(a) for a in report.get("articles", []))


_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def jsonl_line(article: dict[str, Any]) -> str:
    """One compact JSON line; the characters other tools take for line breaks (U+2028,
    U+2029, U+0085; JSON leaves them raw) are written as escapes, so that any reader
    splitting lines gets one object a line."""
    text = json.dumps(article, ensure_ascii=False, separators=(",", ":"))
    if any(ch in text for ch in _LINE_BREAKS):
        for ch, esc in _LINE_BREAKS.items():
            text = text.replace(ch, esc)
    return text + "\n"


def temp_path(path: Path) -> Path:
    """A temporary file beside ``path`` (same folder, so renaming it is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


class StagedFiles:
    """Files written under temporary names beside their place and renamed into place
    together by ``commit()``; leaving the ``with`` block removes what was not committed,
    so a failure leaves every earlier file whole."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []

    def open(self, path: Path) -> IO[str]:
        tmp = temp_path(path)
        self._files.append((tmp, path))
        return tmp.open("w", encoding="utf-8", errors="replace", newline="")

    def adopt(self, tmp: Path, path: Path) -> None:
        """A file already written at ``tmp`` (by another writer) is renamed to ``path``
        with the others (or removed with them)."""
        self._files.append((Path(tmp), Path(path)))

    def commit(self) -> list[Path]:
        for tmp, path in self._files:
            os.replace(tmp, path)
        done, self._files = [path for _, path in self._files], []
        return done

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: Any) -> None:
        for tmp, _ in self._files:
            tmp.unlink(missing_ok=True)


def atomic_write(path: Path, write: Callable[[IO[str]], None]) -> Path:
    """Write ``path`` through ``write(fh)`` into a temporary file, then rename it."""
    with StagedFiles() as staged:
        with staged.open(path) as fh:
            write(fh)
        staged.commit()
    return path


def _html(report: dict[str, Any]) -> str:
    from ..render.html import render_html

    return render_html(report)


def _markdown(report: dict[str, Any]) -> str:
    from ..render.markdown import render_markdown

    return render_markdown(report)


def _claimreview(report: dict[str, Any]) -> str:
    from ..render.claimreview import render_claimreview

    return render_claimreview(report)


def _parquet_sink(outdir: Path) -> Any:
    from .parquet import ParquetSink

    return ParquetSink(outdir)


def _parquet(report: dict[str, Any]) -> str:
    raise TypeError("parquet is written by its sink (Renderer.stream), not as text")


for _r in (Renderer("json", ".json", render_json), Renderer("html", ".html", _html),
           Renderer("md", ".md", _markdown),
           Renderer("claimreview", ".claimreview.jsonld", _claimreview),
           Renderer("jsonl", ".jsonl", render_jsonl),
           Renderer("parquet", ".parquet", _parquet, stream=_parquet_sink)):
    renderers.register(_r.name)(_r)


def write_reports(report: dict[str, Any], outdir: Path, formats: list[str],
                  stem: str = "report") -> list[Path]:
    """Write ``report`` in each format to ``outdir``; return the paths written.

    Every format is rendered to a temporary file first, and the files are renamed into
    place only when all are written: a failure leaves the earlier reports as they were.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with StagedFiles() as staged:
        for name in formats:
            renderer = renderers.get(name)
            if renderer.stream is not None:
                sink = renderer.stream(outdir)
                for article in report.get("articles", []):
                    sink.write(article)
                written.extend(sink.close(report))
                continue
            with staged.open(outdir / f"{stem}{renderer.extension}") as fh:
                fh.write(renderer.render(report))
        written.extend(staged.commit())
    return written


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The article objects of a report.jsonl file, one at a time."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
