"""`render_week(week)`: the week as three server-rendered SVG charts, each with its numbers.

An HTML fragment for the page: each chart is a `role="img"` SVG named by its <title> and
described by its <desc> (the numbers in a sentence), followed by the same numbers in a table.
Kind words only: counts of what happened, no streaks, no targets, nothing "missed" by the
person (a missed reminder is one Nudge could not send in time). Every text is escaped.
"""

from __future__ import annotations

from nudge.insights import svg
from nudge.insights.models import (
    PART_OF_DAY_STARTS,
    DayDone,
    PartOfDay,
    PartOfDayCount,
    ReminderOutcome,
    ReminderOutcomes,
    Week,
)
from nudge.insights.svg import esc

DAYS_TITLE = "Things done each day"
REMINDERS_TITLE = "How reminders went"
PARTS_TITLE = "When things get done"
# Narrow enough that text stays readable on a 390 px phone, where the chart fills the width.
WIDTH = 320

OUTCOMES: list[tuple[ReminderOutcome, str, svg.Series]] = [
    (ReminderOutcome.acknowledged, "Done", svg.DONE),
    (ReminderOutcome.snoozed, "Snoozed", svg.SNOOZED),
    (ReminderOutcome.skipped, "Skipped", svg.SKIPPED),
    (ReminderOutcome.no_reply, "No reply", svg.NO_REPLY),
    (ReminderOutcome.missed, "Missed", svg.MISSED),
]
OUTCOME_NOTES = {
    ReminderOutcome.acknowledged: "answered done",
    ReminderOutcome.snoozed: "asked to come back later",
    ReminderOutcome.skipped: "skipped this time",
    ReminderOutcome.no_reply: "went by without a reply, which is fine",
    ReminderOutcome.missed: "not sent on time by Nudge (that's on Nudge, not you)",
}
PART_LABELS = {
    PartOfDay.morning: "Morning",
    PartOfDay.afternoon: "Afternoon",
    PartOfDay.evening: "Evening",
    PartOfDay.night: "Night",
}

# Styles for the fragment's classes, for the page's stylesheet (the fragment has no <style>,
# so a strict Content-Security-Policy needs no exception for it).
WEEK_CSS = """
.week-charts { display: grid; gap: 1.5rem;
  grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); }
.week-chart { margin: 0; }
.week-chart svg { display: block; width: 100%; height: auto; max-width: 32rem; }
.week-numbers { border-collapse: collapse; margin-top: .5rem; font-size: .95rem; width: 100%; }
.week-numbers caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
.week-numbers th, .week-numbers td { text-align: left; padding: .2rem .5rem .2rem 0;
  border-bottom: 1px solid #767676; vertical-align: top; overflow-wrap: break-word; }
.week-numbers .num { text-align: right; font-variant-numeric: tabular-nums; }
.week-chart-title { font-size: 1.1rem; margin: 0 0 .5rem; }
"""


def _things(count: int) -> str:
    return f"{count} thing{'s' if count != 1 else ''}"


def _long_day(day: DayDone) -> str:
    return day.day.strftime("%A, %B ") + str(day.day.day)


def _short_day(day: DayDone, *, today: bool) -> str:
    return "Today" if today else day.day.strftime("%a")


def _clock(hour: int) -> str:
    return {0: "midnight", 12: "noon"}.get(hour, f"{hour % 12}{'am' if hour < 12 else 'pm'}")


def _part_span(part: PartOfDay) -> str:
    order = list(PART_OF_DAY_STARTS)
    start = PART_OF_DAY_STARTS[part].hour
    end = PART_OF_DAY_STARTS[order[(order.index(part) + 1) % len(order)]].hour
    return f"{_clock(start)} to {_clock(end)}"


# -- tasks done per day ---------------------------------------------------------------------


def _days_summary(week: Week) -> str:
    if week.tasks_done == 0:
        return "A quiet week on the list: nothing marked done these 7 days, and that's okay."
    best = max(week.days, key=lambda d: d.count)
    parts = [f"{_things(week.tasks_done)} done over these 7 days."]
    parts += [
        f"{_things(d.count)} done on {_long_day(d)}."
        if d.count
        else f"{_long_day(d)}: nothing marked done."
        for d in week.days
    ]
    if best.count > 1 and [d.count for d in week.days].count(best.count) == 1:
        parts.append(f"The busiest day was {_long_day(best)}.")
    return " ".join(parts)


