"""The reminder engine: every occurrence is a document whose state decides what a task may do.

Each occurrence is fired by a Cloud Task on the `reminders` queue at its due minute, carrying the
occurrence's version. The handler re-reads the occurrence and acts only if it is still scheduled
at that version, so a cancelled, snoozed, moved or already-sent occurrence makes the task a
no-op (the emulator cannot delete tasks, and the cloud may deliver twice: the state check is the
mechanism). Recurrences roll over by `create()` of the next occurrence under a deterministic id,
so duplicate deliveries schedule it exactly once. A sweep fires late or records as missed
whatever a lost task left behind; nothing is dropped silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from google.api_core.exceptions import Aborted, Conflict, FailedPrecondition
from pydantic import BaseModel

from nudge.models import (
    Direction,
    OccurrenceStatus,
    Reminder,
    ReminderOccurrence,
    ReminderStatus,
    User,
    UserSettings,
    UserStatus,
)
from nudge.queue.client import TaskQueue
from nudge.reminders.timeparse import in_quiet_window, next_occurrence
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store
from nudge.store.codec import encode_fields

log = logging.getLogger("nudge.reminders")

# Cloud Tasks accepts schedule times up to 30 days ahead; later ones wait for the horizon sweep.
TASK_HORIZON = timedelta(days=29)
# A task may land a little before the minute on some clocks; never fire more than this early.
EARLY_TOLERANCE = timedelta(seconds=5)
# The catch-up sweep leaves a scheduled occurrence alone for this long past due (its task is
# probably just queued), then sends it late within GRACE, else records it as missed.
SWEEP_AFTER = timedelta(seconds=90)
GRACE = timedelta(minutes=20)
STUCK_SENDING = timedelta(minutes=5)
TRANSITION_ATTEMPTS = 10


class FireResult(StrEnum):
    sent = "sent"
    stale = "stale"  # not scheduled any more, or another version: nothing to do
    early = "early"
    missed = "missed"
    suppressed = "suppressed"  # opted out


@dataclass
class ReminderDeps:
    store: Store
    queue: TaskQueue
    sender: SmsSender
    settings: Settings


class ScheduledReminder(BaseModel):
    reminder: Reminder
    occurrence: ReminderOccurrence


def occurrence_id(reminder_id: str, slot_at: datetime, suffix: str = "") -> str:
    return f"{reminder_id}-{int(slot_at.timestamp())}{suffix}"


def in_quiet_hours(moment: datetime, timezone: str, prefs: UserSettings) -> bool:
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return in_quiet_window(local, (prefs.quiet_hours_start, prefs.quiet_hours_end))


def quiet_hours_end(moment: datetime, timezone: str, prefs: UserSettings) -> datetime:
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    end_day = local.date() if local.time() < prefs.quiet_hours_end else local.date() + timedelta(1)
    return datetime.combine(end_day, prefs.quiet_hours_end, tzinfo=zone).astimezone(UTC)


def _local_clock(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%-I:%M %p")


# -- scheduling ---------------------------------------------------------------------------


def create_reminder(
    deps: ReminderDeps,
    user: User,
    *,
    text: str,
    due_at: datetime,
    rrule: str | None,
    now: datetime,
    urgent: bool = False,
    nag: bool = False,
) -> ScheduledReminder:
    timezone = user.timezone or deps.settings.default_timezone
    reminder = deps.store.reminders.add(
        user.id,
        Reminder(
            text=text,
            timezone=timezone,
            rrule=rrule,
            next_due_at=due_at,
            urgent=urgent,
            max_follow_ups=3 if nag else 1,
        ),
    )
    occurrence = schedule_occurrence(deps, user.id, reminder, due_at, slot_at=due_at, now=now)
    return ScheduledReminder(reminder=reminder, occurrence=occurrence)


def schedule_occurrence(
    deps: ReminderDeps,
    user_id: str,
    reminder: Reminder,
    due_at: datetime,
    *,
    slot_at: datetime,
    now: datetime,
    snooze_of: str | None = None,
    suffix: str = "",
) -> ReminderOccurrence:
    """Create the occurrence (once: its id is deterministic) and enqueue its firing task."""
    occurrence = ReminderOccurrence(
        id=occurrence_id(reminder.id or "", slot_at, suffix),
        user_id=user_id,
        reminder_id=reminder.id or "",
        text=reminder.text,
        due_at=due_at,
        slot_at=slot_at,
        snooze_of=snooze_of,
    )
    try:
        occurrence = deps.store.occurrences.add(user_id, occurrence, doc_id=occurrence.id)
    except Conflict:
        return deps.store.occurrences.require(user_id, occurrence.id or "")
    if due_at - now <= TASK_HORIZON:
        enqueue_firing(deps, occurrence)
    return occurrence


def enqueue_firing(deps: ReminderDeps, occurrence: ReminderOccurrence) -> None:
    deps.queue.enqueue(
        deps.settings.queues.reminders,
        "reminders",
        {
            "action": "fire",
            "user_id": occurrence.user_id,
            "occurrence_id": occurrence.id,
            "version": occurrence.version,
        },
        schedule_time=occurrence.due_at,
        task_name=f"fire-{occurrence.id}-v{occurrence.version}",
    )
    deps.store.occurrences.patch(occurrence.user_id, occurrence.id or "", enqueued=True)


def _transition(
    store: Store,
    user_id: str,
    occurrence_id: str,
    *,
    allowed: tuple[OccurrenceStatus, ...],
    at_version: int | None = None,
    **changes,
) -> ReminderOccurrence | None:
    """Apply `changes` if the occurrence is in an `allowed` state (and at `at_version`); else
    None.

    Optimistic: the write is conditioned on the document being unchanged since it was read, so
    of a firing task, a duplicate of it, a cancel and a snooze racing each other exactly one
    wins; the others re-read and find a state they may not act on. (A locking transaction does
    the same but aborts under this kind of contention.)
    """
    ref = store.occurrences._collection(user_id).document(occurrence_id)
    for _ in range(TRANSITION_ATTEMPTS):
        snapshot = ref.get()
        if not snapshot.exists:
            return None
        current = store.occurrences._decode(snapshot)
        if current.status not in allowed or (
            at_version is not None and current.version != at_version
        ):
            return None
        try:
            ref.update(
                encode_fields({**changes, "updated_at": datetime.now(UTC)}),
                option=store.db.write_option(last_update_time=snapshot.update_time),
            )
        except (FailedPrecondition, Aborted):
            continue  # someone else changed it first: look again
        return current.model_copy(update=changes)
    raise RuntimeError(f"occurrence {occurrence_id} kept changing; the task will be retried")


def roll_over(
    deps: ReminderDeps,
    occurrence: ReminderOccurrence,
    now: datetime,
    *,
    reminder: Reminder | None = None,
) -> None:
    """After an occurrence of a repeating reminder ends, schedule the next slot (exactly once:
    `schedule_occurrence` creates it under a deterministic id)."""
    if occurrence.snooze_of is not None:
        return  # a snooze of a slot; the slot itself rolled over
    if reminder is not None and not reminder.rrule:
        return
    reminder = deps.store.reminders.get(occurrence.user_id, occurrence.reminder_id)
    if reminder is None or reminder.status != ReminderStatus.active:
        return
    if not reminder.rrule:
        return
    nxt = next_occurrence(reminder.rrule, occurrence.slot_at, reminder.timezone)
    if nxt is None:
        deps.store.reminders.update(occurrence.user_id, reminder.id or "", status="done")
        return
    schedule_occurrence(deps, occurrence.user_id, reminder, nxt, slot_at=nxt, now=now)
    deps.store.reminders.update(occurrence.user_id, reminder.id or "", next_due_at=nxt)


def _finish_one_off(deps: ReminderDeps, occurrence: ReminderOccurrence, status: str) -> None:
    reminder = deps.store.reminders.get(occurrence.user_id, occurrence.reminder_id)
    if reminder is not None and not reminder.rrule and occurrence.snooze_of is None:
        deps.store.reminders.update(occurrence.user_id, reminder.id or "", status=status)


# -- firing ---------------------------------------------------------------------------------


def fire(
    deps: ReminderDeps,
    *,
    user_id: str,
    occurrence_id: str,
    version: int,
    now: datetime,
    loaded: ReminderOccurrence | None = None,
) -> FireResult:
    """Send the occurrence if it is still scheduled at `version`. `loaded` skips the first
    read when the caller just read it (the claim below re-checks the state anyway)."""
    store = deps.store
    occurrence = loaded or store.occurrences.get(user_id, occurrence_id)
    if occurrence is None or occurrence.version != version:
        return FireResult.stale
    if occurrence.status != OccurrenceStatus.scheduled:
        return FireResult.stale
    if occurrence.due_at - now > EARLY_TOLERANCE:
        return FireResult.early
    user, reminder, prefs = _load_for_firing(store, user_id, occurrence.reminder_id)
    if user is None or reminder is None:
        return FireResult.stale
    timezone = user.timezone or reminder.timezone

    if user.status == UserStatus.opted_out:
        ended = _transition(
            store, user_id, occurrence_id, allowed=(OccurrenceStatus.scheduled,),
            at_version=version, status=OccurrenceStatus.cancelled, reason="opted out",
        )  # fmt: skip
        if ended:
            roll_over(deps, ended, now)
        return FireResult.suppressed

    # No quiet-hours check here: the person stated this time and was told it. Quiet hours
    # govern only what Nudge starts on its own (follow-ups, briefings, nudges).
    # Exactly one delivery of this task gets past here (scheduled -> sending).
    claimed = _transition(
        store, user_id, occurrence_id, allowed=(OccurrenceStatus.scheduled,),
        at_version=version, status=OccurrenceStatus.sending,
    )  # fmt: skip
    if claimed is None:
        return FireResult.stale
    return _send(deps, user, reminder, prefs, claimed, timezone, now)


def _load_for_firing(
    store: Store, user_id: str, reminder_id: str
) -> tuple[User | None, Reminder | None, UserSettings]:
    """The user, the reminder and the user's preferences, in one round trip."""
    from nudge.store.codec import from_document
    from nudge.store.users import PREFERENCES, SETTINGS

    user_ref = store.db.collection("users").document(user_id)
    refs = [
        user_ref,
        store.reminders._collection(user_id).document(reminder_id),
        user_ref.collection(SETTINGS).document(PREFERENCES),
    ]
    found = {snap.reference.path: snap for snap in store.db.get_all(refs)}
    user_snap, reminder_snap, prefs_snap = (found.get(ref.path) for ref in refs)
    user = (
        from_document(User, user_id, user_snap.to_dict())
        if user_snap and user_snap.exists
        else None
    )
    reminder = (
        from_document(Reminder, reminder_id, reminder_snap.to_dict())
        if reminder_snap and reminder_snap.exists
        else None
    )
    prefs = UserSettings.model_validate(
        prefs_snap.to_dict() if prefs_snap and prefs_snap.exists else {}
    )
    return user, reminder, prefs


