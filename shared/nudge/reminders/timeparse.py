"""Natural-language times in the person's timezone, read the way people text them.

"at 7p", "3 in the morning", "march 3", "the 24th", "12/5", "a week from friday", "in an hour
and a half", "9am PST", "every 2 hours", "every weekday at 8"...

The phrase is read by consuming the pieces it is made of (a date, a clock time, a part of the
day, a duration, a zone, a repeat). Every word must be understood: a word left over means the
phrase was not, and the answer is a question, never a guess. Every result is a local wall time
localized with zoneinfo (right across DST changes) and returned in UTC.

The conventions (README, "Reminders"): a date with no time is 9:00 AM; a time with no date is
today if still ahead, else tomorrow (a time that passed within the last hour is a question); a
bare hour takes the nearest upcoming reading, never 1-5 AM in quiet hours unless the words say
morning; weekday names mean the nearest such day after today; numeric dates are read in the
person's locale (month first in the United States).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from nudge.reminders.recurrence import (
    RRULE_DAYS,
    describe_rule,
    localize,
    next_occurrence,
    with_start,
)
from nudge.reminders.timewords import (
    FILLERS,
    HOLIDAY_RE,
    HOLIDAYS,
    MONTH_RE,
    MONTHS,
    WEEKDAY_RE,
    WEEKDAYS,
    ZONE_RE,
    ZONES,
    month_first,
    normalize,
)

__all__ = ["When", "parse_when", "describe", "describe_rule", "next_occurrence", "in_quiet_window"]

DEFAULT_TIME = time(9)
# A time that passed this recently was probably meant for today: ask rather than move it a day.
JUST_PASSED = timedelta(minutes=60)
ONE_SECOND = timedelta(seconds=1)
# Before this hour, "tomorrow" may mean the day that has already begun.
SMALL_HOURS_END = 4
# A part of the day that ended this long ago ("in the afternoon", said at night) is tomorrow's;
# one that just passed is a question.
PART_OVER = timedelta(hours=3)
# From this hour a bare "12" is midnight.
EVENING_STARTS = 18
# A date without a year that passed this recently is a question, not next year's.
RECENT_DATE_DAYS = 31

PARTS_OF_DAY: dict[str, tuple[time, str]] = {
    "first thing": (time(9), "am"),
    "breakfast": (time(8), "am"),
    "morning": (time(9), "am"),
    "lunch": (time(12), "pm"),
    "lunchtime": (time(12), "pm"),
    "after lunch": (time(13), "pm"),
    "afternoon": (time(15), "pm"),
    "after school": (time(15), "pm"),
    "end of day": (time(17), "pm"),
    "after work": (time(18), "pm"),
    "dinner": (time(18), "pm"),
    "dinnertime": (time(18), "pm"),
    "supper": (time(18), "pm"),
    "evening": (time(19), "pm"),
    "after dinner": (time(19), "pm"),
    "tonight": (time(20), "pm"),
    "night": (time(20), "pm"),
    "am": (time(9), "am"),
    "pm": (time(15), "pm"),
}
_PART_ALIASES = {
    "eod": "end of day",
    "cob": "end of day",
    "close of business": "end of day",
    "end of the day": "end of day",
    "first thing in the morning": "first thing",
    "eve": "evening",
}

# Words in the reminder itself that say which half of the day a bare hour means.
_AM_HINT = re.compile(r"\b(?:wake|waking|alarm|breakfast|morning|sunrise|get up|gym before)\b")
_PM_HINT = re.compile(r"\b(?:dinner|supper|tonight|evening|bed|bedtime|sleep|night)\b")

CONNECTORS = {"at", "on", "the", "of", "in", "for"}
_SEP = " \x00 "  # what a consumed piece leaves behind, so two pieces never join into one


@dataclass(frozen=True)
class When:
    """A parsed time: `due` (UTC) and an optional `rrule`, or a `question` to ask back."""

    due: datetime | None = None
    rrule: str | None = None
    question: str | None = None
    # False when words were left over: the phrase was not (all) a time.
    understood: bool = True

    @property
    def ok(self) -> bool:
        return self.due is not None


class Ask(Exception):
    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question


# Words that make a phrase vague even though its other words are a time.
_VAGUE = re.compile(
    r"\bjust\s+now\b|\b(?:sometime|some\s+time|anytime|any\s+time)\s+(?:this|next)\s+"
    r"(?:week|month|year)\b"
)
_LATER = re.compile(r"\blater\b")

WHEN_QUESTION = 'When should I remind you? For example "at 5pm", "friday at 9" or "in 20 minutes".'
HOW_OFTEN = 'How often? For example "every weekday at 8" or "every Monday".'


def in_quiet_window(t: time, quiet: tuple[time, time]) -> bool:
    """Whether wall time `t` falls in quiet hours (start, end), which may wrap past midnight."""
    start, end = quiet
    return (t >= start or t < end) if start > end else (start <= t < end)


# -- the pieces of a phrase -----------------------------------------------------------------------


@dataclass
class Clock:
    hour: int
    minute: int = 0
    meridiem: str | None = None  # "am" | "pm" | None for a bare hour
    explicit: bool = False  # 24-hour or zero-padded: no AM/PM reading to choose
    midnight: bool = False


@dataclass
class DayRule:
    """A date named in the phrase, resolved against today."""

    resolve: Callable[[date], date]
    weekday: int | None = None  # a weekday named with the date, checked against it
    today_only: bool = False  # "today", "this morning": never rolls to tomorrow
    from_tomorrow: bool = False  # "tomorrow", which after midnight may mean today
    weekday_only: bool = False  # "friday": checked against, not against, an explicit date


@dataclass
class Pieces:
    days: list[DayRule] = field(default_factory=list)
    clock: Clock | None = None
    part: str | None = None
    part_today_only: bool = False
    seconds: float = 0.0
    days_ahead: int = 0
    months_ahead: int = 0
    has_duration: bool = False
    zone: str | None = None
    right_now: bool = False
    same_time: bool = False  # "this time tomorrow": the clock time it is now

    def set_clock(self, clock: Clock) -> None:
        if self.clock is not None:
            raise Ask("I see two times there. Which one should it be?")
        if not (0 <= clock.hour <= 23 and 0 <= clock.minute <= 59):
            raise Ask('That time doesn\'t look right. Try something like "at 5:30 pm".')
        self.clock = clock

    def set_part(self, part: str, today_only: bool = False) -> None:
        if {self.part, part} == {"first thing", "morning"}:
            part = "first thing"  # "first thing monday morning"
        elif self.part not in (None, part):
            raise Ask("I see two times of day there. Which one should it be?")
        self.part = part
        self.part_today_only = self.part_today_only or today_only


class Scanner:
    """Consumes matches of patterns from a phrase and says what is left over.

    A piece that is understood but needs a question ("5 to 6pm": a range?) keeps the first
    question and is still consumed, so words left over elsewhere still show the phrase was
    not all a time ("the dentist 5 to 6pm")."""

    def __init__(self, text: str) -> None:
        self.text = f" {text} "
        self.question: str | None = None

    def take(self, pattern: str, handle: Callable[[re.Match], None]) -> None:
        for match in reversed(list(re.finditer(pattern, self.text))):
            try:
                handle(match)
            except Ask as exc:
                self.question = self.question or exc.question
            self.text = self.text[: match.start()] + _SEP + self.text[match.end() :]

    def leftover(self) -> list[str]:
        return [w for w in self.text.replace("\x00", " ").split()]


# -- amounts of time ------------------------------------------------------------------------------

# "Ten to nine", "twenty-five to four": the minutes people count back from the hour.
CLOCK_TO_MINUTES = {5, 10, 15, 20, 25}
# Further out than this, an amount of time is a question.
LONGEST_MONTHS = 10 * 12

# Every word alternative ends at a word boundary: "and" is not "an" + "d" (a day).
_AMOUNT = (
    r"(?:\d+\s+\d/\d+|\d+(?:\.\d+)?(?:\s+and\s+an?\s+half)?|\d+/\d+(?:\s+of\s+an?\b)?|an?\s+couple\s+of|an?\s+couple|an?\s+pair\s+of|"
    r"couple\s+of|couple|an?\s+few|few|an?\s+half\s+an?\b|half\s+an?\b|an?\s+half|"
    r"an?\s+quarter\s+of\s+an?\b|quarter\s+of\s+an?\b|\d+\s+quarters\s+of\s+an?\b|an?\b)"
)
_UNIT = r"(?:seconds?|s|minutes?|m|hours?|h|days?|d|weeks?|w|fortnights?|months?|mos?|years?|yrs?)"
_DURATION = (
    rf"{_AMOUNT}\s*(?:more\s+)?{_UNIT}\b(?:\s+and\s+an?\s+half)?"
    rf"(?:\s*(?:and\s+)?{_AMOUNT}\s*{_UNIT}\b)*"
)
_ONE_AMOUNT = re.compile(
    rf"(?P<a>{_AMOUNT})\s*(?:more\s+)?(?P<u>{_UNIT})\b(?P<half>\s+and\s+an?\s+half)?"
)


def _amount(text: str) -> float:
    text = re.sub(r"\s+", " ", text.strip())
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)(?: and an? half)?", text):
        return float(m[1]) + (0.5 if "half" in text else 0)
    if m := re.fullmatch(r"(\d+) (\d)/(\d+)", text):
        if int(m[3]) == 0:
            raise Ask('How long from now? For example "in 20 minutes".')
        return int(m[1]) + int(m[2]) / int(m[3])
    if m := re.fullmatch(r"(\d+)/(\d+)(?: of an?)?", text):
        if int(m[2]) == 0:
            raise Ask('How long from now? For example "in 20 minutes".')
        return int(m[1]) / int(m[2])
    if "couple" in text or "pair" in text:
        return 2
    if "few" in text:  # two, three, five? Ask rather than pick one.
        raise Ask('How long exactly? For example "in 3 hours".')
    if m := re.fullmatch(r"(\d+) quarters of an?", text):
        return int(m[1]) / 4
    if "quarter" in text:
        return 0.25
    if "half" in text:
        return 0.5
    return 1  # "a", "an"


def duration(text: str) -> tuple[float, int, int]:
    """(seconds, days, months) of "an hour and a half", "2 days", "1 hour 30 minutes"."""
    seconds, days, months = 0.0, 0, 0
    for m in _ONE_AMOUNT.finditer(text):
        n = _amount(m["a"]) + (0.5 if m["half"] else 0)
        unit = m["u"]
        if unit in ("s", "second", "seconds") and m["a"].strip() in ("a", "an"):
            raise Ask('How long from now? For example "in 5 minutes".')  # "in a sec": soon
        if unit in ("s", "second", "seconds"):
            seconds += n
        elif unit in ("m", "minute", "minutes"):
            seconds += n * 60
        elif unit in ("h", "hour", "hours"):
            seconds += n * 3600
        elif unit.startswith(("d", "w", "fortnight")):
            per = 1 if unit.startswith("d") else 7 if unit.startswith("w") else 14
            whole = int(n * per)
            days += whole
            seconds += (n * per - whole) * 86400
        else:  # months, years
            per = 12 if unit.startswith("y") else 1
            if n * per != int(n * per):
                raise Ask('How long from now? For example "in 2 weeks" or "on March 3".')
            months += int(n * per)
    return seconds, days, months


# -- dates ----------------------------------------------------------------------------------------


def _next_weekday(today: date, weekday: int, *, skip: int = 0) -> date:
    return today + timedelta(days=((weekday - today.weekday()) % 7 or 7) + 7 * skip)


def _week_of(today: date, weekday: int, weeks: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    return monday + timedelta(days=weekday)


def _valid(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Ask(f"{MONTHS[month - 1].title() if 1 <= month <= 12 else 'That month'} "
                  f"doesn't have a day {day}. Which date did you mean?") from None  # fmt: skip


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text.lstrip("'"))
    return value + 2000 if value < 100 else value


def _upcoming(month: int, day: int, year: int | None, today: date) -> date:
    """That month and day in `year`, or the next one from today."""
    if year is not None:
        found = _valid(year, month, day)
        if found < today:
            raise Ask(f"{found:%b %-d, %Y} has already passed. Which date did you mean?")
        return found
    _valid(2000, month, day)  # Feb 29 exists in a leap year
    for candidate_year in (today.year, today.year - 1):
        try:
            latest = date(candidate_year, month, day)
        except ValueError:
            continue
        if latest < today and (today - latest).days <= RECENT_DATE_DAYS:
            # Probably a slip or the past, not a reminder a year out: ask.
            raise Ask(f"{latest:%b %-d} has already passed. Which date did you mean?")
    for candidate_year in range(today.year, today.year + 9):
        try:
            found = date(candidate_year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise Ask("Which date did you mean?")


def _holiday_rule(name: str, year: int | None) -> Callable[[date], date]:
    make = HOLIDAYS[name]

    def rule(today: date) -> date:
        if year is not None:
            found = make(year)
            if found < today:
                raise Ask(f"{found:%b %-d, %Y} has already passed. Which date did you mean?")
            return found
        found = make(today.year)
        return found if found >= today else make(today.year + 1)

    return rule


def _ordinal_day(day: int, today: date, weekday: int | None) -> date:
    if not 1 <= day <= 31:
        raise Ask("Which day of the month did you mean?")
    start = date(today.year, today.month, 1)
    for offset in range(0, 36):
        month_start = start + relativedelta(months=offset)
        if day > calendar.monthrange(month_start.year, month_start.month)[1]:
            continue
        found = month_start.replace(day=day)
        if found >= today and (weekday is None or found.weekday() == weekday):
            return found
    raise Ask("Which date did you mean?")


def _numeric(a: int, b: int, year: int | None, today: date, month_first: bool | None) -> date:
    if a > 12 and b > 12 or a == 0 or b == 0:
        raise Ask("Which date is that? For example 'March 3'.")
    if a > 12:
        month, day = b, a
    elif b > 12:
        month, day = a, b
    elif month_first is None and a != b:  # a locale that writes both ways
        raise Ask(f"Is {a}/{b} {MONTHS[a - 1].title()} {b} or {MONTHS[b - 1].title()} {a}?")
    else:
        month, day = (a, b) if month_first else (b, a)
    return _upcoming(month, day, year, today)


def _scan_dates(scan: Scanner, pieces: Pieces, month_first: bool | None) -> None:
    wd = rf"(?:(?P<wd>{WEEKDAY_RE})\s+(?:the\s+)?)?"

    def add(rule: Callable[[date], date], m: re.Match | None = None, **kw) -> None:
        weekday = WEEKDAYS.index(m["wd"]) if m is not None and m.groupdict().get("wd") else None
        pieces.days.append(DayRule(rule, weekday=weekday, **kw))

    def around_holiday(m: re.Match) -> None:
        days, months = 1, 0  # "the day before christmas"
        if m["dur"]:
            seconds, days, months = duration(m["dur"])
            if seconds:
                raise Ask("Which day should that be?")
        sign = -1 if m["rel"] == "before" else 1
        anchor = _holiday_rule(m["h"], None)

        def rule(today: date) -> date:
            found = anchor(today) + sign * relativedelta(days=days, months=months)
            if found < today:
                raise Ask("That date has already passed. Which one did you mean?")
            return found

        add(rule)

    scan.take(
        rf"\b(?:(?:the\s+)?day|(?P<dur>{_DURATION}))\s+(?P<rel>before|after|from)\s+"
        rf"(?P<h>{HOLIDAY_RE})\b",
        around_holiday,
    )

    def holiday(m: re.Match) -> None:
        add(_holiday_rule(m["h"], _year(m["y"])))

    scan.take(
        rf"\b(?:(?:this|next|on|for)\s+)?(?P<h>{HOLIDAY_RE})\b(?:\s+(?P<y>\d{{4}}))?", holiday
    )

    def nth_weekday(m: re.Match) -> None:
        order = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}[m["o"]]
        weekday, month_word, year = WEEKDAYS.index(m["wd2"]), m["m"], _year(m["y"])

        def in_month(first: date) -> date | None:
            from dateutil.relativedelta import weekday as rd_weekday

            found = first + relativedelta(day=1 if order > 0 else 31)
            found += relativedelta(weekday=rd_weekday(weekday, order))
            return found if found.month == first.month else None

        def rule(today: date) -> date:
            if month_word == "next month":
                found = in_month(today.replace(day=1) + relativedelta(months=1))
            elif month_word == "this month":
                found = in_month(today.replace(day=1))
            else:
                month = MONTHS.index(month_word) + 1
                years = [year] if year else [today.year, today.year + 1]
                found = None
                for y in years:
                    found = in_month(date(y, month, 1))
                    if found and found >= today:
                        break
            if found is None or found < today:
                raise Ask("That date has already passed. Which one did you mean?")
            return found

        add(rule)

    scan.take(
        rf"\b(?:the\s+)?(?P<o>1st|2nd|3rd|4th|5th|last)\s+(?P<wd2>{WEEKDAY_RE})\s+(?:of|in)\s+"
        rf"(?P<m>{MONTH_RE}|next month|this month)\b(?:\s+(?P<y>\d{{4}}))?",
        nth_weekday,
    )

    def iso(m: re.Match) -> None:
        y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
        add(lambda today: _upcoming(mo, d, y, today), m)

    scan.take(rf"\b{wd}(?P<y>\d{{4}})(?P<sep>[-/])(?P<mo>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})\b", iso)

    def numeric(m: re.Match) -> None:
        a, b, y = int(m["a"]), int(m["b"]), _year(m["y"])
        add(lambda today: _numeric(a, b, y, today, month_first), m)

    scan.take(
        rf"\b{wd}(?:on\s+)?(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?:/(?P<y>\d{{4}}|\d{{2}}))?\b", numeric
    )
    scan.take(rf"\b{wd}(?P<a>\d{{1,2}})[-.](?P<b>\d{{1,2}})[-.](?P<y>\d{{4}}|\d{{2}})\b", numeric)

    def month_day(m: re.Match) -> None:
        month, day, y = MONTHS.index(m["m"]) + 1, int(m["d"]), _year(m["y"])
        add(lambda today: _upcoming(month, day, y, today), m)

    scan.take(
        rf"\b{wd}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE})\b"
        rf"(?:\s+(?P<y>\d{{4}}|\d{{2}})\b(?!\s*(?:am|pm|:)))?",
        month_day,
    )
    scan.take(
        rf"\b{wd}(?P<m>{MONTH_RE})\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![:.]\d)"
        rf"(?:\s+(?P<y>\d{{4}}|'\d{{2}})\b)?",
        month_day,
    )

    def ordinal_day(m: re.Match) -> None:
        day = int(m["d"])
        weekday = WEEKDAYS.index(m["wd"]) if m["wd"] else None
        pieces.days.append(DayRule(lambda today: _ordinal_day(day, today, weekday)))

    def of_month(m: re.Match) -> None:
        day, which = int(m["d"] or m["d2"]), m["w"] or m["w2"]

        def rule(today: date) -> date:
            first = today.replace(day=1) + relativedelta(months=1 if which == "next" else 0)
            found = _valid(first.year, first.month, day)
            if found < today:
                raise Ask(f"{found:%b %-d} has already passed. Which date did you mean?")
            return found

        add(rule)

    scan.take(
        r"\b(?:on\s+)?(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+of\s+(?P<w>next|this)\s+month\b"
        r"|\b(?P<w2>next|this)\s+month\s+on\s+the\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b",
        of_month,
    )
    scan.take(rf"\b{wd}(?P<d>\d{{1,2}})(?:st|nd|rd|th)\b", ordinal_day)

    def anchored(m: re.Match) -> None:
        seconds, days, months = duration(m["dur"])
        if seconds:
            raise Ask("Which day should that be?")
        anchor = _anchor(m["a"])
        add(lambda today: anchor(today) + relativedelta(days=days, months=months))

    scan.take(
        rf"\b(?P<dur>{_DURATION})\s+(?:from|after|on)\s+(?P<a>today|tomorrow|"
        rf"(?:next\s+|this\s+)?(?:{WEEKDAY_RE}))\b",
        anchored,
    )
    # British: "a week today", "a fortnight tomorrow"
    scan.take(rf"\b(?P<dur>{_DURATION})\s+(?P<a>today|tomorrow)\b", anchored)

    def same_time_next_week(m: re.Match) -> None:
        pieces.same_time = True
        add(lambda today: today + timedelta(days=7))

    scan.take(
        r"\b(?:at\s+)?(?:the\s+)?(?:same|this)\s+time\s+next\s+week\b"
        r"|\bnext\s+week\s+(?:at\s+)?(?:the\s+)?same\s+time\b",
        same_time_next_week,
    )
    scan.take(r"\btomorrow\s+week\b", lambda m: add(lambda today: today + timedelta(days=8)))

    def weekday_week(m: re.Match) -> None:
        weekday = WEEKDAYS.index(m["wd1"])
        add(lambda today: _next_weekday(today, weekday, skip=1))

    scan.take(rf"\b(?P<wd1>{WEEKDAY_RE})\s+week\b", weekday_week)

    def next_week_day(m: re.Match) -> None:
        weekday = WEEKDAYS.index(m["wd1"])
        add(lambda today: _week_of(today, weekday, 1))

    scan.take(rf"\bnext\s+week\s+(?:on\s+)?(?P<wd1>{WEEKDAY_RE})\b", next_week_day)

    def weekday_phrase(m: re.Match) -> None:
        weekday, post = WEEKDAYS.index(m["wd1"]), m["post"] or ""
        if "next week" in post:
            add(lambda today: _week_of(today, weekday, 1))
        elif "this week" in post:
            add(lambda today: _this_week(today, weekday))
        else:
            skip = 1 if "after next" in post else 0
            pieces.days.append(
                DayRule(
                    lambda today: _next_weekday(today, weekday, skip=skip),
                    weekday=weekday,
                    weekday_only=not post,
                )
            )

    scan.take(
        rf"\b(?:(?:this\s+coming|this|next|coming|upcoming|on|the)\s+)?(?P<wd1>{WEEKDAY_RE})\b"
        r"(?:\s+(?P<post>after\s+next|(?:of\s+)?next\s+week|(?:of\s+)?this\s+week))?",
        weekday_phrase,
    )

    scan.take(
        r"\b(?:the\s+)?day\s+after\s+tomorrow\b",
        lambda m: add(lambda today: today + timedelta(days=2)),
    )
    scan.take(r"\btomorrow\b", lambda m: add(lambda today: today + timedelta(days=1),
                                             from_tomorrow=True))  # fmt: skip
    scan.take(r"\btoday\b", lambda m: add(lambda today: today, today_only=True))
    scan.take(r"\bnext\s+week\b", lambda m: add(lambda today: _week_of(today, 0, 1)))
    scan.take(r"\b(?:this\s+|the\s+|next\s+)?weekend\b", lambda m: _two_days("weekend"))
    scan.take(
        r"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+next\s+month\b",
        lambda m: add(lambda today: _month_end(today.replace(day=1) + relativedelta(months=1))),
    )
    scan.take(
        r"\bnext\s+month\b",
        lambda m: add(lambda today: today.replace(day=1) + relativedelta(months=1)),
    )
    scan.take(
        r"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+(?:the\s+|this\s+)?month\b|\beom\b",
        lambda m: add(_month_end),
    )
    scan.take(
        r"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+(?:the\s+|this\s+)?year\b",
        lambda m: add(lambda today: date(today.year, 12, 31)),
    )
    scan.take(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week\b", lambda m: _two_days("week"))


def _this_week(today: date, weekday: int) -> date:
    found = _week_of(today, weekday, 0)
    if found < today:
        raise Ask(f"{WEEKDAYS[weekday].title()} this week has passed. Which day did you mean?")
    return found


def _two_days(what: str) -> None:
    if what == "weekend":
        raise Ask("Saturday or Sunday? And what time?")
    raise Ask("Which day should that be, Friday or the weekend?")


def _month_end(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _anchor(word: str) -> Callable[[date], date]:
    if word == "today":
        return lambda today: today
    if word == "tomorrow":
        return lambda today: today + timedelta(days=1)
    weekday = WEEKDAYS.index(word.split()[-1])
    return lambda today: _next_weekday(today, weekday)


# -- clock times ----------------------------------------------------------------------------------


def _scan_times(scan: Scanner, pieces: Pieces) -> None:
    def clock(h: int, m: int = 0, ap: str | None = None, explicit: bool = False) -> None:
        if ap is not None:
            ap = "am" if ap.startswith("a") else "pm"
            if not 1 <= h <= 12:
                if h == 0 and ap == "am":
                    h = 12
                else:
                    raise Ask('That time doesn\'t look right. Try something like "at 5:30 pm".')
        pieces.set_clock(Clock(h, m, ap, explicit))

    def hhmm(text: str) -> tuple[int, int]:
        return (int(text[:-2]), int(text[-2:]))

    scan.take(
        r"\b(?P<h>\d{1,2}):(?P<m>[0-5]\d):(?P<s>[0-5]\d)\b",
        lambda m: clock(int(m["h"]), int(m["m"]), explicit=True),
    )

    def spaced(m: re.Match) -> None:
        clock(int(m["h"]), int(m["m"]), m["ap"])

    scan.take(r"\b(?P<h>\d{1,2})\s+(?P<m>[0-5]\d)\s*(?P<ap>am|pm)\b", spaced)

    def past_to(m: re.Match) -> None:
        n = {"quarter": 15, "a quarter": 15, "half": 30}.get(m["n"]) or int(m["n"])
        word = m["h"]
        base = 12 if word in ("noon", "midnight") else int(word)
        if not 1 <= base <= 12 or n > 59:
            raise Ask('That time doesn\'t look right. Try something like "at 5:30 pm".')
        ap = m["ap"] or ("pm" if word == "noon" else "am" if word == "midnight" else None)
        if m["rel"] in ("past", "after"):
            h, minute = base, n
        elif (
            m["n"].isdigit()
            and "minutes" not in m[0]
            and word not in ("noon", "midnight")
            and (n not in CLOCK_TO_MINUTES or n < base)
        ):
            # "9 to 5", "5 to 6pm", "10 to 11": a range, not 4:51 or 5:55
            raise Ask("Is that a range? Which time should it be?")
        else:
            if n > 30 or m["n"] == "half":
                raise Ask('That time doesn\'t look right. Try something like "at 5:30 pm".')
            h, minute = (base - 1) or 12, 60 - n
            if word == "noon":
                ap = "am"
            elif word == "midnight":
                ap = "pm"
        clock(h, minute, ap)

    scan.take(
        r"\b(?P<n>\d{1,2}|a\s+quarter|quarter|half)\s+(?:minutes\s+)?(?P<rel>past|after|to|before|of)"
        r"\s+(?P<h>\d{1,2}|noon|midnight)(?:\s*(?P<ap>am|pm))?\b",
        past_to,
    )
    scan.take(
        r"\b(?P<h>\d{1,2})(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>am|pm)\b",
        lambda m: clock(int(m["h"]), int(m["m"] or 0), m["ap"]),
    )
    scan.take(
        r"\b(?P<h>\d{1,2})(?::(?P<m>[0-5]\d))?(?P<ap>a|p)\b",
        lambda m: clock(int(m["h"]), int(m["m"] or 0), m["ap"]),
    )
    scan.take(
        r"\b(?P<hm>\d{3,4})\s*(?P<ap>am|pm|a|p)\b", lambda m: clock(*hhmm(m["hm"]), ap=m["ap"])
    )
    scan.take(
        r"\b(?P<h>\d{1,2})(?::(?P<m>[0-5]\d))?\s*oclock\b(?:\s*(?P<ap>am|pm))?",
        lambda m: clock(int(m["h"]), int(m["m"] or 0), m["ap"]),
    )
    scan.take(r"\bhalf\s+(?P<h>\d{1,2})\b", lambda m: clock(int(m["h"]), 30))

    def colon(m: re.Match) -> None:
        h, minute = int(m["h"]), int(m["m"])
        clock(h, minute, explicit=h >= 13 or h == 0 or m["h"].startswith("0"))

    scan.take(r"\b(?P<h>\d{1,2})[:.](?P<m>[0-5]\d)\b", colon)

    def at_hhmm(m: re.Match) -> None:
        h, minute = hhmm(m["hm"])
        clock(h, minute, explicit=h >= 13 or h == 0 or m["hm"].startswith("0"))

    scan.take(r"\bat\s+(?P<hm>\d{3,4})\b", at_hhmm)
    scan.take(
        r"\bat\s+(?P<h>\d{1,2})\s+(?P<m>[0-5]\d)\b", lambda m: clock(int(m["h"]), int(m["m"]))
    )

    def noon(m: re.Match) -> None:
        if m["w"] == "midnight":
            pieces.set_clock(Clock(0, 0, "am", explicit=True, midnight=True))
        else:
            pieces.set_clock(Clock(12, 0, "pm", explicit=True))

    scan.take(r"\b(?:12\s+)?(?P<w>noon|midday|midnight)\b", noon)

    def bare(m: re.Match) -> None:
        h = int(m["h"])
        clock(h, 0, explicit=h >= 13 or h == 0 or m["h"].startswith("0"))

    scan.take(r"\bat\s+(?P<h>\d{1,2})\b", bare)

    def same_time(m: re.Match) -> None:
        if pieces.clock is not None or pieces.same_time:
            raise Ask("I see two times there. Which one should it be?")
        pieces.same_time = True

    scan.take(r"\b(?:at\s+)?(?:the\s+)?(?:same|this)\s+time\b", same_time)

    def spoken(m: re.Match) -> None:  # "tomorrow ten thirty"
        h = int(m["h"])
        clock(h, int(m["m"]), explicit=h >= 13 or h == 0 or m["h"].startswith("0"))

    # Alone, "three twenty" may be a count or a price; beside a day it is a time.
    if pieces.days:
        scan.take(r"\b(?P<h>\d{1,2})\s+(?P<m>[0-5]\d)\b", spoken)


def _scan_parts(scan: Scanner, pieces: Pieces) -> None:
    names = sorted(list(PARTS_OF_DAY) + list(_PART_ALIASES), key=len, reverse=True)
    names = [n for n in names if n not in ("am", "pm")]
    pattern = "|".join(n.replace(" ", r"\s+") for n in names)

    def part(m: re.Match) -> None:
        name = re.sub(r"\s+", " ", m["p"])
        name = _PART_ALIASES.get(name, name)
        pieces.set_part(name, today_only=bool(m["this"]) or name == "tonight")

    scan.take(
        rf"\b(?:(?P<this>this)\s+|(?:in|at|during)\s+the\s+|at\s+|the\s+)?"
        rf"(?P<p>{pattern})\b",
        part,
    )
    scan.take(r"\bin\s+the\s+(?P<p>am|pm)\b", lambda m: pieces.set_part(m["p"]))


def _scan_relative(scan: Scanner, pieces: Pieces) -> None:
    def relative(m: re.Match) -> None:
        seconds, days, months = duration(m["dur"])
        if pieces.has_duration:
            raise Ask("I see two amounts of time there. Which one should it be?")
        pieces.has_duration = True
        pieces.seconds, pieces.days_ahead, pieces.months_ahead = seconds, days, months

    scan.take(rf"\bin\s+(?P<dur>{_DURATION})(?:\s+from\s+now)?", relative)
    scan.take(
        rf"\b(?P<dur>{_DURATION})\s+(?:from\s+(?:right\s+)?now|later|hence|from\s+this\s+moment)\b",
        relative,
    )

    def now(m: re.Match) -> None:
        pieces.right_now = True

    scan.take(r"\b(?:right\s+)?now\b|\basap\b|\bimmediately\b|\bright\s+away\b", now)


def _scan_zone(scan: Scanner, pieces: Pieces) -> None:
    def zone(m: re.Match) -> None:
        pieces.zone = ZONES[m["z"]]

    scan.take(rf"\b(?:in\s+)?(?P<z>{ZONE_RE})(?:\s+time)?\b", zone)


# -- reading a phrase -----------------------------------------------------------------------------


def _hint_meridiem(hint: str) -> str | None:
    hint = hint.lower()
    if _AM_HINT.search(hint):
        return "am"
    if _PM_HINT.search(hint):
        return "pm"
    return None


def _to_24h(hour: int, meridiem: str) -> int:
    if meridiem == "am":
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12


def _fmt(t: time) -> str:
    return t.strftime("%-I:%M %p") if t.minute else t.strftime("%-I %p")


def _read(text: str) -> tuple[Pieces, list[str]]:
    return _read_with(text, month_first=True)


def _read_with(text: str, *, month_first: bool | None) -> tuple[Pieces, list[str]]:
    pieces = Pieces()
    scan = Scanner(text)
    _scan_relative(scan, pieces)
    _scan_dates(scan, pieces, month_first)
    _scan_times(scan, pieces)
    _scan_parts(scan, pieces)
    if pieces.clock is not None:
        _scan_zone(scan, pieces)
    left = [w for w in scan.leftover() if w not in CONNECTORS and w not in FILLERS]
    if left in (["am"], ["pm"]) and pieces.days and pieces.clock is None and pieces.part is None:
        pieces.set_part(left[0])  # "tmrw am", "fri pm"
        left = []
    # A lone number beside a day or a part of the day is an hour: "8 tonight", "friday 5".
    numbers = [w for w in left if w.isdigit()]
    if (
        pieces.clock is None
        and len(numbers) == 1
        and len(left) == 1
        and (pieces.days or pieces.part)
        and 1 <= int(numbers[0]) <= 12  # "friday 13", "tomorrow 17": a date? 1 PM? ask
    ):
        h = numbers[0]
        pieces.set_clock(Clock(int(h), 0, explicit=int(h) >= 13 or h.startswith("0")))
        left = []
    if scan.question is not None and not left:
        raise Ask(scan.question)
    return pieces, left


def _bare_readings(
    clock: Clock, meridiem: str | None, quiet: tuple[time, time]
) -> list[tuple[int, int]]:
    """The (hour, minute) readings a clock time can have, in a day."""
    if clock.explicit:
        return [(clock.hour, clock.minute)]
    if meridiem:
        return [(_to_24h(clock.hour, meridiem), clock.minute)]
    if clock.hour == 12:
        return [(12, clock.minute)]
    am = (clock.hour, clock.minute)
    readings = [(clock.hour + 12, clock.minute)]
    # Nobody means 1-5 AM without saying so: quiet hours say when the person sleeps.
    if not (clock.hour < 6 and in_quiet_window(time(*am), quiet)):
        readings.insert(0, am)
    return readings


def _on_day_reading(clock: Clock, meridiem: str | None) -> tuple[int, int]:
    """A clock time on a day that is not today: a bare 7-11 is morning, 1-6 evening."""
    if clock.explicit:
        return clock.hour, clock.minute
    if meridiem:
        return _to_24h(clock.hour, meridiem), clock.minute
    if clock.hour == 12 or 7 <= clock.hour <= 11:
        return clock.hour, clock.minute
    return clock.hour + 12, clock.minute


def _passed(at: time, question_day: str = "today") -> Ask:
    return Ask(
        f"{_fmt(at)} {question_day} has already passed. When should it be instead? "
        f'(For example "tomorrow at {_fmt(at).lower().replace(" ", "")}".)'
    )


def _resolve(
    pieces: Pieces, now: datetime, zone: ZoneInfo, quiet: tuple[time, time], hint: str
) -> datetime:
    now_local = now.astimezone(zone)
    today = now_local.date()
    if pieces.same_time:
        if pieces.clock or pieces.part or not (pieces.days or pieces.has_duration):
            raise Ask("Same time on which day?")
        pieces.clock = Clock(now_local.hour, now_local.minute, explicit=True)
    if pieces.right_now:
        if pieces.days or pieces.clock or pieces.part or pieces.has_duration:
            raise Ask(WHEN_QUESTION)
        return now
    if pieces.has_duration:
        if pieces.days:
            raise Ask(WHEN_QUESTION)
        if pieces.seconds and (pieces.days_ahead or pieces.months_ahead):
            # "in 2 days and 3 hours": days on the calendar, then real hours
            base = now_local + relativedelta(days=pieces.days_ahead, months=pieces.months_ahead)
            return base.astimezone(UTC) + timedelta(seconds=pieces.seconds)
        if pieces.seconds:
            if pieces.clock or pieces.part:
                raise Ask(WHEN_QUESTION)
            if pieces.seconds > 366 * 86400:
                raise Ask('How long from now? For example "in 20 minutes".')
            return now.astimezone(UTC) + timedelta(seconds=pieces.seconds)
        if pieces.months_ahead > LONGEST_MONTHS:
            raise Ask('How long from now? For example "in 2 weeks" or "on March 3".')
        target = today + relativedelta(days=pieces.days_ahead, months=pieces.months_ahead)
        if target == today:
            raise Ask('How long from now? For example "in 20 minutes".')
        if not (pieces.clock or pieces.part):
            # Calendar days keep the clock time ("in 3 days" at 4:30 is 4:30).
            return localize(target, now_local.time().replace(microsecond=0), zone)
        pieces.days.append(DayRule(lambda _today: target))

    day = _one_day(pieces, today)
    part_meridiem = PARTS_OF_DAY[pieces.part][1] if pieces.part else None
    meridiem = (
        (pieces.clock.meridiem if pieces.clock else None) or part_meridiem or _hint_meridiem(hint)
    )

    if day is not None:
        from_tomorrow = any(rule.from_tomorrow for rule in pieces.days)
        if from_tomorrow and now_local.hour < SMALL_HOURS_END:
            raise Ask(
                f"Just checking, since it's after midnight: later today ({today:%a %b %-d}) "
                f"or {day:%a %b %-d}?"
            )
        if pieces.clock is not None:
            clock = pieces.clock
            if day == today:
                return _today_clock(clock, meridiem, now_local, zone, quiet, today_only=True)
            if clock.midnight or (clock.hour == 12 and clock.meridiem == "am"):
                # "friday at midnight": the night before Friday, or after it?
                raise Ask(
                    f"The midnight as {day:%A} begins, or as it ends? "
                    f'For example "{day:%a} at 11:59pm".'
                )
            hour, minute = _on_day_reading(clock, meridiem)
            if pieces.part in ("night", "tonight") and _after_midnight(clock):
                hour, day = clock.hour % 12, day + timedelta(days=1)  # "friday night at 1"
            if clock.midnight:
                day += timedelta(days=1)
            return localize(day, time(hour, minute), zone)
        if pieces.part is not None:
            at = PARTS_OF_DAY[pieces.part][0]
            due = localize(day, at, zone)
            if due <= now_local:
                raise _passed(at, "today")
            return due
        if day == today and (
            any(rule.today_only for rule in pieces.days)
            or localize(day, DEFAULT_TIME, zone) <= now_local
        ):
            raise Ask('What time today? For example "at 5pm".')
        return localize(day, DEFAULT_TIME, zone)

    if pieces.clock is not None:
        clock = pieces.clock
        if clock.midnight:
            return localize(today + timedelta(days=1), time(0), zone)
        if pieces.part in ("night", "tonight") and _after_midnight(clock):
            return localize(today + timedelta(days=1), time(clock.hour % 12, clock.minute), zone)
        return _today_clock(
            clock, meridiem, now_local, zone, quiet, today_only=pieces.part_today_only
        )

    if pieces.part is not None:
        at = PARTS_OF_DAY[pieces.part][0]
        due = localize(today, at, zone)
        if due > now_local:
            return due
        mornings = ("morning", "first thing", "breakfast", "am")
        long_over = now_local - due > PART_OVER
        if (pieces.part in mornings or long_over) and not pieces.part_today_only:
            return localize(today + timedelta(days=1), at, zone)  # "in the morning", at night
        raise (
            _passed(at, "today")
            if pieces.part_today_only
            else Ask(f"Today's {pieces.part} has passed. Tomorrow {pieces.part}, or another time?")
        )
    raise Ask(WHEN_QUESTION)


def _one_day(pieces: Pieces, today: date) -> date | None:
    """The day the phrase names; a weekday said beside a date must agree with it."""
    if not pieces.days:
        return None
    explicit = [rule for rule in pieces.days if not rule.weekday_only]
    weekday_only = [rule for rule in pieces.days if rule.weekday_only]
    if len(explicit) > 1 or (not explicit and len(weekday_only) > 1):
        raise Ask("I see two days there. Which one should it be?")
    if not explicit:
        return weekday_only[0].resolve(today)
    found = explicit[0].resolve(today)
    for weekday in [explicit[0].weekday] + [rule.weekday for rule in weekday_only]:
        if weekday is not None and found.weekday() != weekday:
            raise Ask(
                f"{found:%B %-d} is a {found:%A}, not a {WEEKDAYS[weekday].title()}. "
                "Which day did you mean?"
            )
    return found


def _after_midnight(clock: Clock) -> bool:
    """ "tonight at 1", "tonight at 12": the small hours after this evening."""
    return not clock.meridiem and not clock.explicit and (clock.hour < 5 or clock.hour == 12)


def _bare_twelve(minute: int, now_local: datetime, zone: ZoneInfo) -> datetime:
    """ "at 12": noon while it is ahead, midnight in the evening; in between, a question."""
    today = now_local.date()
    noon = localize(today, time(12, minute), zone)
    if noon > now_local:
        return noon
    if now_local.hour >= EVENING_STARTS:
        return localize(today + timedelta(days=1), time(0, minute), zone)
    raise Ask(f"Midnight tonight, or noon tomorrow? ({_fmt(time(12, minute))} has passed.)")


def _today_clock(
    clock: Clock,
    meridiem: str | None,
    now_local: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    *,
    today_only: bool,
) -> datetime:
    """A clock time with no other day: the next reading ahead (today, else tomorrow)."""
    today = now_local.date()
    if clock.hour == 12 and not (clock.explicit or meridiem or today_only):
        return _bare_twelve(clock.minute, now_local, zone)
    readings = _bare_readings(clock, meridiem, quiet)
    ahead = [localize(today, time(h, m), zone) for h, m in readings]
    ahead = [due for due in ahead if due > now_local]
    if ahead:
        return min(ahead)
    recent = [
        time(h, m)
        for h, m in readings
        if now_local - localize(today, time(h, m), zone) < JUST_PASSED
    ]
    if recent or today_only:
        raise _passed(recent[0] if recent else time(*readings[-1]))
    return localize(today + timedelta(days=1), time(*readings[0]), zone)


# -- repeating reminders --------------------------------------------------------------------------

_REPEAT = re.compile(
    rf"\b(?:every|each|daily|everyday|nightly|weekly|monthly|yearly|annually|hourly|weekdays|"
    rf"weeknights|weekends|(?:{WEEKDAY_RE})s)\b"
    rf"|\b(?:{WEEKDAY_RE})s?\s+of\s+(?:the|every|each)\s+month\b"
)


def _recurring(
    text: str, now_local: datetime, zone: ZoneInfo, quiet: tuple[time, time], hint: str
) -> When:
    text = re.sub(rf"\bweekly\s+on\s+(?=(?:{WEEKDAY_RE})s?\b)", "every ", text)
    until_text = start_text = None
    if m := re.search(r"\buntil\s+(?P<u>.+)$", text):
        until_text, text = m["u"], text[: m.start()]
    if m := re.search(r"\b(?:starting|beginning|from)\s+(?P<s>.+)$", text):
        start_text, text = m["s"], text[: m.start()]
    scan = Scanner(text)
    found: dict = {}

    def once(key: str, value) -> None:
        if "freq" in found:
            raise Ask(HOW_OFTEN)
        found["freq"] = key
        found.update(value)

    def fractional_hours(m: re.Match) -> None:
        minutes = 90 if m["half"] else float(m["n"]) * 60
        if minutes != int(minutes):
            raise Ask(HOW_OFTEN)
        once("MINUTELY", {"interval": int(minutes)})

    scan.take(
        r"\b(?:every|each)\s+(?:(?P<n>\d+\.\d+)\s+(?:hours?|h)|(?P<half>(?:an?\s+)?hour\s+and\s+an?\s+"
        r"half))\b",
        fractional_hours,
    )

    def interval(m: re.Match) -> None:
        n = 2 if m["n"] == "other" else int(m["n"] or 1)
        unit = m["u"]
        if "half" in unit:
            once("MINUTELY", {"interval": 30 * n})
        elif unit.startswith("m"):
            once("MINUTELY", {"interval": n})
        else:
            once("HOURLY", {"interval": n})

    scan.take(
        r"\b(?:every|each)\s+(?:(?P<n>\d+|other)\s+)?(?P<u>half\s+an?\s+hour|half\s+hour|minutes?|m|"
        r"hours?|h)\b",
        interval,
    )
    scan.take(r"\bhourly\b", lambda m: once("HOURLY", {"interval": 1}))

    def nth(m: re.Match) -> None:
        order = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": -1}[m["o"]]
        once("MONTHLY", {"byday": f"{order:+d}{RRULE_DAYS[WEEKDAYS.index(m['wd'])]}"})

    scan.take(
        rf"\b(?:(?:every|each|on)\s+)?(?:the\s+)?(?P<o>1st|2nd|3rd|4th|last)\s+(?P<wd>{WEEKDAY_RE})"
        r"s?\s+(?:of|in)\s+(?:the|every|each)\s+month\b",
        nth,
    )

    def month_day(m: re.Match) -> None:
        once("MONTHLY", {"bymonthday": int(m["d"])})

    scan.take(
        r"\b(?:(?:on|every|each)\s+)?(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        r"(?:every|each|the)\s+"
        r"month\b",
        month_day,
    )
    scan.take(
        r"\b(?:(?:every|each)\s+month|monthly)\s+on\s+the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b",
        month_day,
    )
    scan.take(
        r"\b(?:on\s+)?(?:the\s+)?last\s+day\s+of\s+(?:every|each|the)\s+month\b",
        lambda m: once("MONTHLY", {"bymonthday": -1}),
    )

    def yearly(m: re.Match) -> None:
        month = MONTHS.index(m["m"]) + 1
        _valid(2000, month, int(m["d"]))
        once("YEARLY", {"bymonth": month, "bymonthday": int(m["d"])})

    scan.take(
        rf"\b(?:(?:every|each)\s+year\s+on|(?:yearly|annually)\s+on|every)\s+(?P<m>{MONTH_RE})\s+"
        rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b",
        yearly,
    )
    scan.take(
        rf"\b(?:on\s+)?(?P<m>{MONTH_RE})\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+"
        r"(?:every|each)\s+year\b",
        yearly,
    )

    def days_group(byday: str, part: str | None = None):
        def handle(m: re.Match) -> None:
            once("WEEKLY", {"byday": byday, "interval": 1})
            if part:
                found["part"] = part

        return handle

    scan.take(
        r"\b(?:(?:every|each|on)\s+)?(?:week\s*days?|work\s*days?|weekdays)\b",
        days_group("MO,TU,WE,TH,FR"),
    )
    scan.take(r"\b(?:(?:every|each|on)\s+)?week\s*nights?\b", days_group("MO,TU,WE,TH,FR", "night"))
    scan.take(r"\b(?:(?:every|each|on)\s+)?weekends?\b", days_group("SA,SU"))

    def day_list(m: re.Match) -> None:
        names = re.findall(WEEKDAY_RE, m["list"])
        n = 2 if m["other"] else int(m["n"] or 1)
        byday = ",".join(RRULE_DAYS[WEEKDAYS.index(d)] for d in dict.fromkeys(names))
        once("WEEKLY", {"byday": byday, "interval": n})

    days = rf"(?:{WEEKDAY_RE})s?"
    scan.take(
        rf"\b(?:(?:every|each)\s+(?:(?P<other>other)\s+|(?P<n>\d+)\s+weeks?\s+on\s+)?|on\s+)?"
        rf"(?P<list>{days}(?:\s*(?:,|and|&|\+|or)?\s*{days})*)"
        r"(?:\s+(?:every|each)\s+week)?\b",
        lambda m: day_list(m) if _plural_or_every(m) else _not_repeating(),
    )

    def period(m: re.Match) -> None:
        word = m["w"]
        n = 2 if m["other"] else int(m["n"] or 1)
        weekday = RRULE_DAYS[now_local.weekday()]
        if word in ("day", "days", "daily", "everyday", "nightly", "morning", "afternoon",
                    "evening", "night", "mornings", "evenings", "nights"):  # fmt: skip
            once("DAILY", {"interval": n})
            if word.rstrip("s") in ("morning", "afternoon", "evening", "night"):
                found["part"] = word.rstrip("s")
            elif word == "nightly":
                found["part"] = "night"
        elif word in ("week", "weeks", "weekly"):
            once("WEEKLY", {"byday": weekday, "interval": n})
        elif word == "fortnight":
            once("WEEKLY", {"byday": weekday, "interval": 2 * n})
        elif word in ("month", "months", "monthly"):
            once("MONTHLY", {"bymonthday": now_local.day, "interval": n})
        else:
            once("YEARLY", {"bymonth": now_local.month, "bymonthday": now_local.day})

    scan.take(
        r"\b(?:(?:every|each)\s+(?:(?P<other>other)\s+|(?P<n>\d+)\s+)?(?P<w>days?|weeks?|months?|"
        r"years?|fortnight|mornings?|afternoons?|evenings?|nights?)|(?P<w2>daily|everyday|nightly|weekly|"
        r"monthly|yearly|annually))\b",
        lambda m: period(_merge_word(m)),
    )
    if scan.question is not None:
        raise Ask(scan.question)
    if "freq" not in found:
        raise Ask(HOW_OFTEN)

    pieces = Pieces()
    if found.get("part"):
        pieces.set_part(found["part"])
    _scan_times(scan, pieces)
    _scan_parts(scan, pieces)
    left = [w for w in scan.leftover() if w not in CONNECTORS and w not in FILLERS]
    if left:
        if pieces.clock is None and len(left) == 1 and left[0].isdigit() and "part" in found:
            pieces.set_clock(Clock(int(left[0])))
        else:
            raise Ask(HOW_OFTEN)
    if scan.question is not None:
        raise Ask(scan.question)

    freq = found["freq"]
    start = now_local.replace(tzinfo=None, second=0, microsecond=0)
    after = now_local  # the first occurrence is strictly after this
    if start_text:
        begins = _until(start_text, now_local, zone, quiet).replace(second=0)
        if freq not in ("MINUTELY", "HOURLY"):
            begins = begins.replace(hour=0, minute=0)  # "every monday starting next week"
        start = begins
        after = max(now_local, localize(begins.date(), begins.time(), zone) - ONE_SECOND)
    if freq in ("MINUTELY", "HOURLY"):
        if pieces.clock or pieces.part:
            raise Ask('How often? For example "every 2 hours" or "every day at 8".')
        rule = f"FREQ={freq};INTERVAL={found['interval']}"
        if until_text:
            rule += f";UNTIL={_until(until_text, now_local, zone, quiet):%Y%m%dT%H%M%S}"
        rule = with_start(rule, start)
        first = next_occurrence(rule, after, zone)
        if first is None:
            raise Ask("That would never go off. Until when should it repeat?")
        return When(due=first, rrule=rule)
    if until_text:
        raise Ask('Until when? For example "every 30 minutes until 6pm".')

    meridiem = (pieces.clock.meridiem if pieces.clock else None) or (
        PARTS_OF_DAY[pieces.part][1] if pieces.part else None
    ) or _hint_meridiem(hint)  # fmt: skip
    if pieces.clock is not None:
        if pieces.clock.midnight:
            hour, minute = 0, 0
        else:
            hour, minute = _on_day_reading(pieces.clock, meridiem)
    elif pieces.part is not None:
        at = PARTS_OF_DAY[pieces.part][0]
        hour, minute = at.hour, at.minute
    else:
        hour, minute = DEFAULT_TIME.hour, DEFAULT_TIME.minute

    rule = f"FREQ={freq}"
    if found.get("byday"):
        rule += f";BYDAY={found['byday']}"
    if found.get("bymonth"):
        rule += f";BYMONTH={found['bymonth']}"
    if found.get("bymonthday"):
        rule += f";BYMONTHDAY={found['bymonthday']}"
    rule += f";BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"
    n = found.get("interval", 1)
    if n > 1:
        first = next_occurrence(rule, after, zone)
        if first is None:
            raise Ask("That never happens. Try again?")
        rule = with_start(f"{rule};INTERVAL={n}", first.astimezone(zone).replace(tzinfo=None))
        return When(due=first, rrule=rule)
    if start_text:
        rule = with_start(rule, start)
    first = next_occurrence(rule, after, zone)
    if first is None:
        raise Ask("That never happens. Try again?")
    return When(due=first, rrule=rule)


def _merge_word(m: re.Match) -> dict:
    return {"w": m["w"] or m["w2"], "other": m["other"], "n": m["n"]}


def _plural_or_every(m: re.Match) -> bool:
    text = m[0]
    return bool(re.search(r"\b(?:every|each)\b", text) or re.search(r"days?s\b|days\b", text))


def _not_repeating() -> None:
    raise Ask(HOW_OFTEN)


def _until(text: str, now_local: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    pieces, left = _read(normalize(text))
    if left or pieces.has_duration:
        raise Ask('Until when? For example "every 30 minutes until 6pm".')
    due = _resolve(pieces, now_local, zone, quiet, "")
    return due.astimezone(zone).replace(tzinfo=None)


# -- the entry point ------------------------------------------------------------------------------


def parse_when(
    text: str,
    *,
    timezone: str,
    now: datetime,
    quiet_hours: tuple[time, time] = (time(22), time(8)),
    hint: str = "",
) -> When:
    """Read `text` ("at 5", "march 3 at 9", "every weekday at 8") as a time in `timezone`.

    `hint` is the reminder's own words ("wake up", "dinner"): they say which half of the day a
    bare hour means. `quiet_hours` help read a bare hour (never 1-5 AM while they sleep)."""
    zone = ZoneInfo(timezone)
    now_local = now.astimezone(zone)
    cleaned = normalize(text)
    if not cleaned:
        return When(question=WHEN_QUESTION, understood=False)
    if _VAGUE.search(text.lower()):
        return When(question=WHEN_QUESTION)
    try:
        if _REPEAT.search(cleaned):
            return _recurring(cleaned, now_local, zone, quiet_hours, hint)
        pieces, left = _read_with(cleaned, month_first=month_first(timezone))
        if left:
            return When(question=WHEN_QUESTION, understood=False)
        if _LATER.search(text.lower()) and pieces.clock is None and not pieces.has_duration:
            return When(question=WHEN_QUESTION)  # "later tonight": when exactly?
        read_zone = ZoneInfo(pieces.zone) if pieces.zone else zone
        due = _resolve(pieces, now, read_zone, quiet_hours, hint)
        if due <= now - timedelta(seconds=1):
            return When(question="That time has already passed. When should it be instead?")
        return When(due=due.astimezone(UTC))
    except Ask as exc:
        return When(question=exc.question, understood=exc.question != HOW_OFTEN)


def is_time_phrase(text: str) -> bool:
    """Whether every word of `text` belongs to a time (it may still need a question)."""
    probe = datetime(2026, 6, 15, 12, tzinfo=UTC)
    return parse_when(text, timezone="UTC", now=probe).understood


def describe(due: datetime, timezone: str, now: datetime, rrule: str | None = None) -> str:
    """How a time reads in an SMS: "today at 5:00 PM", "tomorrow at 9:00 AM",
    "Fri Nov 27 at 9:00 AM"; the year is named when it is not this year's."""
    zone = ZoneInfo(timezone)
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%-I:%M %p")
    day = f"{local:%a %b %-d}" if local.year == today.year else f"{local:%a %b %-d, %Y}"
    if rrule:
        return f"next on {day} at {clock}, then {describe_rule(rrule)}"
    if local.date() == today:
        return f"today at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"{day} at {clock}"
