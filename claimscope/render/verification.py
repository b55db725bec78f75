"""HTML and Markdown for the verification results of one article (``article["claims"]``).

``claims_html(article, article_index)`` returns escaped markup: each checked claim with a
verdict badge, its confidence, the figure comparison, and its evidence in a ``<details>``
block (passage, source, date, stance); links only for http(s) URLs, with
``rel="noopener noreferrer nofollow"``. ``VERIFICATION_CSS`` styles the classes it uses.
``claims_markdown(article)`` is the Markdown counterpart.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from claimscope.render._format import as_float, records

__all__ = ["claims_html", "claims_markdown", "VERIFICATION_CSS", "VERDICT_LABELS"]

VERDICT_LABELS = {"supported": "Supported", "refuted": "Refuted",
                  "conflicting": "Conflicting evidence",
                  "not_enough_evidence": "Not enough evidence"}
STANCE_LABELS = {"supports": "supports", "refutes": "refutes", "neutral": "does not decide"}

VERIFICATION_CSS = """
.cs-claims{margin:1em 0}
.cs-claim{border-left:4px solid #999;padding:.3em .7em;margin:.6em 0;background:#fafafa}
.cs-claim.cs-supported{border-color:#2e7d32}.cs-claim.cs-refuted{border-color:#c62828}
.cs-claim.cs-conflicting{border-color:#ef6c00}.cs-claim.cs-not_enough_evidence{border-color:#9e9e9e}
.cs-badge{display:inline-block;font-size:.8em;font-weight:600;padding:.05em .5em;
border-radius:.8em;color:#fff;background:#9e9e9e}
.cs-supported .cs-badge{background:#2e7d32}.cs-refuted .cs-badge{background:#c62828}
.cs-conflicting .cs-badge{background:#ef6c00}
.cs-conf{color:#555;font-size:.85em}.cs-cmp{font-size:.9em;color:#333;margin:.2em 0}
.cs-ev{margin:.4em 0 .4em 1em;font-size:.9em}.cs-ev blockquote{margin:.2em 0 .2em .5em;color:#333}
.cs-stance-supports{color:#2e7d32}.cs-stance-refutes{color:#c62828}.cs-stance-neutral{color:#777}
""".strip()


def _safe_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    u = url.strip()
    return u if u.lower().startswith(("http://", "https://")) else None


def _verdict(claim: dict[str, Any]) -> str:
    v = claim.get("verdict")
    return v if v in VERDICT_LABELS else "not_enough_evidence"


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


def claims_html(article: dict[str, Any], article_index: int) -> Markup:
    """The verification section of one article (empty markup when nothing was checked)."""
    claims = records(article.get("claims"))
    if "claims" not in article:
        return Markup("")
    counts: dict[str, int] = {}
    for c in claims:
        counts[_verdict(c)] = counts.get(_verdict(c), 0) + 1
    summary = ", ".join(f"{n} {VERDICT_LABELS[v].lower()}" for v, n in counts.items())
    out = [Markup('<section class="cs-claims" id="claims-{}">').format(int(article_index)),
           Markup("<h3>Checked against your sources</h3>"),
           Markup("<p>{} claim(s) checked{}.</p>").format(
               len(claims), Markup(": ") + escape(summary) if summary else "")]
    for i, claim in enumerate(claims, 1):
        v = _verdict(claim)
        conf = as_float(claim.get("confidence"))
        out.append(Markup('<div class="cs-claim cs-{}" id="claim-{}-{}">').format(
            v, int(article_index), i))
        out.append(Markup('<span class="cs-badge">{}</span> ').format(VERDICT_LABELS[v]))
        if conf is not None:
            out.append(Markup('<span class="cs-conf">confidence {:.2f}</span>').format(conf))
        out.append(Markup('<p class="cs-text">{}</p>').format(claim.get("text") or ""))
        if claim.get("comparison"):
            out.append(Markup('<p class="cs-cmp">{}</p>').format(claim["comparison"]))
        evidence = records(claim.get("evidence"))
        if evidence:
            out.append(Markup("<details><summary>Evidence ({} passage{})</summary>").format(
                len(evidence), "" if len(evidence) == 1 else "s"))
            for ev in evidence:
                stance = ev.get("stance") if ev.get("stance") in STANCE_LABELS else "neutral"
                out.append(Markup(
                    '<div class="cs-ev"><span class="cs-stance-{}">{}</span> — {}'
                    "<blockquote>{}</blockquote></div>").format(
                        stance, STANCE_LABELS[stance], _source_html(ev), ev.get("passage") or ""))
            out.append(Markup("</details>"))
        else:
            out.append(Markup('<p class="cs-conf">No passage of the corpus addresses this '
                              "claim.</p>"))
        out.append(Markup("</div>"))
    out.append(Markup("</section>"))
    return Markup("\n").join(out)


def _md(text: Any) -> str:
    from claimscope.render.markdown import md_escape

    return md_escape(text)


def claims_markdown(article: dict[str, Any]) -> str:
    """The Markdown verification section of one article ('' when nothing was checked)."""
    if "claims" not in article:
        return ""
    claims = records(article.get("claims"))
    lines = ["### Checked against your sources", ""]
    if not claims:
        return "\n".join(lines + ["No claim was checked.", ""])
    for i, claim in enumerate(claims, 1):
        v = _verdict(claim)
        conf = as_float(claim.get("confidence"))
        head = f"{i}. **{VERDICT_LABELS[v]}**" + (f" ({conf:.2f})" if conf is not None else "")
        lines.append(f"{head}: {_md(claim.get('text') or '')}")
        if claim.get("comparison"):
            lines.append(f"   - {_md(claim['comparison'])}")
        for ev in records(claim.get("evidence")):
            if ev.get("stance") not in ("supports", "refutes"):
                continue
            url = _safe_url(ev.get("url"))
            src = _md(ev.get("source") or "unknown source")
            cite = f"[{src}](<{url.replace('>', '%3E')}>)" if url else src
            date = f", {_md(ev['date'])}" if ev.get("date") else ""
            lines.append(f"   - {ev['stance']}: {cite}{date}: “{_md(ev.get('passage') or '')}”")
    return "\n".join(lines) + "\n"