def fire_due(deps: ReminderDeps, now: datetime, *, workers: int = 32, limit: int = 500) -> int:
    """Fire every occurrence that is due now, in parallel; returns how many were sent.

    Called by each firing task after its own occurrence: when many reminders share a minute,
    the first task to arrive sends them all at once instead of waiting for each task to be
    dispatched in turn. The claim (scheduled -> sending) keeps every one of them exactly-once;
    their own tasks then find them sent and do nothing.
    """
    from concurrent.futures import ThreadPoolExecutor

    due = [
        occ
        for occ in deps.store.occurrences.overdue(now + EARLY_TOLERANCE, limit=limit)
        if occ.status == OccurrenceStatus.scheduled
    ]
    if not due:
        return 0

    def fire_one(occ: ReminderOccurrence) -> FireResult:
        try:
            return fire(
                deps, user_id=occ.user_id, occurrence_id=occ.id or "", version=occ.version,
                now=now, loaded=occ,
            )  # fmt: skip
        except Exception:  # its own task (or the sweep) will try again
            log.exception("firing %s with the due batch failed", occ.id)
            return FireResult.stale

    with ThreadPoolExecutor(max_workers=min(workers, len(due))) as pool:
        results = list(pool.map(fire_one, due))
    return sum(result == FireResult.sent for result in results)


