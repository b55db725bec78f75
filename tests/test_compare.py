"""claimscope compare: figures that disagree (same thing, population, place and day),
outcomes that contradict (same actor and objective), one-sided claims, the collection's
aggregates, the tables, and runs analysed once and compared many times."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

import claimscope
from claimscope import Document
from claimscope.cli import main
from claimscope.compare import compare_documents, compare_tables
from claimscope.errors import InvalidParameterError
from claimscope.render.compare import render_compare_html

A = ("<script>alert('a')</script> Around 500 Russian soldiers were killed in the battle for "
     "Avdiivka, Ukrainian officials said.\n"
     "Russia has failed to achieve its objectives in Ukraine.\n"
     "Ukraine shot down 30 Russian drones over Kyiv.")
B = ("Nearly 900 Russian soldiers were killed in the battle for Avdiivka, according to the "
     "general staff.\n"
     "Russia has achieved its objectives in Ukraine, the Kremlin said.\n"
     "Prices of bread rose by 3% in Moscow.")
C = "About 520 Russian soldiers were killed in the battle for Avdiivka, a report said."
DAY = "2024-02-17"


@pytest.fixture(scope="module")
def nlp():
    return claimscope.load(["segment", "quantities", "actors", "ledger"])


def _docs(nlp, *texts, outlets=None, published=DAY):
    dates = published if isinstance(published, list) else [published] * len(texts)
    return [nlp(t, id=f"art{i}", outlet=(outlets or [f"Outlet {i}" for i in texts])[i],
                published=dates[i]) for i, t in enumerate(texts)]


def test_figures_of_the_same_thing_and_day_that_do_not_meet_disagree(nlp) -> None:
    report = compare_documents(_docs(nlp, A, B))
    assert report["similarity"] == "lexical"
    (fig,) = report["figures"]
    assert fig["head"] == "soldier" and fig["day"] == DAY and fig["population"] == ["Russia"]
    ranges = sorted(tuple(it["range"]) for it in fig["items"])
    assert ranges == [(450.0, 550.0), (810.0, 990.0)]
    assert {it["article"] for it in fig["items"]} == {0, 1}
    assert all("Avdiivka" in it["sentence"]["text"] for it in fig["items"])


def test_overlapping_figures_agree(nlp) -> None:
    # "around 500" (450-550) and "about 520" (468-572) overlap: no disagreement
    assert compare_documents(_docs(nlp, A, C))["figures"] == []


def test_figures_of_other_days_or_no_date_are_not_compared(nlp) -> None:
    assert compare_documents(_docs(nlp, A, B, published=[DAY, "2024-02-10"]))["figures"] == []
    report = compare_documents(_docs(nlp, A, B, published=None))
    assert report["figures"] == []  # nothing dates them: not the same day


@pytest.mark.parametrize("other", [
    "Two people briefed reporters on Saturday.",                     # another thing counted
    "In 2014, 73 people were killed in Gaza.",                       # another year
    "Some 1.9 million people have been displaced in Gaza, the UN said.",  # displaced
])
def test_people_of_another_kind_year_or_event_are_not_the_same_figure(nlp, other) -> None:
    base = "The ministry said 1,200 people were killed in Gaza on Saturday."
    assert compare_documents(_docs(nlp, base, other))["figures"] == []


def test_children_of_another_population_are_not_compared(nlp) -> None:
    a = "Some 36 Israeli children were killed in the attacks, officials said."
    b = "Some 4,900 Palestinian children were killed in the strikes, officials said."
    report = compare_documents(_docs(nlp, a, b))
    assert report["figures"] == []
    assert report["figure_pairs_set_aside"].get("population", 0) >= 1
    c = "Some 80 Israeli children were killed in the attacks, the army said."
    (fig,) = compare_documents(_docs(nlp, a, c))["figures"]
    assert fig["population"] == ["Israel"]


def test_figures_of_one_outlet_are_not_a_disagreement_across_outlets(nlp) -> None:
    assert compare_documents(_docs(nlp, A, B, outlets=["Same", "Same"]))["figures"] == []


def test_outcomes_contradict_only_for_the_same_actor_and_objective(nlp) -> None:
    report = compare_documents(_docs(nlp, A, B))
    (contra,) = [c for c in report["outcomes"] if c["actor"] == "Russia"]
    pols = {it["polarity"]: it for it in contra["items"]}
    assert set(pols) == {"achieved", "failed"}
    assert pols["achieved"]["attributed_to"] == "the Kremlin"
    assert pols["failed"]["attributed_to"] == "author"
    a = "Israel failed to destroy Hamas, as 174 soldiers were killed in the ground operation."
    b = "Israel achieved its goal as fuel was delivered to the hospital on Monday."
    assert compare_documents(_docs(nlp, a, b))["outcomes"] == []
    c = "Israel succeeded in destroying Hamas, the army said."
    assert [x["actor"] for x in compare_documents(_docs(nlp, a, c))["outcomes"]] == ["Israel"]


def test_embeddings_veto_sentences_about_other_things(nlp) -> None:
    docs = _docs(nlp, A, B)
    for d in docs:  # hand-made embeddings: sentence i of both articles point the same way
        d.tensors["sentence_embeddings"] = np.eye(len(d.sentences), 8, dtype=np.float32)
    report = compare_documents(docs)
    assert report["similarity"] == "embedding" and report["figures"]
    for d in docs:  # orthogonal: nothing is about the same thing
        n = len(d.sentences)
        d.tensors["sentence_embeddings"] = np.roll(np.eye(n, 8, dtype=np.float32),
                                                   4 * int(d.id[-1]), axis=1)
    report = compare_documents(docs)
    assert report["figures"] == [] and report["outcomes"] == []


def test_sides_come_from_sides_or_outlets_never_from_single_articles(nlp) -> None:
    docs = _docs(nlp, A, B, outlets=["Outlet K", "Outlet M"])
    report = compare_documents(docs, sides={"Outlet K": "side 1", "Outlet M": "side 2"})
    claims = {(c["actor"], c["polarity"], c["side"]) for c in report["one_sided"]}
    assert ("Ukraine", "achieved", "side 1") in claims  # only A says Ukraine shot drones down
    assert [a["side"] for a in report["articles"]] == ["side 1", "side 2"]
    assert report["sides_from"] == "--sides" and report["no_side"] == 0
    # no --sides: outlets are the sides; an article without an outlet has none
    docs = [nlp(A, id="a"), nlp(B, id="b")]
    report = compare_documents(docs)
    assert report["sides_from"] == "outlet" and report["no_side"] == 2
    assert [a["side"] for a in report["articles"]] == [None, None]
    assert report["one_sided"] == []


def test_compare_needs_two_articles(nlp) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        compare_documents(_docs(nlp, A))
    assert exc.value.code == "E203"


def _scored(text: str, outlet: str, published: str | None, techniques: list[str],
            cw: list[float], op: list[float]) -> Document:
    doc = Document(text, id=f"{outlet}-{published}", outlet=outlet, published=published)
    start = 0
    for line, c, o in zip(text.split("\n"), cw, op):
        doc.sentences.add(start, start + len(line), checkworthiness=c, subjectivity=o)
        start += len(line) + 1
    for t in techniques:
        doc.spans["persuasion"].add(0, 4, label=t, score=0.9, technique=t)
    return doc


def test_aggregates_techniques_per_article_and_shares_by_week() -> None:
    text = "One line here.\nAnother line.\nA third."
    docs = [_scored(text, "K", "2024-01-01", ["Loaded_Language"] * 2 + ["Doubt"],
                    [0.9, 0.1, 0.6], [0.7, 0.2, 0.1]),
            _scored(text, "K", "2024-01-09", ["Loaded_Language"], [0.1, 0.1, 0.1],
                    [0.9, 0.9, 0.9]),
            _scored(text, "M", None, [], [0.9, 0.9, 0.9], [0.0, 0.0, 0.0])]
    report = compare_documents(docs, sides={"K": "one", "M": "two"})
    by_outlet = {r["outlet"]: r for r in report["aggregates"]["techniques_by_outlet"]}
    assert by_outlet["K"]["articles"] == 2 and by_outlet["K"]["spans"] == 4
    assert by_outlet["K"]["techniques"] == {"Loaded_Language": 1.5, "Doubt": 0.5}
    assert by_outlet["M"]["spans_per_article"] == 0
    assert {r["side"] for r in report["aggregates"]["techniques_by_side"]} == {"one", "two"}
    weeks = {(r["outlet"], r["week"]): r for r in report["aggregates"]["shares_by_week"]}
    assert set(weeks) == {("K", "2024-W01"), ("K", "2024-W02"), ("M", "undated")}
    assert weeks[("K", "2024-W01")]["checkworthy_share"] == round(2 / 3, 4)
    assert weeks[("K", "2024-W02")]["opinion_share"] == 1.0
    tables = compare_tables(report)
    assert {r["technique"] for r in tables["techniques"]} == {"Loaded_Language", "Doubt"}
    assert len(tables["shares_by_week"]) == 3 and len(tables["articles"]) == 3
    html = render_compare_html(report)
    assert html.count("<svg") == 4 and "2024-W02" in html


def test_page_escapes_every_text(nlp) -> None:
    docs = _docs(nlp, A, B, outlets=["<b>K</b>", "<i onmouseover=x>M</i>"])
    docs[0].meta["title"] = "<img src=x onerror=alert(1)>"
    docs[1].spans["persuasion"].add(0, 5, label="<svg onload=alert(1)>", score=0.5,
                                    technique="<svg onload=alert(1)>")
    html = render_compare_html(compare_documents(docs, sides={"<b>K</b>": "<u>s1</u>",
                                                             "<i onmouseover=x>M</i>": "s2"}))
    for raw in ("<script>", "<img", "<b>K", "<i onmouseover", "<svg onload", "<u>s1"):
        assert raw not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert html.startswith("<!doctype html>")


def _cli(args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_compare_cli_analyses_inputs(tmp_path) -> None:
    for name, text in (("a", A), ("b", B)):
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(
            {"id": name, "text": text, "outlet": f"Outlet {name}", "published": DAY}) + "\n")
    out = tmp_path / "out"
    res = _cli(["compare", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "-o", out,
                "--workers", "0"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 2 and report["figures"]
    assert "<script>" not in (out / "compare.html").read_text(encoding="utf-8")
    assert "no --sides given" in res.output
    rows = list(csv.DictReader((out / "compare_figures.csv").open(encoding="utf-8")))
    assert {r["outlet"] for r in rows} == {"Outlet a", "Outlet b"}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_compare_reads_a_run_analysed_once(tmp_path, fmt) -> None:
    src = tmp_path / "in.jsonl"
    with src.open("w") as fh:
        for name, text in (("a", A), ("b", B), ("c", C)):
            fh.write(json.dumps({"id": name, "text": text, "outlet": f"Outlet {name}",
                                 "published": DAY}) + "\n")
    run = tmp_path / "run"
    res = _cli(["analyze", src, "-o", run, "--format", fmt, "--workers", "0", "-q",
                "--stages", "segment,quantities,actors,ledger"])
    assert res.exit_code == 0, res.output
    target = run if fmt == "parquet" else run / "report.jsonl"
    res = _cli(["compare", target, "-o", tmp_path / "cmp", "--tables", "csv,parquet", "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in report["articles"]] == ["a", "b", "c"]
    (fig,) = report["figures"]
    assert len(fig["items"]) == 3 and fig["disagreeing_pairs"] == 2
    assert [c["actor"] for c in report["outcomes"]] == ["Russia"]
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "cmp" / "compare_figures.parquet").num_rows == 3


def test_compare_reads_the_analysis_store(tmp_path, nlp) -> None:
    from claimscope.store import AnalysisStore

    db = tmp_path / "analyses.db"
    with AnalysisStore(db) as store:
        for doc in _docs(nlp, A, B):
            store.add(doc.to_dict())
    res = _cli(["compare", db, "-o", tmp_path / "cmp", "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 2 and len(report["figures"]) == 1


def test_compare_cli_one_article_is_usage_error(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "a.txt"), "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "E203" in res.output


def test_compare_tables_option_is_checked(tmp_path) -> None:
    res = CliRunner().invoke(main, ["compare", "x", "-o", str(tmp_path), "--tables", "xlsx"])
    assert res.exit_code == 2 and "--tables" in res.output
