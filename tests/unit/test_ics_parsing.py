"""Real-world-shaped ICS feeds (a Google export, an Outlook published calendar) into events:
recurrences expanded in their own timezones across DST, EXDATE, a moved occurrence, all-day,
another timezone, floating times, cancelled events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nudge.calendar.fetch import FetchError, check_url
from nudge.calendar.ics import IcsError, parse_ics
from nudge.calendar.urls import find_ics_url, normalize_ics_url
from nudge.settings import Settings

CALENDARS = Path(__file__).parents[1] / "support" / "calendars"
WINDOW = {
    "window_start": datetime(2026, 10, 26, tzinfo=UTC),
    "window_end": datetime(2026, 11, 9, tzinfo=UTC),
}


def parse(name: str, timezone: str = "America/New_York"):
    events = parse_ics((CALENDARS / name).read_bytes(), timezone=timezone, **WINDOW)
    return sorted(events, key=lambda e: e.start)


def test_a_weekly_series_keeps_its_local_time_across_the_dst_change():
    standups = [e for e in parse("google_export.ics") if e.title == "Team standup"]
    # 9:30 in New York: 13:30 UTC while on EDT, 14:30 UTC after the change on Nov 1.
    assert [e.start for e in standups] == [
        datetime(2026, 10, 26, 13, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 14, 30, tzinfo=UTC),
        datetime(2026, 11, 4, 14, 30, tzinfo=UTC),
        datetime(2026, 11, 6, 14, 30, tzinfo=UTC),
    ]  # Oct 28 is an EXDATE; Oct 30 was moved (below)
    assert all((e.end - e.start).total_seconds() == 1800 for e in standups)


def test_a_moved_occurrence_keeps_the_id_of_the_slot_it_replaces():
    [moved] = [e for e in parse("google_export.ics") if e.title == "Team standup (moved)"]
    assert moved.start == datetime(2026, 10, 30, 18, 0, tzinfo=UTC)  # 2 PM EDT
    assert moved.external_id == "4q2lq1k7c9standup@google.com/2026-10-30T13:30:00+00:00"


def test_all_day_other_timezone_location_and_cancelled_events():
    events = {e.title: e for e in parse("google_export.ics")}
    birthday = events["Dad's birthday"]
    assert birthday.all_day
    assert birthday.start == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # midnight in New York
    assert (birthday.end - birthday.start).days == 1
    assert events["Call with the London office"].start == datetime(2026, 11, 3, 15, tzinfo=UTC)
    assert events["Dentist"].location == "Smile Dental, 12 Main St"
    assert events["Dentist"].external_id == "9f3dentist@google.com"  # single: no slot in its id
    assert "Yoga" not in events  # STATUS:CANCELLED


def test_outlook_windows_timezone_names_and_floating_times():
    events = parse("outlook_published.ics")
    focus = [e.start for e in events if e.title == "Focus time"]
    assert focus[0] == datetime(2026, 10, 29, 16, tzinfo=UTC)  # 9 AM PDT
    assert datetime(2026, 11, 2, 17, tzinfo=UTC) in focus  # 9 AM PST
    assert focus[-1] == datetime(2026, 11, 6, 17, tzinfo=UTC)  # UNTIL is inclusive
    [kids] = [e for e in events if e.title == "Pick up kids"]
    assert kids.start == datetime(2026, 11, 3, 20, tzinfo=UTC)  # floating 3 PM, person's zone
    [kids_berlin] = [
        e for e in parse("outlook_published.ics", "Europe/Berlin") if e.title == "Pick up kids"
    ]
    assert kids_berlin.start == datetime(2026, 11, 3, 14, tzinfo=UTC)


def test_not_a_calendar_is_an_error():
    with pytest.raises(IcsError):
        parse_ics(b"<html>login</html>", timezone="Etc/UTC", **WINDOW)


def test_links_in_texts_and_which_ones_are_fetched():
    assert find_ics_url("my calendar is webcal://p01-caldav.icloud.com/published/2/abc.") == (
        "webcal://p01-caldav.icloud.com/published/2/abc"
    )
    google = "https://calendar.google.com/calendar/ical/sam%40gmail.com/private-f00/basic.ics"
    assert find_ics_url(f"my calendar is {google}") == google
    assert find_ics_url("look at https://example.com/recipes") is None
    assert normalize_ics_url("webcal://x.example/a.ics") == "https://x.example/a.ics"
    cloud = Settings(environment="cloud", calendar_allow_private_urls=False)
    for refused in (
        "http://calendar.example/a.ics",
        "https://127.0.0.1/a.ics",
        "https://169.254.169.254/computeMetadata/v1/",
        "file:///etc/passwd",
    ):
        with pytest.raises(FetchError) as caught:
            check_url(refused, cloud)
        assert caught.value.permanent
