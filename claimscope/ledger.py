"""The outcome ledger: who is said to want what, and to have achieved or failed what.

:func:`extract_rows` turns an article's sentences, actor mentions and
quantities (plus dependency parses of the sentences that need one) into
ledger rows::

    {"actor": "Russia", "kind": "outcome", "polarity": "failed",
     "domain": "military", "start": 0, "end": 19, "text": "Russia lost 3 tanks",
     "sentence": {"start": 0, "end": 20}, "attributed_to": "author",
     "quantities": [...], "cue": "lost"}

How a row is found:

1. A cue from :mod:`claimscope._ledger_lexicon` matches in a sentence
   ("vowed to", "managed to", "has failed to", "destroyed", "lost", "its goal
   is to", "a blow to").
2. The actor is the cue verb's agent in the dependency parse: its active
   subject (through "managed to"/"failed to" complements and conjunctions), or
   in the passive the "by" agent; with no actor agent, the patient of an
   achievement verb fails ("Hamas was defeated", "Russian tanks were
   destroyed"). Subject pronouns are resolved to the speaker (we, our) or to
   the nearest actor before them (it, they, he, she). Bullets without a
   subject take the actor of the line that introduces the list.
3. Negation flips the polarity ("did not capture": failed). Killing and
   destruction count only against military targets, never civilians.
4. The domain is the best-scoring keyword lexicon over the row's clause.
5. ``attributed_to`` is the named source when the cue is inside a quotation
   or a reported clause ("X said", "according to X"), else ``"author"``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import _ledger_lexicon as L
from .text import WORD_ONE_APOSTROPHE_RE, ascii_words, last_sentence_break

__all__ = ["extract_rows", "find_cues", "SentenceInfo", "Mention", "needs_parse", "KINDS",
           "POLARITIES", "DOMAINS"]

KINDS = ("objective", "outcome")
POLARITIES = ("achieved", "failed", "neutral")
DOMAINS = ("military", "political", "diplomatic", "information", "humanitarian", "economic")

_DOMAIN_RE = {d: re.compile(r"(?<![\w-])(?:" + "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=len, reverse=True)) + ")",
    re.IGNORECASE) for d, ws in L.DOMAINS.items()}
_SAY = L.SAY
_NP = r"[^,.;:!?\"“”\n]{2,90}?"
_AFTER_QUOTE = re.compile(
    rf"^[\s,]*(?:(?:{_SAY})\s+(?P<np1>{_NP})(?=\s*[,.;:!?]|\s+(?:on|in|at|by|during|after|"
    rf"before|to|from|late|earlier|last|this|yesterday|today)\b|\s*$)|"
    rf"(?P<np2>{_NP})\s+(?:{_SAY})\b)", re.IGNORECASE)
_BEFORE_QUOTE = re.compile(rf"(?P<np>{_NP})\s+(?:{_SAY})(?:\s+\w+){{0,3}}\s*[,:]\s*$",
                           re.IGNORECASE)
_ACCORDING = re.compile(rf"(?:according\s+to|in\s+the\s+words\s+of|citing|cited\s+by)\s+"
                        rf"(?P<np>{_NP})(?=\s*[,.;:!?]|\s*$|\s+(?:on|in|at|which|who)\b)",
                        re.IGNORECASE)
_LEAD_SAY = re.compile(rf"^(?P<np>{_NP})\s+(?:(?:has|have|had|also|again|repeatedly|"
                       rf"publicly|previously|now)\s+)*(?P<say>(?-i:{_SAY}))\b"
                       rf"(?!\s+to\b(?!\s+have\b))",
                       re.IGNORECASE)
_TRAIL_SAY = re.compile(rf",\s*(?:(?P<np1>{_NP})\s+(?-i:{_SAY})|(?-i:{_SAY})\s+(?P<np2>{_NP}))"
                        rf"(?:\s+[^,]{{0,40}})?[.!?\"”]*\s*$", re.IGNORECASE)
_QUOTES = re.compile(r"“[^”\n]*”?|\"[^\"\n]*\"?|‘[^’\n]{20,}’")
_TIME_TAIL = re.compile(r"\s+(?:on|in|at|late|early|earlier|last|this)\s+\w+$", re.IGNORECASE)
_LEAD_NP = re.compile(r"^(?P<np>(?:[\w'’-]+\s+){1,9}?)(?:[\w'’-]+ed|is|was|are|were|has|"
                      r"have|had|said|says|told|will|would|rejected|denied|took|made|gave|"
                      r"spoke|wrote|sent|went)\b")
_NEG_WINDOW = 24


class _Actor(NamedTuple):
    """Whom a row is about: the actor's name, how it was found (as named: "forces",
    "leaders", ...; or "pronoun", "intro") and where (an offset in the article; -1 for
    the actor of a list's introduction)."""

    name: str
    via: str
    at: int


class Mention(NamedTuple):
    """A mention of an actor: its offsets in the article, the actor, and how it is
    named ("forces", "leaders", "government", "demonyms", "places", ...). The ledger's
    view of a :class:`claimscope.actors.Mention`, as the stage passes it (no alias)."""

    start: int
    end: int
    actor: str
    via: str

    def as_actor(self) -> _Actor:
        return _Actor(self.actor, self.via, self.start)


@dataclass
class SentenceInfo:
    """One sentence of the article with what the ledger needs about it.

    ``mentions`` may be given as plain (start, end, actor, via) tuples; they are kept as
    :class:`Mention`.
    """

    start: int
    end: int
    mentions: list[Mention] = field(default_factory=list)
    line: int = 0
    bullet: bool = False

    def __post_init__(self) -> None:
        self.mentions = [Mention(*m) for m in self.mentions]


@dataclass(frozen=True)
class CueHit:
    cue: L.Cue
    start: int  # offsets in the article text
    end: int
    vstart: int
    vend: int


@functools.lru_cache(maxsize=16384)
def find_cues(text: str, start: int = 0, end: int | None = None) -> tuple[CueHit, ...]:
    """Cues in ``text[start:end]``, one per head word (the first listed cue wins).

    Cached: the stage asks for a sentence's cues when it picks the sentences to parse
    and again when it builds their rows.
    """
    end = len(text) if end is None else end
    cues: frozenset[int] = frozenset()
    for w in WORD_ONE_APOSTROPHE_RE.findall(text, start, end):
        cues |= _cues_of(w.lower())
    if not cues:
        return ()
    return _find_cues(text, start, end, cues)


@functools.lru_cache(maxsize=65536)
def _cues_of(word: str) -> frozenset[int]:
    """Indices of the cues whose head can start with ``word`` (cached per word)."""
    return frozenset(i for i, t in enumerate(L.CUE_TRIGGERS) if t.fullmatch(word))


@functools.lru_cache(maxsize=4096)
def _find_cues(text: str, start: int, end: int, which: frozenset[int]
               ) -> tuple[CueHit, ...]:
    hits: dict[int, CueHit] = {}
    for i, cue in enumerate(L.CUES):
        if i not in which:
            continue
        for m in cue.regex.finditer(text, start, end):
            vs, ve = m.span("v") if m.group("v") is not None else m.span()
            if vs not in hits:
                hits[vs] = CueHit(cue, m.start(), m.end(), vs, ve)
    return tuple(sorted(hits.values(), key=lambda h: h.vstart))


def needs_parse(text: str, sent: SentenceInfo) -> bool:
    """A sentence is parsed only when it has a cue and someone to attach it to."""
    if not find_cues(text, sent.start, sent.end):
        return False
    if sent.mentions or sent.bullet:
        return True
    return not L.PRONOUNS.isdisjoint(ascii_words(text[sent.start:sent.end]))


# attribution ----------------------------------------------------------------------------
@dataclass
class _Source:
    text: str
    start: int  # where the source phrase is in the article (for its actor)
    end: int


def _clean_np(np: str) -> str:
    np = np.strip(" ,;:'\"“”‘’")
    np = re.sub(r"^(?:and|but|as|while|which|that|so|yet|then)\s+", "", np, flags=re.I)
    prev = None
    while prev != np:
        prev = np
        np = _TIME_TAIL.sub("", np)
    return np.strip()


def _quote_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTES.finditer(text) if m.end() - m.start() > 12]


