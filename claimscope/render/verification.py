"""HTML and Markdown for the verification results of one article (``article["claims"]``).

``claims_html(article, article_index)`` returns escaped markup, in the order a
fact-checker works:

1. the date the claims were checked for, and where it came from;
2. **Check first**: refuted and conflicting claims, then claims with figures that the
   sources could not check, ranked by check-worthiness; each links to its card and to its
   sentence in the text;
3. the decided claims: the clause that was checked (and who it is attributed to), the
   verdict, the comparison line, the deciding passage with the figure or phrase that
   decided it marked, its source and date; the other passages folded away;
4. the claims left ``not_enough_evidence``, apart, with why and the best passage found:
   what the corpus does not cover.

Links only for http(s) URLs, with ``rel="noopener noreferrer nofollow"``.
``VERIFICATION_CSS`` styles the classes used here and the inline verdict marks of the
article text. ``claims_markdown(article)`` is the Markdown counterpart.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from claimscope.render._format import as_float, records

__all__ = ["claims_html", "claims_markdown", "check_queue", "claim_anchor", "VERIFICATION_CSS",
           "VERDICT_LABELS", "VERDICT_HELP", "REASONS", "verdict_of"]

VERDICT_LABELS = {"supported": "Supported", "refuted": "Refuted",
                  "conflicting": "Conflicting evidence",
                  "not_enough_evidence": "Not enough evidence"}
VERDICT_HELP = {
    "supported": "a passage of your sources states the same thing, for the same day or "
                 "period",
    "refuted": "a passage about the same thing and day or period says otherwise",
    "conflicting": "your sources both support and refute it",
    "not_enough_evidence": "no passage of your sources decides it (the reason is given)"}
STANCE_LABELS = {"supports": "supports", "refutes": "refutes", "neutral": "does not decide"}
#: why a claim was left undecided, in a reader's words
REASONS = {
    "off_topic": "no passage of your sources speaks to it",
    "no_passage": "your sources have nothing on it",
    "no_figure": "no passage gives a figure of the same thing",
    "other_period": "your sources give this figure only for other days or periods",
    "other_measure": "your sources give another measure (a need, an allowance, a daily "
                     "rate instead of a total, or the reverse)",
    "other_place": "your sources' figures are about another place, thing or whole",
    "figures_differ": "the nearest figures in your sources are not for the same day and "
                      "thing",
    "figures_disagree": "your sources' figures disagree among themselves",
    "total_tolerance": "running totals of the same day differ by less than 10 % (figures "
                       "taken at different hours): not a contradiction",
    "nli_uncertain": "the closest passage neither clearly states nor contradicts it",
    "partial": "only some of its figures are found in your sources",
    "stale": "only older snapshots of the figure were found",
    "after_article": "only passages dated after the article speak to it",
}
DATE_BASIS = {"metadata": "the article's publication date", "as_of": "the date you gave (--as-of)",
              "dateline": "the article's dateline", "url": "the date in the article's URL",
              "text": "the latest date the article mentions"}

VERIFICATION_CSS = """
.cs-claims{margin:1em 0}
.cs-legend{font-size:.85em;color:#444;margin:.3em 0 .8em}
.cs-legend span{margin-right:1em}
.cs-queue{border:1px solid #ddd;border-radius:.4em;padding:.4em .8em;margin:.6em 0;
background:#fffdf6}
.cs-queue ol{margin:.3em 0;padding-left:1.4em}.cs-queue li{margin:.2em 0}
.cs-claim{border-left:4px solid #999;padding:.3em .7em;margin:.6em 0;background:#fafafa}
.cs-claim.cs-supported{border-color:#2e7d32}.cs-claim.cs-refuted{border-color:#c62828}
.cs-claim.cs-conflicting{border-color:#ef6c00}.cs-claim.cs-not_enough_evidence{border-color:#9e9e9e}
.cs-badge{display:inline-block;font-size:.8em;font-weight:600;padding:.05em .5em;
border-radius:.8em;color:#fff;background:#757575}
.cs-supported .cs-badge,.cs-badge.cs-supported{background:#2e7d32}
.cs-refuted .cs-badge,.cs-badge.cs-refuted{background:#c62828}
.cs-conflicting .cs-badge,.cs-badge.cs-conflicting{background:#ef6c00}
.cs-conf{color:#555;font-size:.85em}.cs-cmp{font-size:.9em;color:#333;margin:.2em 0}
.cs-by{color:#555;font-size:.85em}.cs-why{color:#555;font-size:.9em;margin:.2em 0}
.cs-ev{margin:.4em 0 .4em 1em;font-size:.9em}.cs-ev blockquote{margin:.2em 0 .2em .5em;color:#333}
.cs-ev mark{background:#fff176;padding:0 .1em}
.cs-stance-supports{color:#2e7d32}.cs-stance-refutes{color:#c62828}.cs-stance-neutral{color:#777}
.cs-nee li{margin:.35em 0}
.v{border-bottom:2px solid #9e9e9e}.v-supported{border-bottom-color:#2e7d32}
.v-refuted{border-bottom-color:#c62828;background:#fdecea}
.v-conflicting{border-bottom-color:#ef6c00;background:#fff3e0}
.vmark{font-size:.7em;font-weight:600;vertical-align:super;text-decoration:none;
padding:0 .25em;border-radius:.5em;color:#fff;background:#757575;margin-left:.1em}
.vmark.v-supported{background:#2e7d32}.vmark.v-refuted{background:#c62828}
.vmark.v-conflicting{background:#ef6c00}
""".strip()


def _safe_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    u = url.strip()
    return u if u.lower().startswith(("http://", "https://")) else None


def verdict_of(claim: dict[str, Any]) -> str:
    v = claim.get("verdict")
    return v if v in VERDICT_LABELS else "not_enough_evidence"


def claim_anchor(article_index: int, claim_index: int) -> str:
    """The id of a claim's card (1-based claim index); the text's mark is ``text-`` + it."""
    return f"claim-{int(article_index)}-{int(claim_index)}"


def check_queue(claims: list[dict[str, Any]], limit: int = 10) -> list[tuple[int, dict]]:
    """(1-based index, claim) in the order to check them: refuted and conflicting first
    (most confident first), then undecided claims with figures, most check-worthy first."""
    decided = [(i, c) for i, c in enumerate(claims, 1)
               if verdict_of(c) in ("refuted", "conflicting")]
    decided.sort(key=lambda t: (verdict_of(t[1]) != "refuted",
                                -(as_float(t[1].get("confidence")) or 0.0), t[0]))
    open_ = [(i, c) for i, c in enumerate(claims, 1)
             if verdict_of(c) == "not_enough_evidence" and c.get("quantities")]
    open_.sort(key=lambda t: (-(as_float(t[1].get("checkworthiness")) or 0.0), t[0]))
    return (decided + open_)[:limit]


def _reason(claim: dict[str, Any]) -> str:
    return REASONS.get(str(claim.get("abstained") or ""), REASONS["no_passage"])


def _marked(passage: str, spans: list[dict[str, Any]]) -> Markup:
    """The passage with the spans that decided marked (``<mark>``), escaped."""
    out, pos = [], 0
    for s in sorted((s for s in spans if isinstance(s.get("start"), int)
                     and isinstance(s.get("end"), int)), key=lambda s: s["start"]):
        a, b = max(pos, s["start"]), min(len(passage), s["end"])
        if a >= b:
            continue
        out.append(escape(passage[pos:a]))
        out.append(Markup("<mark>{}</mark>").format(passage[a:b]))
        pos = b
    out.append(escape(passage[pos:]))
    return Markup("").join(out)


def _source_html(ev: dict[str, Any]) -> Markup:
    name = escape(ev.get("source") or "unknown source")
    url = _safe_url(ev.get("url"))
    parts = [Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(url, name)
             if url else name]
    if ev.get("date"):
        parts.append(escape(str(ev["date"])))
    if ev.get("passage_id"):
        parts.append(escape(f"passage {ev['passage_id']}"))
    return Markup(", ").join(parts)


def _checked_for(article: dict[str, Any]) -> Markup:
    info = article.get("claims_date") if isinstance(article.get("claims_date"), dict) else {}
    date, basis = info.get("date"), info.get("basis")
    if date:
        return Markup("<p>Claims checked as of <b>{}</b> ({}). Figures are compared with "
                      "your sources' figures for that day or period; figures of other days "
                      "never refute a claim.</p>").format(date, DATE_BASIS.get(basis, basis))
    return Markup("<p>The article has no date: a figure that agrees with your sources' "
                  "figure of any day supports a claim, and no running total refutes one. "
                  "Give a date with <code>--as-of</code> to check a period.</p>")


def _legend() -> Markup:
    items = [Markup('<span><span class="cs-badge cs-{}">{}</span> {}</span>').format(
        v, VERDICT_LABELS[v], VERDICT_HELP[v]) for v in VERDICT_LABELS]
    return Markup('<p class="cs-legend">') + Markup("").join(items) + Markup("</p>")


def _text_link(article_index: int, i: int) -> Markup:
    return Markup('<a class="cs-by" href="#text-{}">in the text ↑</a>').format(
        claim_anchor(article_index, i))


def _card(claim: dict[str, Any], article_index: int, i: int) -> list[Markup]:
    v = verdict_of(claim)
    conf = as_float(claim.get("confidence"))
    out = [Markup('<div class="cs-claim cs-{}" id="{}">').format(v, claim_anchor(article_index, i)),
           Markup('<span class="cs-badge">{}</span> ').format(VERDICT_LABELS[v])]
    if conf is not None:
        out.append(Markup('<span class="cs-conf">confidence {:.2f}</span> ').format(conf))
    out.append(_text_link(article_index, i))
    out.append(Markup('<p class="cs-text">{}</p>').format(claim.get("text") or ""))
    if claim.get("attributed_to"):
        out.append(Markup('<p class="cs-by">attributed to {}</p>').format(claim["attributed_to"]))
    if claim.get("comparison"):
        out.append(Markup('<p class="cs-cmp">{}</p>').format(claim["comparison"]))
    evidence = records(claim.get("evidence"))
    deciding = [ev for ev in evidence if ev.get("stance") in ("supports", "refutes")]
    for ev in deciding:
        out.append(Markup('<div class="cs-ev"><span class="cs-stance-{}">{}</span> — {}'
                          "<blockquote>{}</blockquote></div>").format(
            ev["stance"], STANCE_LABELS[ev["stance"]], _source_html(ev),
            _marked(str(ev.get("passage") or ""), records(ev.get("highlights")))))
    others = [ev for ev in evidence if ev not in deciding]
    if others:
        out.append(Markup("<details><summary>Other passages ({})</summary>").format(len(others)))
        for ev in others:
            why = REASONS.get(str(ev.get("reason") or ""), "")
            out.append(Markup('<div class="cs-ev"><span class="cs-stance-neutral">does not '
                              "decide</span>{} — {}<blockquote>{}</blockquote></div>").format(
                Markup(": ") + escape(why) if why else "", _source_html(ev),
                ev.get("passage") or ""))
        out.append(Markup("</details>"))
    out.append(Markup("</div>"))
    return out


def claims_html(article: dict[str, Any], article_index: int) -> Markup:
    """The verification section of one article (empty markup when nothing was checked)."""
    if "claims" not in article:
        return Markup("")
    claims = records(article.get("claims"))
    counts: dict[str, int] = {}
    for c in claims:
        counts[verdict_of(c)] = counts.get(verdict_of(c), 0) + 1
    summary = ", ".join(f"{n} {VERDICT_LABELS[v].lower()}" for v, n in counts.items())
    out = [Markup('<section class="cs-claims" id="claims-{}">').format(int(article_index)),
           Markup("<h3>Checked against your sources</h3>"),
           Markup("<p>{} claim(s) checked{}.</p>").format(
               len(claims), Markup(": ") + escape(summary) if summary else ""),
           _checked_for(article), _legend()]
    queue = check_queue(claims)
    if queue:
        out.append(Markup('<div class="cs-queue"><b>Check first</b><ol>'))
        for i, c in queue:
            v = verdict_of(c)
            note = VERDICT_LABELS[v] if v != "not_enough_evidence" else \
                "figure not found in your sources"
            out.append(Markup('<li><span class="cs-badge cs-{}">{}</span> '
                              '<a href="#{}">{}</a> <a class="cs-by" href="#text-{}">↑ text</a>'
                              "</li>").format(v, note, claim_anchor(article_index, i),
                                              c.get("text") or "",
                                              claim_anchor(article_index, i)))
        out.append(Markup("</ol></div>"))
    decided = [(i, c) for i, c in enumerate(claims, 1) if verdict_of(c) != "not_enough_evidence"]
    for i, c in decided:
        out.extend(_card(c, article_index, i))
    undecided = [(i, c) for i, c in enumerate(claims, 1)
                 if verdict_of(c) == "not_enough_evidence"]
    if undecided:
        out.append(Markup('<h4>Not enough evidence ({})</h4><p class="cs-why">What your '
                          "sources do not cover, with the closest passage found.</p>"
                          '<ul class="cs-nee">').format(len(undecided)))
        for i, c in undecided:
            best = next(iter(records(c.get("evidence"))), None)
            out.append(Markup('<li id="{}">{} {} <span class="cs-why">— {}</span>').format(
                claim_anchor(article_index, i), c.get("text") or "",
                _text_link(article_index, i), _reason(c)))
            if best:
                out.append(Markup("<details><summary>closest passage</summary>"
                                  '<div class="cs-ev">{}<blockquote>{}</blockquote></div>'
                                  "</details>").format(_source_html(best),
                                                       best.get("passage") or ""))
            out.append(Markup("</li>"))
        out.append(Markup("</ul>"))
    if not claims:
        out.append(Markup('<p class="cs-conf">No sentence of this article was checked.</p>'))
    out.append(Markup("</section>"))
    return Markup("\n").join(out)


def _md(text: Any) -> str:
    from claimscope.render.markdown import md_escape

    return md_escape(text)


def _md_marked(passage: str, spans: list[dict[str, Any]]) -> str:
    out, pos = [], 0
    for s in sorted((s for s in spans if isinstance(s.get("start"), int)
                     and isinstance(s.get("end"), int)), key=lambda s: s["start"]):
        a, b = max(pos, s["start"]), min(len(passage), s["end"])
        if a >= b:
            continue
        out.append(_md(passage[pos:a]) + "**" + _md(passage[a:b]) + "**")
        pos = b
    out.append(_md(passage[pos:]))
    return "".join(out)


def _md_cite(ev: dict[str, Any]) -> str:
    url = _safe_url(ev.get("url"))
    src = _md(ev.get("source") or "unknown source")
    cite = f"[{src}](<{url.replace('>', '%3E')}>)" if url else src
    return cite + (f", {_md(ev['date'])}" if ev.get("date") else "")


def claims_markdown(article: dict[str, Any]) -> str:
    """The Markdown verification section of one article ('' when nothing was checked)."""
    if "claims" not in article:
        return ""
    claims = records(article.get("claims"))
    lines = ["### Checked against your sources", ""]
    if not claims:
        return "\n".join(lines + ["No claim was checked.", ""])
    info = article.get("claims_date") if isinstance(article.get("claims_date"), dict) else {}
    if info.get("date"):
        lines += [f"Claims checked as of {_md(info['date'])} "
                  f"({_md(DATE_BASIS.get(info.get('basis'), info.get('basis')))}).", ""]
    else:
        lines += ["The article has no date: figures that agree with any day's report "
                  "support a claim; no running total refutes one.", ""]
    queue = check_queue(claims)
    if queue:
        lines += ["**Check first**", ""]
        for n, (_i, c) in enumerate(queue, 1):
            v = verdict_of(c)
            note = VERDICT_LABELS[v] if v != "not_enough_evidence" else \
                "figure not found in your sources"
            lines.append(f"{n}. {note}: {_md(c.get('text') or '')}")
        lines.append("")
    for claim in claims:
        v = verdict_of(claim)
        if v == "not_enough_evidence":
            continue
        conf = as_float(claim.get("confidence"))
        head = f"- **{VERDICT_LABELS[v]}**" + (f" ({conf:.2f})" if conf is not None else "")
        lines.append(f"{head}: {_md(claim.get('text') or '')}")
        if claim.get("attributed_to"):
            lines.append(f"  - attributed to {_md(claim['attributed_to'])}")
        if claim.get("comparison"):
            lines.append(f"  - {_md(claim['comparison'])}")
        for ev in records(claim.get("evidence")):
            if ev.get("stance") not in ("supports", "refutes"):
                continue
            lines.append(f"  - {ev['stance']}: {_md_cite(ev)}: “"
                         f"{_md_marked(str(ev.get('passage') or ''), records(ev.get('highlights')))}”")
    undecided = [c for c in claims if verdict_of(c) == "not_enough_evidence"]
    if undecided:
        lines += ["", f"**Not enough evidence ({len(undecided)})**: what your sources do not "
                      "cover.", ""]
        for c in undecided:
            lines.append(f"- {_md(c.get('text') or '')} — {_md(_reason(c))}")
    return "\n".join(lines) + "\n"
