"""Free time: the window a phrase like "tomorrow afternoon" names, and the first slot in it
that keeps a buffer around every event."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudge.models import UserSettings
from nudge.models.events import Event

STEP = timedelta(minutes=15)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NOON, EVENING = time(12), (time(17), time(21))
_WEEKDAY = r"(?:on |next |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_WHEN = re.compile(
    rf"^(?:(?P<day>today|tonight|tomorrow|{_WEEKDAY})|this)?\s*"
    r"(?P<part>morning|afternoon|evening|night)?$",
    re.I,
)


def named_day(phrase: str, *, timezone: str, now: datetime) -> tuple[date, str | None] | None:
    """The local day a phrase names and the part of it ("morning"...), or None."""
    text = " ".join(phrase.casefold().replace("at ", "").split())
    match = _WHEN.match(text)
    if match is None:
        return None
    local_now = now.astimezone(ZoneInfo(timezone))
    word = (match["day"] or "today").removeprefix("on ").removeprefix("next ")
    word = word.removeprefix("this ")
    part = match["part"]
    if word == "tonight" or part == "night":
        part = "evening"
    if word in ("today", "tonight"):
        return local_now.date(), part
    if word == "tomorrow":
        return local_now.date() + timedelta(days=1), part
    ahead = (WEEKDAYS.index(word) - local_now.weekday()) % 7 or 7
    return local_now.date() + timedelta(days=ahead), part


def day_window(
    phrase: str, *, timezone: str, now: datetime, prefs: UserSettings
) -> tuple[datetime, datetime] | None:
    """The part of working hours `phrase` names ("tomorrow", "this afternoon", "friday
    morning", "" = today), never starting in the past. None when it names nothing we know."""
    named = named_day(phrase, timezone=timezone, now=now)
    if named is None:
        return None
    day, part = named
    zone = ZoneInfo(timezone)
    start_t, end_t = prefs.working_hours_start, prefs.working_hours_end
    if part == "morning":
        end_t = min(end_t, NOON)
    elif part == "afternoon":
        start_t = max(start_t, NOON)
    elif part == "evening":  # after work is what evenings are for
        start_t, end_t = EVENING
    start = datetime.combine(day, start_t, tzinfo=zone)
    end = datetime.combine(day, end_t, tzinfo=zone)
    start = max(start, _round_up(now.astimezone(zone) + timedelta(minutes=5)))
    if start >= end:
        return None
    return start, end


def _round_up(moment: datetime) -> datetime:
    """The next quarter hour at or after `moment`."""
    base = moment.replace(second=0, microsecond=0)
    if base < moment:
        base += timedelta(minutes=1)
    return base + timedelta(minutes=(-base.minute) % 15)


def free_slot(
    events: list[Event],
    *,
    minutes: int,
    window_start: datetime,
    window_end: datetime,
    buffer_minutes: int,
) -> tuple[datetime, datetime] | None:
    """The earliest slot of `minutes` in the window, `buffer_minutes` clear of every timed
    event (all-day events such as birthdays do not block), on a 15-minute grid."""
    length, buffer = timedelta(minutes=minutes), timedelta(minutes=buffer_minutes)
    busy = sorted(
        (e.start - buffer, e.end + buffer)
        for e in events
        if not e.all_day and e.end > window_start and e.start < window_end
    )
    candidate = window_start
    for busy_start, busy_end in busy:
        if candidate + length <= busy_start:
            break
        if busy_end > candidate:
            candidate = _on_grid(busy_end, window_start)
    if candidate + length <= window_end:
        return candidate, candidate + length
    return None


def _on_grid(moment: datetime, origin: datetime) -> datetime:
    """The first 15-minute mark (counted from the window's start) at or after `moment`."""
    steps = -(-(moment - origin) // STEP)
    return origin + steps * STEP


def minutes_until_next_event(events: list[Event], now: datetime) -> tuple[int, Event] | None:
    upcoming = sorted((e for e in events if not e.all_day and e.start > now), key=lambda e: e.start)
    if not upcoming:
        return None
    return int((upcoming[0].start - now).total_seconds() // 60), upcoming[0]


def current_event(events: list[Event], now: datetime) -> Event | None:
    return next((e for e in events if not e.all_day and e.start <= now < e.end), None)
