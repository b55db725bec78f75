"""Runs over many articles: streamed output, resume after a kill, signals, budgets,
worker processes, atomic writes, the output folder checked first."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimscope import Document
from claimscope.cli import main
from claimscope.runner import Budget, Setup, analyse_documents, run_analysis

ROOT = Path(__file__).resolve().parents[2]
RULES = "segment,quantities,actors,ledger"
FAST = "segment,quantities,actors"
LINE = ("Israel said it destroyed {n} Hamas tunnels in Gaza on Monday, and the ministry said "
        "{m} people were killed there. ")


def _articles(path: Path, n: int, words: int = 3) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = "\n".join(LINE.format(n=i + k, m=10 * i + k) for k in range(words))
            fh.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")
    return path


def _cli(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _lines(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n")
    return [json.loads(line) for line in raw.splitlines()]


def _strip_times(obj):
    if isinstance(obj, dict):
        return {k: _strip_times(v) for k, v in obj.items() if k not in ("created", "updated")}
    if isinstance(obj, list):
        return [_strip_times(v) for v in obj]
    return obj


def test_jsonl_streams_articles_and_run_json_has_the_summary(tmp_path):
    src = _articles(tmp_path / "in.jsonl", 12)
    (tmp_path / "bad.txt").write_bytes(b"")
    out = tmp_path / "out"
    res = _cli(["analyze", str(src), str(tmp_path / "bad.txt"), "-o", str(out), "--stages",
                RULES, "--format", "jsonl,json", "--workers", "0"])  # not -q: not a terminal
    assert res.exit_code == 1, res.output
    assert "article/s" not in res.output and "%|" not in res.output  # no bar off a terminal
    lines = _lines(out / "report.jsonl")
    assert [a["id"] for a in lines] == [f"a{i}" for i in range(12)]
    report = json.loads((out / "report.json").read_text())
    assert report["articles"] == lines
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "complete" and run["counts"]["analysed"] == 12
    assert [e["code"] for e in run["errors"]] == ["E101"] == [e["code"] for e in report["errors"]]
    assert run["generator"]["stages"] == RULES.split(",")
    assert not (out / "report.jsonl.partial").exists()


@pytest.mark.slow
def test_workers_give_the_same_output_as_one_process(tmp_path):
    src = _articles(tmp_path / "in.jsonl", 40)
    outs = {}
    for workers in ("0", "1", "2"):
        out = tmp_path / f"out{workers}"
        res = _cli(["analyze", str(src), "-o", str(out), "--stages", RULES, "--format",
                    "json,jsonl", "--workers", workers, "--batch-size", "4", "-q"])
        assert res.exit_code == 0, res.output
        outs[workers] = (_strip_times(json.loads((out / "report.json").read_text())),
                         (out / "report.jsonl").read_bytes())
    assert outs["0"] == outs["1"] == outs["2"]


#: ``python -m claimscope`` as a terminal starts it: a test run in the background of a
#: non-interactive shell (CI) inherits SIGINT ignored, and so would the command
_AS_FROM_A_TERMINAL = ("import runpy, signal, sys; "
                       "signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "sys.argv[0] = 'claimscope'; "
                       "runpy.run_module('claimscope', run_name='__main__', alter_sys=True)")


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_lines(path: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {n} lines: {proc.communicate()}")
        time.sleep(0.01)
    pytest.fail(f"no {n} lines in {path} after {timeout} s")


@pytest.mark.slow
def test_killed_run_resumes_with_every_article_exactly_once(tmp_path):
    src = _articles(tmp_path / "in.jsonl", 300, words=10)
    ref = tmp_path / "ref"
    res = _cli(["analyze", str(src), "-o", str(ref), "--stages", FAST, "--format",
                "jsonl", "--workers", "0", "-q"])
    assert res.exit_code == 0
    out = tmp_path / "out"
    args = ["analyze", str(src), "-o", str(out), "--stages", FAST, "--format", "jsonl,json",
            "--workers", "1", "--batch-size", "4", "-q"]
    proc = _spawn(args)
    partial = out / "report.jsonl.partial"
    _wait_lines(partial, 20, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    done = partial.read_bytes().count(b"\n")
    assert 20 <= done < 300
    with partial.open("ab") as fh:  # a line cut half-way, as a kill mid-write leaves it
        fh.write(b'{"id": "a999", "text": "half')
    res = _cli(args[:-1] + ["--resume", "-q"])
    assert res.exit_code == 0, res.output
    lines = _lines(out / "report.jsonl")
    assert [a["id"] for a in lines] == [f"a{i}" for i in range(300)]  # each exactly once
    assert (out / "report.jsonl").read_bytes() == (ref / "report.jsonl").read_bytes()
    assert json.loads((out / "report.json").read_text())["articles"] == lines
    run = json.loads((out / "run.json").read_text())
    assert run["counts"]["resumed"] == done and run["counts"]["analysed"] == 300 - done


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_keep_the_work_done(tmp_path, sig, code):
    src = _articles(tmp_path / "in.jsonl", 300, words=10)
    out = tmp_path / "out"
    proc = _spawn(["analyze", str(src), "-o", str(out), "--stages", FAST, "--format",
                   "jsonl,parquet", "--workers", "1", "--batch-size", "4", "-q"])
    partial = out / "report.jsonl.partial"
    _wait_lines(partial, 10, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "--resume" in err and "Traceback" not in err
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "interrupted"
    assert all(isinstance(a, dict) for a in _lines(partial))
    assert not list(out.glob("*.parquet")) and not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_budget_stops_one_article_and_the_rest_is_analysed(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1]))  # runner_fakes
    docs = [Document(t, id=f"d{i}") for i, t in enumerate(
        ["Fine one.", "This one will SLEEP now.", "Fine two.", "This one will HOG memory.",
         "Fine three.", "This one will CRASH.", "Fine four."])]
    setup = Setup(stages=["segment", "test_misbehave"], batch_size=8,
                  imports=("runner_fakes",))
    t = time.monotonic()
    got = list(analyse_documents(docs, setup, workers=1,
                                 budget=Budget(seconds=3, memory_mb=200)))
    assert time.monotonic() - t < 60
    assert [d.id for d in got] == [d.id for d in docs]
    codes = {d.id: [e["code"] for e in d.errors] for d in got}
    assert codes == {"d0": [], "d1": ["E010"], "d2": [], "d3": ["E011"], "d4": [],
                     "d5": ["E012"], "d6": []}
    assert all(d.fields.get("misbehaved") is False for d in got if not d.errors)


@pytest.mark.parametrize("where", ["/proc/x", "file"])
def test_output_folder_is_checked_before_the_analysis(tmp_path, where):
    target = tmp_path / "f.txt" if where == "file" else Path(where)
    (tmp_path / "f.txt").write_text("x")
    src = _articles(tmp_path / "in.jsonl", 2)
    t = time.monotonic()
    res = CliRunner().invoke(main, ["analyze", str(src), "-o", str(target), "--stages", RULES])
    assert res.exit_code == 2, res.output
    assert "[E013]" in res.output or "is a file" in res.output  # click's own check
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert time.monotonic() - t < 5  # before any model or worker starts


def test_failed_write_leaves_the_earlier_report_whole(tmp_path, monkeypatch):
    src = _articles(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out"
    args = ["analyze", str(src), "-o", str(out), "--stages", RULES, "--format", "json,html",
            "--workers", "0", "-q"]
    assert _cli(args).exit_code == 0
    reports = ("report.json", "report.html")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name in reports}
    import claimscope.render.html as html

    def boom(report):
        raise OSError("disk full")

    monkeypatch.setattr(html, "render_html", boom)
    _articles(src, 4)  # the new run's report.json would differ
    with pytest.raises(OSError):
        _cli(args)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.name in reports}
    assert after == before
    assert not list(out.glob(".*.tmp"))


def test_report_writer_survives_a_surrogate(tmp_path):
    from claimscope.io.writers import write_reports
    from claimscope.report import build_report

    doc = Document("Bad \ud800 text.", id="s")
    paths = write_reports(build_report([doc]), tmp_path, ["json", "html", "md"])
    for p in paths:
        p.read_bytes().decode("utf-8")  # valid UTF-8


def test_run_analysis_refuses_whole_report_formats_above_the_limit(tmp_path):
    from claimscope.runner import RunError

    src = _articles(tmp_path / "in.jsonl", 5)
    with pytest.raises(RunError, match=r"\[E015\].*jsonl or parquet"):
        run_analysis([str(src)], tmp_path / "o", ["html"], Setup(stages=["segment"]),
                     workers=0, max_bytes=10_000, max_whole_report=4)
    assert os.listdir(tmp_path / "o") == []


def test_a_run_too_large_for_html_keeps_its_json(tmp_path):
    src = _articles(tmp_path / "in.jsonl", 5)
    out = tmp_path / "o"
    msgs = []
    res = run_analysis([str(src)], out, ["json", "html"], Setup(stages=["segment"]),
                       workers=0, max_bytes=10_000, max_whole_mb=0.001, echo=msgs.append)
    assert res.code == 1 and (out / "report.json").is_file()
    assert not (out / "report.html").exists()
    assert any("[E016]" in m and "jsonl or parquet" in m for m in msgs)
    run = json.loads((out / "run.json").read_text())
    assert run["output_errors"][0]["code"] == "E016"


def test_ctrl_c_in_compare_exits_130(tmp_path):
    # enough articles that no machine compares them all in the 2 s before the signal
    src = _articles(tmp_path / "in.jsonl", 2000, words=40)
    proc = _spawn(["compare", str(src), "-o", str(tmp_path / "cmp")])
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
