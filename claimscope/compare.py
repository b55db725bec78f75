"""Compare analysed articles: disagreeing figures, contradicting outcomes, one-sided claims,
and Tanbih/Prta-style aggregates of a collection.

    report = compare_documents(docs, sides={"Outlet A": "side 1", ...})
    report = compare_articles(iter_jsonl(Path("run/report.jsonl")))   # an analysed run
    tables = compare_tables(report)          # name -> rows, for CSV / Parquet
    html = claimscope.render.compare.render_compare_html(report)

- **Figures** (``figures``): quantities of articles of different outlets that count the
  same thing for the same population, place and day or period, and whose ranges do not
  meet. Two figures count the same thing when ``claimscope.numcompare`` says so: the
  same kind, unit and head noun (``compare_quantities``, strength ``strong``), words
  around them that share what happened (``same_context``), neither about another place
  (``other_place``) nor another measure (``measure_of``: a need against a delivery, a
  daily rate against a total); the same population (the actors named next to the
  figure: "36 Israeli children" is not "4,900 Palestinian children"); the same day or
  period (``period`` with each article's date from ``claimscope.dates.article_date``,
  running totals by ``is_cumulative``; no year named in one sentence that the other
  does not name). An article with no date and no day named in the sentence has no
  figure to compare.
- **Outcomes** (``outcomes``): ledger outcomes of different articles about the same actor
  and the same objective (the same domain and the same content words of the claim, or
  both the actor's objectives as a whole), one "achieved" and one "failed".
- **One-sided** (``one_sided``): ledger claims (actor, kind, polarity, domain) made only
  by the articles of one side, while articles of another side mention the same actor.
  A side is what ``sides`` maps an article's outlet (or id) to; without ``sides``, each
  outlet is its own side (``sides_from: "outlet"``). An article with no side (no outlet,
  or an outlet ``sides`` does not map) takes no part, and ``no_side`` counts them.
- **Aggregates** (``aggregates``): persuasion techniques per article by outlet and by
  side, and the share of check-worthy sentences and of opinion sentences by outlet and
  ISO week (``YYYY-Www`` of the article's date, ``undated`` without one).

When both articles carry sentence embeddings (``doc.tensors["sentence_embeddings"]``),
two sentences whose cosine is below ``EMBED_SAME`` are not about the same thing. The
articles are read one at a time and only what the comparison needs is kept, so a run of
any size can be compared.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .errors import Errors, InvalidParameterError

__all__ = ["compare_documents", "compare_articles", "compare_tables", "render_compare_html",
           "COMPARE_VERSION", "CHECKWORTHY", "OPINION"]

COMPARE_VERSION = "2"
#: Cosine of sentence embeddings below which two sentences are not about the same thing.
EMBED_SAME = 0.55
#: A sentence is check-worthy / opinion at or above these scores (as in the report).
CHECKWORTHY = 0.5
OPINION = 0.5
_KINDS = ("count", "percent", "money", "measure")
_WORD = re.compile(r"[^\W\d_]{3,}")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
#: words of an outcome claim that say it succeeded or failed, not what it was about
_OUTCOME_WORDS = frozenset("""achieve achieved achieving achievement fail failed failing
failure succeed succeeded success successful successfully objective objectives goal goals
aim aims target targets purpose purposes mission its their his her has have had been was
were the and that this not any all war campaign operation operations""".split())
_GENERIC_OBJECTIVE = re.compile(r"\b(?:objectives?|goals?|aims?|targets?|mission|purposes?)\b",
                                re.I)


# one article's share of the comparison ------------------------------------------------------
@dataclass
class _Figure:
    article: int
    q: dict[str, Any]            # the quantity, offsets into ``window``
    head: str
    window: str                  # the sentence before and the figure's sentence
    at: int                      # where the window starts in the article text
    sentence: tuple[int, int]    # the figure's sentence, in window offsets
    sentence_index: int
    day: Any                     # the day the figure is about (a date, or (month, day))
    ref: _dt.date | None
    years: frozenset[int]
    population: frozenset[str]
    cumulative: bool


@dataclass
class _Article:
    index: int
    meta: dict[str, Any]
    side: str | None
    date: _dt.date | None
    figures: list[_Figure] = field(default_factory=list)
    ledger: list[tuple[dict[str, Any], int, str]] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)
    embeddings: Any = None
    sentences: int = 0
    scored: int = 0
    checkworthy: int = 0
    opinion: int = 0
    opinion_scored: int = 0
    techniques: Counter = field(default_factory=Counter)
    spans: int = 0


def _side(doc: Document, sides: Mapping[str, str] | None) -> str | None:
    """The side of an article: what ``sides`` maps its outlet, id or source to; without
    ``sides``, its outlet. None when it has none: it is never a side of its own."""
    if sides is not None:
        for key in (doc.meta.get("outlet"), doc.meta.get("id"), doc.meta.get("source")):
            if key and key in sides:
                return str(sides[key])
        return None
    outlet = doc.meta.get("outlet")
    return str(outlet) if outlet else None


def _sentence_of(starts: list[int], ends: list[int], offset: int) -> int | None:
    import bisect

    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and offset < max(ends[i], starts[i] + 1):
        return i
    return None


def _day_of(sentence: str, ref: _dt.date | None, cumulative: bool) -> Any:
    """The day a figure is about: the one day its sentence names (with the article's year),
    else the article's date; None when nothing dates it."""
    from .dates import day_mentions

    days = day_mentions(sentence, ref, period_starts=False)
    if len(days) == 1 and not cumulative:
        month, day = next(iter(days))
        if ref is None:
            return (month, day)
        year = ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1
        try:
            return _dt.date(year, month, day)
        except ValueError:
            return (month, day)
    return ref


def _article(k: int, doc: Document, sides: Mapping[str, str] | None) -> _Article:
    from .dates import article_date
    from .numcompare import head_noun, inherit_counted, is_cumulative

    meta = doc.meta
    ref, _ = article_date(published=meta.get("published"), text=doc.text[:2000],
                          url=meta.get("url"))
    art = _Article(k, {"index": k, "id": meta.get("id"), "title": meta.get("title"),
                       "outlet": meta.get("outlet"), "source": meta.get("source"),
                       "url": meta.get("url"), "published": meta.get("published"),
                       "date": ref.isoformat() if ref else None, "errors": list(doc.errors)},
                   _side(doc, sides), ref)
    art.meta["side"] = art.side
    sents = list(doc.sentences)
    starts = [s.start for s in sents]
    ends = [s.end for s in sents]
    emb = doc.tensors.get("sentence_embeddings")
    art.embeddings = emb if emb is not None and len(emb) == len(sents) else None
    # aggregates
    art.sentences = len(sents)
    for s in sents:
        cw, op = s.attrs.get("checkworthiness"), s.attrs.get("subjectivity")
        if cw is not None:
            art.scored += 1
            art.checkworthy += cw >= CHECKWORTHY
        if op is not None:
            art.opinion_scored += 1
            art.opinion += op >= OPINION
    for span in doc.spans["persuasion"]:
        tech = span.attrs.get("technique") or span.label
        if tech:
            art.techniques[str(tech)] += 1
            art.spans += 1
    # figures
    mentions = [(m.start, m.end, str(m.label)) for m in doc.spans["actors"]]
    quantities = inherit_counted(doc.text, [q.to_dict() for q in doc.spans["quantities"]])
    for q in quantities:
        if q.get("kind") not in _KINDS or (q.get("low") is None and q.get("high") is None):
            continue
        head = head_noun(q.get("counted"))
        si = _sentence_of(starts, ends, q["start"])
        if head is None or si is None:
            continue
        lo = starts[si - 1] if si > 0 else starts[si]
        hi = ends[si]
        window = doc.text[lo:hi]
        local = dict(q, start=q["start"] - lo, end=q["end"] - lo)
        sentence = (starts[si] - lo, hi - lo)
        text_of_sentence = window[sentence[0]:sentence[1]]
        cumulative = is_cumulative(window, local["start"], local["end"])
        day = _day_of(text_of_sentence, ref, cumulative)
        if day is None:
            continue  # nothing dates it: it cannot be the same day as another figure
        reach = q["end"] + len(q.get("counted") or "") + 24
        population = frozenset(name for a, b, name in mentions
                               if b > q["start"] - 2 and a < reach and a >= starts[si])
        art.figures.append(_Figure(
            k, local, head, window, lo, sentence, si, day, ref,
            frozenset(int(y) for y in _YEAR.findall(text_of_sentence)), population,
            cumulative))
    # ledger
    for row in doc.fields.get("ledger") or []:
        si = _sentence_of(starts, ends, int(row.get("start", 0)))
        if si is None:
            continue
        sent = row.get("sentence") or {}
        s, e = sent.get("start", row.get("start", 0)), sent.get("end", row.get("end", 0))
        art.ledger.append(({k2: row.get(k2) for k2 in ("actor", "kind", "polarity", "domain",
                                                       "text", "attributed_to")},
                           si, doc.text[s:e]))
    art.actors = {str(a.get("name")) for a in doc.fields.get("actors") or []}
    return art


# similarity (embeddings, when both articles have them) --------------------------------------
def _cosine(a: _Article, i: int, b: _Article, j: int) -> float | None:
    if a.embeddings is None or b.embeddings is None:
        return None
    u, v = a.embeddings[i], b.embeddings[j]
    nu = math.sqrt(float((u * u).sum()))
    nv = math.sqrt(float((v * v).sum()))
    return float((u * v).sum()) / (nu * nv) if nu and nv else None


# figures ----------------------------------------------------------------------------------
def _day_key(day: Any) -> Any:
    return day if isinstance(day, tuple) else day.isoformat()


def _neighbours(day: Any) -> list[Any]:
    if isinstance(day, tuple):
        return [day]
    return [day + _dt.timedelta(days=d) for d in (-1, 0, 1)]


def _same_figure(a: _Figure, b: _Figure, arts: list[_Article]) -> tuple[bool, str]:
    """Do two figures count the same thing for the same population, place and day?
    (answer, the reason when not)."""
    from .numcompare import measure_of, other_place, period, same_context

    if a.population != b.population:
        return False, "population"
    if a.years != b.years:
        return False, "year"
    for x, y in ((a, b), (b, a)):
        if not same_context(x.window, x.q, y.window, y.q):
            return False, "context"
        if other_place(x.window, x.q["start"], x.q, y.window, y.q):
            return False, "place"
        when = period(x.window[x.sentence[0]:x.sentence[1]], x.ref, y.window, y.q, y.ref,
                      cumulative=x.cumulative or y.cumulative)
        if when != "same":
            return False, f"period:{when}"
    ma, mb = (measure_of(f.window, f.q["start"], f.q["end"]) for f in (a, b))
    if ma[1] != mb[1] or (ma[0] and mb[0] and not ma[0] & mb[0]):
        return False, "measure"
    cos = _cosine(arts[a.article], a.sentence_index, arts[b.article], b.sentence_index)
    if cos is not None and cos < EMBED_SAME:
        return False, "embedding"
    return True, ""


def _disagree(a: _Figure, b: _Figure) -> bool:
    """The two figures' intervals do not meet, whichever is read as the claim."""
    from .numcompare import compare_quantities

    for x, y in ((a, b), (b, a)):
        r = compare_quantities(x.q, y.q)
        if r is None or r["strength"] != "strong" or r["relation"] != "inconsistent":
            return False
    return True


def _other_outlet(a: _Article, b: _Article) -> bool:
    oa, ob = a.meta.get("outlet"), b.meta.get("outlet")
    return a.index != b.index and (not oa or not ob or oa != ob)


def _figure_item(f: _Figure, art: _Article) -> dict[str, Any]:
    from .numcompare import interval

    lo, hi = interval(f.q)
    s0, s1 = f.sentence
    return {
        "article": f.article, "outlet": art.meta.get("outlet"), "side": art.side,
        "text": f.q.get("text"), "start": f.q["start"] + f.at, "end": f.q["end"] + f.at,
        "low": f.q.get("low"), "high": f.q.get("high"), "bound": f.q.get("bound"),
        "approximate": f.q.get("approximate"),
        "range": [lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None],
        "counted": f.q.get("counted"), "unit": f.q.get("unit"), "kind": f.q.get("kind"),
        "day": _day_key(f.day) if not isinstance(f.day, tuple) else f"--{f.day[0]:02d}-"
                                                                      f"{f.day[1]:02d}",
        "cumulative": f.cumulative, "population": sorted(f.population),
        "sentence": {"start": s0 + f.at, "end": s1 + f.at, "text": f.window[s0:s1]},
    }


def _figures(arts: list[_Article]) -> tuple[list[dict[str, Any]], Counter]:
    buckets: dict[tuple, list[_Figure]] = defaultdict(list)
    for art in arts:
        for f in art.figures:
            buckets[(f.q.get("kind"), f.q.get("unit"), f.head, _day_key(f.day))].append(f)
    figs = [f for art in arts for f in art.figures]
    ident = {id(f): i for i, f in enumerate(figs)}
    parent = list(range(len(figs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs: dict[tuple[int, int], bool] = {}
    skipped: Counter = Counter()
    for f in figs:
        x = ident[id(f)]
        for day in _neighbours(f.day):
            for g in buckets.get((f.q.get("kind"), f.q.get("unit"), f.head, _day_key(day)),
                                 ()):
                y = ident[id(g)]
                if y <= x or (min(x, y), max(x, y)) in pairs:
                    continue
                if not _other_outlet(arts[f.article], arts[g.article]):
                    continue
                same, why = _same_figure(f, g, arts)
                if not same:
                    skipped[why.split(":")[0]] += 1
                    continue
                pairs[(x, y)] = _disagree(f, g)
                parent[find(x)] = find(y)
    clusters: dict[int, list[int]] = defaultdict(list)
    for x, y in pairs:
        for z in (x, y):
            if z not in clusters[find(z)]:
                clusters[find(z)].append(z)
    out = []
    for members in clusters.values():
        bad = [(x, y) for (x, y), d in pairs.items() if d and find(x) == find(members[0])]
        if not bad:
            continue
        members.sort(key=lambda m: (figs[m].article, figs[m].q["start"]))
        first = figs[members[0]]
        out.append({
            "counted": first.q.get("counted"), "head": first.head,
            "kind": first.q.get("kind"), "unit": first.q.get("unit"),
            "day": _figure_item(first, arts[first.article])["day"],
            "population": sorted(first.population),
            "outlets": sorted({str(arts[figs[m].article].meta.get("outlet") or "")
                               for m in members} - {""}),
            "items": [_figure_item(figs[m], arts[figs[m].article]) for m in members],
            "disagreeing_pairs": len(bad),
            "pairs": [[members.index(x), members.index(y)] for x, y in bad],
        })
    out.sort(key=lambda f: (-f["disagreeing_pairs"], str(f["day"]), str(f["counted"])))
    return out, skipped


# outcomes ---------------------------------------------------------------------------------
def _objective(row: dict[str, Any]) -> frozenset[str]:
    """What an outcome claim is about: the stems of its content words, less the actor's
    name and the words of success and failure; empty for "its objectives" as a whole."""
    actor = {w.lower() for w in _WORD.findall(str(row.get("actor") or ""))}
    words = [w.lower() for w in _WORD.findall(str(row.get("text") or ""))]
    return frozenset(w[:5] for w in words if w not in actor and w not in _OUTCOME_WORDS)


def _same_objective(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("domain") != b.get("domain"):
        return False
    oa, ob = _objective(a), _objective(b)
    generic = [not o and bool(_GENERIC_OBJECTIVE.search(str(r.get("text") or "")))
               for o, r in ((oa, a), (ob, b))]
    if all(generic):
        return True  # "failed to achieve its objectives" / "achieved its objectives"
    if not oa or not ob:
        return False
    return len(oa & ob) / len(oa | ob) >= 0.5


def _row_item(k: int, row: dict[str, Any], sentence: str, art: _Article) -> dict[str, Any]:
    return {"article": k, "outlet": art.meta.get("outlet"), "side": art.side, **row,
            "sentence": {"text": sentence}}


def _outcomes(arts: list[_Article]) -> list[dict[str, Any]]:
    by_actor: dict[Any, list[tuple[int, dict[str, Any], int, str]]] = defaultdict(list)
    for art in arts:
        for row, si, sentence in art.ledger:
            if row.get("kind") == "outcome" and row.get("polarity") in ("achieved", "failed"):
                by_actor[row.get("actor")].append((art.index, row, si, sentence))
    out = []
    for actor, rows in by_actor.items():
        achieved = [r for r in rows if r[1]["polarity"] == "achieved"]
        failed = [r for r in rows if r[1]["polarity"] == "failed"]
        for ka, ra, ia, sa in achieved:
            for kb, rb, ib, sb in failed:
                if ka == kb or not _same_objective(ra, rb):
                    continue
                cos = _cosine(arts[ka], ia, arts[kb], ib)
                if cos is not None and cos < EMBED_SAME * 0.6:
                    continue
                out.append({"actor": actor, "domain": ra.get("domain"),
                            "objective": sorted(_objective(ra) | _objective(rb)),
                            "similarity": None if cos is None else round(cos, 3),
                            "items": [_row_item(kb, rb, sb, arts[kb]),
                                      _row_item(ka, ra, sa, arts[ka])]})
    out.sort(key=lambda c: (str(c["actor"]), c["items"][0]["article"]))
    return out


# one-sided claims --------------------------------------------------------------------------
def _one_sided(arts: list[_Article]) -> list[dict[str, Any]]:
    if len({a.side for a in arts if a.side is not None}) < 2:
        return []
    claims: dict[tuple[Any, ...], list[tuple[int, dict[str, Any], str]]] = defaultdict(list)
    for art in arts:
        if art.side is None:
            continue
        for row, _, sentence in art.ledger:
            key = (row.get("actor"), row.get("kind"), row.get("polarity"), row.get("domain"))
            claims[key].append((art.index, row, sentence))
    out = []
    for key, found in claims.items():
        made_by = {arts[k].side for k, _, _ in found}
        if len(made_by) != 1:
            continue
        silent = sorted({a.side for a in arts if a.side is not None and a.side not in made_by
                         and key[0] in a.actors})
        if not silent:
            continue  # the other sides do not talk about this actor at all
        out.append({"actor": key[0], "kind": key[1], "polarity": key[2], "domain": key[3],
                    "side": next(iter(made_by)), "silent_sides": silent,
                    "items": [_row_item(k, row, s, arts[k]) for k, row, s in found]})
    out.sort(key=lambda c: (-len(c["items"]), str(c["actor"])))
    return out


# aggregates -------------------------------------------------------------------------------
def _week(day: _dt.date | None) -> str:
    if day is None:
        return "undated"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _aggregates(arts: list[_Article], by_side: bool) -> dict[str, Any]:
    def techniques(key: str) -> list[dict[str, Any]]:
        groups: dict[str, list[_Article]] = defaultdict(list)
        for a in arts:
            name = a.meta.get("outlet") if key == "outlet" else a.side
            groups[str(name) if name else f"(no {key})"].append(a)
        rows = []
        for name, members in sorted(groups.items()):
            total: Counter = Counter()
            for a in members:
                total.update(a.techniques)
            n = len(members)
            rows.append({key: name, "articles": n, "spans": sum(total.values()),
                         "spans_per_article": round(sum(total.values()) / n, 3),
                         "techniques": {t: round(c / n, 3) for t, c in total.most_common()},
                         "counts": dict(total.most_common())})
        return rows

    weeks: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for a in arts:
        key = (str(a.meta.get("outlet") or "(no outlet)"), _week(a.date))
        w = weeks[key]
        for i, v in enumerate((1, a.sentences, a.scored, a.checkworthy, a.opinion_scored,
                               a.opinion)):
            w[i] += v
    shares = [{"outlet": o, "week": wk, "articles": v[0], "sentences": v[1],
               "checkworthy": v[3], "checkworthy_share": _share(v[3], v[2]),
               "opinion": v[5], "opinion_share": _share(v[5], v[4])}
              for (o, wk), v in sorted(weeks.items())]
    return {"techniques_by_outlet": techniques("outlet"),
            "techniques_by_side": techniques("side") if by_side else [],
            "shares_by_week": shares}


# the report -------------------------------------------------------------------------------
def compare_articles(items: Iterable[Document | dict[str, Any]],
                     sides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The comparison report of analysed articles (Documents, or article objects of a JSON
    report: a run's ``report.jsonl``), read one at a time (see the module doc)."""
    arts = []
    for k, item in enumerate(items):
        doc = item if isinstance(item, Document) else Document.from_dict(item)
        arts.append(_article(k, doc, sides))
    if len(arts) < 2:
        raise InvalidParameterError(Errors.E203.format(got=len(arts)))
    figures, skipped = _figures(arts)
    no_side = sum(1 for a in arts if a.side is None)
    return {
        "compare_version": COMPARE_VERSION,
        "similarity": "embedding" if all(a.embeddings is not None for a in arts)
        else "lexical",
        "sides_from": "--sides" if sides is not None else "outlet",
        "no_side": no_side,
        "articles": [a.meta for a in arts],
        "figures": figures,
        "figure_pairs_set_aside": dict(skipped),
        "outcomes": _outcomes(arts),
        "one_sided": _one_sided(arts),
        "aggregates": _aggregates(arts, by_side=sides is not None),
    }


def compare_documents(docs: Sequence[Document], sides: Mapping[str, str] | None = None
                      ) -> dict[str, Any]:
    """The comparison report of two or more analysed Documents (see the module doc)."""
    return compare_articles(list(docs), sides)


def compare_tables(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report as flat tables (name -> rows of scalars), for CSV and Parquet."""
    arts = report.get("articles", [])

    def title(k: int) -> Any:
        return arts[k].get("title") if 0 <= k < len(arts) else None

    figures = [{"figure": i, "counted": f.get("counted"), "head": f.get("head"),
                "kind": f.get("kind"), "unit": f.get("unit"), "day": f.get("day"),
                "article": it["article"], "article_id": arts[it["article"]].get("id"),
                "title": title(it["article"]), "outlet": it.get("outlet"),
                "side": it.get("side"), "text": it.get("text"), "low": it.get("low"),
                "high": it.get("high"), "range_low": it["range"][0],
                "range_high": it["range"][1], "cumulative": it.get("cumulative"),
                "sentence": (it.get("sentence") or {}).get("text")}
               for i, f in enumerate(report.get("figures", [])) for it in f["items"]]
    outcomes = [{"contradiction": i, "actor": c.get("actor"), "domain": c.get("domain"),
                 "article": it["article"], "article_id": arts[it["article"]].get("id"),
                 "outlet": it.get("outlet"), "side": it.get("side"),
                 "polarity": it.get("polarity"), "claim": it.get("text"),
                 "attributed_to": it.get("attributed_to"),
                 "sentence": (it.get("sentence") or {}).get("text")}
                for i, c in enumerate(report.get("outcomes", [])) for it in c["items"]]
    one_sided = [{"actor": c.get("actor"), "kind": c.get("kind"),
                  "polarity": c.get("polarity"), "domain": c.get("domain"),
                  "side": c.get("side"), "silent_sides": "; ".join(c.get("silent_sides", [])),
                  "articles": len(c.get("items", []))} for c in report.get("one_sided", [])]
    agg = report.get("aggregates", {})
    techniques = [{"group": key, "name": row[key], "articles": row["articles"],
                   "technique": tech, "spans": row["counts"][tech], "per_article": per}
                  for key, rows in (("outlet", agg.get("techniques_by_outlet", [])),
                                    ("side", agg.get("techniques_by_side", [])))
                  for row in rows for tech, per in row["techniques"].items()]
    return {"figures": figures, "outcomes": outcomes, "one_sided": one_sided,
            "techniques": techniques, "shares_by_week": list(agg.get("shares_by_week", [])),
            "articles": [{k: v for k, v in a.items() if k != "errors"}
                         | {"errors": len(a.get("errors") or [])} for a in arts]}


def render_compare_html(report: dict[str, Any]) -> str:
    """The comparison page (kept here for callers of claimscope 0.1: it lives in
    ``claimscope.render.compare``)."""
    from .render.compare import render_compare_html as render

    return render(report)
