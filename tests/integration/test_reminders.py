"""The reminder engine against the real emulators, on a controllable clock (time-machine)."""

from __future__ import annotations

import copy
import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nudge.models import OccurrenceStatus, User, UserStatus
from nudge.reminders import engine
from nudge.reminders.engine import FireResult, ReminderDeps
from nudge.reminders.replies import apply_quick_reply
from nudge.sms.senders import LocalOutbox

TORONTO = ZoneInfo("America/Toronto")


def _ten_am_in_two_days() -> datetime:
    # The clock only travels forward: gRPC enforces its deadlines on the real clock, so a trip
    # into the past would expire every call at once.
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(TORONTO).date()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=TORONTO).astimezone(UTC)


NOW = _ten_am_in_two_days()  # 10:00 in Toronto


def toronto(days: int, hour: int, minute: int = 0) -> datetime:
    """A Toronto wall time `days` after NOW's date, in UTC."""
    day = NOW.astimezone(TORONTO).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def deps(store, settings, task_queue, clock):
    return ReminderDeps(
        store=store, queue=task_queue, sender=LocalOutbox(store.db), settings=settings
    )


@pytest.fixture
def user(store, clock):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))


def sent_sms(store) -> list[str]:
    docs = sorted(store.db.collection("local_outbox").stream(), key=lambda d: d.get("created_at"))
    return [d.get("body") for d in docs]


def occurrences(store, user):
    return sorted(store.occurrences.list(user.id), key=lambda o: o.due_at)


def fire(deps, occ, now, version=None):
    return engine.fire(
        deps,
        user_id=occ.user_id,
        occurrence_id=occ.id,
        version=occ.version if version is None else version,
        now=now,
    )


def test_fires_once_at_its_minute_and_a_duplicate_task_is_a_no_op(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="drink water", due_at=due, rrule=None, now=NOW
    ).occurrence
    assert occ.enqueued is False or store.occurrences.require(user.id, occ.id).enqueued
    assert fire(deps, occ, NOW) == FireResult.early
    clock.move_to(due)
    assert fire(deps, occ, due) == FireResult.sent
    assert fire(deps, occ, due + timedelta(seconds=3)) == FireResult.stale
    assert sent_sms(store) == ["Reminder: drink water\nReply done, snooze 15, or skip."]
    stored = store.occurrences.require(user.id, occ.id)
    assert (stored.status, stored.late_seconds) == (OccurrenceStatus.sent, 0)


