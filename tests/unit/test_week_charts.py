"""The week's numbers and charts without a store: parts of the day, local days, the SVG."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from nudge.insights import render_week
from nudge.insights import svg as palette
from nudge.insights.models import (
    DayDone,
    PartOfDay,
    PartOfDayCount,
    ReminderOutcome,
    ReminderOutcomes,
    Week,
    part_of_day,
)
from nudge.insights.week import local_midnight, outcome_of
from nudge.models import OccurrenceStatus, ReminderOccurrence

SVG = "{http://www.w3.org/2000/svg}"


def make_week(counts=(0, 2, 3, 0, 1, 0, 4), titles=None, **reminders) -> Week:
    first = date(2026, 6, 8)  # a Monday
    days = [
        DayDone(day=first + timedelta(days=i), count=n, titles=(titles or {}).get(i, []))
        for i, n in enumerate(counts)
    ]
    parts = [
        PartOfDayCount(part=PartOfDay.morning, tasks=4, reminders=2),
        PartOfDayCount(part=PartOfDay.afternoon, tasks=3, reminders=0),
        PartOfDayCount(part=PartOfDay.evening, tasks=1, reminders=1),
        PartOfDayCount(part=PartOfDay.night, tasks=2, reminders=0),
    ]
    return Week(
        timezone="America/New_York",
        days=days,
        reminders=ReminderOutcomes(**reminders),
        parts_of_day=parts,
    )


def parse(fragment: str) -> ElementTree.Element:
    """The fragment is well-formed markup (so it parses as XML too): every tag closes, every
    text is escaped."""
    return ElementTree.fromstring(fragment)


@pytest.mark.parametrize(
    ("clock", "part"),
    [
        (time(4, 59), PartOfDay.night),
        (time(5, 0), PartOfDay.morning),
        (time(11, 59), PartOfDay.morning),
        (time(12, 0), PartOfDay.afternoon),
        (time(16, 59), PartOfDay.afternoon),
        (time(17, 0), PartOfDay.evening),
        (time(20, 59), PartOfDay.evening),
        (time(21, 0), PartOfDay.night),
        (time(0, 0), PartOfDay.night),
    ],
)
def test_parts_of_the_day_have_clear_edges(clock, part):
    assert part_of_day(clock) == part


def test_a_local_day_across_a_dst_change_is_23_or_25_hours():
    london = ZoneInfo("Europe/London")
    spring = local_midnight(date(2026, 3, 30), london) - local_midnight(date(2026, 3, 29), london)
    autumn = local_midnight(date(2026, 10, 26), london) - local_midnight(date(2026, 10, 25), london)
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    # Kiritimati is 14 hours ahead: its day starts at 10:00 UTC the day before.
    assert local_midnight(date(2026, 6, 9), ZoneInfo("Pacific/Kiritimati")) == datetime(
        2026, 6, 8, 10, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        (OccurrenceStatus.acknowledged, None, ReminderOutcome.acknowledged),
        (OccurrenceStatus.snoozed, "snoozed 10 min", ReminderOutcome.snoozed),
        (OccurrenceStatus.sent, None, ReminderOutcome.no_reply),
        (OccurrenceStatus.missed, "not delivered within 20 min", ReminderOutcome.missed),
        (OccurrenceStatus.cancelled, "skipped", ReminderOutcome.skipped),
        (OccurrenceStatus.cancelled, "cancelled", None),
        (OccurrenceStatus.cancelled, "opted out", None),
        (OccurrenceStatus.scheduled, None, None),
        (OccurrenceStatus.sending, None, None),
    ],
)
def test_each_final_state_is_one_outcome_and_unfired_ones_are_none(status, reason, outcome):
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    occurrence = ReminderOccurrence(
        user_id="u", reminder_id="r", text="x", due_at=now, slot_at=now, status=status,
        reason=reason,
    )  # fmt: skip
    assert outcome_of(occurrence) == outcome


def test_each_chart_is_an_image_named_and_described_by_its_own_title_and_desc():
    root = parse(render_week(make_week(acknowledged=5, snoozed=2, missed=1)))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    charts = list(root.iter(f"{SVG}svg"))
    assert len(charts) == 3
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.get("width") == "100%" and chart.get("viewBox", "").startswith("0 0 ")
        title_id, desc_id = chart.get("aria-labelledby"), chart.get("aria-describedby")
        assert chart.find(f"{SVG}title").get("id") == title_id
        assert chart.find(f"{SVG}desc").get("id") == desc_id
        assert chart.find(f"{SVG}desc").text.strip()
    assert root.get("aria-labelledby") == "week-heading"
    assert root.find("h2").text == "Your week"


def test_the_numbers_are_said_in_words_and_in_tables():
    week = make_week(acknowledged=5, snoozed=2, no_reply=1, missed=1)
    root = parse(render_week(week))
    descs = [d.text for d in root.iter(f"{SVG}desc")]
    assert descs[0].startswith("10 things done over these 7 days.")
    assert "3 things done on Wednesday, June 10." in descs[0]
    assert "1 thing done on Friday, June 12." in descs[0]
    assert "Monday, June 8: nothing marked done." in descs[0]
    assert "The busiest day was Sunday, June 14." in descs[0]
    assert descs[1] == (
        "9 reminders these 7 days: 5 answered done; 2 asked to come back later; "
        "1 went by without a reply, which is fine; "
        "1 not sent on time by Nudge (that's on Nudge, not you)."
    )
    assert descs[2].startswith("Most things got done in the morning (6).")
    assert "night (9pm to 5am): 2 tasks and 0 reminders done" in descs[2]

    tables = list(root.iter("table"))
    assert [t.find("caption").text for t in tables] == [
        "Things done each day, in numbers",
        "How reminders went, in numbers",
        "When things get done, in numbers",
    ]
    assert [h.text for h in root.iter("h3")] == [
        "Things done each day",
        "How reminders went",
        "When things get done",
    ]
    day_rows = [[c.text for c in row] for row in tables[0].find("tbody")]
    assert day_rows[2][:2] == ["Wednesday, June 10", "3"]
    reminder_rows = {row[0].text: row[1].text for row in tables[1].find("tbody")}
    assert reminder_rows == {"Done": "5", "Snoozed": "2", "Skipped": "0", "No reply": "1",
                             "Missed": "1"}  # fmt: skip
    part_rows = [[c.text for c in row] for row in tables[2].find("tbody")]
    assert [row[1:] for row in part_rows] == [["4", "2"], ["3", "0"], ["1", "1"], ["2", "0"]]
    # Every header cell says what it heads.
    for table in tables:
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))


def test_a_busiest_day_is_named_only_when_one_day_stands_out():
    tied = parse(render_week(make_week(counts=(2, 0, 2, 0, 0, 0, 1))))
    assert "busiest" not in next(tied.iter(f"{SVG}desc")).text


def test_bar_heights_follow_the_counts():
    root = parse(render_week(make_week(counts=(1, 2, 0, 4, 0, 0, 0))))
    days_chart = next(root.iter(f"{SVG}svg"))
    bars = [r for r in days_chart.iter(f"{SVG}rect") if r.get("stroke")]
    heights = [float(r.get("height")) for r in bars]
    assert len(bars) == 3  # no bar drawn for a zero
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[2] == pytest.approx(
        4 * heights[0]
    )
    labels = [t.text for t in days_chart.iter(f"{SVG}text")]
    assert labels[-2:] == ["Today", "14"]


def test_what_a_person_typed_is_escaped_everywhere():
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    week = make_week(counts=(1, 0, 0, 0, 0, 0, 0), titles={0: [hostile]})
    week = week.model_copy(update={"timezone": "<b>Zone</b>"})
    html = render_week(week, id_prefix='x" onload="alert(1)')
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in html
    assert 'onload="' not in html
    root = parse(html)
    row = next(root.iter("tbody"))[0]
    assert row[2].text == hostile  # shown as the text it is


def test_a_quiet_week_is_told_kindly():
    week = make_week(counts=(0,) * 7)
    week = week.model_copy(update={"parts_of_day": [PartOfDayCount(part=p) for p in PartOfDay]})
    root = parse(render_week(week))
    descs = [d.text for d in root.iter(f"{SVG}desc")]
    assert descs == [
        "A quiet week on the list: nothing marked done these 7 days, and that's okay.",
        "No reminders went out these 7 days.",
        "Nothing marked done yet this week, so no time of day stands out.",
    ]


def test_no_streaks_and_no_blame_in_any_words():
    for week in (make_week(acknowledged=1, missed=3, no_reply=4), make_week(counts=(0,) * 7)):
        words = " ".join(parse(render_week(week)).itertext()).lower()
        for unkind in ("streak", "you missed", "failed", "only ", "should", "behind", "%"):
            assert unkind not in words


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_have_enough_contrast_and_patterns_tell_series_apart():
    for colour in palette.TEXT_COLOURS:
        assert _contrast(colour, palette.BACKGROUND) >= 4.5
    for series in palette.ALL_SERIES:
        assert _contrast(series.colour, palette.BACKGROUND) >= 4.5  # also holds as text
    reminder_series = [palette.DONE, palette.SNOOZED, palette.SKIPPED, palette.NO_REPLY,
                       palette.MISSED]  # fmt: skip
    assert len({s.pattern for s in reminder_series}) == len(reminder_series)
    assert palette.DONE.pattern != palette.REMINDERS_ANSWERED.pattern
    html = render_week(make_week(acknowledged=1, snoozed=1, skipped=1, no_reply=1, missed=1))
    used = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', html))
    known = {s.colour for s in palette.ALL_SERIES} | {palette.BACKGROUND, palette.GRID,
                                                       *palette.TEXT_COLOURS}  # fmt: skip
    assert used <= known
    assert _contrast(palette.GRID, palette.BACKGROUND) >= 3


def test_two_weeks_on_one_page_keep_their_ids_apart():
    first = render_week(make_week(), id_prefix="mine")
    second = render_week(make_week(), id_prefix="other")
    ids = re.findall(r' id="([^"]+)"', first + second)
    assert len(ids) == len(set(ids))
    assert "url(#mine-days-fill-" not in second
