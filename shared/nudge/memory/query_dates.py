"""The days a question is about ("in June", "last May", "in 2023", "last week"), if it names any.

Recall compares them with when each memory was said (its timestamp), not with words in it: a
turn said in June rarely says "June". A month without a year means that month of any year
(a conversation imported from years ago is still asked about "in June").
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "may", "march" and short forms are ordinary words too: a month alone needs a lead-in.
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?,?\s+(?:of\s+)?((?:19|20)\d\d)\b", re.I)
_LED_MONTH = re.compile(
    rf"\b(?:in|during|last|this|early|late|mid|since|of|around|before|after)\s+"
    rf"(?:-\s*)?({_MONTH})\b",
    re.I,
)
_LONG_MONTH = re.compile(
    r"\b(january|february|april|june|july|august|september|october|november|december)\b", re.I
)
_YEAR = re.compile(r"\b(?:in|during|of|since)\s+((?:19|20)\d\d)\b", re.I)
_RELATIVE = {
    "yesterday": (1, 1),
    "last week": (14, 7),
    "this week": (7, 0),
    "last month": (62, 28),
    "this month": (31, 0),
    "last year": (730, 365),
    "this year": (365, 0),
}


def spans(query: str, now: datetime) -> list[tuple[date, date] | tuple[int, int]]:
    """What the query names: (first, last) day ranges, or (0, month) for a month of any year."""
    text = query.lower()
    found: list = []
    taken: list[tuple[int, int]] = []
    for match in _MONTH_YEAR.finditer(text):
        month, year = MONTHS[match.group(1)], int(match.group(2))
        first = date(year, month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        found.append((first, last))
        taken.append(match.span())
    for pattern in (_LED_MONTH, _LONG_MONTH):
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            found.append((0, MONTHS[match.group(1)]))
            taken.append(match.span())
    for match in _YEAR.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            year = int(match.group(1))
            found.append((date(year, 1, 1), date(year, 12, 31)))
    today = now.date()
    for phrase, (back, until) in _RELATIVE.items():
        if phrase in text:
            found.append((today - timedelta(days=back), today - timedelta(days=until)))
    return found


def matches(day: date, named: list) -> bool:
    for first, last in named:
        if first == 0:
            if day.month == last:
                return True
        elif first <= day <= last:
            return True
    return False