def test_recurrence_rolls_over_exactly_once_under_duplicate_delivery(deps, store, user, clock):
    rule = "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"
    first_due = toronto(1, 9)
    occ = engine.create_reminder(
        deps, user, text="meds", due_at=first_due, rrule=rule, now=NOW
    ).occurrence
    clock.move_to(first_due)
    barrier = threading.Barrier(6)
    results = []

    def deliver_task():
        barrier.wait()
        results.append(fire(deps, occ, first_due))

    threads = [threading.Thread(target=deliver_task) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(FireResult.sent) == 1
    assert len(sent_sms(store)) == 1
    after = occurrences(store, user)
    assert [o.status for o in after] == [OccurrenceStatus.sent, OccurrenceStatus.scheduled]
    assert after[1].due_at == toronto(2, 9)
    # Redeliveries later, once the first is long sent, still create nothing more.
    assert fire(deps, occ, first_due + timedelta(minutes=5)) == FireResult.stale
    assert len(occurrences(store, user)) == 2


@pytest.mark.parametrize("trial", range(6))
def test_cancel_racing_the_firing_task_never_both(deps, store, user, clock, trial):
    due = NOW + timedelta(minutes=5)
    scheduled = engine.create_reminder(
        deps, user, text=f"call {trial}", due_at=due, rrule=None, now=NOW
    )
    clock.move_to(due)
    barrier = threading.Barrier(2)
    outcome = {}

    def firing():
        barrier.wait()
        outcome["fire"] = fire(deps, scheduled.occurrence, due)

    def cancelling():
        barrier.wait()
        outcome["cancel"] = engine.cancel_reminder(deps, user.id, scheduled.reminder.id)

    threads = [threading.Thread(target=firing), threading.Thread(target=cancelling)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.occurrences.require(user.id, scheduled.occurrence.id)
    if final.status == OccurrenceStatus.cancelled:
        assert (
            sent_sms(store) == [] and outcome["cancel"].ok and outcome["fire"] == FireResult.stale
        )
    else:
        assert final.status == OccurrenceStatus.sent
        assert len(sent_sms(store)) == 1 and not outcome["cancel"].ok


@pytest.mark.parametrize("trial", range(4))
def test_snooze_racing_the_firing_task_loses_and_duplicates_nothing(
    deps, store, user, clock, trial
):
    due = NOW + timedelta(minutes=5)
    scheduled = engine.create_reminder(deps, user, text="stretch", due_at=due, rrule=None, now=NOW)
    clock.move_to(due)
    barrier = threading.Barrier(2)

    def firing():
        barrier.wait()
        fire(deps, scheduled.occurrence, due)

    def snoozing():
        barrier.wait()
        current = engine.latest_open(store, user.id, due)
        engine.snooze(deps, user, current, 10, due)

    threads = [threading.Thread(target=firing), threading.Thread(target=snoozing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    original = store.occurrences.require(user.id, scheduled.occurrence.id)
    follow_on = [o for o in occurrences(store, user) if o.snooze_of == original.id]
    assert original.status == OccurrenceStatus.snoozed
    assert len(follow_on) == 1 and follow_on[0].status == OccurrenceStatus.scheduled
    assert len(sent_sms(store)) <= 1  # sent before the snooze, or not at all: never twice


def test_the_sweep_sends_a_lost_task_late_with_an_honest_note(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="water plants", due_at=due, rrule=None, now=NOW
    ).occurrence
    late = due + timedelta(minutes=3)  # the task never came
    clock.move_to(late)
    report = engine.catch_up(deps, late)
    assert (report.sent_late, report.missed) == (1, 0)
    [body] = sent_sms(store)
    assert "this was due at 10:01 AM" in body
    assert store.occurrences.require(user.id, occ.id).late_seconds == 180


def test_the_sweep_records_a_long_lost_occurrence_as_missed_and_it_is_mentioned(
    deps, store, user, clock
):
    from nudge.reminders.engine import missed_notice

    due = NOW + timedelta(minutes=1)
    rule = "FREQ=DAILY;BYHOUR=10;BYMINUTE=1;BYSECOND=0"
    occ = engine.create_reminder(
        deps, user, text="pills", due_at=due, rrule=rule, now=NOW
    ).occurrence
    much_later = due + timedelta(hours=2)
    clock.move_to(much_later)
    report = engine.catch_up(deps, much_later)
    assert (report.sent_late, report.missed) == (0, 1)
    assert sent_sms(store) == []
    missed = store.occurrences.require(user.id, occ.id)
    assert missed.status == OccurrenceStatus.missed and missed.reason
    # The recurrence went on, and the next message mentions what was missed, once.
    assert [o.status for o in occurrences(store, user)] == ["missed", "scheduled"]
    flagged = store.users.require(user.id)
    assert flagged.missed_reminders_pending is True
    assert 'couldn\'t deliver a reminder in time: "pills" at 10:01 AM' in missed_notice(
        store, flagged, "America/Toronto"
    )
    assert missed_notice(store, store.users.require(user.id), "America/Toronto") == ""
    assert engine.catch_up(deps, much_later) == engine.SweepReport()


def test_a_reminder_due_in_quiet_hours_fires_at_its_stated_minute(deps, store, user, clock):
    night = toronto(1, 3, 38)
    occ = engine.create_reminder(
        deps, user, text="take your meds", due_at=night, rrule=None, now=NOW
    ).occurrence
    clock.move_to(night)
    assert fire(deps, occ, night) == FireResult.sent
    sent = store.occurrences.require(user.id, occ.id)
    assert (sent.due_at, sent.version, sent.deferred_for_quiet_hours) == (night, 1, False)
    assert sent.late_seconds is not None and sent.late_seconds < 60
    assert sent_sms(store) == ["Reminder: take your meds\nReply done, snooze 15, or skip."]


def test_urgent_reminders_ignore_quiet_hours(deps, store, user, clock):
    night = toronto(0, 23, 30)
    occ = engine.create_reminder(
        deps, user, text="take the cake out", due_at=night, rrule=None, now=NOW, urgent=True
    ).occurrence
    clock.move_to(night)
    assert fire(deps, occ, night) == FireResult.sent


def test_a_follow_up_due_in_quiet_hours_waits_for_the_morning(deps, store, user, clock):
    evening = toronto(0, 21, 50)
    occ = engine.create_reminder(
        deps, user, text="lay out clothes", due_at=evening, rrule=None, now=NOW
    ).occurrence
    clock.move_to(evening)
    assert fire(deps, occ, evening) == FireResult.sent
    night = evening + timedelta(minutes=20)  # 22:10, inside the default 22:00-08:00
    clock.move_to(night)
    enqueued = []
    real_enqueue = deps.queue.enqueue

    def recording_enqueue(*args, **kwargs):  # the real queue, watched
        enqueued.append(kwargs)
        return real_enqueue(*args, **kwargs)

    deps = dataclasses.replace(deps, queue=copy.copy(deps.queue))
    deps.queue.enqueue = recording_enqueue
    assert (
        engine.follow_up(deps, user_id=user.id, occurrence_id=occ.id, number=1, now=night)
        == "quiet_hours"
    )
    assert [b for b in sent_sms(store) if b.startswith("Just checking in")] == []
    assert [(e["task_name"], e["schedule_time"]) for e in enqueued] == [
        (f"followup-{occ.id}-1-after-quiet", toronto(1, 8))
    ]
    morning = toronto(1, 8)
    clock.move_to(morning)
    assert (
        engine.follow_up(deps, user_id=user.id, occurrence_id=occ.id, number=1, now=morning)
        == "sent"
    )


def test_a_snoozed_reminder_is_on_time_at_its_new_time(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="stretch", due_at=due, rrule=None, now=NOW
    ).occurrence
    clock.move_to(due)
    assert fire(deps, occ, due) == FireResult.sent
    snoozed_at = due + timedelta(minutes=1)
    clock.move_to(snoozed_at)
    assert apply_quick_reply(deps, user, "snooze 10", snoozed_at).startswith("Snoozed.")
    again = next(o for o in occurrences(store, user) if o.status == OccurrenceStatus.scheduled)
    assert again.due_at == snoozed_at + timedelta(minutes=10)
    clock.move_to(again.due_at)
    assert fire(deps, again, again.due_at) == FireResult.sent
    assert "sorry it's late" not in sent_sms(store)[-1]
    assert store.occurrences.require(user.id, again.id).late_seconds < 60


def test_done_with_no_reminder_waiting_says_what_it_could_mean(deps, store, user, clock):
    from nudge.models import Task

    five_hours_ago = NOW - timedelta(hours=5)
    task = store.tasks.add(
        user.id, Task(title="renew passport", created_at=five_hours_ago, updated_at=five_hours_ago)
    )
    engine.create_reminder(deps, user, text="pay rent", due_at=toronto(1, 9), rrule=None, now=NOW)
    reply = apply_quick_reply(deps, user, "done", NOW)
    assert reply == (
        'Nice! No reminder of mine was waiting on a "done". Did you finish "renew passport"? '
        'Reply "done renew passport" and I\'ll tick it off. '
        'Next reminder: "pay rent" tomorrow at 9:00 AM.'
    )
    assert apply_quick_reply(deps, user, "ok", NOW) == (
        'Okay! Next reminder: "pay rent" tomorrow at 9:00 AM.'
    )
    # A task touched just now is what "done" means: the agent completes it.
    store.tasks.update(user.id, task.id, priority=2)
    assert apply_quick_reply(deps, user, "done", NOW) is None


def test_follow_up_once_by_default_and_three_times_in_nag_mode(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    plain = engine.create_reminder(
        deps, user, text="call bank", due_at=due, rrule=None, now=NOW
    ).occurrence
    nag = engine.create_reminder(
        deps, user, text="file taxes", due_at=due, rrule=None, now=NOW, nag=True
    ).occurrence
    clock.move_to(due)
    fire(deps, plain, due)
    fire(deps, nag, due)
    later = due + timedelta(minutes=20)
    clock.move_to(later)

    def follow(occ, number):
        return engine.follow_up(
            deps, user_id=user.id, occurrence_id=occ.id, number=number, now=later
        )

    assert follow(plain, 1) == "sent"
    assert follow(plain, 1) == "already_sent"  # a redelivered follow-up task
    assert follow(plain, 2) == "limit"
    assert [follow(nag, n) for n in (1, 2, 3, 4)] == ["sent", "sent", "sent", "limit"]
    assert store.occurrences.require(user.id, plain.id).follow_ups_sent == 1
    follow_ups = [b for b in sent_sms(store) if b.startswith("Just checking in")]
    assert len(follow_ups) == 4


def test_no_follow_up_when_the_user_answered_or_acknowledged(deps, store, user, clock):
    from nudge.models import Direction, Message

    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="stretch", due_at=due, rrule=None, now=NOW
    ).occurrence
    clock.move_to(due)
    fire(deps, occ, due)
    clock.move_to(due + timedelta(minutes=2))
    store.messages.add(user.id, Message(direction=Direction.inbound, body="on my way"))
    later = due + timedelta(minutes=20)
    assert (
        engine.follow_up(deps, user_id=user.id, occurrence_id=occ.id, number=1, now=later)
        == "answered"
    )


def test_opt_out_suppresses_firing_and_follow_ups(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    rule = "FREQ=DAILY;BYHOUR=10;BYMINUTE=1;BYSECOND=0"
    occ = engine.create_reminder(
        deps, user, text="walk", due_at=due, rrule=rule, now=NOW
    ).occurrence
    store.users.update(user.id, status=UserStatus.opted_out)
    clock.move_to(due)
    assert fire(deps, occ, due) == FireResult.suppressed
    assert sent_sms(store) == []
    ended = store.occurrences.require(user.id, occ.id)
    assert (ended.status, ended.reason) == (OccurrenceStatus.cancelled, "opted out")
    # Even a follow-up task already in the queue sends nothing.
    store.occurrences.update(user.id, occ.id, status=OccurrenceStatus.sent, sent_at=due)
    assert (
        engine.follow_up(deps, user_id=user.id, occurrence_id=occ.id, number=1, now=due)
        == "suppressed"
    )
    assert sent_sms(store) == []


def test_far_future_occurrences_wait_for_the_horizon_sweep(deps, store, user, clock):
    far = NOW + timedelta(days=40)
    occ = engine.create_reminder(
        deps, user, text="renew license", due_at=far, rrule=None, now=NOW
    ).occurrence
    assert store.occurrences.require(user.id, occ.id).enqueued is False
    assert engine.enqueue_horizon(deps, NOW).enqueued == 0
    assert engine.enqueue_horizon(deps, NOW + timedelta(days=12)).enqueued == 1
    assert store.occurrences.require(user.id, occ.id).enqueued is True


def test_quick_replies_apply_to_the_latest_reminder(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="drink water", due_at=due, rrule=None, now=NOW
    ).occurrence
    # Right after setting it: "snooze 10" moves it 10 minutes.
    assert apply_quick_reply(deps, user, "snooze 10", NOW) == (
        "Snoozed. I'll remind you to drink water today at 10:11 AM."
    )
    assert apply_quick_reply(deps, user, "done", NOW) == (  # nothing sent yet: not a miss
        'Nice! No reminder of mine was waiting on a "done". '
        'Next reminder: "drink water" today at 10:11 AM.'
    )
    moved = [o for o in occurrences(store, user) if o.status == OccurrenceStatus.scheduled]
    assert moved[0].due_at == due + timedelta(minutes=10)
    assert store.occurrences.require(user.id, occ.id).status == OccurrenceStatus.snoozed
    clock.move_to(moved[0].due_at)
    assert fire(deps, moved[0], moved[0].due_at) == FireResult.sent
    assert apply_quick_reply(deps, user, "done", moved[0].due_at) == 'Nice, "drink water" is done!'
    assert store.occurrences.require(user.id, moved[0].id).status == OccurrenceStatus.acknowledged


def test_skip_ends_one_occurrence_and_the_recurrence_goes_on(deps, store, user, clock):
    rule = "FREQ=DAILY;BYHOUR=18;BYMINUTE=0;BYSECOND=0"
    due = toronto(0, 18)
    engine.create_reminder(deps, user, text="gym", due_at=due, rrule=rule, now=NOW)
    assert apply_quick_reply(deps, user, "skip", NOW) == 'Okay, skipped "gym".'
    statuses = [(o.status, o.due_at) for o in occurrences(store, user)]
    assert statuses == [("cancelled", toronto(0, 18)), ("scheduled", toronto(1, 18))]


def test_a_firing_that_died_mid_way_is_recovered_by_the_sweep(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="call dad", due_at=due, rrule=None, now=NOW
    ).occurrence
    store.occurrences.update(user.id, occ.id, status=OccurrenceStatus.sending)  # then it crashed
    soon = due + timedelta(minutes=2)
    clock.move_to(soon)
    assert engine.catch_up(deps, soon).sent_late == 0  # might still be in flight
    later = due + timedelta(minutes=7)
    clock.move_to(later)
    assert engine.catch_up(deps, later).sent_late == 1
    assert store.occurrences.require(user.id, occ.id).status == OccurrenceStatus.sent
    assert len(sent_sms(store)) == 1


def _check_ins(store) -> list[str]:
    return [b for b in sent_sms(store) if b.startswith("Just checking in")]


def test_a_follow_up_whose_task_was_lost_is_sent_once_by_the_catch_up(deps, store, user, clock):
    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="call the vet", due_at=due, rrule=None, now=NOW, nag=True
    ).occurrence
    clock.move_to(due)
    assert fire(deps, occ, due) == FireResult.sent
    pending = store.occurrences.require(user.id, occ.id).follow_up_due_at
    assert pending is not None and pending > due
    # Its task never runs (the local Cloud Tasks emulator restarted, or retries ran out).
    assert engine.catch_up(deps, pending).follow_ups_sent_late == 0  # may still be in flight
    late = pending + timedelta(minutes=3)
    clock.move_to(late)
    report = engine.catch_up(deps, late)
    assert report.follow_ups_sent_late == 1
    assert _check_ins(store) == [
        "Just checking in: call the vet. Reply done, snooze 15, or skip. No pressure."
    ]
    after = store.occurrences.require(user.id, occ.id)
    # Nag mode: the second follow-up is armed from now, and nothing is sent twice.
    assert after.follow_ups_sent == 1 and after.follow_up_due_at > late
    assert engine.catch_up(deps, late).follow_ups_sent_late == 0
    assert engine.follow_up(deps, user_id=user.id, occurrence_id=occ.id, number=1, now=late) == (
        "already_sent"
    )
    assert len(_check_ins(store)) == 1


def test_a_lost_follow_up_hours_late_is_dropped_and_an_acknowledged_one_is_left_alone(
    deps, store, user, clock
):
    due = NOW + timedelta(minutes=1)
    stale = engine.create_reminder(
        deps, user, text="stretch", due_at=due, rrule=None, now=NOW
    ).occurrence
    answered = engine.create_reminder(
        deps, user, text="feed the cat", due_at=due, rrule=None, now=NOW
    ).occurrence
    clock.move_to(due)
    fire(deps, stale, due)
    fire(deps, answered, due)
    store.occurrences.patch(user.id, answered.id, status=OccurrenceStatus.acknowledged)
    hours_later = due + timedelta(hours=3)
    clock.move_to(hours_later)
    report = engine.catch_up(deps, hours_later)
    assert (report.follow_ups_sent_late, report.follow_ups_dropped) == (0, 1)
    assert _check_ins(store) == []
    assert store.occurrences.require(user.id, stale.id).follow_up_due_at is None
    assert engine.catch_up(deps, hours_later) == engine.SweepReport()


def test_a_lost_follow_up_found_at_night_waits_for_the_morning_once(deps, store, user, clock):
    evening = toronto(0, 21, 50)
    occ = engine.create_reminder(
        deps, user, text="lay out clothes", due_at=evening, rrule=None, now=NOW
    ).occurrence
    clock.move_to(evening)
    fire(deps, occ, evening)
    night = toronto(0, 23, 0)
    clock.move_to(night)
    engine.catch_up(deps, night)
    assert _check_ins(store) == []
    assert store.occurrences.require(user.id, occ.id).follow_up_due_at == toronto(1, 8)
    later_that_night = toronto(1, 2, 0)
    clock.move_to(later_that_night)
    assert engine.catch_up(deps, later_that_night).follow_ups_sent_late == 0
    morning = toronto(1, 8, 5)
    clock.move_to(morning)
    assert engine.catch_up(deps, morning).follow_ups_sent_late == 1
    assert len(_check_ins(store)) == 1


def test_a_restarted_local_stack_re_arms_a_pending_follow_up_at_its_time(
    deps, store, user, clock, monkeypatch
):
    from emulators import recovery
    from nudge.reminders import handler

    due = NOW + timedelta(minutes=1)
    occ = engine.create_reminder(
        deps, user, text="take meds", due_at=due, rrule=None, now=NOW
    ).occurrence
    clock.move_to(due)
    fire(deps, occ, due)
    pending = store.occurrences.require(user.id, occ.id).follow_up_due_at
    enqueued = []
    real_enqueue = deps.queue.enqueue

    def recording_enqueue(*args, **kwargs):  # the real queue, watched
        enqueued.append((args[2], kwargs))
        return real_enqueue(*args, **kwargs)

    watched = dataclasses.replace(deps, queue=copy.copy(deps.queue))
    watched.queue.enqueue = recording_enqueue
    monkeypatch.setattr(handler, "default_deps", lambda: watched)
    # The Cloud Tasks emulator came back empty five minutes later.
    restarted = due + timedelta(minutes=5)
    clock.move_to(restarted)
    assert recovery.rearm_reminders(restarted) == 1
    [(payload, options)] = enqueued
    assert payload == {
        "action": "follow_up", "user_id": user.id, "occurrence_id": occ.id, "number": 1
    }  # fmt: skip
    assert options["schedule_time"] == pending
