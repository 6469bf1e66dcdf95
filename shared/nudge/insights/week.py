"""The use case: a person's last seven local days, read from their tasks and reminder occurrences.

Days are the person's own calendar days (their timezone, so a day across a DST change is 23 or
25 hours long). Three reads in all: the user, tasks completed since the first local midnight,
and occurrences due since the day before it (a snoozed or late one is counted by when it went
out).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from nudge.insights.models import (
    DayDone,
    PartOfDay,
    PartOfDayCount,
    ReminderOutcome,
    ReminderOutcomes,
    Week,
    part_of_day,
)
from nudge.models import OccurrenceStatus, ReminderOccurrence, TaskStatus
from nudge.store import Store

DAYS = 7
# Titles kept per day for the table of numbers (the count is always whole).
TITLES_PER_DAY = 5


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def outcome_of(occurrence: ReminderOccurrence) -> ReminderOutcome | None:
    """How an occurrence ended; None while it is still on its way, or if it never fired
    (a cancelled reminder's, an opted-out person's)."""
    match occurrence.status:
        case OccurrenceStatus.acknowledged:
            return ReminderOutcome.acknowledged
        case OccurrenceStatus.snoozed:
            return ReminderOutcome.snoozed
        case OccurrenceStatus.sent:
            return ReminderOutcome.no_reply
        case OccurrenceStatus.missed:
            return ReminderOutcome.missed
        case OccurrenceStatus.cancelled if occurrence.reason == "skipped":
            return ReminderOutcome.skipped
    return None


def compute_week(store: Store, user_id: str, *, now: datetime, default_timezone: str) -> Week:
    user = store.users.require(user_id)
    zone_name = user.timezone or default_timezone
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    start = local_midnight(days[0], zone)
    end = local_midnight(today + timedelta(days=1), zone)

    def in_week(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end and moment <= now

    done_by_day: dict[date, DayDone] = {day: DayDone(day=day) for day in days}
    parts = {part: PartOfDayCount(part=part) for part in PartOfDay}
    tasks = store.tasks.list(
        user_id, where=[("completed_at", ">=", start)], order_by="completed_at"
    )
    for task in tasks:
        if task.status != TaskStatus.done or not in_week(task.completed_at):
            continue
        local = task.completed_at.astimezone(zone)
        entry = done_by_day[local.date()]
        entry.count += 1
        if len(entry.titles) < TITLES_PER_DAY:
            entry.titles.append(task.title)
        parts[part_of_day(local.time())].tasks += 1

    outcomes = ReminderOutcomes()
    # A day's margin: an occurrence that went out late or was snoozed from the day before.
    occurrences = store.occurrences.list(
        user_id, where=[("due_at", ">=", start - timedelta(days=1))]
    )
    for occurrence in occurrences:
        outcome = outcome_of(occurrence)
        if outcome is None or not in_week(occurrence.sent_at or occurrence.due_at):
            continue
        setattr(outcomes, outcome.value, outcomes.count(outcome) + 1)
        if outcome == ReminderOutcome.acknowledged:
            # Occurrences acknowledged before `acknowledged_at` existed: their last write was it.
            answered = (occurrence.acknowledged_at or occurrence.updated_at).astimezone(zone)
            parts[part_of_day(answered.time())].reminders += 1

    return Week(
        timezone=zone_name,
        days=[done_by_day[day] for day in days],
        reminders=outcomes,
        parts_of_day=list(parts.values()),
    )
