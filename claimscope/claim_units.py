"""Checkable claim units: what of a sentence is sent to verification.

A sentence is selected when it is check-worthy or states a figure (a count, percent,
amount of money or measure). It is then taken apart, with rules over a dependency parse:

- **a figure's own clause** is a unit ("Clashes continued, during which around 240
  civilians were killed, the ministry said" -> "around 240 civilians were killed"),
  and its own retrieval query; figures of one clause share a unit;
- a check-worthy sentence without figures gives a unit per clause that states a claim
  of its own: the main clause, and a clause joined by "and"/"but" with its own subject
  or opened by "while", "after", "although" ... (not "if" or "or"), where it ends or
  starts the sentence;
- **attribution stays attached**: the reporting frame ("the ministry said", "according
  to the UN") is cut from the unit and kept as ``attributed_to``;
- **pronouns and back references** ("it", "they", "the group") that are a unit's subject
  are resolved to the actor named just before, when that is unambiguous: the reporting
  subject ("Hamas said it had freed ...") or the only actor of the sentence before; the
  query then names the actor, the unit's span stays the text as written;
- **not sent**: questions, list introductions ("X has achieved the following:"),
  predictions and plans (will, would, may ...), opinions without a figure (subjectivity
  >= 0.5), fragments of fewer than four words, and units about a person or speaker they
  do not name ("he", "her", "we", "our": out of their article they cannot be checked).
  They are returned with ``skipped`` set to the reason, so a caller can count them.

Everything here is rules: :func:`units` takes one sentence's parse (a spaCy ``Doc``
from ``claimscope.stages.ledger.load_parser``) and plain data, and returns plain dicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _ledger_lexicon as L
from .text import LINK_RE

__all__ = ["Unit", "units", "skip_reason", "SKIP_REASONS", "strip_dateline"]

#: why a sentence or clause is not checked
SKIP_REASONS = ("question", "list_intro", "prediction", "opinion", "fragment", "unresolved")
#: a person or speaker the unit does not name: it cannot be checked out of context
_UNRESOLVED = re.compile(r"(?<![\w-])(?:he|she|him|his|her|hers|i|me|my|we|us|our|you|your)"
                         r"(?![\w-])", re.I)

#: dependency labels of a clause inside a clause (cut from the unit they are not part of)
_CLAUSE_DEPS = frozenset({"advcl", "relcl", "ccomp", "conj", "parataxis", "csubj", "acl"})
_HEAD_DEPS = frozenset({"ROOT", "advcl", "relcl", "ccomp", "conj", "parataxis", "csubj"})
_SAY = re.compile(rf"^{L.SAY}$", re.IGNORECASE)
_SAY_LEMMAS = frozenset({"say", "tell", "add", "claim", "state", "announce", "report",
                         "confirm", "note", "write", "post", "tweet", "estimate", "allege"})
_MODALS = frozenset({"will", "would", "shall", "'ll", "’ll", "may", "might", "could",
                     "should", "must", "ought", "wo"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CONTRAST = frozenset({"while", "whereas", "whilst"})
#: marks of a subordinate clause that states a claim of its own
_SPLIT_MARKS = frozenset({"while", "whereas", "whilst", "after", "although", "though",
                          "before"})
_WH = frozenset({"which", "whom", "who", "whose", "that", "where", "when", "while"})
_EDGE = re.compile(r"^(?:[\s,;:–—|-]+|#\w+\s*|@\w+\s*)+|[\s,;:–—|-]+$")


@dataclass
class Unit:
    """One checkable unit of a sentence (offsets into the article)."""

    start: int
    end: int
    quantities: list[dict[str, Any]] = field(default_factory=list)
    attributed_to: str | None = None
    resolved: dict[str, str] | None = None
    query: str | None = None
    skipped: str | None = None

    def to_dict(self, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {"span": {"start": self.start, "end": self.end},
                               "text": text[self.start:self.end],
                               "quantities": self.quantities}
        if self.attributed_to:
            out["attributed_to"] = self.attributed_to
        if self.resolved:
            out["resolved"] = self.resolved
        out["query"] = self.query or out["text"]
        if self.skipped:
            out["skipped"] = self.skipped
        return out


def strip_dateline(text: str, start: int, end: int) -> int:
    """Where a sentence starts once a leading dateline ("GAZA, Nov 18 (Wire) - ") is cut."""
    m = L.DATELINE.match(text, start, end)
    return m.end() if m else start


def skip_reason(sentence: str, *, subjectivity: float | None = None,
                has_figure: bool = False) -> str | None:
    """Why a whole sentence is not checked (None: it is)."""
    s = sentence.strip().rstrip("\"'”’)» ").strip()
    if s.endswith("?"):
        return "question"
    if s.endswith(":"):
        return "list_intro"
    if len(s.split()) < 4:
        return "fragment"
    if not has_figure and subjectivity is not None and subjectivity >= 0.5:
        return "opinion"
    return None


def _token_at(sdoc: Any, rel: int) -> Any:
    for tok in sdoc:
        if tok.idx <= rel < tok.idx + len(tok.text):
            return tok
        if tok.idx > rel:
            return tok
    return sdoc[-1] if len(sdoc) else None


def _clause_head(tok: Any) -> Any:
    """The verb heading the clause that holds ``tok``."""
    cur = tok
    for _ in range(40):
        if cur.tag_.startswith("VB") and cur.dep_ in _HEAD_DEPS:
            return cur
        if cur.head is cur:
            return cur
        cur = cur.head
    return cur


def _is_say(tok: Any) -> bool:
    """Is ``tok`` a reporting verb ("said", "announced", "tweeted")?"""
    return tok.tag_.startswith("VB") and bool(_SAY.match(tok.text) or tok.lemma_ in _SAY_LEMMAS)


def _say_frame(head: Any) -> Any | None:
    """The reporting verb the clause of ``head`` is reported by ("X said [head ...]",
    "[...], during which 240 were killed, the ministry said"), if any."""
    cur = head
    for _ in range(4):
        if cur.head is cur:
            return None
        up = cur.head
        if cur.dep_ in ("ccomp", "parataxis", "conj") and _is_say(up):
            return up
        if cur.dep_ not in ("ccomp", "parataxis", "conj", "advcl", "relcl", "xcomp"):
            return None
        cur = up
    return None


def _according_to(head: Any) -> tuple[Any, Any] | None:
    """("according" token, its object) attached to the clause of ``head``."""
    for tok in head.subtree:
        if tok.lower_ == "according" and tok.head is not None:
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            obj = next((c for c in (to.children if to is not None else ()) if c.dep_ == "pobj"),
                       None)
            if obj is not None:
                return tok, obj
    return None


def _subject(tok: Any) -> Any | None:
    return next((c for c in tok.children if c.dep_ in _SUBJ), None)


def _span_text(toks: Sequence[Any]) -> str:
    """The text of a phrase as written ("Israel's government", not "Israel 's ...")."""
    toks = list(toks)
    while toks and toks[-1].is_punct and toks[-1].text in ",;:":
        toks.pop()
    return toks[0].doc.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)] if toks else ""


def _clause_tokens(head: Any, keep: set[int]) -> list[Any]:
    """The tokens of ``head``'s clause: its subtree minus clauses inside it that hold
    none of the ``keep`` token indices."""
    cut: set[int] = set()
    for child in head.children:
        if child.dep_ == "conj" and any(c.lower_ in ("or", "nor") for c in head.children
                                        if c.dep_ == "cc"):
            continue  # "killed or wounded": one claim
        if child.dep_ in _CLAUSE_DEPS and not (child.dep_ == "conj" and
                                               not child.tag_.startswith("VB")):
            sub = {t.i for t in child.subtree}
            if not sub & keep:
                cut |= sub
    return [t for t in head.subtree if t.i not in cut]


def _trim(toks: list[Any]) -> list[Any]:
    """Drop leading connectives ("during which", "and", "but", "that") and edge punctuation."""
    while toks and (toks[0].dep_ in ("cc", "mark", "punct", "prep") and not
                    any(c.dep_ == "pobj" and c.lower_ not in _WH for c in toks[0].children)
                    or toks[0].lower_ in _WH or toks[0].dep_ == "advmod" and
                    toks[0].lower_ in ("also", "then", "meanwhile")):
        if toks[0].dep_ == "prep":
            sub = {t.i for t in toks[0].subtree}
            toks = [t for t in toks if t.i not in sub]
        else:
            toks = toks[1:]
    while toks and toks[-1].dep_ in ("punct", "cc"):
        toks = toks[:-1]
    return toks


def _unresolved(unit: Unit, sent_doc: Any, keep: set[int], text: str, offset: int) -> bool:
    """Is the unit about someone the text does not name ("he", "her", "we")? Words of a
    link ("we-were-hungry"), "US" in capitals (the United States) and a pronoun inside a
    relative clause that does not hold the figure ("kidnapped from families that had paid
    her salary") do not count."""
    if unit.query is not None:
        check = unit.query
    else:
        chars = list(text[unit.start:unit.end])
        for tok in sent_doc:
            if tok.dep_ == "relcl" and not keep & {t.i for t in tok.subtree}:
                sub = list(tok.subtree)
                a = min(max(offset + sub[0].idx - unit.start, 0), len(chars))
                b = min(max(offset + sub[-1].idx + len(sub[-1].text) - unit.start, a),
                        len(chars))
                chars[a:b] = " " * (b - a)
        check = "".join(chars)
    check = LINK_RE.sub(" ", check)
    return any(m.group(0) != "US" for m in _UNRESOLVED.finditer(check))


def _is_pictograph(text: str) -> bool:
    """An emoji, arrow or other pictograph (not "%", "$", a letter or a digit)."""
    return bool(text) and unicodedata.category(text[0]) == "So"


def _finite(toks: list[Any]) -> bool:
    """Does the stretch have a finite verb (a clause of its own)?"""
    return any(t.tag_ in ("VBD", "VBP", "VBZ", "MD") for t in toks)


def _contrast_cut(toks: list[Any], keep: set[int]) -> list[Any]:
    """", while 85% of Gazans have had to leave their homes": a contrast joins two claims
    (a poor parse may hang both on one head); keep the side that holds the figures."""
    for n, tok in enumerate(toks[1:], 1):
        # "..., 500 people died in the blast ▶️ Israel Embassy ...": in a post, an arrow or
        # another pictograph separates two statements as a full stop would
        if _is_pictograph(tok.text):
            before = {t.i for t in toks[:n]}
            if keep <= before:
                return toks[:n]
            if not keep & before:
                return toks[n + 1:]
            continue
        # ", and tongues are starting to loosen": a poor parse may hang a second clause on
        # the figure's; when both sides have a finite verb, they are two claims
        joined = tok.lower_ in ("and", "but") and toks[n - 1].text == "," and \
            _finite(toks[:n - 1]) and _finite(toks[n + 1:])
        if (tok.lower_ in _CONTRAST or joined) and toks[n - 1].text == ",":
            before = {t.i for t in toks[:n]}
            if not keep & before:
                return toks[n:]
            if keep <= before:
                return toks[:n - 1]
    return toks


def _is_prediction(head: Any) -> bool:
    aux = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    return any(a.lower_ in _MODALS or a.tag_ == "MD" for a in aux) or \
        any(a.lower_ == "going" for a in aux)


def _said(head: Any) -> Any | None:
    """What a reporting verb reports ("X said [...]"), if ``head`` is one."""
    if _is_say(head):
        return next((c for c in head.children if c.dep_ in ("ccomp", "parataxis")), None)
    return None


def _said_aside(head: Any) -> Any | None:
    """A reporting aside of the clause of ``head`` ("..., its foreign minister said, ..."),
    if any."""
    return next((c for c in head.children if c.dep_ == "parataxis" and _is_say(c)
                 and _subject(c) is not None), None)


def _splits(head: Any) -> list[Any]:
    """The clauses under ``head`` that state a claim of their own: a coordinate clause
    with its own subject ("..., and Hamas fired rockets"; not "or") and a temporal or
    contrast clause ("after Israel accused ...", "while the bombing continues ...")."""
    out = []
    aside = _said_aside(head)
    for child in head.children:
        subj = _subject(child)
        # "and that includes ...": a clause whose subject stands for the one before is no
        # claim of its own
        own = child.tag_.startswith("VB") and subj is not None and subj.lower_ not in _WH
        if own and child.dep_ == "conj" and not any(
                c.dep_ == "cc" and c.lower_ in ("or", "nor") for c in head.children):
            out.append(child)
        elif own and child.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in _SPLIT_MARKS for c in child.children):
            out.append(child)
        elif child is aside:
            out.extend(_splits(child))
            continue
        else:
            continue
        out.extend(_splits(child))
    return out


