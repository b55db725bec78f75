"""The comparison page: one self-contained HTML file with inline SVG charts.

Nothing is fetched when the page is viewed (no script, no font, no image: the page's
Content-Security-Policy allows only its inline style), and every text of the report
(outlets, titles, sentences, sides, techniques) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

__all__ = ["render_compare_html", "bar_chart", "line_chart"]

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}h1,h2{line-height:1.2}table{border-collapse:collapse;width:100%;margin:.5rem 0
1.5rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
.muted{color:#666}.small{font-size:.85em}.achieved{color:#116611}.failed{color:#a11}
.range{font-variant-numeric:tabular-nums;white-space:nowrap}q{font-style:italic}
figure{margin:1rem 0 2rem}figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font:12px system-ui,sans-serif;fill:#333}.legend span{display:inline-block;
margin:0 .8rem .2rem 0}.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;
vertical-align:-.05em}nav a{margin-right:1rem}
"""
#: colours of the bars and lines (a colour-blind-safe palette), in order
PALETTE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
           "#000000", "#ee7733", "#0077bb", "#33bbee", "#009988")


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"


def _fmt_range(r: Sequence[float | None]) -> str:
    lo, hi = r
    if lo is None and hi is None:
        return "?"
    if lo is None:
        return f"≤ {_fmt(hi)}"
    if hi is None:
        return f"≥ {_fmt(lo)}"
    return _fmt(lo) if lo == hi else f"{_fmt(lo)}–{_fmt(hi)}"


def _legend(names: Sequence[str]) -> Markup:
    return Markup("<p class=\"legend small\">{}</p>").format(Markup("").join(
        Markup("<span><i class=\"sw\" style=\"background:{}\"></i>{}</span>").format(
            PALETTE[i % len(PALETTE)], n) for i, n in enumerate(names)))


