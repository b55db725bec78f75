"""Bounds for untrusted input: valid Unicode, JSON of bounded depth, safe JSON for HTML.

Every reader (articles, corpus sources, ``--sides``) goes through these, so a hostile
input is a coded error or clean text, never a RecursionError or an unencodable string.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deepest JSON nesting accepted (an article line is an object of strings: depth 2-3).
MAX_JSON_DEPTH = 64
#: Lone surrogates (valid in JSON escapes and in Python str, not encodable as UTF-8) and NUL.
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_BRACKETS = re.compile(r'[\[\]{}"\\]')
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` with lone surrogates and NUL characters replaced by U+FFFD.

    Same length, so offsets into the cleaned text are offsets into the input.
    """
    return _BAD_CHARS.sub(REPLACEMENT, text) if _BAD_CHARS.search(text) else text


def clean_value(value: Any) -> Any:
    """``clean_text`` applied to every string (keys too) of a JSON-like value."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def json_depth(text: str | bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped).

    Linear in the number of brackets, quotes and backslashes; never recurses.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    in_string = False
    i = 0
    find = _BRACKETS.search
    while (m := find(text, i)) is not None:
        ch = m.group()
        i = m.end()
        if in_string:
            if ch == "\\":
                i += 1  # skip the escaped character
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONLimitError(ValueError):
    """The JSON text is nested deeper than allowed."""


def loads_bounded(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` (JSONLimitError, a
    ValueError) before parsing, and returns every string cleaned (``clean_value``)."""
    depth = json_depth(text)
    if depth > max_depth:
        raise JSONLimitError(f"nested {depth} levels deep, more than the limit of {max_depth}")
    try:
        return clean_value(json.loads(text))
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JSONLimitError(f"nested too deep (more than {max_depth} levels)") from None


_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def html_safe_json(text: str) -> str:
    """A JSON text with ``<``, ``>``, ``&`` (and U+2028/2029) written as ``\\uXXXX``
    escapes: the same JSON value, safe inside an HTML ``<script>`` element."""
    return _HTML_UNSAFE_RE.sub(lambda m: _HTML_UNSAFE[m.group()], text)
