"""Cue lexicons of the outcome ledger: objectives, achievements, failures, domains.

Each cue is a regular expression over a sentence (case-insensitive) with a
named group ``v``: the word whose dependency-parse token is the cue's head.
``mode`` says how the cue's actor is found:

- ``control``: a verb whose subject is the actor and whose complement says what
  ("managed to", "failed to", "vowed to"): the cue's polarity holds;
- ``verb``: an action verb ("destroyed", "lost"): the active subject is the
  actor; in the passive the patient is, with the opposite polarity for
  achievement verbs ("Hamas was defeated": Hamas failed);
- ``noun``: an objective noun ("its goal is to"): the nearest actor before it;
- ``for``: a verdict noun about an actor named after "for"/"to" ("a blow to
  Russia", "a victory for Hamas"), or before it as a possessive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    name: str
    kind: str  # objective | outcome
    polarity: str  # achieved | failed | neutral
    mode: str  # control | verb | noun | for
    regex: re.Pattern[str]
    #: "military": a casualty or destruction, counted only when its object is military
    #: (fighters, tanks, positions or an actor's forces), never civilians or homes;
    #: "civilian": dropped when its object is civilian ("captured hostages");
    #: "own": counted only about the actor's own assets ("damaged its reputation")
    filter: str = ""


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){pattern}(?![\w-])", re.IGNORECASE)


def _verbs(*forms: str) -> str:
    return "(?P<v>" + "|".join(forms) + ")"


_TO = r"\s+(?:(?:not|yet|even|also|still|largely|so\s+far|now)\s+)*to"

CUES: tuple[Cue, ...] = (
    # objectives ------------------------------------------------------------
    Cue("vow", "objective", "neutral", "control", _c(
        _verbs("vows?", "vowed", "vowing", "pledge[sd]?", "pledging", "promise[sd]?",
               "promising", "swore", "swears?", "threaten(?:s|ed|ing)?") + _TO)),
    Cue("aim", "objective", "neutral", "control", _c(
        _verbs("aims?", "aimed", "aiming", "seeks?", "seeking", "sought", "wants?", "wanted",
               "wanting", "intends?", "intended", "intending", "plans?", "planned",
               "planning", "hopes?", "hoped", "hoping", "tr(?:y|ies|ied|ying)",
               "attempt(?:s|ed|ing)?", "strives?", "strove", "striving", "push(?:es|ed)?",
               "expects?", "expected", "wish(?:es|ed)?", "resolved", "determined",
               "bent", "keen", "eager") + r"(?:\s+on|\s+to)")),
    Cue("set_out", "objective", "neutral", "control", _c(
        _verbs("set") + r"\s+out\s+to")),
    Cue("bid", "objective", "neutral", "noun", _c(
        r"in\s+(?:a|an|its|their)\s+(?:\w+\s+)?(?P<v>bid|effort|attempt|drive|push|quest)"
        r"\s+to")),
    Cue("goal", "objective", "neutral", "noun", _c(
        r"(?:(?:stated|declared|main|chief|primary|ultimate|overarching|strategic|key|"
        r"central|war|military|political)\s+)*"
        r"(?P<v>goals?|aims?|objectives?|ambitions?|intentions?|purpose|mission|plan|"
        r"priority|priorities)\s+(?:(?:is|was|are|were|remains?|remained|has\s+been|"
        r"had\s+been)\s+(?:still\s+)?(?:to|the|clear|simple)|of\s+\w+ing)")),
    Cue("war_aims", "objective", "neutral", "noun", _c(
        r"(?:its|their|his|her|stated|declared|[\w-]+['’]s)\s+(?:\w+\s+)?"
        r"(?P<v>war\s+aims|war\s+goals|objectives|goals|aims)"
        r"(?=\s*(?::|—|–|-|,?\s+(?:include|including|are|were|remain)))")),
    Cue("demand", "objective", "neutral", "control", _c(
        _verbs("demands?", "demanded", "demanding", "insists?\\s+on", "insisted\\s+on",
               "calls?\\s+for", "called\\s+for") + r"\s+(?:the|a|an|that|its|their|full|"
        r"an?\s+immediate|immediate)")),
    # outcomes: achieved ----------------------------------------------------
    Cue("managed", "outcome", "achieved", "control", _c(
        _verbs("managed?", "manages", "managing") + _TO)),
    Cue("succeeded", "outcome", "achieved", "control", _c(
        _verbs("succeed(?:s|ed)?", "succeeding") + r"\s+in")),
    Cue("able", "outcome", "achieved", "control", _c(
        r"(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?P<v>able)\s+to")),
    Cue("achieved", "outcome", "achieved", "verb", _c(
        _verbs("achieved?", "achieves", "achieving", "accomplish(?:ed|es)?", "fulfill?(?:ed|s)?",
               "realised", "realized", "attained", "reached", "met") +
        r"(?=\s+(?:(?:all|most|some|many|none|one|several|any|each|every|a\s+single\s+one)\s+"
        r"(?:of\s+)?)?(?:its|their|his|her|the|these|those|key|main|stated|declared|war|"
        r"any|all|most|some|a|an)\b)")),
    Cue("won", "outcome", "achieved", "verb", _c(
        _verbs("won", "wins?", "winning", "gained", "gains?", "gaining", "secured",
               "secures?", "securing", "scored", "clinched", "earned", "obtained",
               "regained", "regains?", "restored", "strengthened", "bolstered", "boosted",
               "consolidated", "expanded", "extended", "deepened", "improved", "cemented",
               "rallied", "persuaded", "convinced", "brokered", "clinched", "freed",
               "rescued", "delivered", "evacuated", "reopened", "restored", "repaired",
               "shaped", "defended", "held\\s+(?:on\\s+to|onto)", "holds\\s+(?:on\\s+to|onto)")
        )),
    Cue("captured", "outcome", "achieved", "verb", _c(
        _verbs("captured", "captures?", "capturing", "seized", "seizes?", "seizing",
               "retook", "retakes?", "retaking", "retaken", "recaptured", "recaptures?",
               "liberated", "liberates?", "liberating", "took\\s+(?:full\\s+)?control\\s+of",
               "takes?\\s+(?:full\\s+)?control\\s+of", "taken\\s+(?:full\\s+)?control\\s+of",
               "advanced", "advances?", "advancing", "broke\\s+through",
               "breaks?\\s+through", "breached", "encircled", "surrounded", "pushed\\s+back",
               "pushes\\s+back", "drove\\s+back", "drove\\s+out", "drives?\\s+(?:back|out)",
               "repelled", "repels?", "repulsed", "thwarted", "foiled", "blunted")
        ), filter="civilian"),
    Cue("defeated", "outcome", "achieved", "verb", _c(
        _verbs("forced", "defeated", "defeats?", "routed", "crushed",
               "dismantled", "degraded", "decimated", "weakened", "neutralised",
               "neutralized", "isolated", "outmanoeuvred", "outmaneuvered", "outfought",
               "humiliated", "deterred", "pushed\\s+back", "drove\\s+back", "drove\\s+out",
               "encircled", "surrounded")), filter="military"),
    Cue("destroyed", "outcome", "achieved", "verb", _c(
        _verbs("destroyed", "destroys?", "destroying", "killed", "kills?", "killing",
               "eliminated", "eliminates?", "eliminating", "wiped\\s+out", "took\\s+out",
               "knocked\\s+out", "assassinated", "inflicted")), filter="military"),
    Cue("shot_down", "outcome", "achieved", "verb", _c(
        _verbs("shot\\s+down", "shoots?\\s+down", "downed", "intercepted", "intercepts?",
               "sank", "sunk", "sinks?")), filter="civilian"),
    Cue("victory_for", "outcome", "achieved", "for", _c(
        r"(?:a|an|the)\s+(?:\w+\s+){0,2}(?P<v>victory|win|success|triumph|breakthrough|"
        r"coup|boost|gain|gift)\s+(?:for|to)")),
    Cue("victory_of", "outcome", "achieved", "noun", _c(
        r"(?P<v>victory|victories|successes|achievements|gains|triumph|breakthroughs?)"
        r"(?=\s+(?:in|on|at|over|against)\b|\s*[,.;:]|\s+(?:so\s+far|to\s+date))")),
    # outcomes: failed --------------------------------------------------------
    Cue("failed", "outcome", "failed", "control", _c(
        _verbs("fail(?:s|ed)?", "failing") + r"(?:\s+(?:so\s+far|utterly|completely|"
        r"miserably|again))?\s+(?:to|in)")),
    Cue("unable", "outcome", "failed", "control", _c(
        r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been|remains?|proved|proven)\s+"
        r"(?P<v>unable|powerless)\s+to")),
    Cue("could_not", "outcome", "failed", "control", _c(
        r"(?P<v>could\s+not|couldn't|couldn’t|cannot|can't|can’t|did\s+not\s+manage|"
        r"didn't\s+manage|never\s+managed|"
        r"struggl(?:ed|es|ing)|fell\s+short|falls?\s+short)(?:\s+to|\s+of)?")),
    Cue("yet_to", "outcome", "failed", "control", _c(
        r"(?:has|have|is|are|had)\s+(?P<v>yet)\s+to")),
    Cue("lost", "outcome", "failed", "verb", _c(
        _verbs("lost", "loses?", "losing", "retreated", "retreats?", "retreating",
               "withdrew", "withdraws?", "withdrawing", "withdrawn", "abandoned",
               "abandons?", "ceded", "cedes?", "surrendered", "suffered", "suffers?",
               "suffering", "squandered", "squanders?", "stalled", "stalls?", "faltered",
               "falters?", "collapsed", "collapses?", "crumbled", "backfired", "backfires?",
               "missed", "misses", "fled", "flees?", "bogged\\s+down", "conceded",
               "concedes?"))),
    Cue("harmed", "outcome", "achieved", "verb", _c(
        r"(?:(?:has|have|had)\s+been|was|were|is|are|being)\s+(?:\w+ly\s+)?"
        + _verbs("damaged", "tarnished", "eroded", "undermined", "harmed", "hurt",
                 "discredited", "dented", "weakened", "sullied")), filter="military"),
    Cue("self_harm", "outcome", "failed", "verb", _c(
        _verbs("wasted", "alienated", "alienates?", "eroded", "erodes?", "undermined",
               "undermines?", "damaged", "damages?", "hurt", "hurts", "tarnished",
               "sacrificed", "squandered", "isolated") +
        r"(?=\s+(?:its|their|his|her)\s)"), filter="own"),
    Cue("defeat_for", "outcome", "failed", "for", _c(
        r"(?:a|an|the)\s+(?:\w+\s+){0,2}(?P<v>defeat|setback|blow|failure|loss|"
        r"humiliation|debacle|fiasco|embarrassment|disaster|catastrophe|quagmire)\s+"
        r"(?:for|to)")),
    Cue("failure_of", "outcome", "failed", "noun", _c(
        r"(?:[\w-]+['’]s|its|their|his|her)\s+(?:\w+\s+){0,2}(?P<v>failures?|defeats?|setbacks?|"
        r"losses|humiliation|debacle|fiasco)")),
)

#: Negation before a cue (within a few words) flips achieved <-> failed.
NEGATION = re.compile(r"(?<![\w-])(?:not|never|n't|n’t|no\s+longer|hardly|barely|"
                      r"nowhere\s+near|far\s+from)(?![\w-])", re.IGNORECASE)

#: Objects that make a harm verb a military outcome.
MILITARY_TARGETS = re.compile(
    r"(?<![\w-])(?:fighters?|militants?|soldiers?|troops?|forces|commanders?|"
    r"gunmen|terrorists?|operatives?|combatants?|battalions?|brigades?|units?|"
    r"members|leaders?|chiefs?|officers?|generals?|tanks?|vehicles?|armou?r|"
    r"artillery|howitzers?|launchers?|missiles?|rockets?|drones?|jets?|aircraft|"
    r"helicopters?|planes?|warships?|ships?|vessels?|fleet|submarines?|tunnels?|"
    r"positions?|bases?|posts?|depots?|arsenals?|stockpiles?|weapons?|ammunition|"
    r"command|headquarters|military\s+infrastructure|air\s+defen[cs]es?|radars?|"
    r"supply\s+lines?|cells?|military\s+(?:sites?|targets?|facilit(?:y|ies))|"
    r"refiner(?:y|ies)|airfields?|airbases?|bunkers?|shafts?|"
    r"losses|casualties|damage|offensive|assault|attacks?|advance|counteroffensive|"
    r"counter-offensive|army|armies|navy|air\s+force|regiments?|divisions?|"
    r"defen[cs]es?|defensive\s+lines?|lines?|stronghold|squad|crews?|pilots?)(?![\w-])",
    re.IGNORECASE)

#: Objects that make a harm or capture verb no military outcome.
CIVILIAN = re.compile(
    r"(?<![\w-])(?:civilians?|children|child|women|babies|famil(?:y|ies)|residents?|people|"
    r"homes?|houses?|hospitals?|schools?|mosques?|churches|church|shelters?|apartments?|"
    r"residential|neighbou?rhoods?|villagers|refugees|patients|journalists?|"
    r"aid\s+workers?|medics?|doctors?|hostages?|captives?|bystanders|worshippers|"
    r"passengers|pensioners|elderly|students|farmers|workers|teenagers?|boys?|girls?)(?![\w-])",
    re.IGNORECASE)

#: Domain keywords (stems, matched at word starts). Weighted counts decide the domain.
DOMAINS: dict[str, tuple[str, ...]] = {
    "military": (
        "troop", "forces", "army", "armies", "military", "soldier", "fighter", "militant",
        "battalion", "brigade", "tank", "armour", "armor", "artillery", "missile", "rocket",
        "drone", "tunnel", "front", "territor", "village", "town", "city", "cities",
        "offensive", "counteroffensive", "counter-offensive", "attack", "strike",
        "airstrike", "bomb", "weapon", "ammunition", "air defen", "jet",
        "warship", "fleet", "position", "commander", "stronghold", "captur", "retook",
        "retak", "recaptur", "seiz", "advanc", "retreat", "withdr", "defence line",
        "defense line", "shot down", "intercept", "kill", "destroy", "crush", "defeat",
        "dismantl", "eliminat", "wipe out", "wiped out", "eradicat", "rout", "encircl",
        "liberat", "occup", "ground", "combat", "operation", "invasion", "invad",
        "bridgehead", "foothold", "deterr", "capabilit", "arsenal", "launcher", "base",
        "sniper", "raid", "incursion", "siege", "bakhmut", "avdiivka", "kherson", "kharkiv",
        "crimea", "donbas", "donetsk", "luhansk", "zaporizhzhia", "mariupol", "kursk",
        "pokrovsk", "rafah", "khan younis", "jabalia", "gaza city", "shifa", "beit hanoun",
        "northern gaza", "southern gaza", "west bank", "lebanon", "black sea",
        "hostilities", "conquer", "mobilis", "mobiliz", "casualt", "losses", "manpower",
        "surrender", "air superiority", "battlefield", "war", "demilitar", "denazif",
        "power grid", "grid", "deterrence", "escalat", "hostilities"),
    "political": (
        "government", "coalition", "election", "elect", "vote", "voter", "poll", "popular",
        "approval", "domestic", "at home", "public support", "power", "regime", "leadership",
        "parliament", "knesset", "rada", "duma", "cabinet", "opposition", "protest",
        "unity", "unite", "morale", "resign", "governance", "rule", "political", "politic",
        "legitimacy", "sovereign", "independence", "statehood", "state", "topple", "overthrow",
        "authority", "control of gaza", "day after", "reform", "constitution", "mandate",
        "president", "prime minister", "loyalty", "dissent", "succession", "elite",
        "consensus", "hold on to", "grip", "society", "nation", "identity", "recruit",
        "influence", "sphere", "clout", "survive", "govern"),
    "diplomatic": (
        "ally", "allies", "alliance", "nato", "sanction", "diplomat", "negotiat", "talks",
        "ceasefire", "cease-fire", "truce", "deal", "agreement", "treaty", "recogni",
        "isolat", "partner", "normali", "summit", "envoy", "mediat", "resolution",
        "security council", "general assembly", "icj", "court", "embassy", "relations",
        "support of", "backing", "western support", "international support", "arms supplies",
        "weapons supplies", "military aid", "aid package", "friends", "foreign",
        "international", "washington", "brussels", "european union", "eu ",
        "united states", "the west", "western", "china", "saudi", "abraham accords",
        "membership", "accession", "veto", "condemn", "pressure", "concession", "bilateral",
        "united nations", "guarantee", "neutral", "exchange"),
    "information": (
        "narrative", "propaganda", "media", "public opinion", "world opinion",
        "global opinion", "image", "reputation", "sympath", "perception", "story",
        "headline", "information war", "information", "social media", "public relations",
        "messaging", "hearts and minds", "spin", "disinformation", "misinformation",
        "credibility", "outrage", "attention", "coverage", "viral", "tiktok", "video",
        "footage", "pr war", "battle for opinion", "opinion", "discourse", "framing",
        "censorship", "journalist", "audience", "hasbara", "brand", "moral high",
        "convince", "persuade", "believe", "portray", "sees the truth", "truth"),
    "humanitarian": (
        "aid", "humanitarian", "civilian", "food", "water", "medicine", "hospital",
        "famine", "hunger", "starv", "displac", "refugee", "evacuat", "shelter", "truck",
        "hostage", "captive", "prisoner", "children", "wounded", "medical", "electricity",
        "corridor", "relief", "bakeries", "bread", "flour", "fuel", "incubator", "patients",
        "convoy", "vaccin", "sanitation", "health", "rescue", "release", "freed", "homes",
        "crossing",
        "returned home"),
    "economic": (
        "econom", "gdp", "growth", "inflation", "currency", "rouble", "ruble", "shekel",
        "hryvnia", "budget", "export", "import", "oil", "gas", "grain", "trade", "revenue",
        "investment", "investor", "market", "price", "industr", "port", "shipping",
        "tourism", "unemploy", "bank", "debt", "financ", "wealth", "cost", "spending",
        "money", "dollar", "euro", "income", "tax", "business", "energy", "credit rating",
        "recession", "reconstruction", "labour", "labor", "wages", "factor", "harvest"),
}

#: Where domain scores tie, the first listed wins (more specific domains first).
DOMAIN_ORDER = ("information", "economic", "diplomatic", "humanitarian", "political",
                "military")
DOMAIN_SET = frozenset(DOMAIN_ORDER)

#: Words that make a bullet list's introduction say what its items are.
INTRO_ACHIEVED = re.compile(
    r"(?<![\w-])(?:achievements?|accomplishments?|successes|gains|victories|wins|"
    r"achieved|accomplished|succeeded|won|scored|has\s+done|have\s+done|results)(?![\w-])",
    re.IGNORECASE)
INTRO_FAILED = re.compile(
    r"(?<![\w-])(?:failures?|setbacks?|losses|defeats?|failed|lost|mistakes|"
    r"blunders|shortcomings)(?![\w-])", re.IGNORECASE)
INTRO_OBJECTIVE = re.compile(
    r"(?<![\w-])(?:goals?|aims?|objectives?|ambitions?|demands?|wants?|seeks?|intends?|"
    r"plans?|vowed|pledged|promised|priorities)(?![\w-])", re.IGNORECASE)

BULLET = re.compile(r"[^\S\n]*(?:[-*•–—▪●◦·‣]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")

#: Reporting verbs for attribution ("X said", "according to X").
SAY = (r"(?:said|says|say|told|tells|tell|added|adds|claimed|claims|claim|stated|"
       r"argue|warn|note|insist|estimate|conclude|assess|showed|shows|"
       r"declared|declares|insisted|insists|argued|argues|wrote|writes|warned|warns|"
       r"asserted|asserts|announced|announces|boasted|boasts|acknowledged|acknowledges|"
       r"admitted|admits|conceded|concedes|noted|notes|posted|tweeted|replied|responded|"
       r"reported|reports|estimated|estimates|believes?|believed|thinks?|thought|"
       r"maintained|maintains|alleged|alleges|contended|contends|concluded|concludes|"
       r"suggested|suggests|predicted|predicts|assessed|assesses|judged|judges)")
PRONOUNS = frozenset({"it", "they", "he", "she", "we", "its", "their", "his", "her", "our",
                      "i", "us", "them", "him", "itself", "themselves"})

#: Definite descriptions that refer back to an actor named earlier ("the movement").
BACK_REFS = frozenset({"movement", "group", "organisation", "organization", "country",
                       "government", "army", "military", "regime", "militants", "militia",
                       "alliance", "administration", "leadership", "state", "enclave"})

#: A future or conditional before an outcome cue: a pledge or a forecast, not an outcome.
FUTURE = re.compile(r"(?<![\w-])(?:will|would|shall|'ll|’ll|going\s+to|is\s+set\s+to|"
                    r"are\s+set\s+to)(?:\s+(?:not|never|soon|likely|probably|also|"
                    r"eventually|ultimately))*\s+(?:be\s+(?:able\s+to\s+)?)?$",
                    re.IGNORECASE)

#: A dateline at the start of a news text ("KYIV, Dec 2 (Reuters) - "): not a claim.
DATELINE = re.compile(r"[A-Z][A-Z .'’-]+(?:/[A-Z][A-Z .'’-]+)*,\s+"
                      r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})"
                      r"(?:,?\s+\d{4})?(?:\s*\([^)\n]{1,40}\))?\s*[-–—]+\s*")


def _top_level(alternation: str) -> list[str]:
    """Split a regex alternation at its top-level bars."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(alternation):
        ch = alternation[i]
        if ch == "\\":
            cur += alternation[i:i + 2]
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    return out + [cur]


