"""``claimscope serve``: the local web app (see ``claimscope.web``).

    claimscope serve [--host 127.0.0.1] [--port 8000] [--store analyses.db] [--corpus trusted.db]
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    """The ``Host`` header values the server answers to: the address it is bound to (and
    ``localhost`` for a loopback one), with the port, and the names given with
    ``--allow-host``. Anything else is refused (a DNS rebinding attack sends another)."""
    names = {host.lower()}
    try:
        ip = ipaddress.ip_address(host)
        if ip.is_loopback:
            names |= {"127.0.0.1", "localhost", "[::1]"}
        if ip.version == 6:
            names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    except ValueError:
        pass
    names |= {e.lower() for e in extra}
    return sorted({f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set()))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but a loopback address lets others on your "
                   "network use the app.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="SQLite file of analysed articles (default: analyses.db in "
                                 "the user's data folder).")
@click.option("--corpus", "corpus_db", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Reference corpus: check claims against it, and browse and "
                                 "extend it at /corpus.")
@click.option("--allow-host", "allow_host", multiple=True,
              help="Another host name the app may be reached by (repeatable).")
@click.option("--allow-fetch-host", "fetch_hosts", multiple=True,
              help="A private or loopback host that URLs may be fetched from (repeatable).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Largest upload or fetched page, in bytes (default 10,000,000).")
def serve(host: str, port: int, store_path: Path | None, corpus_db: Path | None,
          allow_host: tuple[str, ...], fetch_hosts: tuple[str, ...],
          max_bytes: int | None) -> None:
    """Start the local web app: paste or upload articles, browse the collection, check
    claims against your sources. Models load once, at start."""
    import time

    import uvicorn

    from ..errors import ClaimscopeError
    from ..io.readers import DEFAULT_MAX_BYTES
    from ..store import default_store_path
    from ..web import create_app

    if corpus_db is not None and not corpus_db.is_file():
        raise click.UsageError(f"--corpus {corpus_db}: no such corpus; build it with "
                               f"`claimscope corpus add FILE... --db {corpus_db}`")
    store_path = store_path or default_store_path()
    click.echo(f"store: {store_path}" + (f"; corpus: {corpus_db}" if corpus_db else ""),
               err=True)
    click.echo("loading the models...", err=True)
    t0 = time.perf_counter()
    try:
        app = create_app(store=store_path, corpus=corpus_db,
                         allowed_hosts=allowed_hosts(host, port, allow_host),
                         max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                         fetch_allow_hosts=list(fetch_hosts))
    except ClaimscopeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"models loaded in {time.perf_counter() - t0:.1f}s", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"claimscope is running at http://{shown}:{port}/  (Ctrl-C to stop)")
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
