"""claimscope.quantities: number extraction and normalisation, table-driven.

Each row is a sentence, the expression expected in it, and the fields that
expression must carry. The sentences are separate from the benchmark's gold
set (benchmarks/quantity_gold.jsonl).
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from claimscope.quantities import BOUNDS, KEYS, KINDS, extract_quantities

# (sentence, expression text, expected fields); fields left out are not checked.
CASES: list[tuple[str, str, dict]] = [
    # counts, bounds and the counted noun
    ("Hamas fired more than 4,000 rockets at Israel on the first day.",
     "more than 4,000 rockets",
     dict(low=4000, high=None, bound="at_least", approximate=False, counted="rockets",
          kind="count", unit=None)),
    ("Around 240 Israeli captives were taken into Gaza.", "Around 240 Israeli captives",
     dict(low=240, high=240, bound="exact", approximate=True, counted="Israeli captives",
          kind="count")),
    ("Five Palestinian children were killed in the strike on Jabalia, medics said.",
     "Five Palestinian children",
     dict(low=5, high=5, bound="exact", counted="Palestinian children", kind="count")),
    ("The health ministry said 12,945 people had been killed.", "12,945 people",
     dict(low=12945, high=12945, counted="people", kind="count")),
    ("Israel mobilised some 300,000 reservists within 48 hours.", "some 300,000 reservists",
     dict(low=300000, high=300000, approximate=True, bound="exact", counted="reservists")),
    ("The 2,000-plus fighters of the regiment surrendered at the steelworks.",
     "2,000-plus fighters",
     dict(low=2000, high=None, bound="at_least", counted="fighters")),
    ("Upwards of 1,000 demonstrators gathered outside the Knesset.",
     "Upwards of 1,000 demonstrators",
     dict(low=1000, high=None, bound="at_least", counted="demonstrators")),
    ("As many as 12 journalists were detained, the union said.", "As many as 12 journalists",
     dict(low=None, high=12, bound="at_most", counted="journalists")),
    ("Fewer than 100 aid trucks crossed in October.", "Fewer than 100 aid trucks",
     dict(low=None, high=100, bound="at_most", counted="aid trucks")),
    ("Up to 50,000 people could be trapped in the city.", "Up to 50,000 people",
     dict(low=None, high=50000, bound="at_most", counted="people")),
    ("No more than 20 patients remain at al-Shifa.", "No more than 20 patients",
     dict(low=None, high=20, bound="at_most", counted="patients")),
    ("At most 15 rescue teams are operating in the north.", "At most 15 rescue teams",
     dict(low=None, high=15, bound="at_most", counted="rescue teams")),
    ("Well over 500 buildings were flattened in the offensive.",
     "Well over 500 buildings",
     dict(low=500, high=None, bound="at_least", approximate=False, counted="buildings")),
    ("Israel says it struck over 150 targets overnight.", "over 150 targets",
     dict(low=150, high=None, bound="at_least", counted="targets")),
    ("Ten or more children were among the casualties.", "Ten or more children",
     dict(low=10, high=None, bound="at_least", counted="children")),
    ("Twenty trucks or so reached Rafah before the crossing shut.", "Twenty trucks or so",
     dict(low=20, high=20, approximate=True, bound="exact", counted="trucks")),
    ("An estimated 1.9 million Gazans have been displaced.",
     "An estimated 1.9 million Gazans",
     dict(low=1.9e6, high=1.9e6, approximate=True, counted="Gazans", kind="count")),
    ("At least 20 were killed when the building collapsed.", "At least 20",
     dict(low=20, high=None, bound="at_least", counted=None, kind="count")),
    ("The attack left 8,000 dead and 30 missing.", "8,000 dead",
     dict(low=8000, counted="dead", kind="count")),
    ("One Israeli soldier was killed and four were wounded.", "One Israeli soldier",
     dict(low=1, high=1, counted="Israeli soldier", kind="count")),
    ("Germany delivered 18 Leopard tanks to the brigade.", "18 Leopard tanks",
     dict(low=18, counted="Leopard tanks")),
    ("Israel approved 1,000 new settlement homes in the West Bank.",
     "1,000 new settlement homes",
     dict(low=1000, counted="settlement homes")),
    ("A 5,000-strong force was sent to the border town.", "5,000-strong force",
     dict(low=5000, counted="force", kind="count")),
    # number words
    ("Twenty-five soldiers were wounded in the ambush near Bakhmut.",
     "Twenty-five soldiers", dict(low=25, high=25, counted="soldiers", kind="count")),
    ("A dozen trucks entered through Kerem Shalom on Sunday.", "A dozen trucks",
     dict(low=12, high=12, bound="exact", approximate=False, counted="trucks")),
    ("Militants took more than a hundred hostages from the kibbutz.",
     "more than a hundred hostages",
     dict(low=100, high=None, bound="at_least", counted="hostages")),
    ("Half a million people have fled the north of the enclave.", "Half a million people",
     dict(low=500000, high=500000, counted="people")),
    ("The ministry counted one hundred and twenty-five bodies.",
     "one hundred and twenty-five bodies", dict(low=125, counted="bodies")),
    ("Two dozen drones were shot down over Kyiv.", "Two dozen drones",
     dict(low=24, high=24, counted="drones")),
    # vague magnitudes
    ("Hundreds of civilians sheltered in the hospital compound.", "Hundreds of civilians",
     dict(low=200, high=999, bound="range", approximate=True, counted="civilians")),
    ("Tens of thousands of Ukrainians have been deported, Kyiv says.",
     "Tens of thousands of Ukrainians",
     dict(low=20000, high=99999, bound="range", approximate=True, counted="Ukrainians")),
    ("Thousands of Sudanese crossed into Chad in a single week.", "Thousands of Sudanese",
     dict(low=2000, high=9999, counted="Sudanese", kind="count")),
    ("Dozens of Hezbollah fighters were killed in the strikes.",
     "Dozens of Hezbollah fighters",
     dict(low=24, high=99, bound="range", approximate=True, counted="Hezbollah fighters")),
    ("Hundreds of thousands of refugees crossed into Poland.",
     "Hundreds of thousands of refugees",
     dict(low=200000, high=999999, counted="refugees")),
    ("Tens of Palestinians were arrested in overnight raids.", "Tens of Palestinians",
     dict(low=20, high=99, counted="Palestinians")),
    ("Several hundred protesters marched on the ministry.", "Several hundred protesters",
     dict(low=300, high=900, bound="range", approximate=True, counted="protesters")),
    ("A few thousand troops remain in the salient.", "A few thousand troops",
     dict(low=2000, high=5000, bound="range", approximate=True, counted="troops")),
    ("Scores of homes were torched by settlers.", "Scores of homes",
     dict(low=40, high=199, counted="homes")),
    ("More than tens of thousands of mines remain in the fields.",
     "More than tens of thousands of mines",
     dict(low=20000, high=None, bound="at_least", approximate=True, counted="mines")),
    # ranges
    ("Russia has massed 5 to 6 thousand troops near the border.",
     "5 to 6 thousand troops",
     dict(low=5000, high=6000, bound="range", approximate=False, counted="troops")),
    ("Local officials said 7-8,000 people had fled the town.", "7-8,000 people",
     dict(low=7000, high=8000, bound="range", counted="people")),
    ("Between 300 and 400 trucks a day are needed, aid agencies say.",
     "Between 300 and 400 trucks", dict(low=300, high=400, bound="range", counted="trucks")),
    ("The army said 300–400 militants were in the tunnels.", "300–400 militants",
     dict(low=300, high=400, bound="range", counted="militants")),
    ("Officials estimated that 15 to 25% of the buildings had been destroyed.", "15 to 25%",
     dict(low=15, high=25, bound="range", unit="%", kind="percent", counted=None)),
    ("Roughly two or three days of fuel remain, the hospital said.",
     "Roughly two or three days",
     dict(low=2, high=3, bound="range", approximate=True, unit="days", kind="measure")),
    ("Losses ranging from 5 to 20 per cent were reported.", "from 5 to 20 per cent",
     dict(low=5, high=20, bound="range", unit="%", kind="percent")),
    ("Kyiv asked for $2-3 billion in air defence.", "$2-3 billion",
     dict(low=2e9, high=3e9, bound="range", unit="USD", kind="money")),
    # units, money, percent
    ("The convoy stopped at least 3 km from the Rafah crossing.", "at least 3 km",
     dict(low=3, high=None, bound="at_least", unit="km", kind="measure", counted=None)),
    ("Washington approved $2 billion in emergency military aid for Kyiv.", "$2 billion",
     dict(low=2e9, high=2e9, unit="USD", kind="money", counted=None)),
    ("Qatar pledged $3bn for reconstruction.", "$3bn",
     dict(low=3e9, high=3e9, unit="USD", kind="money")),
    ("Britain pledged £2.5bn for Ukraine this year.", "£2.5bn",
     dict(low=2.5e9, unit="GBP", kind="money")),
    ("The EU will provide €50 billion over four years.", "€50 billion",
     dict(low=5e10, unit="EUR", kind="money")),
    ("Israel froze NIS 500 million in Palestinian tax revenues.", "NIS 500 million",
     dict(low=5e8, unit="ILS", kind="money")),
    ("Moscow's budget allots 10.8 trillion roubles to defence.", "10.8 trillion roubles",
     dict(low=1.08e13, unit="RUB", kind="money")),
    ("Damage was put at 1.2m shekels per building.", "1.2m shekels",
     dict(low=1.2e6, unit="ILS", kind="money")),
    ("UN officials said 1.2m Gazans lack clean water.", "1.2m Gazans",
     dict(low=1.2e6, unit=None, counted="Gazans", kind="count")),
    ("Soldiers found a 30m tunnel under the school.", "30m",
     dict(low=30, unit="m", kind="measure")),
    ("Nearly 70% of Gaza's housing stock has been damaged.", "Nearly 70%",
     dict(low=70, high=70, approximate=True, bound="exact", unit="%", kind="percent")),
    ("Prices rose by some 30 per cent in Gaza City.", "some 30 per cent",
     dict(low=30, approximate=True, unit="%", kind="percent")),
    ("Turnout was 12.5 percentage points lower than before.", "12.5 percentage points",
     dict(low=12.5, unit="pp", kind="percent")),
    ("The blast damaged homes roughly 2 miles from the plant.", "roughly 2 miles",
     dict(low=2, approximate=True, unit="mi", kind="measure")),
    ("The siege lasted almost three months.", "almost three months",
     dict(low=3, high=3, approximate=True, bound="exact", unit="months", kind="measure")),
    ("Six weeks into the war, the ministry put the toll at 11,000.", "Six weeks",
     dict(low=6, unit="weeks", kind="measure")),
    ("A 20-year-old man was shot dead at a checkpoint near Nablus.", "20-year-old",
     dict(low=20, unit="years", kind="measure", counted=None)),
    ("The three-day truce was extended twice.", "three-day",
     dict(low=3, unit="days", kind="measure")),
    ("Ukraine is firing 155mm shells faster than it can buy them.", "155mm",
     dict(low=155, unit="mm", kind="measure")),
    ("He served thirty-odd years in the army.", "thirty-odd years",
     dict(low=30, high=None, bound="at_least", approximate=True, unit="years")),
    ("The tanker carried 5,000 tonnes of wheat.", "5,000 tonnes",
     dict(low=5000, unit="tonnes", kind="measure", counted=None)),
    ("Settlers seized 2,500 dunams of land near Hebron.", "2,500 dunams",
     dict(low=2500, unit="dunam", kind="measure")),
    ("The strike used a bomb of 2,000 pounds on the camp.", "2,000 pounds",
     dict(low=2000, unit="lb", kind="measure")),
    ("Millions of dollars in aid were diverted, auditors found.", "Millions of dollars",
     dict(low=2e6, high=9999999, unit="USD", kind="money")),
    ("Generators need 40 gallons of diesel a day.", "40 gallons",
     dict(low=40, unit="gal", kind="measure")),
    # fractions
    ("Two-thirds of the enclave's population are refugees.", "Two-thirds",
     dict(low=pytest.approx(2 / 3), unit="fraction", kind="other")),
    ("Almost half of the dead were women and children.", "Almost half",
     dict(low=0.5, approximate=True, unit="fraction", kind="other")),
    ("A third of the homes in the district were destroyed.", "A third",
     dict(low=pytest.approx(1 / 3), unit="fraction", kind="other")),
    # years, dates, times, ordinals, identifiers
    ("Israel captured the territory in 1967 and annexed it in 1981.", "1967",
     dict(low=1967, high=1967, kind="year", counted=None)),
    ("Palestinians mark the Nakba, the displacement of 1948, every May 15.", "May 15",
     dict(low=15, kind="date")),
    ("The full-scale invasion began on 24 February 2022.", "24 February 2022",
     dict(low=24, high=24, kind="date")),
    ("The attack began at 6:30 a.m. on October 7, 2023.", "October 7, 2023",
     dict(low=7, kind="date")),
    ("The attack began at 6:30 a.m. on October 7, 2023.", "6:30 a.m.",
     dict(low=6.5, high=6.5, kind="time")),
    ("Russian forces withdrew from Kherson on Nov. 11.", "Nov. 11", dict(low=11, kind="date")),
    ("Talks resumed on the 2nd of November in Doha.", "2nd of November",
     dict(low=2, kind="date")),
    ("Sirens sounded at 10 pm across the north.", "10 pm", dict(low=22, kind="time")),
    ("The truce was to begin at 7am local time.", "7am local time",
     dict(low=7, kind="time")),
    ("Russia annexed the region in March 2014.", "March 2014", dict(low=2014, kind="date")),
    ("It was the third day of fighting in Khan Younis.", "third",
     dict(low=3, kind="ordinal", counted=None)),
    ("Ukraine's 47th Mechanized Brigade uses the tanks.", "47th",
     dict(low=47, kind="ordinal")),
    ("The war in the 1990s left the city divided.", "1990s",
     dict(low=1990, high=1999, kind="year")),
    ("The 2014-15 fighting killed thousands.", "2014-15",
     dict(low=2014, high=2015, bound="range", kind="year")),
    ("Fighting flared between 2014 and 2016 along the line.", "between 2014 and 2016",
     dict(low=2014, high=2016, kind="year")),
    ("Kyiv has asked for F-16 jets since 2022.", "F-16", dict(kind="other")),
    ("Kyiv has asked for F-16 jets since 2022.", "2022", dict(low=2022, kind="year")),
    ("UN Security Council Resolution 2334 calls the settlements illegal.",
     "Resolution 2334", dict(low=2334, kind="other")),
    ("The decision came two years after COVID-19 lockdowns.", "COVID-19",
     dict(kind="other")),
    # demonyms, acronyms, units, ratios, multiples and collective words before a noun
    ("Some 9,000 Iraqis returned from the camp in Syria.", "Some 9,000 Iraqis",
     dict(low=9000, approximate=True, counted="Iraqis")),
    ("Ukraine received 20 ATACMS missiles in the spring.", "20 ATACMS missiles",
     dict(low=20, counted="ATACMS missiles")),
    ("The reservoir lost 5 cubic kilometres of water.", "5 cubic kilometres",
     dict(low=5, unit="km3", kind="measure")),
    ("Exports fell 12% to $3 billion last year.", "12%", dict(low=12, kind="percent")),
    ("Exports fell 12% to $3 billion last year.", "$3 billion",
     dict(low=3e9, bound="exact", unit="USD", kind="money")),
    ("Rebels said Operation 1027 had reached the border.", "Operation 1027",
     dict(kind="other")),
    ("Night temperatures fell to minus 15 degrees in Kharkiv.", "minus 15 degrees",
     dict(low=-15, high=-15, unit="°", kind="measure")),
    ("Six new ones were built after the strike.", "Six", dict(low=6, counted=None)),
    ("Two in five households skip meals, the WFP says.", "Two in five",
     dict(low=0.4, high=0.4, unit="fraction", kind="other")),
    ("Three out of four hospitals are out of service.", "Three out of four",
     dict(low=0.75, unit="fraction", kind="other")),
    ("The army said it would withdraw within 48 hours.", "within 48 hours",
     dict(low=None, high=48, bound="at_most", unit="hours")),
    ("Fuel prices rose fivefold in a month.", "fivefold",
     dict(low=5, unit="×", kind="other")),
    ("Aid reached 30 displaced families in Deir al-Balah.", "30 displaced families",
     dict(low=30, counted="displaced families")),
    ("Nine crew members were evacuated from the burning ship.", "Nine crew members",
     dict(low=9, counted="crew members")),
    ("Some 2000 people fled the camp overnight.", "Some 2000 people",
     dict(low=2000, kind="count", approximate=True, counted="people")),
    ("The 1967 borders remain the reference for talks.", "1967", dict(kind="year")),
    # thousands grouped by a space, as French and machine translations write them
    ("The human toll exceeded 25 000 deaths.", "25 000 deaths",
     dict(low=25000.0, high=25000.0, counted="deaths")),
    ("Hamas released two US hostages.", "two US hostages", dict(counted="US hostages")),
]


def _find(sentence: str, expr: str) -> dict:
    found = extract_quantities(sentence)
    for q in found:
        if q["text"] == expr:
            return q
    raise AssertionError(f"{expr!r} not found in {sentence!r}; got {[q['text'] for q in found]}")


@pytest.mark.parametrize("sentence,expr,fields", CASES,
                         ids=[f"{i:02d}-{c[1][:25]}" for i, c in enumerate(CASES)])
def test_quantities_table(sentence: str, expr: str, fields: dict) -> None:
    q = _find(sentence, expr)
    assert q["start"] == sentence.index(expr)
    assert q["end"] == q["start"] + len(expr)
    for key, want in fields.items():
        assert q[key] == want, f"{key}: {q[key]!r} != {want!r} in {q}"


# Sentences whose full list of expressions is checked: nothing extra, nothing lost.
WHOLE: list[tuple[str, list[str]]] = [
    ("The raid killed 12 people, including 5 children, on 7 October.",
     ["12 people", "5 children", "7 October"]),
    ("No one was hurt when 2 drones hit the depot.", ["2 drones"]),
    ("Ukraine says it shot down 29 of the 31 drones.", ["29", "31 drones"]),
    ("The first 100 days of the war cost the economy $60 billion.",
     ["first", "100 days", "$60 billion"]),
    ("The death toll rose from 200 to 300 overnight.", ["200", "300"]),
    ("Inflation reached 40.1% in December, the highest since 1996.", ["40.1%", "1996"]),
    ("The foreign minister said the talks had made progress.", []),
    ("On 7 October 2023 250 people were killed.", ["7 October 2023", "250 people"]),
    # a link, and a file name a translation cut out of one, hold no figures of the text
    ("50 hostages were freed https://example.org/2023/11/28/a-500-word-story and "
     "we-were-hungry-2544916_24.php", ["50 hostages"]),
    ("Officials declined to comment on the reports.", []),
]


@pytest.mark.parametrize("sentence,texts", WHOLE)
def test_quantities_whole_sentence(sentence: str, texts: list[str]) -> None:
    assert [q["text"] for q in extract_quantities(sentence)] == texts


def test_quantities_keys_and_vocabularies() -> None:
    for sentence, _, _ in CASES:
        for q in extract_quantities(sentence):
            assert tuple(q) == KEYS
            assert q["kind"] in KINDS and q["bound"] in BOUNDS
            assert isinstance(q["approximate"], bool)


def test_quantities_offsets_index_the_whole_text() -> None:
    text = "Intro sentence here. Israel says 3 soldiers died. Hamas fired 40 rockets."
    start = text.index("Israel")
    end = text.index(" Hamas")
    found = extract_quantities(text, start, end)
    assert [(q["start"], q["end"], q["text"]) for q in found] == [
        (text.index("3 soldiers"), text.index("3 soldiers") + 10, "3 soldiers")]
    assert [q["text"] for q in extract_quantities(text, end)] == ["40 rockets"]


def test_quantities_window_cuts_modifiers() -> None:
    text = "more than 4,000 rockets"
    (q,) = extract_quantities(text, 10)
    assert (q["text"], q["bound"], q["start"]) == ("4,000 rockets", "exact", 10)


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "éàü 中文 العربية", "💥💥 5 💥", "10^100", "10^99999999",
    "999999999999999999999", "9" * 5000, "1,000,000,000,000,000,000 trillion billion",
    "$", "- - - 5", "between between and to", "a hundred hundred", "½ of ¾", "٣ rockets",
    "1e400 rockets", "0^0", "the 24/7 cover", "3/4", "2023-10-07", "12:60", "25:00 pm",
])
def test_quantities_never_raise(text: str) -> None:
    for q in extract_quantities(text):
        assert text[q["start"]:q["end"]] == q["text"]


def test_quantities_huge_numbers_are_finite_or_none() -> None:
    (q,) = extract_quantities("999999999999999999999")
    assert q["low"] == pytest.approx(1e21)
    (q,) = extract_quantities("10^100")
    assert q["low"] == pytest.approx(1e100)
    (q,) = extract_quantities("10^99999999")
    assert q["low"] is None and q["kind"] == "other"


def test_quantities_fuzz() -> None:
    rnd = random.Random(7)
    pieces = ["1", "2,000", "3.5", "-", "–", "to", "and", "between", "a", "half", "dozen",
              "hundreds", "of", "tens", "million", "m", "bn", "$", "%", "per", "cent",
              "more", "than", "October", ".", ",", ":", "/", "^", "am", "th", "-old",
              "plus", "+", "or", "so", "F", "one", "twenty", "first", "thirds", "several",
              "rockets", "people", "km", "°", "C", "2023", "in", "Resolution", "’", "\u200b"]
    for _ in range(1500):
        glue = rnd.choice([" ", ""])
        text = glue.join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        lo = rnd.randint(-2, len(text) + 2)
        hi = rnd.choice([None, rnd.randint(-2, len(text) + 2)])
        a, b, _ = slice(lo, hi).indices(len(text))
        last = a
        for q in extract_quantities(text, lo, hi):
            assert a <= q["start"] < q["end"] <= b and q["start"] >= last
            assert text[q["start"]:q["end"]] == q["text"]
            if q["low"] is not None and q["high"] is not None:
                assert q["low"] <= q["high"]
            last = q["end"]


def test_quantities_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        extract_quantities(None)  # type: ignore[arg-type]


def test_quantities_import_is_cheap() -> None:
    code = ("import sys, claimscope.quantities as q; "
            "print('quantulum3' in sys.modules, 'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
