"""The outcome ledger: agent vs patient, polarity, domains, attribution, bullets."""

from __future__ import annotations

import pytest

import claimscope
from claimscope.document import Document


@pytest.fixture(scope="module")
def nlp():
    return claimscope.load(["segment", "quantities", "actors", "ledger"])


def rows(nlp, text: str) -> list[tuple[str, str, str, str]]:
    return [(r["actor"], r["kind"], r["polarity"], r["domain"])
            for r in nlp(text).fields["ledger"]]


@pytest.mark.parametrize("text, expected", [
    # agent vs patient
    ("Israel destroyed Hamas tunnels.", ("Israel", "outcome", "achieved", "military")),
    ("Hamas failed to stop the Israeli advance.", ("Hamas", "outcome", "failed", "military")),
    ("Russia lost 3 tanks near Bakhmut.", ("Russia", "outcome", "failed", "military")),
    ("Three Russian tanks were destroyed near Bakhmut.",
     ("Russia", "outcome", "failed", "military")),
    ("Russian troops were forced to withdraw from Kherson.",
     ("Russia", "outcome", "failed", "military")),
    ("Hamas was defeated in Khan Younis, the army said.",
     ("Hamas", "outcome", "failed", "military")),
    # objectives
    ("Netanyahu vowed to crush Hamas.", ("Israel", "objective", "neutral", "military")),
    ("The Kremlin's goal was to topple the government in Kyiv.",
     ("Russia", "objective", "neutral", "political")),
    ("Hamas seeks to win the battle for world opinion.",
     ("Hamas", "objective", "neutral", "information")),
    # negation
    ("Russia did not capture Kyiv.", ("Russia", "outcome", "failed", "military")),
    # each domain
    ("Moscow has failed to break Ukraine's economy.",
     ("Russia", "outcome", "failed", "economic")),
    ("Israel has lost the global information war.",
     ("Israel", "outcome", "failed", "information")),
    ("Qatar succeeded in brokering a truce.", ("Qatar", "outcome", "achieved", "diplomatic")),
    ("UN agencies were unable to deliver food to northern Gaza.",
     ("United Nations", "outcome", "failed", "humanitarian")),
    ("Putin won another six-year term in an election.",
     ("Russia", "outcome", "achieved", "political")),
])
def test_ledger_row(nlp, text: str, expected: tuple[str, str, str, str]) -> None:
    assert rows(nlp, text) == [expected]


def test_ledger_agent_not_patient(nlp) -> None:
    # the patient of an achievement verb is not its agent
    found = rows(nlp, "Ukrainian drones destroyed Russian tanks.")
    assert found == [("Ukraine", "outcome", "achieved", "military")]
    found = rows(nlp, "Russian drones destroyed Ukrainian tanks.")
    assert found == [("Russia", "outcome", "achieved", "military")]


def test_ledger_forced_to_is_two_rows(nlp) -> None:
    # the one who forces achieves, the one forced to withdraw fails
    found = rows(nlp, "Ukraine forced Russian troops to withdraw from Kherson.")
    assert sorted(found) == [("Russia", "outcome", "failed", "military"),
                             ("Ukraine", "outcome", "achieved", "military")]


def test_ledger_civilian_harm_is_no_achievement(nlp) -> None:
    assert rows(nlp, "Israeli strikes killed 40 civilians in Rafah.") == []
    assert rows(nlp, "Russian missiles killed 18 civilians in Kharkiv.") == []
    assert rows(nlp, "Hamas gunmen killed 1,200 people in southern Israel.") == []


def test_ledger_forecast_is_no_outcome(nlp) -> None:
    assert rows(nlp, "Ukraine will lose the war, Russian officials said.") == []


def test_ledger_attribution(nlp) -> None:
    doc = nlp("Russian troops retook Avdiivka, the Ukrainian military said. "
              "Israel has lost the information war, according to a former diplomat. "
              "Hamas failed to stop the advance.")
    by = {r["actor"]: r["attributed_to"] for r in doc.fields["ledger"]}
    assert by["Russia"] == "the Ukrainian military"
    assert by["Israel"] == "a former diplomat"
    assert by["Hamas"] == "author"


