"""Fetch an article by URL: httpx for the page, trafilatura for its text and metadata.

    doc = fetch_document("https://example.org/news/1")      # a Document, or InputError
    for item in read_inputs(["a.txt", "https://..."]):        # Documents and ReadErrors
        ...

Fetching is careful with hostile addresses:

- only ``http://`` and ``https://`` (``E500``);
- the host's addresses are resolved first, and a private, loopback, link-local, reserved
  or multicast one is refused (``E501``) unless the host is allowed (``allow_hosts``, or
  ``CLAIMSCOPE_FETCH_ALLOW_HOSTS``, a comma-separated list of host names or addresses);
- redirects are followed by hand, at most ``max_redirects`` (``E505``), each hop checked
  the same way;
- the body is read in chunks and refused past ``max_bytes`` (``E502``); the whole fetch
  has a ``timeout`` (``E504``);
- a status other than 200 (``E503``) and a type that is not HTML or text (``E506``) are
  errors.

The check resolves the name before httpx connects, so a DNS server that answers a public
address to the check and a private one to the connection could still get through; allow
nothing you do not trust on a shared network.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..document import Document
from ..errors import Errors, InputError, Warnings

__all__ = ["FetchedPage", "fetch", "fetch_document", "is_url", "read_inputs",
           "DEFAULT_TIMEOUT", "DEFAULT_MAX_BYTES", "MAX_REDIRECTS", "ALLOW_ENV"]

DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 10_000_000
MAX_REDIRECTS = 5
ALLOW_ENV = "CLAIMSCOPE_FETCH_ALLOW_HOSTS"
USER_AGENT = "claimscope (+article analysis; one page per request)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass
class FetchedPage:
    """A fetched page: the URL asked for, the final URL, the body and its content type."""

    url: str
    final_url: str
    body: bytes
    content_type: str

    @property
    def is_html(self) -> bool:
        return self.content_type in _HTML_TYPES or not self.content_type


def is_url(value: Any) -> bool:
    """True for a string that starts with ``http://`` or ``https://``."""
    return isinstance(value, str) and value[:8].lower().startswith(("http://", "https://"))


def _looks_like_url(value: str) -> bool:
    """A ``scheme://`` argument that is not an existing file: fetched, or refused (E500)."""
    return bool(_SCHEME.match(value)) and not Path(value).exists()


def _env_hosts() -> set[str]:
    return {h.strip().lower() for h in os.environ.get(ALLOW_ENV, "").split(",") if h.strip()}


def _check_address(url: str, source: str, allow_hosts: set[str]) -> None:
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise InputError(Errors.E500.format(source=source, scheme=scheme or "(none)"),
                         source=source)
    host = (parts.hostname or "").lower()
    if not host:
        raise InputError(Errors.E504.format(source=source, detail="the URL has no host"),
                         source=source)
    if host in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise InputError(Errors.E504.format(source=source, detail=f"cannot resolve {host}: "
                                            f"{exc}"), source=source) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if str(address) in allow_hosts:
            continue
        if (address.is_private or address.is_loopback or address.is_link_local
                or address.is_reserved or address.is_multicast or address.is_unspecified
                or not address.is_global):
            raise InputError(Errors.E501.format(source=source, address=address),
                             source=source)


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS,
          allow_hosts: Sequence[str] = ()) -> FetchedPage:
    """Fetch one page (see the module doc for the rules); raise InputError when refused."""
    import httpx

    source = url
    allowed = {h.lower() for h in allow_hosts} | _env_hosts()
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                      headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9"}
                      ) as client:
        for _hop in range(max_redirects + 1):
            _check_address(current, source, allowed)
            try:
                with client.stream("GET", current) as resp:
                    if resp.is_redirect:
                        location = resp.headers.get("location", "")
                        current = urljoin(current, location)
                        continue
                    if resp.status_code != 200:
                        raise InputError(Errors.E503.format(source=source,
                                                            status=resp.status_code),
                                         source=source)
                    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                    if ctype and ctype not in _HTML_TYPES + _TEXT_TYPES:
                        raise InputError(Errors.E506.format(source=source, content_type=ctype),
                                         source=source)
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise InputError(Errors.E502.format(source=source, limit=max_bytes),
                                         source=source)
                    chunks, size = [], 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise InputError(Errors.E502.format(source=source,
                                                                limit=max_bytes),
                                             source=source)
                        chunks.append(chunk)
                    return FetchedPage(url, str(resp.url), b"".join(chunks), ctype)
            except httpx.HTTPError as exc:
                detail = type(exc).__name__ + (f": {exc}" if str(exc) else "")
                raise InputError(Errors.E504.format(source=source, detail=detail[:200]),
                                 source=source) from exc
    raise InputError(Errors.E505.format(source=source, limit=max_redirects), source=source)


def fetch_document(url: str, *, timeout: float = DEFAULT_TIMEOUT,
                   max_bytes: int = DEFAULT_MAX_BYTES, max_redirects: int = MAX_REDIRECTS,
                   allow_hosts: Sequence[str] = (), **meta: Any) -> Document:
    """Fetch a page and make it a Document: the main text and the page's title, date and
    site name (trafilatura); ``meta`` given here wins over the page's own."""
    from .readers import decode, html_to_text

    page = fetch(url, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects,
                 allow_hosts=allow_hosts)
    text, encoding = decode(page.body, url)
    found: dict[str, Any] = {}
    fallback = False
    if page.is_html:
        text, found, fallback = html_to_text(text, url)
    fields = {"title": found.get("title"), "published": found.get("published"),
              "outlet": found.get("outlet") or urlsplit(page.final_url).hostname,
              "url": page.final_url}
    fields.update({k: v for k, v in meta.items() if v})
    doc = Document(text, id=meta.get("id") or _url_id(page.final_url), source=url,
                   **{k: fields.get(k) for k in ("title", "published", "outlet", "url")})
    if encoding:
        doc.warn(Warnings.W003.format(encoding=encoding))
    if fallback:
        doc.warn(Warnings.W002)
    return doc


def _url_id(url: str) -> str:
    parts = urlsplit(url)
    stem = Path(parts.path.rstrip("/")).name or parts.hostname or "page"
    return stem[:80]


def read_inputs(paths: Sequence[str | Path], *, read: Any = None,
                **options: Any) -> Iterator[Any]:
    """Like ``claimscope.io.read`` (with the same options), but an ``http(s)://`` argument
    is fetched: its Document, or a ReadError naming the URL, comes in its place."""
    from .readers import ReadError
    from .readers import read as read_files

    read = read or read_files
    max_bytes = options.get("max_bytes") or DEFAULT_MAX_BYTES
    files: list[str | Path] = []
    for raw in paths:
        if not _looks_like_url(str(raw)):
            files.append(raw)
            continue
        if files:
            yield from read(files, **options)
            files = []
        try:
            yield fetch_document(str(raw), max_bytes=max_bytes)
        except InputError as exc:
            yield ReadError.from_exc(exc, id=_url_id(str(raw)))
    if files:
        yield from read(files, **options)