def _quote_source(text: str, qs: int, qe: int, quotes: Sequence[tuple[int, int]] = ()
                  ) -> _Source | None:
    line_end = text.find("\n", qe)
    line_end = len(text) if line_end < 0 else line_end
    after = text[qe:min(line_end, qe + 140)]
    m = _AFTER_QUOTE.match(after)
    if m:
        g = "np1" if m.group("np1") else "np2"
        return _Source(_clean_np(m.group(g)), qe + m.start(g), qe + m.end(g))
    line_start = text.rfind("\n", 0, qs) + 1
    before_from = max(line_start, qs - 160)
    before = text[before_from:qs]
    cut = last_sentence_break(before)
    if cut >= 0:
        before_from += cut + 2
        before = text[before_from:qs]
    m = _BEFORE_QUOTE.search(before)
    if m:
        return _Source(_clean_np(m.group("np")), before_from + m.start("np"),
                       before_from + m.end("np"))
    # a quote that continues another: '"...," he said. "..."' takes the earlier speaker
    ends = [e for _, e in quotes if line_start <= e <= qs and qs - e < 160]
    if ends:
        seg_from = max(ends)
        m = _AFTER_QUOTE.match(text[seg_from:qs])
        if m:
            g = "np1" if m.group("np1") else "np2"
            return _Source(_clean_np(m.group(g)), seg_from + m.start(g), seg_from + m.end(g))
    return None


