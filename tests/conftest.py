from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "examples" / "sample_article.txt"


@pytest.fixture(scope="session")
def nlp():
    """The full default pipeline with the shipped models (loaded once)."""
    import claimscope

    return claimscope.load()


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def shared(name: str) -> Path:
    """A folder of ../shared/data, or skip the test when it is absent."""
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"../shared/data/{name} is not available")
    return path


def at_once(work: Callable[[int], object], n: int) -> list[Exception]:
    """Run ``work(0)`` ... ``work(n - 1)`` in ``n`` threads at once; what they raised."""
    errors: list[Exception] = []

    def run(k: int) -> None:
        try:
            work(k)
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
