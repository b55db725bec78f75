"""The local web app (``claimscope serve``): a thin layer over the library.

    app = create_app(store="analyses.db", corpus="trusted.db")   # a FastAPI app

Every route calls the library: ``claimscope.load`` (through ``Analyzer``), the readers
(``claimscope.io``), the fetcher (``claimscope.io.fetch``), the store
(``claimscope.store``), the report renderers (``claimscope.render``), ``compare_documents``
and the corpus (``claimscope.corpus``, ``Retrieve.search``). No analysis happens here.

Safe by default: the ``Host`` header must name the address served (DNS rebinding), a
write from another site is refused (``Origin``, ``Referer``, ``Sec-Fetch-Site``), every
response carries a Content-Security-Policy with no inline script and no remote source,
request bodies have a size limit, and every template is autoescaped. Errors have one
shape: ``{"error": {"code": "E101", "message": "...", "status": 422}}`` for the API (and
any request that asks for JSON); pages show the same code and message.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..document import Document
from ..errors import ClaimscopeError, Errors, InputError
from ..io.readers import DEFAULT_MAX_BYTES, ReadError
from ..store import AnalysisStore

__all__ = ["create_app", "CSP", "AnalyzeRequest"]

#: Every page: scripts and styles only from this server, no inline script, no framing.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: The compare page of the library (render_compare_html) has its CSS inline and no script.
CSP_COMPARE = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PAGE_SIZE = 50
_EMPTY_FORM = {"text": "", "url": "", "title": "", "outlet": "", "published": ""}


class AnalyzeRequest(BaseModel):
    """One article: ``text`` or ``html`` (or only ``url``, which is then fetched)."""

    text: str | None = Field(None, description="The article text.")
    html: str | None = Field(None, description="The article as an HTML page (its main "
                                               "text is extracted).")
    title: str | None = None
    url: str | None = Field(None, description="The article's address; fetched when neither "
                                              "text nor html is given.")
    outlet: str | None = None
    published: str | None = Field(None, description="Publication date, e.g. 2023-11-18.")


class AnalyzeResponse(BaseModel):
    id: str = Field(description="The article's id in the store.")
    url: str = Field(description="The article's page in this app.")
    article: dict[str, Any] = Field(description="The article object of the JSON report "
                                                "(schema version 1).")


class ApiError(Exception):
    """An error with a catalogue code and an HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    @property
    def code(self) -> str:
        return ClaimscopeError(self.message).code or "E518"


def _status_for(code: str | None) -> int:
    return {"E106": 413, "E510": 404, "E514": 404, "E516": 404, "E515": 405, "E512": 400,
            "E513": 403, "E519": 404, "E503": 502, "E504": 502, "E505": 502,
            "E518": 500, "E520": 500}.get(code or "", 422)


