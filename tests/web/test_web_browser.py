"""The web app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

The server runs in this process on 127.0.0.1 with the fast stand-in pipeline and a small
corpus (web_fakes). Skipped, with the reason, when Chromium or Playwright is missing; CI
installs both (.ci/run).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from web_fakes import ARTICLE, make_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="/usr/bin/chromium is absent (apt-get install -y chromium)")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TRAP = """
window.__xss = 0;
window.alert = window.confirm = window.prompt = function () { window.__xss = 99; };
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(tmp_path_factory.mktemp("browser"), hosts=[f"127.0.0.1:{port}"])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.add_init_script(TRAP)
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.page_errors = []
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    yield pg
    context.close()


def _paste(page, server, text, **meta):
    page.goto(server + "/")
    page.fill("#text", text)
    for name, value in meta.items():
        page.fill(f"input[name={name}]", value)
    with page.expect_navigation():
        page.click("#analyze")


def test_paste_shows_the_highlighted_article(page, server):
    _paste(page, server, ARTICLE, title="Trucks and rockets", outlet="Browser Outlet")
    assert "/articles/" in page.url, page.inner_text("body")[:500]
    assert page.locator(".text .s.claim").count() >= 2          # check-worthy sentences
    assert page.locator(".text .s.subj").count() == 1           # the opinion sentence
    assert page.locator(".text .q").count() >= 3                # figures
    assert page.locator(".text .g.ga").count() >= 2             # actors (Israel, Hamas)
    q = page.locator(".text .q").first
    q.hover()
    assert q.get_attribute("data-tip")                          # normalised value on hover
    assert page.locator(".legend").first.is_visible()
    assert not page.page_errors


def test_toggling_a_layer(page, server):
    _paste(page, server, "Israel said 40 rockets were fired at the town on Monday.")
    q = page.locator(".text .q").first
    width = "getComputedStyle(document.querySelector('.text .q')).borderBottomWidth"
    assert page.evaluate(width) != "0px"
    page.uncheck("input[data-layer=numbers]")
    assert page.evaluate(width) == "0px"
    page.check("input[data-layer=numbers]")
    assert page.evaluate(width) != "0px"
    shade = "getComputedStyle(document.querySelector('.text .s.claim')).backgroundColor"
    before = page.evaluate(shade)
    page.uncheck("input[data-layer=claims]")
    assert page.evaluate(shade) != before
    assert q.is_visible()


def test_clicking_a_claim_shows_its_evidence(page, server):
    _paste(page, server, ARTICLE, published="2023-11-19")
    panel = page.locator(".claim-panel")
    assert panel.is_hidden()
    page.locator(".text .v.v-refuted").first.click()
    assert panel.is_visible()
    text = panel.inner_text()
    assert "Refuted" in text and "117 trucks" in text           # verdict and evidence
    assert "claim:" in text and "source:" in text               # the comparison line
    assert "OCHA Flash Update #43" in text
    page.locator(".claim-panel .close").click()
    assert panel.is_hidden()


def test_uploading_files(page, server, tmp_path):
    one = tmp_path / "upload.md"
    one.write_text("Some 75 trucks entered Gaza on Sunday, the UN said.", encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#files", str(one))
    with page.expect_navigation():
        page.click("#analyze")
    assert "/articles/" in page.url and "75 trucks" in page.inner_text(".text")
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"id": f"b{i}", "text": f"Item {i}: {i + 3} shells "
                                           "hit the port.", "outlet": "Batch Outlet"})
                               for i in range(6)), encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#files", str(batch))
    with page.expect_navigation():
        page.click("#analyze")
    assert "job=" in page.url
    page.locator("#job-state", has_text=re.compile("^done$")).wait_for(timeout=20000)
    assert page.locator("#job-articles li").count() == 6
    assert page.eval_on_selector("#job-progress", "p => p.value === p.max")
    page.fill("#text", "Meanwhile, 12 rockets were fired.")        # the page stays usable
    with page.expect_navigation():
        page.click("#analyze")
    assert "/articles/" in page.url


