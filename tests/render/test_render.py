"""Tests for the HTML and Markdown report renderers, on hand-built report dicts."""

from __future__ import annotations

import base64
import copy
import hashlib
import random
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest

from claimscope.render import render_html, render_markdown
from claimscope.render._format import quantity_range, quantity_tip
from claimscope.render.html import _SCRIPT
from claimscope.render.markdown import md_escape

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Tree(HTMLParser):
    """Parses HTML, records every element with its text, and checks tags balance."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.elements: list[tuple[str, dict[str, str | None], str]] = []
        self.ancestors: dict[int, list[dict[str, str | None]]] = {}
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []
        # Each character of the article body with the (tag, classes) of its open elements.
        self.body_chars: list[tuple[str, list[tuple[str, list[str]]]]] = []
        self.feed(html)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {[t for t, _, _ in self.stack]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append((tag, dict(attrs), []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"unexpected </{tag}>")
            return
        name, attrs, parts = self.stack.pop()
        self.ancestors[len(self.elements)] = [a for _, a, _ in self.stack]
        self.elements.append((name, attrs, "".join(parts)))

    def handle_data(self, data: str) -> None:
        for _, _, parts in self.stack:
            parts.append(data)
        classes = [(tag, (attrs.get("class") or "").split()) for tag, attrs, _ in self.stack]
        if any(tag == "div" and "text" in cls for tag, cls in classes):
            self.body_chars.extend((char, classes) for char in data)

    def with_class(self, cls: str, tag: str = "span") -> list[tuple[dict[str, str | None], str]]:
        """Elements having ``cls`` among their classes, in document order of their end."""
        return [
            (attrs, text)
            for name, attrs, text in self.elements
            if name == tag and cls in (attrs.get("class") or "").split()
        ]

    def by_id(self, ident: str) -> tuple[str, dict[str, str | None], str]:
        matches = [e for e in self.elements if e[1].get("id") == ident]
        assert len(matches) == 1, f"id {ident!r} found {len(matches)} times"
        return matches[0]


def article(text: str, **fields: Any) -> dict[str, Any]:
    """An article dict with empty layers, overridden by ``fields``."""
    base: dict[str, Any] = {
        "id": "a",
        "source": "a.txt",
        "title": None,
        "url": None,
        "published": None,
        "outlet": None,
        "language": "en",
        "text": text,
        "warnings": [],
        "sentences": [],
        "quantities": [],
        "errors": [],
    }
    base.update(fields)
    return base


def report(*articles: dict[str, Any], errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "schema_version": "1",
        "generator": {
            "name": "claimscope",
            "version": "0.1.0",
            "created": "2026-11-23T18:00:00Z",
            "models": {"encoder": {"name": "enc", "sha256": "ab" * 32}},
            "packages": {"spacy": "3.8.18"},
        },
        "articles": list(articles),
        "errors": errors or [],
    }


def sent(text: str, part: str, cw: float, subj: float, start: int = 0) -> dict[str, Any]:
    s = text.index(part, start)
    return {
        "start": s,
        "end": s + len(part),
        "text": part,
        "checkworthiness": cw,
        "subjectivity": subj,
    }


#: a quantity's fields besides its place in the text, as the parser leaves them unset
BLANK_QUANTITY = {"low": None, "high": None, "approximate": False, "bound": "exact",
                  "unit": None, "counted": None, "kind": "count"}


def quant(text: str, part: str, **fields: Any) -> dict[str, Any]:
    s = text.index(part)
    return {"start": s, "end": s + len(part), "text": part, **BLANK_QUANTITY, **fields}


def span(text: str, part: str, technique: str, score: float = 0.7) -> dict[str, Any]:
    s = text.index(part)
    return {"start": s, "end": s + len(part), "text": part, "technique": technique, "score": score}


NEWS = (
    "GAZA, Nov 18 - More than 4,000 rockets were fired, the military said.\n\n"
    'Around 240 captives were taken. "This is a barbaric crime," an official said.\n'
    "Aid workers said some 300 trucks entered."
)


@pytest.fixture
def news() -> dict[str, Any]:
    t = NEWS
    return report(
        article(
            t,
            title="Rockets & captives",
            sentences=[
                sent(
                    t,
                    "GAZA, Nov 18 - More than 4,000 rockets were fired, the military said.",
                    0.83,
                    0.12,
                ),
                sent(t, "Around 240 captives were taken.", 0.77, 0.2),
                sent(t, '"This is a barbaric crime," an official said.', 0.3, 0.9),
                sent(t, "Aid workers said some 300 trucks entered.", 0.6, 0.1),
            ],
            quantities=[
                quant(
                    t, "More than 4,000 rockets", low=4000.0, bound="more_than", counted="rockets"
                ),
                quant(
                    t,
                    "Around 240 captives",
                    low=240.0,
                    high=240.0,
                    approximate=True,
                    counted="captives",
                ),
                quant(
                    t, "some 300 trucks", low=300.0, high=300.0, approximate=True, counted="trucks"
                ),
            ],
            spans={"persuasion": [span(t, "barbaric crime", "Loaded_Language")]},
        )
    )


def body_text(tree: Tree, index: int = 0) -> str:
    bodies = tree.with_class("text", tag="div")
    return bodies[index][1]


# ---------------------------------------------------------------- HTML structure


def test_render_html_balanced_with_sentence_and_quantity_spans(news: dict[str, Any]) -> None:
    html = render_html(news)
    tree = Tree(html)
    assert tree.problems == []
    assert html.startswith("<!DOCTYPE html>")
    texts = [text for _, text in tree.with_class("s")]
    assert texts == [
        news["articles"][0]["text"][s["start"] : s["end"]] for s in news["articles"][0]["sentences"]
    ]
    assert [text for _, text in tree.with_class("q")] == [
        "More than 4,000 rockets",
        "Around 240 captives",
        "some 300 trucks",
    ]
    assert body_text(tree) == NEWS
    ids = [attrs["id"] for _, attrs in tree.starts if "id" in attrs]
    assert len(ids) == len(set(ids))


def test_render_html_nests_quantity_inside_sentence(news: dict[str, Any]) -> None:
    tree = Tree(render_html(news))
    index = next(
        i for i, (_, attrs, text) in enumerate(tree.elements) if attrs.get("id") == "a1-q1"
    )
    assert tree.elements[index][2] == "More than 4,000 rockets"
    assert [
        a.get("id") for a in tree.ancestors[index] if "s" in (a.get("class") or "").split()
    ] == ["a1-s1"]


def test_render_html_shades_claims_and_marks_opinion(news: dict[str, Any]) -> None:
    tree = Tree(render_html(news))
    classes = [attrs["class"].split() for attrs, _ in tree.with_class("s")]
    assert "claim" in classes[0] and "cw4" in classes[0]
    assert "subj" in classes[2] and "claim" not in classes[2]
    assert "subj" not in classes[0]


def test_render_html_quantity_tooltip_and_keyboard_focus(news: dict[str, Any]) -> None:
    tree = Tree(render_html(news))
    attrs, text = tree.with_class("q")[0]
    assert text == "More than 4,000 rockets"
    assert attrs["data-tip"] == "> 4,000 rockets · more than · count"
    assert attrs["tabindex"] == "0"
    assert tree.with_class("q")[1][0]["data-tip"] == "≈ 240 captives · approximate · count"


def test_render_html_summary_top_sentences_link_to_anchors() -> None:
    t = " ".join(f"Claim {i}." for i in range(8))
    parts = [f"Claim {i}." for i in range(8)]
    scores = [0.9, 0.2, 0.95, 0.6, 0.7, 0.55, 0.8, 0.4]
    a = article(t, sentences=[sent(t, p, cw, 0.1) for p, cw in zip(parts, scores, strict=True)])
    tree = Tree(render_html(report(a)))
    top = [
        (attrs, text)
        for name, attrs, text in tree.elements
        if name == "a" and (attrs.get("href") or "").startswith("#a1-s")
    ]
    assert [attrs["href"] for attrs, _ in top] == ["#a1-s3", "#a1-s1", "#a1-s7", "#a1-s5", "#a1-s4"]
    assert top[0][1] == "0.95Claim 2."
    for attrs, _ in top:
        tree.by_id(attrs["href"][1:])
    bars = [attrs for tag, attrs in tree.starts if tag == "rect"]
    assert len(bars) == 10
    assert sum(1 for tag, _ in tree.starts if tag == "svg") == 1


def test_render_html_counts_quantities_by_kind(news: dict[str, Any]) -> None:
    news["articles"][0]["quantities"][1]["kind"] = "percent"
    tree = Tree(render_html(news))
    kinds = [
        text
        for name, attrs, text in tree.elements
        if name == "li" and text.startswith(("count", "percent"))
    ]
    assert kinds == ["count 2", "percent 1"]


def test_render_html_persuasion_legend_and_toggles(news: dict[str, Any]) -> None:
    tree = Tree(render_html(news))
    spans = tree.with_class("g")
    assert [text for _, text in spans] == ["barbaric crime"]
    assert spans[0][0]["title"] == "Loaded Language · 0.70"
    assert any(name == "li" and "Loaded Language" in text for name, _, text in tree.elements)
    layers = [attrs.get("data-layer") for tag, attrs in tree.starts if tag == "input"]
    assert layers == ["claims", "opinion", "numbers", "g0"]


def test_render_html_without_spans_key_has_no_persuasion_layer(news: dict[str, Any]) -> None:
    del news["articles"][0]["spans"]
    tree = Tree(render_html(news))
    assert tree.problems == []
    assert tree.with_class("g") == []
    assert [attrs.get("data-layer") for tag, attrs in tree.starts if tag == "input"] == [
        "claims",
        "opinion",
        "numbers",
    ]


def test_render_html_is_self_contained(news: dict[str, Any]) -> None:
    html = render_html(news)
    tree = Tree(html)
    assert not any(tag in {"link", "img", "iframe"} or "src" in attrs for tag, attrs in tree.starts)
    assert "@import" not in html and "url(" not in html
    scripts = [text for name, _, text in tree.elements if name == "script"]
    assert scripts == [_SCRIPT]
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_template_is_package_data() -> None:
    template = resources.files("claimscope.render").joinpath("templates").joinpath("report.html.j2")
    assert "<!DOCTYPE html>" in template.read_text(encoding="utf-8")


# ---------------------------------------------------------------- security

XSS_TEXT = (
    "<script>alert(1)</script> says <img src=x onerror=alert(1)>. "
    'Then "><svg onload=alert(2)> and <a href="javascript:alert(3)">x</a>.'
)


@pytest.fixture
def hostile() -> dict[str, Any]:
    t = XSS_TEXT
    a = article(
        t,
        id='id"><script>alert(4)</script>',
        source="<img src=x onerror=alert(5)>.txt",
        title='He said "stop" \' & <b onmouseover=alert(6)>',
        url="javascript:alert(7)",
        outlet="<svg onload=alert(8)>",
        published='2023"><script>',
        language='en" onfocus="alert(9)',
        warnings=[{"code": "W<1>", "message": "<script>alert(10)</script>"}],
        errors=[{"code": "E1", "message": "<img src=x onerror=alert(11)>"}],
        sentences=[
            sent(t, "<script>alert(1)</script> says <img src=x onerror=alert(1)>.", 0.9, 0.1)
        ],
        quantities=[
            quant(t, "1", low=1.0, high=1.0, counted="<script>", unit='"><svg onload=alert(12)>')
        ],
        spans={
            "<img src=x onerror=alert(13)>": [
                span(t, "<svg onload=alert(2)>", '"><script>alert(14)</script>')
            ]
        },
    )
    a2 = article("second", id="b", url=" https://ok.example/ but not really")
    return report(
        a,
        a2,
        errors=[
            {
                "source": "<script>x</script>",
                "id": "\"'><",
                "code": "E104",
                "message": "<svg onload=1>",
            }
        ],
    )


def test_render_html_escapes_hostile_input(hostile: dict[str, Any]) -> None:
    html = render_html(hostile)
    tree = Tree(html)
    assert tree.problems == []
    assert [text for name, _, text in tree.elements if name == "script"] == [_SCRIPT]
    for tag, attrs in tree.starts:
        assert tag not in {"img", "iframe", "object", "embed", "b", "base", "form"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "javascript:" not in (attrs.get("href") or "").lower()
        assert tag != "svg" or attrs.get("class") == "hist"
    assert "<script>alert" not in html
    assert "<img" not in html and "<svg onload" not in html
    assert "onerror=alert" in html  # present only as escaped text
    assert body_text(tree) == XSS_TEXT


def test_render_html_quoted_title_stays_text(hostile: dict[str, Any]) -> None:
    tree = Tree(render_html(hostile))
    _, _, heading = tree.by_id("a1-title")
    assert heading == 'He said "stop" \' & <b onmouseover=alert(6)>'
    assert "He said &#34;stop&#34; &#39; &amp; &lt;b onmouseover=alert(6)&gt;" in render_html(
        hostile
    )


def test_render_html_links_only_http_urls() -> None:
    urls = {
        "https://example.org/a?b=1&c=2": True,
        "HTTP://example.org/": True,
        "javascript:alert(1)": False,
        " javascript:alert(1)": False,
        "JaVaScRiPt:alert(1)": False,
        "data:text/html,<script>alert(1)</script>": False,
        "https://exa mple.org/": False,
        "//example.org/": False,
    }
    arts = [article("x", id=f"u{i}", url=url) for i, url in enumerate(urls)]
    tree = Tree(render_html(report(*arts)))
    links = [
        attrs
        for tag, attrs in tree.starts
        if tag == "a" and not (attrs.get("href") or "").startswith("#")
    ]
    assert [attrs["href"] for attrs in links] == [u for u, ok in urls.items() if ok]
    assert all(attrs["rel"] == "noopener noreferrer nofollow" for attrs in links)
    shown = [text for name, _, text in tree.elements if name == "code"]
    assert "javascript:alert(1)" in shown and "data:text/html,<script>alert(1)</script>" in shown


# ---------------------------------------------------------------- overlaps


def roundtrip(a: dict[str, Any]) -> Tree:
    """Render one article; check balance, that the text comes back whole, and that each
    character sits inside exactly as many sentence/number/group spans as cover it."""
    tree = Tree(render_html(report(a)))
    assert tree.problems == []
    text = a["text"]
    assert body_text(tree) == text
    layers = {
        "s": a["sentences"],
        "q": a["quantities"],
        "g": [x for group in (a.get("spans") or {}).values() for x in group],
    }
    for i, (char, open_elements) in enumerate(tree.body_chars):
        assert char == text[i]
        if not any(tag == "p" for tag, _ in open_elements):
            assert char.isspace() and open_elements[-1] == ("div", ["text"]), (i, char)
            continue
        for cls, spans in layers.items():
            expected = sum(
                1
                for x in spans
                if isinstance(x["start"], int)
                and max(x["start"], 0) <= i < min(x["end"], len(text))
            )
            found = sum(1 for tag, classes in open_elements if tag == "span" and cls in classes)
            assert found == expected, (i, char, cls)
    return tree


def test_render_html_crossing_spans_keep_every_character_once() -> None:
    t = (
        "First sentence has 12 words in it. Second one crosses over here."
        "\n\nThird is in a new paragraph."
    )
    a = article(
        t,
        sentences=[
            sent(t, "First sentence has 12 words in it.", 0.7, 0.2),
            sent(t, "Second one crosses over here.", 0.4, 0.8),
            sent(t, "Third is in a new paragraph.", 0.5, 0.5),
        ],
        quantities=[quant(t, "12 words", low=12.0, high=12.0, counted="words")],
        spans={
            "persuasion": [
                span(t, "has 12 words in it. Second one", "Loaded_Language"),
                span(t, "words in it. Second one crosses", "Doubt"),
                span(t, "over here.\n\nThird is", "Flag_Waving"),
                span(t, "12", "Repetition"),
            ]
        },
    )
    tree = roundtrip(a)
    # Crossing spans are split into fragments; only the first fragment carries the anchor.
    assert len(tree.with_class("cont")) > 0
    assert [
        attrs.get("id") for attrs, _ in tree.with_class("s") if "cont" not in attrs["class"]
    ] == ["a1-s1", "a1-s2", "a1-s3"]
    flag = "".join(
        text
        for attrs, text in tree.with_class("g")
        if f"pc{_hue_index(tree, 'Flag Waving')}" in attrs["class"].split()
    )
    assert flag.replace("\n", "") == "over here.Third is"
    paragraphs = [
        text for name, attrs, text in tree.elements if name == "p" and attrs.get("dir") == "auto"
    ]
    assert paragraphs == [t.split("\n\n")[0], t.split("\n\n")[1]]


def _hue_index(tree: Tree, name: str) -> int:
    for attrs, _ in tree.with_class("g"):
        if (attrs.get("title") or "").startswith(name):
            return int(next(c for c in attrs["class"].split() if re.fullmatch(r"pc\d+", c))[2:])
    raise AssertionError(name)


def test_render_html_identical_and_nested_spans() -> None:
    t = "Exactly the same span. Tail."
    a = article(
        t,
        sentences=[sent(t, "Exactly the same span.", 0.9, 0.1), sent(t, "Tail.", 0.1, 0.1)],
        quantities=[quant(t, "Exactly the same span.")],
        spans={
            "persuasion": [
                span(t, "Exactly the same span.", "A"),
                span(t, "same", "B"),
                span(t, "same", "C"),
            ]
        },
    )
    tree = roundtrip(a)
    html = render_html(report(a))
    # Same extent: sentence outermost, then the group span, then the number.
    assert re.search(r'<span class="s [^"]*"[^>]*><span class="g [^"]*"[^>]*><span class="q"', html)
    assert len(tree.with_class("cont")) == 0


def test_render_html_ignores_bad_offsets() -> None:
    t = "Short text."
    a = article(
        t,
        sentences=[
            {"start": 0, "end": 500, "checkworthiness": 0.9, "subjectivity": 0.1},
            {"start": 8, "end": 3, "checkworthiness": 0.9, "subjectivity": 0.1},
            {"start": "0", "end": 5, "checkworthiness": 0.9, "subjectivity": 0.1},
            {"start": -4, "end": 5, "checkworthiness": None, "subjectivity": None},
        ],
    )
    tree = roundtrip(a)
    # (0, 500) is clipped to the text, (-4, 5) to (0, 5); the other two are dropped.
    assert [text for _, text in tree.with_class("s")] == ["Short", "Short text."]


def test_render_html_preserves_newlines_and_blank_lines() -> None:
    t = "\n  Headline line\n\n\nPara one line one\nline two\n \t\nLast para.\n"
    tree = roundtrip(article(t))
    paragraphs = [
        text for name, attrs, text in tree.elements if name == "p" and attrs.get("dir") == "auto"
    ]
    assert paragraphs == ["Headline line", "Para one line one\nline two", "Last para."]


def test_render_html_random_overlaps_roundtrip() -> None:
    rng = random.Random(7)
    t = "Ab, cd ef.\n\nGh ij 12 kl! Mn\nop qr 3,4 st.  \n\n\nUv «wx» 🚀 yz.\n"

    def spans(k: int, **extra: Any) -> list[dict[str, Any]]:
        out = []
        for _ in range(k):
            start = rng.randrange(-2, len(t))
            out.append({"start": start, "end": rng.randrange(start - 1, len(t) + 3), **extra})
        return out

    for _ in range(60):
        a = article(
            t,
            sentences=spans(4, checkworthiness=rng.random(), subjectivity=rng.random()),
            quantities=spans(3, low=1.0, high=None, bound="at_least", kind="count"),
            spans={
                "persuasion": spans(4, technique=rng.choice(["Doubt", "Loaded_Language"])),
                "framing": spans(2, label="Frame"),
            },
        )
        roundtrip(a)


def test_render_html_marks_headline_only_when_it_is_the_title() -> None:
    t = "Rockets hit the south\n\nMore than 4,000 rockets were fired."
    with_title = Tree(render_html(report(article(t, title="Rockets  hit the south"))))
    headlines = [text for _, text in with_title.with_class("headline", tag="p")]
    assert headlines == ["Rockets hit the south"]
    without = Tree(render_html(report(article(t, title="Another title"))))
    assert without.with_class("headline", tag="p") == []


def test_render_html_empty_article() -> None:
    html = render_html(report(article("")))
    tree = Tree(html)
    assert tree.problems == []
    assert tree.with_class("text", tag="div") == []
    assert "This article has no text." in html
    assert "No sentence reaches 0.5." in html


def test_render_html_article_without_sentences() -> None:
    t = "Plain text without any layers.\n\nSecond paragraph."
    tree = roundtrip(article(t))
    assert tree.with_class("s") == [] and tree.with_class("q") == []
    counts = [
        text for name, _, text in tree.elements if name == "div" and text.startswith("Sentences")
    ]
    assert counts == ["Sentences0"]


def test_renderers_accept_partial_entries() -> None:
    rep = {
        "articles": [{"text": "x", "warnings": [{"message": "only a message"}], "errors": [{}]}],
        "errors": [{"message": "no source"}, {"code": 5}, "not a dict"],
    }
    tree = Tree(render_html(rep))
    assert tree.problems == []
    items = [text for name, _, text in tree.elements if name == "li"]
    assert " only a message" in items
    cells = [text for name, _, text in tree.elements if name == "td"]
    assert cells == ["", "", "", "no source", "", "", "5", ""]
    md = render_markdown(rep)
    assert "\n- only a message\n" in md and "| 5 |" in md


def test_render_html_report_without_articles() -> None:
    html = render_html({"schema_version": "1", "articles": [], "errors": []})
    assert Tree(html).problems == []
    assert "This report holds no articles." in html


def test_render_html_unicode_offsets() -> None:
    t = "قال المسؤول إن 30 شاحنة دخلت. אמר הדובר: 5 רקטות. Family 👨‍👩‍👧 of 3 🚀 fled."
    a = article(
        t,
        language="mul",
        sentences=[
            sent(t, "قال المسؤول إن 30 شاحنة دخلت.", 0.8, 0.1),
            sent(t, "אמר הדובר: 5 רקטות.", 0.6, 0.7),
            sent(t, "Family 👨‍👩‍👧 of 3 🚀 fled.", 0.2, 0.1),
        ],
        quantities=[
            quant(t, "30 شاحنة", low=30.0, high=30.0),
            quant(t, "5 רקטות", low=5.0, high=5.0),
            quant(t, "3 🚀", low=3.0, high=3.0),
        ],
        spans={"persuasion": [span(t, "👩‍👧 of", "Emoji")]},
    )
    tree = roundtrip(a)
    assert [text for _, text in tree.with_class("s")] == [s["text"] for s in a["sentences"]]
    assert [text for _, text in tree.with_class("q")] == ["30 شاحنة", "5 רקטות", "3 🚀"]
    assert [text for _, text in tree.with_class("g")] == ["👩‍👧 of"]
    paragraphs = [attrs for name, attrs, text in tree.elements if name == "p" and "شاحنة" in text]
    assert paragraphs and all(attrs.get("dir") == "auto" for attrs in paragraphs)


# ---------------------------------------------------------------- several articles


def test_render_html_multiple_articles_toc_and_run_errors(news: dict[str, Any]) -> None:
    second = copy.deepcopy(news["articles"][0])
    second.update(id="second", title=None)
    rep = report(
        news["articles"][0],
        second,
        errors=[
            {
                "source": "bad.jsonl:3",
                "id": None,
                "code": "E104",
                "message": "line 3 is not valid JSON",
            }
        ],
    )
    tree = Tree(render_html(rep))
    assert tree.problems == []
    toc = [
        attrs["href"]
        for tag, attrs in tree.starts
        if tag == "a" and attrs.get("href") in {"#a1", "#a2"}
    ]
    assert toc == ["#a1", "#a2"]
    assert tree.by_id("a1")[0] == "article" and tree.by_id("a2")[0] == "article"
    assert tree.by_id("a2-title")[2] == "second"
    assert tree.by_id("a2-s1")  # ids are per article, never clash
    cells = [text for name, _, text in tree.elements if name == "td"]
    assert cells[:4] == ["bad.jsonl:3", "", "E104", "line 3 is not valid JSON"]


def test_render_html_single_article_has_no_toc(news: dict[str, Any]) -> None:
    tree = Tree(render_html(news))
    assert not [attrs for tag, attrs in tree.starts if tag == "nav"]


# ---------------------------------------------------------------- Markdown


def md_rows(markdown: str, header: str) -> list[list[str]]:
    """Cells of the table following ``header``, split at unescaped pipes."""
    lines = markdown.split(header, 1)[1].split("\n\n", 2)[1].splitlines()
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines[2:]]


def test_render_markdown_sections(news: dict[str, Any]) -> None:
    md = render_markdown(news)
    assert md.startswith("# claimscope report\n")
    assert "## 1. Rockets & captives" in md
    claims = md_rows(md, "### Check-worthy sentences")
    assert [row[0] for row in claims] == ["1", "2", "4"]
    assert claims[0][1:3] == ["0.83", "0.12"]
    numbers = md_rows(md, "### Numbers")
    assert numbers[0] == ["More than 4,000 rockets", "> 4,000", "more than", "", "rockets", "count"]
    assert numbers[1][1:3] == ["≈ 240", "approximate"]
    techniques = md_rows(md, "### Persuasion")
    assert techniques == [["Loaded Language", "0.70", "barbaric crime"]]


def test_render_markdown_escapes_table_cells() -> None:
    t = "Costs | were <b>5</b> *huge*\nand [x](javascript:y) rose."
    a = article(
        t,
        sentences=[sent(t, t, 0.9, 0.6)],
        quantities=[quant(t, "5", low=5.0, high=5.0, counted="a|b")],
    )
    md = render_markdown(report(a))
    rows = md_rows(md, "### Check-worthy sentences")
    assert len(rows) == 1 and len(rows[0]) == 4
    cell = rows[0][3]
    assert cell == r"Costs \| were &lt;b>5&lt;/b> \*huge\* and \[x\](javascript:y) rose."
    assert rows[0][2] == "0.60 (SUBJ)"
    assert "<b>" not in md and "\n and" not in md
    assert md_rows(md, "### Numbers")[0][4] == r"a\|b"


def test_md_escape_neutralises_markup() -> None:
    assert md_escape("a|b") == r"a\|b"
    assert md_escape("<script>x</script>") == "&lt;script>x&lt;/script>"
    assert md_escape("AT&T &amp; &#60; a & b") == r"AT&T &amp;amp; &amp;\#60; a & b"
    assert md_escape("line\nbreak\r\n\tend") == "line break end"
    assert md_escape("`code` _u_ ~s~ # \\") == r"\`code\` \_u\_ \~s\~ \# \\"


def test_render_markdown_multiple_articles_and_run_errors(news: dict[str, Any]) -> None:
    rep = report(
        news["articles"][0],
        article("", id="empty|one"),
        errors=[{"source": "x|y", "id": None, "code": "E104", "message": "bad <json>"}],
    )
    md = render_markdown(rep)
    assert "## Contents\n\n1. Rockets & captives\n2. empty\\|one\n" in md
    assert "_This article has no text._" in md
    assert md_rows(md, "## Run errors") == [[r"x\|y", "", "E104", "bad &lt;json>"]]


def test_render_markdown_empty_report() -> None:
    md = render_markdown({"articles": []})
    assert md == "# claimscope report\n\n0 articles\n"


# ---------------------------------------------------------------- value formatting


@pytest.mark.parametrize(
    ("fields", "expected_range", "expected_tip"),
    [
        (
            {"low": 4000.0, "bound": "at_least", "counted": "rockets"},
            "≥ 4,000",
            "≥ 4,000 rockets · at least · count",
        ),
        ({"high": 50.0, "bound": "less_than"}, "< 50", "< 50 · less than · count"),
        (
            {"low": 15.0, "high": 25.0, "kind": "percent", "bound": "range"},
            "15–25",
            "15–25% · range · percent",
        ),
        ({"low": 2023.0, "high": 2023.0, "kind": "year"}, "2023", "2023 · year"),
        (
            {"low": 1.5e6, "high": 1.5e6, "unit": "USD", "kind": "money"},
            "1,500,000",
            "1,500,000 USD · exact · money",
        ),
        (
            {"low": 0.125, "high": 0.125, "kind": "measure", "unit": "km"},
            "0.125",
            "0.125 km · exact · measure",
        ),
        ({"kind": "other", "bound": None}, "?", "? · other"),
        (
            {"low": 10.0, "bound": "at_least", "approximate": True},
            "≥ 10",
            "≥ 10 · at least, approximate · count",
        ),
    ],
)
def test_quantity_formatting(
    fields: dict[str, Any], expected_range: str, expected_tip: str
) -> None:
    q = {**BLANK_QUANTITY, **fields}
    assert quantity_range(q) == expected_range
    assert quantity_tip(q) == expected_tip


def test_registered_sections_render_in_html_and_markdown(monkeypatch):
    import sys
    import types

    from markupsafe import Markup, escape

    from claimscope.render import sections

    mod = types.ModuleType("cs_test_section")
    mod.html = lambda article, index: Markup("<table id='x{}'>{}</table>").format(
        index, escape(article["extra"]))
    mod.md = lambda article: f"### Extra\n\n{article['extra']}\n"
    monkeypatch.setitem(sys.modules, "cs_test_section", mod)
    monkeypatch.setitem(sections.SECTIONS, "extra",
                        sections.Section("extra", "cs_test_section:html", "cs_test_section:md"))
    article = {"id": "a", "text": "One. Two.", "sentences": [
        {"start": 0, "end": 4, "text": "One."}, {"start": 5, "end": 9, "text": "Two."}],
        "extra": "<b>x</b>"}
    html = render_html({"articles": [article, {"id": "b", "text": "No extra."}]})
    assert "<table id='x1'>&lt;b&gt;x&lt;/b&gt;</table>" in html and "id='x2'" not in html
    assert "### Extra" in render_markdown({"articles": [article]})
    assert sections.sentence_anchor(1, article, 6) == "a1-s1"
    assert f'id="{sections.sentence_anchor(1, article, 6)}"' in html
