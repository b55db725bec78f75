"""Compare analysed articles: disagreeing figures, contradicting outcomes, one-sided claims.

    report = compare_documents(docs, sides={"Outlet A": "side 1", ...})
    html = render_compare_html(report)

- **Figures** (``figures``): quantities of different articles about the same
  counted thing (same kind and unit, same head noun of ``counted``, and
  similar sentences) whose ranges do not overlap: "around 500 soldiers
  killed" (450–550 with the approximation margin) against "nearly 900
  soldiers killed". Shown side by side with their articles and sentences.
- **Outcomes** (``outcomes``): ledger rows of different articles about the
  same actor and domain with opposite polarity ("X failed to achieve its
  objectives" / "X achieved its objectives") and similar sentences.
- **One-sided** (``one_sided``): ledger claims (actor, kind, polarity,
  domain) made only by the articles of one side, while articles of another
  side mention the same actor. A side is what ``sides`` maps an article's
  outlet (or id) to; without it, each outlet (or article) is its own side.
  claimscope does not decide which outlet belongs to which side.

Similarity is the cosine of the sentence embeddings of the ``encode`` stage
when both articles have them (``doc.tensors["sentence_embeddings"]``), else
the overlap of content-word stems; never string equality.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from .document import Document
from .errors import Errors, InvalidParameterError

__all__ = ["compare_documents", "render_compare_html", "COMPARE_VERSION"]

COMPARE_VERSION = "1"
#: Cosine of sentence embeddings above which two sentences are about the same thing.
EMBED_SAME = 0.55
#: Stem overlap (Jaccard) above which two sentences are about the same thing.
LEXICAL_SAME = 0.2
#: An approximate figure ("around 500") stands for +/- this share of its value.
APPROX_MARGIN = 0.1
_KINDS = ("count", "percent", "money", "measure")
_STOP = frozenset("""a an the of in on at to for from by with and or but as is was were are be
been being has have had it its this that these those their his her they he she we our
said says say about around some nearly almost more than less over under least most up
into since after before during while which who whom what when where there here not no
also would could will can may might than then so such per each every other another new
one two three four five six seven eight nine ten""".split())
_WORD = re.compile(r"[^\W\d_]{3,}")


# similarity ------------------------------------------------------------------------------
def _stem(w: str) -> str:
    w = w.lower()
    for suf in ("ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[:-len(suf)]
    return w


def _stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP)


class _Sentences:
    """Sentence texts, stems and embeddings of one document, by sentence start."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.starts = [s.start for s in doc.sentences]
        emb = doc.tensors.get("sentence_embeddings")
        self.emb = emb if emb is not None and len(emb) == len(self.starts) else None
        self._stems: dict[int, frozenset[str]] = {}

    def index(self, offset: int) -> int | None:
        for i, s in enumerate(self.doc.sentences):
            if s.start <= offset < max(s.end, s.start + 1):
                return i
        return None

    def stems(self, i: int) -> frozenset[str]:
        if i not in self._stems:
            self._stems[i] = _stems(self.doc.sentences[i].text)
        return self._stems[i]


def _similarity(a: _Sentences, i: int, b: _Sentences, j: int) -> tuple[float, str]:
    """(similarity, method) of sentence i of a and sentence j of b."""
    if a.emb is not None and b.emb is not None:
        u, v = a.emb[i], b.emb[j]
        nu = math.sqrt(float((u * u).sum()))
        nv = math.sqrt(float((v * v).sum()))
        if nu and nv:
            return float((u * v).sum()) / (nu * nv), "embedding"
    sa, sb = a.stems(i), b.stems(j)
    if not sa or not sb:
        return 0.0, "lexical"
    return len(sa & sb) / len(sa | sb), "lexical"


def _same(sim: float, method: str, scale: float = 1.0) -> bool:
    return sim >= (EMBED_SAME if method == "embedding" else LEXICAL_SAME) * scale


# figures ---------------------------------------------------------------------------------
def _head(counted: str | None) -> str | None:
    if not counted:
        return None
    words = _WORD.findall(counted)
    return _stem(words[-1]) if words else None


