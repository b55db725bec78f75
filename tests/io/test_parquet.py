"""--format parquet: flat tables pandas/DuckDB read, offsets into the article text, unknown
keys kept, the documented columns."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from claimscope import Document
from claimscope.io.parquet import TABLES, ParquetSink, schema_markdown
from claimscope.io.writers import write_reports
from claimscope.report import build_report


def _article():
    doc = Document("Israel said 300 trucks entered.\nHamas denied it.", id="a1", source="s")
    doc.sentences.add(0, 31, checkworthiness=0.9, subjectivity=0.1)
    doc.sentences.add(32, 48, checkworthiness=0.4, subjectivity=0.3)
    doc.spans["quantities"].add(12, 15, low=300.0, high=300.0, bound="exact", unit=None,
                                counted="trucks", approximate=False, kind="count",
                                new_attr={"x": 1})
    doc.spans["actors"].add(0, 6, label="Israel", via="names")
    doc.fields["claims"] = [{"span": {"start": 0, "end": 31}, "sentence": {"start": 0, "end": 31},
                             "text": "Israel said 300 trucks entered.", "verdict": "refuted",
                             "confidence": "high",  # a wrong type: kept in extra
                             "period": {"from": "2023-11-18"}, "queue": 3,
                             "evidence": [{"source": "OCHA", "passage": "117 trucks",
                                           "offsets": {"start": 5, "end": 15},
                                           "stance": "refutes", "score": 0.8}]}]
    return doc


def test_tables_hold_the_report_and_unknown_keys(tmp_path):
    report = build_report([_article()])
    write_reports(report, tmp_path, ["parquet"])
    art = report["articles"][0]
    sents = pq.read_table(tmp_path / "sentences.parquet").to_pylist()
    assert [art["text"][r["start"]:r["end"]] for r in sents] == [r["text"] for r in sents]
    (q,) = pq.read_table(tmp_path / "quantities.parquet").to_pylist()
    assert q["low"] == 300.0 and json.loads(q["extra"]) == {"new_attr": {"x": 1}}
    (c,) = pq.read_table(tmp_path / "claims.parquet").to_pylist()
    assert (c["start"], c["end"], c["verdict"], c["confidence"]) == (0, 31, "refuted", None)
    assert json.loads(c["extra"]) == {"confidence": "high", "period": {"from": "2023-11-18"},
                                      "queue": 3}
    (e,) = pq.read_table(tmp_path / "evidence.parquet").to_pylist()
    assert (e["claim_index"], e["passage_start"], e["passage_end"]) == (0, 5, 15)
    (s,) = pq.read_table(tmp_path / "spans.parquet").to_pylist()
    assert (s["group"], s["label"], s["via"]) == ("actors", "Israel", "names")
    for table, cols in TABLES.items():
        assert pq.read_schema(tmp_path / f"{table}.parquet").names == [c for c, _ in cols]


def test_row_groups_follow_the_articles(tmp_path):
    sink = ParquetSink(tmp_path, row_group_articles=2)
    for i in range(5):
        d = _article().to_dict()
        d["id"] = f"a{i}"
        sink.write(d)
    sink.close()
    f = pq.ParquetFile(tmp_path / "articles.parquet")
    assert f.num_row_groups == 3 and f.metadata.num_rows == 5
    assert [r["article_id"] for r in f.read().to_pylist()] == list(range(5))


def test_the_documented_columns_are_the_written_ones():
    doc = (Path(__file__).resolve().parents[2] / "claimscope" / "schema" / "parquet.md")
    assert schema_markdown() in doc.read_text(encoding="utf-8")
