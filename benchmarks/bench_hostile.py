"""Hostile input at full size: crashes, lost good articles, scripts run, slowest and largest.

Generates the inputs of ``_hostile.py`` (217 article inputs at scale 1.0: up to 1.4 MB
articles, 100,000 levels of nesting, ...; 20 good articles beside them; corpus files and
search arguments), runs ``claimscope analyze`` on all of them (json, jsonl, parquet; one
article per job so each gets its own time and memory) and on those that carry script
payloads and odd text (html, md, claimreview), ``compare`` and ``corpus add/search/remove``
as a user would, and opens every HTML-ish output in Debian's chromium (Playwright, when
installed) to count scripts that ran. Prints and saves ``benchmarks/results_hostile.json``:

- crashes: command runs with a traceback or an unexpected exit code, plus inputs that
  came out neither analysed nor as a coded error;
- lost good articles: good articles not analysed cleanly;
- scripts run: pages where article text ran as script;
- the slowest and the largest article: seconds and peak memory above the loaded models.

    python benchmarks/bench_hostile.py [--scale 1.0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _hostile  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _cli(*args: object, timeout: float = 3600) -> tuple[subprocess.CompletedProcess, float]:
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "claimscope", *map(str, args)],
                         capture_output=True, text=True, timeout=timeout, cwd=HERE.parent)
    return res, time.perf_counter() - t


def _scripts_run(pages: dict[str, str | Path]) -> dict[str, bool] | None:
    """Per page: did anything set window.__pwned (i.e. did article text run)."""
    if not CHROMIUM.is_file():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for name, page_src in pages.items():
            page = browser.new_page()
            if isinstance(page_src, Path):
                page.goto(page_src.as_uri())
            else:
                page.set_content(page_src)
            page.wait_for_timeout(100)
            out[name] = page.evaluate("window.__pwned !== undefined")
            page.close()
        browser.close()
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--keep", type=Path, default=None, help="keep the inputs and outputs here")
    args = ap.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="claimscope-hostile-"))
    cases = _hostile.articles(root / "in", scale=args.scale)
    good = _hostile.good_articles(root / "good")
    crashes: list[str] = []

    def check(name: str, res: subprocess.CompletedProcess, codes: tuple[int, ...]) -> None:
        if "Traceback" in res.stderr + res.stdout or res.returncode not in codes:
            crashes.append(f"{name}: exit {res.returncode}: {res.stderr[-300:]}")

    # analyze: the streamed formats, one article per job (each its own time and memory)
    out = root / "out"
    res, secs = _cli("analyze", root / "in", root / "good", "-o", out, "--format",
                     "json,jsonl,parquet", "--batch-size", 1, "-q")
    check("analyze", res, (0, 1))
    # the formats rendered whole, on the inputs that carry script payloads and odd text
    embed = root / "embed"
    res_e, _ = _cli("analyze", root / "in" / "lines.jsonl", *sorted((root / "in").glob(
        "fuzz_*")), *sorted((root / "in").glob("unicode_*")), root / "good", "-o", embed,
        "--format", "json,html,md,claimreview", "-q")
    check("analyze (html, md, claimreview)", res_e, (0, 1))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    analysed = {a["source"]: a for a in report["articles"]}
    errors = {e["source"]: e for e in report["errors"]}
    outcome = {"analysed": 0, "article_errors": 0, "read_errors": 0}
    codes: dict[str, int] = {}
    for case in cases:
        if case.source in analysed:
            art = analysed[case.source]
            outcome["article_errors" if art["errors"] else "analysed"] += 1
            for e in art["errors"]:
                codes[e["code"]] = codes.get(e["code"], 0) + 1
        elif case.source in errors and errors[case.source].get("code"):
            outcome["read_errors"] += 1
            code = errors[case.source]["code"]
            codes[code] = codes.get(code, 0) + 1
        else:
            crashes.append(f"{case.name}: neither analysed nor a coded error")
    by_id = {a["id"]: a for a in report["articles"]}
    lost = [g for g in good if g not in by_id or by_id[g]["errors"] or not by_id[g]["sentences"]]

    # compare (hostile files beside good ones) and a 100,000-deep --sides file
    some = [c.source for c in cases if c.kind in ("txt", "html")][::4]
    res_c, secs_c = _cli("compare", root / "good", root / "in" / "lines.jsonl", *some, "-o",
                         root / "cmp")
    check("compare", res_c, (0, 1))
    sides = root / "sides.json"
    sides.write_text("[" * 100_000 + "]" * 100_000)
    res_s, _ = _cli("compare", root / "good", "-o", root / "cmp2", "--sides", sides)
    check("compare --sides", res_s, (2,))

    # corpus add / search / remove
    good_passages = _hostile.corpus_files(root / "corpus", scale=args.scale)
    db = root / "c.db"
    res_a, secs_a = _cli("corpus", "add", root / "corpus", "--db", db)
    check("corpus add", res_a, (1,))
    res_l, _ = _cli("corpus", "list", "--db", db, "--json")
    check("corpus list", res_l, (0,))
    passages = json.loads(res_l.stdout)["corpus"]["passages"] if res_l.returncode == 0 else 0
    if passages < sum(good_passages.values()):
        crashes.append(f"corpus: {passages} passages, expected >= {sum(good_passages.values())}")
    for q in _hostile.QUERIES:
        if "\x00" in q:
            continue
        check(f"corpus search {q[:20]!r}", _cli("corpus", "search", q, "--db", db)[0], (0,))
        check(f"corpus remove {q[:20]!r}", _cli("corpus", "remove", q, "--db", db)[0], (1,))

    # scripts run: every output as a browser shows it
    from markdown_it import MarkdownIt

    jsonld = (embed / "report.claimreview.jsonld").read_text(encoding="utf-8")
    pages: dict[str, str | Path] = {
        "report.html": embed / "report.html",
        "compare.html": root / "cmp" / "compare.html",
        "report.md as HTML": "<!doctype html><body>" + MarkdownIt(
            "commonmark", {"html": True}).render((embed / "report.md").read_text("utf-8")),
        "claimreview in ld+json": "<!doctype html><head><script type=\"application/ld+json\">"
                                  + jsonld + "</script></head><body></body>",
    }
    ran = _scripts_run(pages)
    counts = run["counts"]
    result = {
        "scale": args.scale, "inputs": len(cases), "good_articles": len(good),
        "crashes": len(crashes), "crash_details": crashes[:20],
        "lost_good_articles": len(lost), "lost": lost,
        "scripts_run": None if ran is None else sum(ran.values()),
        "pages_checked": None if ran is None else sorted(ran),
        "outcome": outcome, "codes": dict(sorted(codes.items())),
        "worker_restarts": counts.get("restarts"),
        "slowest_article": counts.get("slowest_job"),
        "largest_article": counts.get("largest_job"),
        "seconds": {"analyze": round(secs, 1), "compare": round(secs_c, 1),
                    "corpus_add": round(secs_a, 1)},
        "corpus_passages": passages,
    }
    print(f"inputs: {len(cases)} hostile + {len(good)} good (scale {args.scale})")
    print(f"crashes: {result['crashes']}")
    print(f"lost good articles: {result['lost_good_articles']}")
    print(f"scripts run: {result['scripts_run']}"
          + ("" if ran is not None else " (chromium or playwright missing: not checked)"))
    print(f"outcome: {outcome}; codes: {result['codes']}")
    for key in ("slowest_article", "largest_article"):
        job = result[key] or {}
        print(f"{key.replace('_', ' ')}: {', '.join(map(str, job.get('ids', [])))} "
              f"({job.get('chars')} chars): {job.get('seconds')} s, "
              f"peak {job.get('peak_mb')} MB above the loaded models")
    print(f"seconds: {result['seconds']}")
    (HERE / "results_hostile.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
