"""ClaimReview JSON-LD (schema.org) for the verdicts of a report.

One ``ClaimReview`` per checked claim, in a ``@graph``. The rating is claimscope's verdict
(``reviewRating.alternateName``: Supported, Refuted, Conflicting evidence, Not enough
evidence) with a numeric value on a 1-5 scale where one makes sense; the evidence passages
are ``citation`` entries. The review is automated: ``author`` says so, and
``reviewBody`` gives the figures compared and the confidence.
"""

from __future__ import annotations

import json
from typing import Any

from claimscope.io.safe import html_safe_json
from claimscope.render._format import mapping, records

__all__ = ["claimreview_graph", "render_claimreview"]

RATINGS = {"supported": ("Supported", 5), "refuted": ("Refuted", 1),
           "conflicting": ("Conflicting evidence", 3),
           "not_enough_evidence": ("Not enough evidence", None)}


def _http(url: Any) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) \
        else None


def claimreview_graph(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON-LD document (a dict) for every claim of every article of ``report``."""
    gen = mapping(report.get("generator"))
    created = str(gen.get("created") or "")[:10] or None
    author = {"@type": "Organization",
              "name": f"claimscope {gen.get('version') or ''} (automated check against the "
                      "user's reference corpus)".replace("  ", " ")}
    graph = []
    for a_index, article in enumerate(records(report.get("articles")), 1):
        appearance: dict[str, Any] = {"@type": "CreativeWork"}
        if _http(article.get("url")):
            appearance["url"] = article["url"]
        if article.get("title"):
            appearance["headline"] = str(article["title"])
        if article.get("outlet"):
            appearance["publisher"] = {"@type": "Organization", "name": str(article["outlet"])}
        if article.get("published"):
            appearance["datePublished"] = str(article["published"])
        for c_index, claim in enumerate(records(article.get("claims")), 1):
            verdict = str(claim.get("verdict") or "not_enough_evidence")
            name, value = RATINGS.get(verdict, RATINGS["not_enough_evidence"])
            rating: dict[str, Any] = {"@type": "Rating", "alternateName": name}
            if value is not None:
                rating.update(ratingValue=value, bestRating=5, worstRating=1)
            item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
            if article.get("published"):
                item["datePublished"] = str(article["published"])
            body = [f"Verdict: {name} (confidence {float(claim.get('confidence') or 0):.2f})."]
            if claim.get("comparison"):
                body.append(str(claim["comparison"]))
            review: dict[str, Any] = {
                "@type": "ClaimReview",
                "@id": f"#article-{a_index}-claim-{c_index}",
                "claimReviewed": str(claim.get("text") or ""),
                "itemReviewed": item,
                "reviewRating": rating,
                "author": author,
                "reviewBody": " ".join(body),
            }
            if created:
                review["datePublished"] = created
            cites = []
            for ev in records(claim.get("evidence")):
                if ev.get("stance") not in ("supports", "refutes"):
                    continue
                cite: dict[str, Any] = {"@type": "CreativeWork",
                                        "name": str(ev.get("source") or ""),
                                        "text": str(ev.get("passage") or "")}
                if _http(ev.get("url")):
                    cite["url"] = ev["url"]
                if ev.get("date"):
                    cite["datePublished"] = str(ev["date"])
                cites.append(cite)
            if cites:
                review["citation"] = cites
            graph.append(review)
    return {"@context": "https://schema.org", "@graph": graph}


def render_claimreview(report: dict[str, Any]) -> str:
    """The JSON-LD text, with ``<``, ``>`` and ``&`` as ``\\u`` escapes: the same JSON, and
    safe to paste into ``<script type="application/ld+json">`` (an article sentence
    holding ``</script>`` cannot end the element)."""
    return html_safe_json(json.dumps(claimreview_graph(report), ensure_ascii=False,
                                     indent=2)) + "\n"
