"""The trie pattern matches what a longest-first alternation of the same names matches."""

from __future__ import annotations

import json
import re
from pathlib import Path

from claimscope import swap
from claimscope._patterns import trie_pattern
from claimscope.actors import _APOS, default_gazetteer

ROOT = Path(__file__).resolve().parents[1]
EDGES = ("Hamas fighters and Hamas-run ministries; Israel's army, Israel’s army, ISRAEL, "
         "Islamic\nJihad, the Palestinian Islamic Jihad, Gazans in Gaza City, IDF and idf, "
         "Russia, Russian forces, the Russian Orthodox Church, Ukrainian troops, Kyiv's "
         "mayor, anti-Hamas, Hamass, Israeli-Palestinian talks, Zionist enemy")


def _texts() -> list[str]:
    texts = [EDGES, (ROOT / "examples" / "sample_article.txt").read_text(encoding="utf-8")]
    with (ROOT / "benchmarks" / "swap_articles.jsonl").open(encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def _alternation(keys, char=re.escape) -> str:
    """The plain pattern the trie must agree with: every key, longest first."""
    return "|".join(r"\s+".join("".join(char(c) for c in w) for w in k.split(" "))
                    for k in sorted(keys, key=lambda k: (-len(k), k)))


def _spans(pattern: str, texts: list[str], before: str, after: str) -> list[list[tuple]]:
    rx = re.compile(before + "(?:" + pattern + ")" + after, re.IGNORECASE)
    return [[(m.start(), m.end()) for m in rx.finditer(t)] for t in texts]


def test_actor_names_match_as_with_an_alternation():
    gaz = default_gazetteer()
    gaz._compile()
    keys = list(gaz._lookup)
    def char(c):
        return f"[{_APOS}]" if c == "'" else re.escape(c)
    texts = _texts()
    before, after = r"(?<![\w\-‐‑])", r"(?![\w])"
    new = _spans(trie_pattern(keys, char), texts, before, after)
    assert new == _spans(_alternation(keys, char), texts, before, after)
    assert sum(map(len, new)) > 100  # the texts do name actors


def test_swapped_names_match_as_with_an_alternation():
    keys = [" ".join(k.split()) for k in swap._TABLE]
    texts = _texts()
    new = _spans(trie_pattern(keys), texts, r"(?<![\w-])", r"(?![\w])")
    assert new == _spans(_alternation(keys), texts, r"(?<![\w-])", r"(?![\w])")
    assert sum(map(len, new)) > 50


def test_the_trie_prefers_the_longer_name_and_gives_it_up_when_it_must():
    rx = re.compile(r"(?:" + trie_pattern(["gaza", "gaza city", "gazan"]) + r")(?![\w])", re.I)
    assert [m.group() for m in rx.finditer("Gaza City, Gaza, a Gazan, Gaza Citys")] == \
        ["Gaza City", "Gaza", "Gazan", "Gaza"]
    assert re.fullmatch(trie_pattern([]), "") is None  # no names: never matches