def _range(q: dict[str, Any]) -> tuple[float, float]:
    lo = q.get("low")
    hi = q.get("high")
    lo = -math.inf if lo is None else float(lo)
    hi = math.inf if hi is None else float(hi)
    if q.get("approximate"):
        if math.isfinite(lo):
            lo -= abs(lo) * APPROX_MARGIN
        if math.isfinite(hi):
            hi += abs(hi) * APPROX_MARGIN
    return lo, hi


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _figure_item(k: int, doc: Document, q: Any, sents: _Sentences) -> dict[str, Any]:
    i = sents.index(q.start)
    sent = doc.sentences[i] if i is not None else None
    lo, hi = _range(q.to_dict())
    return {
        "article": k, "text": q.text, "start": q.start, "end": q.end,
        "low": q.attrs.get("low"), "high": q.attrs.get("high"),
        "bound": q.attrs.get("bound"), "approximate": q.attrs.get("approximate"),
        "range": [_num(lo), _num(hi)], "counted": q.attrs.get("counted"),
        "unit": q.attrs.get("unit"), "kind": q.attrs.get("kind"),
        "sentence": ({"start": sent.start, "end": sent.end, "text": sent.text}
                     if sent is not None else None),
    }


def _figures(docs: Sequence[Document], sents: list[_Sentences]) -> list[dict[str, Any]]:
    cands = []  # (article, quantity span, head, sentence index)
    for k, doc in enumerate(docs):
        for q in doc.spans["quantities"]:
            a = q.attrs
            head = _head(a.get("counted"))
            if a.get("kind") not in _KINDS or head is None:
                continue
            if a.get("low") is None and a.get("high") is None:
                continue
            si = sents[k].index(q.start)
            if si is not None:
                cands.append((k, q, head, si))
    parent = list(range(len(cands)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    sims: dict[tuple[int, int], tuple[float, str]] = {}
    for x, y in combinations(range(len(cands)), 2):
        (ka, qa, ha, ia), (kb, qb, hb, ib) = cands[x], cands[y]
        if ka == kb or ha != hb:
            continue
        if (qa.attrs.get("kind"), qa.attrs.get("unit")) != (qb.attrs.get("kind"),
                                                            qb.attrs.get("unit")):
            continue
        sim, method = _similarity(sents[ka], ia, sents[kb], ib)
        if _same(sim, method):
            sims[(x, y)] = (sim, method)
            parent[find(x)] = find(y)
    clusters: dict[int, list[int]] = defaultdict(list)
    for x in range(len(cands)):
        clusters[find(x)].append(x)
    out = []
    for members in clusters.values():
        if len({cands[m][0] for m in members}) < 2:
            continue
        ranges = {m: _range(cands[m][1].to_dict()) for m in members}
        disagree = [(x, y) for x, y in combinations(members, 2)
                    if cands[x][0] != cands[y][0] and not _overlap(ranges[x], ranges[y])]
        if not disagree:
            continue
        pair_sims = [sims[p] for p in sims if p[0] in members and p[1] in members]
        first = cands[members[0]][1]
        out.append({
            "counted": first.attrs.get("counted"), "head": cands[members[0]][2],
            "kind": first.attrs.get("kind"), "unit": first.attrs.get("unit"),
            "similarity": round(max(s for s, _ in pair_sims), 3) if pair_sims else None,
            "method": pair_sims[0][1] if pair_sims else None,
            "items": [_figure_item(cands[m][0], docs[cands[m][0]], cands[m][1],
                                   sents[cands[m][0]]) for m in members],
            "disagreeing_pairs": len(disagree),
        })
    out.sort(key=lambda f: (-f["disagreeing_pairs"], str(f["counted"])))
    return out


# outcomes --------------------------------------------------------------------------------
def _row_item(k: int, row: dict[str, Any], doc: Document) -> dict[str, Any]:
    sent = row.get("sentence") or {}
    s, e = sent.get("start", row.get("start", 0)), sent.get("end", row.get("end", 0))
    return {"article": k, "actor": row.get("actor"), "kind": row.get("kind"),
            "polarity": row.get("polarity"), "domain": row.get("domain"),
            "text": row.get("text"), "attributed_to": row.get("attributed_to"),
            "sentence": {"start": s, "end": e, "text": doc.text[s:e]}}


def _rows(docs: Sequence[Document], sents: list[_Sentences]
          ) -> list[tuple[int, dict[str, Any], int]]:
    out = []
    for k, doc in enumerate(docs):
        for row in doc.fields.get("ledger") or []:
            si = sents[k].index(int(row.get("start", 0)))
            if si is not None:
                out.append((k, row, si))
    return out


def _outcomes(docs: Sequence[Document], sents: list[_Sentences]) -> list[dict[str, Any]]:
    rows = [r for r in _rows(docs, sents) if r[1].get("kind") == "outcome"]
    out = []
    seen: set[tuple[int, int]] = set()
    for x, y in combinations(range(len(rows)), 2):
        (ka, ra, ia), (kb, rb, ib) = rows[x], rows[y]
        if ka == kb or ra.get("actor") != rb.get("actor"):
            continue
        if {ra.get("polarity"), rb.get("polarity")} != {"achieved", "failed"}:
            continue
        sim, method = _similarity(sents[ka], ia, sents[kb], ib)
        same_domain = ra.get("domain") == rb.get("domain")
        if not (same_domain and _same(sim, method, 0.6)) and not _same(sim, method):
            continue
        if (x, y) in seen:
            continue
        seen.add((x, y))
        out.append({"actor": ra.get("actor"), "domain": ra.get("domain") if same_domain
                    else f"{ra.get('domain')}/{rb.get('domain')}",
                    "similarity": round(sim, 3), "method": method,
                    "items": [_row_item(ka, ra, docs[ka]), _row_item(kb, rb, docs[kb])]})
    out.sort(key=lambda c: -c["similarity"])
    return out


# one-sided claims ------------------------------------------------------------------------
def _side(doc: Document, k: int, sides: Mapping[str, str] | None) -> str:
    keys = [doc.meta.get("outlet"), doc.meta.get("id"), doc.meta.get("source")]
    if sides:
        for key in keys:
            if key and key in sides:
                return str(sides[key])
    return str(doc.meta.get("outlet") or doc.meta.get("id") or f"article {k + 1}")


def _one_sided(docs: Sequence[Document], sents: list[_Sentences],
               sides: Mapping[str, str] | None) -> list[dict[str, Any]]:
    side_of = [_side(d, k, sides) for k, d in enumerate(docs)]
    if len(set(side_of)) < 2:
        return []
    mentions = [{str(a.get("name")) for a in d.fields.get("actors") or []} for d in docs]
    claims: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for k, row, _ in _rows(docs, sents):
        key = (row.get("actor"), row.get("kind"), row.get("polarity"), row.get("domain"))
        claims[key].append((k, row))
    out = []
    for key, found in claims.items():
        made_by = {side_of[k] for k, _ in found}
        if len(made_by) != 1:
            continue
        others = [k for k in range(len(docs)) if side_of[k] not in made_by
                  and key[0] in mentions[k]]
        if not others:
            continue  # the other sides do not talk about this actor at all
        out.append({"actor": key[0], "kind": key[1], "polarity": key[2], "domain": key[3],
                    "side": next(iter(made_by)),
                    "silent_sides": sorted({side_of[k] for k in others}),
                    "items": [_row_item(k, row, docs[k]) for k, row in found]})
    out.sort(key=lambda c: (-len(c["items"]), str(c["actor"])))
    return out


# the report ------------------------------------------------------------------------------
def compare_documents(docs: Sequence[Document], sides: Mapping[str, str] | None = None
                      ) -> dict[str, Any]:
    """The comparison report of two or more analysed Documents (see the module doc)."""
    docs = list(docs)
    if len(docs) < 2:
        raise InvalidParameterError(Errors.E203.format(got=len(docs)))
    sents = [_Sentences(d) for d in docs]
    side_of = [_side(d, k, sides) for k, d in enumerate(docs)]
    return {
        "compare_version": COMPARE_VERSION,
        "similarity": "embedding" if all(s.emb is not None for s in sents) else "lexical",
        "articles": [{"index": k, "id": d.meta.get("id"), "title": d.meta.get("title"),
                      "outlet": d.meta.get("outlet"), "source": d.meta.get("source"),
                      "url": d.meta.get("url"), "side": side_of[k],
                      "errors": list(d.errors)} for k, d in enumerate(docs)],
        "figures": _figures(docs, sents),
        "outcomes": _outcomes(docs, sents),
        "one_sided": _one_sided(docs, sents, sides),
    }


# HTML ------------------------------------------------------------------------------------
_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}h1,h2{line-height:1.2}table{border-collapse:collapse;width:100%;margin:.5rem 0
1.5rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
.muted{color:#666}.small{font-size:.85em}.achieved{color:#116611}.failed{color:#a11}
.range{font-variant-numeric:tabular-nums;white-space:nowrap}q{font-style:italic}
"""


def _fmt_range(r: Sequence[float | None]) -> str:
    lo, hi = r

    def f(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"
    if lo is None and hi is None:
        return "?"
    if lo is None:
        return f"≤ {f(hi)}"  # type: ignore[arg-type]
    if hi is None:
        return f"≥ {f(lo)}"
    return f(lo) if lo == hi else f"{f(lo)}–{f(hi)}"


def render_compare_html(report: dict[str, Any]) -> str:
    """A self-contained page of the comparison; all article text is escaped."""
    from markupsafe import Markup

    arts = report.get("articles", [])

    def name(k: int) -> Markup:
        a = arts[k] if 0 <= k < len(arts) else {}
        label = a.get("title") or a.get("id") or f"article {k + 1}"
        extra = a.get("outlet") or a.get("source") or ""
        return Markup("<b>{}</b> <span class=\"muted small\">{}</span>").format(label, extra)

    h: list[Markup] = [Markup(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\"><title>claimscope comparison</title><style>{}</style>"
        "</head><body><h1>claimscope comparison</h1>").format(Markup(_CSS))]
    h.append(Markup("<p class=\"muted\">{} articles; similarity by {}. Figures and "
                    "claims are as the articles state them; claimscope does not say "
                    "which is right.</p><ol>").format(len(arts), report.get("similarity")))
    for k, a in enumerate(arts):
        h.append(Markup("<li>{} <span class=\"muted small\">side: {}</span></li>").format(
            name(k), a.get("side")))
    h.append(Markup("</ol>"))

    h.append(Markup("<h2>Figures that disagree ({})</h2>").format(
        len(report.get("figures", []))))
    for fig in report.get("figures", []):
        h.append(Markup("<table><caption>{} <span class=\"muted small\">({}{}, "
                        "similarity {})</span></caption><tr><th>Article</th><th>Figure</th>"
                        "<th>Range</th><th>Sentence</th></tr>").format(
            fig.get("counted") or fig.get("head"), fig.get("kind"),
            f", {fig['unit']}" if fig.get("unit") else "", fig.get("similarity")))
        for it in fig.get("items", []):
            sent = it.get("sentence") or {}
            h.append(Markup("<tr><td>{}</td><td>{}</td><td class=\"range\">{}</td>"
                            "<td><q>{}</q></td></tr>").format(
                name(it["article"]), it.get("text"), _fmt_range(it.get("range", [None, None])),
                sent.get("text", "")))
        h.append(Markup("</table>"))

    h.append(Markup("<h2>Outcomes that contradict ({})</h2>").format(
        len(report.get("outcomes", []))))
    for c in report.get("outcomes", []):
        h.append(Markup("<table><caption>{} — {} <span class=\"muted small\">(similarity "
                        "{})</span></caption><tr><th>Article</th><th>Claim</th><th>Says who"
                        "</th><th>Sentence</th></tr>").format(
            c.get("actor"), c.get("domain"), c.get("similarity")))
        for it in c.get("items", []):
            h.append(Markup("<tr><td>{}</td><td class=\"{}\">{}: {}</td><td>{}</td>"
                            "<td><q>{}</q></td></tr>").format(
                name(it["article"]), it.get("polarity"), it.get("polarity"), it.get("text"),
                it.get("attributed_to"), (it.get("sentence") or {}).get("text", "")))
        h.append(Markup("</table>"))

    h.append(Markup("<h2>Claims made by one side only ({})</h2>").format(
        len(report.get("one_sided", []))))
    if report.get("one_sided"):
        h.append(Markup("<table><tr><th>Claim</th><th>Made by</th><th>Not by</th>"
                        "<th>Where</th></tr>"))
        for c in report.get("one_sided", []):
            verdict = c.get("polarity") if c.get("kind") == "outcome" else "aims at"
            where = Markup("<br>").join(
                Markup("{}: <q>{}</q>").format(name(it["article"]), it.get("text"))
                for it in c.get("items", []))
            h.append(Markup("<tr><td>{} {} ({})</td><td>{}</td><td>{}</td><td>{}</td>"
                            "</tr>").format(c.get("actor"), verdict, c.get("domain"),
                                            c.get("side"), ", ".join(c.get("silent_sides",
                                                                           [])), where))
        h.append(Markup("</table>"))
    h.append(Markup("</body></html>\n"))
    return str(Markup("").join(h))

