"""claimscope compare: figure disagreements, outcome contradictions, one-sided claims, HTML."""

from __future__ import annotations

import json

import numpy as np
import pytest

import claimscope
from claimscope.compare import compare_documents, render_compare_html
from claimscope.errors import InvalidParameterError

A = ("<script>alert('a')</script> Around 500 Russian soldiers were killed in the battle for "
     "Avdiivka, Ukrainian officials said.\n"
     "Russia has failed to achieve its objectives in Ukraine.\n"
     "Ukraine shot down 30 Russian drones over Kyiv.")
B = ("Nearly 900 Russian soldiers were killed in the battle for Avdiivka, according to the "
     "general staff.\n"
     "Russia has achieved its objectives in Ukraine, the Kremlin said.\n"
     "Prices of bread rose by 3% in Moscow.")
C = "About 520 Russian soldiers were killed in the battle for Avdiivka, a report said."


@pytest.fixture(scope="module")
def nlp():
    return claimscope.load(["segment", "quantities", "actors", "ledger"])


def _docs(nlp, *texts, outlets=None):
    docs = []
    for i, t in enumerate(texts):
        docs.append(nlp(t, id=f"art{i}", outlet=(outlets or [None] * len(texts))[i]))
    return docs


def test_compare_finds_figure_disagreement(nlp) -> None:
    report = compare_documents(_docs(nlp, A, B))
    assert report["similarity"] == "lexical"
    (fig,) = report["figures"]
    assert fig["head"] == "soldier"
    ranges = sorted(tuple(it["range"]) for it in fig["items"])
    assert ranges == [(450.0, 550.0), (810.0, 990.0)]
    assert {it["article"] for it in fig["items"]} == {0, 1}
    assert all("Avdiivka" in it["sentence"]["text"] for it in fig["items"])


def test_compare_overlapping_figures_agree(nlp) -> None:
    # "around 500" (450-550) and "about 520" (468-572) overlap: no disagreement
    assert compare_documents(_docs(nlp, A, C))["figures"] == []


def test_compare_finds_outcome_contradiction(nlp) -> None:
    report = compare_documents(_docs(nlp, A, B))
    contra = [c for c in report["outcomes"] if c["actor"] == "Russia"]
    assert contra, report["outcomes"]
    pols = {it["polarity"]: it for it in contra[0]["items"]}
    assert set(pols) == {"achieved", "failed"}
    assert pols["achieved"]["attributed_to"] == "the Kremlin"
    assert pols["failed"]["attributed_to"] == "author"


def test_compare_uses_embeddings_when_present(nlp) -> None:
    docs = _docs(nlp, A, B)
    for d in docs:  # hand-made embeddings: sentence i of both articles point the same way
        d.tensors["sentence_embeddings"] = np.eye(len(d.sentences), 8, dtype=np.float32)
    report = compare_documents(docs)
    assert report["similarity"] == "embedding"
    assert report["figures"] and report["figures"][0]["method"] == "embedding"
    # orthogonal embeddings: nothing is about the same thing
    for d in docs:
        n = len(d.sentences)
        d.tensors["sentence_embeddings"] = np.roll(np.eye(n, 8, dtype=np.float32),
                                                   4 * int(d.id[-1]), axis=1)
    report = compare_documents(docs)
    assert report["figures"] == [] and report["outcomes"] == []


def test_compare_one_sided_claims(nlp) -> None:
    docs = _docs(nlp, A, B, outlets=["Outlet K", "Outlet M"])
    report = compare_documents(docs, sides={"Outlet K": "side 1", "Outlet M": "side 2"})
    claims = {(c["actor"], c["polarity"], c["side"]) for c in report["one_sided"]}
    assert ("Ukraine", "achieved", "side 1") in claims  # only A says Ukraine shot drones down
    assert [a["side"] for a in report["articles"]] == ["side 1", "side 2"]


def test_compare_needs_two_articles(nlp) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        compare_documents(_docs(nlp, A))
    assert exc.value.code == "E203"


def test_compare_html_escapes_article_text(nlp) -> None:
    docs = _docs(nlp, A, B)
    docs[0].meta["title"] = "<img src=x onerror=alert(1)>"
    html = render_compare_html(compare_documents(docs))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert html.startswith("<!doctype html>")


def test_compare_cli(tmp_path) -> None:
    from click.testing import CliRunner

    from claimscope.cli import main

    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(B, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 2 and report["figures"]
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "<script>" not in html


def test_compare_cli_one_article_is_usage_error(tmp_path) -> None:
    from click.testing import CliRunner

    from claimscope.cli import main

    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "a.txt"), "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "E203" in res.output


def test_ledger_renderers_escape_and_link() -> None:
    from claimscope.render.ledger import ledger_html, ledger_markdown

    article = {
        "text": "x", "sentences": [{"start": 0, "end": 10}, {"start": 11, "end": 60}],
        "ledger": [{"actor": "Hamas<b>", "kind": "outcome", "polarity": "failed",
                    "domain": "military", "start": 11, "end": 40,
                    "text": "<script>alert(1)</script> | *x*", "sentence": {"start": 11, "end": 60},
                    "attributed_to": "<i>src</i>", "quantities": []},
                   {"actor": "Israel", "kind": "objective", "polarity": "neutral",
                    "domain": "political", "start": 0, "end": 5, "text": "aim",
                    "sentence": {"start": 0, "end": 10}, "attributed_to": "author",
                    "quantities": [{"text": "3 tanks", "low": 3, "high": 3, "bound": "exact",
                                    "approximate": False, "unit": None, "counted": "tanks",
                                    "kind": "count", "start": 0, "end": 7}]}],
    }
    html = str(ledger_html(article, 2))
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "Hamas&lt;b&gt;" in html
    assert 'href="#a2-s1"' in html and 'href="#a2-s0"' in html
    assert "3 tanks" in html
    md = ledger_markdown(article)
    assert "<script>" not in md and "\\|" in md and "#### Israel" in md
    assert ledger_html({"ledger": []}, 1) == ""
