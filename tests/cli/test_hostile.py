"""Hostile input cannot stall or exhaust the analysis: bounded work per article."""

from __future__ import annotations

import time

import pytest

import claimscope
from claimscope.stages.segment import MAX_SENTENCE, cut_long, for_tokenizer


@pytest.mark.parametrize("char", ["$", "&", "(", "«", "*", "=", "_", "\U0001F600"])
def test_punctuation_runs_are_cut_before_the_tokenizer(char):
    text = "The army said so. " + char * 8000 + " Then it stopped."
    seen = for_tokenizer(text)
    assert len(seen) == len(text) and seen.startswith("The army said so. " + char * 32 + " ")
    nlp = claimscope.load(["segment"])
    nlp("Warm up.")
    t = time.perf_counter()
    doc = nlp(text)
    assert time.perf_counter() - t < 2.0  # 8 KB of '$' took ~10 s (20 KB: 74 s)
    for s in doc.sentences:  # offsets index the original text
        assert s.text == text[s.start:s.end] and s.text.strip() == s.text
    assert any(char * 40 in s.text for s in doc.sentences)


def test_ordinary_punctuation_is_read_unchanged():
    text = "Wait... what?! -- he said (again) ***** and $5, «quoted»\n" + "-" * 32
    assert for_tokenizer(text) == text


def test_long_sentences_are_cut_at_white_space():
    text = "word " * 1000
    pieces = cut_long(text, 0, len(text.rstrip()))
    assert all(0 < b - a <= MAX_SENTENCE for a, b in pieces)
    assert " ".join(text[a:b] for a, b in pieces) == text.rstrip()
    assert cut_long("x" * 5000, 0, 5000) == [(0, 2000), (2000, 4000), (4000, 5000)]


def test_one_long_sentence_of_ledger_cues_is_linear():
    """The ledger scans a sentence once per cue: quadratic in one unbroken sentence."""
    nlp = claimscope.load(["segment", "quantities", "actors", "ledger"])
    nlp("Israel said it destroyed Hamas tunnels.")
    text = "Israel said it destroyed Hamas tunnels and achieved its goal, and " * 900
    t = time.perf_counter()
    doc = nlp(text)
    assert time.perf_counter() - t < 6.0  # ~14 s before sentences were cut at 2,000 chars
    assert max(len(s) for s in doc.sentences) <= MAX_SENTENCE
    assert doc.fields["ledger"]


# every command, every hostile input: a coded error or a result, never a traceback ------

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))
import _hostile  # noqa: E402

SCALE = 0.02  # the benchmark runs the same inputs at 1.0


def _run(*args, timeout=900):
    res = subprocess.run([sys.executable, "-m", "claimscope", *map(str, args)],
                         capture_output=True, text=True, timeout=timeout,
                         cwd=BENCH.parent)
    assert "Traceback" not in res.stderr + res.stdout, res.stderr[-3000:]
    return res


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    cases = _hostile.articles(root / "in", scale=SCALE)
    good = _hostile.good_articles(root / "good")
    return root, cases, good


@pytest.mark.slow
def test_analyze_every_hostile_input(hostile):
    root, cases, good = hostile
    out = root / "out"
    res = _run("analyze", root / "in", root / "good", "-o", out, "--format",
               "json,jsonl,html,md,claimreview,parquet", "--max-seconds", 60, "-q")
    assert res.returncode == 1, res.stderr[-2000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    analysed = {a["source"]: a for a in report["articles"]}
    errors = {e["source"]: e for e in report["errors"]}
    for case in cases:  # each input: an analysed article or one coded error
        if case.source in analysed:
            for err in analysed[case.source]["errors"]:
                assert err["code"].startswith("E"), (case.name, err)
        else:
            assert case.source in errors, case.name
            assert errors[case.source]["code"].startswith("E1"), errors[case.source]
    ok = {a["id"]: a for a in report["articles"] if a["id"] in good}
    assert sorted(ok) == good and all(not a["errors"] and a["sentences"] for a in ok.values())
    lines = (out / "report.jsonl").read_text(encoding="utf-8").splitlines()  # any line break
    assert [json.loads(x) for x in lines] == report["articles"]
    for p in out.iterdir():  # every text report is valid UTF-8
        if p.suffix != ".parquet":
            p.read_bytes().decode("utf-8")
    import pyarrow.parquet as pq

    assert pq.read_table(out / "articles.parquet").num_rows == len(report["articles"])


@pytest.mark.slow
def test_compare_with_hostile_inputs(hostile):
    root, cases, good = hostile
    some = [c.source for c in cases if c.kind in ("txt", "html")][::6]
    res = _run("compare", root / "good", root / "in" / "lines.jsonl", *some, "-o",
               root / "cmp")
    assert res.returncode == 1
    report = json.loads((root / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert {a["id"] for a in report["articles"]} >= set(good)
    sides = root / "sides.json"
    sides.write_text("[" * 100_000 + "]" * 100_000)
    res = _run("compare", root / "good", "-o", root / "cmp2", "--sides", sides)
    assert res.returncode == 2 and "--sides" in res.stderr


@pytest.mark.slow
def test_corpus_commands_with_hostile_inputs(hostile):
    root, _, _ = hostile
    good = _hostile.corpus_files(root / "corpus", scale=SCALE)
    db = root / "c.db"
    res = _run("corpus", "add", root / "corpus", "--db", db, timeout=300)
    assert res.returncode == 1 and "[E302]" in res.stderr
    listing = json.loads(_run("corpus", "list", "--db", db, "--json").stdout)
    assert listing["corpus"]["passages"] >= sum(good.values())
    for query in _hostile.QUERIES:
        if "\x00" in query:
            continue  # a process argument cannot hold NUL
        assert _run("corpus", "search", query, "--db", db).returncode == 0
        assert _run("corpus", "remove", query, "--db", db).returncode == 1