def test_collection_filters(page, server):
    for outlet, day in (("Filter North", "2023-10-10"), ("Filter South", "2023-12-12")):
        _paste(page, server, f"{outlet} reported 15 rockets on {day}.", outlet=outlet,
               published=day)
    page.goto(server + "/articles")
    assert page.locator("svg.chart").count() == 2
    page.select_option("select[name=outlet]", "Filter North")
    with page.expect_navigation():
        page.click(".filters button[type=submit]")
    rows = page.locator("table.articles tbody tr")
    assert rows.count() == 1 and "Filter North" in rows.first.inner_text()
    page.goto(server + "/articles")
    page.fill("input[name=q]", "Filter South")
    with page.expect_navigation():
        page.click(".filters button[type=submit]")
    assert "Filter South" in page.locator("table.articles tbody").inner_text()
    assert "Filter North" not in page.locator("table.articles tbody").inner_text()
    page.goto(server + "/articles")
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_navigation():
        page.click("#compare")
    assert "claimscope comparison" in page.content()


PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=2;alert(2)">',
    "javascript:window.__xss=3;alert(3)",
    '"><svg onload="window.__xss=4;alert(4)">',
    "' onmouseover='window.__xss=5' autofocus onfocus='window.__xss=5' x='",
    "</textarea><script>window.__xss=6</script>",
    "{{7*7}}",
    "\u202e<script>window.__xss=7</script>\u200b",
    "\uff1cscript\uff1ewindow.__xss=8\uff1c/script\uff1e",
    '<a href="javascript:window.__xss=9">click</a>',
    "<iframe srcdoc='<script>parent.__xss=10</script>'></iframe>",
]
EVIL = " ".join(PAYLOADS)


def _no_script_ran(page):
    page.wait_for_timeout(150)
    page.mouse.move(300, 300)
    assert page.evaluate("window.__xss") == 0 and page.dialogs == []
    injected = page.evaluate("""() => document.querySelectorAll(
        'script:not([src]), iframe, svg [onload], [onerror], [onload], [onmouseover], '
        + '[onfocus], a[href^="javascript" i]').length""")
    assert injected == 0


def test_xss_payloads_never_execute(page, server, tmp_path):
    # article text, title, outlet, date and URL through the form and the API
    _paste(page, server, "Some 10 rockets were fired. " + EVIL + " 20 trucks entered Gaza.",
           title=EVIL, outlet=EVIL, published=EVIL)
    _no_script_ran(page)
    assert "{{7*7}}" in page.inner_text("body")
    article_page = page.url
    resp = page.request.post(server + "/api/analyze", data={
        "text": "Some 30 rockets were fired. " + EVIL, "title": EVIL, "outlet": EVIL,
        "url": "javascript:window.__xss=11", "published": EVIL})
    assert resp.ok
    page.goto(server + resp.json()["url"])
    _no_script_ran(page)
    # an id and a file name from an upload
    upload = tmp_path / "x.jsonl"
    upload.write_text(json.dumps({"id": EVIL, "text": "Some 40 rockets. " + EVIL,
                                  "url": "javascript:alert(12)", "title": EVIL}),
                      encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#files", {"name": '"><img src=x onerror=alert(13)>.jsonl',
                                    "mimeType": "application/json",
                                    "buffer": upload.read_bytes()})
    with page.expect_navigation():
        page.click("#analyze")
    _no_script_ran(page)
    # everywhere it is listed, searched or downloaded
    for path in ("/", "/articles", "/articles?q=" + "script", "/articles?outlet=" + EVIL[:40],
                 "/corpus?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/nope" + EVIL[:30],
                 "/articles/" + "%3Cscript%3E"):
        page.goto(server + path)
        _no_script_ran(page)
    page.goto(article_page)
    page.fill("#text", "") if page.locator("#text").count() else None
    # the static report of the same article, as a file (its own hash-pinned script runs)
    html = page.request.get(article_page + "/report.html").text()
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    page.goto(report.as_uri())
    page.wait_for_timeout(150)
    assert page.evaluate("window.__xss") == 0 and page.dialogs == []
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    page.uncheck("input[data-layer=numbers]")                # and the toggles still work
    assert page.evaluate("document.querySelector('.article').classList.contains("
                         "'hide-numbers')")
