"""Verification: interval comparison of figures, stances, verdicts, outputs, CLI."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from verify_fakes import CoverageRelevance, HashEncoder, KeywordNLI

import claimscope
from claimscope.corpus import CorpusStore, PassageIn, SourceDoc
from claimscope.numcompare import (
    best_comparison,
    comparable,
    compare_quantities,
    day_mentions,
    days_in_force,
    decisive,
    figure_at,
    head_noun,
    interval,
    is_total,
    scope_words,
    whole_war,
)
from claimscope.quantities import extract_quantities
from claimscope.render.claimreview import claimreview_graph
from claimscope.render.verification import claims_html, claims_markdown
from claimscope.report import build_report, schema
from claimscope.stages.verify import aggregate, comparison_sentence, passage_stance

MODELS = ROOT / "claimscope" / "models" / "data"


def q(text: str, i: int = 0) -> dict:
    return extract_quantities(text)[i]


def rel(claim: str, source: str) -> str | None:
    r = compare_quantities(q(claim), q(source))
    return None if r is None else r["relation"]


# ---------------------------------------------------------------- interval comparison


@pytest.mark.parametrize("claim,source,expected", [
    ("some 300 trucks entered", "117 trucks entered", "inconsistent"),
    ("more than 12,000 people were killed", "12,300 people were killed", "consistent"),
    ("more than 12,000 people were killed", "11,078 people were killed", "inconsistent"),
    ("at least 4,900 children", "4,506 children", "inconsistent"),
    ("fewer than 100 trucks", "62 trucks", "consistent"),
    ("fewer than 100 trucks", "117 trucks", "inconsistent"),
    ("between 50 and 100 hostages", "about 80 hostages", "consistent"),
    ("between 50 and 100 hostages", "237 hostages", "inconsistent"),
    ("about 1,200 people", "over 1,200 people", "consistent"),
    ("62 soldiers", "56 soldiers", "inconsistent"),
    ("62 soldiers", "62 soldiers", "consistent"),
    ("roughly 70% of residents", "75%", "consistent"),   # approximate widens by 10%
    ("40% of residents", "70%", "inconsistent"),
])
def test_numbers_interval_relation(claim, source, expected):
    assert rel(claim, source) == expected


def test_numbers_at_least_vs_exact_is_one_sided():
    lo, hi = interval(q("more than 4,000 rockets"))
    assert lo == 4000 and math.isinf(hi)
    lo, hi = interval(q("up to 500 trucks"))
    assert math.isinf(lo) and hi == 500


def test_numbers_round_claims_get_rounding_tolerance():
    assert rel("12,000 people were killed", "12,300 people were killed") == "consistent"
    assert rel("12,000 people were killed", "12,600 people were killed") == "inconsistent"
    assert rel("117 trucks", "118 trucks") == "inconsistent"  # a precise figure is precise


@pytest.mark.parametrize("claim,source", [
    ("300 trucks", "300 tents"),                 # different things counted
    ("5 km", "5 kg"),                            # different units
    ("$5 million", "€5 million"),                # no currency conversion
    ("a rise of 5 percentage points", "5%"),     # pp is not %
    ("300 trucks", "the year 2023"),             # a year is not a count
])
def test_numbers_mismatch_is_not_comparable(claim, source):
    cq = extract_quantities(claim)
    sq = extract_quantities(source)
    assert cq and sq
    assert all(compare_quantities(a, b) is None for a in cq for b in sq)


def test_numbers_counted_nouns_fold():
    assert head_noun("aid trucks") == head_noun("truck") == "truck"
    assert head_noun("persons") == head_noun("people") == "people"
    assert head_noun("Israelis") == "israeli" and head_noun("children") == "child"
    # demonyms are not folded: Palestinians and Israelis are counted apart
    assert comparable(q("1,200 Israelis"), q("1,200 Palestinians")) is None
    assert comparable(q("1,200 individuals"), q("1,200 people")) == "strong"
    assert comparable(q("1,200 killed"), q("1,200 people")) == "weak"


def test_numbers_context_and_containment():
    from claimscope.numcompare import best_comparison as best

    claim = "Israel says about 1,200 people were killed in the attack."
    src = "According to the Israeli authorities, 240 people are held captive in Gaza."
    assert best(extract_quantities(claim), extract_quantities(src), claim_text=claim,
                source_text=src) == []
    src2 = "Over 1,200 people have been killed in Israel."
    (r,) = best(extract_quantities(claim), extract_quantities(src2), claim_text=claim,
                source_text=src2)
    assert r["relation"] == "consistent" and not r["contained"]  # "over" cannot support
    assert compare_quantities(q("more than 12,000 people"), q("12,300 people"))["contained"]


def test_numbers_best_comparison_prefers_a_consistent_figure():
    claim = extract_quantities("some 1,100 trucks entered")
    source = extract_quantities("117 trucks entered on Friday; since 21 October, 1,139 trucks "
                                "entered")
    (best,) = best_comparison(claim, source)
    assert best["relation"] == "consistent" and best["source"].startswith("1,139")


def test_people_held_captive_are_a_count_of_hostages():
    # OCHA Flash Update #25 (2023-10-31) against a post's undated "still held"
    source = ("According to the Israeli authorities, 240 people are held captive in Gaza, "
              "including Israelis and foreign nationals.")
    claim = "240 hostages are still held by Hamas"
    (best,) = best_comparison(extract_quantities(claim), extract_quantities(source),
                              claim_text=claim, source_text=source)
    assert (best["source"], best["strength"], best["relation"]) == \
        ("240 people", "strong", "consistent")
    # a state ("still held") is a running total: any day's matching figure bears it out
    assert best["claim_cumulative"] and best["period"] == "undated"
    assert passage_stance(P_RELATED, [best], relevance=0.9)[0] == "supports"
    # people killed are not hostages
    killed = extract_quantities("240 people were killed in the strikes")
    assert best_comparison(extract_quantities(claim), killed, claim_text=claim,
                           source_text="240 people were killed in the strikes") == []


def test_soldiers_who_fell_in_combat_were_killed():
    # OCHA Flash Update #92 (2024-01-14)
    source = ("Between 12 January and 14 January, two Israeli soldiers were reportedly killed "
              "in Gaza. Since the start of the ground operation, 186 soldiers have been killed, "
              "and 1,113 soldiers have been injured in Gaza, according to the Israeli military.")
    claim = "A total of 186 Israeli soldiers fell in combat in Gaza"
    (best,) = best_comparison(extract_quantities(claim), extract_quantities(source),
                              claim_text=claim, source_text=source)
    assert best["source"] == "186 soldiers" and best["relation"] == "consistent"
    assert decisive(best)


# ---------------------------------------------------------------- stances and verdicts

P_NEUTRAL = {"entailment": 0.05, "neutral": 0.9, "contradiction": 0.05}
P_RELATED = {"entailment": 0.3, "neutral": 0.4, "contradiction": 0.3}
P_ENTAIL = {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05}
P_CONTRA = {"entailment": 0.05, "neutral": 0.1, "contradiction": 0.85}


def test_stance_numbers_decide_only_when_the_passage_speaks_to_the_claim():
    comps = best_comparison(extract_quantities("some 300 trucks entered"),
                            extract_quantities("117 trucks entered"))
    assert passage_stance(P_RELATED, comps, relevance=0.9)[0::2] == ("refutes", "numbers")
    # a passage the relevance model rejects decides nothing, whatever its figures
    stance, _, _, reason = passage_stance(P_RELATED, comps, relevance=0.2)
    assert (stance, reason) == ("neutral", "off_topic")


def test_figures_that_disagree_never_support_and_a_figure_claim_is_never_decided_by_nli():
    claim = extract_quantities("more than 12,000 Palestinians had been killed")
    older = extract_quantities("Overall, 7,028 Palestinians were killed in Gaza")
    comps = best_comparison(claim, older)
    assert comps and comps[0]["relation"] == "inconsistent"
    # the NLI entails, but the figures disagree: they refute, and never support
    assert passage_stance(P_ENTAIL, comps)[0] == "refutes"
    assert passage_stance(P_ENTAIL, comps, stale=True)[0] == "neutral"
    # a claim with figures and a passage with none: the NLI alone does not decide it
    stance, _, basis, reason = passage_stance(P_ENTAIL, [], has_figures=True)
    assert (stance, basis, reason) == ("neutral", "numbers", "no_figure")


def test_days_named_in_a_text():
    import datetime as dt

    sat = dt.date(2023, 11, 18)
    assert day_mentions("on Wednesday, some 23,000 litres", sat) == {(11, 15)}
    assert day_mentions("on Wednesday", None) == set()  # a weekday needs the text's date
    assert day_mentions("On 18 November and Nov. 19th; since 7 October") == {
        (11, 18), (11, 19), (10, 7)}
    assert day_mentions("Aid may 3 times a week reach May 3 camps") == {(5, 3)}
    # the day a period starts from is not the day a figure is of
    assert day_mentions("50 hostages held since the Hamas attacks of October 7 have been "
                        "released", period_starts=False) == set()
    assert day_mentions("since 7 October; on 24 November", period_starts=False) == {(11, 24)}
    text = "On 18 November, 123,000 litres entered. Officials expect 70,000 litres a day."
    at = text.index("70,000")
    assert days_in_force(text, at, at + 6) == {(11, 18)}  # the date carries forward


def test_figures_of_another_day_neither_refute_nor_let_the_nli_support():
    import datetime as dt

    sat = dt.date(2023, 11, 18)
    claim_text = "Israel allowed a first delivery of fuel on Wednesday, some 23,000 litres."
    claim = extract_quantities(claim_text)
    other = "On 18 November, 123,000 litres of fuel entered Gaza from Egypt."
    same = "On 15 November, some 23,000 litres of fuel entered Gaza from Egypt."
    kw = {"claim_text": claim_text, "claim_ref": sat}
    (c_other,) = best_comparison(claim, extract_quantities(other), source_text=other, **kw)
    assert c_other["other_day"] and c_other["relation"] == "inconsistent"
    assert passage_stance(P_RELATED, [c_other])[0] == "neutral"  # not refuted by 18 Nov
    assert passage_stance(P_ENTAIL, [c_other])[0] == "neutral"  # and no NLI support either
    (c_same,) = best_comparison(claim, extract_quantities(same), source_text=same, **kw)
    assert not c_same["other_day"]
    assert passage_stance(P_RELATED, [c_same])[0] == "supports"
    # a source that names no day is about its report's date: no date, no refutation
    undated = "Some 123,000 litres of fuel entered Gaza."
    (c_undated,) = best_comparison(claim, extract_quantities(undated), source_text=undated, **kw)
    assert not c_undated["other_day"] and c_undated["period"] == "unknown"
    assert passage_stance(P_RELATED, [c_undated])[0] == "neutral"
    (c_dated,) = best_comparison(claim, extract_quantities(undated), source_text=undated,
                                 source_ref=dt.date(2023, 11, 15), **kw)
    assert c_dated["period"] == "same" and passage_stance(P_RELATED, [c_dated])[0] == "refutes"


def test_the_whole_of_a_part_of_whole_figure_does_not_decide_a_claim():
    import datetime as dt

    for text, figure in [("26 of 36 hospitals", "36"), ("26 of Gaza's 36 hospitals", "36"),
                         ("nine out of the 35 hospitals", "35"), ("(25 out of 36) were", "36"),
                         ("1,200 of the 5,000 homes", "5,000")]:
        assert is_total(text, text.index(figure)), text
    for text, figure in [("36 hospitals", "36"), ("in 2023 of 300 trucks", "300"),
                         ("members of the 300 units", "300"), ("26 of 36 hospitals", "26")]:
        assert not is_total(text, text.index(figure)), text
    claim_text = "The WHO said 26 of Gaza's 36 hospitals had stopped functioning."
    source = "Nine out of the 35 hospitals in Gaza are partially functioning."
    comps = best_comparison(extract_quantities(claim_text), extract_quantities(source),
                            claim_text=claim_text, source_text=source)
    # 26 of 36 against nine of 35: the wholes of two breakdowns decide nothing
    assert all(not decisive(r) for r in comps)
    c = comps[-1]
    assert c["total"] and c["relation"] == "inconsistent"  # 36 vs 35 hospitals in all
    assert passage_stance(P_RELATED, comps)[0] == "neutral"  # ... is not a refutation
    assert passage_stance(P_ENTAIL, comps)[0] == "neutral"   # and the NLI cannot support
    line = comparison_sentence({"text": claim_text}, {"passage": source, "comparisons": [c]})
    assert "36 hospitals" in line and "35 hospitals" in line and "not decisive" in line
    plain = "35 hospitals are in the north."
    (d,) = best_comparison(extract_quantities("36 hospitals are in the north."),
                           extract_quantities(plain), claim_text="36 hospitals are in the north.",
                           source_text=plain, claim_ref=dt.date(2023, 11, 18),
                           source_ref=dt.date(2023, 11, 18))
    assert not d["total"] and passage_stance(P_RELATED, [d])[0] == "refutes"


def test_a_figure_placed_where_the_source_figure_is_not_decides_nothing():
    def scope(text, figure):
        return scope_words(text, text.index(figure) + len(figure))

    assert scope("delivered about 300 litres of fuel to the hospital, but", "300 litres") == {"hosp"}
    assert scope("12,000 tonnes of aid to the north", "12,000 tonnes") == {"nort"}
    assert scope("some 300 trucks entered Gaza on Tuesday", "300 trucks") == set()  # a name
    assert scope("at least 20 trucks for the first time", "20 trucks") == set()
    assert scope("300 litres, and the rest went to the hospital", "300 litres") == set()  # clause
    claim_text = "The army said it delivered about 300 litres of fuel to the hospital."
    elsewhere = ("On 15 November, some 23,000 litres of fuel entered Gaza from Egypt. "
                 "Hospitals are running out of fuel.")
    (c,) = best_comparison(extract_quantities(claim_text), extract_quantities(elsewhere),
                           claim_text=claim_text, source_text=elsewhere)
    assert c["other_scope"] and c["relation"] == "inconsistent"
    assert passage_stance(P_RELATED, [c])[0] == "neutral"  # not refuted by the Gaza total
    there = "The army delivered 2,000 litres of fuel to Shifa hospital on Sunday."
    import datetime as dt

    day = dt.date(2023, 11, 19)
    (d,) = best_comparison(extract_quantities(claim_text), extract_quantities(there),
                           claim_text=claim_text, source_text=there, claim_ref=day,
                           source_ref=day)
    assert not d["other_scope"] and passage_stance(P_RELATED, [d])[0] == "refutes"


def test_one_sides_toll_does_not_bear_out_a_whole_wars_toll():
    # a FIGNEWS post (development gold) against UN OCHA oPt, Flash Update #23 (29 October)
    source = ("In Israel, according to the Israeli authorities, there were no new "
              "fatalities reported. Overall, about 1,400 Israelis and foreign nationals "
              "have been killed, the vast majority on 7 October.")
    for text in ("1400 people have died so far in the Israel-Hamas war",
                 "More than 1,400 people have been killed since the start of the conflict"):
        assert whole_war(text, text.index("people") + len("people"))
        comps = best_comparison(extract_quantities(text), extract_quantities(source),
                                claim_text=text, source_text=source)
        loose = [r for r in comps if r["strength"] == "loose"]
        assert loose and all(r["other_scope"] and not decisive(r) for r in loose), comps
        assert passage_stance(P_RELATED, comps)[0] == "neutral"
    # the toll of one attack, or of the war in a named place, may still be that figure
    for text in ("1,400 people were killed in the Hamas attack of 7 October",
                 "About 1,400 people have been killed in the war in Israel"):
        assert not whole_war(text, text.index("people") + len("people")), text
        comps = best_comparison(extract_quantities(text), extract_quantities(source),
                                claim_text=text, source_text=source)
        assert any(r["strength"] == "loose" and not r["other_scope"] for r in comps), comps


def test_a_repeated_figure_is_read_where_it_stands():
    # the same figure text twice in one claim: each copy keeps its own clause, and the
    # offsets of a claim cut from a document (claim_offset) say which copy is which
    claim_text = "It sent 300 litres of fuel to Gaza and 300 litres of fuel to the hospital."
    doc_text = "Aid update. " + claim_text
    qs = extract_quantities(doc_text)
    assert [q["text"] for q in qs] == ["300 litres", "300 litres"]
    second = claim_text.rindex("300 litres")
    assert [figure_at(claim_text, q, len("Aid update. ")) for q in qs] == [8, second]
    source = "On 15 November, 2,000 litres of fuel entered Gaza from Egypt."
    first, second = best_comparison(qs, extract_quantities(source), claim_text=claim_text,
                                    source_text=source, claim_offset=len("Aid update. "))
    assert not first["other_scope"] and second["other_scope"]
    # a quantity whose offsets do not point at its text falls back to the first copy
    assert figure_at(claim_text, dict(qs[1], start=0)) == 8


def test_stance_from_nli_without_numbers():
    assert passage_stance(P_ENTAIL, [])[0] == "supports"
    # the NLI alone never refutes unless asked to (two events look like a contradiction)
    assert passage_stance(P_CONTRA, [])[0::3] == ("neutral", "nli_uncertain")
    assert passage_stance(P_CONTRA, [], nli_refutes=True,
                          thresholds={"contradiction": 0.8})[0] == "refutes"
    assert passage_stance(P_RELATED, [])[0] == "neutral"
    assert passage_stance(P_ENTAIL, [], relevance=0.1)[0::3] == ("neutral", "off_topic")


def _ev(stance, conf, probs=P_RELATED):
    return {"stance": stance, "confidence": conf, "probs": probs}


def test_verdict_aggregation():
    assert aggregate([]) == ("not_enough_evidence", 1.0)
    assert aggregate([_ev("neutral", 0.9, P_NEUTRAL)])[0] == "not_enough_evidence"
    assert aggregate([_ev("supports", 0.8), _ev("neutral", 0.9)]) == ("supported", 0.8)
    assert aggregate([_ev("refutes", 0.7)]) == ("refuted", 0.7)
    assert aggregate([_ev("supports", 0.8), _ev("refutes", 0.6)]) == ("conflicting", 0.6)
    assert aggregate([_ev("supports", 0.3)])[0] == "not_enough_evidence"


def test_comparison_sentence_reads_like_a_citation():
    claim = {"text": "Some 300 trucks entered Gaza on Saturday."}
    ev = {"passage": "On 18 November, 117 trucks entered Gaza via Rafah.",
          "source": "OCHA Flash Update #43", "date": "2023-11-18",
          "comparisons": best_comparison(extract_quantities(claim["text"]),
                                         extract_quantities("117 trucks entered Gaza"))}
    ev["comparisons"][0]["source"] = "117 trucks"
    s = comparison_sentence(claim, ev)
    assert s.startswith("claim: Some 300 trucks entered Gaza on Saturday")
    assert "source: November, 117 trucks entered Gaza via Rafah" in s or \
        "117 trucks entered Gaza via Rafah" in s
    assert s.endswith("(OCHA Flash Update #43, 2023-11-18)")


# ---------------------------------------------------------------- the stages end to end


@pytest.fixture()
def tiny_db(tmp_path):
    path = tmp_path / "tiny.db"
    docs = [
        SourceDoc("OCHA Flash Update #43", [PassageIn(t, 0, len(t)) for t in [
            "On 18 November, 117 trucks entered Gaza through the Rafah crossing.",
            "Hospital officials denied that the hospital was used for military purposes.",
        ]], url="https://example.org/43", date="2023-11-18", publisher="OCHA"),
        SourceDoc("OCHA Flash Update #60", [PassageIn(t, 0, len(t)) for t in [
            "On 10 December, 200 trucks entered Gaza through the Rafah crossing.",
        ]], url="javascript:alert(1)", date="2023-12-10", publisher="OCHA"),
    ]
    with CorpusStore(path, create=True, encoder=HashEncoder()) as s:
        s.add(docs)
    return path


def _pipeline(db, **retrieve):
    return claimscope.load(
        ["segment", "test_checkworthy", "quantities"],
        config={"retrieve": {"db": str(db), "encoder": HashEncoder(), **retrieve},
                "verify": {"nli": KeywordNLI(), "relevance": CoverageRelevance()}})


TEXT = ("Some 300 trucks entered Gaza through the Rafah crossing on 18 November. "
        "The weather was mild and pleasant that evening.")


def test_verify_load_adds_stages_only_with_a_corpus(tiny_db):
    assert "retrieve" not in claimscope.load(["segment"]).stage_names
    nlp = _pipeline(tiny_db)
    assert nlp.stage_names[-2:] == ["retrieve", "verify"]
    nlp = claimscope.load(["segment", "test_checkworthy", "quantities"], corpus=str(tiny_db),
                          config={"verify": {"nli": KeywordNLI()}})
    assert nlp.stage_names[-2:] == ["retrieve", "verify"]


def test_verify_numeric_claim_is_refuted_with_comparison(tiny_db):
    doc = _pipeline(tiny_db, after="exclude")(TEXT, published="2023-11-19")
    claims = doc.fields["claims"]
    trucks = claims[0]
    assert trucks["verdict"] == "refuted"
    assert trucks["quantities"][0]["low"] == 300
    top = trucks["evidence"][0]
    assert top["stance"] == "refutes" and top["basis"] == "numbers"
    assert top["source"] == "OCHA Flash Update #43" and top["date"] == "2023-11-18"
    assert "117 trucks" in trucks["comparison"] and "300 trucks" in trucks["comparison"]
    # the December passage is after the article: excluded
    assert all(ev["date"] <= "2023-11-19" for c in claims for ev in c["evidence"])
    assert doc.text[trucks["span"]["start"]:trucks["span"]["end"]] == trucks["text"]


def test_verify_unrelated_claim_is_not_enough_evidence(tiny_db):
    doc = _pipeline(tiny_db)(TEXT)
    weather = doc.fields["claims"][1]
    assert weather["text"].startswith("The weather")
    assert weather["verdict"] == "not_enough_evidence"


def test_verify_empty_corpus_gives_not_enough_evidence_and_a_warning(tmp_path):
    db = tmp_path / "empty.db"
    CorpusStore(db, create=True, encoder=HashEncoder()).count()
    doc = _pipeline(db)(TEXT)
    assert {c["verdict"] for c in doc.fields["claims"]} == {"not_enough_evidence"}
    assert all(c["evidence"] == [] for c in doc.fields["claims"])
    assert any(w["code"] == "W300" for w in doc.warnings)


def test_verify_report_schema_audit_and_renderers(tiny_db):
    nlp = _pipeline(tiny_db)
    doc = nlp(TEXT)
    report = build_report([doc], pipeline=nlp)
    jsonschema.validate(report, schema())
    corpus = report["generator"]["corpus"]
    assert corpus["db"] == "tiny.db" and corpus["passages"] == 3
    assert len(corpus["content_sha256"]) == 64 and corpus["nli_sha256"] == "0" * 64
    art = report["articles"][0]
    html = str(claims_html(art, 1))
    assert "Refuted" in html and "<details>" in html
    assert 'href="https://example.org/43" rel="noopener noreferrer nofollow"' in html
    assert "javascript:" not in html
    md = claims_markdown(art)
    assert "**Refuted**" in md and "OCHA Flash Update \\#43" in md


def test_verify_claimreview_jsonld(tiny_db):
    nlp = _pipeline(tiny_db)
    doc = nlp(TEXT, url="https://news.example/a", title="Aid", published="2023-11-20")
    graph = claimreview_graph(build_report([doc], pipeline=nlp))
    assert graph["@context"] == "https://schema.org"
    reviews = graph["@graph"]
    assert len(reviews) == len(doc.fields["claims"])
    for r in reviews:
        assert r["@type"] == "ClaimReview" and r["claimReviewed"]
        assert r["itemReviewed"]["@type"] == "Claim"
        assert r["itemReviewed"]["appearance"]["url"] == "https://news.example/a"
        assert r["reviewRating"]["@type"] == "Rating" and r["reviewRating"]["alternateName"]
        if "ratingValue" in r["reviewRating"]:
            assert 1 <= r["reviewRating"]["ratingValue"] <= 5
        for c in r.get("citation", []):
            assert c.get("url", "https://").startswith("http")
    refuted = [r for r in reviews if r["reviewRating"]["alternateName"] == "Refuted"]
    assert refuted and refuted[0]["citation"][0]["url"] == "https://example.org/43"


def test_verification_html_escapes_everything():
    article = {"claims": [{
        "text": "<script>alert(1)</script>", "verdict": "<b>", "confidence": 0.5,
        "comparison": "<img src=x onerror=alert(1)>",
        "evidence": [{"passage": "</blockquote><script>x</script>", "source": "<i>s</i>",
                      "url": "javascript:alert(1)", "date": "<d>", "stance": "<x>"}]}]}
    html = str(claims_html(article, 1))
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    # the only links are the page's own anchors between a claim and its sentence
    assert "javascript:" not in html
    assert all(h.startswith('"#') for h in html.split("href=")[1:])
    assert "Not enough evidence" in html  # an unknown verdict is shown as no evidence
    assert claims_html({}, 1) == ""
    md = claims_markdown(article)
    assert "<script>" not in md


# ---------------------------------------------------------------- the CLI with real models

needs_models = pytest.mark.skipif(
    not ((MODELS / "manifest.json").is_file() and (MODELS / "nli.json").is_file()),
    reason="shipped encoder or NLI model not built yet")


@pytest.mark.slow
@needs_models
def test_cli_analyze_with_corpus_end_to_end(tmp_path):
    from claimscope.cli import main

    db = tmp_path / "demo.db"
    runner = CliRunner()
    res = runner.invoke(main, ["corpus", "add", str(ROOT / "examples" / "corpus"),
                               "--db", str(db)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    res = runner.invoke(main, ["analyze", str(SAMPLE), "--corpus", str(db), "--as-of",
                               "2023-11-18", "-o", str(out), "--format",
                               "json,claimreview", "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, schema())
    claims = report["articles"][0]["claims"]
    assert len(claims) >= 10
    assert {c["verdict"] for c in claims} <= {"supported", "refuted", "not_enough_evidence",
                                              "conflicting"}
    assert report["generator"]["corpus"]["passages"] >= 30
    assert len(report["generator"]["corpus"]["nli_sha256"]) == 64
    graph = json.loads((out / "report.claimreview.jsonld").read_text())
    assert len(graph["@graph"]) == len(claims)
    res = runner.invoke(main, ["analyze", str(SAMPLE), "--corpus", str(tmp_path / "x.db"),
                               "-o", str(out)])
    assert res.exit_code == 2


def test_ocha_gold_set_is_well_formed():
    """benchmarks/ocha_claims_gold.jsonl: >= 40 claims whose passage ids exist in OCHA."""
    from conftest import shared

    folder = shared("ocha-opt-flash-updates-2023-2024")
    ids = {json.loads(line)["passage_id"]
           for line in (folder / "flash_updates_passages.jsonl").open(encoding="utf-8")}
    rows = [json.loads(x) for x in (ROOT / "benchmarks" / "ocha_claims_gold.jsonl")
            .read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 40
    assert {r["label"] for r in rows} == {"supported", "refuted", "not_enough_evidence"}
    for r in rows:
        assert all(pid in ids for pid in r["passage_ids"]), r["id"]
        assert bool(r["passage_ids"]) == (r["label"] != "not_enough_evidence")
