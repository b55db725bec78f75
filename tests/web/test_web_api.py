"""The web app through its HTTP interface (TestClient): API, pages, error shape, security."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import at_once
from fastapi.testclient import TestClient
from web_fakes import ARTICLE, make_app

from claimscope.report import schema


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("web"))


@pytest.fixture()
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def _article_schema():
    full = schema()
    return {**full["properties"]["articles"]["items"], "$defs": full.get("$defs", {}),
            "definitions": full.get("definitions", {})}


def test_api_analyze_returns_a_report_v1_article(client):
    r = client.post("/api/analyze", json={"text": ARTICLE, "title": "Trucks",
                                          "outlet": "Outlet A", "published": "2023-11-19"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "url", "article"} and body["url"] == f"/articles/{body['id']}"
    jsonschema.validate(body["article"], _article_schema())
    art = body["article"]
    assert art["title"] == "Trucks" and art["outlet"] == "Outlet A"
    assert art["claims"][0]["verdict"] == "refuted"  # 300 trucks against the corpus's 117
    # stored: the same article comes back, and the page shows it
    again = client.get(f"/api/articles/{body['id']}").json()
    assert again["article"] == art
    page = client.get(body["url"])
    assert page.status_code == 200 and "Some 300 trucks" in page.text
    assert 'data-claim="claim-1-1"' in page.text
    listed = client.get("/api/articles", params={"outlet": "Outlet A"}).json()
    assert body["id"] in [a["id"] for a in listed["articles"]]
    # the downloads are the report formats of this one article
    rep = json.loads(client.get(f"{body['url']}/report.json").text)
    jsonschema.validate(rep, schema())
    assert rep["articles"][0] == art
    assert client.get(f"{body['url']}/report.md").text.startswith("# claimscope report")
    cr = client.get(f"{body['url']}/report.claimreview.jsonld").json()
    assert cr["@graph"][0]["@type"] == "ClaimReview"


def test_api_analyze_html(client):
    html = ("<html><head><title>Page title</title></head><body><article><p>" + ARTICLE +
            "</p></article></body></html>")
    art = client.post("/api/analyze", json={"html": html}).json()["article"]
    assert "300 trucks" in art["text"] and art["title"] == "Page title"


def test_form_paste_redirects_to_the_article(client):
    r = client.post("/analyze", data={"text": ARTICLE, "title": "Pasted", "outlet": "B"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/articles/")
    assert "Pasted" in client.get(r.headers["location"]).text


def test_form_upload_single_and_batch(client):
    one = client.post("/analyze", files={"files": ("a.txt", ARTICLE.encode(), "text/plain")},
                      data={"outlet": "Uploads"}, follow_redirects=False)
    assert one.status_code == 303 and one.headers["location"].startswith("/articles/")
    lines = "\n".join(json.dumps({"id": f"n{i}", "text": f"Report {i}: {i + 2} rockets were "
                                  "fired at the town.", "outlet": "Batch"}) for i in range(5))
    batch = client.post("/analyze", files=[
        ("files", ("b.jsonl", lines.encode(), "application/json")),
        ("files", ("bad.bin", b"\x00\x01\x02binary", "application/octet-stream"))],
        follow_redirects=False)
    assert batch.status_code == 303 and batch.headers["location"].startswith("/?job=")
    job_id = batch.headers["location"].split("=")[1]
    import time

    deadline = time.monotonic() + 120  # the first job may load every model
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] == "done":
            break
        time.sleep(0.05)
    assert job["state"] == "done" and job["done"] == job["total"] == 6
    assert len(job["articles"]) == 5 and [e["code"] for e in job["errors"]] == ["E108"]
    assert "bad.bin" in job["errors"][0]["message"] and "/tmp" not in job["errors"][0]["message"]


def test_uploads_get_the_cli_codes(client):
    cases = {("empty.txt", b"  "): "E101", ("x.pdf", b"%PDF-1.4 junk"): "E302",
             ("bin.txt", b"\x00\x00\x00abc"): "E102", ("a.docx", b"PK\x03\x04"): "E108"}
    for (name, data), code in cases.items():
        r = client.post("/analyze", files={"files": (name, data, "application/octet-stream")})
        assert r.status_code in (413, 422) and f"<code>{code}</code>" in r.text, name


def test_upload_size_limit(tmp_path):
    small = TestClient(make_app(tmp_path, corpus=False, max_bytes=1000),
                       raise_server_exceptions=False)
    r = small.post("/analyze", files={"files": ("a.txt", b"x" * 5000, "text/plain")})
    assert r.status_code == 413 and "E106" in r.text
    r = small.post("/api/analyze", content=b'{"text": "' + b"x" * 2_000_000 + b'"}',
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "E106"


def test_collection_filters_search_charts_and_compare(client):
    ids = []
    for outlet, day, text in [("North", "2023-11-01", "Shelling hit the hospital; 40 "
                               "rockets were fired."),
                              ("South", "2023-11-20", "Some 200 trucks entered through the "
                               "crossing; 50 rockets were fired.")]:
        ids.append(client.post("/api/analyze", json={"text": text, "outlet": outlet,
                                                     "published": day}).json()["id"])
    page = client.get("/articles", params={"outlet": "North"}).text
    assert f"/articles/{ids[0]}" in page and f"/articles/{ids[1]}" not in page
    page = client.get("/articles", params={"q": "hospital"}).text
    assert f"/articles/{ids[0]}" in page and f"/articles/{ids[1]}" not in page
    page = client.get("/articles", params={"date_from": "2023-11-15"}).text
    assert f"/articles/{ids[1]}" in page and f"/articles/{ids[0]}" not in page
    assert "<svg" in page and "polyline" in client.get("/articles").text
    assert client.get("/articles", params={"actor": "Israel"}).status_code == 200
    cmp = client.get("/compare", params=[("ids", ids[0]), ("ids", ids[1])])
    assert cmp.status_code == 200 and "claimscope comparison" in cmp.text
    assert "script-src" not in cmp.headers["content-security-policy"]
    one = client.get("/compare", params={"ids": ids[0]}, headers={"accept": "application/json"})
    assert one.status_code == 422 and one.json()["error"]["code"] == "E203"


def test_corpus_page_search_and_add(client):
    page = client.get("/corpus").text
    assert "OCHA Flash Update #43" in page and "javascript:" not in page
    hits = client.get("/api/corpus/search", params={"q": "trucks Rafah"}).json()["passages"]
    assert hits and "117 trucks" in hits[0]["passage"]
    assert "117 trucks" in client.get("/corpus", params={"q": "trucks Rafah"}).text
    data = b'{"text": "On 20 November, 90 trucks entered Gaza.", "source": "Update #45"}\n'
    r = client.post("/corpus/add", files={"files": ("new.jsonl", data, "application/json")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "Update #45" in client.get("/corpus").text


def test_docs_page_and_openapi(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/analyze", "/api/articles", "/api/articles/{store_id}"} <= set(spec["paths"])
    docs = client.get("/docs").text
    assert "POST /api/analyze" in docs and "cdn" not in docs.lower() and "<script>" not in docs


# ------------------------------------------------------------------ one error shape
ERROR_CASES = [
    ("get", "/api/articles/doesnotexist", {}, 404, "E510"),
    ("get", "/api/jobs/nope", {}, 404, "E516"),
    ("get", "/api/nothing-here", {}, 404, "E514"),
    ("delete", "/api/articles", {}, 405, "E515"),
    ("post", "/api/analyze", {"json": {}}, 422, "E517"),
    ("post", "/api/analyze", {"json": {"text": 5}}, 422, "E511"),
    ("post", "/api/analyze", {"content": b"not json",
                              "headers": {"content-type": "application/json"}}, 422, "E511"),
    ("post", "/api/analyze", {"json": {"text": "   "}}, 422, "E517"),
    ("post", "/api/analyze", {"json": {"url": "file:///etc/passwd"}}, 422, "E500"),
    ("post", "/api/analyze", {"json": {"url": "http://127.0.0.1:1/x"}}, 422, "E501"),
    ("post", "/api/analyze", {"json": {"html": "<html><body></body></html>"}}, 422, "E107"),
    ("get", "/api/articles", {"params": {"limit": 0}}, 422, "E511"),
    ("get", "/api/corpus/search", {}, 422, "E511"),
    ("get", "/articles/nope", {"headers": {"accept": "application/json"}}, 404, "E510"),
    ("get", "/nope", {"headers": {"accept": "application/json"}}, 404, "E514"),
    ("post", "/api/analyze", {"json": {"text": "x"}, "headers": {"host": "evil.example"}},
     400, "E512"),
    ("post", "/api/analyze", {"json": {"text": "x"},
                              "headers": {"origin": "http://evil.example"}}, 403, "E513"),
]


@pytest.mark.parametrize("method, path, kw, status, code", ERROR_CASES,
                         ids=[f"{c[0]} {c[1]} {c[4]}" for c in ERROR_CASES])
def test_error_shape(client, method, path, kw, status, code):
    r = getattr(client, method)(path, **kw)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["code"] == code and body["error"]["status"] == status
    assert body["error"]["message"] and not body["error"]["message"].startswith("[")


def test_pages_show_the_code_too(client):
    r = client.get("/articles/nope")
    assert r.status_code == 404 and "<code>E510</code>" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_corpus_errors_without_a_corpus(tmp_path):
    c = TestClient(make_app(tmp_path, corpus=False), raise_server_exceptions=False)
    assert "E519" in c.get("/corpus").text or "no reference corpus" in c.get("/corpus").text
    r = c.get("/api/corpus/search", params={"q": "x"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "E519"


# ------------------------------------------------------------------ safe by default
def test_every_response_has_the_csp(client):
    for path in ("/", "/articles", "/corpus", "/docs", "/api/articles", "/nope",
                 "/static/app.js"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "'unsafe-inline'" not in csp and "http" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    sid = client.post("/api/analyze", json={"text": ARTICLE}).json()["id"]
    for path in ("/", "/articles", "/corpus", "/docs", f"/articles/{sid}"):
        html = client.get(path).text
        assert "<script>" not in html and " style=" not in html and "<style" not in html, path
        for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith("/static/"), src  # nothing from the network


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost:1",
                                  "", "attacker.com:8000"])
def test_dns_rebinding_host_is_refused(tmp_path_factory, host):
    app = make_app(tmp_path_factory.mktemp("h"), corpus=False,
                   hosts=["127.0.0.1:8000", "localhost:8000"])
    c = TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    assert c.get("/").status_code == 200
    r = c.get("/", headers={"host": host})
    assert r.status_code == 400 and "E512" in r.text


def test_cross_site_writes_are_refused(client):
    ok = {"json": {"text": "Some 20 rockets were fired."}}
    assert client.post("/api/analyze", **ok).status_code == 200  # curl: no Origin
    assert client.post("/api/analyze", headers={"origin": "http://testserver"},
                       **ok).status_code == 200
    # a browser's own form post (Origin may be "null" under a strict referrer policy)
    assert client.post("/api/analyze", headers={"origin": "null", "sec-fetch-site":
                                                "same-origin"}, **ok).status_code == 200
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                    {"referer": "http://evil.example/page"},
                    {"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"},
                    {"sec-fetch-site": "same-site", "origin": "http://testserver"},
                    {"origin": "http://testserver.evil.example"}):
        r = client.post("/analyze", data={"text": "x"}, headers=headers)
        assert r.status_code == 403 and "E513" in r.text, headers


def test_two_tabs_analysing_at_once_lose_nothing(client):
    results = []

    def post(i):
        r = client.post("/api/analyze", json={"text": f"Tab {i}: {i + 10} rockets hit "
                                                      f"the town of Sderot."})
        results.append(r.json()["id"])

    assert at_once(post, 8) == [] and len(set(results)) == 8
    stored = {a["id"] for a in client.get("/api/articles", params={"limit": 1000}).json()[
        "articles"]}
    assert set(results) <= stored
