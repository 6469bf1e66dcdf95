"""Every time phrase of the reminders issue, in two timezones, including across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from nudge.reminders.timeparse import next_occurrence, parse_when

ZONES = ["America/Toronto", "Europe/Berlin"]


def at(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def local(result, zone):
    assert result.ok, result.question
    return result.due.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize("zone", ZONES)
def test_at_5_is_the_awake_one_today(zone):
    now = at(zone, 2026, 11, 23, 10, 0)
    assert local(parse_when("at 5", timezone=zone, now=now), zone) == at(zone, 2026, 11, 23, 17, 0)


@pytest.mark.parametrize("zone", ZONES)
def test_at_5_late_at_night_is_tomorrow_afternoon_not_5_am(zone):
    now = at(zone, 2026, 11, 23, 23, 0)
    result = parse_when("at 5", timezone=zone, now=now)
    assert local(result, zone) == at(zone, 2026, 11, 24, 17, 0)


@pytest.mark.parametrize("zone", ZONES)
def test_a_bare_hour_with_two_awake_readings_is_a_question(zone):
    now = at(zone, 2026, 11, 23, 6, 30)  # 8 AM and 8 PM are both ahead and awake
    result = parse_when("at 8", timezone=zone, now=now)
    assert not result.ok
    assert result.question == "Do you mean 8 AM or 8 PM?"


@pytest.mark.parametrize("zone", ZONES)
def test_in_20_minutes(zone):
    now = at(zone, 2026, 11, 23, 10, 0)
    assert local(parse_when("in 20 minutes", timezone=zone, now=now), zone) == at(
        zone, 2026, 11, 23, 10, 20
    )


@pytest.mark.parametrize("zone", ZONES)
def test_tomorrow_morning(zone):
    now = at(zone, 2026, 11, 23, 22, 0)
    assert local(parse_when("tomorrow morning", timezone=zone, now=now), zone) == at(
        zone, 2026, 11, 24, 9, 0
    )


@pytest.mark.parametrize("zone", ZONES)
def test_every_weekday_at_8(zone):
    now = at(zone, 2026, 11, 27, 9, 0)  # a Friday, after 8
    result = parse_when("every weekday at 8", timezone=zone, now=now)
    assert result.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0;BYSECOND=0"
    assert local(result, zone) == at(zone, 2026, 11, 30, 8, 0)  # Monday


@pytest.mark.parametrize("zone", ZONES)
def test_first_monday_of_the_month(zone):
    now = at(zone, 2026, 11, 23, 10, 0)
    result = parse_when("first Monday of the month", timezone=zone, now=now)
    assert result.rrule.startswith("FREQ=MONTHLY;BYDAY=+1MO")
    assert local(result, zone) == at(zone, 2026, 12, 7, 9, 0)


@pytest.mark.parametrize("zone", ZONES)
def test_a_past_time_gets_a_question_not_a_guess(zone):
    now = at(zone, 2026, 11, 23, 10, 0)
    result = parse_when("at 9am", timezone=zone, now=now)
    assert not result.ok
    assert "already passed" in result.question


@pytest.mark.parametrize("zone", ZONES)
def test_no_time_at_all_is_a_question(zone):
    result = parse_when("sometime", timezone=zone, now=at(zone, 2026, 11, 23, 10, 0))
    assert not result.ok and "When" in result.question


# DST: US clocks fall back on 2026-11-01, Europe's on 2026-10-25; spring forward 2026-03-08/29.
@pytest.mark.parametrize(
    ("zone", "eve"), [("America/Toronto", (2026, 10, 31)), ("Europe/Berlin", (2026, 10, 24))]
)
def test_tomorrow_at_9_across_fall_back_keeps_the_wall_clock(zone, eve):
    now = at(zone, *eve, 20, 0)
    due = local(parse_when("tomorrow at 9am", timezone=zone, now=now), zone)
    assert (due.hour, due.minute) == (9, 0)
    elapsed = due.astimezone(UTC) - now.astimezone(UTC)
    assert elapsed.total_seconds() == 14 * 3600  # 13 wall-clock hours + the extra hour


@pytest.mark.parametrize(
    ("zone", "eve"), [("America/Toronto", (2026, 3, 7)), ("Europe/Berlin", (2026, 3, 28))]
)
def test_in_24_hours_across_spring_forward_is_24_real_hours(zone, eve):
    now = at(zone, *eve, 12, 0)
    due = local(parse_when("in 24 hours", timezone=zone, now=now), zone)
    assert (due.astimezone(UTC) - now.astimezone(UTC)).total_seconds() == 24 * 3600
    assert due.hour == 13  # the wall clock jumped an hour


@pytest.mark.parametrize(
    ("zone", "day_before"), [("America/Toronto", (2026, 3, 6)), ("Europe/Berlin", (2026, 3, 27))]
)
def test_a_daily_recurrence_stays_at_its_wall_time_across_dst(zone, day_before):
    rule = "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0"
    first = next_occurrence(rule, at(zone, *day_before, 9, 0), zone)
    second = next_occurrence(rule, first, zone)
    assert first.astimezone(ZoneInfo(zone)).hour == 8
    assert second.astimezone(ZoneInfo(zone)).hour == 8
    assert (second - first).total_seconds() == 23 * 3600  # the short night


def test_a_time_in_the_spring_forward_gap_moves_forward():
    zone = "America/Toronto"
    now = at(zone, 2026, 3, 7, 20, 0)
    due = local(parse_when("tomorrow at 2:30am", timezone=zone, now=now), zone)
    assert (due.hour, due.minute) == (3, 30)


def test_quiet_hours_of_the_user_shape_the_reading():
    zone = "Europe/Berlin"
    now = at(zone, 2026, 11, 23, 7, 0)
    assert not parse_when("at 9", timezone=zone, now=now).ok  # 9 AM and 9 PM both awake
    early_sleeper = (time(21), time(8))  # quiet 21:00-08:00: 9 PM is out
    due = local(parse_when("at 9", timezone=zone, now=now, quiet_hours=early_sleeper), zone)
    assert due == at(zone, 2026, 11, 23, 9, 0)


def test_the_same_phrase_means_the_same_local_time_in_each_zone():
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    due = {z: local(parse_when("tomorrow at 7pm", timezone=z, now=now), z) for z in ZONES}
    assert {(d.hour, d.day) for d in due.values()} == {(19, 24)}
    assert due["America/Toronto"].astimezone(UTC) != due["Europe/Berlin"].astimezone(UTC)
