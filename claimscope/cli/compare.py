"""``claimscope compare PATH...``: analyse articles, then compare them with each other.

Writes ``compare.json`` and ``compare.html`` to ``-o OUTDIR``: figures about the
same counted thing that disagree, outcome claims that contradict each other,
and claims made by one side only (see :mod:`claimscope.compare`).
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


def run(paths: list[str], *, outdir: Path, actors: Path | None = None,
        sides: dict[str, str] | None = None, batch_size: int = 32,
        max_bytes: int | None = None, quiet: bool = False, workers: int | None = None,
        budget: Any = None) -> int:
    """Analyse ``paths``, compare the articles, write compare.{json,html}; the exit code."""
    from .. import load
    from ..compare import compare_documents, render_compare_html
    from ..io import DEFAULT_MAX_BYTES, ReadError, read
    from ..io.writers import atomic_write
    from ..pipeline import PIECE_CHARS
    from ..runner import Budget, RunError, RunOutput, Setup, analyse_documents, default_workers
    from ..stages import CORE_STAGES

    try:
        RunOutput(outdir, []).check()
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc
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
    errors: list[dict] = []

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
        analysed = list(analyse_documents(
            docs(), setup, workers=default_workers() if workers is None else workers,
            budget=budget or Budget()))
    except RunError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        report = compare_documents(analysed, sides=sides)
    except ClaimscopeError as exc:
        raise click.UsageError(str(exc)) from exc
    report["errors"] = errors
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    atomic_write(outdir / "compare.json", lambda fh: fh.write(text))
    atomic_write(outdir / "compare.html", lambda fh: fh.write(render_compare_html(report)))
    for name in ("compare.json", "compare.html"):
        click.echo(f"wrote {outdir / name}")
    if not quiet:
        click.echo(f"compared {len(analysed)} article(s): {len(report['figures'])} figure "
                   f"disagreement(s), {len(report['outcomes'])} outcome contradiction(s), "
                   f"{len(report['one_sided'])} one-sided claim(s)", err=True)
    failed = [d for d in analysed if d.errors]
    for doc in failed:
        for err in doc.errors:
            click.echo(f"error: {doc.meta['source']}: {err['message']}", err=True)
    return 1 if errors or failed else 0


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
def compare(paths: tuple[str, ...], outdir: Path, actors: Path | None,
            sides_file: Path | None, batch_size: int, max_bytes: int | None,
            quiet: bool, workers: int | None = None, max_seconds: float = 60.0,
            max_memory: float = 1024.0) -> None:
    """Compare articles: disagreeing figures, contradicting outcomes, one-sided claims."""
    import sys

    from ..runner import Budget

    code = run(list(paths), outdir=outdir, actors=actors, sides=_read_sides(sides_file),
               batch_size=batch_size, max_bytes=max_bytes, quiet=quiet, workers=workers,
               budget=Budget(max_seconds, max_memory))
    sys.exit(code)
