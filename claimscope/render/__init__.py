"""Renderers that turn a report dict (the content of ``report.json``) into HTML or Markdown."""

from claimscope.render.html import render_html
from claimscope.render.markdown import render_markdown

__all__ = ["render_html", "render_markdown"]
