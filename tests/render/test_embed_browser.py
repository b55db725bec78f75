"""Every output format is safe to embed: opened in a real Chromium, no article text runs.

The reports are built from hostile article text (a ``</script>`` that would end a JSON-LD
element, event-handler markup, a ``javascript:`` URL); each page sets ``window.__pwned``
only if something in the text ran. Needs Debian's chromium at /usr/bin/chromium
(``apt-get install -y chromium``, as ``.ci/run`` does) and the ``playwright`` package;
nothing downloads a browser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimscope import Document
from claimscope.report import build_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAYLOADS = ["</script><script>window.__pwned = 'script';</script>",
            "<img src=x onerror=\"window.__pwned = 'img'\">",
            "<svg onload=\"window.__pwned = 'svg'\"></svg>",
            "</SCRIPT ><script>window.__pwned = 'upper'</script>",
            "<!--<script>window.__pwned = 'comment'</script>-->",
            "&lt;script&gt;window.__pwned = 'entity'&lt;/script&gt;"]

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(),
                                reason="Debian's chromium is not installed at /usr/bin/chromium "
                                       "(apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _hostile_report() -> dict:
    text = "\n".join(f"The army said {k + 2} trucks entered. {p}" for k, p in enumerate(PAYLOADS))
    doc = Document(text, id="</script><script>window.__pwned='id'</script>",
                   title=PAYLOADS[1], url="javascript:window.__pwned='url'",
                   outlet=PAYLOADS[0], published="2023-11-20")
    start = 0
    for line in text.split("\n"):
        doc.sentences.add(start, start + len(line), checkworthiness=0.9, subjectivity=0.1)
        start += len(line) + 1
    doc.spans["quantities"].add(14, 15, low=2.0, high=2.0, bound="exact", unit=None,
                                counted=PAYLOADS[2], approximate=False, kind="count")
    doc.spans["persuasion"].add(0, 10, label=PAYLOADS[3], score=0.9, technique=PAYLOADS[3])
    doc.fields["claims"] = [{
        "text": p, "verdict": "refuted", "confidence": 0.8, "comparison": p,
        "span": {"start": 0, "end": 5}, "sentence": {"start": 0, "end": 5},
        "evidence": [{"passage": p, "source": p, "url": "javascript:window.__pwned='ev'",
                      "date": "2023-11-18", "stance": "refutes", "score": 0.9}]}
        for p in PAYLOADS]
    return build_report([doc], [{"source": PAYLOADS[4], "code": "E101", "message": PAYLOADS[5],
                                 "id": PAYLOADS[0]}])


def _pwned(browser, html: str | None = None, path: Path | None = None):
    page = browser.new_page()
    try:
        if path is not None:
            page.goto(path.as_uri())
        else:
            page.set_content(html or "")
        page.wait_for_timeout(50)
        for link in page.query_selector_all("a[href]")[:20]:  # a link must not run script
            href = link.get_attribute("href") or ""
            assert not href.lower().lstrip().startswith("javascript:"), href
        return page.evaluate("window.__pwned === undefined ? null : window.__pwned"), page
    except Exception:
        page.close()
        raise


def test_claimreview_is_safe_inside_a_jsonld_script(browser):
    from claimscope.render.claimreview import claimreview_graph, render_claimreview

    report = _hostile_report()
    jsonld = render_claimreview(report)
    page_html = ("<!doctype html><html><head><title>embed</title>"
                 f"<script type=\"application/ld+json\">{jsonld}</script></head>"
                 "<body><p>host page</p></body></html>")
    pwned, page = _pwned(browser, page_html)
    try:
        assert pwned is None
        embedded = page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
            ".textContent)")
        assert embedded == json.loads(json.dumps(claimreview_graph(report)))
    finally:
        page.close()
    assert "<" not in jsonld and ">" not in jsonld and "&" not in jsonld


def test_html_report_runs_no_article_text(browser, tmp_path):
    from claimscope.io.writers import write_reports

    (path,) = write_reports(_hostile_report(), tmp_path, ["html"])
    pwned, page = _pwned(browser, path=path)
    page.close()
    assert pwned is None


def test_markdown_report_rendered_as_html_runs_nothing(browser):
    from markdown_it import MarkdownIt

    from claimscope.render.markdown import render_markdown

    html = MarkdownIt("commonmark", {"html": True}).render(render_markdown(_hostile_report()))
    pwned, page = _pwned(browser, "<!doctype html><html><body>" + html + "</body></html>")
    page.close()
    assert pwned is None


def test_json_report_inlined_in_a_script_runs_nothing(browser):
    """report.json as written is plain JSON; inlined into a page it goes through
    html_safe_json, the one escape every JSON-in-HTML output uses."""
    from claimscope.io.safe import html_safe_json
    from claimscope.io.writers import render_json

    report = _hostile_report()
    page_html = ("<!doctype html><html><head><script id=\"data\" type=\"application/json\">"
                 f"{html_safe_json(render_json(report))}</script></head><body></body></html>")
    pwned, page = _pwned(browser, page_html)
    try:
        assert pwned is None
        assert page.evaluate("JSON.parse(document.getElementById('data').textContent)") \
            == json.loads(render_json(report))
    finally:
        page.close()