def test_ledger_quote_attribution_and_pronoun(nlp) -> None:
    text = ('A senior Hamas official rejected the claim. "No massacre will break us," he '
            'said. "The Zionist enemy has failed to achieve a single one of its goals."')
    (row,) = nlp(text).fields["ledger"]
    assert (row["actor"], row["polarity"]) == ("Israel", "failed")
    assert row["attributed_to"] == "A senior Hamas official"
    doc = nlp("The Israeli military said it had destroyed 300 tunnel shafts.")
    (row,) = doc.fields["ledger"]
    assert row["actor"] == "Israel" and row["attributed_to"] == "The Israeli military"
    assert [q["text"] for q in row["quantities"]] == ["300 tunnel shafts"]


def test_ledger_bullets_count_row_by_row(nlp) -> None:
    text = ("Israel's achievements so far:\n"
            "- destroyed 20 of Hamas's 24 battalions\n"
            "- killed Mohammed Deif\n"
            "- secured the release of 105 hostages\n"
            "- Hamas no longer governs the north")
    doc = nlp(text)
    found = [(r["actor"], r["polarity"], r["domain"]) for r in doc.fields["ledger"]]
    assert found == [("Israel", "achieved", "military"), ("Israel", "achieved", "military"),
                     ("Israel", "achieved", "humanitarian"), ("Israel", "achieved", "political")]
    for r in doc.fields["ledger"]:
        assert not r["text"].startswith("-")
        assert doc.text[r["start"]:r["end"]] == r["text"]
        assert r["sentence"]["start"] <= r["start"] < r["end"] <= r["sentence"]["end"]


def test_ledger_failure_list(nlp) -> None:
    text = "Ukraine's failures this year:\n- the counteroffensive stalled\n- mobilisation lagged"
    found = rows(nlp, text)
    assert [r[:3] for r in found] == [("Ukraine", "outcome", "failed")] * 2


def test_ledger_quantities_inside_row(nlp) -> None:
    (row,) = nlp("Russia lost 3 tanks near Bakhmut.").fields["ledger"]
    assert len(row["quantities"]) == 1
    q = row["quantities"][0]
    assert (q["low"], q["counted"], q["kind"]) == (3.0, "tanks", "count")


def test_ledger_hand_built_document() -> None:
    """The stage runs on a Document built by hand (no segment stage)."""
    from claimscope.stages.actors import Actors
    from claimscope.stages.ledger import Ledger

    doc = Document("Ukraine sank the Moskva. Russia lost the initiative.")
    doc.sentences.add(0, 24)
    doc.sentences.add(25, 52)
    Actors()(doc)
    Ledger()(doc)
    assert [(r["actor"], r["polarity"]) for r in doc.fields["ledger"]] == [
        ("Ukraine", "achieved"), ("Russia", "failed")]


def test_ledger_without_parse_falls_back() -> None:
    nlp = claimscope.load(["segment", "quantities", "actors", "ledger"],
                          config={"ledger": {"parse": False}})
    assert rows(nlp, "Hamas failed to stop the advance.") == [
        ("Hamas", "outcome", "failed", "military")]


def test_ledger_report_validates(nlp, sample_text) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from claimscope.report import build_report, schema

    doc = nlp(sample_text)
    report = build_report([doc], [], nlp)
    jsonschema.validate(report, schema())
    article = report["articles"][0]
    assert article["ledger"] and article["actors"]
    assert {"Israel", "Hamas"} <= {a["name"] for a in article["actors"]}


def test_ledger_in_default_pipeline() -> None:
    from claimscope.stages import DEFAULT_STAGES

    names = list(DEFAULT_STAGES)
    assert names.index("quantities") < names.index("actors") < names.index("ledger")
