"""The ICS path against the real emulators: a texted link is sealed and synced through the
served calendar_sync function (queue `integrations`, and the cron fan-out), events are upserted
idempotently, deletions removed, failures told once. The provider is a local HTTP origin
serving real-world-shaped `.ics` files."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from emulators import stack
from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import Direction, Message, User
from nudge.models.events import CalendarLinkStatus, EventSource
from tests.conftest import clear_caches
from tests.support.calendar_feed import CALENDARS, ics_origin
from tests.support.serving import serve_function

GOOGLE = (CALENDARS / "google_export.ics").read_bytes()
NOW = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/New_York"))


@pytest.fixture
def deps(store, settings, task_queue):
    from nudge.calendar.sync import CalendarDeps
    from nudge.sms.senders import default_sender

    return CalendarDeps(store=store, queue=task_queue, sender=default_sender(), settings=settings)


def texted(store, user, body: str) -> ToolContext:
    """A tool context for a turn answering `body`, texted by the person."""
    from nudge.queue.client import default_task_queue
    from nudge.reminders.engine import ReminderDeps
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    message = store.messages.add(user.id, Message(direction=Direction.inbound, body=body))
    settings = get_settings()
    return ToolContext(
        store=store, user=store.users.require(user.id), settings=settings, now=NOW,
        turn_id="t", source_message_ids=[message.id],
        reminder_deps=ReminderDeps(store=store, queue=default_task_queue(),
                                   sender=default_sender(), settings=settings),
    )  # fmt: skip


def call(ctx, name, **args):
    return registry.execute(FunctionCall(name=name, args=args), ctx).response


def outbox_bodies(store) -> list[str]:
    return sorted(d.get("body") for d in store.db.collection("local_outbox").stream())


def link(store, user, url):
    """Link by the tool, then send the turn's reply as the turn would (the first sync's
    "linked" text waits for it)."""
    from nudge.conversation.reply_order import TURN_REPLY_ID
    from nudge.sms.outbound import deliver
    from nudge.sms.senders import default_sender

    ctx = texted(store, user, f"my calendar is {url}")
    result = call(ctx, "link_calendar", url=url)
    assert result["ok"] is True
    reply_id = TURN_REPLY_ID.format(turn_id=ctx.turn_id)
    deliver(store, default_sender(), ctx.user, "On it, reading your calendar now.",
            from_number="+15550001111", message_id=reply_id)  # fmt: skip
    return store.calendar_links.require(user.id, "ics")


def test_a_sync_upserts_idempotently_and_removes_what_the_feed_dropped(store, user, deps):
    from nudge.calendar.sync import sync_user

    with ics_origin({"basic.ics": GOOGLE}) as (feeds, base):
        stored_link = link(store, user, f"{base}/basic.ics")
        # The private link is a secret: sealed at rest, not stored in the clear.
        assert "basic.ics" not in str(stored_link.url_ciphertext)
        first = sync_user(deps, user.id, EventSource.ics, NOW)
        ids = sorted(e.id for e in store.events.list(user.id))
        again = sync_user(deps, user.id, EventSource.ics, NOW)  # a redelivered task
        # In the window (Oct 26 - Nov 17): 8 standups (the EXDATE out, the moved one in),
        # the birthday, the dentist, the London call; the cancelled yoga is left out.
        assert first.upserted == again.upserted == len(ids) == 11
        assert sorted(e.id for e in store.events.list(user.id)) == ids
        feeds["basic.ics"] = GOOGLE.replace(b"UID:1c4londoncall", b"UID:other-call").replace(
            b"SUMMARY:Call with the London office", b"SUMMARY:Call with Lisbon"
        )
        changed = sync_user(deps, user.id, EventSource.ics, NOW)
    titles = {e.title for e in store.events.list(user.id)}
    assert changed.deleted == 1
    assert "Call with Lisbon" in titles and "Call with the London office" not in titles
    assert store.calendar_links.require(user.id, "ics").status == CalendarLinkStatus.ok
    linked = [b for b in outbox_bodies(store) if b.startswith("Your calendar is linked")]
    assert linked == ["Your calendar is linked: 11 events in the next 21 days. Text \"what's on "
                      'today?" to see today.']  # fmt: skip


def test_a_dead_link_is_told_once_and_keeps_what_was_synced(store, user, deps):
    from nudge.calendar.sync import sync_user

    with ics_origin({"basic.ics": GOOGLE}) as (feeds, base):
        link(store, user, f"{base}/basic.ics")
        sync_user(deps, user.id, EventSource.ics, NOW)
        del feeds["basic.ics"]  # the person reset their private address: 404
        reports = [sync_user(deps, user.id, EventSource.ics, NOW) for _ in range(3)]
    assert [r.status for r in reports] == ["failed"] * 3
    failing = store.calendar_links.require(user.id, "ics")
    assert failing.status == CalendarLinkStatus.failing and failing.consecutive_failures == 3
    told = [b for b in outbox_bodies(store) if b.startswith("I couldn't read your calendar")]
    assert len(told) == 1 and "404" in told[0]
    assert len(store.events.list(user.id)) == 11


def test_a_link_not_in_the_persons_text_is_refused(store, user):
    ctx = texted(store, user, "what's on today?")
    result = call(ctx, "link_calendar", url="https://evil.example/calendar.ics")
    assert "error" in result
    assert store.calendar_links.get(user.id, "ics") is None


@pytest.fixture
def calendar_sync_url(task_queue):
    with serve_function("calendar_sync", stack.FUNCTIONS_DIR / "calendar_sync" / "main.py") as url:
        clear_caches()
        yield url


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    return predicate()


def test_texted_link_and_cron_tick_sync_through_the_queue(calendar_sync_url, store, user):
    from emulators.cron import fire, load_jobs
    from nudge.calendar.sample_server import SAMPLE_ICS
    from nudge.settings import get_settings

    with ics_origin({"basic.ics": SAMPLE_ICS.read_bytes()}) as (_, base):
        link(store, user, f"{base}/basic.ics")  # enqueues a sync on `integrations`
        synced = wait_for(lambda: store.calendar_links.require(user.id, "ics").last_synced_at)
        assert synced is not None
        assert {"Morning standup", "Lunch with Sam", "Project review"} <= {
            e.title for e in store.events.list(user.id)
        }
        jobs = {job.name: job for job in load_jobs()}
        before = synced
        status = fire(jobs["calendar-sync"], urls={"calendar_sync": calendar_sync_url},
                      secret=get_settings().task_secret.get_secret_value())  # fmt: skip
        assert status == 200
        resynced = wait_for(
            lambda: (store.calendar_links.require(user.id, "ics").last_synced_at or before) > before
        )
        assert resynced
    assert len([b for b in outbox_bodies(store) if "calendar is linked" in b]) == 1