def _send(
    deps: ReminderDeps,
    user: User,
    reminder: Reminder,
    prefs: UserSettings,
    occurrence: ReminderOccurrence,
    timezone: str,
    now: datetime,
) -> FireResult:
    store = deps.store
    # Lateness counts from the time the person was promised: a snoozed occurrence's own time,
    # not the slot of the reminder it came from.
    late = now - occurrence.due_at
    body = f"Reminder: {occurrence.text}"
    if late > timedelta(minutes=2):
        body += f" (this was due at {_local_clock(occurrence.due_at, timezone)}, sorry it's late)"
    body += "\nReply done, snooze 15, or skip."
    body = missed_notice(store, user, timezone) + body
    deliver(
        store,
        deps.sender,
        user,
        body,
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"reminder-{occurrence.id}",
        kind="reminder",
        user_is_fresh=True,
    )
    sent_at = max(now, datetime.now(UTC))  # when it really left, not when the task began
    late_seconds = int((sent_at - occurrence.due_at).total_seconds())
    # Only the holder of the claim writes a `sending` occurrence (cancel and snooze wait or act
    # on other states; the sweep waits STUCK_SENDING), so no read-before-write is needed here.
    store.occurrences.patch(
        user.id, occurrence.id or "",
        status=OccurrenceStatus.sent, sent_at=sent_at, late_seconds=late_seconds,
    )  # fmt: skip
    sent = occurrence.model_copy(
        update={"status": OccurrenceStatus.sent, "sent_at": sent_at, "late_seconds": late_seconds}
    )
    if reminder.max_follow_ups > 0:
        _enqueue_follow_up(deps, sent, 1, now, prefs=prefs)
    roll_over(deps, sent, now, reminder=reminder)
    log.info("reminder occurrence %s sent (%ds late)", occurrence.id, int(late.total_seconds()))
    return FireResult.sent


