"""Repeating reminders as RFC 5545 RRULEs expanded in local wall time.

A rule that counts from a start ("every 2 hours", "every other Tuesday") carries its own
DTSTART (naive local time); the calendar rules ("every weekday at 8") do not need one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from nudge.reminders.timewords import WEEKDAYS

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def localize(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall time as an aware datetime. A time that does not exist (the hour skipped when
    clocks spring forward) moves forward by the gap: 2:30 on that day is 3:30."""
    naive = datetime.combine(day, at)
    local = naive.replace(tzinfo=zone)
    roundtrip = local.astimezone(UTC).astimezone(zone)
    return roundtrip if roundtrip.replace(tzinfo=None) != naive else local


def with_start(rule: str, start: datetime) -> str:
    """`rule` anchored at the naive local `start` (for interval rules)."""
    return f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:{rule}"


def _parts(rule: str) -> dict[str, str]:
    line = next((ln for ln in rule.splitlines() if ln.startswith("RRULE:")), rule.splitlines()[-1])
    line = line.removeprefix("RRULE:")
    return dict(p.split("=", 1) for p in line.split(";") if "=" in p)


def next_occurrence(rule: str, after: datetime, zone: ZoneInfo | str) -> datetime | None:
    """The first occurrence of `rule` strictly after `after`, in UTC. The rule is expanded in
    local wall time, so "every day at 8" stays at 8 across DST changes."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    local_after = after.astimezone(zone).replace(tzinfo=None)
    if "DTSTART" in rule:
        nxt = rrulestr(rule).after(local_after, inc=False)
    else:
        start = local_after.replace(hour=0, minute=0, second=0, microsecond=0)
        nxt = rrulestr(rule, dtstart=start).after(local_after, inc=False)
    if nxt is None:
        return None
    return localize(nxt.date(), nxt.time(), zone).astimezone(UTC)


def _clock(at: time) -> str:
    return at.strftime("%-I:%M %p")


def describe_rule(rule: str) -> str:
    """How a rule reads in an SMS: "every weekday at 8:00 AM", "every 2 hours"."""
    parts = _parts(rule)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", 1))
    at = _clock(time(int(parts.get("BYHOUR", 9)), int(parts.get("BYMINUTE", 0))))
    if "DTSTART" in rule and "BYHOUR" not in parts:
        start = rule.splitlines()[0].removeprefix("DTSTART:")
        at = _clock(datetime.strptime(start, "%Y%m%dT%H%M%S").time())
    until = ""
    if "UNTIL" in parts:
        until = f" until {_clock(datetime.strptime(parts['UNTIL'][:15], '%Y%m%dT%H%M%S').time())}"
    byday = parts.get("BYDAY", "")
    if freq in ("MINUTELY", "HOURLY"):
        unit = "minute" if freq == "MINUTELY" else "hour"
        every = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
        return every + until
    if freq == "DAILY":
        return (f"every day at {at}" if interval == 1 else f"every {interval} days at {at}") + until
    if freq == "WEEKLY":
        if byday == "MO,TU,WE,TH,FR":
            return f"every weekday at {at}"
        if byday == "SA,SU":
            return f"every weekend day at {at}"
        names = [WEEKDAYS[RRULE_DAYS.index(d)].title() for d in byday.split(",") if d]
        every = "every other" if interval == 2 else "every" if interval == 1 else None
        prefix = every or f"every {interval} weeks on"
        return f"{prefix} {' and '.join(names)} at {at}"
    if freq == "MONTHLY" and byday:
        order = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
        day = WEEKDAYS[RRULE_DAYS.index(byday[-2:])].title()
        return f"the {order.get(byday[:-2].lstrip('+'), byday[:-2])} {day} of each month at {at}"
    if freq == "MONTHLY" and parts.get("BYMONTHDAY") == "-1":
        return f"on the last day of each month at {at}"
    if freq == "MONTHLY":
        from nudge.reminders.timewords import ordinal

        return f"on the {ordinal(int(parts.get('BYMONTHDAY', 1)))} of each month at {at}"
    if freq == "YEARLY":
        month, day = int(parts.get("BYMONTH", 1)), int(parts.get("BYMONTHDAY", 1))
        return f"every year on {date(2000, month, day):%b} {day} at {at}"
    return "repeating"


def first_after(rule: str, now_local: datetime, zone: ZoneInfo) -> datetime | None:
    return next_occurrence(rule, now_local, zone)


def hourly_start(now_local: datetime) -> datetime:
    """Interval rules count from the current minute."""
    return now_local.replace(tzinfo=None, second=0, microsecond=0)


ONE_MINUTE = timedelta(minutes=1)