def _reported_source(text: str, start: int, end: int, cue_at: int) -> _Source | None:
    """The source of the sentence's reported speech, if the cue is in its scope."""
    sent = text[start:end]
    for m in _ACCORDING.finditer(sent):
        if not (m.start() <= cue_at - start < m.end()):
            return _Source(_clean_np(m.group("np")), start + m.start("np"),
                           start + m.end("np"))
    m = _LEAD_SAY.match(sent)
    if m and cue_at - start >= m.end("say"):
        np = m.group("np")
        if not re.search(r"[“\"]", np):
            return _Source(_clean_np(np), start + m.start("np"), start + m.end("np"))
    m = _TRAIL_SAY.search(sent)
    if m and cue_at - start < m.start():
        g = "np1" if m.group("np1") else "np2"
        return _Source(_clean_np(m.group(g)), start + m.start(g), start + m.end(g))
    return None


# the rows ------------------------------------------------------------------------------
class _Article:
    """Per-article state shared by the row builders."""

    def __init__(self, text: str, sentences: list[SentenceInfo],
                 quantities: Sequence[dict[str, Any]]) -> None:
        self.text = text
        self.sentences = sentences
        self.quantities = quantities
        self.quotes = _quote_spans(text)
        self._quote_src: dict[tuple[int, int], _Source | None] = {}

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for s in self.sentences if s.start < end and start < s.end
                for m in s.mentions if m.start < end and start < m.end]

    def quantities_in(self, lo: int, hi: int) -> list[dict[str, Any]]:
        return [q for q in self.quantities if lo <= q["start"] and q["end"] <= hi]

    def source_for(self, si: int, at: int) -> tuple[str, str | None]:
        """(attributed_to, actor of the source) for a cue at offset ``at`` of sentence si."""
        text, actor, _ = self.source_span(si, at)
        return text, actor

    def source_span(self, si: int, at: int
                    ) -> tuple[str, str | None, tuple[int, int] | None]:
        """As source_for, with the offsets of the attribution in the sentence (or None)."""
        sent = self.sentences[si]
        for qs, qe in self.quotes:
            if qs <= at < qe:
                if (qs, qe) not in self._quote_src:
                    self._quote_src[(qs, qe)] = self._resolve_source(
                        _quote_source(self.text, qs, qe, self.quotes), si)
                src = self._quote_src[(qs, qe)]
                if src is None:
                    return "unnamed source (quoted)", None, None
                return src.text, self._source_actor(src), (src.start, src.end)
        raw = _reported_source(self.text, sent.start, sent.end, at)
        if raw is not None and raw.text:
            src = self._resolve_source(raw, si)
            if src is not None:
                return src.text, self._source_actor(src), (max(sent.start, raw.start - 16),
                                                           raw.end)
        return "author", None, None

    def _resolve_source(self, src: _Source | None, si: int) -> _Source | None:
        """Replace a pronoun source (he said) by the subject of an earlier sentence."""
        if src is None or src.text.lower() not in L.PRONOUNS:
            return src
        line = self.sentences[si].line
        for j in range(si - 1, max(-1, si - 4), -1):
            prev = self.sentences[j]
            if prev.line != line and j < si - 1:
                break
            ptext = self.text[prev.start:prev.end].lstrip()
            if ptext[:1] in "“\"'‘":
                continue  # a quotation: its speaker is what we are looking for
            m = _LEAD_NP.match(ptext)
            if m:
                np = m.group("np").strip()
                off = self.text.find(np, prev.start)
                if np.lower() not in L.PRONOUNS and off >= 0:
                    return _Source(np, off, off + len(np))
        return src

    def _source_actor(self, src: _Source) -> str | None:
        found = self.mentions_in(src.start, src.end)
        return found[0].actor if found else None

    def resolve_pronoun(self, word: str, si: int, at: int) -> str | None:
        """The actor a pronoun at offset ``at`` of sentence si most likely refers to."""
        word = word.lower()
        sent = self.sentences[si]
        _, speaker_actor = self.source_for(si, at)
        if word in ("we", "our", "us", "i", "ourselves"):
            return speaker_actor
        lead = self.text[max(sent.start, at - 40):at]
        if speaker_actor is not None and re.search(
                rf"(?:{_SAY})\s+(?:that\s+)?$", lead, re.IGNORECASE):
            return speaker_actor  # "the army said it had ...": the speaker
        person = word in ("he", "his", "him", "she", "her")
        before = [m for m in sent.mentions if m.end <= at]
        if before:
            pick = [m for m in before if (m.via == "leaders") == person
                    and m.via != "places"] or [m for m in before if m.via != "places"] or before
            return pick[0].actor
        for j in range(si - 1, max(-1, si - 4), -1):
            prev = self.sentences[j]
            if prev.mentions:
                pick = [m for m in prev.mentions if (m.via == "leaders") == person]
                return (pick or prev.mentions)[0].actor
        return None

    def pronoun_actor(self, word: str, si: int, at: int) -> _Actor | None:
        """The actor a pronoun at offset ``at`` of sentence si stands for, found there."""
        name = self.resolve_pronoun(word, si, at)
        return _Actor(name, "pronoun", at) if name else None