def _enqueue_follow_up(
    deps: ReminderDeps,
    occurrence: ReminderOccurrence,
    number: int,
    now: datetime,
    *,
    prefs: UserSettings | None = None,
) -> None:
    prefs = prefs or deps.store.users.get_settings(occurrence.user_id)
    enqueue_follow_up_at(deps, occurrence, number, now + timedelta(minutes=prefs.follow_up_minutes))


def enqueue_follow_up_at(
    deps: ReminderDeps,
    occurrence: ReminderOccurrence,
    number: int,
    due_at: datetime,
    *,
    task_suffix: str = "",
) -> None:
    """Arm follow-up `number` for `due_at`: the task, and its due time on the occurrence (what
    the catch-up and a restarted local stack go by when the task is gone)."""
    deps.store.occurrences.patch(occurrence.user_id, occurrence.id or "", follow_up_due_at=due_at)
    deps.queue.enqueue(
        deps.settings.queues.reminders,
        "reminders",
        {
            "action": "follow_up",
            "user_id": occurrence.user_id,
            "occurrence_id": occurrence.id,
            "number": number,
        },
        schedule_time=due_at,
        task_name=f"followup-{occurrence.id}-{number}{task_suffix}",
    )


def follow_up(
    deps: ReminderDeps, *, user_id: str, occurrence_id: str, number: int, now: datetime
) -> str:
    """One gentle follow-up if the reminder is still unanswered; more only in nag mode."""
    store = deps.store
    occurrence = store.occurrences.get(user_id, occurrence_id)
    if occurrence is None or occurrence.status != OccurrenceStatus.sent:
        return "answered"
    if occurrence.follow_ups_sent >= number:
        return "already_sent"
    outcome = _follow_up_unless_answered(deps, occurrence, number, now)
    if outcome != "sent" and outcome != "quiet_hours":
        store.occurrences.patch(user_id, occurrence_id, follow_up_due_at=None)  # none pending
    return outcome


