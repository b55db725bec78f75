"""The command line: a thin layer over the library.

    claimscope analyze PATH... [-o OUTDIR] [--format json,html,md]

Exit codes: 0 every input was analysed; 1 some input could not be read or
analysed (the report lists it under ``errors``, the rest is analysed);
2 usage error; 130 Ctrl-C; 143 SIGTERM (analyze keeps what it finished: --resume).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__


class _Group(click.Group):
    """Ctrl-C ends any command with exit code 130 (128 + SIGINT), not click's 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimscope")
def main() -> None:
    """claimscope: what in a conflict article can be checked, what is rhetoric, and what
    the evidence says. Offline, on a CPU."""


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from ..io import writers  # noqa: F401  (registers the renderers)
    from ..registry import renderers

    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in renderers]
    if unknown or not names:
        raise click.BadParameter(
            f"expected a comma-separated list of {', '.join(renderers.names())}; "
            f"got {value!r}")
    return names


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--outdir", type=click.Path(file_okay=False), default=".",
              show_default=True, help="Folder for report.* files (with --engine ray also "
                                      "a URI such as s3://bucket/run/ for jsonl and parquet).")
@click.option("--format", "formats", default="json,html", show_default=True,
              callback=_formats, help="Comma-separated: json, html, md, claimreview, "
                                      "jsonl (one article a line, written as it finishes), "
                                      "parquet (tables).")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True,
              help="Articles analysed together (model work is batched across them).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Largest article accepted, in bytes (default 10,000,000).")
@click.option("--stages", default=None,
              help="Comma-separated stage names to run instead of the full analysis.")
@click.option("--only", default=None,
              help="Comma-separated layers to run instead of the full analysis: sentences, "
                   "claims, opinion, numbers, actors, ledger, persuasion, techniques, "
                   "framing, rhetoric (e.g. --only persuasion,framing or --only claims,numbers).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--fast", is_flag=True,
              help="Skip the span model's second encoder pass: the shared heads place the "
                   "persuasion spans (about 1.8x faster; PTC dev SI 0.406 against 0.440).")
@click.option("--corpus", "corpus_db", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Reference corpus (claimscope corpus add ...): check every "
                                 "claim against it and report verdicts with evidence.")
@click.option("--actors", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Extra actors gazetteer (TOML), merged over the shipped ones "
                   "(see claimscope/gazetteers/).")
@click.option("--as-of", default=None,
              help="With --corpus: the date claims are checked at when an article has no "
                   "published date (passages dated later rank lower).")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Worker processes, each loading the models once (default 1; 0 analyses "
                   "in this process, without the time and memory budget).")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="Time budget per article: an article over it gets "
                                      "error E010 and the run goes on.")
@click.option("--max-memory", type=click.FloatRange(min=0, min_open=True), default=1024.0,
              show_default=True, help="Memory budget per article, in MB beyond the loaded "
                                      "models (error E011).")
@click.option("--resume", is_flag=True,
              help="Finish an interrupted run in the same -o folder: the articles already "
                   "written (same id and text) are skipped.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
              show_default=True,
              help="ray: run the analysis as a Ray Data job (pip install 'claimscope[ray]'); "
                   "--workers is then the number of actors (default: one per CPU).")
@click.option("--address", default=None,
              help="With --engine ray: the cluster to join ('auto', or ray://HOST:PORT); "
                   "default: a local Ray cluster on this machine's cores.")
def analyze(paths: tuple[str, ...], outdir: str, formats: list[str], batch_size: int,
            max_bytes: int | None, stages: str | None, quiet: bool,
            corpus_db: Path | None = None, as_of: str | None = None,
            actors: Path | None = None, only: str | None = None, fast: bool = False,
            workers: int | None = None, max_seconds: float = 60.0,
            max_memory: float = 1024.0, resume: bool = False, engine: str = "local",
            address: str | None = None) -> None:
    """Analyse articles: PATH is a .txt, .html, .jsonl file, a folder of them, or - (stdin)."""
    from .analyze import run

    if "://" in outdir and engine != "ray":
        raise click.UsageError(f"-o {outdir}: a URI is an output folder for --engine ray; "
                               "give a local folder")
    code = run(list(paths), outdir=outdir if "://" in outdir else Path(outdir), formats=formats, batch_size=batch_size,
               max_bytes=max_bytes, stages=stages, quiet=quiet, corpus=corpus_db, as_of=as_of,
               fast=fast, workers=workers, max_seconds=max_seconds, max_memory=max_memory,
               resume=resume,
               **({"actors": actors} if actors else {}), **({"only": only} if only else {}),
               **({"engine": engine, "address": address} if engine != "local" else {}))
    sys.exit(code)


@main.command()
def info() -> None:
    """Show the version, the stages and the shipped models."""
    import json

    from .. import load
    from ..report import generator_info

    click.echo(json.dumps(generator_info(load()), indent=2))


from .corpus import corpus as _corpus_group  # noqa: E402

main.add_command(_corpus_group, "corpus")
from .compare import compare as _compare_command  # noqa: E402

main.add_command(_compare_command, "compare")
from .serve import serve as _serve_command  # noqa: E402

main.add_command(_serve_command, "serve")

if __name__ == "__main__":  # pragma: no cover
    main()
