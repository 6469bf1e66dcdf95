"""Natural-language times in the user's timezone: "at 5", "in 20 minutes", "tomorrow
morning", "every weekday at 8", "first Monday of the month".

Rules come first for what people text most; dateparser reads dates and weekdays. Every result
is a local wall-clock time localized with zoneinfo (right across DST changes) and returned in
UTC. Ambiguous or past times come back as a question, never a guess that fires at 3 a.m.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45, "half an": 0.5,
}  # fmt: skip
UNITS = {"min": 60, "minute": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "last": -1}  # fmt: skip
PARTS_OF_DAY = {
    "morning": time(9),
    "afternoon": time(15),
    "evening": time(19),
    "night": time(20),
    "tonight": time(20),
    "noon": time(12),
    "lunch": time(12),
}

_IN = re.compile(
    r"^in\s+(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|"
    r"forty-five|half an)\s*(?P<unit>min(?:ute)?s?|hours?|hrs?|days?|weeks?)$"
)
_CLOCK = re.compile(
    r"(?:^|\s)(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?$"
)
_NOON = re.compile(r"(?:^|\s)(?:at\s+)?(?P<word>noon|midnight)$")
_EVERY = re.compile(r"^every\s+(?P<what>.+?)(?:\s+at\s+(?P<at>.+))?$")
_NTH = re.compile(
    r"^(?:on\s+)?(?:the\s+)?(?:every\s+)?"
    r"(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last)\s+"
    r"(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+of\s+(?:the|every|each)"
    r"\s+month(?:\s+at\s+(?P<at>.+))?$"
)


@dataclass(frozen=True)
class When:
    """A parsed time: `due` (UTC) and an optional `rrule`, or a `question` to ask back."""

    due: datetime | None = None
    rrule: str | None = None
    question: str | None = None

    @property
    def ok(self) -> bool:
        return self.due is not None


class _Ambiguous(Exception):
    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question


def _localize(day: date, at: time, zone: ZoneInfo) -> datetime:
    # zoneinfo resolves a wall time in a DST gap/overlap by `fold`; fold=0 is the earlier
    # offset, which for a gap moves the time forward: 2:30 on spring-forward day is 3:30.
    naive = datetime.combine(day, at)
    local = naive.replace(tzinfo=zone)
    roundtrip = local.astimezone(UTC).astimezone(zone)
    return roundtrip if roundtrip.replace(tzinfo=None) != naive else local


def _fmt(t: time) -> str:
    return t.strftime("%-I:%M %p") if t.minute else t.strftime("%-I %p")


def _clock(text: str, quiet: tuple[time, time], day_given: bool) -> tuple[time | None, bool]:
    """The clock time at the end of `text`: (time, ambiguous_am_pm)."""
    if m := _NOON.search(text):
        return (time(12) if m["word"] == "noon" else time(0)), False
    m = _CLOCK.search(text)
    if m is None:
        return None, False
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if minute > 59 or hour > 23:
        raise _Ambiguous('That time doesn\'t look right. Try something like "at 5:30 pm".')
    ap = (m["ap"] or "").replace(".", "")
    if ap:
        if not 1 <= hour <= 12:
            raise _Ambiguous('That time doesn\'t look right. Try something like "at 5:30 pm".')
        hour = hour % 12 + (12 if ap == "pm" else 0)
        return time(hour, minute), False
    if hour == 0 or hour >= 13 or (m["m"] and len(m["h"]) == 2 and m["h"].startswith("0")):
        return time(hour, minute), False
    if hour == 12:
        return time(12, minute), False
    return time(hour, minute), True  # 1-11 with no am/pm: decide against quiet hours


def in_quiet_window(t: time, quiet: tuple[time, time]) -> bool:
    """Whether wall time `t` falls in quiet hours (start, end), which may wrap past midnight."""
    start, end = quiet
    return (t >= start or t < end) if start > end else (start <= t < end)


def _resolve_ambiguous(
    day: date | None, t: time, now_local: datetime, zone: ZoneInfo, quiet: tuple[time, time]
) -> datetime:
    """Pick AM or PM for a bare hour: the upcoming one outside quiet hours, if just one is."""
    days = [day] if day else [now_local.date(), now_local.date() + timedelta(days=1)]
    candidates = []
    for d in days:
        for hour in (t.hour, t.hour + 12):
            at = time(hour, t.minute)
            moment = _localize(d, at, zone)
            if moment > now_local and not in_quiet_window(at, quiet):
                candidates.append(moment)
        if candidates:
            break
    if len(candidates) == 1:
        return candidates[0]
    label = _fmt(time(t.hour, t.minute)).replace(" AM", "")
    raise _Ambiguous(f"Do you mean {label} AM or {label} PM?")


def _day(text: str, now_local: datetime) -> tuple[date | None, str]:
    """The day named in `text` (and the text with it removed)."""
    today = now_local.date()
    for word, offset in (("day after tomorrow", 2), ("tomorrow", 1), ("tmrw", 1), ("today", 0)):
        if word in text:
            return today + timedelta(days=offset), text.replace(word, " ").strip()
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b(?:on\s+|next\s+|this\s+)?{name}\b", text):
            ahead = (index - today.weekday()) % 7 or 7
            if f"next {name}" in text and ahead < 7:
                ahead += 7 if ahead <= 0 else 0
            stripped = re.sub(rf"\b(?:on\s+|next\s+|this\s+)?{name}\b", " ", text).strip()
            return today + timedelta(days=ahead), stripped
    import dateparser

    date_part = re.sub(r"\s*(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?$", "", text)
    date_part = re.sub(r"^on\s+", "", date_part).strip()
    if date_part and re.search(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", date_part):
        parsed = dateparser.parse(
            date_part,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now_local.replace(tzinfo=None),
                "REQUIRE_PARTS": ["day", "month"],
            },
        )
        if parsed is not None:
            return parsed.date(), text.replace(date_part, " ").strip()
    return None, text


def _part_of_day(text: str) -> time | None:
    for word, at in PARTS_OF_DAY.items():
        if re.search(rf"\b{word}\b", text):
            return at
    return None


def _recurring(text: str, now_local: datetime, zone: ZoneInfo, quiet) -> When | None:
    if m := _NTH.match(text):
        at = _fixed_time(m["at"], quiet) or time(9)
        byday = f"{ORDINALS[m['ord']]:+d}{RRULE_DAYS[WEEKDAYS.index(m['day'])]}"
        rule = f"FREQ=MONTHLY;BYDAY={byday};BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0"
        return _first(rule, now_local, zone)
    m = _EVERY.match(text)
    if m is None:
        return None
    what, at_text = m["what"].strip(), m["at"]
    if at_text is None:  # "every day 8am" / "every morning"
        if pod := _part_of_day(what):
            at_text = pod.strftime("%H:%M")
            what = re.sub(r"\b(morning|afternoon|evening|night)\b", "day", what)
        elif cm := _CLOCK.search(what):
            at_text, what = cm.group(0).strip(), what[: cm.start()].strip()
    at = _fixed_time(at_text, quiet) or time(9)
    if what in ("day", "day ", "daily"):
        freq = "FREQ=DAILY"
    elif what in ("weekday", "weekdays", "work day", "workday"):
        freq = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    elif what in ("weekend", "weekends"):
        freq = "FREQ=WEEKLY;BYDAY=SA,SU"
    elif what in ("week",):
        freq = f"FREQ=WEEKLY;BYDAY={RRULE_DAYS[now_local.weekday()]}"
    elif what in ("month",):
        freq = f"FREQ=MONTHLY;BYMONTHDAY={now_local.day}"
    else:
        days = [
            RRULE_DAYS[i] for i, name in enumerate(WEEKDAYS) if re.search(rf"\b{name}s?\b", what)
        ]
        if not days:
            return When(question='How often? For example "every weekday at 8" or "every Monday".')
        freq = f"FREQ=WEEKLY;BYDAY={','.join(days)}"
    return _first(f"{freq};BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0", now_local, zone)


def _fixed_time(text: str | None, quiet) -> time | None:
    """A clock time for a recurrence: a bare 1-11 hour is read as the one outside quiet hours."""
    if not text:
        return None
    text = text.strip()
    if pod := PARTS_OF_DAY.get(text):
        return pod
    at, ambiguous = _clock(text, quiet, day_given=True)
    if at is None:
        raise _Ambiguous('What time? For example "every weekday at 8am".')
    if ambiguous:
        options = [time(h, at.minute) for h in (at.hour, at.hour + 12)]
        awake = [o for o in options if not in_quiet_window(o, quiet)]
        if len(awake) == 2:
            # A routine at a bare 7-11 is a morning one; 1-6 is an afternoon one.
            return awake[0] if 7 <= at.hour <= 11 else awake[1]
        if not awake:
            raise _Ambiguous(f"Do you mean {at.hour} AM or {at.hour} PM?")
        return awake[0]
    return at


def _first(rule: str, now_local: datetime, zone: ZoneInfo) -> When:
    first = next_occurrence(rule, now_local, zone)
    return When(due=first, rrule=rule) if first else When(question="That never happens. Try again?")


def next_occurrence(rule: str, after: datetime, zone: ZoneInfo | str) -> datetime | None:
    """The first occurrence of `rule` strictly after `after`, in UTC. The rule is expanded in
    local wall time, so "every day at 8" stays at 8 across DST changes."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    local_after = after.astimezone(zone)
    start = local_after.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    nxt = rrulestr(rule, dtstart=start).after(local_after.replace(tzinfo=None), inc=False)
    if nxt is None:
        return None
    return _localize(nxt.date(), nxt.time(), zone).astimezone(UTC)