def _clauses(root: Any, frame: Any | None = None) -> dict[Any, set[int]]:
    """A sentence without figures taken apart into the clauses that state a claim of their
    own, each with its token indices. A clause is split off only where it ends or starts
    its parent's text, so that every unit stays one stretch of the sentence; a reporting
    aside ("its foreign minister said") belongs to no clause. ``frame`` is the reporting
    verb ``root`` is the report of ("The army said [root ...], and the militants said
    ..."): its words belong to no clause, the reports joined to it are claims of their
    own."""
    def ids(tok: Any) -> set[int]:
        return {t.i for t in tok.subtree}

    out = {root: ids(root)}
    splits = _splits(root)
    if frame is not None:
        out[frame] = ids(frame) - out[root]
        # "..., and the militants said they shot down a drone": another report, with its
        # own speaker (a clause that is no report would read as the first speaker's)
        splits += [c for c in _splits(frame) if _said(c) is not None]
    # last clause first: "A did X, and B did Y, and C did Z" peels off Z, then Y
    for clause in sorted(splits, key=lambda c: -c.i):
        # the units' token sets are disjoint: one holds the clause's head, or none does
        # (a clause under a reporting verb outside what it reports)
        parent = next((h for h in out if clause.i in out[h]), None)
        if parent is None:
            continue
        sub = ids(clause) & out[parent]
        rest = sorted(out[parent] - sub)
        words = [i for i in rest if not clause.doc[i].is_punct]
        if not words or not (max(words) < min(sub) or min(words) > max(sub)):
            continue
        out[parent] = set(rest)
        # "while Israeli officials say the numbers do not ...": what they say, attributed
        said = _said(clause)
        if said is not None and min(ids(said)) > clause.i:
            clause, sub = said, ids(said) & sub
        out[clause] = sub
    if frame is not None:
        del out[frame]
    for head in out:
        aside = _said_aside(head)
        if aside is not None:
            out[head] -= ids(aside)
    return {h: toks for h, toks in out.items() if toks}