def create_app(*, store: AnalysisStore | str | Path | None = None, corpus: str | Path | None = None,
               analyzer: Any = None, allowed_hosts: list[str] | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, fetch_allow_hosts: list[str] | None = None,
               retrieval_encoder: Any = None, load: bool = True) -> FastAPI:
    """Build the app. ``analyzer`` (an ``Analyzer``) defaults to the full analysis, with
    verification when ``corpus`` is given; its models load here, once, unless ``load`` is
    False. ``allowed_hosts`` are the ``Host`` values accepted (``host`` or ``host:port``).
    """
    from ..store import default_store_path
    from .analyzer import Analyzer, Jobs

    if not isinstance(store, AnalysisStore):
        store = AnalysisStore(store or default_store_path())
    store.count()  # a bad store fails at start, not on the first request
    if analyzer is None:
        analyzer = Analyzer(corpus=str(corpus) if corpus else None)
    if load and analyzer.pipeline is None:
        analyzer.load()
    hosts = {h.lower() for h in (allowed_hosts or ["127.0.0.1", "localhost"])}
    app = FastAPI(title="claimscope", version=__version__, docs_url=None, redoc_url=None,
                  description="Analyse conflict reporting: check-worthy claims, figures, "
                              "rhetoric, and what your sources say. Every error is "
                              '`{"error": {"code", "message", "status"}}` with a code from '
                              "the catalogue (docs/usage.md).")
    app.state.store = store
    app.state.analyzer = analyzer
    app.state.jobs = Jobs(analyzer, store)
    app.state.corpus = Path(corpus) if corpus else None
    app.state.max_bytes = max_bytes
    app.state.fetch_allow_hosts = list(fetch_allow_hosts or [])
    app.state.retrieval_encoder = retrieval_encoder
    app.state.hosts = hosts
    templates = _templates()

    # security ---------------------------------------------------------------------------
    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        host = (request.headers.get("host") or "").lower()
        if not _host_allowed(host, hosts):
            resp = _error(request, Errors.E512.format(host=host[:100], expected=", ".join(
                sorted(hosts))), 400, templates)
        elif request.method in _WRITE_METHODS and (why := _cross_site(request, hosts)):
            resp = _error(request, Errors.E513.format(origin=why[:100]), 403, templates)
        elif request.method in _WRITE_METHODS and _too_large(request, max_bytes):
            length = request.headers.get("content-length") or "an unknown number of"
            resp = _error(request, Errors.E106.format(source="the request", size=length,
                                                      limit=max_bytes), 413, templates)
        else:
            resp = await call_next(request)
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return resp

    # errors -----------------------------------------------------------------------------
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = (exc.detail if isinstance(exc.detail, str) and exc.detail.startswith("[E")
                       else Errors.E514.format(path=request.url.path[:200]))
        elif exc.status_code == 405:
            message = Errors.E515.format(method=request.method, path=request.url.path[:200])
        else:
            message = Errors.E511.format(detail=str(exc.detail)[:300])
        return _error(request, message, exc.status_code, templates)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = ["{}: {}".format(".".join(str(p) for p in e.get("loc", ())), e.get("msg"))
                 for e in exc.errors()[:5]]
        return _error(request, Errors.E511.format(detail="; ".join(parts)[:400]), 422,
                      templates)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.message, exc.status, templates)

    @app.exception_handler(ClaimscopeError)
    async def library_error(request: Request, exc: ClaimscopeError) -> Response:
        return _error(request, str(exc), _status_for(exc.code), templates)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(request, Errors.E518.format(detail=type(exc).__name__), 500, templates)

    # helpers ----------------------------------------------------------------------------
    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("nav", name.split(".")[0])
        html = templates.get_template(name).render(version=__version__,
                                                   corpus=app.state.corpus, **context)
        return HTMLResponse(html, status_code=status)

    def get_article(store_id: str) -> dict[str, Any]:
        article = store.get(store_id)
        if article is None:
            raise ApiError(Errors.E510.format(id=store_id[:80]), 404)
        return article

    def analyze_docs(docs: list[Document]) -> list[tuple[str, dict[str, Any]]]:
        generator = analyzer.generator()
        out = []
        for doc in analyzer.analyze(docs):
            article = doc.to_dict()
            out.append((store.add(article, generator=generator), article))
        return out

    def fetch_doc(url: str, **meta: Any) -> Document:
        from ..io.fetch import fetch_document

        return fetch_document(url, max_bytes=max_bytes,
                              allow_hosts=app.state.fetch_allow_hosts, **meta)

    # pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, job: str | None = None) -> HTMLResponse:
        return page(request, "index.html.j2", job=app.state.jobs.get(job) if job else None,
                    recent=store.list(limit=8), form=_EMPTY_FORM, problems=[])

    @app.post("/analyze", include_in_schema=False)
    async def analyze_form(request: Request, text: str = Form(""), url: str = Form(""),
                           title: str = Form(""), outlet: str = Form(""),
                           published: str = Form(""),
                           files: list[UploadFile] = File(default=[])) -> Response:
        from .uploads import read_upload

        meta = {"title": title.strip() or None, "outlet": outlet.strip() or None,
                "published": published.strip() or None}
        items: list[Any] = []
        for upload in files:
            if not upload.filename:
                continue
            data = await upload.read(max_bytes + 1)
            items += read_upload(upload.filename, data, max_bytes=max_bytes)
        if text.strip():
            items.append(Document(text, source="pasted text", url=url.strip() or None, **meta))
        elif url.strip():
            try:
                items.append(fetch_doc(url.strip(), **meta))
            except InputError as exc:
                items.append(ReadError.from_exc(exc))
        docs = [i for i in items if isinstance(i, Document)]
        errors = [i.to_dict() for i in items if isinstance(i, ReadError)]
        if files and len(docs) == 1 and not text.strip():
            for key, value in meta.items():  # the form's fields fill in a single file's
                if value and not docs[0].meta.get(key):
                    docs[0].meta[key] = value
        if not docs:
            problems = errors or [{"code": "E517", "message": Errors.E517.format(
                detail="the form was empty")}]
            status = max((_status_for(p.get("code")) for p in problems), default=422)
            return page(request, "index.html.j2", status=status, job=None,
                        recent=store.list(limit=8), problems=problems,
                        form={"text": text, "url": url, "title": title, "outlet": outlet,
                              "published": published})
        if len(docs) == 1 and not errors:
            from starlette.concurrency import run_in_threadpool

            store_id, _ = (await run_in_threadpool(analyze_docs, docs))[0]
            return RedirectResponse(f"/articles/{store_id}", status_code=303)
        job = app.state.jobs.submit(docs, errors)
        return RedirectResponse(f"/?job={job.id}", status_code=303)

    @app.get("/articles/{store_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, store_id: str) -> HTMLResponse:
        from ..render.html import article_context, generator_context

        article = get_article(store_id)
        return page(request, "article.html.j2", nav="articles", store_id=store_id,
                    a=article_context(article, 1),
                    generator=generator_context(store.generator(store_id)))

    @app.get("/articles/{store_id}/report.{fmt}", include_in_schema=False)
    def download(store_id: str, fmt: str) -> Response:
        from ..io import writers  # noqa: F401  (registers the renderers)
        from ..registry import renderers
        from ..report import SCHEMA_VERSION

        names = {"json": "json", "md": "md", "claimreview.jsonld": "claimreview",
                 "html": "html"}
        if fmt not in names:
            raise ApiError(Errors.E514.format(path=f"/articles/{store_id[:40]}/report.{fmt[:20]}"),
                           404)
        report = {"schema_version": SCHEMA_VERSION, "generator": store.generator(store_id),
                  "articles": [get_article(store_id)], "errors": []}
        renderer = renderers.get(names[fmt])
        media = {"json": "application/json", "md": "text/markdown; charset=utf-8",
                 "claimreview.jsonld": "application/ld+json", "html": "text/html; charset=utf-8"}
        resp = Response(renderer.render(report), media_type=media[fmt])
        resp.headers["Content-Disposition"] = (
            f'attachment; filename="{store_id}{renderer.extension}"')
        if fmt == "html":  # the static report: its own CSP (its inline script's hash)
            resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return resp

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def collection(request: Request, outlet: str = "", date_from: str = "", date_to: str = "",
                   genre: str = "", technique: str = "", verdict: str = "", actor: str = "",
                   q: str = "", page_no: int = Query(1, alias="page", ge=1)) -> HTMLResponse:
        from .charts import shares_over_time, techniques_by_outlet

        filters = {"outlet": outlet, "date_from": date_from, "date_to": date_to,
                   "genre": genre, "technique": technique, "verdict": verdict,
                   "actor": actor, "q": q}
        active = {k: v.strip() for k, v in filters.items() if v.strip()}
        rows = store.filter(**active, limit=_PAGE_SIZE + 1, offset=(page_no - 1) * _PAGE_SIZE)
        sample = store.filter(**active, limit=2000)
        return page(request, "articles.html.j2", rows=rows[:_PAGE_SIZE],
                    more=len(rows) > _PAGE_SIZE, page_no=page_no, filters=filters,
                    facets=store.facet_values(), total=store.count(),
                    by_outlet=techniques_by_outlet(sample), over_time=shares_over_time(sample),
                    technique_label=_technique_label)

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request, ids: list[str] = Query(default=[])) -> HTMLResponse:
        from ..compare import compare_documents
        from ..render.compare import render_compare_html

        docs = [Document.from_dict(get_article(i)) for i in dict.fromkeys(ids)]
        report = compare_documents(docs)
        resp = HTMLResponse(render_compare_html(report))
        resp.headers["Content-Security-Policy"] = CSP_COMPARE
        return resp

    @app.get("/corpus", response_class=HTMLResponse, include_in_schema=False)
    def corpus_page(request: Request, q: str = "", as_of: str = "") -> HTMLResponse:
        if app.state.corpus is None:
            return page(request, "corpus.html.j2", sources=[], stats=None, hits=[], q=q,
                        as_of=as_of, problem=Errors.E519)
        hits = corpus_search(q, as_of) if q.strip() else []
        cstore = _corpus_store()
        return page(request, "corpus.html.j2", sources=cstore.sources(), stats=cstore.stats(),
                    hits=hits, q=q, as_of=as_of, problem=None)

    @app.post("/corpus/add", include_in_schema=False)
    async def corpus_add(request: Request, files: list[UploadFile] = File(...)) -> Response:
        from starlette.concurrency import run_in_threadpool

        if app.state.corpus is None:
            raise ApiError(Errors.E519, 404)
        uploads = []
        for upload in files:
            data = await upload.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ApiError(Errors.E106.format(source=upload.filename, size=len(data),
                                                  limit=max_bytes), 413)
            uploads.append((upload.filename, data))
        problems = await run_in_threadpool(_add_to_corpus, uploads)
        if problems:
            cstore = _corpus_store()
            return page(request, "corpus.html.j2", status=422, sources=cstore.sources(),
                        stats=cstore.stats(), hits=[], q="", as_of="", problem=None,
                        problems=problems)
        return RedirectResponse("/corpus", status_code=303)

    def _corpus_store() -> Any:
        from ..corpus import CorpusStore

        return CorpusStore(app.state.corpus, create=True, encoder=retrieval_encoder)

    def _add_to_corpus(uploads: list[tuple[str, bytes]]) -> list[dict[str, str]]:
        import tempfile

        from ..corpus import read_sources
        from .uploads import clean_name

        problems, docs = [], []
        with tempfile.TemporaryDirectory(prefix="claimscope-corpus-") as tmp:
            for filename, data in uploads:
                name = clean_name(filename)
                path = Path(tmp) / name
                path.write_bytes(data)
                for item in read_sources([path]):
                    if isinstance(item, Exception):
                        problems.append({"code": getattr(item, "code", "") or "E302",
                                         "message": str(item).replace(str(path), name)})
                    else:
                        item.source = item.source.replace(str(path), name)
                        docs.append(item)
            with analyzer._lock, _corpus_store() as cstore:
                cstore.add(docs)
        return problems

    def corpus_search(q: str, as_of: str = "", k: int = 8) -> list[dict[str, Any]]:
        from ..dates import to_date
        from ..stages.retrieve import Retrieve

        if app.state.corpus is None:
            raise ApiError(Errors.E519, 404)
        encoder = retrieval_encoder
        if encoder is None:
            from ..corpus.embed import default_encoder

            encoder = default_encoder()
        stage = Retrieve(str(app.state.corpus), k=k, candidates=max(50, k),
                         as_of=as_of or None, encoder=encoder)
        vec = encoder.embed([q])[0]
        return stage.search(q, vec, to_date(as_of) if as_of else None)

    # JSON API ---------------------------------------------------------------------------
    @app.post("/api/analyze", response_model=AnalyzeResponse, tags=["articles"])
    def api_analyze(body: AnalyzeRequest) -> dict[str, Any]:
        """Analyse one article; it is kept in the store. Give ``text`` or ``html``, or
        only ``url`` to fetch the page."""
        from ..io.readers import decode, html_to_text

        meta = {k: getattr(body, k) for k in ("title", "url", "outlet", "published")}
        if body.text and body.text.strip():
            doc = Document(body.text, source="api", **meta)
        elif body.html and body.html.strip():
            html, _ = decode(body.html.encode("utf-8"), "html")
            text, found, _fallback = html_to_text(html, "html")
            merged = {k: meta.get(k) or found.get(k) for k in meta}
            doc = Document(text, source="api", **merged)
        elif body.url and body.url.strip():
            doc = fetch_doc(body.url.strip(), **{k: v for k, v in meta.items() if k != "url"})
        else:
            raise ApiError(Errors.E517.format(detail="the request has no text, html or url"),
                           422)
        store_id, article = analyze_docs([doc])[0]
        return {"id": store_id, "url": f"/articles/{store_id}", "article": article}

    @app.get("/api/articles", tags=["articles"])
    def api_articles(outlet: str | None = None, date_from: str | None = None,
                     date_to: str | None = None, genre: str | None = None,
                     technique: str | None = None, verdict: str | None = None,
                     actor: str | None = None, q: str | None = None,
                     limit: int = Query(100, ge=1, le=1000),
                     offset: int = Query(0, ge=0)) -> dict[str, Any]:
        """Summaries of the stored articles (no text), newest first or best match for
        ``q`` (full-text search), with the filters given."""
        rows = store.filter(outlet=outlet, date_from=date_from, date_to=date_to, genre=genre,
                            technique=technique, verdict=verdict, actor=actor, q=q,
                            limit=limit, offset=offset)
        return {"articles": rows, "count": len(rows), "total": store.count()}

    @app.get("/api/articles/{store_id}", tags=["articles"])
    def api_article(store_id: str) -> dict[str, Any]:
        """One stored article: the article object of the JSON report (schema version 1)."""
        return {"id": store_id, "url": f"/articles/{store_id}",
                "article": get_article(store_id)}

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def api_job(job_id: str) -> dict[str, Any]:
        """The progress of a batch upload."""
        job = app.state.jobs.get(job_id)
        if job is None:
            raise ApiError(Errors.E516.format(id=job_id[:40]), 404)
        return job.to_dict()

    @app.get("/api/corpus/search", tags=["corpus"])
    def api_corpus_search(q: str = Query(..., min_length=1), as_of: str | None = None,
                          k: int = Query(8, ge=1, le=50)) -> dict[str, Any]:
        """What retrieval finds in the reference corpus for ``q`` (as `corpus search`)."""
        return {"query": q, "passages": corpus_search(q, as_of or "", k)}

    # static files and docs --------------------------------------------------------------
    static = resources.files("claimscope.web").joinpath("static")

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        from ..render.html import _SCRIPT, report_css

        if name == "report.css":
            return Response(report_css(), media_type="text/css")
        if name == "report.js":
            return Response(_SCRIPT, media_type="text/javascript")
        types = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
        suffix = Path(name).suffix
        target = static.joinpath(name)
        if suffix not in types or "/" in name or not target.is_file():
            raise ApiError(Errors.E514.format(path=f"/static/{name[:80]}"), 404)
        resp = Response(target.read_bytes(), media_type=types[suffix])
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html.j2", nav="docs", api=_describe(app.openapi()),
                    schema_json=json.dumps(app.openapi(), indent=2))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    return app


