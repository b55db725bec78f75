"""Extra per-article report sections, registered by name.

A layer that adds a field to the article dict (``ledger``, ``claims``) adds a
section here instead of editing the page template: an HTML function
``(article, article_index) -> Markup`` and a Markdown function
``(article) -> str``, given as "module:function" so they load only when used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    """A report section, shown for an article that has ``key``."""

    key: str
    html: str
    markdown: str
    #: "module:CONSTANT" holding the CSS of the section's classes, if any
    css: str | None = None

    def _load(self, target: str) -> Callable[..., Any]:
        module, _, name = target.partition(":")
        return getattr(import_module(module), name)

    def render_html(self, article: dict[str, Any], index: int) -> Markup:
        return Markup(self._load(self.html)(article, index))

    def render_markdown(self, article: dict[str, Any]) -> str:
        return str(self._load(self.markdown)(article))

    def render_css(self) -> str:
        return str(self._load(self.css)) if self.css else ""


#: Sections in page order.
SECTIONS: dict[str, Section] = {}


def register_section(name: str, section: Section) -> None:
    SECTIONS[name] = section


def sentence_anchor(index: int, article: dict[str, Any], start: int) -> str:
    """The page anchor (without '#') of the sentence of ``article`` that contains ``start``.

    ``index`` is the 1-based article position in the report.
    """
    for i, s in enumerate(article.get("sentences") or []):
        if isinstance(s, dict) and s.get("start", -1) <= start < s.get("end", -1):
            return f"a{index}-s{i}"
    return f"a{index}"


def html_sections(article: dict[str, Any], index: int) -> list[Markup]:
    return [s.render_html(article, index) for s in SECTIONS.values()
            if article.get(s.key) is not None]


def sections_css(articles: list[dict[str, Any]] | None = None) -> str:
    """The CSS of the sections that some article of the report shows (of every section
    when ``articles`` is None)."""
    return "\n".join(s.render_css() for s in SECTIONS.values()
                     if articles is None or any(a.get(s.key) is not None for a in articles))


def markdown_sections(article: dict[str, Any]) -> list[str]:
    return [s.render_markdown(article) for s in SECTIONS.values()
            if article.get(s.key) is not None]


register_section("claims", Section("claims", "claimscope.render.verification:claims_html",
                                   "claimscope.render.verification:claims_markdown",
                                   "claimscope.render.verification:VERIFICATION_CSS"))
register_section("ledger", Section("ledger", "claimscope.render.ledger:ledger_html",
                                   "claimscope.render.ledger:ledger_markdown"))
register_section("rhetoric", Section("paragraphs", "claimscope.render.rhetoric:rhetoric_html",
                                     "claimscope.render.rhetoric:rhetoric_markdown"))
