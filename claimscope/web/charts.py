"""Geometry of the collection's summary charts, drawn as inline SVG by the templates.

Pure data in, numbers out: no charting library, no script. Counts come from the store's
summaries (``AnalysisStore.filter``), so the charts show the selection being browsed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..render._format import technique_colour, technique_name

__all__ = ["techniques_by_outlet", "shares_over_time"]


def techniques_by_outlet(rows: list[dict[str, Any]], top: int = 8) -> dict[str, Any]:
    """Stacked horizontal bars: persuasion spans per outlet, by technique."""
    by_outlet: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        by_outlet[row.get("outlet") or "(no outlet)"].update(row.get("techniques") or {})
    outlets = sorted(by_outlet, key=lambda o: (-sum(by_outlet[o].values()), o))[:top]
    peak = max((sum(by_outlet[o].values()) for o in outlets), default=0) or 1
    left, width, bar, gap = 150, 560, 18, 8
    bars = []
    for i, outlet in enumerate(outlets):
        x, y = left, 10 + i * (bar + gap)
        segments = []
        for tech, n in sorted(by_outlet[outlet].items(), key=lambda kv: (-kv[1], kv[0])):
            w = round((width - left - 50) * n / peak, 1)
            segments.append({"x": x, "w": w, "colour": f"pc{technique_colour(tech)}",
                             "title": f"{outlet}: {technique_name(tech)} ×{n}"})
            x = round(x + w, 1)
        bars.append({"label": outlet[:24], "y": y, "ty": y + bar - 5, "h": bar,
                     "total": sum(by_outlet[outlet].values()), "end": x + 6,
                     "segments": segments})
    legend = Counter()
    for o in outlets:
        legend.update(by_outlet[o])
    return {"width": width, "height": 20 + len(outlets) * (bar + gap), "bars": bars,
            "left": left,
            "legend": [{"name": technique_name(t), "colour": f"pc{technique_colour(t)}",
                        "n": n} for t, n in legend.most_common()]}


def shares_over_time(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Two lines by day (by month past 60 days): the share of check-worthy sentences and
    the share of opinion sentences of the articles published that day."""
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        if not row.get("day"):
            continue
        d = days[row["day"]]
        d[0] += row.get("sentences") or 0
        d[1] += row.get("checkworthy") or 0
        d[2] += row.get("opinion") or 0
    if len(days) > 60:
        months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for day, v in days.items():
            m = months[day[:7]]
            for k in range(3):
                m[k] += v[k]
        days = months
    keys = sorted(k for k in days if days[k][0])
    width, height, left, right, top, base = 720, 200, 40, 20, 12, 170
    n = len(keys)

    def x(i: int) -> float:
        return round(left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y(share: float) -> float:
        return round(base - (base - top) * share, 1)

    points = [{"key": k, "x": x(i), "cw": days[k][1] / days[k][0],
               "op": days[k][2] / days[k][0], "articles": 0} for i, k in enumerate(keys)]
    for p in points:
        p["ycw"], p["yop"] = y(p["cw"]), y(p["op"])
        p["title"] = (f"{p['key']}: check-worthy {p['cw']:.0%}, opinion {p['op']:.0%} "
                      f"of {days[p['key']][0]} sentences")
    return {"width": width, "height": height, "left": left, "right": width - right,
            "base": base, "top": top, "mid": y(0.5), "points": points,
            "cw_line": " ".join(f"{p['x']},{p['ycw']}" for p in points),
            "op_line": " ".join(f"{p['x']},{p['yop']}" for p in points),
            "first": keys[0] if keys else "", "last": keys[-1] if keys else ""}