def _follow_up_unless_answered(
    deps: ReminderDeps, occurrence: ReminderOccurrence, number: int, now: datetime
) -> str:
    store = deps.store
    user_id, occurrence_id = occurrence.user_id, occurrence.id or ""
    user = store.users.get(user_id)
    reminder = store.reminders.get(user_id, occurrence.reminder_id)
    if user is None or reminder is None or user.status == UserStatus.opted_out:
        return "suppressed"
    if number > reminder.max_follow_ups:
        return "limit"
    replied = [
        m
        for m in store.messages.list(user_id, where=[("direction", "==", Direction.inbound)])
        if occurrence.sent_at and m.created_at > occurrence.sent_at
    ]
    if replied:  # they are here and talking: no nudging
        return "answered"
    timezone = user.timezone or reminder.timezone
    prefs = store.users.get_settings(user_id)
    if not reminder.urgent and in_quiet_hours(now, timezone, prefs):
        # Nudge's own initiative waits for the morning (the task there re-checks all of this).
        enqueue_follow_up_at(
            deps, occurrence, number, quiet_hours_end(now, timezone, prefs),
            task_suffix="-after-quiet",
        )  # fmt: skip
        return "quiet_hours"
    deliver(
        store,
        deps.sender,
        user,
        f"Just checking in: {occurrence.text}. Reply done, snooze 15, or skip. No pressure.",
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"followup-{occurrence.id}-{number}",
        kind="follow_up",
    )
    store.occurrences.update(user_id, occurrence_id, follow_ups_sent=number)
    if number < reminder.max_follow_ups:
        _enqueue_follow_up(deps, occurrence, number + 1, now)
    else:
        store.occurrences.patch(user_id, occurrence_id, follow_up_due_at=None)
    return "sent"


# -- user actions ---------------------------------------------------------------------------


class ActionResult(BaseModel):
    ok: bool
    message: str
    occurrence_id: str | None = None
    due_at: datetime | None = None


def latest_open(
    store: Store, user_id: str, now: datetime, *, sent_only: bool = False
) -> ReminderOccurrence | None:
    """The reminder a bare "done" or "snooze 10" is about: the one touched last, either sent
    in the past 3 hours and unanswered, or created in that time and still scheduled; else the
    next scheduled one. `sent_only` (for "done") considers only sent ones."""
    since = now - timedelta(hours=3)
    # One query for every open state: two queries could both miss an occurrence that moves
    # from scheduled to sending between them.
    open_now = store.occurrences.list(
        user_id,
        where=[
            (
                "status",
                "in",
                [OccurrenceStatus.scheduled, OccurrenceStatus.sending, OccurrenceStatus.sent],
            )
        ],
    )
    sent = sorted(
        (
            o
            for o in open_now
            if o.status != OccurrenceStatus.scheduled and (o.sent_at or o.due_at) >= since
        ),
        key=lambda o: o.sent_at or o.due_at,
        reverse=True,
    )
    latest_sent = sent[0] if sent else None
    if sent_only:
        return latest_sent
    upcoming = sorted(
        (o for o in open_now if o.status == OccurrenceStatus.scheduled and o.due_at >= now),
        key=lambda o: o.due_at,
    )
    fresh = [o for o in upcoming if o.created_at >= since]
    latest_created = max(fresh, key=lambda o: o.created_at) if fresh else None
    if latest_sent and latest_created:
        sent_at = latest_sent.sent_at or latest_sent.due_at
        return latest_created if latest_created.created_at > sent_at else latest_sent
    return latest_sent or latest_created or (upcoming[0] if upcoming else None)


