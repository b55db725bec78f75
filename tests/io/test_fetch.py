"""Fetching articles by URL, against a local HTTP server on 127.0.0.1 (allowed explicitly)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from claimscope.errors import InputError
from claimscope.io.fetch import fetch, fetch_document, is_url, read_inputs
from claimscope.io.readers import ReadError

PAGE = b"""<!doctype html><html><head><title>Trucks enter Gaza</title>
<meta property="og:site_name" content="Local News">
<meta name="date" content="2023-11-18"></head><body><nav>Home | World</nav>
<article><h1>Trucks enter Gaza</h1><p>Some 300 trucks entered Gaza through the Rafah
crossing on Saturday, officials said, the largest number since the war began.</p>
<p>Aid agencies said far more was needed to meet the needs of the population.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # noqa: N802 - the http.server API
        routes = {
            "/page": (200, "text/html; charset=utf-8", PAGE),
            "/text": (200, "text/plain", b"Plain text article about 40 rockets."),
            "/pdf": (200, "application/pdf", b"%PDF-1.4 ..."),
            "/missing": (404, "text/html", b"no"),
            "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
        }
        if self.path.startswith("/loop"):
            n = int(self.path[5:] or 0)
            self.send_response(302)
            self.send_header("Location", f"/loop{n + 1}")
            self.end_headers()
            return
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        if self.path == "/slow":
            import time

            time.sleep(2)
        status, ctype, body = routes.get(self.path, (200, "text/html", PAGE))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


ALLOW = ("127.0.0.1",)


def test_is_url():
    assert is_url("https://x.org") and is_url("HTTP://x") and not is_url("file:///etc")
    assert not is_url("page.html") and not is_url(None)


def test_fetch_page_text_and_metadata(server):
    doc = fetch_document(f"{server}/page", allow_hosts=ALLOW)
    assert "300 trucks entered Gaza" in doc.text and "Home | World" not in doc.text
    assert doc.meta["title"] == "Trucks enter Gaza"
    assert doc.meta["published"] == "2023-11-18"
    assert doc.meta["outlet"] == "Local News"
    assert doc.meta["url"] == f"{server}/page"
    # given metadata wins over the page's own
    doc = fetch_document(f"{server}/page", allow_hosts=ALLOW, title="Mine")
    assert doc.meta["title"] == "Mine"


def test_fetch_follows_a_few_redirects(server):
    doc = fetch_document(f"{server}/redirect", allow_hosts=ALLOW)
    assert doc.meta["url"] == f"{server}/page"
    with pytest.raises(InputError, match=r"^\[E505\]"):
        fetch(f"{server}/loop0", allow_hosts=ALLOW, max_redirects=3)


@pytest.mark.parametrize("url, code", [
    ("file:///etc/passwd", "E500"), ("ftp://127.0.0.1/x", "E500"),
    ("javascript:alert(1)", "E500"), ("gopher://localhost", "E500"),
])
def test_fetch_refuses_other_schemes(url, code):
    with pytest.raises(InputError) as info:
        fetch(url, allow_hosts=ALLOW)
    assert info.value.code == code


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.1", "192.168.1.1",
                                  "169.254.169.254", "[::1]", "0.0.0.0", "[::ffff:127.0.0.1]"])
def test_fetch_refuses_private_and_loopback_unless_allowed(host):
    # refused before any connection is made
    with pytest.raises(InputError) as info:
        fetch(f"http://{host}:9/x", timeout=1)
    assert info.value.code == "E501"


def test_fetch_errors_are_coded(server):
    cases = {"/missing": "E503", "/pdf": "E506"}
    for path, code in cases.items():
        with pytest.raises(InputError) as info:
            fetch(server + path, allow_hosts=ALLOW)
        assert info.value.code == code, path
    with pytest.raises(InputError, match=r"^\[E502\]"):
        fetch(f"{server}/big", allow_hosts=ALLOW, max_bytes=1000)
    with pytest.raises(InputError, match=r"^\[E504\]"):
        fetch(f"{server}/slow", allow_hosts=ALLOW, timeout=0.3)
    with pytest.raises(InputError, match=r"^\[E504\]"):
        fetch("http://127.0.0.1:9/closed-port", allow_hosts=ALLOW, timeout=2)


def test_plain_text_page(server):
    doc = fetch_document(f"{server}/text", allow_hosts=ALLOW)
    assert doc.text == "Plain text article about 40 rockets."


def test_read_inputs_keeps_order_and_codes(server, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSCOPE_FETCH_ALLOW_HOSTS", "127.0.0.1")
    f = tmp_path / "a.txt"
    f.write_text("A local article.", encoding="utf-8")
    items = list(read_inputs([str(f), f"{server}/page", "ftp://x/y", str(f)]))
    assert [type(i).__name__ for i in items] == ["Document", "Document", "ReadError",
                                                 "Document"]
    assert isinstance(items[2], ReadError) and items[2].code == "E500"


def test_cli_analyze_fetches_a_url(server, tmp_path, monkeypatch):
    from claimscope.cli import main

    monkeypatch.setenv("CLAIMSCOPE_FETCH_ALLOW_HOSTS", "127.0.0.1")
    res = CliRunner().invoke(main, ["analyze", f"{server}/page", "ftp://nowhere/x",
                                    "-o", str(tmp_path), "--stages", "segment,quantities",
                                    "--format", "json", "-q"])
    assert res.exit_code == 1, res.output  # the ftp:// argument failed, the page did not
    assert "E500" in res.output and "no such file" not in res.output
    import json

    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["articles"][0]["title"] == "Trucks enter Gaza"
    assert report["errors"][0]["code"] == "E500"
