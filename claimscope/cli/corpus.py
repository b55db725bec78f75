"""``claimscope corpus``: build and inspect the reference corpus of trusted sources.

    claimscope corpus add reports/ figures.csv --db claimscope.db
    claimscope corpus list --db claimscope.db
    claimscope corpus remove reports/old.html --db claimscope.db
    claimscope corpus search "trucks entered Gaza" --db claimscope.db
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

DEFAULT_DB = "claimscope.db"

_db_option = click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
                          default=Path(DEFAULT_DB), show_default=True,
                          help="The corpus file (SQLite).")


def _store(db: Path, create: bool = False):
    from ..corpus import CorpusStore

    return CorpusStore(db, create=create)


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


def _utf8(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A usage error (E307) for an argument that is not valid UTF-8 (the shell passed bytes
    Python could only keep as lone surrogates)."""
    from ..errors import Errors

    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise click.BadParameter(Errors.E307.format(
                    param=param.name, detail=f"{v.encode('utf-8', 'replace')!r} is not "
                                             "valid UTF-8")) from None
    return value


def _template(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from ..corpus.ingest import check_template
    from ..errors import Errors

    problem = check_template(value)
    if problem:
        raise click.BadParameter(Errors.E307.format(param=f"--{param.name.replace('_', '-')} "
                                                    f"{value!r}", detail=problem))
    return value


@click.group()
def corpus() -> None:
    """Build and inspect the reference corpus (your trusted sources) used by --corpus."""


@corpus.command("add")
@click.argument("paths", nargs=-1, required=True)
@_db_option
@click.option("--text-field", callback=_template, default="text", show_default=True,
              help="JSONL/CSV field holding the passage text.")
@click.option("--date-field", callback=_template, default="date", show_default=True,
              help="Field holding the passage date.")
@click.option("--source-field", callback=_template, default="source", show_default=True,
              help="Field naming the source; a template such as 'Update #{no}' or a "
                   "constant '=Name' also works. Lines sharing a source form one document.")
@click.option("--url-field", callback=_template, default="url", show_default=True)
@click.option("--publisher-field", callback=_template, default="publisher", show_default=True)
@click.option("--title-field", callback=_template, default="title", show_default=True)
@click.option("--id-field", callback=_template, default="passage_id", show_default=True,
              help="Field holding a passage id (kept for citations).")
@click.option("--max-words", type=click.IntRange(min=20), default=100, show_default=True,
              help="Longer paragraphs are cut into windows of whole sentences of this size.")
@click.option("--dtype", type=click.Choice(["float16", "float32"]), default="float16",
              show_default=True, help="Storage type of embeddings in a new corpus.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress bar (there is none when standard error is not a terminal).")
def add(paths: tuple[str, ...], db: Path, text_field: str, date_field: str,
        source_field: str, url_field: str, publisher_field: str, title_field: str,
        id_field: str, max_words: int, dtype: str, quiet: bool = False) -> None:
    """Add .txt, .md, .html, .pdf, .jsonl and .csv files (or folders of them) to the corpus.

    Re-adding an unchanged file changes nothing; a changed one is re-indexed.
    """
    from tqdm import tqdm

    from ..corpus import CorpusError, CorpusStore, Fields, read_sources

    fields = Fields(text=text_field, date=date_field, source=source_field, url=url_field,
                    publisher=publisher_field, title=title_field, key=id_field)
    errors = 0

    def docs():
        nonlocal errors
        for item in read_sources(paths, fields, max_words=max_words):
            if isinstance(item, Exception):
                errors += 1
                click.echo(f"error: {item}", err=True)
            else:
                yield item

    t0 = time.perf_counter()
    # as `analyze` shows its progress: a bar on a terminal, nothing in a pipe or a log
    show = not quiet and sys.stderr.isatty()
    bar = tqdm(unit=" passages", desc="indexing", file=sys.stderr, disable=not show,
               dynamic_ncols=True)
    try:
        with CorpusStore(db, create=True, dtype=dtype) as store:
            result = store.add(docs(), progress=bar.update)
            bar.close()
            total = store.count()
            if store.ann_due():
                if not quiet:
                    click.echo(f"{db}: building the approximate-nearest-neighbour index "
                               f"of {total:,} passages", err=True)
                store.build_ann(progress=(lambda m: click.echo(f"  {m}", err=True))
                                if show else None)
    except CorpusError as exc:
        bar.close()
        _fail(exc)
    for message in result.errors:
        errors += 1
        click.echo(f"error: {message}", err=True)
    secs = time.perf_counter() - t0
    rate = f", {result.passages / secs:.0f} passages/s" if result.passages else ""
    click.echo(f"{db}: {result.added} source(s) added, {result.updated} updated, "
               f"{result.unchanged} unchanged; {result.passages} passage(s) indexed in "
               f"{secs:.1f}s{rate}; {total} passage(s) in the corpus")
    sys.exit(1 if errors else 0)


@corpus.command("list")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(db: Path, as_json: bool) -> None:
    """List the sources in the corpus, with passage counts and dates."""
    from ..corpus import CorpusError

    try:
        with _store(db) as store:
            rows, stats = store.sources(), store.stats()
    except CorpusError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({"corpus": stats, "sources": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{db}: {stats['sources']} source(s), {stats['passages']} passage(s), "
               f"schema v{stats['schema_version']}, content sha256 {stats['content_sha256'][:16]}")
    for r in rows:
        extra = ", ".join(str(x) for x in (r["publisher"], r["date"]) if x)
        click.echo(f"  {r['passages']:>6}  {r['source']}" + (f"  ({extra})" if extra else ""))


@corpus.command("remove")
@click.argument("sources", nargs=-1, required=True, callback=_utf8)
@_db_option
def remove(sources: tuple[str, ...], db: Path) -> None:
    """Remove sources (as `corpus list` names them) and their passages."""
    from ..corpus import CorpusError

    missing = 0
    try:
        with _store(db) as store:
            for source in sources:
                if store.remove(source):
                    click.echo(f"removed {source}")
                else:
                    missing += 1
                    click.echo(f"error: no source named {source!r} in {db} "
                               "(see `claimscope corpus list`)", err=True)
    except CorpusError as exc:
        _fail(exc)
    sys.exit(1 if missing else 0)


@corpus.command("search")
@click.argument("query", callback=_utf8)
@_db_option
@click.option("-k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--as-of", default=None, help="Rank passages dated after this date lower.")
def search(query: str, db: Path, k: int, as_of: str | None) -> None:
    """Show the passages retrieval finds for QUERY (hybrid BM25 + dense)."""
    from ..corpus import CorpusError
    from ..corpus.embed import default_encoder
    from ..dates import to_date
    from ..errors import InvalidParameterError
    from ..stages.retrieve import Retrieve

    try:
        stage = Retrieve(str(db), k=k, candidates=max(50, k), as_of=as_of)
        if not db.exists():
            stage.store.count()
        vec = default_encoder().embed([query])[0]
        hits = stage.search(query, vec, to_date(as_of))
    except (CorpusError, InvalidParameterError) as exc:
        _fail(exc)
    for h in hits:
        click.echo(f"[{h['score']:.4f}] {h['source']} {h['date'] or ''} {h['passage_id']}")
        click.echo(f"    {h['passage'][:300]}")
