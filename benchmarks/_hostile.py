"""Hostile inputs, generated: what benchmarks/bench_hostile.py and tests/cli/test_hostile.py
throw at claimscope. ``scale`` shrinks the large ones (1.0: a 1 MB article, 100,000 levels
of nesting; the tests use ~0.02).

``articles(folder, scale)`` writes article inputs (.txt, .html, .jsonl lines, other files)
and returns the cases, one per input; ``good_articles(folder)`` ordinary articles that
must come out analysed whatever sits beside them; ``corpus_files(folder, scale)`` inputs
for ``corpus add``; ``QUERIES`` hostile ``corpus search`` / ``remove`` arguments.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "examples" / "sample_article.txt").read_text(encoding="utf-8")
PAYLOAD = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
PUNCT = list("$&(!\"%*=+<>#_'") + ["‹", "«", "—", "…", "·", "\U0001F600", ":)", "(\"", "&amp;"]


@dataclass
class Case:
    """One input: ``source`` as the report names it (``path`` or ``path:line``)."""

    name: str
    source: str
    kind: str  # txt, html, jsonl, other


def _n(size: float, scale: float, least: int = 50) -> int:
    return max(least, int(size * scale))


def articles(folder: Path, scale: float = 1.0, seed: int = 0) -> list[Case]:
    """Write the hostile article inputs to ``folder``; one Case per input."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def file(name: str, data: bytes | str, kind: str = "txt") -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str)
                         else data)
        cases.append(Case(name, str(path), kind))

    lines: list[tuple[str, str]] = []

    def line(name: str, raw: str) -> None:
        lines.append((name, raw))

    # 1. punctuation runs (quadratic in spaCy's tokenizer)
    for i, p in enumerate(PUNCT):
        for size in (2_000, 20_000):
            n = _n(size, scale) // len(p)
            file(f"punct_{i:02d}_{size}.txt", f"The army said so. {p * n} Then it stopped.")
    # 2. entities and nesting in HTML
    for ent in ("&amp;", "&#x24;", "&nbsp;", "&lt;&gt;", "&#0;", "&#xD800;", "&bogus;"):
        n = _n(200_000, scale)
        file(f"entities_{len(cases):03d}.html",
             f"<html><body><p>{ent * n}</p><p>Real text: the army said 30 trucks entered."
             f"</p></body></html>", "html")
    for tag in ("div", "span", "b", "table", "li", "p"):
        d = _n(100_000, scale)
        file(f"nested_{tag}.html", "<html><body>" + f"<{tag}>" * d +
             "The army said 30 trucks entered Gaza." + f"</{tag}>" * d + "</body></html>",
             "html")
    file("unclosed_comment.html", "<html><body><!--" + "x" * _n(100_000, scale), "html")
    file("script_only.html", "<html><script>" + "var a=1;" * 1000 + "</script></html>", "html")
    file("huge_attribute.html", "<html><body><p title=\"" + "a" * _n(1_000_000, scale) +
         "\">Text here, 4 trucks.</p></body></html>", "html")
    file("cdata.html", "<html><body><![CDATA[" + "]]" * _n(50_000, scale) + "</body></html>",
         "html")
    # 3. JSON lines: depth, surrogates, NUL, odd fields and types
    d = _n(100_000, scale)
    line("deep_array", "[" * d + "]" * d)
    line("deep_object", '{"a":' * d + "1" + "}" * d)
    line("deep_in_text", json.dumps({"id": "deep_in_text", "text": "ok 3 trucks",
                                     "meta": json.loads("[" * 60 + "]" * 60)}))
    line("deep_meta", '{"id": "deep_meta", "text": "Fine 5 trucks.", "m": ' + "[" * d +
         "]" * d + "}")
    for k, s in enumerate(["\\ud800", "\\udfff", "\\u0000", "\\ud800\\ud800", "\\udc00a",
                           "a\\u0000b\\u0000"]):
        line(f"surrogate_{k}", f'{{"id": "surrogate_{k}", "text": "Before {s} after, the army '
             f'said 30 trucks entered.", "title": "T{s}"}}')
    odd = [{"id": ["a", 1]}, {"id": {"x": 1}}, {"id": 1e308}, {"id": True}, {"id": None},
           {"text": 5}, {"text": ["a", "b"]}, {"text": {"t": 1}}, {"html": 7},
           {"html": "<p>" + "&amp;" * 500 + "</p>"}, {"title": "t" * 100_000},
           {"language": 5}, {"language": "xx-" + "y" * 1000}, {"url": "javascript:alert(1)"},
           {"url": PAYLOAD, "title": PAYLOAD, "outlet": PAYLOAD, "published": PAYLOAD},
           {"text": ""}, {"text": "   "}, {}, {"text": None, "html": None}]
    for k, fields in enumerate(odd):
        rec = {"id": f"odd_{k}", "text": f"Odd fields {k}: the army said {k + 2} trucks "
                                        "entered Gaza."}
        rec.update(fields)
        line(f"odd_{k}", json.dumps(rec))
    line("nan", '{"id": "nan", "text": "NaN here 3 trucks.", "x": NaN, "y": Infinity}')
    line("bignum", '{"id": "bignum", "text": "Big 3 trucks.", "x": ' + "9" * 5000 + "}")
    line("float_huge", '{"id": "float_huge", "text": "Huge 3 trucks.", "x": 1e400}')
    line("not_json", "this is not json {")
    line("array_line", "[1, 2, 3]")
    line("string_line", '"just a string"')
    line("truncated", '{"id": "truncated", "text": "cut')
    line("dup_a", json.dumps({"id": "dup", "text": "Duplicate id one, 3 trucks."}))
    line("dup_b", json.dumps({"id": "dup", "text": "Duplicate id two, 4 trucks."}))
    line("injection", json.dumps({"id": "injection", "text": f"The army said 3 trucks. {PAYLOAD}",
                                  "title": PAYLOAD, "url": "javascript:window.__pwned=3"}))
    # 4. encodings and bytes
    file("latin1.txt", "Café, naïve résumé: 3 trucks entered.".encode("latin-1"))
    file("cp1252.txt", "Café “quoted” — 3 trucks entered.".encode("cp1252"))
    file("utf16_bom.txt", "\ufeffThe army said 3 trucks entered.".encode("utf-16"))
    file("utf16_nobom.txt", "The army said 3 trucks entered.".encode("utf-16-le"))
    file("utf32.txt", "\ufeffThe army said 3 trucks entered.".encode("utf-32"))
    file("shiftjis.txt", "東京で3台のトラック。".encode("shift_jis"))
    file("invalid_utf8.txt", b"The army \xff\xfe said \xc3\x28 3 trucks \xed\xa0\x80.")
    file("cp1251.txt", "Армия заявила, что 3 грузовика въехали.".encode("cp1251"))
    file("late_nul.txt", b"The army said so. " * _n(4_000, scale, 4000) + b"\x00tail 3 trucks")
    file("early_nul.txt", b"\x00\x01\x02" * 100)
    file("controls.txt", "".join(chr(rnd.randint(1, 31)) for _ in range(500)))
    for magic, name in ((b"%PDF-1.4", "pdf"), (b"\x89PNG\r\n", "png"), (b"PK\x03\x04", "zip"),
                        (b"\x1f\x8b\x08", "gz"), (b"\x7fELF", "elf"), (b"GIF89a", "gif")):
        file(f"magic_{name}.txt", magic + bytes(rnd.randrange(256) for _ in range(300)))
    file("random_bytes.txt", bytes(rnd.randrange(256) for _ in range(5000)))
    # 5. sizes and shapes
    file("empty.txt", "")
    file("whitespace.txt", " \n\t\r\n " * 100)
    file("one_char.txt", "x")
    file("big_ordinary.txt", (SAMPLE + "\n") * max(1, int(150 * scale)))
    file("one_long_line.txt", "word 3 " * _n(200_000, scale))
    file("no_spaces.txt", "a" * _n(1_000_000, scale))
    file("newlines.txt", "\n" * _n(200_000, scale) + "Then 3 trucks entered.")
    file("short_lines.txt", "A.\n" * _n(30_000, scale))
    file("crlf.txt", "The army said 3 trucks entered.\r\n" * 200)
    file("cr_only.txt", "The army said 3 trucks entered.\r" * 200)
    # 6. Unicode oddities
    for k, text in enumerate([
            "\u202eevil\u202c The army said 3 trucks entered.",
            "zero\u200bwidth\u200c\u200d joiners 3 trucks " * 200,
            "a" + "\u0301" * _n(20_000, scale) + " 3 trucks",
            "👨‍👩‍👧‍👦" * _n(5_000, scale) + " 3 trucks",
            "\ue000\uf8ff private use 3 trucks " * 100,
            "\U0010fffd unassigned \u0378 3 trucks " * 100,
            "mid\ufeffBOM 3 trucks " * 100,
            "line\u2028sep\u2029para 3 trucks " * 100,
            "ＦＵＬＬＷＩＤＴＨ ３ ｔｒｕｃｋｓ " * 100,
            "١٢٣ Arabic digits ٤٥٦ trucks " * 100,
            "𝟏𝟐𝟑 math digits trucks " * 100,
            "Ⅻ roman Ⅳ ½ ¾ trucks " * 100]):
        file(f"unicode_{k:02d}.txt", text)
    # 7. numbers and cues (quantity parser, ledger)
    for k, text in enumerate([
            " ".join(str(i) for i in range(_n(30_000, scale))),
            ", ".join(f"{i},000" for i in range(_n(20_000, scale))),
            "50% " * _n(20_000, scale),
            "$1.5 billion " * _n(10_000, scale),
            "1/2 3/4 5/8 " * _n(5_000, scale),
            "9" * _n(50_000, scale),
            "1." * _n(20_000, scale),
            "between 1 and 2 and 3 to 4 - 5 " * _n(3_000, scale),
            "more than " * _n(10_000, scale) + "3 trucks",
            "12:30 1/1/2023 2023-11-18 " * _n(5_000, scale)]):
        file(f"numbers_{k:02d}.txt", text)
    cue = "Israel said it destroyed Hamas tunnels and achieved its goal, and "
    file("ledger_one_sentence.txt", cue * _n(1_000, scale, 30))
    file("actors_flood.txt", "Israel Hamas Gaza Ukraine Russia Putin Netanyahu " * _n(20_000, scale))
    file("quotes_flood.txt", '"He said" “she said” ' * _n(10_000, scale))
    # 8. random fuzz
    alphabets = ["$&(!\"%*‹«'):.,-a1 \n", "abc 123 .,;\n", "\u0000\ud7ff\ue000\uffff ",
                 "日本語 中文 한국어 .\n", "<>&\"'/=\\ \n", "\t\r\n\x0b\x0c "]
    for k in range(60):
        alpha = rnd.choice(alphabets)
        size = rnd.choice([10, 300, 3_000, _n(30_000, scale)])
        text = "".join(rnd.choice(alpha) for _ in range(size))
        file(f"fuzz_{k:02d}.txt", text)
    # 9. unsupported files
    file("table.xlsx", b"PK\x03\x04 not a table", "other")
    file("noext", "The army said 3 trucks entered.", "other")
    with (folder / "lines.jsonl").open("w", encoding="utf-8", newline="") as fh:
        for k, (name, raw) in enumerate(lines, start=1):
            fh.write(raw + "\n")
            cases.append(Case(name, f"{folder / 'lines.jsonl'}:{k}", "jsonl"))
    return cases


