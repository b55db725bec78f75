"""Even-handedness: the actor swap, and labels that must not change when sides are traded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import claimscope
from claimscope.swap import blind_sides, label_changes, side, swap_actors, swap_side

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "claimscope" / "models" / "data" / "manifest.json"
#: Share of labels allowed to change. The benchmark target is 1%: the rule stages and the
#: side-blind sentence heads hold 0% on like-for-like sentences; what changes, changes where
#: the swap itself is not like for like (an epithet, "Zionist enemy", becomes a name).
RULE_TOLERANCE = 0.01
MODEL_TOLERANCE = 0.01


def test_swap_trades_names_forces_leaders_demonyms() -> None:
    res = swap_actors("Israeli troops destroyed Hamas's tunnels, Netanyahu said. "
                      "Israelis fled. The IDF and the Kremlin; Putin met Russians in Moscow.")
    assert res.text == ("Hamas troops destroyed Israel's tunnels, Sinwar said. "
                        "Palestinians fled. The Qassam Brigades and the Bankova; Zelensky met "
                        "Ukrainians in Kyiv.")


def test_swap_is_an_involution_on_plain_names() -> None:
    text = "Russia said Ukraine lost; Hamas said Israel failed. Zelensky and Putin."
    assert swap_actors(swap_actors(text).text).text == text


def test_swap_keeps_case_and_other_actors() -> None:
    res = swap_actors("HAMAS and ISRAEL. The Palestinian Authority and Palestinian Islamic "
                      "Jihad. israel in lower case. pro-Russian groups.")
    assert res.text.startswith("ISRAEL and HAMAS.")
    assert "Palestinian Authority" in res.text and "Palestinian Islamic Jihad" in res.text
    assert "israel in lower case" in res.text and "pro-Russian" in res.text


def test_swap_offsets_map_both_ways() -> None:
    text = "Netanyahu said Israel had destroyed 300 tunnels near Khan Younis."
    res = swap_actors(text)
    for word in ("said", "300", "Khan"):
        assert res.to_swapped(text.index(word)) == res.text.index(word)
        assert res.to_original(res.text.index(word)) == text.index(word)
    assert res.to_original(res.text.index("Sinwar")) == text.index("Netanyahu")


def test_swap_sides() -> None:
    assert swap_side("Israel") == side("Hamas") == side("Palestinians") == "P"
    assert swap_side("Ukraine") == side("Russia") == "R"
    assert swap_side("Qatar") == side("Qatar") == "Qatar"


def test_blind_sides_hides_which_side_and_maps_offsets() -> None:
    text = ("Israeli troops destroyed Hamas's tunnels, Netanyahu said. Palestinians fled. "
            "The IDF and the Kremlin; Putin met Russians in Moscow.")
    res = blind_sides(text)
    assert res.text == ("Side A troops destroyed Side B's tunnels, Leader A said. Side C people "
                        "fled. The Side A forces and the Side D; Leader D met Side D people in "
                        "Side D.")
    assert blind_sides(swap_actors(text).text).text == res.text
    start = res.text.index("Leader A")
    span = res.to_original_span(start + 3, start + len("Leader A"))
    assert text[span[0]:span[1]] == "Netanyahu"
    assert res.to_original_span(start, start + 6) == span  # a start inside too
    assert res.to_original(res.text.index("said")) == text.index("said")


def test_blind_sides_keeps_epithets_lower_case_and_other_actors() -> None:
    text = "The Zionist entity. israel. The Palestinian Authority and Hezbollah."
    assert blind_sides(text).text == text


def _texts() -> list[str]:
    lines = (ROOT / "benchmarks" / "ledger_dev.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(line)["text"] for line in lines if line.strip()]
    out.append((ROOT / "examples" / "sample_article.txt").read_text(encoding="utf-8"))
    return out


def _rates(nlp, texts: list[str], counts: bool = False) -> Any:
    swaps = [swap_actors(t) for t in texts]
    # One article per batch: the int8 encoder quantizes activations per batch, so a
    # sentence's scores move by ~1e-3 with its batch neighbours (which differ between the
    # two runs); within an article the side-blind text is the same both ways.
    a = list(nlp.pipe(texts, batch_size=1))
    b = list(nlp.pipe([s.text for s in swaps], batch_size=1))
    totals: dict[str, list[int]] = {}
    for o, s, res in zip(a, b, swaps):
        for stage, (c, n) in label_changes(o, s, res).items():
            t = totals.setdefault(stage, [0, 0])
            t[0] += c
            t[1] += n
    rates = {k: c / n if n else 0.0 for k, (c, n) in totals.items()}
    return (rates, totals) if counts else rates


def test_swap_rule_stages_are_even_handed() -> None:
    nlp = claimscope.load(["segment", "quantities", "actors", "ledger"])
    rates = _rates(nlp, _texts())
    assert rates["ledger"] <= RULE_TOLERANCE, rates
    assert rates["quantities"] <= RULE_TOLERANCE, rates


@pytest.mark.slow
@pytest.mark.skipif(not MANIFEST.is_file(),
                    reason="the shipped sentence models (claimscope/models/data/manifest.json) "
                           "are not installed yet")
def test_swap_model_stages_are_even_handed() -> None:
    from claimscope.layers import stages_for

    nlp = claimscope.load(stages_for(["claims", "opinion", "ledger", "persuasion"]))
    rates, totals = _rates(nlp, _texts(), counts=True)
    for stage in ("checkworthiness", "subjectivity", "persuasion"):
        assert rates[f"{stage}_like_for_like"] <= MODEL_TOLERANCE, rates
    # what the swap rewrote in wording, not only in side ("Zionist enemy" -> "Hamas
    # enemy"): the one sentence for the sentence heads; for persuasion, which reads the
    # article's context, that article's spans, of which a minority may change label
    for stage in ("checkworthiness", "subjectivity"):
        assert totals[stage][0] - totals[f"{stage}_like_for_like"][0] <= 2, totals
    changed = totals["persuasion"][0] - totals["persuasion_like_for_like"][0]
    spans = totals["persuasion"][1] - totals["persuasion_like_for_like"][1]
    assert changed <= 0.5 * spans, totals
    assert rates["ledger"] <= RULE_TOLERANCE, rates


@pytest.mark.slow
@pytest.mark.skipif(not MANIFEST.is_file(), reason="the shipped sentence models are missing")
def test_side_blind_encoder_scores_and_spans_point_into_the_original() -> None:
    text = ("Netanyahu said the criminal Hamas fighters fired 4,000 rockets at Israel. "
            "Hamas said the brutal Israeli army had failed.")
    nlp = claimscope.load(["segment", "language", "encode", "checkworthiness", "persuasion"])
    doc, swapped = nlp(text), nlp(swap_actors(text).text)
    assert [s.attrs["checkworthiness"] for s in doc.sentences] == \
        [s.attrs["checkworthiness"] for s in swapped.sentences]
    for span in doc.spans["persuasion"]:
        assert 0 <= span.start < span.end <= len(text)
        assert span.text == span.text.strip() and span.text  # whole words of the original