def _negated(text: str, hit: CueHit, lo: int) -> bool:
    window = text[max(lo, hit.vstart - _NEG_WINDOW):hit.vstart]
    window = window.split(",")[-1]
    return bool(L.NEGATION.search(window)) or bool(
        L.NEGATION.match(text, hit.vend, min(len(text), hit.vend + 5)))


def _flip(polarity: str) -> str:
    return {"achieved": "failed", "failed": "achieved"}.get(polarity, polarity)


def _domain(text: str, lo: int, hi: int, cue_at: int, via: str | None,
            kind: str, own: bool = False, skip: tuple[int, int] | None = None) -> str:
    """The best-scoring domain of text[lo:hi]; words after the cue count double.

    With no keyword: an outcome is military, an objective political (unless the actor
    was named by its forces), a self-inflicted loss ("hurt its standing") political.
    """
    scores = dict.fromkeys(L.DOMAIN_ORDER, 0.0)
    first: tuple[int, str] | None = None
    for d, rx in _DOMAIN_RE.items():
        for m in rx.finditer(text, lo, hi):
            if skip and skip[0] <= m.start() < skip[1]:
                continue  # the attribution ("according to a diplomat") says nothing
            scores[d] += 2.0 if m.start() >= cue_at else 1.0
            if m.start() > cue_at and (first is None or m.start() < first[0]):
                first = (m.start(), d)
    if first is not None:
        scores[first[1]] += 0.5  # the word nearest after the cue says most
    if via == "forces":
        scores["military"] += 0.5
    elif via in ("government", "leaders"):
        scores["political"] += 0.25
    elif via == "agencies":
        scores["humanitarian"] += 0.5
    best = max(L.DOMAIN_ORDER, key=lambda d: (scores[d], -L.DOMAIN_ORDER.index(d)))
    if scores[best] <= 0.5:
        if own:
            return "political"
        if kind == "outcome" or via == "forces":
            return "military"
        return "political" if scores[best] == 0 else best
    return best


class _Reading(NamedTuple):
    """What a cue's parse says: the actor (None: look further), the polarity, and the
    row's span when the parse gives one."""

    actor: _Actor | None
    polarity: str
    span: tuple[int, int] | None


class _Intro(NamedTuple):
    """What the line introducing a bulleted list says: its actor and the items' kind."""

    actor: str | None
    kind: str | None
    polarity: str | None


