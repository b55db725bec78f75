"""``claimscope compare PATH...``: analyse articles, then compare them with each other.

Writes ``compare.json``, ``compare.html`` and the tables ``compare_*.csv`` (and/or
``.parquet``) to ``-o OUTDIR``: figures that disagree, outcome claims that contradict
each other, claims made by one side only, and the collection's aggregates (see
:mod:`claimscope.compare`). Analysed runs are read as they are, so a collection is
analysed once and compared many times.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import ClaimscopeError
from ..io.safe import loads_bounded

#: Stages that need the shipped sentence models.
MODEL_STAGES = ("encode", "checkworthiness", "subjectivity")


def _models_available() -> bool:
    from ..models import DATA_DIR

    return (Path(DATA_DIR) / "manifest.json").is_file()


def _read_sides(path: Path | None) -> dict[str, str] | None:
    """``--sides FILE``: a JSON object or TOML table mapping outlet (or id) -> side."""
    if path is None:
        return None
    try:
        raw = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(raw)
        else:
            data = loads_bounded(raw)
    except RecursionError:
        raise click.BadParameter(f"expected a JSON or TOML mapping of outlet to side; {path} "
                                 "is nested too deeply to read", param_hint="--sides") from None
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"expected a JSON or TOML mapping of outlet to side; could "
                                 f"not read {path} ({exc})", param_hint="--sides") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise click.BadParameter(f"expected a mapping of outlet (or article id) to a side "
                                 f"name, e.g. {{\"Outlet A\": \"side 1\"}}; got {str(data)[:80]}",
                                 param_hint="--sides")
    return {str(k): v for k, v in data.items()}


def _read_tables(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in ("csv", "parquet")]
    if bad or not names:
        raise click.BadParameter(f"expected a comma-separated list of csv, parquet; got "
                                 f"{value!r}", param_hint="--tables")
    return names


def write_tables(report: dict[str, Any], outdir: Path, formats: list[str],
                 staged: Any) -> list[Path]:
    """``compare_tables(report)`` as ``compare_NAME.csv`` / ``.parquet`` files."""
    import csv

    from ..compare import compare_tables

    written = []
    for name, rows in compare_tables(report).items():
        columns = list(dict.fromkeys(k for r in rows for k in r)) or ["empty"]
        if "csv" in formats:
            path = outdir / f"compare_{name}.csv"
            with staged.open(path) as fh:
                writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                for r in rows:
                    writer.writerow({k: (json.dumps(v, ensure_ascii=False)
                                         if isinstance(v, (dict, list)) else v)
                                     for k, v in r.items()})
            written.append(path)
        if "parquet" in formats:
            import pyarrow as pa
            import pyarrow.parquet as pq

            path = outdir / f"compare_{name}.parquet"
            table = pa.Table.from_pylist([{k: (json.dumps(v, ensure_ascii=False)
                                               if isinstance(v, (dict, list)) else v)
                                           for k, v in r.items()} for r in rows]) \
                if rows else pa.table({c: pa.array([], pa.string()) for c in columns})
            tmp = outdir / f".{path.name}.tmp"
            pq.write_table(table, tmp)
            staged.adopt(tmp, path)
            written.append(path)
    return written


def run(paths: list[str], *, outdir: Path, actors: Path | None = None,
        sides: dict[str, str] | None = None, batch_size: int = 32,
        max_bytes: int | None = None, quiet: bool = False, workers: int | None = None,
        budget: Any = None, tables: list[str] | None = None) -> int:
    """Compare the articles of ``paths`` and write compare.json, compare.html and the
    tables; the exit code. A path that holds analysed articles (a run's output folder, its
    report.jsonl or Parquet tables, a report.json, an analysis store) is read as it is;
    the other paths are analysed first."""
    from ..compare import compare_articles
    from ..io.runs import analysed_kind, read_analysed
    from ..io.writers import StagedFiles
    from ..render.compare import render_compare_html
    from ..runner import RunError, RunOutput

    try:
        RunOutput(outdir, []).check()
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc
    done = [p for p in paths if p != "-" and analysed_kind(p)]
    fresh = [p for p in paths if p not in done]
    errors: list[dict] = []
    failed: list[tuple[str, str]] = []

    def articles():
        for path in done:
            if not quiet:
                click.echo(f"reading the analysed articles of {path}", err=True)
            yield from read_analysed(path)
        if fresh:
            yield from _analyse(fresh, outdir=outdir, actors=actors, batch_size=batch_size,
                                max_bytes=max_bytes, workers=workers, budget=budget,
                                errors=errors)

    def noted():
        for article in articles():
            if isinstance(article, dict):
                source, errs = article.get("source"), article.get("errors") or []
            else:
                source, errs = article.meta.get("source"), article.errors
            for err in errs:
                failed.append((str(source), err.get("message", "")))
            yield article

    try:
        report = compare_articles(noted(), sides=sides)
    except ClaimscopeError as exc:
        raise click.UsageError(str(exc)) from exc
    report["errors"] = errors
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    with StagedFiles() as staged:
        with staged.open(outdir / "compare.json") as fh:
            fh.write(text)
        with staged.open(outdir / "compare.html") as fh:
            fh.write(render_compare_html(report))
        write_tables(report, outdir, tables or ["csv"], staged)
        written = staged.commit()
    for path in written:
        click.echo(f"wrote {path}")
    if not quiet:
        click.echo(f"compared {len(report['articles'])} article(s): {len(report['figures'])} "
                   f"figure disagreement(s), {len(report['outcomes'])} outcome "
                   f"contradiction(s), {len(report['one_sided'])} one-sided claim(s)",
                   err=True)
        if sides is None:
            click.echo("note: no --sides given: each outlet is its own side"
                       + (f"; {report['no_side']} article(s) without an outlet take no part "
                          "in 'one side only'" if report["no_side"] else ""), err=True)
        elif report["no_side"]:
            click.echo(f"note: {report['no_side']} article(s) have an outlet that --sides "
                       "does not map; they take no part in 'one side only'", err=True)
    for source, message in failed:
        click.echo(f"error: {source}: {message}", err=True)
    return 1 if errors or failed else 0


def _analyse(paths: list[str], *, outdir: Path, actors: Path | None, batch_size: int,
             max_bytes: int | None, workers: int | None, budget: Any,
             errors: list[dict]) -> Any:
    """Analyse ``paths`` with the core stages; yield the Documents (with embeddings)."""
    from .. import load
    from ..io import DEFAULT_MAX_BYTES, ReadError, read
    from ..pipeline import PIECE_CHARS
    from ..runner import Budget, RunError, Setup, analyse_documents, default_workers
    from ..stages import CORE_STAGES

    names = list(CORE_STAGES)  # comparison reads no rhetoric
    if not _models_available():
        names = [n for n in names if n not in MODEL_STAGES]
        click.echo("note: the sentence models are not installed; figures and claims are "
                   "matched by shared words instead of sentence embeddings", err=True)
    config = {"actors": {"extra": [str(actors)]}} if actors else {}
    try:
        load(names, config=config)  # checks the options before any article is read
    except ClaimscopeError as exc:
        raise click.UsageError(str(exc)) from exc

    def docs():
        for item in read(paths, max_bytes=max_bytes or DEFAULT_MAX_BYTES, exclude=[outdir]):
            if isinstance(item, ReadError):
                errors.append(item.to_dict())
                click.echo(f"error: {item.message}", err=True)
            else:
                yield item

    setup = Setup(stages=names, config=config, batch_size=batch_size, piece_chars=PIECE_CHARS,
                  keep_tensors=("sentence_embeddings",))
    try:
        yield from analyse_documents(
            docs(), setup, workers=default_workers() if workers is None else workers,
            budget=budget or Budget())
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc


@click.command("compare")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder for compare.json/.html.")
@click.option("--actors", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Extra actors gazetteer (TOML), merged over the shipped ones.")
@click.option("--sides", "sides_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="JSON/TOML mapping of outlet (or article id) to side, for "
                                 "'claims made by one side only'.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Largest article accepted, in bytes (default 10,000,000).")
@click.option("-q", "--quiet", is_flag=True)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Worker processes (default 1; 0: in this process, no budget).")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="Time budget per article (error E010).")
@click.option("--max-memory", type=click.FloatRange(min=0, min_open=True), default=1024.0,
              show_default=True, help="Memory budget per article, MB (error E011).")
@click.option("--tables", default="csv", show_default=True,
              help="Table formats of the comparison: csv, parquet or csv,parquet "
                   "(compare_figures, compare_outcomes, compare_techniques, ...).")
def compare(paths: tuple[str, ...], outdir: Path, actors: Path | None,
            sides_file: Path | None, batch_size: int, max_bytes: int | None,
            quiet: bool, workers: int | None = None, max_seconds: float = 60.0,
            max_memory: float = 1024.0, tables: str = "csv") -> None:
    """Compare articles: disagreeing figures, contradicting outcomes, one-sided claims,
    techniques and check-worthy and opinion shares by outlet.

    PATH is an article, a folder of them, or analysed articles: a run's output folder
    (claimscope analyze --format jsonl or parquet), its report.jsonl, a report.json, or
    an analysis store (claimscope serve --store)."""
    import sys

    from ..runner import Budget

    code = run(list(paths), outdir=outdir, actors=actors, sides=_read_sides(sides_file),
               batch_size=batch_size, max_bytes=max_bytes, quiet=quiet, workers=workers,
               budget=Budget(max_seconds, max_memory), tables=_read_tables(tables))
    sys.exit(code)
