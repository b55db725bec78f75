"""Dates: reading a date however it is spelled, the days a text names, an article's date.

- ``iso_date("18/11/2023")`` -> ``"2023-11-18"``; ``to_date(...)`` the same as a ``date``.
- ``day_mentions(text, ref)``: the (month, day) pairs a text names ("15 November",
  "Nov. 15", and weekdays resolved against ``ref``).
- ``days_in_force(text, start, end, ref)``: the days the figure at ``start..end`` is about.
- ``url_date(url)``: the date a URL carries (``/2023/11/18/``, ``/20231118-``).
- ``article_date(...)``: the date an article's claims are checked for, and where it came
  from (``metadata``, ``as_of``, ``dateline``, ``url``, ``text``).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .text import LINK_RE, SENTENCE_END_RE

__all__ = ["iso_date", "to_date", "day_mentions", "days_in_force", "url_date",
           "explicit_dates", "article_date", "MONTHS", "WEEKDAYS"]

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def iso_date(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) for common spellings; None when it cannot be read."""
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return m.group(0)
    m = _DMY.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            return _dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    try:
        from dateutil import parser

        return parser.parse(text, default=_dt.datetime(2000, 1, 1), fuzzy=False).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


def to_date(value: Any) -> _dt.date | None:
    """``iso_date`` as a ``datetime.date`` (None when unreadable)."""
    iso = iso_date(value)
    try:
        return _dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), 1) for name in names}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?"
                        r"(?:,?\s+((?:19|20)\d\d)\b)?", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*:)"
                        r"(?:,?\s+((?:19|20)\d\d)\b)?", re.I)
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.I)


def _day_month(text: str) -> list[tuple[int, int, int | None, int]]:
    """(month, day, year or None, position) of every calendar day a text names."""
    out = []
    for m in _DAY_MONTH.finditer(text):
        day, month = int(m.group(1)), MONTHS[m.group(2).lower()]
        if 1 <= day <= 31:
            out.append((month, day, int(m.group(3)) if m.group(3) else None, m.start()))
    for m in _MONTH_DAY.finditer(text):
        month, day = MONTHS[m.group(1).lower()], int(m.group(2))
        if m.group(1).lower() == "may" and not m.group(1)[0].isupper():
            continue  # the verb "may"
        if 1 <= day <= 31:
            out.append((month, day, int(m.group(3)) if m.group(3) else None, m.start()))
    return out


_START = re.compile(r"\b(?:since|from|after|began|begun|started|beginning|start\s+of|"
                    r"outbreak\s+on|between)\s+(?:on\s+|the\s+)?$"
                    # "since the Hamas attacks of October 7", "since the attack on 7 October"
                    r"|\bsince\s+(?:the\s+)?(?:[\w'’-]+\s+){1,3}(?:of|on)\s+$", re.I)


def period_starts(text: str) -> list[tuple[int, int]]:
    """(start, end) of each phrase that names the day a period starts from, opening word
    to day ("since the Hamas attacks of October 7", "since 7 October").

    >>> t = "50 hostages held since the Hamas attacks of October 7 were released"
    >>> [t[a:b] for a, b in period_starts(t)]
    ['since the Hamas attacks of October 7']
    """
    out = []
    for m in [*_DAY_MONTH.finditer(text), *_MONTH_DAY.finditer(text)]:
        lo = max(0, m.start() - 48)
        start = _START.search(text[lo:m.start()])
        if start:
            out.append((lo + start.start(), m.end()))
    return sorted(out)


def day_mentions(text: str, ref: _dt.date | None = None, *,
                 period_starts: bool = True) -> set[tuple[int, int]]:
    """The days a text names, as (month, day): "15 November", "Nov. 15", and weekdays
    ("on Wednesday": the latest such day on or before ``ref``; skipped without ``ref``).
    ``period_starts=False`` leaves out the day a period starts from ("since 7 October").

    >>> sorted(day_mentions("On Wednesday, 15 November, and on 7 Oct.", _dt.date(2023, 11, 18)))
    [(10, 7), (11, 15)]
    """
    days = {(month, day) for month, day, _, at in _day_month(text)
            if period_starts or not _START.search(text[max(0, at - 48):at])}
    if ref is not None:
        for m in _WEEKDAY.finditer(text):
            back = (ref.weekday() - WEEKDAYS.index(m.group(1).lower())) % 7
            when = ref - _dt.timedelta(days=back)
            days.add((when.month, when.day))
    return days


def days_in_force(text: str, start: int, end: int, ref: _dt.date | None = None, *,
                  period_starts: bool = True) -> set[tuple[int, int]]:
    """The days the figure at start..end of ``text`` is about: those its sentence names,
    else those of the nearest earlier sentence that names some ("On 18 November, 123,000
    litres entered. The authorities said 70,000 litres would enter daily." -> 18 November
    for both)."""
    stop = SENTENCE_END_RE.search(text, end)
    begin, found = 0, set()
    for m in [*SENTENCE_END_RE.finditer(text, 0, stop.start() if stop else len(text)), None]:
        cut = m.end() if m else (stop.end() if stop else len(text))
        days = day_mentions(text[begin:cut], ref, period_starts=period_starts)
        if days:
            found = days
        begin = cut
    return found


_URL_DATE = (re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?:/|$|[^\d])"),
             re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)"),
             re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)"))


def url_date(url: str | None) -> _dt.date | None:
    """The date a URL carries in its path (``/2023/11/18/``, ``20231118``, ``2023-11-18``)."""
    if not url:
        return None
    for pattern in _URL_DATE:
        for m in pattern.finditer(url):
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def explicit_dates(text: str) -> list[_dt.date]:
    """Full calendar dates a text spells out with their year ("18 November 2023",
    "Nov. 18, 2023", "2023-11-18") or carries in a link, in order of appearance."""
    out: list[tuple[int, _dt.date]] = []
    for month, day, year, at in _day_month(text):
        if year is None:
            continue
        try:
            out.append((at, _dt.date(year, month, day)))
        except ValueError:
            continue
    for m in LINK_RE.finditer(text):
        when = url_date(m.group(0))
        if when:
            out.append((m.start(), when))
    for m in _URL_DATE[2].finditer(text):
        try:
            out.append((m.start(), _dt.date(int(m.group(1)), int(m.group(2)),
                                            int(m.group(3)))))
        except ValueError:
            continue
    return [d for _, d in sorted(out, key=lambda t: t[0])]


#: a dateline such as "JERUSALEM/CAIRO, Nov 18, 2023 (Sample Wire) - "
_DATELINE = re.compile(r"^[^\S\n]*[A-Z][A-Z/ .'’-]{2,60},\s*([^\n]{0,40}?)\s*(?:\([^)\n]*\))?"
                       r"\s[-–—]{1,2}\s")


def article_date(*, published: Any = None, as_of: Any = None, text: str = "",
                 url: str | None = None) -> tuple[_dt.date | None, str | None]:
    """(date, basis): the date an article's claims are checked for, and where it came from.

    In order: the article's metadata (``published``), ``as_of`` (what the user asked for),
    a dateline with its year ("GAZA, 18 November 2023 - "), the date in the article's URL,
    the latest full date the text spells out. (None, None) when nothing dates it.
    """
    when = to_date(published)
    if when:
        return when, "metadata"
    when = to_date(as_of)
    if when:
        return when, "as_of"
    m = _DATELINE.match(text[:200])
    if m:
        found = explicit_dates(m.group(1))
        if found:
            return found[0], "dateline"
    when = url_date(url)
    if when:
        return when, "url"
    found = explicit_dates(text)
    if found:
        return max(found), "text"
    return None, None
