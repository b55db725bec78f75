"""What a new user found in the HTML report: the footer, technique spellings, colours,
dates and ledger figures, table styling, the verdict legend and the claim panel."""

from __future__ import annotations

import re

from claimscope.render import render_html
from claimscope.render._format import (
    actor_colour,
    quantity_tip,
    technique_colour,
    technique_name,
)
from claimscope.render.html import generator_context, report_css
from claimscope.render.ledger import ledger_html

GENERATOR = {
    "name": "claimscope", "version": "0.1.0", "created": "2026-01-01T00:00:00Z",
    "models": {"encoder": "claimscope-sentence-minilm", "heads": ["checkworthiness"],
               "sha256": {"encoder.int8.onnx": "c8bed07a51e1" + "0" * 52},
               "side_blind": True, "span_pass": False,
               "rhetoric": {"name": "claimscope-rhetoric-heads",
                            "sha256": {"rhetoric.onnx": "37aa1e9506dc" + "0" * 52},
                            "span_model": {"name": "claimscope-span-heads", "sha256": {}}}},
    "packages": {"numpy": "2.4.6", "missing": None},
}


def test_footer_lists_models_with_their_files_not_a_dict():
    gen = generator_context(GENERATOR)
    assert [(m["role"], m["name"]) for m in gen["models"]] == [
        ("encoder", "claimscope-sentence-minilm"), ("rhetoric", "claimscope-rhetoric-heads"),
        ("span model", "claimscope-span-heads")]
    assert gen["models"][0]["files"] == [{"file": "encoder.int8.onnx", "sha256": "c8bed07a51e1"}]
    assert gen["models"][2]["files"] == []
    assert gen["settings"] == ["side blind on", "span pass off"]
    html = render_html({"generator": GENERATOR, "articles": []})
    footer = html[html.index("<footer"):html.index("</footer>")]
    assert "{" not in footer and "'" not in footer
    assert "sha256 ," not in footer and not re.search(r"sha256\s*\)", footer)
    assert "encoder.int8.onnx <code>c8bed07a51e1…</code>" in footer
    assert "missing" not in footer


def test_one_spelling_per_technique():
    assert technique_name("Name_Calling,Labeling") == technique_name("Name_Calling-Labeling") \
        == "Name Calling, Labeling"
    assert technique_name("Appeal_to_fear-prejudice") == \
        technique_name("Appeal_to_Fear-Prejudice")
    assert technique_name("Flag-Waving") == technique_name("Flag_Waving") == "Flag Waving"
    assert technique_name("Some_New_Thing") == "Some New Thing"


def test_colours_are_stable_and_palettes_separate():
    assert technique_colour("Loaded_Language") == technique_colour("loaded language")
    assert len({technique_colour(t) for t in (
        "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum",
        "Black-and-White_Fallacy", "Causal_Oversimplification", "Doubt",
        "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language", "Name_Calling,Labeling",
        "Repetition", "Slogans", "Thought-terminating_Cliches",
        "Whataboutism,Straw_Men,Red_Herring")}) == 14
    # an actor's colour depends on its name only, not on the other actors of the report
    one = _article_with_actors(["Hamas"])
    two = _article_with_actors(["Israel", "Egypt", "Hamas"])
    assert _actor_class(render_html(one), "Hamas") == _actor_class(render_html(two), "Hamas") \
        == f"ac{actor_colour('Hamas')}"
    html = render_html(two)
    actor_spans = re.findall(r'<span class="g g\d+ ([^"]+)"', html)
    assert all(c.startswith("ga ac") for c in actor_spans)


def _article_with_actors(names):
    text = " and ".join(names) + " met."
    spans, pos = [], 0
    for n in names:
        start = text.index(n, pos)
        spans.append({"start": start, "end": start + len(n), "label": n})
        pos = start + len(n)
    return {"articles": [{"text": text, "spans": {"actors": spans}}]}


def _actor_class(html, name):
    m = re.search(r'<span class="g g\d+ ga (ac\d+)" title="' + name, html)
    assert m, html
    return m.group(1)


def test_a_date_shows_as_written():
    q = {"text": "Nov 18", "low": 18.0, "high": 18.0, "kind": "date", "bound": "exact"}
    assert quantity_tip(q) == "Nov 18 · date"


def test_ledger_figures_skip_dates_and_a_lone_one():
    article = {"text": "x" * 200, "sentences": [], "ledger": [
        {"actor": "Hamas", "kind": "outcome", "polarity": "achieved", "domain": "military",
         "text": "broke through on 7 October", "attributed_to": "author", "quantities": [
             {"text": "7 October", "low": 7.0, "high": 7.0, "kind": "date"}]},
        {"actor": "Israel", "kind": "outcome", "polarity": "failed", "domain": "military",
         "text": "failed to achieve a single one of its goals", "attributed_to": "official",
         "quantities": [{"text": "one", "low": 1.0, "high": 1.0, "kind": "count"}]},
        {"actor": "Israel", "kind": "outcome", "polarity": "achieved", "domain": "military",
         "text": "killed 1 commander", "attributed_to": "army",
         "quantities": [{"text": "1", "low": 1.0, "high": 1.0, "kind": "count",
                         "counted": "commander"}]}]}
    html = str(ledger_html(article, 1))
    cells = re.findall(r"<td>([^<]*)</td></tr>", html)
    assert sorted(cells) == ["", "", "1 commander"]


def test_tables_are_styled_and_the_verdict_legend_stays():
    css = report_css()
    assert "table.ledger-table" in css and "table.rhetoric-table" in css
    assert ".cs-legend" in css and ".claim-panel" in css
    from claimscope.render.verification import claims_html

    html = str(claims_html({"text": "x", "claims": [{"text": "x", "verdict": "refuted"}]}, 1))
    assert 'class="cs-legend"' in html and "Not enough evidence" in html


def test_claim_marks_open_their_card():
    text = "Some 300 trucks entered Gaza."
    report = {"articles": [{"text": text, "sentences": [], "claims": [
        {"text": text, "span": {"start": 0, "end": len(text)}, "verdict": "refuted",
         "evidence": []}]}]}
    html = render_html(report)
    assert 'data-claim="claim-1-1"' in html and 'id="claim-1-1"' in html
    assert 'class="claim-panel" hidden' in html
