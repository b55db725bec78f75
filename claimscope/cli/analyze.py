"""``claimscope analyze``: read inputs, run the pipeline, write reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import load
from ..errors import ClaimscopeError
from ..io import DEFAULT_MAX_BYTES, ReadError, read
from ..io.writers import write_reports
from ..report import build_report


def run(paths: list[str], *, outdir: Path, formats: list[str], batch_size: int = 32,
        max_bytes: int | None = None, stages: str | None = None, quiet: bool = False,
        corpus: Path | None = None, as_of: str | None = None,
        actors: Path | None = None, only: str | None = None, fast: bool = False) -> int:
    """Analyse ``paths`` and write the reports; return the exit code."""
    from tqdm import tqdm

    from ..io.fetch import read_inputs  # an http(s):// argument is fetched

    items = list(read_inputs(paths, read=read, max_bytes=max_bytes or DEFAULT_MAX_BYTES))
    errors = [i.to_dict() for i in items if isinstance(i, ReadError)]
    docs = [i for i in items if not isinstance(i, ReadError)]
    for err in errors:
        click.echo(f"error: {err['message']}", err=True)
    if not docs:
        click.echo("error: nothing to analyse" if not errors else
                   f"error: none of the {len(errors)} input(s) could be read", err=True)
        return 1
    try:
        names = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
        if only:
            from ..layers import parse_layers, stages_for

            if stages:
                raise click.UsageError("give either --only (layers) or --stages, not both")
            layers = parse_layers(only) + (["claims", "numbers"] if corpus is not None else [])
            names = stages_for(layers)
        if corpus is not None and not Path(corpus).is_file():
            raise click.UsageError(f"--corpus {corpus}: no such corpus; build it with "
                                   f"`claimscope corpus add FILE... --db {corpus}`")
        verify_cfg = {"retrieve": {"db": str(corpus), "as_of": as_of}} if corpus else None
        if actors is not None and (names is None or "actors" in names):
            verify_cfg = dict(verify_cfg or {}, actors={"extra": [str(actors)]})
        from ..layers import config_for
        from ..stages import DEFAULT_STAGES

        stage_options = config_for(names or DEFAULT_STAGES)
        if fast and "encode" in stage_options:
            stage_options["encode"]["span_states"] = False
        for stage, options in stage_options.items():
            verify_cfg = dict(verify_cfg or {})
            verify_cfg[stage] = {**options, **verify_cfg.get(stage, {})}
        pipeline = load(names, config=verify_cfg)
    except ClaimscopeError as exc:
        raise click.UsageError(str(exc)) from exc
    bar = tqdm(total=len(docs), unit="article", disable=quiet or len(docs) < 2,
               file=sys.stderr)
    analysed = []
    for doc in pipeline.pipe(docs, batch_size=batch_size):
        analysed.append(doc)
        bar.update(1)
    bar.close()
    failed = [d for d in analysed if d.errors]
    for doc in failed:
        for err in doc.errors:
            click.echo(f"error: {doc.meta['source']}: {err['message']}", err=True)
    report = build_report(analysed, errors, pipeline)
    for path in write_reports(report, outdir, formats):
        click.echo(f"wrote {path}")
    n_ok = len(analysed) - len(failed)
    click.echo(f"analysed {n_ok} article(s); {len(errors) + len(failed)} error(s)", err=True)
    return 1 if errors or failed else 0