def bar_chart(rows: Sequence[tuple[str, dict[str, float]]], *, unit: str,
              series: Sequence[str] | None = None, width: int = 720) -> Markup:
    """Horizontal stacked bars: one bar per (label, {series: value}), inline SVG."""
    if not rows:
        return Markup("<p class=\"muted\">Nothing to chart.</p>")
    series = list(series or dict.fromkeys(s for _, vals in rows for s in vals))
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    peak = max(sum(vals.values()) for _, vals in rows) or 1.0
    left, bar, gap = 170, 18, 8
    height = 10 + len(rows) * (bar + gap)
    scale = (width - left - 70) / peak
    parts = [Markup("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" "
                    "height=\"{}\" viewBox=\"0 0 {} {}\">").format(width, height, width,
                                                                    height)]
    for i, (label, vals) in enumerate(rows):
        y = 5 + i * (bar + gap)
        parts.append(Markup("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>").format(
            left - 6, y + bar - 5, label[:28]))
        x = float(left)
        for s in series:
            v = vals.get(s, 0.0)
            if v <= 0:
                continue
            w = v * scale
            parts.append(Markup("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
                                "fill=\"{}\"><title>{}: {} {} {}</title></rect>").format(
                x, y, w, bar, colour[s], label, s, round(v, 3), unit))
            x += w
        parts.append(Markup("<text x=\"{:.1f}\" y=\"{}\">{}</text>").format(
            x + 6, y + bar - 5, round(sum(vals.values()), 2)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts) + (_legend(series) if len(series) > 1 else Markup(""))


def line_chart(keys: Sequence[str], lines: Sequence[tuple[str, dict[str, float | None]]], *,
               width: int = 720, height: int = 220) -> Markup:
    """Lines of shares (0 to 1) over ``keys`` (weeks), one per (name, {key: share}),
    inline SVG; a key a line has no value for leaves a gap."""
    if not keys or not lines:
        return Markup("<p class=\"muted\">Nothing to chart.</p>")
    left, right, top, base = 44, 16, 10, height - 40
    n = len(keys)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return base - (base - top) * v

    parts = [Markup("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" "
                    "height=\"{}\" viewBox=\"0 0 {} {}\">").format(width, height, width,
                                                                    height)]
    for v in (0, 0.25, 0.5, 0.75, 1):
        parts.append(Markup("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" "
                            "stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1f}\" "
                            "text-anchor=\"end\">{}%</text>").format(
            left, width - right, y(v), y(v), left - 4, y(v) + 4, int(v * 100)))
    step = max(1, n // 8)
    for i in range(0, n, step):
        parts.append(Markup("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>")
                     .format(x(i), base + 16, keys[i]))
    for j, (name, values) in enumerate(lines):
        colour = PALETTE[j % len(PALETTE)]
        run: list[str] = []
        for i, key in enumerate(keys):
            v = values.get(key)
            if v is None:
                if len(run) > 1:
                    parts.append(Markup("<polyline fill=\"none\" stroke=\"{}\" "
                                        "stroke-width=\"2\" points=\"{}\"/>").format(
                        colour, " ".join(run)))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(Markup("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\">"
                                "<title>{} {}: {}%</title></circle>").format(
                x(i), y(v), colour, name, key, round(100 * v, 1)))
        if len(run) > 1:
            parts.append(Markup("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                                "points=\"{}\"/>").format(colour, " ".join(run)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts) + _legend([name for name, _ in lines])


def _technique_chart(rows: list[dict[str, Any]], key: str, top: int = 8) -> Markup:
    from ._format import technique_name

    total: dict[str, float] = {}
    for row in rows:
        for t, v in row["techniques"].items():
            total[t] = total.get(t, 0.0) + v
    keep = sorted(total, key=lambda t: -total[t])[:top]
    names = [technique_name(t) for t in keep] + (["other"] if len(total) > top else [])
    data = []
    for row in rows[:20]:
        vals = {technique_name(t): row["techniques"].get(t, 0.0) for t in keep}
        rest = sum(v for t, v in row["techniques"].items() if t not in keep)
        if rest:
            vals["other"] = rest
        data.append((f"{row[key]} ({row['articles']})", vals))
    return bar_chart(data, unit="spans per article", series=names)


def _share_charts(shares: list[dict[str, Any]], top: int = 8) -> Markup:
    articles: dict[str, int] = {}
    for r in shares:
        articles[r["outlet"]] = articles.get(r["outlet"], 0) + r["articles"]
    outlets = sorted(articles, key=lambda o: (-articles[o], o))[:top]
    weeks = sorted({r["week"] for r in shares if r["week"] != "undated"})
    out = []
    for field, title in (("checkworthy_share", "Share of check-worthy sentences, by week"),
                         ("opinion_share", "Share of opinion sentences, by week")):
        lines = [(o, {r["week"]: r[field] for r in shares if r["outlet"] == o})
                 for o in outlets]
        out.append(Markup("<figure><figcaption>{}</figcaption>{}</figure>").format(
            title, line_chart(weeks, lines)))
    return Markup("").join(out)


def render_compare_html(report: dict[str, Any]) -> str:
    """A self-contained page of the comparison; all article text is escaped."""
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
    sides = report.get("sides_from")
    note = ("sides from --sides" if sides == "--sides" else
            "no --sides given: each outlet is its own side")
    if report.get("no_side"):
        note += f"; {report['no_side']} article(s) have no side and are left out of "
        note += "'one side only'"
    h.append(Markup("<p class=\"muted\">{} articles; {}. Figures and claims are as the "
                    "articles state them; claimscope does not say which is right.</p>"
                    "<nav><a href=\"#figures\">Figures</a><a href=\"#outcomes\">Outcomes</a>"
                    "<a href=\"#one-sided\">One side only</a><a href=\"#techniques\">"
                    "Techniques</a><a href=\"#shares\">Check-worthy and opinion</a>"
                    "<a href=\"#articles\">Articles</a></nav>").format(len(arts), note))

    figures = report.get("figures", [])
    h.append(Markup("<h2 id=\"figures\">Figures that disagree ({})</h2><p class=\"muted "
                    "small\">The same thing counted, for the same population, place and day "
                    "or period, by different outlets; ranges that do not meet.</p>").format(
        len(figures)))
    for fig in figures[:500]:
        pop = ", ".join(fig.get("population") or []) or "—"
        h.append(Markup("<table><caption>{} <span class=\"muted small\">({}{}; day {}; "
                        "population {})</span></caption><tr><th>Article</th><th>Figure</th>"
                        "<th>Range</th><th>Sentence</th></tr>").format(
            fig.get("counted") or fig.get("head"), fig.get("kind"),
            f", {fig['unit']}" if fig.get("unit") else "", fig.get("day"), pop))
        for it in fig.get("items", []):
            h.append(Markup("<tr><td>{}</td><td>{}</td><td class=\"range\">{}</td>"
                            "<td><q>{}</q></td></tr>").format(
                name(it["article"]), it.get("text"), _fmt_range(it.get("range", [None, None])),
                (it.get("sentence") or {}).get("text", "")))
        h.append(Markup("</table>"))

    outcomes = report.get("outcomes", [])
    h.append(Markup("<h2 id=\"outcomes\">Outcomes that contradict ({})</h2><p class=\"muted "
                    "small\">The same actor and objective, achieved in one article and "
                    "failed in another.</p>").format(len(outcomes)))
    for c in outcomes[:500]:
        h.append(Markup("<table><caption>{} — {}</caption><tr><th>Article</th><th>Claim</th>"
                        "<th>Says who</th><th>Sentence</th></tr>").format(
            c.get("actor"), c.get("domain")))
        for it in c.get("items", []):
            h.append(Markup("<tr><td>{}</td><td class=\"{}\">{}: {}</td><td>{}</td>"
                            "<td><q>{}</q></td></tr>").format(
                name(it["article"]), it.get("polarity"), it.get("polarity"), it.get("text"),
                it.get("attributed_to"), (it.get("sentence") or {}).get("text", "")))
        h.append(Markup("</table>"))

    one = report.get("one_sided", [])
    h.append(Markup("<h2 id=\"one-sided\">Claims made by one side only ({})</h2>").format(
        len(one)))
    if one:
        h.append(Markup("<table><tr><th>Claim</th><th>Made by</th><th>Not by</th>"
                        "<th>Where</th></tr>"))
        for c in one[:500]:
            verdict = c.get("polarity") if c.get("kind") == "outcome" else "aims at"
            where = Markup("<br>").join(
                Markup("{}: <q>{}</q>").format(name(it["article"]), it.get("text"))
                for it in c.get("items", [])[:10])
            h.append(Markup("<tr><td>{} {} ({})</td><td>{}</td><td>{}</td><td>{}</td>"
                            "</tr>").format(c.get("actor"), verdict, c.get("domain"),
                                            c.get("side"), ", ".join(c.get("silent_sides",
                                                                           [])), where))
        h.append(Markup("</table>"))

    agg = report.get("aggregates") or {}
    h.append(Markup("<h2 id=\"techniques\">Persuasion techniques per article</h2><p "
                    "class=\"muted small\">Persuasion spans per article, by technique "
                    "(articles in brackets). Read a span as \"look here\", not as a "
                    "verdict.</p>"))
    h.append(Markup("<figure><figcaption>By outlet</figcaption>{}</figure>").format(
        _technique_chart(agg.get("techniques_by_outlet", []), "outlet")))
    if agg.get("techniques_by_side"):
        h.append(Markup("<figure><figcaption>By side</figcaption>{}</figure>").format(
            _technique_chart(agg["techniques_by_side"], "side")))
    shares = agg.get("shares_by_week", [])
    h.append(Markup("<h2 id=\"shares\">Check-worthy and opinion sentences</h2>"))
    h.append(_share_charts(shares))
    if shares:
        h.append(Markup("<table><tr><th>Outlet</th><th>Week</th><th>Articles</th>"
                        "<th>Sentences</th><th>Check-worthy</th><th>Opinion</th></tr>"))
        for r in shares[:2000]:
            h.append(Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                            "<td>{}</td></tr>").format(
                r["outlet"], r["week"], r["articles"], r["sentences"],
                "—" if r["checkworthy_share"] is None else f"{100 * r['checkworthy_share']:.0f} %",
                "—" if r["opinion_share"] is None else f"{100 * r['opinion_share']:.0f} %"))
        h.append(Markup("</table>"))

    h.append(Markup("<h2 id=\"articles\">Articles ({})</h2><ol>").format(len(arts)))
    for k, a in enumerate(arts[:5000]):
        h.append(Markup("<li>{} <span class=\"muted small\">{} · side: {}</span></li>").format(
            name(k), a.get("date") or "undated", a.get("side") or "none"))
    h.append(Markup("</ol></body></html>\n"))
    return str(Markup("").join(h))