def good_articles(folder: Path, n: int = 20) -> list[str]:
    """Ordinary articles (ids good_00, ...) in ``folder/good.jsonl``; their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    paras = [p for p in SAMPLE.split("\n") if p.strip()]
    ids = []
    with (folder / "good.jsonl").open("w", encoding="utf-8") as fh:
        for k in range(n):
            text = "\n".join(paras[(k + j) % len(paras)] for j in range(6))
            ids.append(f"good_{k:02d}")
            fh.write(json.dumps({"id": ids[-1], "text": text, "title": f"Good {k}"}) + "\n")
    return ids


def corpus_files(folder: Path, scale: float = 1.0) -> dict[str, int]:
    """Inputs for ``corpus add`` in ``folder``: good ones and hostile ones. Returns the
    number of good passages each good file holds (name -> passages)."""
    folder.mkdir(parents=True, exist_ok=True)
    good = {}
    (folder / "good.txt").write_text("The ministry said 300 trucks entered Gaza on Monday, "
                                     "and aid agencies said it was not enough for anyone.\n")
    good["good.txt"] = 1
    rows = [json.dumps({"text": f"Passage {k}: {100 + k} trucks entered Gaza, OCHA said.",
                        "source": f"Update {k}"}) for k in range(5)]
    d = _n(100_000, scale)
    bad = ["not json", "[" * d + "]" * d, '{"text": 5}', '{"no_text": "x"}', "[1, 2]",
           '{"text": "surrogate \\ud800 kept as U+FFFD, 3 trucks entered."}', "",
           '{"text": "' + "x" * 1000 + '", "source": ' + "[" * 70 + "]" * 70 + "}"]
    mixed = [r for pair in zip(rows, bad[:5]) for r in pair] + rows[5:] + bad[5:]
    (folder / "mixed.jsonl").write_text("\n".join(mixed) + "\n")
    good["mixed.jsonl"] = 6  # 5 good lines and the surrogate one
    (folder / "figures.csv").write_text("date,killed,source\n2023-11-18,12,OCHA\n"
                                        "2023-11-19,,OCHA\n\"unclosed,3\n")
    (folder / "bad_utf8.csv").write_bytes(b"a,b\n\xff\xfe,\xc3\x28\n")
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n")
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type")
    (folder / "not_a_pdf.pdf").write_bytes(b"hello")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "empty.txt").write_text("")
    (folder / "deep.html").write_text("<html><body>" + "<div>" * d + "Deep corpus text: 12 "
                                      "trucks entered Gaza on Monday, OCHA said." +
                                      "</div>" * d + "</body></html>")
    good["deep.html"] = 1
    (folder / "entities.html").write_text("<p>" + "&amp;" * _n(100_000, scale) + "</p>")
    return good


QUERIES = ['"', "*", "NEAR(a b)", "a AND OR NOT b", "text:foo", "^start", "((((", "\\",
           "'; DROP TABLE passages; --", "🙂 ∑ ∂", "x" * 5000, " ", "\u202e evil", "\x00",
           "trucks\" OR \"", PAYLOAD]
