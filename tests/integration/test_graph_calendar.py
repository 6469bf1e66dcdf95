"""Outlook calendar sync through Microsoft Graph (answered at the HTTP boundary): a delta
round over pages, then changes and deletions; a time box created through Graph only after the
person's yes; Graph's 429 Retry-After honoured by a task at that time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emulators import stack
from nudge.models import Direction, Message, User, utcnow
from nudge.models.events import CalendarLinkStatus, EventSource
from tests.conftest import clear_caches
from tests.support.graph_calendar import GraphCalendar, graph_event
from tests.support.microsoft import (  # noqa: F401 - fixtures
    link_outlook,
    microsoft_fixture,
    oauth_url_fixture,
    respond,
)
from tests.support.serving import serve_function

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/New_York"))


@pytest.fixture
def outlook(microsoft):
    calendar = GraphCalendar()
    microsoft.graph = calendar
    return calendar


def tomorrow(hour: int, minute: int = 0) -> datetime:
    day = (utcnow() + timedelta(days=1)).astimezone(NEW_YORK).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def deps():
    from nudge.calendar.sync import CalendarDeps
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return CalendarDeps(store=None, queue=default_task_queue(), sender=default_sender(),
                        settings=get_settings())  # fmt: skip


def test_a_delta_round_then_changes_and_deletions(oauth_url, outlook, microsoft, store, user):
    from nudge.calendar.sync import sync_user

    link_outlook(store, user, microsoft)
    outlook.add(graph_event("AAMk-1", "1:1 with Dana", tomorrow(9), tomorrow(9, 30)))
    outlook.add(graph_event("AAMk-2", "Design review", tomorrow(11), tomorrow(12),
                            location={"displayName": "Conf Room 4"}))  # fmt: skip
    outlook.add(graph_event("AAMk-3", "Gym", tomorrow(17), tomorrow(18)))
    d = deps()
    d.store = store
    first = sync_user(d, user.id, EventSource.microsoft, utcnow())
    assert first.upserted == 3
    [_, path, query, headers] = outlook.requests[0]
    assert path == "/v1.0/me/calendarView/delta" and "startDateTime" in query
    assert headers["Prefer"].startswith('outlook.timezone="UTC"')
    assert any("$skiptoken" in q for _, _, q, _ in outlook.requests)  # two pages followed
    events = {e.external_id: e for e in store.events.list(user.id)}
    assert events["AAMk-2"].location == "Conf Room 4"
    assert events["AAMk-2"].start == tomorrow(11)
    assert events["AAMk-1"].web_link.startswith("https://outlook.office365.com/owa/")

    outlook.remove("AAMk-3")
    outlook.add(graph_event("AAMk-1", "1:1 with Dana (moved)", tomorrow(10), tomorrow(10, 30)))
    second = sync_user(d, user.id, EventSource.microsoft, utcnow())
    assert "$deltatoken" in outlook.requests[-1][2]  # only the changes were asked for
    assert (second.upserted, second.deleted) == (1, 1)
    events = {e.external_id: e for e in store.events.list(user.id)}
    assert set(events) == {"AAMk-1", "AAMk-2"}
    assert events["AAMk-1"].title == "1:1 with Dana (moved)"
    # A redelivered task repeats a round with no changes: nothing moves.
    third = sync_user(d, user.id, EventSource.microsoft, utcnow())
    assert (third.upserted, third.deleted) == (0, 0) and len(store.events.list(user.id)) == 2
    assert store.calendar_links.require(user.id, "microsoft").status == CalendarLinkStatus.ok


def test_a_time_box_is_created_in_outlook_only_after_yes(oauth_url, outlook, microsoft, store,
                                                         user):  # fmt: skip
    from nudge.agent.tools import ToolContext, registry
    from nudge.calendar.sync import sync_user
    from nudge.llm.types import FunctionCall
    from nudge.reminders.engine import ReminderDeps

    link_outlook(store, user, microsoft)
    outlook.add(graph_event("AAMk-1", "Planning", tomorrow(9), tomorrow(11)))
    d = deps()
    d.store = store
    sync_user(d, user.id, EventSource.microsoft, utcnow())

    def turn(body: str):
        message = store.messages.add(user.id, Message(direction=Direction.inbound, body=body))
        return ToolContext(
            store=store, user=store.users.require(user.id), settings=d.settings, now=utcnow(),
            turn_id="t", source_message_ids=[message.id],
            reminder_deps=ReminderDeps(store=store, queue=d.queue, sender=d.sender,
                                       settings=d.settings),
        )  # fmt: skip

    block = FunctionCall(
        name="block_time", args={"minutes": 60, "title": "taxes", "when": "tomorrow"}
    )
    proposed = registry.execute(block, turn("block 1 hour tomorrow for taxes")).response
    assert (proposed["from"], proposed["to"]) == ("11:15 AM", "12:15 PM")
    assert not [r for r in outlook.requests if r[0] == "POST"]  # nothing booked yet

    booked = registry.execute(FunctionCall(name="confirm_time_box"), turn("book it")).response
    assert booked["ok"] and booked["calendar"] == "Outlook"
    [post] = [r for r in outlook.requests if r[0] == "POST"]
    created = [e for e in outlook.events.values() if e["subject"] == "taxes"]
    assert len(created) == 1 and created[0]["start"]["dateTime"].startswith(
        tomorrow(11, 15).strftime("%Y-%m-%dT%H:%M")
    )
    [event] = [e for e in store.events.list(user.id) if e.title == "taxes"]
    assert event.source == EventSource.microsoft and event.task_id
    assert store.tasks.require(user.id, event.task_id).title == "taxes"
    assert [o.due_at for o in store.occurrences.list(user.id)] == [event.start]


def test_graph_throttling_waits_for_retry_after_through_the_queue(
    oauth_url,
    outlook,
    microsoft,
    store,
    user,
    task_queue,
):
    link_outlook(store, user, microsoft)
    outlook.add(graph_event("AAMk-1", "Planning", tomorrow(9), tomorrow(11)))
    outlook.throttle = [1]
    with serve_function("calendar_sync", stack.FUNCTIONS_DIR / "calendar_sync" / "main.py"):
        clear_caches()
        from nudge.calendar.sync import enqueue_sync
        from nudge.queue.client import default_task_queue
        from nudge.settings import get_settings

        enqueue_sync(default_task_queue(), get_settings(), user.id, EventSource.microsoft)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if store.calendar_links.require(user.id, "microsoft").status == CalendarLinkStatus.ok:
                break
            time.sleep(0.2)
    assert store.calendar_links.require(user.id, "microsoft").status == CalendarLinkStatus.ok
    throttled = [r for r in outlook.requests if r[0] == "GET"]
    assert len(throttled) >= 2  # the 429, then the retry the Retry-After scheduled
    assert [e.external_id for e in store.events.list(user.id)] == ["AAMk-1"]


def test_an_outlook_outage_is_told_once_and_the_sync_resumes(
    oauth_url, outlook, microsoft, store, user
):
    from nudge.calendar.sync import sync_user

    link_outlook(store, user, microsoft)
    outlook.add(graph_event("AAMk-1", "Planning", tomorrow(9), tomorrow(11)))
    d = deps()
    d.store = store
    down = outlook.__call__
    microsoft.graph = lambda request, *_: respond(request, 500, {"error": {
        "code": "generalException", "message": "General exception while processing."}})  # fmt: skip
    reports = [sync_user(d, user.id, EventSource.microsoft, utcnow()) for _ in range(4)]
    assert [r.status for r in reports] == ["failed"] * 4
    told = [b.to_dict()["body"] for b in store.db.collection("local_outbox").stream()]
    assert len([b for b in told if "haven't been able to reach your calendar" in b]) == 1
    microsoft.graph = down
    assert sync_user(d, user.id, EventSource.microsoft, utcnow()).status == "ok"
    assert store.calendar_links.require(user.id, "microsoft").status == CalendarLinkStatus.ok