class _RowBuilder:
    """Builds the rows of one article's sentences, one cue hit at a time."""

    #: parses whose token starts are kept; one article's parsed sentences fit
    STARTS_KEPT = 256

    def __init__(self, art: _Article) -> None:
        self.art = art
        self.text = art.text
        # id(parse) -> (parse, its token starts); the parse is kept so its id is not reused
        self._starts: dict[int, tuple[Any, list[int]]] = {}

    # parse helpers ----------------------------------------------------------------
    def _token_at(self, sdoc: Any, rel: int) -> Any:
        """The token of a parse that covers offset ``rel`` (bisect on token starts)."""
        cached = self._starts.get(id(sdoc))
        if cached is None or cached[0] is not sdoc:
            cached = (sdoc, [t.idx for t in sdoc])
            self._starts[id(sdoc)] = cached
            if len(self._starts) > self.STARTS_KEPT:
                del self._starts[next(iter(self._starts))]  # the oldest
        i = bisect.bisect_right(cached[1], rel) - 1
        if i < 0:
            return None
        tok = sdoc[i]
        return tok if rel < tok.idx + max(1, len(tok.text)) else None

    @staticmethod
    def _subject(v: Any) -> tuple[Any, bool, Any]:
        """(subject token, passive, agent token) of verb v, following complements."""
        for _ in range(6):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
            if subj:
                s = subj[0]
                agent = next((g for c in v.children if c.dep_ == "agent"
                              for g in c.children if g.dep_ == "pobj"), None)
                return s, s.dep_ == "nsubjpass", agent
            if v.dep_ == "xcomp":
                obj = [c for c in v.head.children if c.dep_ in ("dobj",)]
                if obj:  # object control: "forced Hamas to retreat"
                    return obj[0], False, None
            if v.dep_ == "conj" and re.fullmatch(_SAY, v.head.text, re.IGNORECASE):
                # "X pressed on, the army said, but failed to ...": the reported clause
                comp = next((c for c in v.head.children if c.dep_ == "ccomp"), None)
                if comp is not None:
                    v = comp
                    continue
            if v.dep_ in ("xcomp", "conj", "advcl", "pcomp", "prep", "aux", "acomp",
                          "auxpass", "amod") or (v.dep_ == "pobj"):
                if v.head is v:
                    break
                v = v.head
                continue
            if v.dep_ in ("relcl", "acl"):
                agent = next((g for c in v.children if c.dep_ == "agent"
                              for g in c.children if g.dep_ == "pobj"), None)
                return v.head, v.tag_ == "VBN", agent
            break
        return None, False, None

    def _actor_in(self, tok: Any, base: int, si: int | None = None) -> _Actor | None:
        """(actor, via, offset) of the actor mention heading a token's subtree.

        With ``si``, a pronoun ("it", "its army") or a definite description
        ("the movement", "the group") with no mention is resolved.
        """
        lo = tok.left_edge.idx + base
        hi = tok.right_edge.idx + len(tok.right_edge.text) + base
        cands = self.art.mentions_in(lo, hi)
        if not cands:
            if si is None:
                return None
            word = tok.text.lower()
            poss = next((c for c in tok.children if c.dep_ == "poss"
                         and c.text.lower() in L.PRONOUNS), None)
            det = next((c for c in tok.children if c.dep_ == "det"), None)
            if word in L.PRONOUNS:
                name = self.art.resolve_pronoun(word, si, tok.idx + base)
            elif poss is not None:
                name = self.art.resolve_pronoun(poss.text, si, poss.idx + base)
            elif (word in L.BACK_REFS and det is not None
                  and det.text.lower() in ("the", "this")):
                name = self.art.resolve_pronoun("it", si, tok.idx + base)
            else:
                name = None
            return _Actor(name, "pronoun", tok.idx + base) if name else None

        def depth(m: Mention) -> int:
            t = self._token_at(tok.doc, m.start - base)
            d = 0
            while t is not None and t is not tok and d < 20:
                if t.head is t:
                    return 99
                t = t.head
                d += 1
            return d if t is tok else 99
        return min(cands, key=lambda m: (depth(m), m.start)).as_actor()

    @staticmethod
    def _span_of(v: Any, base: int, extra: Sequence[int] = ()) -> tuple[int, int]:
        toks = [v]
        stack = [c for c in v.children if c.dep_ not in ("conj", "cc", "advcl", "parataxis",
                                                         "punct", "mark")]
        while stack:
            t = stack.pop()
            toks.append(t)
            stack.extend(t.children)
        toks = [t for t in toks if not t.is_space] or [v]
        lo = min(t.idx for t in toks) + base
        hi = max(t.idx + len(t.text) for t in toks) + base
        for x in extra:
            lo = min(lo, x)
        return lo, hi

    # rows -------------------------------------------------------------------------
    def rows(self, si: int, sdoc: Any, intro: _Intro | None) -> list[dict[str, Any]]:
        """The rows of sentence si (``sdoc``: its parse, or None), one per cue hit that
        no other cue covers, duplicates dropped."""
        sent = self.art.sentences[si]
        text = self.text
        hits = find_cues(text, sent.start, sent.end)
        toks, heads = self._cue_tokens(sent, sdoc, hits)
        controls = [h for h in hits if h.cue.mode == "control"]
        out: list[dict[str, Any]] = []
        for h in hits:
            tok = toks.get(id(h))
            if sdoc is not None and tok is None:
                continue
            if sdoc is None and any(c is not h and c.end <= h.vstart <= c.end + 40 and
                                    not re.search(r"[,;:.]", text[c.end:h.vstart])
                                    for c in controls):
                continue  # no parse: a cue in a "failed to ..." complement is covered
            if tok is not None and self._subsumed(tok, heads, h):
                continue
            row = self._row(si, h, tok, intro)
            if row is not None:
                out.append(row)
        return _dedupe(out)

    def _cue_tokens(self, sent: SentenceInfo, sdoc: Any, hits: Sequence[CueHit]
                    ) -> tuple[dict[int, Any], dict[int, CueHit]]:
        """({id(hit): its head token}, {token index: hit}) for the hits whose head word
        is a token of the parse, and a verb where the cue wants one."""
        toks: dict[int, Any] = {}
        heads: dict[int, CueHit] = {}
        if sdoc is None:
            return toks, heads
        for h in hits:
            tok = self._token_at(sdoc, h.vstart - sent.start)
            if tok is None:
                continue
            if h.cue.mode in ("verb",) and not (tok.tag_.startswith("VB") or tok.tag_ == "MD"):
                continue  # "Israeli forces", "advanced weapons": not the verb
            toks[id(h)] = tok
            heads[tok.i] = h
        return toks, heads

    @staticmethod
    def _subsumed(tok: Any, heads: dict[int, CueHit], hit: CueHit) -> bool:
        """True when a governing cue (managed to, failed to, vowed to) covers this one."""
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            return False  # its own subject: its own clause
        t = tok
        for _ in range(5):
            if t.head is t:
                return False
            if t is not tok and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children):
                return t.i in heads and heads[t.i] is not hit and heads[t.i].cue.mode in (
                    "control",)
            if t.dep_ not in ("xcomp", "pcomp", "prep", "pobj", "ccomp", "acomp", "aux",
                              "conj"):
                return False
            t = t.head
            if t.i in heads and heads[t.i] is not hit and heads[t.i].cue.mode == "control":
                return True
        return False

    def _row(self, si: int, h: CueHit, tok: Any, intro: _Intro | None
             ) -> dict[str, Any] | None:
        """The row of cue hit h in sentence si (``tok``: its head token, or None without a
        parse), or None: no actor, a filtered object, a forecast, a negated objective."""
        sent = self.art.sentences[si]
        reading = self._read_parse(si, h, tok)
        if reading is None:
            return None
        actor, polarity, span = reading
        if actor is None:
            actor = self._fallback_actor(si, h, tok, intro)
        if actor is None or not actor.name:
            return None
        final = self._final_polarity(sent, h, polarity)
        if final is None:
            return None
        lo, hi = self._row_span(sent, h, span)
        via = actor.via if actor.via not in ("pronoun", "intro") else None
        attributed, _, src_span = self.art.source_span(si, h.vstart)
        cue = h.cue
        domain = _domain(self.text, lo, hi, h.vstart, via, cue.kind, cue.filter == "own",
                         src_span)
        return _ledger_row(self.art, sent, actor=actor.name, kind=cue.kind,
                           polarity=final if cue.kind == "outcome" else "neutral",
                           domain=domain, lo=lo, hi=hi, attributed_to=attributed,
                           cue=self.text[h.vstart:h.vend])

    def _read_parse(self, si: int, h: CueHit, tok: Any) -> _Reading | None:
        """The actor the parse gives a cue: a verb's agent, a noun's owner; None when the
        verb's object fails the cue's filter (the row is dropped)."""
        cue = h.cue
        if tok is not None and cue.mode in ("control", "verb"):
            return self._verb_reading(si, cue, tok)
        actor = None
        if tok is not None and cue.mode in ("noun", "for"):
            actor = self._noun_actor(si, h, tok, self.art.sentences[si].start)
        return _Reading(actor, cue.polarity, None)

    def _verb_reading(self, si: int, cue: L.Cue, tok: Any) -> _Reading | None:
        """A verb cue: its agent, the polarity (an achievement suffered by its patient,
        or aimed at the actor itself, fails) and the verb's clause as the span."""
        base = self.art.sentences[si].start
        v = tok.head if cue.name in ("able", "unable") and tok.dep_ == "acomp" else tok
        actor, patient = self._verb_actor(si, v, cue, base)
        polarity = "failed" if patient else cue.polarity
        if cue.filter and not patient and not self._object_ok(v, base, cue, actor):
            return None
        if (actor is not None and not patient and cue.polarity == "achieved"
                and cue.kind == "outcome" and self._object_actor(v, base) == actor.name):
            polarity = "failed"  # "Putin has isolated Russia": a self-inflicted loss
        top = v
        while top.dep_ in ("xcomp", "aux", "acomp") and top.head is not top:
            top = top.head
        span = self._span_of(top, base, [actor.at] if actor and actor.at >= base else [])
        return _Reading(actor, polarity, span)

    def _verb_actor(self, si: int, v: Any, cue: L.Cue, base: int
                    ) -> tuple[_Actor | None, bool]:
        """(actor, whether it is the patient of an achievement verb) of verb v: the
        active subject or the passive "by" agent; else an actor the verb happens to
        ("Hamas was defeated", "destroyed Russian tanks": it failed)."""
        s, passive, agent = self._subject(v)
        if passive:
            found = self._actor_in(agent, base, si) if agent is not None else None
            if found is not None:
                return found, False
            if s is None:
                return None, False
            actor = self._patient_actor(s, base, cue, si)
            return actor, actor is not None and cue.polarity == "achieved"
        if s is None:
            return None, False
        if s.text.lower() in L.PRONOUNS:
            actor = self.art.pronoun_actor(s.text, si, s.idx + base)
        else:
            actor = self._actor_in(s, base, si)
        if actor is None and cue.kind == "outcome" and cue.polarity == "achieved":
            obj = next((c for c in v.children if c.dep_ in ("dobj",)), None)
            if obj is not None and cue.filter in ("military", "civilian"):
                actor = self._patient_actor(obj, base, cue)
                if actor is not None:
                    return actor, True
        return actor, False

    def _fallback_actor(self, si: int, h: CueHit, tok: Any, intro: _Intro | None
                        ) -> _Actor | None:
        """The actor when the parse gives none: named just after "a blow to", the
        nearest mention before the cue (no parse), the list's actor (a bullet), or the
        owner of "its"/"their" before an objective noun."""
        sent = self.art.sentences[si]
        if h.cue.mode == "for":
            after = [m for m in sent.mentions if h.end <= m.start <= h.end + 30]
            if after:
                return after[0].as_actor()
        if tok is None:
            before = [m for m in sent.mentions if m.end <= h.vstart]
            if before:
                return before[-1].as_actor()
        if sent.bullet and intro and intro.actor:
            return _Actor(intro.actor, "intro", -1)
        if h.cue.mode in ("noun",):
            text = self.text
            poss = re.search(r"(?:its|their|his|her)\s+(?:\w+\s+){0,3}$",
                             text[max(sent.start, h.start - 40):h.vstart + 1])
            if poss or re.match(r"(?:its|their|his|her)\b", text[h.start:h.vstart], re.I):
                return self.art.pronoun_actor("its", si, h.start)
        return None

    def _final_polarity(self, sent: SentenceInfo, h: CueHit, polarity: str) -> str | None:
        """The polarity once negation flips an outcome ("did not capture"); None for a
        forecast ("will lose") or a negated objective ("does not seek")."""
        text, cue = self.text, h.cue
        if cue.kind == "outcome" and L.FUTURE.search(
                text, max(sent.start, h.vstart - 30), h.vstart):
            return None  # "will lose", "would not cede": a forecast or a pledge
        negated = _negated(text, h, sent.start)
        if negated and cue.kind == "outcome":
            return _flip(polarity)
        if negated and cue.kind == "objective" and cue.mode != "noun":
            return None
        return polarity

    def _row_span(self, sent: SentenceInfo, h: CueHit, span: tuple[int, int] | None
                  ) -> tuple[int, int]:
        """The row's text: the verb's clause, or the clause around the cue; inside the
        sentence, past a bullet mark and leading space."""
        text = self.text
        lo, hi = span if span is not None else _clause(text, sent.start, sent.end, h.vstart)
        lo, hi = max(lo, sent.start), min(hi, sent.end)
        if sent.bullet:
            m = L.BULLET.match(text, sent.start)
            lo = max(lo, m.end()) if m else lo
        while lo < hi and text[lo].isspace():
            lo += 1
        return lo, hi

    def _object_actor(self, v: Any, base: int) -> str | None:
        obj = next((c for c in v.children if c.dep_ == "dobj"), None)
        if obj is None:
            return None
        found = self._actor_in(obj, base)
        return found.name if found else None

    def _patient_actor(self, s: Any, base: int, cue: L.Cue, si: int | None = None
                       ) -> _Actor | None:
        found = self._actor_in(s, base, si)
        if found is None:
            return None
        lo = s.left_edge.idx + base
        hi = s.right_edge.idx + len(s.right_edge.text) + base
        phrase = self.text[lo:hi]
        if found.via == "demonyms" and not L.MILITARY_TARGETS.search(phrase):
            return None  # "Palestinians were killed", "Israelis were wounded": no verdict
        if cue.filter and L.CIVILIAN.search(phrase) and not L.MILITARY_TARGETS.search(phrase):
            return None
        return found

    def _object_ok(self, v: Any, base: int, cue: L.Cue, actor: _Actor | None) -> bool:
        """Filters of harm, capture and self-harm verbs, on the verb's object."""
        obj = [c for c in v.children if c.dep_ in ("dobj", "attr", "oprd")]
        if not obj:
            prep = [g for c in v.children if c.dep_ == "prep" for g in c.children
                    if g.dep_ == "pobj"]
            obj = prep[:1]
        if not obj:
            return cue.filter != "own"
        o = obj[0]
        lo = o.left_edge.idx + base
        hi = o.right_edge.idx + len(o.right_edge.text) + base
        phrase = self.text[lo:hi]
        civilian = L.CIVILIAN.search(phrase)
        military = L.MILITARY_TARGETS.search(phrase)
        if cue.filter == "own":
            return bool(re.match(r"(?:its|their|his|her)\b", phrase, re.I))
        if cue.filter == "civilian":
            return not (civilian and not military)
        obj_actor = [m for m in self.art.mentions_in(lo, hi) if m.via != "demonyms"]
        if civilian and not military:
            return False
        return bool(military or obj_actor)

    def _noun_actor(self, si: int, h: CueHit, tok: Any, base: int) -> _Actor | None:
        """The owner of an objective or verdict noun: its possessive ("Russia's goal"),
        "a blow to X", "the aim of X", the subject of the clause it sits in, or the
        mention just before it."""
        for c in tok.children:
            if c.dep_ == "poss":
                if c.text.lower() in L.PRONOUNS:
                    return self.art.pronoun_actor(c.text, si, c.idx + base)
                found = self._actor_in(c, base)
                if found:
                    return found
        if h.cue.mode == "for":
            for c in tok.children:
                if c.dep_ == "prep" and c.text.lower() in ("for", "to"):
                    for g in c.children:
                        found = self._actor_in(g, base)
                        if found:
                            return found
        for c in tok.children:
            if c.dep_ == "prep" and c.text.lower() == "of":
                for g in c.children:
                    found = self._actor_in(g, base)
                    if found:
                        return found
        # "in a bid to", "victory in": the subject of the clause the noun sits in
        t = tok
        for _ in range(4):
            if t.head is t:
                break
            t = t.head
            if t.tag_.startswith("VB") or t.tag_ == "MD":
                s, passive, _ = self._subject(t)
                if s is not None and not passive:
                    if s.text.lower() in L.PRONOUNS:
                        return self.art.pronoun_actor(s.text, si, s.idx + base)
                    if s is not tok and not any(x is tok for x in s.subtree):
                        return self._actor_in(s, base)
                break
        sent = self.art.sentences[si]
        before = [m for m in sent.mentions if m.end <= h.vstart and h.vstart - m.end < 40]
        if before:
            return before[-1].as_actor()
        return None


