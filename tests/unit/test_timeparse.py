"""Every time phrase of the reminders issue, in two timezones, including across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from nudge.reminders.timeparse import describe, describe_rule, next_occurrence, parse_when

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
def test_a_bare_hour_takes_the_nearest_upcoming_reading(zone):
    now = at(zone, 2026, 11, 23, 6, 30)  # 8 AM is nearer than 8 PM
    assert local(parse_when("at 8", timezone=zone, now=now), zone) == at(zone, 2026, 11, 23, 8)
    now = at(zone, 2026, 11, 23, 10, 0)  # 7 AM has passed: 7 PM
    assert local(parse_when("at 7", timezone=zone, now=now), zone) == at(zone, 2026, 11, 23, 19)


@pytest.mark.parametrize("zone", ZONES)
def test_at_2_47_am_at_7_to_wake_up_is_7_am(zone):
    now = at(zone, 2026, 11, 24, 2, 47)
    due = parse_when("at 7", timezone=zone, now=now, hint="wake up")
    assert local(due, zone) == at(zone, 2026, 11, 24, 7, 0)
    # Without the hint the nearest reading is 7 AM too; "dinner" says evening.
    due = parse_when("at 7", timezone=zone, now=now, hint="start dinner")
    assert local(due, zone) == at(zone, 2026, 11, 24, 19, 0)


@pytest.mark.parametrize("zone", ZONES)
def test_issue_table_phrases(zone):
    now = at(zone, 2026, 11, 24, 5, 0)
    cases = {
        "on march 3": at(zone, 2027, 3, 3, 9),
        "february 15": at(zone, 2027, 2, 15, 9),
        "at 3 in the morning": at(zone, 2026, 11, 25, 3),
        "on the 25th": at(zone, 2026, 11, 25, 9),
        "at 7p": at(zone, 2026, 11, 24, 19),
        "on december 5": at(zone, 2026, 12, 5, 9),
        "dec 5": at(zone, 2026, 12, 5, 9),
        "a week from friday": at(zone, 2026, 12, 4, 9),
        "in an hour and a half": at(zone, 2026, 11, 24, 6, 30),
        "end of the month": at(zone, 2026, 11, 30, 9),
        "the 5th": at(zone, 2026, 12, 5, 9),
        "next month": at(zone, 2026, 12, 1, 9),
        "a quarter past 3": at(zone, 2026, 11, 24, 15, 15),
        "tonight at 11": at(zone, 2026, 11, 24, 23),
        "at 9 on march 3": at(zone, 2027, 3, 3, 9),
        "in 90 min": at(zone, 2026, 11, 24, 6, 30),
    }
    for phrase, expected in cases.items():
        assert local(parse_when(phrase, timezone=zone, now=now), zone) == expected, phrase


def test_numeric_dates_follow_the_persons_locale():
    ny, london = "America/New_York", "Europe/London"
    assert local(parse_when("12/5", timezone=ny, now=at(ny, 2026, 11, 24, 10)), ny).date() == (
        at(ny, 2026, 12, 5).date()
    )
    assert (
        local(parse_when("12/5", timezone=london, now=at(london, 2026, 11, 24, 10)), london).date()
        == at(london, 2027, 5, 12).date()
    )
    # Only one reading is a date: it is used anywhere.
    assert local(parse_when("25/12", timezone=ny, now=at(ny, 2026, 11, 24, 10)), ny).date() == (
        at(ny, 2026, 12, 25).date()
    )


@pytest.mark.parametrize("zone", ZONES)
def test_words_left_over_make_a_question_not_a_guess(zone):
    now = at(zone, 2026, 11, 24, 10)
    for phrase in ["at 5 after the gym", "between 3 and 5", "yesterday", "last tuesday",
                   "march 3 2020", "soon", "in 15", "3-4pm", "by friday"]:  # fmt: skip
        result = parse_when(phrase, timezone=zone, now=now)
        assert not result.ok and result.question, phrase


def test_a_zone_in_the_text_is_converted():
    zone = "America/New_York"
    now = at(zone, 2026, 11, 24, 5, 0)
    assert local(parse_when("9am PST", timezone=zone, now=now), zone) == at(zone, 2026, 11, 24, 12)
    assert local(parse_when("4pm CET", timezone=zone, now=now), zone) == at(zone, 2026, 11, 24, 10)


@pytest.mark.parametrize("zone", ZONES)
def test_intervals_repeat_from_now(zone):
    now = at(zone, 2026, 11, 24, 10, 7)
    every = parse_when("every 2 hours", timezone=zone, now=now)
    assert local(every, zone) == at(zone, 2026, 11, 24, 12, 7)
    assert next_occurrence(every.rrule, every.due, zone).astimezone(ZoneInfo(zone)) == at(
        zone, 2026, 11, 24, 14, 7
    )
    until = parse_when("every 30 minutes until 11am", timezone=zone, now=now)
    first = local(until, zone)
    assert first == at(zone, 2026, 11, 24, 10, 37)
    assert next_occurrence(until.rrule, until.due, zone) is None  # 11:07 is past 11:00


@pytest.mark.parametrize("zone", ZONES)
def test_after_midnight_tomorrow_is_a_question(zone):
    result = parse_when("tomorrow at 9", timezone=zone, now=at(zone, 2026, 11, 24, 1, 30))
    assert not result.ok and "later today" in result.question
    due = parse_when("this morning at 3", timezone=zone, now=at(zone, 2026, 11, 24, 1, 30))
    assert local(due, zone) == at(zone, 2026, 11, 24, 3)


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
def test_a_time_that_just_passed_is_a_question_an_older_one_is_tomorrow(zone):
    now = at(zone, 2026, 11, 23, 9, 40)
    result = parse_when("at 9am", timezone=zone, now=now)
    assert not result.ok
    assert "already passed" in result.question
    now = at(zone, 2026, 11, 23, 11, 0)
    assert local(parse_when("at 9am", timezone=zone, now=now), zone) == at(zone, 2026, 11, 24, 9)


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
    now = at(zone, 2026, 11, 23, 0, 30)
    # Asleep 22:00-08:00: "at 3" is 3 PM. A night-shift worker asleep 09:00-17:00: 3 AM.
    assert local(parse_when("at 3", timezone=zone, now=now), zone) == at(zone, 2026, 11, 23, 15)
    night_shift = (time(9), time(17))
    due = parse_when("at 3", timezone=zone, now=now, quiet_hours=night_shift)
    assert local(due, zone) == at(zone, 2026, 11, 23, 3)


def test_a_date_next_year_names_the_year():
    zone = "America/New_York"
    now = at(zone, 2026, 11, 24, 10)
    result = parse_when("march 3", timezone=zone, now=now)
    assert describe(result.due, zone, now) == "Wed Mar 3, 2027 at 9:00 AM"


def test_the_same_phrase_means_the_same_local_time_in_each_zone():
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    due = {z: local(parse_when("tomorrow at 7pm", timezone=z, now=now), z) for z in ZONES}
    assert {(d.hour, d.day) for d in due.values()} == {(19, 24)}
    assert due["America/Toronto"].astimezone(UTC) != due["Europe/Berlin"].astimezone(UTC)


def test_the_last_day_of_every_month_reads_back_as_such():
    zone = "Europe/London"
    now = at(zone, 2026, 12, 11, 14, 30)
    result = parse_when("on the last day of every month", timezone=zone, now=now)
    assert local(result, zone) == at(zone, 2026, 12, 31, 9)
    assert describe_rule(result.rrule) == "on the last day of each month at 9:00 AM"
    following = next_occurrence(result.rrule, result.due, zone)
    assert following.astimezone(ZoneInfo(zone)) == at(zone, 2027, 1, 31, 9)


def test_a_repeat_starting_later_begins_then():
    zone = "America/New_York"
    now = at(zone, 2026, 11, 30, 8, 15)  # a Monday
    result = parse_when("every monday starting next week", timezone=zone, now=now)
    assert local(result, zone) == at(zone, 2026, 12, 7, 9)
    assert describe_rule(result.rrule) == "every Monday at 9:00 AM"
    every_two = parse_when("every 2 hours starting at 10", timezone=zone, now=now)
    assert local(every_two, zone) == at(zone, 2026, 11, 30, 10)
    assert next_occurrence(every_two.rrule, every_two.due, zone).astimezone(ZoneInfo(zone)) == (
        at(zone, 2026, 11, 30, 12)
    )


def test_and_between_amounts_is_not_a_day():
    zone = "Europe/London"
    now = at(zone, 2026, 11, 24, 10)
    result = parse_when("in 1 hour and 15 minutes", timezone=zone, now=now)
    assert local(result, zone) == at(zone, 2026, 11, 24, 11, 15)


def test_an_ambiguous_numeric_date_in_canada_is_a_question():
    zone = "America/Toronto"
    now = at(zone, 2026, 11, 24, 10)
    assert not parse_when("12/5", timezone=zone, now=now).ok
    assert local(parse_when("25/12", timezone=zone, now=now), zone) == at(zone, 2026, 12, 25, 9)


def test_a_weekday_abbreviation_after_the_is_a_thing_not_a_day():
    from nudge.reminders.phrases import split_reminder

    assert split_reminder("remind me to sit in the sun at 3pm") == ("sit in the sun", "at 3pm")
    assert split_reminder("remind me to go outside in the sun") == ("go outside in the sun", "")
    assert split_reminder("remind me on sun to call mom") == ("call mom", "on sun")
    assert split_reminder("remind me to pay rent on the 1st") == ("pay rent", "on the 1st")
