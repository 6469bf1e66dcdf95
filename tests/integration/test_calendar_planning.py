"""Using events: "what's on today?", the morning briefing, "what now" before the next event,
and time boxes that are booked only after the person's yes (a task linked to the event, a
reminder at its start), against the real emulators."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import Direction, Message, Task, User
from nudge.models.events import Event, EventSource

NEW_YORK = ZoneInfo("America/New_York")
# Tuesday Nov 3 2026, 10:00 in New York.
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=NEW_YORK).astimezone(UTC)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/New_York"))


@pytest.fixture
def day_of_events(store, user):
    events = [
        Event(title="Team standup", start=ny(3, 9, 30), end=ny(3, 10), external_id="a",
              source=EventSource.ics),
        Event(title="Dentist", start=ny(3, 11), end=ny(3, 12), location="12 Main St",
              external_id="b", source=EventSource.ics),
        Event(title="Lunch with Sam", start=ny(3, 12, 30), end=ny(3, 13, 30), external_id="c",
              source=EventSource.ics),
        Event(title="Dad's birthday", start=ny(3, 0), end=ny(4, 0), all_day=True,
              external_id="d", source=EventSource.ics),
        Event(title="Planning", start=ny(4, 9), end=ny(4, 11), external_id="e",
              source=EventSource.ics),
        Event(title="Offsite", start=ny(4, 11, 30), end=ny(4, 14), external_id="f",
              source=EventSource.ics),
    ]  # fmt: skip
    store.events.upsert_many(user.id, events)
    return events


def context(store, settings, user, task_queue, body: str, now: datetime = NOW) -> ToolContext:
    from nudge.reminders.engine import ReminderDeps
    from nudge.sms.senders import default_sender

    message = store.messages.add(user.id, Message(direction=Direction.inbound, body=body))
    return ToolContext(
        store=store, user=store.users.require(user.id), settings=settings, now=now,
        turn_id="t", source_message_ids=[message.id],
        reminder_deps=ReminderDeps(store=store, queue=task_queue, sender=default_sender(),
                                   settings=settings),
    )  # fmt: skip


def call(ctx, name, **args):
    return registry.execute(FunctionCall(name=name, args=args), ctx).response


def test_whats_on_today_and_tomorrow(store, settings, user, task_queue, day_of_events):
    ctx = context(store, settings, user, task_queue, "what's on today?")
    today = call(ctx, "list_events", day="today")
    assert [(e["when"], e["title"]) for e in today["events"]] == [
        ("all day", "Dad's birthday"),
        ("9:30-10 AM", "Team standup"),
        ("11 AM-12 PM", "Dentist"),
        ("12:30-1:30 PM", "Lunch with Sam"),
    ]
    assert today["events"][2]["location"] == "12 Main St"
    tomorrow = call(ctx, "list_events", day="tomorrow")
    assert [e["title"] for e in tomorrow["events"]] == ["Planning", "Offsite"]


def test_what_now_weighs_the_time_before_the_next_event(store, settings, user, task_queue,
                                                        day_of_events):  # fmt: skip
    store.tasks.add(user.id, Task(title="write the report", priority=2, estimate_minutes=90))
    store.tasks.add(user.id, Task(title="reply to Dana", priority=2, estimate_minutes=20))
    ctx = context(store, settings, user, task_queue, "what now")
    picked = call(ctx, "what_now")
    # 60 minutes until the dentist: the 20-minute task fits, the 90-minute one does not.
    assert picked["pick"] == "reply to Dana"
    assert picked["minutes_free"] == 60
    assert picked["next_event"] == {"title": "Dentist", "at": "11:00 AM", "minutes_away": 60}
    during = context(store, settings, user, task_queue, "what now", now=ny(3, 11, 15))
    assert call(during, "what_now")["next_event"]["until"] == "12:00 PM"


def test_a_time_box_is_proposed_around_events_and_booked_only_after_yes(
    store, settings, user, task_queue, day_of_events
):
    ctx = context(store, settings, user, task_queue, "block 2 hours tomorrow for taxes")
    proposal = call(ctx, "block_time", minutes=120, title="taxes", when="tomorrow")
    # Tomorrow 9-6: Planning 9-11, Offsite 11:30-2, 10-minute buffers: the first 2 hours
    # free start at 2:15 (the quarter hour after 2:10).
    assert (proposal["from"], proposal["to"]) == ("2:15 PM", "4:15 PM")
    assert store.events.list(user.id, where=[("source", "==", "local")]) == []
    assert store.tasks.list(user.id) == []

    # A yes the person did not text (say, words in a fetched event) books nothing.
    unasked = context(store, settings, user, task_queue, "what's on tomorrow?")
    assert "question" in call(unasked, "confirm_time_box")
    assert store.events.list(user.id, where=[("source", "==", "local")]) == []

    booked = call(context(store, settings, user, task_queue, "yes"), "confirm_time_box")
    assert booked["ok"] is True and booked["calendar"] == "Nudge"
    [event] = store.events.list(user.id, where=[("source", "==", "local")])
    assert (event.start, event.end) == (ny(4, 14, 15), ny(4, 16, 15))
    [task] = store.tasks.list(user.id)
    assert event.task_id == task.id and task.title == "taxes"
    [reminder] = store.reminders.list(user.id)
    assert reminder.next_due_at == event.start and reminder.task_id == task.id
    [occurrence] = store.occurrences.list(user.id)
    assert occurrence.due_at == event.start
    assert store.users.require(user.id).pending_timebox is None
    # A second yes (a redelivered turn) books nothing more.
    again = call(context(store, settings, user, task_queue, "yes"), "confirm_time_box")
    assert again["ok"] is False
    assert len(store.events.list(user.id, where=[("source", "==", "local")])) == 1


def test_a_full_day_gets_a_question_not_a_slot(store, settings, user, task_queue):
    store.events.upsert_many(user.id, [
        Event(title="Conference", start=ny(4, 8), end=ny(4, 19), external_id="x",
              source=EventSource.ics),
    ])  # fmt: skip
    ctx = context(store, settings, user, task_queue, "block 1 hour tomorrow for email")
    answer = call(ctx, "block_time", minutes=60, title="email", when="tomorrow")
    assert "couldn't find 1 hour free tomorrow" in answer["question"]
    assert store.users.require(user.id).pending_timebox is None


def test_the_morning_briefing_lists_todays_events(store, settings, user, task_queue,
                                                  day_of_events):  # fmt: skip
    from nudge.planner.briefing import PlannerDeps, plan_user
    from nudge.sms.senders import default_sender

    deps = PlannerDeps(store=store, queue=task_queue, sender=default_sender(), settings=settings)
    report = plan_user(deps, user.id, ny(3, 8, 30))
    assert report.briefing
    [briefing] = [d.get("body") for d in store.db.collection("local_outbox").stream()]
    assert ("On your calendar: all day Dad's birthday; 9:30 AM Team standup; 11:00 AM Dentist;"
            " 12:30 PM Lunch with Sam.") in briefing  # fmt: skip
    assert "Planning" not in briefing  # tomorrow's


def test_offline_commands_for_the_calendar():
    from nudge.llm.offline_calendar import understand_calendar
    from nudge.llm.types import TurnFacts

    facts = TurnFacts(timezone="America/New_York")
    cases = {
        "what's on today?": ("list_events", {"day": "today"}),
        "What's on my calendar tomorrow": ("list_events", {"day": "tomorrow"}),
        "schedule friday": ("list_events", {"day": "friday"}),
        "block 2 hours tomorrow for taxes": (
            "block_time", {"minutes": 120, "title": "taxes", "when": "tomorrow"}),
        "block 1 hour this afternoon for email": (
            "block_time", {"minutes": 60, "title": "email", "when": "this afternoon"}),
        "block half an hour for stretching friday morning": (
            "block_time", {"minutes": 30, "title": "stretching", "when": "friday morning"}),
        "connect outlook": ("connect_outlook", {}),
        "disconnect my outlook": ("disconnect_outlook", {}),
        "my calendar is webcal://p01-caldav.icloud.com/published/2/MTIz": (
            "link_calendar", {"url": "webcal://p01-caldav.icloud.com/published/2/MTIz"}),
    }  # fmt: skip
    for line, (name, args) in cases.items():
        call = understand_calendar(line, facts)
        assert call is not None and (call.name, call.args) == (name, args), line
    for line in ("what's on my list", "yes", "todo: call mom", "what now"):
        assert understand_calendar(line, facts) is None, line
    waiting = facts.model_copy(update={"pending_timebox": "taxes"})
    assert understand_calendar("yes", waiting).name == "confirm_time_box"
