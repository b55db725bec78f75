"""--engine ray and claimscope.ray on a real local Ray cluster (ray.init(num_cpus=2)): the
output equals the local engine's, article for article and table for table."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("ray.data")

import ray  # noqa: E402

import claimscope.ray as cray  # noqa: E402
from claimscope.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LINE = ("Israel said it destroyed {n} Hamas tunnels in Gaza on Monday, and the ministry said "
        "{m} people were killed there, a figure that cannot be verified.")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def cluster(monkeypatch_module):
    # the actors import runner_fakes (a test stage) from tests/: the cluster's workers
    # get the environment of the process that starts it
    monkeypatch_module.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")])))
    cray.init(num_cpus=2)
    yield ray
    ray.shutdown()


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "sample.txt").write_text((ROOT / "examples" / "sample_article.txt").read_text())
    (folder / "page.html").write_text(
        "<html><head><title>Strikes</title></head><body><article><p>"
        + LINE.format(n=3, m=40) + "</p><p>" + LINE.format(n=4, m=50)
        + "</p></article></body></html>")
    with (folder / "batch.jsonl").open("w") as fh:
        for i in range(5):
            fh.write(json.dumps({"id": f"a{i}", "text": LINE.format(n=i, m=10 * i),
                                 "outlet": "Outlet " + "AB"[i % 2]}) + "\n")
        fh.write("not json\n")  # E104, as in a local run
        fh.write(json.dumps({"text": "No id: the reader gives one from the line. "
                                     + LINE.format(n=9, m=90)}) + "\n")
    (folder / "notes.csv").write_text("a,b\n")  # E108
    return folder


def _cli(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.slow
def test_ray_engine_writes_what_the_local_engine_writes(cluster, tmp_path):
    import pyarrow.parquet as pq

    src = _inputs(tmp_path / "in")
    local = _cli(["analyze", str(src), "-o", str(tmp_path / "local"), "--format",
                  "jsonl,parquet,json", "--workers", "0", "-q"])
    far = _cli(["analyze", str(src), "-o", str(tmp_path / "ray"), "--format",
                "jsonl,parquet,json", "--engine", "ray", "--workers", "2", "-q"])
    assert local.exit_code == far.exit_code == 1  # the bad line and the .csv
    a = (tmp_path / "local" / "report.jsonl").read_text()
    b = (tmp_path / "ray" / "report.jsonl").read_text()
    assert a == b and len(a.splitlines()) == 8
    for table in ("articles", "sentences", "quantities", "spans", "ledger", "paragraphs"):
        ta = pq.read_table(tmp_path / "local" / f"{table}.parquet")
        tb = pq.read_table(tmp_path / "ray" / f"{table}.parquet")
        assert ta.equals(tb), table
    ja = json.loads((tmp_path / "local" / "report.json").read_text())
    jb = json.loads((tmp_path / "ray" / "report.json").read_text())
    assert ja["articles"] == jb["articles"]
    assert sorted(e["code"] for e in ja["errors"]) == sorted(e["code"] for e in jb["errors"]) \
        == ["E104", "E108"]
    run = json.loads((tmp_path / "ray" / "run.json").read_text())
    assert run["status"] == "complete" and run["generator"]["engine"] == "ray"
    assert ray.is_initialized()  # a cluster the process already had is left running


@pytest.mark.slow  # a Ray cluster
def test_python_entry_point_takes_a_dataset_and_writes_through_a_filesystem(cluster,
                                                                            tmp_path):
    rows = [{"id": "x1", "text": LINE.format(n=1, m=11), "outlet": "A"},
            {"id": "x2", "title": "no text"},
            {"text": LINE.format(n=2, m=22), "published": "2023-11-18"}]
    stages = ["segment", "quantities", "actors"]
    out = cray.analyze(ray.data.from_items(rows), stages=stages, concurrency=2)
    got = out.take_all()
    assert [r["id"] for r in got][::2] == ["x1", cray._record_id(rows[2])]
    assert got[1]["article"] is None and json.loads(got[1]["error"])["code"] == "E105"
    first = json.loads(got[0]["article"])
    assert first["outlet"] == "A" and len(first["quantities"]) >= 2

    import claimscope

    nlp = claimscope.load(stages)
    want = nlp(claimscope.Document(rows[0]["text"], id="x1", outlet="A")).to_dict()
    assert first["quantities"] == want["quantities"] and first["actors"] == want["actors"]

    written = cray.write(out, f"file://{tmp_path / 'far'}", ["jsonl", "parquet"])
    assert any(p.endswith("report.jsonl") for p in written)
    lines = (tmp_path / "far" / "report.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["x1", cray._record_id(rows[2])]
    assert (tmp_path / "far" / "quantities.parquet").exists()
    assert not list((tmp_path / "far").glob(".*tmp"))


@pytest.mark.slow  # a Ray cluster
def test_articles_are_analysed_in_the_batches_of_the_local_engine(cluster):
    import sys

    import claimscope
    from claimscope.io.readers import record_document

    sys.path.insert(0, str(ROOT / "tests"))  # runner_fakes (the actors: see cluster)
    import runner_fakes  # noqa: F401 - registers test_batchmates

    # batches of 3 articles and 2,000 characters (piece_chars 1,000); an article of more
    # than 1,000 characters is a batch alone; a record that is no article is in none.
    # Ray's own batches of 3 rows (4 blocks) would be other ones.
    sizes = [1, 1, 1, 7, 7, 7, 15, 1, 1, 1, 1, 7, 1]
    rows = [{"id": f"s{i}", "text": " ".join([LINE.format(n=i, m=k) for k in range(n)])[:100 * n]}
            for i, n in enumerate(sizes)]
    rows[4:4] = [{"id": "bad", "title": "no text"}]
    stages = ["segment", "quantities", "test_batchmates"]
    out = cray.analyze(ray.data.from_items(rows, override_num_blocks=4), stages=stages,
                       batch_size=3, piece_chars=1000, concurrency=2,
                       imports=("runner_fakes",))
    got = out.take_all()
    assert [r["id"] for r in got if r["article"]] == [r["id"] for r in rows if "text" in r]
    assert got[4]["article"] is None and json.loads(got[4]["error"])["code"] == "E105"

    nlp = claimscope.load(stages)
    nlp.piece_chars = 1000
    docs = [record_document(r, "ray", r["id"]) for r in rows if "text" in r]
    want = [json.dumps(d.to_dict(), ensure_ascii=False) for d in nlp.pipe(docs, batch_size=3)]
    assert [r["article"] for r in got if r["article"] is not None] == want
    mates = [json.loads(a)["batchmates"] for a in want]
    assert mates[:3] == [["s0", "s1", "s2"]] * 3 and mates[6] == ["s6"]  # the rule at work
    assert ["s3", "s4"] in mates and ["s5"] in mates  # 2,100 characters: two batches


@pytest.mark.slow  # a Ray cluster
def test_parquet_tables_are_read_as_article_records(cluster, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["p1", "p2"], "text": [LINE.format(n=5, m=55),
                                                          LINE.format(n=6, m=66)]}),
                   tmp_path / "articles.parquet")
    errors: list[dict] = []
    ds = cray.read_inputs([str(tmp_path / "articles.parquet")], errors=errors)
    out = cray.analyze(ds, stages=["segment", "quantities"], concurrency=1)
    assert [a["id"] for a in cray.articles(out)] == ["p1", "p2"] and not errors


def test_ray_options_are_checked_before_anything_runs(tmp_path):
    res = _cli(["analyze", str(ROOT / "examples" / "sample_article.txt"), "-o",
                str(tmp_path), "--engine", "ray", "--resume"])
    assert res.exit_code == 2 and "--resume works with the local engine" in res.output
    res = _cli(["analyze", "x.txt", "-o", "s3://bucket/run", "--format", "jsonl"])
    assert res.exit_code == 2 and "URI is an output folder for --engine ray" in res.output
    res = _cli(["analyze", "x.txt", "-o", "s3://bucket/run", "--format", "html",
                "--engine", "ray"])
    assert res.exit_code == 2 and "E018" in res.output


def test_missing_ray_is_a_coded_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(cray.RayMissing, match=r"\[E017\].*claimscope\[ray\]"):
        cray.require_ray()
