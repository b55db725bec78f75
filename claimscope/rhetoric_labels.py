"""Taxonomies and model-free helpers of the rhetoric layer (persuasion, techniques, framing).

Shared by the run-time stages (``claimscope.stages.rhetoric``) and the training script
(``training/train_persuasion.py``), so that spans are decoded and described the same
way in both.

- ``PTC_TECHNIQUES``: the 14 classes scored at SemEval-2020 Task 11 (span level).
- ``ST3_TECHNIQUES``: the 23 techniques of SemEval-2023 Task 3 subtask 3 (paragraph level).
- ``FRAMES`` (14) and ``GENRES`` (3): SemEval-2023 Task 3 subtasks 2 and 1 (article level).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["PTC_TECHNIQUES", "ST3_TECHNIQUES", "FRAMES", "GENRES", "paragraphs",
           "decode_spans", "snap_span", "span_features", "N_SPAN_FEATURES", "span_hashes",
           "HASH_BUCKETS", "merge_close"]

PTC_TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy", "Causal_Oversimplification", "Doubt",
    "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language", "Name_Calling,Labeling",
    "Repetition", "Slogans", "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

ST3_TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values",
    "Appeal_to_Fear-Prejudice", "Flag_Waving", "Causal_Oversimplification",
    "False_Dilemma-No_Choice", "Consequential_Oversimplification", "Straw_Man",
    "Red_Herring", "Whataboutism", "Slogans", "Appeal_to_Time", "Conversation_Killer",
    "Loaded_Language", "Repetition", "Exaggeration-Minimisation",
    "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling", "Doubt",
    "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation",
)

FRAMES: tuple[str, ...] = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
)

GENRES: tuple[str, ...] = ("opinion", "reporting", "satire")

#: Characters a technique span never starts or ends with (the PTC v2 annotation rule).
BOUNDARY_TRIM = " \n\t\r.,:;"
_LINE = re.compile(r"[^\n]+")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs as ``(start, end)`` offsets: the non-blank lines, without outer white space.

    Blank-line-separated blocks and single-line paragraphs both come out as one
    paragraph per line, as in SemEval-2023 Task 3 (paragraph = line).
    """
    out = []
    for m in _LINE.finditer(text):
        line = m.group()
        if line.strip():
            out.append((m.start() + len(line) - len(line.lstrip()),
                        m.start() + len(line.rstrip())))
    return out


def snap_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Grow a span to whole words, then trim boundary punctuation and white space."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start] in BOUNDARY_TRIM:
        start += 1
    while end > start and text[end - 1] in BOUNDARY_TRIM:
        end -= 1
    return (start, end) if end > start else None


def decode_spans(text: str, offsets: np.ndarray, p_inside: np.ndarray, p_begin: np.ndarray,
                 threshold: float = 0.5, split: float = 0.5,
                 seed: float | None = None) -> list[tuple[int, int, int, int]]:
    """Spans of one sentence from per-token probabilities.

    A token is inside when ``p_inside >= threshold``; a run of inside tokens is one span,
    cut where a word starts with ``p_begin > split``. With ``seed`` (hysteresis), a span is
    kept only when one of its tokens reaches ``p_inside >= seed``, so a low ``threshold``
    can extend confident spans without admitting spans that are weak throughout.
    Returns ``(start, end, first_token, last_token + 1)``, offsets snapped to words.
    Special tokens (offset -1) are never inside.
    """
    valid = offsets[:, 0] >= 0
    inside = (p_inside >= threshold) & valid
    out: list[tuple[int, int, int, int]] = []
    i, n = 0, len(inside)
    while i < n:
        if not inside[i]:
            i += 1
            continue
        j = i + 1
        while j < n and inside[j] and not (p_begin[j] > split and _word_start(text, offsets, j)):
            j += 1
        snapped = snap_span(text, int(offsets[i, 0]), int(offsets[j - 1, 1]))
        if snapped and (seed is None or float(p_inside[i:j].max()) >= seed):
            out.append((snapped[0], snapped[1], i, j))
        i = j
    return out