def _clause(text: str, start: int, end: int, at: int) -> tuple[int, int]:
    """The clause around offset ``at``: between ; — or ', but' / ', while' marks."""
    seps = re.compile(r";|\s[—–]\s|,\s+(?:but|while|whereas|yet|although)\s")
    lo, hi = start, end
    for m in seps.finditer(text, start, end):
        if m.end() <= at:
            lo = m.end()
        elif m.start() >= at:
            hi = m.start()
            break
    while lo < hi and text[lo].isspace():
        lo += 1
    return lo, hi


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in rows:
        key = (r["actor"], r["kind"], r["polarity"], r["domain"])
        if any((o["actor"], o["kind"], o["polarity"], o["domain"]) == key
               and o["start"] < r["end"] and r["start"] < o["end"] for o in out):
            continue
        out.append(r)
    return out


def _intro(text: str, sentences: list[SentenceInfo], si: int) -> _Intro | None:
    """What the line introducing a bulleted list says: its actor and the items' kind."""
    j = si - 1
    while j >= 0 and sentences[j].bullet:
        j -= 1
    if j < 0:
        return None
    lead = sentences[j]
    ltext = text[lead.start:lead.end]
    if not (ltext.rstrip().endswith(":") or L.INTRO_ACHIEVED.search(ltext)
            or L.INTRO_FAILED.search(ltext) or L.INTRO_OBJECTIVE.search(ltext)):
        return None
    ach, fail, obj = (L.INTRO_ACHIEVED.search(ltext), L.INTRO_FAILED.search(ltext),
                      L.INTRO_OBJECTIVE.search(ltext))
    hits = [(m.start(), k, p) for m, k, p in ((ach, "outcome", "achieved"),
                                             (fail, "outcome", "failed"),
                                             (obj, "objective", "neutral")) if m]
    kind, polarity = (None, None)
    if hits:
        _, kind, polarity = min(hits)
    mentions = [m for m in lead.mentions if m.via != "demonyms"] or lead.mentions
    return _Intro(mentions[0].actor if mentions else None, kind, polarity)


