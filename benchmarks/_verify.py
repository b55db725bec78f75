"""Shared pieces of the verification benchmarks: the OCHA corpus, the pipeline, intervals."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import data_dir  # noqa: E402

SOURCE_TEMPLATE = "UN OCHA oPt Flash Update #{flash_update_no}"
#: the stages before verification (as `claimscope analyze --corpus` runs them, rhetoric off)
CORE = ["segment", "language", "encode", "checkworthiness", "subjectivity", "quantities",
        "actors"]


def ocha_db(db: Path) -> Path:
    """The OCHA Flash Updates corpus at ``db``, built on first use (a few minutes)."""
    if not db.exists():
        from claimscope.corpus import CorpusStore, Fields, read_sources

        src = data_dir("ocha-opt-flash-updates-2023-2024") / "flash_updates_passages.jsonl"
        fields = Fields(date="report_date", source=SOURCE_TEMPLATE, publisher="=UN OCHA oPt")
        t0 = time.perf_counter()
        docs = [d for d in read_sources([src], fields) if not isinstance(d, Exception)]
        with CorpusStore(db, create=True) as store:
            store.add(docs)
        print(f"built {db} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return db


def pipeline(db: Path, **verify):
    import claimscope

    config = {"verify": verify} if verify else None
    return claimscope.load(CORE, corpus=str(db), config=config)


def sentence_verdict(verdicts: list[str]) -> str:
    """One verdict for a sentence checked as several units: refuted if a unit is, supported
    if every unit is, conflicting if both happen, else not enough evidence."""
    if not verdicts:
        return "not_enough_evidence"
    if "conflicting" in verdicts or ("refuted" in verdicts and "supported" in verdicts):
        return "conflicting"
    if "refuted" in verdicts:
        return "refuted"
    if all(v == "supported" for v in verdicts):
        return "supported"
    return "not_enough_evidence"


def gold_correct(label: str, verdict: str) -> bool:
    """Is ``verdict`` right for an OCHA gold label? ``not_supported`` (a sentence with another
    day's figure) is right unless supported; any other label must be met exactly."""
    return verdict != "supported" if label == "not_supported" else verdict == label


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k / n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def fmt_ci(k: int, n: int, scale: float = 1.0, digits: int = 3) -> str:
    lo, hi = wilson(k, n)
    p = k / n if n else float("nan")
    return f"{p * scale:.{digits}f} [{lo * scale:.{digits}f}, {hi * scale:.{digits}f}] ({k}/{n})"
