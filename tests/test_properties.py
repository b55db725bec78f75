"""Property-based tests (Hypothesis): the readers and the quantity parser on arbitrary
input terminate within their budget, hand out valid Unicode, and keep their offsets
inside the text."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscope import Document
from claimscope.errors import InputError
from claimscope.io import ReadError, decode, read
from claimscope.io.readers import html_to_text
from claimscope.io.safe import clean_text, html_safe_json, json_depth, loads_bounded
from claimscope.quantities import extract_quantities
from claimscope.stages.segment import for_tokenizer

# every code point, lone surrogates included
ANY_CHAR = st.characters(blacklist_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=400)
NUMBERISH = st.lists(st.sampled_from(list("0123456789.,-–/%$€£ ½kmKM") + [
    "million", " bn", " per cent", " to ", "between ", "and ", "over ", "about ", " people",
    " trucks", "\n", " "]), max_size=120).map("".join)
PROPS = settings(max_examples=150, deadline=2000,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _valid(text: str) -> None:
    text.encode("utf-8")  # no lone surrogate
    assert "\x00" not in text


@PROPS
@given(st.binary(max_size=2000))
def test_decode_any_bytes(data):
    try:
        text, _ = decode(data, "x")
    except InputError as exc:
        assert exc.code and exc.code.startswith("E1")
        return
    _valid(text)


@PROPS
@given(ANY_TEXT, ANY_TEXT)
def test_jsonl_line_with_any_text(tmp_path_factory, text, title):
    path = tmp_path_factory.mktemp("j") / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "text": text, "title": title}) + "\n",
                    encoding="ascii")
    (item,) = list(read([path]))
    if isinstance(item, ReadError):
        assert item.code in ("E104", "E105", "E101")
        return
    assert isinstance(item, Document)
    _valid(item.text)
    _valid(item.meta["title"] or "")
    assert item.text == clean_text(text) and len(item.text) == len(text)


@PROPS
@given(st.text(ANY_CHAR, max_size=300))
def test_html_to_text_with_any_markup(text):
    html = "<html><body>" + text.replace("\x00", "") + "</body></html>"
    try:
        out, meta, _ = html_to_text(clean_text(html), "x")
    except InputError as exc:
        assert exc.code == "E107"
        return
    assert isinstance(out, str) and out.strip()


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(ANY_CHAR, max_size=20),
                       lambda kids: st.lists(kids, max_size=4) |
                       st.dictionaries(st.text(max_size=5), kids, max_size=4), max_leaves=30)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@PROPS
@given(JSONISH)
def test_json_depth_and_html_safe_json(value):
    text = json.dumps(value)
    assert json_depth(text) == _depth(value)
    assert loads_bounded(text) == json.loads(text) or "\\ud" in text.lower() \
        or "\\u0000" in text  # lone surrogates and NUL come back as U+FFFD
    safe = html_safe_json(json.dumps(value, ensure_ascii=False))
    assert not set("<>&") & set(safe)
    assert json.loads(safe) == json.loads(text)


@PROPS
@given(st.one_of(ANY_TEXT, NUMBERISH))
def test_quantities_terminate_with_offsets_in_the_text(text):
    t = time.perf_counter()
    found = extract_quantities(text)
    assert time.perf_counter() - t < 1.0  # its budget: well under a second for 400 chars
    for q in found:
        assert 0 <= q["start"] < q["end"] <= len(text)
        assert text[q["start"]:q["end"]] == q["text"]
        if q.get("low") is not None and q.get("high") is not None:
            assert q["low"] <= q["high"]


@PROPS
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000))
def test_for_tokenizer_keeps_length_and_offsets(text):
    seen = for_tokenizer(text)
    assert len(seen) == len(text)
    assert all(a == b or b == " " for a, b in zip(text, seen))


@pytest.mark.parametrize("n", [10_000, 100_000])
def test_quantities_on_long_number_runs_stay_linear(n):
    text = " ".join(str(i) for i in range(n // 6))
    t = time.perf_counter()
    found = extract_quantities(text)
    assert time.perf_counter() - t < n / 10_000  # ~0.1 s per 10,000 characters at most
    assert found and all(0 <= q["start"] < q["end"] <= len(text) for q in found)
