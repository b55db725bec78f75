"""``claimscope analyze``: read inputs, run the pipeline, write reports."""

from __future__ import annotations

from pathlib import Path

import click

from .. import load
from ..errors import ClaimscopeError
from ..io import DEFAULT_MAX_BYTES


def check_corpus(corpus: Path) -> None:
    """A usage error before any analysis unless ``corpus`` is a readable corpus."""
    from ..corpus import CorpusError, CorpusStore

    if not Path(corpus).is_file():
        raise click.UsageError(f"--corpus {corpus}: no such corpus; build it with "
                               f"`claimscope corpus add FILE... --db {corpus}`")
    try:
        with CorpusStore(corpus) as store:
            store.check()
    except CorpusError as exc:
        raise click.UsageError(str(exc)) from exc


def run(paths: list[str], *, outdir: Path, formats: list[str], batch_size: int = 32,
        max_bytes: int | None = None, stages: str | None = None, quiet: bool = False,
        corpus: Path | None = None, as_of: str | None = None,
        actors: Path | None = None, only: str | None = None, fast: bool = False,
        workers: int | None = None, max_seconds: float | None = 60.0,
        max_memory: float | None = 1024.0, resume: bool = False) -> int:
    """Analyse ``paths`` and write the reports; return the exit code."""
    from ..runner import Budget, RunError, Setup, default_workers, run_analysis

    if only and stages:
        raise click.UsageError("give either --only (layers) or --stages, not both")
    try:
        if corpus is not None:
            check_corpus(corpus)
        from ..layers import plan

        names, config = plan([s.strip() for s in stages.split(",") if s.strip()]
                             if stages else None, layers=only, fast=fast, corpus=corpus,
                             as_of=as_of, actors=actors)
        load(names, config=config)  # stages only store their options: checks them, cheaply
    except ClaimscopeError as exc:
        raise click.UsageError(str(exc)) from exc
    setup = Setup(stages=names, config=config, batch_size=batch_size)
    from ..pipeline import PIECE_CHARS

    setup.piece_chars = PIECE_CHARS
    try:
        result = run_analysis(paths, outdir, formats, setup,
                              workers=default_workers() if workers is None else workers,
                              budget=Budget(max_seconds, max_memory), resume=resume,
                              max_bytes=max_bytes or DEFAULT_MAX_BYTES, quiet=quiet,
                              echo=lambda m: click.echo(m, err=True))
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc
    for path in result.written:
        click.echo(f"wrote {path}")
    c = result.counts
    if result.code in (0, 1):
        click.echo(f"analysed {c.get('analysed', 0) - c.get('failed', 0)} article(s); "
                   f"{c.get('read_errors', 0) + c.get('failed', 0)} error(s)"
                   + (f"; {c['resumed']} resumed" if c.get("resumed") else ""), err=True)
    return result.code
