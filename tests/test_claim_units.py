"""Claim units: what of a sentence is checked, and what is not sent to verification."""

from __future__ import annotations

import pytest
import verify_fakes  # noqa: F401  (registers the test_checkworthy stage)

import claimscope
from claimscope.claim_units import skip_reason
from claimscope.dates import article_date, explicit_dates, period_starts, url_date

STAGES = ["segment", "language", "quantities", "actors", "claim_units"]


@pytest.fixture(scope="module")
def nlp():
    # every sentence counts as check-worthy here: the units are what is tested
    return claimscope.load(STAGES[:1] + ["test_checkworthy"] + STAGES[1:],
                           config={"claim_units": {"keep_skipped": True}})


def units(nlp, text, **meta):
    doc = nlp(text, **meta)
    return doc, doc.fields["claims"]


def test_a_figure_in_a_long_sentence_is_its_own_unit(nlp):
    text = ("Clashes between the army and armed groups continued for a week in the north, "
            "during which around 240 civilians were killed, the ministry said.")
    _, (unit,) = units(nlp, text)
    assert unit["text"] == "around 240 civilians were killed"
    assert unit["attributed_to"] == "the ministry"
    assert [q["text"] for q in unit["quantities"]] == ["around 240 civilians"]
    assert text[unit["span"]["start"]:unit["span"]["end"]] == unit["text"]


def test_a_contrast_joins_two_claims_and_the_figure_keeps_its_own(nlp):
    text = ("Comments strongly denounced by the #United States and the #EU, while 85% of "
            "Gazans have had to leave their homes.")
    _, (unit,) = units(nlp, text)
    assert unit["text"] == "85% of Gazans have had to leave their homes"


def test_an_arrow_or_emoji_in_a_post_ends_the_claim_like_a_full_stop(nlp):
    _, (unit,) = units(nlp, "Explosion in Gaza hospital, 500 people died in the blast \u25b6\ufe0f "
                            "Israel Embassy says the rocket was fired by Islamic Jihad")
    assert unit["text"] == "Explosion in Gaza hospital, 500 people died in the blast"
    _, (unit,) = units(nlp, "Comments denounced by the #United States \U0001F1FA\U0001F1F8 and "
                            "the #EU, while 85% of Gazans have had to leave their homes.")
    assert unit["text"] == "85% of Gazans have had to leave their homes"


def test_a_second_clause_after_a_comma_and_is_not_part_of_the_figures_claim(nlp):
    # the parser hangs "tongues are starting" on the figure's clause; both have a verb
    _, (unit,) = units(nlp, "50 Israeli hostages held in Gaza since the Hamas attacks of "
                            "October 7 have been released, and tongues are starting to "
                            "loosen")
    assert unit["text"] == ("50 Israeli hostages held in Gaza since the Hamas attacks of "
                            "October 7 have been released")


def test_a_sentence_without_figures_is_taken_apart_into_its_claims(nlp):
    # a contrast or temporal clause with its own subject states a claim of its own
    text = ("US President Joe Biden asked Israel on Wednesday to respect the laws of war in "
            "its response to the attack launched by Hamas from the Gaza Strip, while the "
            "Israeli bombing of the Gaza Strip continues for the fifth day in a row.")
    _, found = units(nlp, text)
    assert [u["text"] for u in found] == [
        "US President Joe Biden asked Israel on Wednesday to respect the laws of war in its "
        "response to the attack launched by Hamas from the Gaza Strip",
        "the Israeli bombing of the Gaza Strip continues for the fifth day in a row"]
    assert all(text[u["span"]["start"]:u["span"]["end"]] == u["text"] for u in found)
    # the plan is a prediction and is not checked; the accusation it follows is
    _, found = units(nlp, "Israel will seek to stop the UN agency for Palestinian refugees "
                          "from operating in Gaza after the war, its foreign minister said, "
                          "after Israel accused several UNRWA staff of involvement in "
                          "Hamas's October 7 attack.")
    plan, accusation = found
    assert plan["skipped"] == "prediction"
    assert plan["attributed_to"] == "its foreign minister"
    assert "said" not in plan["text"]
    assert accusation["text"] == ("Israel accused several UNRWA staff of involvement in "
                                  "Hamas's October 7 attack")
    assert not accusation.get("skipped")