def _first_word(alternative: str) -> str:
    """The pattern of the first word of an alternative ('took\\s+control' -> 'took')."""
    depth, i = 0, 0
    while i < len(alternative):
        ch = alternative[i]
        if ch == "\\":
            if depth == 0 and alternative[i + 1] == "s":
                return alternative[:i]
            i += 2
            continue
        depth += ch == "("
        depth -= ch == ")"
        i += 1
    return alternative


def _v_group(pattern: str) -> str:
    start = pattern.index("(?P<v>") + len("(?P<v>")
    depth, i = 1, start
    while depth:
        if pattern[i] == "\\":
            i += 2
            continue
        depth += pattern[i] == "("
        depth -= pattern[i] == ")"
        i += 1
    return pattern[start:i - 1]


#: The first word of every cue's head: a sentence without any of them has no cue. Checking
#: its words against this (cached per word) is ~40x faster than running every cue pattern.
#: (The words: claimscope.text.WORD_ONE_APOSTROPHE_RE, as some triggers are contractions.)
CUE_TRIGGERS = tuple(re.compile("|".join(sorted({_first_word(a) for a in _top_level(
    _v_group(c.regex.pattern))})), re.IGNORECASE) for c in CUES)
TRIGGER = re.compile("|".join(t.pattern for t in CUE_TRIGGERS), re.IGNORECASE)