def parse_when(
    text: str,
    *,
    timezone: str,
    now: datetime,
    quiet_hours: tuple[time, time] = (time(22), time(8)),
) -> When:
    zone = ZoneInfo(timezone)
    now_local = now.astimezone(zone)
    cleaned = re.sub(r"\s+", " ", text.lower().strip().strip(".!?")).strip()
    try:
        if m := _IN.match(cleaned):
            n = NUMBERS.get(m["n"]) if m["n"] in NUMBERS else float(m["n"])
            unit = next(v for k, v in UNITS.items() if m["unit"].startswith(k))
            seconds = float(n) * unit
            if seconds <= 0 or seconds > 366 * 86400:
                return When(question='How long from now? For example "in 20 minutes".')
            # In UTC: adding to a local-aware datetime would be wall-clock arithmetic.
            return When(due=now.astimezone(UTC) + timedelta(seconds=seconds))
        if recurring := _recurring(cleaned, now_local, zone, quiet_hours):
            return recurring
        day, rest = _day(cleaned, now_local)
        if "tonight" in rest:
            day = day or now_local.date()
        at, ambiguous = _clock(rest, quiet_hours, day_given=day is not None)
        if at is None:
            pod = _part_of_day(rest)
            if pod is None and day is None:
                return When(
                    question='When should I remind you? For example "at 5pm" or "in 20 minutes".'
                )
            at = pod or time(9)
            day = day or now_local.date()
        if ambiguous:
            due = _resolve_ambiguous(day, at, now_local, zone, quiet_hours)
        else:
            due = _localize(day or now_local.date(), at, zone)
            if due <= now_local:
                when = f"{_fmt(at)} today" if day in (None, now_local.date()) else "That time"
                return When(
                    question=f"{when} has already passed. When should it be instead? "
                    f'(For example "tomorrow at {_fmt(at).lower().replace(" ", "")}".)'
                )
        return When(due=due.astimezone(UTC))
    except _Ambiguous as exc:
        return When(question=exc.question)