def units(sent_doc: Any, *, text: str, start: int, end: int,
          quantities: Sequence[dict[str, Any]], checkworthy: bool,
          subjectivity: float | None = None,
          actors_before: Sequence[tuple[str, ...]] = (),
          actors_in: Sequence[tuple[Any, ...]] = ()) -> list[Unit]:
    """The claim units of one sentence ``text[start:end]`` (already cut of its dateline).

    ``sent_doc`` is the parse of exactly ``text[start:end]``; ``quantities`` the numeric
    ones inside it (with article offsets); ``actors_before`` the (surface, actor, via) of
    the sentence before; ``actors_in`` the (start, end, surface, actor, via) mentions inside
    it (``via``: the gazetteer's alias group, "leaders" for a person; may be left out).
    """
    sentence = text[start:end]
    reason = skip_reason(sentence, subjectivity=subjectivity, has_figure=bool(quantities))
    if reason:
        return [Unit(start, end, list(quantities), skipped=reason)]
    if len(sent_doc) == 0:
        return []
    groups: dict[int, list[dict[str, Any]]] = {}
    heads: dict[int, Any] = {}
    for q in quantities:
        tok = _token_at(sent_doc, q["start"] - start)
        head = _clause_head(tok)
        groups.setdefault(head.i, []).append(q)
        heads[head.i] = head
    root = next((t for t in sent_doc if t.dep_ == "ROOT"), sent_doc[0])
    wholes: dict[int, set[int]] = {}
    if not groups:
        if not checkworthy:
            return []
        # no figure: the sentence as a whole, less a reporting frame ("X said [...]")
        said = _said(root)
        for head, toks in (_clauses(said, frame=root) if said is not None
                           else _clauses(root)).items():
            heads[head.i] = head
            groups[head.i] = []
            wholes[head.i] = toks
    out: list[Unit] = []
    for hi, qs in groups.items():
        head = heads[hi]
        keep = {_token_at(sent_doc, q["start"] - start).i for q in qs}
        if head.dep_ == "relcl" and head.head is not head:
            # "two women who were among the 200 hostages": the antecedent with its clause
            toks = list(head.head.subtree)
        else:
            toks = _clause_tokens(head, keep | {head.i} | wholes.get(hi, set()))
        if hi in wholes:
            toks = [t for t in toks if t.i in wholes[hi]]
        attributed = None
        frame = _say_frame(head) or _said_aside(head)
        if frame is not None:
            subj = _subject(frame)
            if subj is not None:
                attributed = _span_text(list(subj.subtree))
        acc = _according_to(head)
        if acc is not None:
            word, obj = acc
            attributed = attributed or _span_text(list(obj.subtree))
            drop = {t.i for t in word.subtree}
            toks = [t for t in toks if t.i not in drop]
        while qs and (cut := _contrast_cut(toks, keep)) != toks:
            toks = cut
        toks = _trim(toks)
        if not toks:
            continue
        u_start = start + toks[0].idx
        u_end = start + toks[-1].idx + len(toks[-1].text)
        # edge punctuation inside the character range (", " after a cut frame)
        piece = text[u_start:u_end]
        m = _EDGE.search(piece)
        while m and piece:
            if m.start() == 0:
                u_start += m.end()
            else:
                u_end -= len(piece) - m.start()
            piece = text[u_start:u_end]
            m = _EDGE.search(piece)
        if len(piece.split()) < 3 and not qs:
            continue
        unit = Unit(u_start, u_end, list(qs), attributed_to=attributed)
        if len(piece.split()) < 6 and qs:
            # "..., 1600 wounded": too short to find its passage; search with its sentence
            unit.query = sentence.strip()
        if _is_prediction(head):
            unit.skipped = "prediction"
        if unit.query is None:
            _resolve(unit, head, frame, text, start, actors_before, actors_in)
        if not unit.skipped and _unresolved(unit, sent_doc, keep, text, start):
            unit.skipped = "unresolved"
        out.append(unit)
    out.sort(key=lambda u: u.start)
    return out


