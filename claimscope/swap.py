"""Actor swap for the even-handedness check: the same text with the sides traded.

    result = swap_actors("Israeli troops destroyed Hamas tunnels, Netanyahu said.")
    result.text          # 'Hamas troops destroyed Israeli tunnels, Sinwar said.'
    result.to_original(result.text.index("Sinwar"))   # offset of 'Netanyahu'

Israel <-> Hamas (names, forces, officials, leaders; "Israeli X" <-> "Hamas X" for
forces and officials; the demonyms Israeli(s) <-> Palestinian(s) for people) and
Russia <-> Ukraine (names, demonyms, capitals, leaders). Case is kept ("HAMAS"
-> "ISRAEL"). Every replaced piece is recorded, so offsets map both ways.

If claimscope treats both sides alike, every label of the swapped text equals
the label of the original with the actors swapped back
(``benchmarks/bench_swap.py``, ``tests/test_swap.py``).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ._patterns import trie_pattern

__all__ = ["swap_actors", "blind_sides", "SwapResult", "SIDE", "swap_side", "side", "PAIRS",
           "label_changes"]

#: Nouns after "Israeli"/"Hamas" that name the armed force or the leadership.
_ORG_NOUNS = ("army", "military", "forces", "force", "troops", "soldiers", "fighters",
              "gunmen", "militants", "officials", "official", "government", "leaders",
              "leader", "leadership", "authorities", "strikes", "airstrikes", "attacks",
              "attack", "spokesman", "spokesperson", "commanders", "commander", "cabinet",
              "negotiators", "delegation", "positions", "rockets", "drones", "tunnels",
              "command", "units", "unit", "operatives", "media", "officers", "snipers")

#: (surface A, surface B): each is replaced by the other. Longest first when matching.
PAIRS: tuple[tuple[str, str], ...] = (
    # Israel <-> Hamas
    ("Israel Defense Forces", "Izz ad-Din al-Qassam Brigades"),
    ("Israel Defence Forces", "al-Qassam Brigades"),
    ("IDF", "Qassam Brigades"),
    ("Benjamin Netanyahu", "Yahya Sinwar"),
    ("Netanyahu", "Sinwar"),
    ("Yoav Gallant", "Mohammed Deif"),
    ("Gallant", "Deif"),
    ("Herzi Halevi", "Ismail Haniyeh"),
    ("Halevi", "Haniyeh"),
    ("Daniel Hagari", "Abu Obeida"),
    ("Hagari", "Obeida"),
    *((f"Israeli {n}", f"Hamas {n}") for n in _ORG_NOUNS),
    ("Zionist enemy", "Hamas enemy"),
    ("Zionist entity", "Hamas entity"),
    ("Zionist regime", "Hamas regime"),
    ("Israelis", "Palestinians"),
    ("Israeli", "Palestinian"),
    ("Israel", "Hamas"),
    # Russia <-> Ukraine
    ("Vladimir Putin", "Volodymyr Zelensky"),
    ("Putin", "Zelensky"),
    ("Sergei Shoigu", "Oleksii Reznikov"),
    ("Shoigu", "Reznikov"),
    ("Sergei Lavrov", "Dmytro Kuleba"),
    ("Lavrov", "Kuleba"),
    ("Valery Gerasimov", "Valerii Zaluzhnyi"),
    ("Gerasimov", "Zaluzhnyi"),
    ("Andrei Belousov", "Rustem Umerov"),
    ("Belousov", "Umerov"),
    ("Dmitry Peskov", "Mykhailo Podolyak"),
    ("Peskov", "Podolyak"),
    ("Wagner", "Azov"),
    ("Kremlin", "Bankova"),
    ("Black Sea Fleet", "Ukrainian Navy"),
    ("Moscow", "Kyiv"),
    ("Russians", "Ukrainians"),
    ("Russian", "Ukrainian"),
    ("Russia", "Ukraine"),
    ("Russian Federation", "Ukraine"),
)

#: Side of each actor whose names the swap trades, for comparing labels across a swap
#: (Israeli(s) <-> Palestinian(s) puts Palestinians on Hamas's side of the swap).
SIDE = {"Israel": "I", "Hamas": "P", "Palestinians": "P", "Russia": "R", "Ukraine": "U"}
_FLIP = {"I": "P", "P": "I", "R": "U", "U": "R"}


def swap_side(actor: str) -> str:
    """The side label of an actor after the swap ('I' <-> 'P', 'R' <-> 'U'); others as is."""
    side = SIDE.get(actor)
    return _FLIP[side] if side else actor


def side(actor: str) -> str:
    """The side label of an actor (others: the actor's name)."""
    return SIDE.get(actor, actor)


@dataclass
class SwapResult:
    """The swapped text and the pieces replaced, as (orig_start, orig_end, new_start, new_end)."""

    original: str
    text: str
    pieces: list[tuple[int, int, int, int]] = field(default_factory=list)

    def to_original(self, offset: int) -> int:
        """Offset in the original text of an offset in the swapped text."""
        return self._map(offset, 2, 0)

    def to_swapped(self, offset: int) -> int:
        """Offset in the swapped text of an offset in the original text."""
        return self._map(offset, 0, 2)

    def _map(self, offset: int, src: int, dst: int) -> int:
        starts = [p[src] for p in self.pieces]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        p = self.pieces[i]
        if offset < p[src + 1]:  # inside a replaced piece: its start
            return p[dst] + min(offset - p[src], p[dst + 1] - p[dst])
        return p[dst + 1] + (offset - p[src + 1])

    def to_original_span(self, start: int, end: int) -> tuple[int, int]:
        """A span ``[start, end)`` of the new text as a span of the original.

        A span that covers part of a replaced piece covers the whole original name
        ("Leader A" -> "Netanyahu"), whichever end falls inside it.
        """
        starts = [p[2] for p in self.pieces]
        i = bisect.bisect_right(starts, start) - 1
        j = bisect.bisect_left(starts, end) - 1
        s = self.pieces[i][0] if i >= 0 and start < self.pieces[i][3] else self.to_original(start)
        e = self.pieces[j][1] if j >= 0 and end <= self.pieces[j][3] else self.to_original(end)
        return s, e


#: Names of other actors that contain a swapped word: kept as they are.
KEEP = ("Palestinian Authority", "Palestinian National Authority", "Palestinian Islamic Jihad",
        "Palestine Liberation Organization", "Russian Orthodox Church")


def _table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for a, b in pairs:
        table.setdefault(a.lower(), b)
        table.setdefault(b.lower(), a)
    return table


_TABLE = _table(PAIRS)
_TABLE.update({k.lower(): k for k in KEEP})
_KEEP = frozenset(k.lower() for k in KEEP)
_REGEX = re.compile(r"(?<![\w-])(?:" + trie_pattern(" ".join(k.split()) for k in _TABLE)
                    + r")(?![\w])", re.IGNORECASE)


def _case(src: str, dst: str) -> str:
    if src.isupper() and len(src) > 3:
        return dst.upper()
    if src[:1].isupper() and dst[:1].islower():
        return dst[:1].upper() + dst[1:]
    return dst


def _rewrite(text: str, replace: Callable[[re.Match[str], str], str | None]) -> SwapResult:
    """Replace every actor name ``replace`` answers for (None keeps it), recording pieces."""
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    last = pos = 0
    for m in _REGEX.finditer(text):
        key = " ".join(m.group().split()).lower()
        if _TABLE.get(key) is None or key in _KEEP:
            continue
        if m.group()[:1].islower() and _TABLE[key][:1].isupper() and key not in ("idf",):
            continue  # "israel" in lower case is not the name
        rep = replace(m, key)
        if rep is None:
            continue
        out.append(text[last:m.start()])
        pos += m.start() - last
        pieces.append((m.start(), m.end(), pos, pos + len(rep)))
        out.append(rep)
        pos += len(rep)
        last = m.end()
    out.append(text[last:])
    return SwapResult(text, "".join(out), pieces)


def swap_actors(text: str) -> SwapResult:
    """Trade Israel with Hamas and Russia with Ukraine in ``text`` (see the module doc)."""
    return _rewrite(text, lambda m, key: _case(m.group(), _TABLE[key]))


#: Pairs whose words are a side's epithet, not its name: left visible by ``blind_sides``
#: (they are loaded language the rhetoric heads should see).
_EPITHETS = frozenset(a.lower() for a, _ in PAIRS if a.startswith("Zionist"))
_PEOPLE = frozenset(k.lower() for k in ("Israelis", "Palestinians", "Israeli", "Palestinian"))
_PLURAL_PEOPLE = frozenset(k.lower() for k in ("Israelis", "Palestinians", "Russians",
                                               "Ukrainians"))
_RU = next(i for i, (a, _) in enumerate(PAIRS) if a == "Vladimir Putin")  # first Russia pair
_LEADERS = frozenset(k.lower() for a, b in PAIRS if a.split()[-1] in (
    "Netanyahu", "Gallant", "Halevi", "Hagari", "Putin", "Shoigu", "Lavrov", "Gerasimov",
    "Belousov", "Peskov") for k in (a, b))
_FORCES = frozenset(k.lower() for a, b in PAIRS if a in (
    "Israel Defense Forces", "Israel Defence Forces", "IDF", "Wagner", "Black Sea Fleet")
    for k in (a, b))


def _blind_key(key: str) -> tuple[str, int] | None:
    """(family, position) of a swappable surface: which side it names, in which pairing."""
    for i, (a, b) in enumerate(PAIRS):
        for pos, surface in enumerate((a, b)):
            if surface.lower() == key:
                if key in _PEOPLE:
                    family = "people"
                elif i < _RU:
                    family = "israel-gaza"
                else:
                    family = "russia-ukraine"
                return family, pos
    return None


_BLIND_KEYS = {k: _blind_key(k) for k in _TABLE}


def blind_sides(text: str) -> SwapResult:
    """``text`` with the warring sides' names replaced by neutral placeholders.

    What the encoder-based stages see, so that their scores cannot depend on which side a
    sentence is about: each side named in ``text`` becomes "Side A", "Side B", ... in
    the order it first appears; leaders become "Leader A", forces "Side A forces", people
    "Side A people", "Israeli troops" "Side A troops". Swapping the sides
    (``swap_actors``) therefore leaves the blinded text unchanged. Epithets ("Zionist
    entity") stay visible. The result maps offsets back to ``text``.
    """
    letters: dict[tuple[str, int], str] = {}

    def replace(m: re.Match[str], key: str) -> str | None:
        side_key = _BLIND_KEYS.get(key)
        if side_key is None or key in _EPITHETS:
            return None
        letter = letters.setdefault(side_key, "ABCDEFGH"[min(len(letters), 7)])
        if key.split(" ", 1)[0] in ("israeli", "hamas") and " " in key:  # "Israeli troops"
            return f"Side {letter} {m.group().split(None, 1)[1]}"
        if key in _LEADERS:
            return f"Leader {letter}"
        if key in _FORCES:
            return f"Side {letter} forces"
        if key in _PLURAL_PEOPLE:
            return f"Side {letter} people"
        return f"Side {letter}"

    return _rewrite(text, replace)


def _aligned(orig: Any, swapped: Any, res: SwapResult) -> list[tuple[Any, Any]]:
    """Pairs (original sentence, swapped sentence or None)."""
    by_start = {s.start: s for s in swapped.sentences}
    return [(s, by_start.get(res.to_swapped(s.start))) for s in orig.sentences]


def label_changes(orig: Any, swapped: Any, res: SwapResult) -> dict[str, tuple[int, int]]:
    """{stage: (labels changed, labels)} between an analysed text and its swap.

    ``orig`` and ``swapped`` are the Documents of ``res.original`` and ``res.text``.
    Check-worthiness and subjectivity: the >= 0.5 decision per aligned sentence;
    quantities: the normalised fields (``counted`` swapped back); ledger: rows as
    (side, kind, polarity, domain); persuasion: span labels, if present. The model stages
    also get ``<stage>_like_for_like``: the same without the sentences (for persuasion,
    which reads article context: the articles) whose epithet the swap turned into a name.
    """
    out: dict[str, tuple[int, int]] = {}
    pairs = _aligned(orig, swapped, res)
    # Sentences where the swap turned an epithet into a name ("Zionist enemy" ->
    # "Hamas enemy") are not like for like: the wording, not only the side, changed.
    # The model stages are also counted without them (``<stage>_like_for_like``).
    epithet = [(a.start, a.end) for a, _ in pairs
               if any(a.start <= p[0] < a.end and _is_epithet(res.original[p[0]:p[1]])
                      for p in res.pieces)]
    for head in ("checkworthiness", "subjectivity"):
        if any(head in s.attrs for s in orig.sentences):
            flips = [b is None or (a.attrs.get(head, 0) >= 0.5) != (b.attrs.get(head, 0) >= 0.5)
                     for a, b in pairs]
            out[head] = (sum(flips), len(pairs))
            like = [f for (a, _), f in zip(pairs, flips) if (a.start, a.end) not in epithet]
            out[f"{head}_like_for_like"] = (sum(like), len(like))

    def qkey(q: Any, back: bool) -> tuple[Any, ...]:
        counted = q.attrs.get("counted")
        if counted and back:
            counted = swap_actors(counted).text
        return tuple(q.attrs.get(k) for k in ("low", "high", "bound", "approximate", "unit",
                                              "kind")) + (counted,)
    sq = {q.start: q for q in swapped.spans["quantities"]}
    changed = 0
    for q in orig.spans["quantities"]:
        other = sq.pop(res.to_swapped(q.start), None)
        if other is None or qkey(q, False) != qkey(other, True):
            changed += 1
    changed += len(sq)
    out["quantities"] = (changed, max(len(orig.spans["quantities"]),
                                      len(swapped.spans["quantities"])))
    a = Counter((swap_side(r["actor"]), r["kind"], r["polarity"], r["domain"])
                for r in orig.fields.get("ledger", []))
    b = Counter((side(r["actor"]), r["kind"], r["polarity"], r["domain"])
                for r in swapped.fields.get("ledger", []))
    out["ledger"] = _diff(a, b)
    if "persuasion" in orig.spans or "persuasion" in swapped.spans:
        la = Counter((res.to_swapped(s.start), s.label) for s in orig.spans["persuasion"])
        lb = Counter((s.start, s.label) for s in swapped.spans["persuasion"])
        out["persuasion"] = _diff(la, lb)

        # The rhetoric head also reads the article's mean sentence embedding, so a rewritten
        # epithet can move a span anywhere in its article: no like-for-like span there.
        out["persuasion_like_for_like"] = (0, 0) if epithet else out["persuasion"]
    return out


def _diff(a: Counter, b: Counter) -> tuple[int, int]:
    """(labels in one multiset and not the other, labels) of two label multisets."""
    return (max(sum((a - b).values()), sum((b - a).values())),
            max(sum(a.values()), sum(b.values())))


def _is_epithet(surface: str) -> bool:
    key = " ".join(surface.split()).lower()
    return key in _EPITHETS or _TABLE.get(key, "").lower() in _EPITHETS
