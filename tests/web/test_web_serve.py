"""`claimscope serve` as a new user runs it: the shipped models, a real server, a paste."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from conftest import SAMPLE

from claimscope.cli.serve import allowed_hosts


def test_allowed_hosts_are_the_served_address():
    assert allowed_hosts("127.0.0.1", 8000) == ["127.0.0.1:8000", "[::1]:8000",
                                                "localhost:8000"]
    assert allowed_hosts("192.0.2.5", 9000, ("box.lan",)) == ["192.0.2.5:9000",
                                                              "box.lan:9000"]
    assert "localhost:80" in allowed_hosts("127.0.0.1", 80)


@pytest.mark.slow
def test_serve_starts_and_a_pasted_article_is_shown(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = [sys.executable, "-m", "claimscope", "serve", "--port", str(port), "--store",
           str(tmp_path / "a.db")]
    proc = subprocess.Popen(exe, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, proc.stderr.read()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        text = SAMPLE.read_text(encoding="utf-8")
        t0 = time.perf_counter()
        r = httpx.post(base + "/analyze", data={"text": text, "outlet": "Sample Wire"},
                       headers={"origin": base}, timeout=60)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 303, r.text
        page = httpx.get(base + r.headers["location"], timeout=10)
        assert page.status_code == 200 and "Sample Wire" in page.text
        assert 'class="s cw4 claim' in page.text and 'class="q"' in page.text
        assert "Appeal to Fear, Prejudice" in page.text or "Loaded Language" in page.text
        assert elapsed < 10  # about 1 s on 2 cores (benchmarks/bench_web.py)
        # it is in the store (test_store checks it survives a reopen)
        assert httpx.get(base + "/api/articles", timeout=10).json()["total"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
