"""Render a report dict as one self-contained, escaped HTML page."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

import jinja2
from markupsafe import Markup, escape

from claimscope.render._format import (
    actor_colour,
    as_float,
    clamp,
    fmt_score,
    is_checkworthy,
    is_opinion,
    label,
    mapping,
    quantity_tip,
    records,
    span_groups,
    span_label,
    span_text,
    technique_colour,
    text_of,
    title_of,
)
from claimscope.render.sections import html_sections, sections_css

__all__ = ["render_html", "article_context", "generator_context", "report_css",
           "template_env"]

TEMPLATE = "report.html.j2"
TOP_N = 5
BINS = 10
# Outer to inner when spans start together and end together.
_RANK = {"sentence": 0, "claim": 1, "group": 2, "quantity": 3}
_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)
_GAP = re.compile(r"[^\S\n]*\n[^\S\n]*\n\s*")


def _resource(name: str) -> str:
    return (resources.files("claimscope.render").joinpath("templates").joinpath(name)
            .read_text(encoding="utf-8"))


#: The page script (layer toggles, claim panel): inline in the static report, pinned by
#: its hash in the CSP; the web app serves the same file. The toggles also work through
#: CSS :has() without it.
_SCRIPT = _resource("report.js")


@dataclass(frozen=True)
class Layer:
    """One span to wrap in the article text, with the attributes of its element."""

    start: int
    end: int
    rank: int
    classes: str
    attrs: tuple[tuple[str, str], ...] = ()
    first_attrs: tuple[tuple[str, str], ...] = ()


def render_html(report: dict[str, Any]) -> str:
    """Render a report dict (the content of ``report.json``) as an HTML page."""
    articles = records(report.get("articles"))
    rendered = [article_context(a, i) for i, a in enumerate(articles, 1)]
    context = {
        "generator": generator_context(report.get("generator")),
        "articles": rendered,
        "errors": _notes(report.get("errors"), ("source", "id", "code", "message")),
        "script": Markup(_SCRIPT),
        "script_hash": _csp_hash(_SCRIPT),
        "css": Markup(report_css(articles)),
    }
    return template_env().get_template(TEMPLATE).render(**context)


def report_css(articles: list[dict[str, Any]] | None = None) -> str:
    """The page's CSS: ``report.css`` and the CSS of the sections the articles show (of
    every section when ``articles`` is None)."""
    return _resource("report.css") + "\n" + sections_css(articles)


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    """The Jinja environment of the report templates (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("claimscope.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _notes(items: Any, keys: tuple[str, ...] = ("code", "message")) -> list[dict[str, str]]:
    """Warnings or errors with every key present as text, so a partial entry still renders."""
    return [{key: _text(item.get(key)) for key in keys} for item in records(items)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def generator_context(generator: Any) -> dict[str, Any]:
    """What the footer shows of a report's ``generator``: each model with the sha256 of
    its files, the settings (side-blind reading, span pass) and the package versions."""
    gen = mapping(generator)
    models, packages = mapping(gen.get("models")), mapping(gen.get("packages"))
    settings = [f"{label(k)} {'on' if v else 'off'}" if isinstance(v, bool) else f"{label(k)} {v}"
                for k, v in models.items() if isinstance(v, (bool, int, float, str))
                and k not in ("encoder", "name", "base_model")]
    return {
        "name": str(gen.get("name") or "claimscope"),
        "version": str(gen.get("version") or ""),
        "created": str(gen.get("created") or ""),
        "models": _models(models, "encoder"),
        "settings": settings,
        "packages": [f"{name} {version}" for name, version in packages.items() if version],
    }


def _models(models: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every model of a ``generator.models`` block (nested ones too), with its files'
    sha256 (12 digits) when known."""
    out: list[dict[str, Any]] = []
    name = models.get("name") or (models.get(role) if isinstance(models.get(role), str)
                                  else None)
    digests = models.get("sha256")
    files = ([{"file": str(f), "sha256": str(h)[:12]} for f, h in digests.items() if h]
             if isinstance(digests, dict) else
             [{"file": "", "sha256": digests[:12]}] if isinstance(digests, str) and digests
             else [])
    if name or files:
        out.append({"role": label(role), "name": str(name or role), "files": files})
    for key, value in models.items():
        if isinstance(value, dict) and key != "sha256":
            out += _models(value, str(key))
    return out


def _group_colour(group: str, name: str) -> str:
    """The colour class of a span: actors and techniques have separate palettes, each
    colour derived from the label, so it is the same in every report."""
    if group == "actors":
        return f"ga ac{actor_colour(name)}"
    return f"pc{technique_colour(name)}"


def article_context(article: dict[str, Any], index: int) -> dict[str, Any]:
    """What ``_article.html.j2`` shows of one article (``index`` is its 1-based position:
    the anchors ``a{index}-s{n}`` and ``claim-{index}-{n}`` depend on it)."""
    text = text_of(article)
    sentences, quantities = records(article.get("sentences")), records(article.get("quantities"))
    groups = span_groups(article)
    anchor = f"a{index}"
    layers = _layers(text, anchor, sentences, quantities, groups)
    claims = records(article.get("claims"))
    claim_layers, markers = _claim_marks(text, claims, index)
    layers += claim_layers
    url = str(article.get("url") or "")
    return {
        "anchor": anchor,
        "title": title_of(article, index),
        "id": str(article.get("id") or ""),
        "source": str(article.get("source") or ""),
        "outlet": str(article.get("outlet") or ""),
        "published": str(article.get("published") or ""),
        "language": str(article.get("language") or ""),
        "url": url,
        "url_is_link": bool(_SAFE_URL.match(url)),
        "warnings": _notes(article.get("warnings")),
        "errors": _notes(article.get("errors")),
        "has_text": bool(text),
        "has_claims": bool(claims),
        "queue": _queue(claims, index),
        "body": _body(text, layers, title=str(article.get("title") or ""), markers=markers),
        "summary": _summary(text, anchor, sentences, quantities),
        "sections": html_sections(article, index),
        "groups": [
            {"key": f"g{gi}", "name": label(name), "legend": _legend(name, spans)}
            for gi, (name, spans) in enumerate(groups)
        ],
    }


def _legend(group: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(span_label(s, group) for s in spans)
    return [
        {"label": name, "count": n, "colour": _group_colour(group, name).split()[-1]}
        for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _bucket(score: float | None) -> str:
    """The shading class of a check-worthiness score."""
    if score is None:
        return "cwn"
    for i, upper in enumerate((0.2, 0.35, 0.5, 0.75)):
        if score < upper:
            return f"cw{i}"
    return "cw4"


def _layers(
    text: str,
    anchor: str,
    sentences: list[dict[str, Any]],
    quantities: list[dict[str, Any]],
    groups: list[tuple[str, list[dict[str, Any]]]],
) -> list[Layer]:
    n = len(text)
    layers: list[Layer] = []
    for i, s in enumerate(sentences, 1):
        offsets = clamp(s, n)
        if offsets is None:
            continue
        cw, subj = as_float(s.get("checkworthiness")), as_float(s.get("subjectivity"))
        classes = ["s", _bucket(cw)]
        if is_checkworthy(s):
            classes.append("claim")
        if is_opinion(s):
            classes.append("subj")
        tip = f"Sentence {i} · check-worthiness {fmt_score(cw)} · subjectivity {fmt_score(subj)}"
        if is_opinion(s):
            tip += " (opinion)"
        layers.append(
            Layer(
                *offsets,
                _RANK["sentence"],
                " ".join(classes),
                (("title", tip),),
                (("id", f"{anchor}-s{i}"),),
            )
        )
    for i, q in enumerate(quantities, 1):
        offsets = clamp(q, n)
        if offsets is None:
            continue
        # An empty title stops the sentence's title tooltip from covering the number's.
        attrs = (("data-tip", quantity_tip(q)), ("title", ""))
        first = (("id", f"{anchor}-q{i}"), ("tabindex", "0"))
        layers.append(Layer(*offsets, _RANK["quantity"], "q", attrs, first))
    for gi, (group, spans) in enumerate(groups):
        for span in spans:
            offsets = clamp(span, n)
            if offsets is None:
                continue
            name = span_label(span, group)
            tip = (
                name
                if as_float(span.get("score")) is None
                else f"{name} · {fmt_score(span.get('score'))}"
            )
            cls = f"g g{gi} {_group_colour(group, name)}"
            layers.append(Layer(*offsets, _RANK["group"], cls, (("title", tip),)))
    return layers


def _queue(claims: list[dict[str, Any]], index: int) -> list[dict[str, str]]:
    """The claims to check first, for the box at the top of the article (links to cards)."""
    from claimscope.render.verification import VERDICT_LABELS, check_queue, claim_anchor, verdict_of

    out = []
    for i, claim in check_queue(claims, limit=5):
        v = verdict_of(claim)
        out.append({"href": f"#{claim_anchor(index, i)}", "verdict": v,
                    "label": VERDICT_LABELS[v] if v != "not_enough_evidence"
                    else "figure not found in your sources",
                    "text": _shorten(str(claim.get("text") or ""), 140)})
    return out


def _claim_marks(text: str, claims: list[dict[str, Any]], index: int
                 ) -> tuple[list[Layer], dict[int, list[str]]]:
    """The checked clauses of an article, underlined in the text by verdict, each with an
    id its card links to, and after a decided one a badge that links to its card."""
    from claimscope.render.verification import VERDICT_LABELS, claim_anchor, verdict_of

    layers: list[Layer] = []
    markers: dict[int, list[str]] = {}
    for i, claim in enumerate(claims, 1):
        offsets = clamp(mapping(claim.get("span")), len(text))
        if offsets is None:
            continue
        v = verdict_of(claim)
        anchor = claim_anchor(index, i)
        tip = f"{VERDICT_LABELS[v]}: click for the evidence"
        layers.append(Layer(*offsets, _RANK["claim"], f"v v-{v}",
                            (("title", tip), ("data-claim", anchor)),
                            (("id", f"text-{anchor}"), ("tabindex", "0"), ("role", "button"))))
        if v != "not_enough_evidence":
            markers.setdefault(offsets[1], []).append(
                f'<a class="vmark v-{v}" href="#{anchor}">{escape(VERDICT_LABELS[v])}</a>')
    return layers, markers


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Split the text at blank lines; each paragraph is trimmed of outer whitespace."""
    paragraphs: list[tuple[int, int]] = []
    pos = 0
    for gap in [*_GAP.finditer(text), None]:
        end = gap.start() if gap else len(text)
        chunk = text[pos:end]
        start = pos + len(chunk) - len(chunk.lstrip())
        stop = pos + len(chunk.rstrip())
        if start < stop:
            paragraphs.append((start, stop))
        if gap:
            pos = gap.end()
    return paragraphs


def _body(text: str, layers: list[Layer], title: str = "",
          markers: dict[int, list[str]] | None = None) -> Markup:
    """The article text as ``<p>`` blocks with every layer wrapped in ``<span>`` elements;
    ``markers`` is markup to insert at a text position (after the spans that end there)."""
    out: list[str] = []
    pos = 0
    title = " ".join(title.split())
    for i, (start, end) in enumerate(_paragraphs(text)):
        # Whitespace between paragraphs stays in the output so no character is lost.
        out.append(str(escape(text[pos:start])))
        headline = i == 0 and title and " ".join(text[start:end].split()) == title
        out.append('<p dir="auto" class="headline">' if headline else '<p dir="auto">')
        out.extend(_sweep(text, start, end, layers, markers or {}))
        out.append("</p>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _sweep(text: str, start: int, end: int, layers: list[Layer],
           markers: dict[int, list[str]] | None = None) -> list[str]:
    """Boundary sweep over ``text[start:end]``.

    The text is cut at every span boundary. Open elements live on a stack; when a
    span ends under others that go on, those are closed and reopened as
    continuation fragments, so crossing spans still give balanced markup.
    """
    active = [
        (max(layer.start, start), min(layer.end, end), layer)
        for layer in layers
        if layer.start < end and layer.end > start
    ]
    markers = {p: m for p, m in (markers or {}).items() if start < p <= end}
    bounds = sorted({start, end, *(a[0] for a in active), *(a[1] for a in active), *markers})
    out: list[str] = []
    stack: list[tuple[int, int, Layer]] = []
    for pos, nxt in pairwise(bounds):
        reopen: list[tuple[int, int, Layer]] = []
        ending = [i for i, item in enumerate(stack) if item[1] == pos]
        if ending:
            popped = stack[ending[0] :]
            del stack[ending[0] :]
            out.append("</span>" * len(popped))
            reopen = [item for item in popped if item[1] > pos]
        out.extend(markers.get(pos, ()))
        opening = reopen + [item for item in active if item[0] == pos]
        for item in sorted(opening, key=lambda it: (-it[1], it[2].rank, it[2].start)):
            out.append(_open_tag(item[2], first=item[2].start == pos))
            stack.append(item)
        out.append(str(escape(text[pos:nxt])))
    out.append("</span>" * len(stack))
    out.extend(markers.get(end, ()))
    return out


def _open_tag(layer: Layer, first: bool) -> str:
    classes = layer.classes if first else layer.classes + " cont"
    attrs = [("class", classes), *layer.attrs, *(layer.first_attrs if first else ())]
    return "<span" + "".join(f' {name}="{escape(value)}"' for name, value in attrs) + ">"


def _summary(
    text: str, anchor: str, sentences: list[dict[str, Any]], quantities: list[dict[str, Any]]
) -> dict[str, Any]:
    scored = [
        (as_float(s.get("checkworthiness")), i, s)
        for i, s in enumerate(sentences, 1)
        if clamp(s, len(text)) is not None
    ]
    top = sorted(
        ((cw, i, s) for cw, i, s in scored if cw is not None and is_checkworthy(s)),
        key=lambda item: (-item[0], item[1]),
    )[:TOP_N]
    kinds = Counter(str(q.get("kind") or "other") for q in quantities)
    return {
        "sentences": len(sentences),
        "checkworthy": sum(is_checkworthy(s) for s in sentences),
        "opinion": sum(is_opinion(s) for s in sentences),
        "both": sum(is_checkworthy(s) and is_opinion(s) for s in sentences),
        "quantities": len(quantities),
        "kinds": sorted(kinds.items(), key=lambda item: (-item[1], item[0])),
        "top": [
            {
                "href": f"#{anchor}-s{i}",
                "score": fmt_score(cw),
                "opinion": is_opinion(s),
                "text": _shorten(span_text(text, s)),
            }
            for cw, i, s in top
        ],
        "histogram": _histogram([cw for cw, _, _ in scored if cw is not None]),
    }


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _histogram(scores: list[float]) -> dict[str, Any]:
    """Bar geometry of a check-worthiness histogram for the inline SVG."""
    counts = [0] * BINS
    for score in scores:
        counts[min(BINS - 1, max(0, int(score * BINS)))] += 1
    width, height, left, base = 240, 96, 8, 78
    bar = (width - 2 * left) / BINS
    peak = max(counts) or 1
    bars = []
    for i, n in enumerate(counts):
        h = round((base - 8) * n / peak, 1)
        bars.append(
            {
                "x": round(left + i * bar + 1, 1),
                "y": round(base - h, 1),
                "w": round(bar - 2, 1),
                "h": h,
                "n": n,
                "lo": f"{i / BINS:.1f}",
                "hi": f"{(i + 1) / BINS:.1f}",
                "cls": _bucket((i + 0.5) / BINS),
            }
        )
    return {
        "width": width,
        "height": height,
        "base": base,
        "left": left,
        "right": width - left,
        "mid": width / 2,
        "bars": bars,
        "total": len(scores),
    }