def test_three_coordinate_clauses_are_three_claims(nlp):
    _, found = units(nlp, "The army struck the camp, and the militants fired rockets at the "
                          "town, and the ministry closed the crossing.")
    assert [u["text"] for u in found] == ["The army struck the camp",
                                          "the militants fired rockets at the town",
                                          "the ministry closed the crossing"]


def test_two_reports_in_one_sentence_keep_their_own_speakers(nlp):
    _, found = units(nlp, "The army said it struck the tunnels, and the militants said they "
                          "shot down a drone, and the UN condemned both sides.")
    assert [(u["text"], u["attributed_to"]) for u in found] == [
        ("it struck the tunnels", "The army"), ("they shot down a drone", "the militants")]


def test_each_side_of_a_contrast_keeps_its_own_attribution(nlp):
    _, found = units(nlp, "UN agencies have said the ministry's casualty counts in earlier "
                          "conflicts broadly matched their own later tallies, while Israeli "
                          "officials say the numbers do not distinguish between civilians "
                          "and fighters.")
    assert [(u["text"], u["attributed_to"]) for u in found] == [
        ("the ministry's casualty counts in earlier conflicts broadly matched their own "
         "later tallies", "UN agencies"),
        ("the numbers do not distinguish between civilians and fighters", "Israeli officials")]
    _, found = units(nlp, "Diplomats in Cairo said Arab foreign ministers were pressing "
                          "Washington to back a ceasefire, while Israel's government has "
                          "said a ceasefire now would only allow Hamas to regroup.")
    assert [(u["attributed_to"], u.get("skipped")) for u in found] == [
        ("Diplomats in Cairo", None), ("Israel's government", "prediction")]


@pytest.mark.parametrize("text", [
    # a condition or an alternative is not a claim of its own
    "Israel would stop the strikes if Hamas released the hostages held in Gaza.",
    "Either the army withdrew from the camp or the fighting moved further north.",
    # a clause in the middle of its sentence would leave a unit that is not one stretch
    "The army, after the fighters left the camp, destroyed the tunnels under the hospital.",
])
def test_clauses_that_stay_in_their_sentence(nlp, text):
    _, found = units(nlp, text)
    assert len(found) == 1, found


def test_us_in_capitals_is_a_country_not_an_unresolved_pronoun(nlp):
    _, (unit,) = units(nlp, "Hamas Releases Two US Hostages")
    assert not unit.get("skipped")
    assert [q["counted"] for q in unit["quantities"]] == ["US Hostages"]
    _, (unit,) = units(nlp, "They told us 300 people were killed.")
    assert unit["skipped"] == "unresolved"


def test_a_pronoun_outside_the_claim_proper_leaves_it_checkable(nlp):
    # in a relative clause that does not hold the figure, or in the words of a link
    _, (unit,) = units(nlp, "239 girls and boys were kidnapped from families that had paid "
                            "her salary for many years.")
    assert not unit.get("skipped")
    _, (unit,) = units(nlp, "50 hostages have been released, see lepoint.fr/monde/ "
                            "we-were-hungry-the-hostages-recount")
    assert not unit.get("skipped")
    _, (unit,) = units(nlp, "Her brother said 300 people were killed.")
    assert unit["skipped"] == "unresolved"


def test_attribution_is_kept_aside(nlp):
    _, (unit,) = units(nlp, "According to the Ministry of Health, 11,180 Palestinians have "
                            "been killed since 7 October.")
    assert unit["text"] == "11,180 Palestinians have been killed since 7 October"
    assert unit["attributed_to"] == "the Ministry of Health"


def test_a_pronoun_subject_is_resolved_to_the_actor_named_before(nlp):
    _, (unit,) = units(nlp, "Hamas said it had freed two Israeli women on Friday.")
    assert unit["text"].startswith("it had freed")
    assert unit["resolved"]["to"] == "Hamas"
    assert unit["query"].startswith("Hamas had freed two Israeli women")


