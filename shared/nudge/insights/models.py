"""A person's week as numbers: what got done each day, how reminders went, and when.

Counts only, in the person's timezone; no streaks, no scores, nothing compared with a target.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field


class DayDone(BaseModel):
    """One local day: how many tasks were marked done, and the first few of them."""

    day: date
    count: int = Field(0, ge=0)
    titles: list[str] = Field(default_factory=list)


class ReminderOutcome(StrEnum):
    """How a reminder occurrence ended (from `ReminderOccurrence.status`)."""

    acknowledged = "acknowledged"  # answered done
    snoozed = "snoozed"  # asked to come back later (the later one counts on its own)
    skipped = "skipped"  # "skip" (cancelled with reason "skipped")
    no_reply = "no_reply"  # sent, and not answered (yet)
    missed = "missed"  # Nudge could not send it in time (an outage): not the person's doing


class ReminderOutcomes(BaseModel):
    acknowledged: int = Field(0, ge=0)
    snoozed: int = Field(0, ge=0)
    skipped: int = Field(0, ge=0)
    no_reply: int = Field(0, ge=0)
    missed: int = Field(0, ge=0)

    @computed_field
    @property
    def total(self) -> int:
        return sum(self.count(outcome) for outcome in ReminderOutcome)

    def count(self, outcome: ReminderOutcome) -> int:
        return getattr(self, outcome.value)


class PartOfDay(StrEnum):
    morning = "morning"
    afternoon = "afternoon"
    evening = "evening"
    night = "night"


# Local clock times each part of the day starts at; night runs past midnight to the morning.
PART_OF_DAY_STARTS: dict[PartOfDay, time] = {
    PartOfDay.morning: time(5, 0),
    PartOfDay.afternoon: time(12, 0),
    PartOfDay.evening: time(17, 0),
    PartOfDay.night: time(21, 0),
}


def part_of_day(clock: time) -> PartOfDay:
    starts = PART_OF_DAY_STARTS
    if clock < starts[PartOfDay.morning] or clock >= starts[PartOfDay.night]:
        return PartOfDay.night
    if clock < starts[PartOfDay.afternoon]:
        return PartOfDay.morning
    if clock < starts[PartOfDay.evening]:
        return PartOfDay.afternoon
    return PartOfDay.evening


class PartOfDayCount(BaseModel):
    """Things done in one part of the day: tasks marked done and reminders answered done."""

    part: PartOfDay
    tasks: int = Field(0, ge=0)
    reminders: int = Field(0, ge=0)

    @computed_field
    @property
    def total(self) -> int:
        return self.tasks + self.reminders


class Week(BaseModel):
    """The last seven local days, today last."""

    timezone: str
    days: list[DayDone] = Field(min_length=7, max_length=7)
    reminders: ReminderOutcomes = Field(default_factory=ReminderOutcomes)
    parts_of_day: list[PartOfDayCount] = Field(min_length=4, max_length=4)

    @computed_field
    @property
    def first_day(self) -> date:
        return self.days[0].day

    @computed_field
    @property
    def last_day(self) -> date:
        return self.days[-1].day

    @computed_field
    @property
    def tasks_done(self) -> int:
        return sum(day.count for day in self.days)