def snooze(
    deps: ReminderDeps, user: User, occurrence: ReminderOccurrence, minutes: int, now: datetime
) -> ActionResult:
    """A sent reminder comes back `minutes` from now; a scheduled one moves `minutes` later."""
    store = deps.store
    ended = None
    for _ in range(3):  # the firing task may change it under us: re-read and decide again
        occurrence = _settled(
            store, store.occurrences.get(user.id, occurrence.id or "") or occurrence
        )
        if occurrence.status == OccurrenceStatus.sent:
            new_due = now + timedelta(minutes=minutes)
        else:
            new_due = occurrence.due_at + timedelta(minutes=minutes)
        ended = _transition(
            store, user.id, occurrence.id or "",
            allowed=(OccurrenceStatus.scheduled, OccurrenceStatus.sent),
            at_version=occurrence.version,
            status=OccurrenceStatus.snoozed, reason=f"snoozed {minutes} min",
        )  # fmt: skip
        if ended is not None or occurrence.status not in (
            OccurrenceStatus.scheduled, OccurrenceStatus.sending, OccurrenceStatus.sent
        ):  # fmt: skip
            break
    if ended is None:
        return ActionResult(ok=False, message="That reminder is already taken care of.")
    reminder = store.reminders.require(user.id, occurrence.reminder_id)
    count = len(store.occurrences.list(user.id, where=[("snooze_of", "==", occurrence.id)]))
    again = schedule_occurrence(
        deps, user.id, reminder, new_due, slot_at=occurrence.slot_at, now=now,
        snooze_of=occurrence.id, suffix=f"-s{count + 1}",
    )  # fmt: skip
    roll_over(deps, ended, now)
    return ActionResult(ok=True, message="snoozed", occurrence_id=again.id, due_at=new_due)


def _settled(store: Store, occurrence: ReminderOccurrence, wait: float = 3.0) -> ReminderOccurrence:
    """A reply that lands while its reminder is being sent waits for the send to finish."""
    import time as _time

    deadline = _time.monotonic() + wait
    while occurrence.status == OccurrenceStatus.sending and _time.monotonic() < deadline:
        _time.sleep(0.05)
        occurrence = store.occurrences.get(occurrence.user_id, occurrence.id or "") or occurrence
    return occurrence


def acknowledge(deps: ReminderDeps, occurrence: ReminderOccurrence) -> ActionResult:
    occurrence = _settled(deps.store, occurrence)
    ended = _transition(
        deps.store, occurrence.user_id, occurrence.id or "",
        allowed=(OccurrenceStatus.sent,), status=OccurrenceStatus.acknowledged,
        acknowledged_at=datetime.now(UTC),
    )  # fmt: skip
    if ended is None:
        return ActionResult(ok=False, message="nothing to mark done")
    _finish_one_off(deps, ended, "done")
    return ActionResult(ok=True, message="done", occurrence_id=occurrence.id)


def skip(deps: ReminderDeps, occurrence: ReminderOccurrence, now: datetime) -> ActionResult:
    """Skip this occurrence (a repeating reminder goes on with the next one)."""
    ended = _transition(
        deps.store, occurrence.user_id, occurrence.id or "",
        allowed=(OccurrenceStatus.scheduled, OccurrenceStatus.sent),
        status=OccurrenceStatus.cancelled, reason="skipped",
    )  # fmt: skip
    if ended is None:
        return ActionResult(ok=False, message="That one already went out.")
    _finish_one_off(deps, ended, "cancelled")
    roll_over(deps, ended, now)
    return ActionResult(ok=True, message="skipped", occurrence_id=occurrence.id)


def cancel_reminder(deps: ReminderDeps, user_id: str, reminder_id: str) -> ActionResult:
    """Stop a reminder for good: its scheduled occurrences end cancelled (their tasks no-op)."""
    store = deps.store
    reminder = store.reminders.get(user_id, reminder_id)
    if reminder is None:
        return ActionResult(ok=False, message="I couldn't find that reminder.")
    store.reminders.update(user_id, reminder_id, status=ReminderStatus.cancelled)
    cancelled = 0
    for occ in store.occurrences.list(user_id, where=[("reminder_id", "==", reminder_id)]):
        if _transition(
            store, user_id, occ.id or "", allowed=(OccurrenceStatus.scheduled,),
            status=OccurrenceStatus.cancelled, reason="cancelled",
        ):  # fmt: skip
            cancelled += 1
    if cancelled == 0 and not reminder.rrule:
        return ActionResult(ok=False, message="That reminder already went out.")
    return ActionResult(ok=True, message="cancelled")


# -- sweeps ---------------------------------------------------------------------------------


class SweepReport(BaseModel):
    sent_late: int = 0
    missed: int = 0
    enqueued: int = 0
    follow_ups_sent_late: int = 0
    follow_ups_dropped: int = 0


