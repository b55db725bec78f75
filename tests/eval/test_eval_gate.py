"""Evaluation gate: the shipped models must not score below benchmarks/baseline.json."""

import json
import sys

import pytest
from conftest import ROOT, shared

sys.path.insert(0, str(ROOT / "benchmarks"))
BASELINE = json.loads((ROOT / "benchmarks" / "baseline.json").read_text())
# benchmarks on real data: `make test` runs them, `pytest -m "not slow"` leaves them out
pytestmark = pytest.mark.slow


def test_checkworthiness_does_not_regress():
    shared("checkthat2024-task1-checkworthiness-en")
    import bench_checkworthiness

    got = bench_checkworthiness.main()["checkworthiness_f1"]
    assert got >= BASELINE["checkworthiness_f1"], got


def test_subjectivity_does_not_regress():
    shared("checkthat-subjectivity-en")
    import bench_subjectivity

    got = bench_subjectivity.main()["subjectivity_macro_f1"]
    assert got >= BASELINE["subjectivity_macro_f1"], got


def test_quantities_do_not_regress():
    import bench_quantities

    got = bench_quantities.main([])["heldout"]
    assert got["exact_f1"] >= BASELINE["quantities_heldout_exact_f1"], got
    assert got["overlap_f1"] >= BASELINE["quantities_heldout_overlap_f1"], got


def test_ledger_does_not_regress():
    import bench_ledger

    got = bench_ledger.main([])
    assert got["f1"] >= BASELINE["ledger_gold_f1"], got


def test_swap_ledger_is_even_handed():
    import bench_swap

    got = bench_swap.main([])["changed"]["ledger"]["rate"]
    assert got <= BASELINE["swap_ledger_change_rate_max"], got


def test_nli_does_not_regress():
    shared("mnli-taxinli-subset")
    import bench_nli

    got = bench_nli.main(["--sets", "mnli"])["mnli"]["mnli_mm_subset_accuracy"]
    assert got >= BASELINE["nli_mnli_mm_subset_accuracy"], got


# verification: the OCHA corpus is built once at /tmp/cs_ocha.db (about 7 minutes) and reused


def test_verification_on_ocha_does_not_regress():
    shared("ocha-opt-flash-updates-2023-2024")
    import bench_verify_ocha

    got = bench_verify_ocha.main(["--no-speed"])["gold"]
    assert got["all"]["verdict_accuracy"] >= BASELINE["verify_ocha_all_accuracy"], got["all"]
    assert got["series"]["verdict_accuracy"] >= BASELINE["verify_series_accuracy"]


def test_verification_precision_on_real_posts_does_not_regress():
    shared("ocha-opt-flash-updates-2023-2024")
    shared("fignews2024-israel-gaza")
    import bench_verify_fignews

    got = bench_verify_fignews.main([])
    assert got["decided"] and got["precision"] >= BASELINE["verify_fignews_precision"], got


def test_an_off_topic_corpus_decides_almost_nothing():
    shared("ocha-opt-flash-updates-2023-2024")
    shared("semeval2020-task11-ptc")
    import bench_verify_offtopic

    got = bench_verify_offtopic.main(["--articles", "60"])
    assert got["per_1000"] <= BASELINE["verify_offtopic_per_1000_max"], got["false"]
