"""render_week's charts in a real headless Chromium: axe-core finds nothing serious, the
charts fit a phone, screen readers get each chart's name and numbers, and screenshots at both
widths land in test-output/screenshots/."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from nudge.insights import WEEK_CSS, render_week
from nudge.insights.models import DayDone, PartOfDay, PartOfDayCount, ReminderOutcomes, Week
from tests.support.browser import PHONE, serve_pages

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your week - Nudge</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; }}
main {{ padding: 1rem; max-width: 80rem; margin: 0 auto; }}
{css}
</style>
</head>
<body><main><h1>Nudge</h1>{fragment}</main></body>
</html>
"""


def sample_week() -> Week:
    first = date(2026, 6, 8)
    counts = [1, 3, 0, 1, 0, 2, 4]
    titles = {
        1: ["call mom", "laundry", 'reply to <Sam> & "the landlord"'],
        6: ["stretch", "plan the week", "water plants", "renew passport"],
    }
    days = [
        DayDone(day=first + timedelta(days=i), count=n, titles=titles.get(i, ["pay rent"] * n))
        for i, n in enumerate(counts)
    ]
    return Week(
        timezone="America/New_York",
        days=days,
        reminders=ReminderOutcomes(acknowledged=6, snoozed=2, skipped=1, no_reply=2, missed=1),
        parts_of_day=[
            PartOfDayCount(part=PartOfDay.morning, tasks=5, reminders=3),
            PartOfDayCount(part=PartOfDay.afternoon, tasks=3, reminders=2),
            PartOfDayCount(part=PartOfDay.evening, tasks=2, reminders=1),
            PartOfDayCount(part=PartOfDay.night, tasks=1, reminders=0),
        ],
    )


def png_width(path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", header[16:20])[0]


@pytest.fixture
def week_url():
    html = PAGE.format(css=WEEK_CSS, fragment=render_week(sample_week()))
    with serve_pages({"/week": html}) as base:
        yield f"{base}/week"


def test_the_week_page_passes_axe_and_is_screenshot_at_phone_and_desktop_widths(
    page, week_url, axe_check, screenshot
):
    page.goto(week_url)
    violations = axe_check(page)
    assert not [v for v in violations if v["impact"] in ("serious", "critical")]

    charts = page.get_by_role("img")
    assert charts.count() == 3
    named = page.get_by_role("img", name="Things done each day", exact=True)
    assert "3 things done on Tuesday, June 9." in named.evaluate(
        "svg => document.getElementById(svg.getAttribute('aria-describedby')).textContent"
    )
    assert page.get_by_role("img", name="How reminders went").count() == 1
    assert page.get_by_role("img", name="When things get done").count() == 1
    # What a person typed is shown as text, never as markup.
    assert page.get_by_role("cell", name='reply to <Sam> & "the landlord"', exact=False).count()

    saved = screenshot(page, "week-charts")
    assert png_width(saved["phone"]) == PHONE["width"]
    assert png_width(saved["desktop"]) == 1280


def test_the_charts_fit_a_phone_without_sideways_scrolling(page, week_url):
    page.set_viewport_size(PHONE)
    page.goto(week_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widths = page.locator("svg").evaluate_all("els => els.map(e => e.getBoundingClientRect())")
    for box in widths:
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["width"] >= 300  # the chart uses the phone's width, its text stays legible
    # Chart text is at least 12 px on screen at phone width.
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg text')]"
        ".map(t => t.getBoundingClientRect().height))"
    )
    assert smallest >= 12


def test_axe_check_fails_with_a_readable_list_on_an_inaccessible_page(page, axe_check):
    broken = (
        "<!doctype html><html><head></head><body>"
        '<img src="/chart.png"><button></button>'
        '<p style="color:#bbb;background:#fff">faint text</p></body></html>'
    )
    with serve_pages({"/broken": broken}) as base:
        page.goto(f"{base}/broken")
        with pytest.raises(AssertionError) as failure:
            axe_check(page)
    message = str(failure.value)
    assert "serious or critical accessibility violation" in message
    for rule in ("image-alt (critical)", "button-name (critical)", "html-has-lang (serious)",
                 "color-contrast (serious)"):  # fmt: skip
        assert rule in message
    assert "at img:" in message or "at img" in message
