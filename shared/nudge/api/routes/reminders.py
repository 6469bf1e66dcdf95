"""Reminders: set from the words people text ("tomorrow at 9") or an exact time, cancelled,
snoozed, and each one's history of occurrences with how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from nudge.api.context import ApiContext
from nudge.api.problems import Problem
from nudge.api.router import router
from nudge.models import OccurrenceStatus, Reminder, ReminderOccurrence, ReminderStatus


class OccurrenceOut(BaseModel):
    id: str
    due_at: datetime
    status: OccurrenceStatus
    sent_at: datetime | None
    late_seconds: int | None
    follow_ups_sent: int
    reason: str | None

    @classmethod
    def of(cls, occurrence: ReminderOccurrence) -> OccurrenceOut:
        return cls.model_validate(occurrence.model_dump())


class ReminderOut(BaseModel):
    id: str
    text: str
    status: ReminderStatus
    repeats: str | None = Field(description="the recurrence rule (RFC 5545), if it repeats")
    next_due_at: datetime | None = Field(description="the next scheduled occurrence")
    urgent: bool
    max_follow_ups: int
    created_at: datetime


class ReminderList(BaseModel):
    reminders: list[ReminderOut]


class ReminderQuery(BaseModel):
    status: Literal["active", "all"] = "active"


class ReminderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=300, description="what to remind you about")
    when: str = Field(
        "",
        max_length=200,
        description='as you would text it: "tomorrow at 9", "in 20 minutes", "every weekday at 8"',
    )
    due_at: AwareDatetime | None = Field(None, description="an exact time instead of `when`")
    urgent: bool = False
    nag: bool = False

    @model_validator(mode="after")
    def _one_time(self) -> ReminderCreate:
        if bool(self.when.strip()) == (self.due_at is not None):
            raise ValueError("give exactly one of `when` and `due_at`")
        return self


class Snooze(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(10, ge=1, le=24 * 60)


class History(BaseModel):
    occurrences: list[OccurrenceOut]


def _occurrences(ctx: ApiContext, reminder_id: str) -> list[ReminderOccurrence]:
    found = ctx.store.occurrences.list(ctx.user_id, where=[("reminder_id", "==", reminder_id)])
    return sorted(found, key=lambda o: o.due_at)


def _out(ctx: ApiContext, reminder: Reminder, occurrences: list[ReminderOccurrence]) -> ReminderOut:
    scheduled = [o.due_at for o in occurrences if o.status == OccurrenceStatus.scheduled]
    return ReminderOut(
        id=reminder.id or "",
        text=reminder.text,
        status=reminder.status,
        repeats=reminder.rrule,
        next_due_at=min(scheduled, default=None),
        urgent=reminder.urgent,
        max_follow_ups=reminder.max_follow_ups,
        created_at=reminder.created_at,
    )


def _one(ctx: ApiContext, reminder_id: str) -> ReminderOut:
    reminder = ctx.store.reminders.require(ctx.user_id, reminder_id)
    return _out(ctx, reminder, _occurrences(ctx, reminder_id))


@router.route("GET", "/v1/reminders", tag="reminders", query=ReminderQuery, response=ReminderList)
def list_reminders(ctx: ApiContext, query: ReminderQuery) -> ReminderList:
    """Your reminders (active ones by default), soonest first."""
    where = [("status", "==", ReminderStatus.active)] if query.status == "active" else None
    reminders = ctx.store.reminders.list(ctx.user_id, where=where)
    by_reminder: dict[str, list[ReminderOccurrence]] = {}
    for occurrence in ctx.store.occurrences.list(ctx.user_id):
        by_reminder.setdefault(occurrence.reminder_id, []).append(occurrence)
    shown = [_out(ctx, r, by_reminder.get(r.id or "", [])) for r in reminders]
    far = datetime.max.replace(tzinfo=ctx.now.tzinfo)
    shown.sort(key=lambda r: (r.next_due_at or far, r.created_at))
    return ReminderList(reminders=shown)


@router.route(
    "POST",
    "/v1/reminders",
    tag="reminders",
    body=ReminderCreate,
    response=ReminderOut,
    status=201,
    problems=((422, "the time needs a question answered first (in `detail`)"),),
)
def create_reminder(ctx: ApiContext, body: ReminderCreate) -> ReminderOut:
    """Set a reminder. A time that could mean two things is a 422 with the question Nudge would
    ask by text (it never guesses)."""
    from nudge.agent.tools.reminders import SetReminderArgs, set_reminder

    if body.due_at is not None and body.due_at <= ctx.now:
        raise Problem(422, "that time has already passed")
    result = set_reminder(ctx.tools(), SetReminderArgs(**body.model_dump()))
    if not result.get("ok"):
        raise Problem(422, result.get("question") or "I couldn't read that time")
    return _one(ctx, result["id"])


@router.route("GET", "/v1/reminders/{reminder_id}", tag="reminders", response=ReminderOut)
def get_reminder(ctx: ApiContext, reminder_id: str) -> ReminderOut:
    """One reminder."""
    return _one(ctx, reminder_id)


@router.route("POST", "/v1/reminders/{reminder_id}/cancel", tag="reminders", response=ReminderOut)
def cancel_reminder(ctx: ApiContext, reminder_id: str) -> ReminderOut:
    """Cancel a reminder for good (its scheduled occurrences end cancelled)."""
    from nudge.reminders import engine

    reminder = ctx.store.reminders.require(ctx.user_id, reminder_id)
    if reminder.status == ReminderStatus.active:
        engine.cancel_reminder(ctx.deps.reminder_deps(), ctx.user_id, reminder_id)
    return _one(ctx, reminder_id)


@router.route(
    "POST",
    "/v1/reminders/{reminder_id}/snooze",
    tag="reminders",
    body=Snooze,
    response=ReminderOut,
    problems=((409, "nothing open to snooze"),),
)
def snooze_reminder(ctx: ApiContext, reminder_id: str, body: Snooze) -> ReminderOut:
    """Snooze: a reminder just sent comes back in `minutes`; the next scheduled one moves
    `minutes` later."""
    from nudge.reminders import engine

    ctx.store.reminders.require(ctx.user_id, reminder_id)
    open_ones = [
        o
        for o in _occurrences(ctx, reminder_id)
        if o.status in (OccurrenceStatus.sent, OccurrenceStatus.scheduled)
    ]
    # A sent one waiting for an answer first, else the next scheduled one.
    open_ones.sort(key=lambda o: (o.status != OccurrenceStatus.sent, o.due_at))
    if not open_ones:
        raise Problem(409, "nothing to snooze: that reminder has no open occurrence")
    result = engine.snooze(ctx.deps.reminder_deps(), ctx.user, open_ones[0], body.minutes, ctx.now)
    if not result.ok:
        raise Problem(409, result.message)
    return _one(ctx, reminder_id)


@router.route("GET", "/v1/reminders/{reminder_id}/occurrences", tag="reminders", response=History)
def reminder_history(ctx: ApiContext, reminder_id: str) -> History:
    """Every occurrence of a reminder, newest first, with how it ended (sent, acknowledged,
    snoozed, missed, cancelled) and when."""
    ctx.store.reminders.require(ctx.user_id, reminder_id)
    occurrences = sorted(_occurrences(ctx, reminder_id), key=lambda o: o.due_at, reverse=True)
    return History(occurrences=[OccurrenceOut.of(o) for o in occurrences])