def extract_rows(text: str, sentences: list[SentenceInfo],
                 quantities: Sequence[dict[str, Any]] = (),
                 parses: dict[int, Any] | None = None) -> list[dict[str, Any]]:
    """Ledger rows of one article.

    ``parses`` maps a sentence index to the spaCy parse of that sentence's text
    (offsets relative to the sentence start); sentences without a parse use the
    nearest actor mention before the cue.
    """
    parses = parses or {}
    art = _Article(text, sentences, quantities)
    builder = _RowBuilder(art)
    rows: list[dict[str, Any]] = []
    for si, sent in enumerate(sentences):
        if (not sent.bullet and si + 1 < len(sentences) and sentences[si + 1].bullet
                and text[sent.start:sent.end].rstrip().endswith(":")):
            continue  # a list's introduction: its items are the rows
        intro = _intro(text, sentences, si) if sent.bullet else None
        found = builder.rows(si, parses.get(si), intro) if (
            si in parses or needs_parse(text, sent)) else []
        if sent.bullet and intro and intro.kind and intro.actor:
            own = [r for r in found if r["actor"] == intro.actor]
            if not own:
                found.append(_intro_row(art, si, intro.actor, intro.kind, intro.polarity))
        rows.extend(found)
    return rows


def _intro_row(art: _Article, si: int, actor: str, kind: str, polarity: str | None
               ) -> dict[str, Any]:
    """A list item's row from its introduction ("Its achievements:") when its own cues
    gave the list's actor none."""
    sent = art.sentences[si]
    m = L.BULLET.match(art.text, sent.start)
    lo = m.end() if m else sent.start
    hi = sent.end
    domain = _domain(art.text, lo, hi, lo, None, kind)
    return _ledger_row(art, sent, actor=actor, kind=kind, polarity=polarity, domain=domain,
                       lo=lo, hi=hi, attributed_to=art.source_for(si, lo)[0],
                       cue="(list item)")


def _ledger_row(art: _Article, sent: SentenceInfo, *, actor: str, kind: str,
                polarity: str | None, domain: str, lo: int, hi: int, attributed_to: str,
                cue: str) -> dict[str, Any]:
    """A row as the ledger returns it (text[lo:hi] is the row's text)."""
    return {
        "actor": actor, "kind": kind, "polarity": polarity, "domain": domain,
        "start": lo, "end": hi, "text": art.text[lo:hi],
        "sentence": {"start": sent.start, "end": sent.end},
        "attributed_to": attributed_to, "quantities": art.quantities_in(lo, hi), "cue": cue,
    }