def _word_start(text: str, offsets: np.ndarray, k: int) -> bool:
    """True when token k starts a word (not a ## piece glued to the previous token)."""
    s = int(offsets[k, 0])
    prev_end = int(offsets[k - 1, 1]) if k > 0 else -1
    return not (prev_end == s and s > 0 and text[s - 1].isalnum() and text[s].isalnum())


_WORD = re.compile(r"\w+")
_QUOTES = "\"'“”‘’«»"
N_SPAN_FEATURES = 15


def earlier_occurrences(lowered: str, start: int, end: int) -> int:
    """How often the span's words (case-folded, >= 3 characters) occur before it."""
    needle = lowered[start:end].strip()
    return lowered.count(needle, 0, start) if len(needle) >= 3 else 0


def span_features(text: str, start: int, end: int, sent_start: int, sent_end: int,
                  lowered: str | None = None) -> np.ndarray:
    """Model-free features of a candidate technique span (length, repetition, marks).

    ``lowered`` is ``text.lower()`` (pass it to avoid recomputing it per span).
    """
    span = text[start:end]
    low = (lowered if lowered is not None else text.lower())
    needle = low[start:end].strip()
    repeats = low.count(needle) - 1 if len(needle) >= 3 else 0
    before = earlier_occurrences(low, start, end)
    words = _WORD.findall(span)
    sent_len = max(1, sent_end - sent_start)
    letters = [c for c in span if c.isalpha()]
    prev_char = text[max(0, start - 1):start]
    next_char = text[end:end + 1]
    sentence = text[sent_start:sent_end]
    return np.asarray([
        np.log1p(len(span)) / 6.0,
        np.log1p(len(words)) / 4.0,
        np.log1p(max(0, repeats)),
        float(repeats > 0),
        min(1.0, (end - start) / sent_len),
        float(start <= sent_start + 1),
        float(bool(prev_char) and prev_char in _QUOTES or bool(next_char) and next_char in _QUOTES),
        float("?" in span or sentence.rstrip().endswith("?")),
        float("!" in span or sentence.rstrip().endswith("!")),
        (sum(c.isupper() for c in letters) / len(letters)) if letters else 0.0,
        float(any(c in _QUOTES for c in span)),
        float(len(words) <= 2),
        np.log1p(before),                       # earlier occurrences (Repetition marks later ones)
        float(before > 0),
        np.log1p(max(0, repeats - before)),     # later occurrences
    ], dtype=np.float32)


HASH_BUCKETS = 4096


def span_hashes(text: str, start: int, end: int) -> list[int]:
    """Hashed lowercased word unigrams and bigrams of a span (crc32, HASH_BUCKETS buckets)."""
    words = [w.lower() for w in _WORD.findall(text[start:end])]
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    return sorted({zlib.crc32(g.encode("utf-8")) % HASH_BUCKETS for g in grams})


def merge_close(text: str, spans: list[tuple[int, int, int, int]], max_gap: int
                ) -> list[tuple[int, int, int, int]]:
    """Join spans of one sentence separated by at most ``max_gap`` tokens (a tagger often
    breaks one long technique span into fragments)."""
    if max_gap <= 0 or not spans:
        return spans
    out = [spans[0]]
    for s, e, a, b in spans[1:]:
        ps, pe, pa, pb = out[-1]
        if a - pb <= max_gap and "\n" not in text[pe:s]:
            out[-1] = (ps, e, pa, b)
        else:
            out.append((s, e, a, b))
    return out


def group_by_paragraph(para_bounds: Sequence[tuple[int, int]],
                       sentence_bounds: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Indices of the sentences that start inside each paragraph."""
    out: list[list[int]] = [[] for _ in para_bounds]
    p = 0
    for i, (s, _) in enumerate(sentence_bounds):
        while p < len(para_bounds) and para_bounds[p][1] <= s:
            p += 1
        if p < len(para_bounds) and para_bounds[p][0] <= s < para_bounds[p][1]:
            out[p].append(i)
    return out