# -------------------------------------------------------------------------------------------
def _technique_label(key: str) -> str:
    from ..render._format import technique_name

    return technique_name(key)


def _templates() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("claimscope.web", "templates"),
                                    jinja2.PackageLoader("claimscope.render", "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters["pct"] = lambda part, whole: f"{(part or 0) / whole:.0%}" if whole else "–"
    env.globals["Markup"] = Markup
    return env


def _host_allowed(host: str, hosts: set[str]) -> bool:
    if host in hosts:
        return True
    name, _, port = host.rpartition(":")
    if not name or "]" in port:  # no port, or a bare IPv6 literal
        return False
    return name in hosts and port.isdigit()


def _cross_site(request: Request, hosts: set[str]) -> str | None:
    """The foreign origin of a cross-site write, or None when it comes from this server's
    own pages (or from a client that sends none of the headers, such as curl).

    A browser's ``Sec-Fetch-Site`` decides when it is sent: only ``same-origin`` (and
    ``none``, typed by the user) pass; ``same-site`` is refused too, since another app on
    localhost is the same site. Without it, ``Origin`` (else ``Referer``) must be this
    server's own address."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return None
        return request.headers.get("origin") or f"a {fetch_site} page"
    origin = request.headers.get("origin")
    if origin is None and request.headers.get("referer"):
        parts = urlsplit(request.headers["referer"])
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin is None:
        return None
    parts = urlsplit(origin.lower())
    if origin.lower() == "null" or parts.scheme not in ("http", "https") \
            or not _host_allowed(parts.netloc, hosts) \
            or parts.netloc != (request.headers.get("host") or "").lower():
        return origin
    return None


def _too_large(request: Request, max_bytes: int) -> bool:
    length = request.headers.get("content-length")
    if length is None:
        return request.headers.get("transfer-encoding", "").lower() == "chunked"
    # a multipart body carries a file and the form's other fields: allow for them
    return not length.isdigit() or int(length) > max_bytes + 1_000_000


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith((".json", ".jsonld")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _error(request: Request, message: str, status: int, templates: Any) -> Response:
    code = ClaimscopeError(message).code or "E518"
    text = message.split("] ", 1)[1] if message.startswith("[") else message
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": text, "status": status}},
                            status_code=status)
    html = templates.get_template("error.html.j2").render(
        code=code, message=text, status=status, version=__version__, nav="", corpus=None)
    return HTMLResponse(html, status_code=status)


def _describe(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's operations for the /docs page, from the OpenAPI document."""
    out = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = [{"name": p.get("name"), "in": p.get("in"),
                       "required": p.get("required", False),
                       "type": (p.get("schema") or {}).get("type")
                       or " | ".join(str(s.get("type")) for s in
                                     (p.get("schema") or {}).get("anyOf", []))}
                      for p in op.get("parameters", [])]
            body = None
            ref = (((op.get("requestBody") or {}).get("content") or {}).get(
                "application/json") or {}).get("schema", {}).get("$ref")
            if ref:
                body = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
            out.append({"method": method.upper(), "path": path,
                        "summary": op.get("summary") or "", "description":
                        op.get("description") or "", "params": params,
                        "body": [{"name": k, "type": " | ".join(
                            str(s.get("type")) for s in v.get("anyOf", [v])),
                            "description": v.get("description", "")}
                            for k, v in (body or {}).get("properties", {}).items()]})
    return out
