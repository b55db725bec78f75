"""``claimscope analyze``: read inputs, run the pipeline, write reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import load
from ..errors import ClaimscopeError, Errors
from ..io import DEFAULT_MAX_BYTES


def check_corpus(corpus: Path) -> None:
    """A usage error before any analysis unless ``corpus`` is a readable corpus; its ANN
    index is built first when due."""
    from ..corpus import CorpusError, CorpusStore

    if not Path(corpus).is_file():
        raise click.UsageError(f"--corpus {corpus}: no such corpus; build it with "
                               f"`claimscope corpus add FILE... --db {corpus}`")
    try:
        with CorpusStore(corpus) as store:
            store.check()
            if store.ann_due():  # once here, not in every worker at its first claim
                click.echo(f"{corpus}: building the approximate-nearest-neighbour index of "
                           f"{store.count():,} passages", err=True)
                store.build_ann()
    except CorpusError as exc:
        raise click.UsageError(str(exc)) from exc


def run(paths: list[str], *, outdir: Path, formats: list[str], batch_size: int = 32,
        max_bytes: int | None = None, stages: str | None = None, quiet: bool = False,
        corpus: Path | None = None, as_of: str | None = None,
        actors: Path | None = None, only: str | None = None, fast: bool = False,
        workers: int | None = None, max_seconds: float | None = 60.0,
        max_memory: float | None = 1024.0, resume: bool = False, engine: str = "local",
        address: str | None = None) -> int:
    """Analyse ``paths`` and write the reports; return the exit code."""
    from ..runner import Budget, RunError, Setup, default_workers, run_analysis

    if only and stages:
        raise click.UsageError("give either --only (layers) or --stages, not both")
    if engine == "ray" and resume:
        raise click.UsageError("--resume works with the local engine; with --engine ray, "
                               "run the command again into a new -o folder")
    if address is not None and engine != "ray":
        raise click.UsageError("--address is for --engine ray")
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
    if engine == "ray":
        return _run_ray(paths, outdir, formats, setup, address=address, workers=workers,
                        max_bytes=max_bytes or DEFAULT_MAX_BYTES, quiet=quiet)
    try:
        result = run_analysis(paths, outdir, formats, setup,
                              workers=default_workers() if workers is None else workers,
                              budget=Budget(max_seconds, max_memory), resume=resume,
                              max_bytes=max_bytes or DEFAULT_MAX_BYTES, quiet=quiet,
                              echo=lambda m: click.echo(m, err=True))
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc
    return _summary(result)


def _run_ray(paths: list[str], outdir: Path, formats: list[str], setup: Any, *,
             address: str | None, workers: int | None, max_bytes: int, quiet: bool) -> int:
    from ..errors import ClaimscopeError
    from ..ray import REMOTE_FORMATS, is_uri, run_analysis
    from ..runner import RunError

    target = str(outdir)
    if is_uri(target) and any(f not in REMOTE_FORMATS for f in formats):
        raise click.UsageError(Errors.E018.format(formats=", ".join(
            f for f in formats if f not in REMOTE_FORMATS)))
    try:
        result = run_analysis(paths, target, formats, setup, address=address,
                              workers=workers or None, max_bytes=max_bytes, quiet=quiet,
                              echo=lambda m: click.echo(m, err=True))
    except (RunError, ClaimscopeError) as exc:
        raise click.UsageError(str(exc)) from exc
    return _summary(result)


def _summary(result: Any) -> int:
    for path in result.written:
        click.echo(f"wrote {path}")
    c = result.counts
    if result.code in (0, 1):
        click.echo(f"analysed {c.get('analysed', 0) - c.get('failed', 0)} article(s); "
                   f"{c.get('read_errors', 0) + c.get('failed', 0)} error(s)"
                   + (f"; {c['resumed']} resumed" if c.get("resumed") else ""), err=True)
    return result.code
