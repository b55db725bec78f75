import json

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from claimscope.cli import main
from claimscope.report import schema


def _run(args, **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    res = _run(["analyze", str(SAMPLE), "-o", str(out), "--format", "json,html,md"])
    assert res.exit_code == 0, res.output
    return out, res


def test_analyze_writes_all_formats(sample_report):
    out, res = sample_report
    for name in ("report.json", "report.html", "report.md"):
        assert (out / name).is_file()
        assert f"wrote {out / name}" in res.output


def test_report_follows_schema_and_offsets(sample_report):
    out, _ = sample_report
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, schema())
    art = report["articles"][0]
    assert art["id"] == "sample_article" and art["source"] == str(SAMPLE)
    assert art["text"] == SAMPLE.read_text(encoding="utf-8")
    assert art["language"] == "en" and art["warnings"] == []
    assert len(art["sentences"]) > 30
    for s in art["sentences"] + art["quantities"]:
        assert art["text"][s["start"]:s["end"]] == s["text"]
    assert all(0 <= s["checkworthiness"] <= 1 and 0 <= s["subjectivity"] <= 1
               for s in art["sentences"])
    assert report["generator"]["models"]["sha256"]
    texts = {q["text"] for q in art["quantities"]}
    assert any("4,000" in t for t in texts) and any("240" in t for t in texts)


def test_sample_scores_make_sense(sample_report):
    out, _ = sample_report
    art = json.loads((out / "report.json").read_text())["articles"][0]
    by_text = {s["text"]: s for s in art["sentences"]}
    factual = next(t for t in by_text if t.startswith("The Israeli military said on Saturday that 55"))
    opinion = next(t for t in by_text if "bears full responsibility" in t)
    assert by_text[factual]["checkworthiness"] >= 0.5
    assert by_text[opinion]["subjectivity"] > by_text[factual]["subjectivity"] + 0.3


def test_batch_with_bad_inputs_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("The ministry said 300 trucks entered Gaza on Monday. Officials disputed it.")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    lines = tmp_path / "b.jsonl"
    lines.write_text('{"id": "j1", "text": "Around 240 captives were taken, Israel said."}\n'
                     "not json\n")
    out = tmp_path / "out"
    res = _run(["analyze", str(good), str(empty), str(binary), str(lines), "-o", str(out), "-q"])
    assert res.exit_code == 1
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, schema())
    assert [a["id"] for a in report["articles"]] == ["good", "j1"]
    codes = sorted((e["source"], e["code"]) for e in report["errors"])
    assert codes == sorted([(str(empty), "E101"), (str(binary), "E102"), (f"{lines}:2", "E104")])
    assert "[E104]" in res.output and f"{lines}:2" in res.output


def test_single_bad_input_is_one_clear_line(tmp_path):
    bad = tmp_path / "nul.txt"
    bad.write_bytes(b"\x00" * 50)
    res = _run(["analyze", str(bad), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1
    first = res.output.strip().splitlines()[0]
    assert first.startswith("error: [E102]") and str(bad) in first
    assert not (tmp_path / "o" / "report.json").exists()


def test_huge_file_is_refused_cleanly(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("w") as fh:
        for _ in range(50 * 1024):
            fh.write("The army said more than 4,000 rockets were fired at towns in the south. " * 14)
    assert big.stat().st_size > 50_000_000
    res = _run(["analyze", str(big), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "[E106]" in res.output and "--max-bytes" in res.output


def test_stdin_and_xss_article(tmp_path):
    evil = ('Officials said <script>alert("x")</script> 300 trucks entered. '
            '<img src=x onerror=alert(1)> "><svg onload=alert(2)>')
    res = _run(["analyze", "-", "-o", str(tmp_path), "--format", "html,json"], input=evil)
    assert res.exit_code == 0, res.output
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;" in html
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["articles"][0]["text"] == evil


def test_non_english_is_analysed_with_warning(tmp_path):
    p = tmp_path / "fr.txt"
    p.write_text("Le ministère de la Santé a annoncé que plus de 300 camions étaient entrés "
                 "dans la bande de Gaza depuis le début du mois, selon les agences de l'ONU.")
    res = _run(["analyze", str(p), "-o", str(tmp_path), "--format", "json"])
    assert res.exit_code == 0
    art = json.loads((tmp_path / "report.json").read_text())["articles"][0]
    assert art["language"] == "fr" and art["warnings"][0]["code"] == "W001"
    assert art["sentences"]


def test_bad_format_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(main, ["analyze", str(SAMPLE), "--format", "pdf"])
    assert res.exit_code == 2 and "expected a comma-separated list of" in res.output


def test_folder_of_articles_with_progress(tmp_path):
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(f"Article {i}: at least {i + 2} people were hurt.")
    out = tmp_path / "out"
    res = _run(["analyze", str(tmp_path), "-o", str(out), "--format", "json"])
    assert res.exit_code == 0
    assert [a["id"] for a in json.loads((out / "report.json").read_text())["articles"]] == \
        ["a0", "a1", "a2"]


def test_bad_threads_setting_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSCOPE_THREADS", "many")
    result = CliRunner().invoke(main, ["analyze", str(SAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "CLAIMSCOPE_THREADS" in result.output
    assert not (tmp_path / "report.json").exists()


@pytest.mark.slow  # a whole CLI run
def test_fast_skips_the_span_model_pass_and_the_report_says_so(sample_report, tmp_path):
    import claimscope

    out, _ = sample_report
    full = json.loads((out / "report.json").read_text())
    res = _run(["analyze", str(SAMPLE), "-o", str(tmp_path), "--format", "json", "--fast"])
    assert res.exit_code == 0, res.output
    fast = json.loads((tmp_path / "report.json").read_text())
    assert full["generator"]["models"]["span_pass"] is True
    assert fast["generator"]["models"]["span_pass"] is False
    # the shared heads place the spans, as the library does with span_states=False
    doc = claimscope.load(config={"encode": {"span_states": False}})(
        SAMPLE.read_text(encoding="utf-8"))

    def spans(art):
        return [(s["start"], s["end"], s["technique"]) for s in art["spans"]["persuasion"]]

    assert spans(fast["articles"][0]) == [(s.start, s.end, s.label)
                                          for s in doc.spans["persuasion"]]
    assert spans(fast["articles"][0]) != spans(full["articles"][0])
    # everything else is the same analysis
    for key in ("sentences", "quantities", "paragraphs", "frames", "genre"):
        assert fast["articles"][0][key] == full["articles"][0][key]
