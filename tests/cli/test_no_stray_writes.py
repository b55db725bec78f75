"""Nothing is written outside the output folder: no telemetry, no cache in the home folder.

Runs ``claimscope analyze`` under strace (``apt-get install strace``; the test is skipped
without it) with an empty HOME and TMPDIR, and lists every file or folder the run and its
workers create.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

STRACE = shutil.which("strace")
_CREATE = re.compile(r'^\d+\s+(?:openat|open|creat|mkdir|mkdirat|rename|renameat2?)\((?:AT_FDCWD, '
                     r'|\d+, )?"([^"]+)"(.*)$')

pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed "
                                                       "(apt-get install strace)")


def _created(trace: Path) -> list[str]:
    out = []
    for line in trace.read_text(errors="replace").splitlines():
        m = _CREATE.match(line)
        if not m or "= -1" in m.group(2):
            continue
        call = line.split("(")[0].split()[-1]
        if call in ("openat", "open") and not re.search(r"O_CREAT|O_WRONLY|O_RDWR|O_TMPFILE",
                                                        m.group(2)):
            continue
        out.append(m.group(1))
    return out


@pytest.mark.slow  # a whole CLI run
def test_analyze_writes_only_its_output_folder(tmp_path):
    home, tmp, out = tmp_path / "home", tmp_path / "tmp", tmp_path / "out"
    home.mkdir()
    tmp.mkdir()
    trace = tmp_path / "trace.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORT_", "XDG_"))}
    env.update(HOME=str(home), TMPDIR=str(tmp))
    res = subprocess.run([STRACE, "-f", "-qq", "-o", str(trace), "-e",
                          "trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2",
                          sys.executable, "-m", "claimscope", "analyze", str(SAMPLE), "-o",
                          str(out), "--format", "json,jsonl,parquet", "-q"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    allowed = (str(out), str(tmp), "/dev/", "/proc/")
    stray = sorted({p for p in _created(trace) if not p.startswith(allowed)})
    assert stray == [], stray  # e.g. ~/.cache/Microsoft/DeveloperTools/.onnxruntime/...
    assert list(home.iterdir()) == [] and list(tmp.iterdir()) == []
    assert (out / "report.json").is_file() and (out / "articles.parquet").is_file()