def describe(due: datetime, timezone: str, now: datetime, rrule: str | None = None) -> str:
    """How a time reads in an SMS: "today at 5:00 PM", "tomorrow at 9:00 AM", "Fri Nov 27"."""
    zone = ZoneInfo(timezone)
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%-I:%M %p")
    if rrule:
        return f"next on {local:%a %b %-d} at {clock}, then {describe_rule(rrule)}"
    if local.date() == today:
        return f"today at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"{local:%a %b %-d} at {clock}"


def describe_rule(rule: str) -> str:
    parts = dict(p.split("=") for p in rule.split(";"))
    at = time(int(parts.get("BYHOUR", 9)), int(parts.get("BYMINUTE", 0))).strftime("%-I:%M %p")
    byday = parts.get("BYDAY", "")
    if parts["FREQ"] == "DAILY":
        return f"every day at {at}"
    if byday == "MO,TU,WE,TH,FR":
        return f"every weekday at {at}"
    if parts["FREQ"] == "MONTHLY" and byday:
        order = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
        day = WEEKDAYS[RRULE_DAYS.index(byday[-2:])].title()
        return f"the {order.get(byday[:-2].lstrip('+'), byday[:-2])} {day} of each month at {at}"
    if parts["FREQ"] == "WEEKLY":
        names = [WEEKDAYS[RRULE_DAYS.index(d)].title() for d in byday.split(",") if d]
        return f"every {', '.join(names)} at {at}"
    return f"repeating ({rule})"