def _days_chart(prefix: str, week: Week) -> str:
    height, top, base = 190, 24, 150
    step = (WIDTH - 16) / len(week.days)
    peak = max((d.count for d in week.days), default=0) or 1
    body = [svg.pattern_defs(prefix, (svg.DONE,)), svg.line(8, base, WIDTH - 8, base)]
    for i, day in enumerate(week.days):
        centre = 8 + step * (i + 0.5)
        bar_height = (base - top) * day.count / peak
        body.append(svg.bar(prefix, svg.DONE, centre - 13, base - bar_height, 26, bar_height))
        body.append(svg.text(centre, base - bar_height - 6, day.count, anchor="middle", size=13))
        today = i == len(week.days) - 1
        body.append(
            svg.text(
                centre,
                base + 18,
                _short_day(day, today=today),
                anchor="middle",
                size=12,
                weight="bold" if today else "normal",
            )
        )
        body.append(svg.text(centre, base + 33, day.day.day, anchor="middle", colour=svg.MUTED))
    return svg.chart(prefix, WIDTH, height, DAYS_TITLE, _days_summary(week), "".join(body))


def _days_table(week: Week) -> str:
    rows = []
    for day in week.days:
        shown = ", ".join(esc(title) for title in day.titles)
        if day.count > len(day.titles):
            shown += f" and {day.count - len(day.titles)} more"
        rows.append(
            f'<tr><th scope="row">{esc(_long_day(day))}</th>'
            f'<td class="num">{day.count}</td><td>{shown}</td></tr>'
        )
    return (
        '<table class="week-numbers"><caption>Things done each day, in numbers</caption>'
        '<thead><tr><th scope="col">Day</th><th scope="col" class="num">Done</th>'
        '<th scope="col">What</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# -- horizontal bars: reminders, parts of the day ------------------------------------------

LABEL_WIDTH, ROW, ROW_TOP = 92, 30, 8


def _row_bar_width(value: int, peak: int) -> float:
    return (WIDTH - LABEL_WIDTH - 36) * value / (peak or 1)


def _reminders_summary(outcomes: ReminderOutcomes) -> str:
    if outcomes.total == 0:
        return "No reminders went out these 7 days."
    said = [
        f"{outcomes.count(outcome)} {OUTCOME_NOTES[outcome]}"
        for outcome, _label, _series in OUTCOMES
        if outcomes.count(outcome)
    ]
    noun = "reminder" if outcomes.total == 1 else "reminders"
    return f"{outcomes.total} {noun} these 7 days: " + "; ".join(said) + "."


def _reminders_chart(prefix: str, outcomes: ReminderOutcomes) -> str:
    height = ROW_TOP * 2 + ROW * len(OUTCOMES)
    peak = max(outcomes.count(outcome) for outcome, _, _ in OUTCOMES)
    body = [svg.pattern_defs(prefix, tuple(series for _, _, series in OUTCOMES))]
    body.append(svg.line(LABEL_WIDTH, ROW_TOP, LABEL_WIDTH, ROW_TOP + ROW * len(OUTCOMES)))
    for i, (outcome, label, series) in enumerate(OUTCOMES):
        y = ROW_TOP + ROW * i
        value = outcomes.count(outcome)
        width = _row_bar_width(value, peak)
        body.append(svg.text(LABEL_WIDTH - 8, y + 19, label, anchor="end", size=13))
        body.append(svg.bar(prefix, series, LABEL_WIDTH, y + 5, width, ROW - 10))
        body.append(svg.text(LABEL_WIDTH + width + 6, y + 19, value, size=13))
    summary = _reminders_summary(outcomes)
    return svg.chart(prefix, WIDTH, height, REMINDERS_TITLE, summary, "".join(body))


def _reminders_table(outcomes: ReminderOutcomes) -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(label)}</th><td class="num">{outcomes.count(outcome)}</td>'
        f"<td>{esc(OUTCOME_NOTES[outcome])}</td></tr>"
        for outcome, label, _series in OUTCOMES
    )
    return (
        '<table class="week-numbers"><caption>How reminders went, in numbers</caption>'
        '<thead><tr><th scope="col">How it went</th><th scope="col" class="num">Count</th>'
        '<th scope="col">Meaning</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _parts_summary(parts: list[PartOfDayCount]) -> str:
    total = sum(p.total for p in parts)
    if total == 0:
        return "Nothing marked done yet this week, so no time of day stands out."
    best = max(parts, key=lambda p: p.total)
    said = [
        f"{PART_LABELS[p.part].lower()} ({_part_span(p.part)}): {p.tasks} "
        f"task{'s' if p.tasks != 1 else ''} and {p.reminders} "
        f"reminder{'s' if p.reminders != 1 else ''} done"
        for p in parts
    ]
    lead = f"Most things got done in the {PART_LABELS[best.part].lower()} ({best.total})."
    return lead + " " + "; ".join(said) + "."


def _parts_chart(prefix: str, parts: list[PartOfDayCount]) -> str:
    legend_height = 26
    height = legend_height + ROW_TOP + ROW * len(parts)
    peak = max(p.total for p in parts)
    body = [svg.pattern_defs(prefix, (svg.DONE, svg.REMINDERS_ANSWERED))]
    body.append(svg.bar(prefix, svg.DONE, LABEL_WIDTH, 6, 14, 14))
    body.append(svg.text(LABEL_WIDTH + 20, 18, "Tasks", size=12))
    body.append(svg.bar(prefix, svg.REMINDERS_ANSWERED, LABEL_WIDTH + 80, 6, 14, 14))
    body.append(svg.text(LABEL_WIDTH + 100, 18, "Reminders done", size=12))
    top = legend_height
    body.append(svg.line(LABEL_WIDTH, top, LABEL_WIDTH, top + ROW * len(parts)))
    for i, part in enumerate(parts):
        y = top + ROW * i
        tasks_width = _row_bar_width(part.tasks, peak)
        reminders_width = _row_bar_width(part.reminders, peak)
        body.append(svg.text(LABEL_WIDTH - 8, y + 19, PART_LABELS[part.part], anchor="end"))
        body.append(svg.bar(prefix, svg.DONE, LABEL_WIDTH, y + 5, tasks_width, ROW - 10))
        body.append(
            svg.bar(
                prefix,
                svg.REMINDERS_ANSWERED,
                LABEL_WIDTH + tasks_width,
                y + 5,
                reminders_width,
                ROW - 10,
            )
        )
        end = LABEL_WIDTH + tasks_width + reminders_width
        body.append(svg.text(end + 6, y + 19, part.total, size=13))
    return svg.chart(prefix, WIDTH, height, PARTS_TITLE, _parts_summary(parts), "".join(body))


def _parts_table(parts: list[PartOfDayCount]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(PART_LABELS[p.part])} '
        f'<span class="week-span">({esc(_part_span(p.part))})</span></th>'
        f'<td class="num">{p.tasks}</td><td class="num">{p.reminders}</td></tr>'
        for p in parts
    )
    return (
        '<table class="week-numbers"><caption>When things get done, in numbers</caption>'
        '<thead><tr><th scope="col">Time of day</th><th scope="col" class="num">Tasks</th>'
        '<th scope="col" class="num">Reminders done</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


# -- the fragment ---------------------------------------------------------------------------


def _figure(title: str, level: int, chart: str, table: str) -> str:
    heading = f'<h{level} class="week-chart-title">{esc(title)}</h{level}>'
    return f'<figure class="week-chart">{heading}{chart}{table}</figure>'


def render_week(week: Week, *, id_prefix: str = "week", heading_level: int = 2) -> str:
    """The week as an HTML fragment (a <section>); `id_prefix` keeps ids unique if a page
    shows more than one."""
    prefix = svg.safe_id(id_prefix)
    level = min(max(heading_level, 1), 6)
    first, last = week.days[0], week.days[-1]
    span = f"{_long_day(first)} to {_long_day(last)}, {week.timezone} time"
    sub = min(level + 1, 6)
    figures = [
        _figure(DAYS_TITLE, sub, _days_chart(f"{prefix}-days", week), _days_table(week)),
        _figure(REMINDERS_TITLE, sub, _reminders_chart(f"{prefix}-reminders", week.reminders),
                _reminders_table(week.reminders)),
        _figure(PARTS_TITLE, sub, _parts_chart(f"{prefix}-parts", week.parts_of_day),
                _parts_table(week.parts_of_day)),
    ]  # fmt: skip
    return (
        f'<section class="week" aria-labelledby="{prefix}-heading">'
        f'<h{level} id="{prefix}-heading">Your week</h{level}>'
        f'<p class="week-span">{esc(span)}</p>'
        f'<div class="week-charts">{"".join(figures)}</div></section>'
    )