def _is_leader(via: Sequence[Any]) -> bool:
    """Is a mention whose alias group is ``via`` (empty: unknown) a person?"""
    return bool(via) and via[0] == "leaders"


def _resolve(unit: Unit, head: Any, frame: Any | None, text: str, offset: int,
             actors_before: Sequence[tuple[str, ...]],
             actors_in: Sequence[tuple[Any, ...]]) -> None:
    """Name the actor a pronoun or back reference subject stands for, when unambiguous:
    "he" and "she" only a leader (a person), "it", "they" and "the group" only a party.

    ``offset`` is where the parsed sentence starts in ``text``.
    """
    subj = _subject(head)
    if subj is None:
        return
    phrase = list(subj.subtree)
    back = len(phrase) == 2 and phrase[0].lower_ == "the" and phrase[1].lower_ in L.BACK_REFS
    if subj.lower_ not in ("it", "they", "he", "she") and not back:
        return
    s0 = offset + phrase[0].idx
    s1 = offset + phrase[-1].idx + len(phrase[-1].text)
    if not (unit.start <= s0 and s1 <= unit.end):
        return
    # "Roy Edan ... before he was shot": "he" is a person, never "Hamas" named before
    person = subj.lower_ in ("he", "she")
    actors_in = [m[:4] for m in actors_in if _is_leader(m[4:]) == person]
    actors_before = [m[:2] for m in actors_before if _is_leader(m[2:]) == person]
    target: tuple[str, str] | None = None
    if frame is not None:  # "Hamas said it had freed ...": the one who said it
        fsubj = _subject(frame)
        if fsubj is not None and fsubj.i < subj.i:
            sub = list(fsubj.subtree)
            lo, hi = offset + sub[0].idx, offset + sub[-1].idx + len(sub[-1].text)
            named = {(s, a) for (m0, m1, s, a) in actors_in if lo <= m0 and m1 <= hi}
            if len({a for _, a in named}) != 1:
                # "Tillerson said he received a call from Trump": the speaker, whom the
                # gazetteer does not know, not an actor named elsewhere
                return
            target = sorted(named)[0]
    if target is None:  # else the only actor named before it, in this sentence or the last
        earlier = [(s, a) for (m0, _m1, s, a) in actors_in if m0 < s0]
        pool = earlier or list(actors_before)
        if pool and len({a for _, a in pool}) == 1:
            target = pool[-1]
    if target is None:
        return
    unit.resolved = {"from": text[s0:s1], "to": target[0], "actor": target[1]}
    unit.query = text[unit.start:s0] + target[0] + text[s1:unit.end]
