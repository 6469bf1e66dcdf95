"""Reminder promises end to end: the confirmation names the minute it fires, at any hour.

The issue's table goes through the real webhook, queue and agent turn (offline model), as
`nudge text` sends it; the night case runs on a controlled clock in two timezones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import OccurrenceStatus, User
from nudge.reminders import engine
from nudge.reminders.engine import FireResult, ReminderDeps
from nudge.reminders.timeparse import describe
from nudge.sms.senders import LocalOutbox
from tests.support.conversation import conversation_stack


def _next_local(zone: ZoneInfo, at: time, after: datetime) -> datetime:
    """The first `at` wall time in `zone` at least two days after `after` (clocks only travel
    forward here: gRPC deadlines run on the real clock)."""
    day = (after + timedelta(days=2)).astimezone(zone).date()
    return datetime.combine(day, at, tzinfo=zone)


@pytest.mark.parametrize("zone_name", ["America/Toronto", "Asia/Tokyo"])
def test_at_3_37_am_in_1_minute_fires_at_3_38_as_confirmed(zone_name, store, settings, task_queue):
    zone = ZoneInfo(zone_name)
    night = _next_local(zone, time(3, 37), datetime.now(UTC))
    with time_machine.travel(night, tick=True) as clock:
        user = store.users.create(User(phone="+15555550123", name="Ana", timezone=zone_name))
        deps = ReminderDeps(
            store=store, queue=task_queue, sender=LocalOutbox(store.db), settings=settings
        )
        ctx = ToolContext(store=store, user=user, settings=settings, now=night, turn_id="t",
                          reminder_deps=deps)  # fmt: skip
        call = FunctionCall(
            name="set_reminder", args={"text": "take my meds", "when": "in 1 minute"}
        )
        result = registry.execute(call, ctx).response
        assert result["when"] == "today at 3:38 AM"
        assert result["text"] == "take your meds"
        [occ] = store.occurrences.list(user.id)
        assert occ.due_at.astimezone(zone) == night + timedelta(minutes=1)
        clock.move_to(occ.due_at)
        fired = engine.fire(deps, user_id=user.id, occurrence_id=occ.id, version=occ.version,
                            now=occ.due_at)  # fmt: skip
        assert fired == FireResult.sent
        sent = store.occurrences.require(user.id, occ.id)
        assert sent.status == OccurrenceStatus.sent and sent.due_at == occ.due_at
        assert sent.sent_at.astimezone(zone).strftime("%H:%M") == "03:38"


def _expected_day_of_month(today: date, day: int) -> date:
    found = today.replace(day=day) if today.day <= day else None
    if found is None:
        month = today.replace(day=1) + timedelta(days=32)
        found = month.replace(day=day)
    return found


def _next_date(today: date, month: int, day: int) -> date:
    found = date(today.year, month, day)
    return found if found >= today else date(today.year + 1, month, day)


def _clock_today_or_tomorrow(now_local: datetime, at: time) -> datetime | None:
    """None where the time passed within the hour (Nudge asks)."""
    zone = now_local.tzinfo
    today = datetime.combine(now_local.date(), at, tzinfo=zone)
    if today > now_local:
        return today
    if now_local - today < timedelta(hours=1):
        return None
    return today + timedelta(days=1)


def test_the_issue_table_over_the_phone(store, task_queue):
    zone = ZoneInfo("America/New_York")  # a new number's default timezone locally
    with conversation_stack(task_queue) as phone:
        now = datetime.now(UTC)
        local = now.astimezone(zone)
        today = local.date()
        nine = time(9)
        cases = [
            ("remind me on march 3 to renew the car registration",
             datetime.combine(_next_date(today, 3, 3), nine, tzinfo=zone)),
            ("remind me february 15 to pay rent",
             datetime.combine(_next_date(today, 2, 15), nine, tzinfo=zone)),
            ("remind me at 3 in the morning to take the pill",
             _clock_today_or_tomorrow(local, time(3))),
            ("remind me on the 24th to pay the phone bill",
             None if today.day == 24
             else datetime.combine(_expected_day_of_month(today, 24), nine, tzinfo=zone)),
            ("remind me at 7p to call mom", _clock_today_or_tomorrow(local, time(19))),
        ]  # fmt: skip
        for text, expected in cases:
            started = datetime.now(UTC)
            assert phone.text(text).status == 200
            replies = phone.wait_for_replies(since=started)
            assert len(replies) == 1, (text, replies)
            if expected is None:
                assert "?" in replies[0] and "I'll remind you" not in replies[0], replies[0]
            else:
                when = describe(expected.astimezone(UTC), "America/New_York", started)
                assert f"I'll remind you to {text.split(' to ', 1)[1]} {when}." in replies[0]
        user = store.users.find_by_phone("+15555550100")
        due = sorted(o.due_at.astimezone(zone) for o in store.occurrences.list(user.id))
        assert due == sorted(e for _, e in cases if e is not None)


def test_a_short_answer_completes_the_reminder_nudge_asked_about(store, task_queue):
    with conversation_stack(task_queue) as phone:
        started = datetime.now(UTC)
        phone.text("remind me to call the dentist")
        [question] = phone.wait_for_replies(since=started)
        assert question.startswith("When should I remind you?")

        started = datetime.now(UTC)
        phone.text("in 2 hours")
        [reply] = phone.wait_for_replies(since=started)
        assert "I'll remind you to call the dentist" in reply
        user = store.users.find_by_phone("+15555550100")
        [occ] = store.occurrences.list(user.id)
        assert started + timedelta(hours=2) <= occ.due_at <= datetime.now(UTC) + timedelta(hours=2)
        assert describe(occ.due_at, "America/New_York", started) in reply

        started = datetime.now(UTC)
        phone.text("remind me today to water the plants")
        [question] = phone.wait_for_replies(since=started)
        assert question.startswith("What time today?")
        started = datetime.now(UTC)
        phone.text("11:59pm")
        [reply] = phone.wait_for_replies(since=started)
        assert "I'll remind you to water the plants today at 11:59 PM." in reply
        user = store.users.find_by_phone("+15555550100")
        assert user.pending_reminder is None
        assert sorted(o.text for o in store.occurrences.list(user.id)) == [
            "call the dentist",
            "water the plants",
        ]
