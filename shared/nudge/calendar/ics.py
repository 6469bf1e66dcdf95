"""A private ICS feed into events: recurrences expanded (RRULE, RDATE, EXDATE and moved
occurrences), in the calendar's own timezones, with `icalendar` + `recurring-ical-events`.

Times with a TZID keep it (so a weekly 9:00 stays 9:00 across a DST change); a calendar-wide
X-WR-TIMEZONE (Google's exports) applies to times without one; floating times and all-day dates
are read in the person's timezone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudge.models.events import Event, EventSource

MAX_EVENTS = 2000


class IcsError(ValueError):
    """Not an iCalendar file we can read."""


def _as_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the person's local time
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _text(component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_ics(
    data: bytes, *, timezone: str, window_start: datetime, window_end: datetime
) -> list[Event]:
    """The events of `data` overlapping [window_start, window_end), occurrences expanded."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise IcsError("not an iCalendar file") from exc
    if calendar.name != "VCALENDAR":
        raise IcsError("not an iCalendar file")
    zone = ZoneInfo(timezone)
    # UIDs of series: their occurrences get the slot in their id (single events do not, so
    # moving one keeps its document).
    series = {
        str(c.get("UID"))
        for c in calendar.walk("VEVENT")
        if any(p in c for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    events: list[Event] = []
    for component in recurring_ical_events.of(calendar).between(window_start, window_end):
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start_value = component.decoded("DTSTART")
        all_day = not isinstance(start_value, datetime)
        if "DTEND" in component:
            end_value = component.decoded("DTEND")
        elif "DURATION" in component:
            end_value = start_value + component.decoded("DURATION")
        else:  # RFC 5545: a date lasts a day, a date-time no time at all
            end_value = start_value + timedelta(days=1) if all_day else start_value
        uid = str(component.get("UID") or "")
        if not uid:
            continue
        start = _as_utc(start_value, zone)
        # Each occurrence of a series is its own event, named by the slot it fills (a moved
        # occurrence keeps the id of the slot it replaces).
        recurrence = ""
        if uid not in series:
            pass
        elif "RECURRENCE-ID" in component:
            recurrence = _as_utc(component.decoded("RECURRENCE-ID"), zone).isoformat()
        else:
            recurrence = start.isoformat()
        events.append(
            Event(
                title=(_text(component, "SUMMARY") or "(no title)")[:500],
                start=start,
                end=max(_as_utc(end_value, zone), start),
                all_day=all_day,
                location=(_text(component, "LOCATION") or None),
                external_id=f"{uid}/{recurrence}" if recurrence else uid,
                source=EventSource.ics,
            )
        )
        if len(events) >= MAX_EVENTS:
            break
    return events
