"""The reference corpus: ingestion, the SQLite store, FTS5 escaping, migration, CLI."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT
from verify_fakes import HashEncoder

from claimscope.corpus import (
    CorpusError,
    CorpusStore,
    Fields,
    PassageIn,
    SourceDoc,
    fts_query,
    iso_date,
    read_sources,
    split_passages,
)
from claimscope.corpus.store import SCHEMA_V1, SCHEMA_VERSION

DEMO = ROOT / "examples" / "corpus"

HOSTILE = ['"', '""', "'", "*", "NEAR(a b)", "a AND OR NOT b", "text:foo", "^start",
           "-minus", "col : value", "((((", "))", "\\", "\x00", "{x y}", "a*b*", "NOT",
           "'; DROP TABLE passages; --", "rank:bm25", "passages_fts MATCH", "🙂 ∑ ∂",
           "trucks\" OR \"", "x" * 5000, "", "   ", "1,200 + 3", "\u202e evil"]


def _docs(*pairs):
    return [SourceDoc(source=s, passages=[PassageIn(t, 0, len(t)) for t in texts],
                      date="2023-11-18", publisher="Test")
            for s, texts in pairs]


@pytest.fixture()
def store(tmp_path):
    with CorpusStore(tmp_path / "c.db", create=True, encoder=HashEncoder()) as s:
        s.add(_docs(("a.txt", ["Some 117 trucks entered Gaza on 18 November.",
                               "The bakery in the north closed."]),
                    ("b.txt", ["Over 1,200 people were killed in Israel on 7 October."])))
        yield s


def test_corpus_store_add_list_remove(store):
    assert store.count() == 3
    assert [r["source"] for r in store.sources()] == ["a.txt", "b.txt"]
    assert store.sources()[0]["passages"] == 2
    assert store.remove("a.txt") == 1
    assert store.count() == 1
    assert store.remove("missing") == 0
    # the FTS index follows deletions
    assert store.search_bm25("trucks Gaza") == []


def test_corpus_readd_is_idempotent(store):
    before = (store.content_hash(), store.count())
    res = store.add(_docs(("a.txt", ["Some 117 trucks entered Gaza on 18 November.",
                                     "The bakery in the north closed."])))
    assert (res.added, res.updated, res.unchanged, res.passages) == (0, 0, 1, 0)
    assert (store.content_hash(), store.count()) == before


def test_corpus_changed_source_is_reindexed(store):
    h = store.content_hash()
    res = store.add(_docs(("a.txt", ["Some 300 trucks entered Gaza on 18 November."])))
    assert (res.added, res.updated) == (0, 1)
    assert store.count() == 2 and store.content_hash() != h
    assert store.search_bm25("bakery") == []


def test_corpus_bm25_and_dense_search(store):
    hits = store.search_bm25("How many trucks entered Gaza?")
    assert hits and store.passages([hits[0][0]])[hits[0][0]]["text"].startswith("Some 117")
    vec = HashEncoder().embed(["people killed in Israel"])[0]
    top = store.search_dense(vec, k=1)[0][0]
    assert store.passages([top])[top]["source"] == "b.txt"


@pytest.mark.parametrize("query", HOSTILE)
def test_corpus_fts_query_escapes_hostile_strings(store, query):
    store.search_bm25(query)  # must not raise sqlite3.OperationalError
    expr = fts_query(query)
    if expr is not None:
        for term in expr.split(" OR "):
            assert term.startswith('"') and term.endswith('"')
            assert '"' not in term[1:-1]


def test_corpus_fts_query_keeps_words_and_numbers():
    assert fts_query("More than 1,200 killed!") == '"1" OR "200" OR "killed"'
    assert fts_query("the of and") is None


def test_corpus_stats_for_audit(store):
    st = store.stats()
    assert st["db"] == "c.db" and st["passages"] == 3 and st["sources"] == 2
    assert len(st["content_sha256"]) == 64 and st["schema_version"] == SCHEMA_VERSION


def test_word_searches_by_date_limit_rank_once_and_agree_with_each_search(tmp_path):
    # a daily report repeats its sentences: many passages tie, some undated, most of
    # them after the claim's date, so the shared ranking must fall back to ranking the
    # passages of the date limit alone
    days = [f"2023-11-{d:02d}" for d in range(1, 29)]
    docs = [SourceDoc(source=f"r{d}.txt", date=day, publisher="Test", passages=[
        PassageIn(t, 0, len(t)) for t in (
            "Some trucks with fuel entered Gaza.", f"On day {d}, {d} trucks entered Gaza.",
            "The bakery closed for lack of fuel and flour.")]) for d, day in enumerate(days)]
    docs.append(SourceDoc(source="undated.txt", passages=[
        PassageIn("Trucks entered Gaza without a date.", 0, 35)]))
    with CorpusStore(tmp_path / "c.db", create=True, encoder=HashEncoder()) as s:
        s.add(docs)
        ranked_alone = []
        match = s._match
        s._match = lambda *a: ranked_alone.append(a) or match(*a)
        for k in (1, 3, 10, 100):
            for limits in ([None], ["2023-11-05", None], ["2023-11-27", None],
                           [None, "2023-11-02"], ["2023-10-01", None]):
                got = s.search_bm25_dated("trucks entered Gaza with fuel", k,
                                          max_dates=limits)
                n = len(ranked_alone)
                assert got == [s.search_bm25("trucks entered Gaza with fuel", k, max_date=m)
                               for m in limits], (k, limits)
                del ranked_alone[n:]  # the calls of search_bm25 itself
                got = s.search_figures_dated(["12", "3"], ["trucks"], k, max_dates=limits)
                assert got == [s.search_figures(["12", "3"], ["trucks"], k, max_date=m)
                               for m in limits], (k, limits)
                del ranked_alone[n:]
        assert any(a[2] is not None for a in ranked_alone)  # a fallback was taken
        early = s.search_bm25_dated("trucks fuel", 3, max_dates=["2023-11-02", None])
        assert len(early[0]) == 3 and all(s.passages([i])[i]["date"] <= "2023-11-02"
                                          for i, _ in early[0])
        assert s.search_bm25_dated("???", 5, max_dates=["2023-11-02", None]) == [[], []]
        assert s.search_figures_dated([], ["trucks"], 5, max_dates=[None, None]) == [[], []]


def test_corpus_migrates_from_schema_v1(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_V1)
    con.execute("INSERT INTO documents (id, source, url, date, title, content_hash, n_passages, "
                "added) VALUES (1, 'old.txt', NULL, '2023-11-01', 'Old', 'h', 1, 'then')")
    vec = HashEncoder().embed(["fuel entered Gaza"])[0].astype(np.float32)
    con.execute("INSERT INTO passages (doc_id, ord, text, start, \"end\", embedding) "
                "VALUES (1, 0, 'Fuel entered Gaza.', 0, 18, ?)", (vec.tobytes(),))
    con.commit()
    con.close()
    with CorpusStore(path, encoder=HashEncoder()) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.meta()["embedding_dtype"] == "float32"  # old vectors stay readable
        assert s.search_bm25("fuel")[0][0] == 1
        assert s.search_dense(vec, 1)[0][1] == pytest.approx(1.0, abs=1e-5)
        rec = s.passages([1])[1]
        assert rec["date"] == "2023-11-01" and rec["publisher"] is None
        s.add(_docs(("new.txt", ["A new passage about water."])))
        assert s.count() == 2
        ids, mat = s.vectors()
        assert mat.shape == (2, 384)


def test_corpus_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    with CorpusStore(path, create=True, encoder=HashEncoder()) as s:
        s.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        s.con.commit()
    with pytest.raises(CorpusError, match=r"E301"):
        CorpusStore(path).count()


def test_corpus_rejects_non_corpus_files(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorpusError, match=r"E300"):
        CorpusStore(junk).count()
    with pytest.raises(CorpusError, match=r"E303"):
        CorpusStore(tmp_path / "absent.db").count()


def test_split_passages_offsets_and_size():
    text = ("HEADLINE\n\n" + " ".join(f"Sentence number {i} says that {i} trucks came."
                                      for i in range(60)) + "\nShort tail line here.")
    spans = split_passages(text, max_words=40)
    assert len(spans) > 3
    for a, b in spans:
        assert text[a:b] == text[a:b].strip() and len(text[a:b].split()) <= 80
    # the heading joined the first passage; sentences were not cut
    assert text[spans[0][0]:].startswith("HEADLINE")
    assert all(text[a:b].rstrip().endswith((".", "here.")) for a, b in spans)


def test_read_sources_jsonl_fields_templates_and_csv(tmp_path):
    jl = tmp_path / "p.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in [
        {"text": "117 trucks entered.", "no": 3, "report_date": "2023-11-18", "section": "Access"},
        {"text": "No fuel entered.", "no": 3, "report_date": "2023-11-18"},
        {"text": "Fuel entered.", "no": 4, "report_date": "19-11-2023"},
    ]) + "\n")
    fields = Fields(date="report_date", source="Update #{no}", publisher="=OCHA")
    docs = list(read_sources([jl], fields))
    assert [d.source for d in docs] == ["Update #3", "Update #4"]
    assert len(docs[0].passages) == 2 and docs[0].publisher == "OCHA"
    assert docs[1].passages[0].date == "2023-11-19"
    assert docs[0].passages[0].metadata["section"] == "Access"
    csv_file = tmp_path / "f.csv"
    csv_file.write_text("date,indicator,value\n2023-11-18,trucks entered,1139\n")
    (doc,) = list(read_sources([csv_file]))
    assert doc.passages[0].text == "date: 2023-11-18; indicator: trucks entered; value: 1,139"
    assert doc.passages[0].date == "2023-11-18"


def test_read_sources_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"no_text": 1}\n')
    (err,) = list(read_sources([bad]))
    assert isinstance(err, Exception) and "E302" in str(err)
    (err,) = list(read_sources([tmp_path / "nope.txt"]))
    assert "E100" in str(err)


@pytest.mark.parametrize("value,expected", [("2023-11-18", "2023-11-18"),
                                            ("2023-11-18T12:00:00Z", "2023-11-18"),
                                            ("18-11-2023", "2023-11-18"),
                                            ("18 November 2023", "2023-11-18"),
                                            ("soon", None), (None, None)])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


def test_demo_corpus_has_enough_labelled_passages():
    docs = [d for d in read_sources([DEMO]) if not isinstance(d, Exception)]
    passages = [p for d in docs for p in d.passages]
    assert len(passages) >= 30
    assert all("demo" in (d.publisher or "") for d in docs)


def test_cli_corpus_add_list_remove(tmp_path, monkeypatch):
    import claimscope.corpus.embed as embed
    from claimscope.cli import main

    monkeypatch.setattr(embed, "_encoder", HashEncoder())
    db = tmp_path / "demo.db"
    runner = CliRunner()
    res = runner.invoke(main, ["corpus", "add", str(DEMO), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "passage(s) indexed" in res.output
    res = runner.invoke(main, ["corpus", "add", str(DEMO), "--db", str(db)])
    assert "0 source(s) added, 0 updated" in res.output
    res = runner.invoke(main, ["corpus", "list", "--db", str(db), "--json"])
    listing = json.loads(res.output)
    assert listing["corpus"]["passages"] >= 30
    source = listing["sources"][0]["source"]
    res = runner.invoke(main, ["corpus", "remove", source, "--db", str(db)])
    assert res.exit_code == 0 and f"removed {source}" in res.output
    res = runner.invoke(main, ["corpus", "remove", "no such source", "--db", str(db)])
    assert res.exit_code == 1
    res = runner.invoke(main, ["corpus", "list", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 1 and "E303" in res.output
    res = runner.invoke(main, ["corpus", "search", 'trucks" OR NEAR(', "--db", str(db)])
    assert res.exit_code == 0, res.output


def _pdf(pages: list[str], title: str = "Flash Update #43") -> bytes:
    """A minimal PDF with one text line per page (Helvetica), written by hand."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                    f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objs)} 0 R >>")
        kids.append(f"{len(objs)} 0 R")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    objs.append(f"<< /Title ({title}) /CreationDate (D:20231118093000Z) >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {len(objs)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def test_read_sources_pdf_text_layer_pages_and_errors(tmp_path):
    pytest.importorskip("pypdf")
    (tmp_path / "report.pdf").write_bytes(_pdf([
        "On 18 November, 123,000 litres of fuel entered Gaza from Egypt, UN agencies said.",
        "Some 117 aid trucks entered through the Rafah crossing on the same day, OCHA said."]))
    (tmp_path / "scan.pdf").write_bytes(_pdf([""]))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")
    got = list(read_sources([tmp_path]))
    docs = [g for g in got if isinstance(g, SourceDoc)]
    errors = {g.source.rsplit("/", 1)[-1]: str(g) for g in got if not isinstance(g, SourceDoc)}
    (doc,) = docs
    assert doc.title == "Flash Update #43" and doc.date == "2023-11-18"
    text = "\n\n".join(p.text for p in doc.passages)
    assert "123,000 litres" in text and "117 aid trucks" in text
    assert [p.metadata["page"] for p in doc.passages] == [1, 2]
    assert set(errors) == {"scan.pdf", "broken.pdf"}
    assert "no text layer" in errors["scan.pdf"] and "E302" in errors["scan.pdf"]


# hostile input: a bad line or file is skipped, every DB problem is a coded error ---------


@pytest.fixture()
def cli(monkeypatch):
    import claimscope.corpus.embed as embed
    from claimscope.cli import main

    monkeypatch.setattr(embed, "_encoder", HashEncoder())

    def run(*args):
        res = CliRunner().invoke(main, list(map(str, args)))
        assert "Traceback" not in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        return res
    return run


def _good(i):
    return json.dumps({"text": f"Good line {i}: {100 + i} trucks entered Gaza on Monday, "
                               "the ministry said."})


def test_bad_jsonl_lines_are_skipped_and_the_rest_added(tmp_path, cli):
    p = tmp_path / "mixed.jsonl"
    p.write_text("\n".join([_good(1), "not json", _good(2), "[" * 1000 + "]" * 1000, _good(3),
                            '{"text": 5}', _good(4), '{"text": "bad \\ud800 surrogate, 7 trucks '
                            'entered."}', _good(5)]) + "\n")
    db = tmp_path / "c.db"
    res = cli("corpus", "add", p, "--db", db)
    assert res.exit_code == 1
    assert res.output.count("[E302]") == 3, res.output
    with CorpusStore(db) as store:
        texts = [r[0] for r in store.con.execute("SELECT text FROM passages ORDER BY id")]
    assert len(texts) == 6 and "bad \ufffd surrogate, 7 trucks entered." in texts


@pytest.mark.parametrize("error", ["garbage", "limit"])
def test_a_broken_pdf_does_not_stop_the_files_after_it(tmp_path, cli, monkeypatch, error):
    (tmp_path / "a_bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n")
    if error == "limit":  # pypdf past its decompression limit (a bomb), scaled down
        import pypdf
        from pypdf.errors import LimitReachedError

        def bomb(*a, **kw):
            raise LimitReachedError("Limit reached while decompressing: 75000000 bytes")

        monkeypatch.setattr(pypdf, "PdfReader", bomb)
    (tmp_path / "b_good.txt").write_text("The ministry said 300 trucks entered Gaza on Monday "
                                         "and aid agencies said it was not enough.")
    db = tmp_path / "c.db"
    res = cli("corpus", "add", tmp_path, "--db", db)
    assert res.exit_code == 1 and "[E302]" in res.output and "a_bad.pdf" in res.output
    with CorpusStore(db) as store:
        assert [r["source"] for r in store.sources()] == [str(tmp_path / "b_good.txt")]


def test_concurrent_adds_of_one_file_are_idempotent(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "f.jsonl"
    p.write_text(_good(1) + "\n" + _good(2) + "\n")
    db = tmp_path / "c.db"
    # a slow encoder: both runs find the source absent, then both write it
    code = ("import sys, time; sys.path.insert(0, sys.argv[3]); import verify_fakes, "
            "claimscope.corpus.embed as e; enc = verify_fakes.HashEncoder(); "
            "embed = enc.embed; enc.embed = lambda t: (time.sleep(1.5), embed(t))[1]; "
            "e._encoder = enc; "
            "from claimscope.cli import main; main(['corpus', 'add', sys.argv[1], '--db', "
            "sys.argv[2]])")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(p), str(db),
                               str(ROOT / "tests")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [pr.communicate(timeout=120) for pr in procs]
    assert [pr.returncode for pr in procs] == [0, 0, 0], outs
    with CorpusStore(db) as store:
        assert len(store.sources()) == 1 and store.count() == 2


def test_a_file_under_three_spellings_is_one_source(tmp_path, cli, monkeypatch):
    (tmp_path / "x").mkdir()
    (tmp_path / "f.txt").write_text("The ministry said 300 trucks entered Gaza on Monday and "
                                    "aid agencies said it was not enough.")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "c.db"
    for spelling in ("f.txt", "./x/../f.txt", str(tmp_path / "f.txt"), "f.txt"):
        res = cli("corpus", "add", spelling, "--db", db)
        assert res.exit_code == 0, res.output
    with CorpusStore(db) as store:
        assert [r["source"] for r in store.sources()] == ["f.txt"]


def test_a_declared_source_never_replaces_another_files(tmp_path, cli):
    (tmp_path / "t.csv").write_text("source,text\nREPORT,The CSV says 117 trucks entered.\n")
    (tmp_path / "t.jsonl").write_text('{"source": "REPORT", "text": "The JSONL says 200."}\n')
    db = tmp_path / "c.db"
    assert cli("corpus", "add", tmp_path / "t.csv", "--db", db).exit_code == 0
    res = cli("corpus", "add", tmp_path / "t.jsonl", "--db", db)
    assert res.exit_code == 1 and "[E305]" in res.output
    with CorpusStore(db) as store:
        (text,) = [r[0] for r in store.con.execute("SELECT text FROM passages")]
    assert "CSV says 117" in text


def test_database_problems_are_coded_errors(tmp_path, cli, monkeypatch):
    good = tmp_path / "f.txt"
    good.write_text("The ministry said 300 trucks entered Gaza on Monday, aid groups said.")
    db = tmp_path / "c.db"
    assert cli("corpus", "add", good, "--db", db).exit_code == 0
    def altered(name, *statements, copy=True):
        path = tmp_path / name
        if copy:
            path.write_bytes(db.read_bytes())
        con = sqlite3.connect(path)
        for stmt in statements:
            con.execute(stmt)
        con.commit()
        con.close()
        return path

    foreign = altered("foreign.db", "CREATE TABLE meta (k, v)", "CREATE TABLE passages (x)",
                      copy=False)
    for args in (("add", good), ("search", "trucks"), ("list",), ("remove", "f.txt")):
        res = cli("corpus", *args, "--db", foreign)
        assert res.exit_code == 1 and "[E300]" in res.output, (args, res.output)
    blob = altered("blob.db", "UPDATE passages SET embedding = x'0102'")
    res = cli("corpus", "search", "trucks", "--db", blob)
    assert res.exit_code == 1 and "[E300]" in res.output and "embedding" in res.output
    other = altered("other.db", "UPDATE meta SET value = 'another-model' WHERE key = 'embedder'")
    res = cli("corpus", "search", "trucks", "--db", other)
    assert res.exit_code == 1 and "[E304]" in res.output
    res = cli("corpus", "add", good, "--db", other)
    assert res.exit_code == 1 and "[E304]" in res.output
    # read-only (root ignores file modes: open it through SQLite's read-only mode)
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda path, **kw: real(
        f"file:{path}?mode=ro", uri=True, **kw))
    good.write_text("Changed: the ministry said 400 trucks entered Gaza on Tuesday.")
    res = cli("corpus", "add", good, "--db", db)
    assert res.exit_code == 1 and "[E306]" in res.output


@pytest.mark.parametrize("args", [
    ("add", "{src}", "--source-field", "{text.nope}"),
    ("add", "{src}", "--source-field", "{a[0]}"),
    ("search", "\udcff\udcfe"),
    ("remove", "\udcff"),
])
def test_corpus_arguments_are_checked(tmp_path, cli, args):
    src = tmp_path / "f.jsonl"
    src.write_text(_good(1) + "\n")
    res = cli("corpus", *[str(src) if a == "{src}" else a for a in args], "--db", tmp_path / "c.db")
    assert res.exit_code == 2 and "[E307]" in res.output, res.output
