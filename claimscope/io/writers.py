"""Output renderers, registered by name: each has an extension and ``render(report)``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..registry import renderers


@dataclass(frozen=True)
class Renderer:
    """A report format: file extension and a function from report dict to text."""

    name: str
    extension: str
    render: Callable[[dict[str, Any]], str]


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _html(report: dict[str, Any]) -> str:
    from ..render.html import render_html

    return render_html(report)


def _markdown(report: dict[str, Any]) -> str:
    from ..render.markdown import render_markdown

    return render_markdown(report)


def _claimreview(report: dict[str, Any]) -> str:
    from ..render.claimreview import render_claimreview

    return render_claimreview(report)


for _r in (Renderer("json", ".json", render_json), Renderer("html", ".html", _html),
           Renderer("md", ".md", _markdown),
           Renderer("claimreview", ".claimreview.jsonld", _claimreview)):
    renderers.register(_r.name)(_r)


def write_reports(report: dict[str, Any], outdir: Path, formats: list[str],
                  stem: str = "report") -> list[Path]:
    """Write ``report`` in each format to ``outdir``; return the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        renderer = renderers.get(name)
        path = outdir / f"{stem}{renderer.extension}"
        path.write_text(renderer.render(report), encoding="utf-8")
        written.append(path)
    return written