# A follow-up whose task was lost is still worth sending this long after its time; later, a
# "just checking in" about a reminder from hours ago is noise, so it is dropped (and logged).
FOLLOW_UP_GRACE = timedelta(hours=2)


def catch_up(deps: ReminderDeps, now: datetime) -> SweepReport:
    """Occurrences whose task never came (lost task, outage): send late within the grace
    window with an honest note, else record as missed (mentioned in the next message)."""
    report = SweepReport()
    for occ in deps.store.occurrences.overdue(now - SWEEP_AFTER):
        if occ.status == OccurrenceStatus.sending:
            if now - occ.updated_at < STUCK_SENDING:
                continue  # a firing is in flight right now
            # Its sender died mid-way: whether the SMS left is unknown, so send again (the
            # outbound record stops a second copy if it had been recorded as sent).
            reopened = _transition(
                deps.store, occ.user_id, occ.id or "", allowed=(OccurrenceStatus.sending,),
                at_version=occ.version, status=OccurrenceStatus.scheduled,
            )  # fmt: skip
            if reopened is None:
                continue
            occ = reopened
        if now - occ.due_at <= GRACE:
            result = fire(
                deps, user_id=occ.user_id, occurrence_id=occ.id or "", version=occ.version, now=now
            )
            report.sent_late += result == FireResult.sent
            continue
        ended = _transition(
            deps.store, occ.user_id, occ.id or "",
            allowed=(OccurrenceStatus.scheduled, OccurrenceStatus.sending),
            at_version=occ.version, status=OccurrenceStatus.missed,
            reason=f"not delivered within {int(GRACE.total_seconds() // 60)} min of its time",
        )  # fmt: skip
        if ended is not None:
            report.missed += 1
            deps.store.users.update(occ.user_id, missed_reminders_pending=True)
            log.warning("reminder occurrence %s recorded as missed", occ.id)
            roll_over(deps, ended, now)
    _catch_up_follow_ups(deps, now, report)
    return report


def _catch_up_follow_ups(deps: ReminderDeps, now: datetime, report: SweepReport) -> None:
    """Follow-ups whose task never came. `follow_up` checks state and the outbound record
    stops a second SMS, so one that races its own late task is still sent once."""
    for occ in deps.store.occurrences.follow_ups_due(now - SWEEP_AFTER):
        due = occ.follow_up_due_at
        if due is None:
            continue
        if now - due > FOLLOW_UP_GRACE:
            deps.store.occurrences.patch(occ.user_id, occ.id or "", follow_up_due_at=None)
            report.follow_ups_dropped += 1
            log.warning("follow-up of reminder occurrence %s dropped: its task was lost", occ.id)
            continue
        number = occ.follow_ups_sent + 1
        outcome = follow_up(
            deps, user_id=occ.user_id, occurrence_id=occ.id or "", number=number, now=now
        )
        report.follow_ups_sent_late += outcome == "sent"


def enqueue_horizon(deps: ReminderDeps, now: datetime) -> SweepReport:
    """Enqueue occurrences that came within Cloud Tasks' 30-day scheduling window."""
    report = SweepReport()
    for occ in deps.store.occurrences.not_enqueued_before(now + TASK_HORIZON):
        enqueue_firing(deps, occ)
        report.enqueued += 1
    return report


def missed_notice(store: Store, user: User, timezone: str) -> str:
    """One line about reminders that were missed since we last talked (then marked mentioned).

    The user document carries a flag, so the common case (nothing missed) costs no query."""
    if not user.missed_reminders_pending:
        return ""
    missed = store.occurrences.unmentioned_missed(user.id)
    for occ in missed:
        store.occurrences.patch(user.id, occ.id or "", mentioned=True)
    store.users.update(user.id, missed_reminders_pending=False)
    if not missed:
        return ""
    items = "; ".join(f'"{o.text}" at {_local_clock(o.due_at, timezone)}' for o in missed[:3])
    more = f" and {len(missed) - 3} more" if len(missed) > 3 else ""
    return f"Heads up, I couldn't deliver a reminder in time: {items}{more}.\n"