def test_he_or_she_is_resolved_only_to_a_person(nlp):
    _, found = units(nlp, "Hamas gunmen stormed the kibbutz at dawn. A local photographer "
                          "documented the attack on the houses before he was shot.")
    shot = next(u for u in found if u["text"] == "he was shot")
    assert shot["skipped"] == "unresolved" and "resolved" not in shot
    # the speaker is the one "he" stands for, even when the gazetteer does not know him
    doc = nlp("Trump fired his secretary of state on Tuesday. Tillerson said he received a "
              "call from Trump around noon.")
    (unit,) = [u for u in doc.fields["claims"] if "call" in u["text"]]
    assert unit["skipped"] == "unresolved" and "resolved" not in unit
    _, (unit,) = units(nlp, "Guterres said he had invoked Article 99 of the UN Charter.")
    assert unit["resolved"]["to"] == "Guterres"
    assert unit["resolved"]["actor"] == "United Nations"


@pytest.mark.parametrize("text,reason", [
    ("Is this a war crime?", "question"),
    ("Hamas has achieved the following:", "list_intro"),
    ("Israel will allow 2 fuel trucks into Gaza every day.", "prediction"),
    ("The strike killed 40 people in his village.", "unresolved"),
])
def test_what_is_not_sent_to_verification(nlp, text, reason):
    _, found = units(nlp, text)
    assert found and all(u.get("skipped") == reason for u in found), found


def test_skipped_units_stay_out_of_the_report_by_default():
    nlp = claimscope.load(["segment", "test_checkworthy", "language", "quantities",
                           "claim_units"])
    doc = nlp("Is this a war crime? Israel will allow 2 fuel trucks into Gaza every day.")
    assert doc.fields["claims"] == []


def test_opinion_without_a_figure_is_not_checked():
    assert skip_reason("This is a barbaric and cowardly act of terror.",
                       subjectivity=0.9) == "opinion"
    assert skip_reason("Israel killed 400 people in a barbaric act.", subjectivity=0.9,
                       has_figure=True) is None


def test_killed_or_wounded_stays_one_claim(nlp):
    _, (unit,) = units(nlp, "Four hundred Palestinians were killed or wounded in a bombing "
                            "that targeted the Jabalia refugee camp.")
    assert "killed or wounded" in unit["text"]


def test_durations_are_not_figures_to_check(nlp):
    _, found = units(nlp, "Bombardment and airstrikes continued over the past 24 hours.")
    assert all(not u["quantities"] for u in found)


def test_the_claims_date_and_where_it_comes_from(nlp):
    text = "GAZA, Nov 18, 2023 (Wire) - Some 300 trucks entered Gaza on Saturday."
    doc, _ = units(nlp, text)
    assert doc.fields["claims_date"] == {"date": "2023-11-18", "basis": "dateline"}
    doc, _ = units(nlp, text, published="2023-11-19")
    assert doc.fields["claims_date"] == {"date": "2023-11-19", "basis": "metadata"}
    doc, _ = units(nlp, "Some 300 trucks entered Gaza.")
    assert doc.fields["claims_date"] == {"date": None, "basis": None}


def test_dates_read_from_links_and_text():
    assert str(url_date("https://www.aljazeera.com/news/liveblog/2023/12/4/israel-gaza")) == \
        "2023-12-04"
    assert str(url_date("http://french.xinhuanet.com/20231122/f7d9df6f/c.html")) == "2023-11-22"
    assert url_date("https://example.org/no-date") is None
    # a period's start is not the date of writing
    assert article_date(text="Killed since October 7, 2023; the toll rose on "
                             "18 November 2023.") == (
        __import__("datetime").date(2023, 11, 18), "text")
    assert explicit_dates("no date here") == []


def test_the_phrase_that_starts_a_period():
    text = "50 hostages held since the Hamas attacks of October 7 have been released"
    assert [text[a:b] for a, b in period_starts(text)] == [
        "since the Hamas attacks of October 7"]
    text = "Since 7 October, 4,385 Palestinians have been killed; on 21 October, 20 trucks"
    assert [text[a:b] for a, b in period_starts(text)] == ["Since 7 October"]
