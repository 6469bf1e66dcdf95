"""The issue's local walk-through over the phone (signed webhook, Cloud Tasks, offline agent
turn, calendar_sync): the sample calendar is texted, "what's on today?" lists its events,
"block 1 hour this afternoon for email" proposes a slot between them, "yes" books it, and
"what now" respects the next event."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from emulators import stack
from nudge.models.events import EventSource
from tests.support.calendar_feed import ics_origin
from tests.support.conversation import conversation_stack
from tests.support.serving import serve_function

NEW_YORK = ZoneInfo("America/New_York")


def _ten_am_in_two_days() -> datetime:
    # Clocks only travel forward (gRPC deadlines run on the real clock).
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(NEW_YORK).date()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def phone(task_queue):
    with contextlib.ExitStack() as stack_:
        stack_.enter_context(time_machine.travel(_ten_am_in_two_days(), tick=True))
        stack_.enter_context(
            serve_function("calendar_sync", stack.FUNCTIONS_DIR / "calendar_sync" / "main.py")
        )
        yield stack_.enter_context(conversation_stack(task_queue))


def exchange(phone, text: str, *, expect: int = 1) -> list[str]:
    started = datetime.now(UTC)
    assert phone.text(text).status == 200
    replies = phone.wait_for_replies(since=started, settle=1.0)
    assert len(replies) >= expect, (text, replies)
    return replies


def test_the_sample_calendar_over_the_phone(phone, store):
    from nudge.calendar.sample_server import SAMPLE_ICS

    exchange(phone, "my name is Sam")
    exchange(phone, "I'm in New York")
    with ics_origin({"basic.ics": SAMPLE_ICS.read_bytes()}) as (_, base):
        replies = exchange(phone, f"my calendar is {base}/basic.ics", expect=2)
    # The turn's "On it" goes first; the first sync's result waits for it.
    assert [r.split(" ", 1)[0] for r in replies] == ["On", "Your"]
    assert replies[1].startswith("Your calendar is linked:")

    [agenda] = exchange(phone, "what's on today?")
    assert agenda.splitlines()[1:] == [
        "- 9:30-10 AM Morning standup",
        "- 12:30-1:30 PM Lunch with Sam @ Corner Cafe",
        "- 3-3:45 PM Project review @ Room 4B",
    ]

    [proposal] = exchange(phone, "block 1 hour this afternoon for email")
    # Lunch ends 1:30 (+10 min buffer), the review starts 3:00 (-10): 1:45-2:45 fits.
    assert "is free for email (1 hour). Reply yes to book it." in proposal
    assert proposal.count("1:45 PM-2:45 PM") == 1
    user = store.users.find_by_phone("+15555550100")
    assert [e for e in store.events.list(user.id) if e.source == EventSource.local] == []

    # YES is a carrier opt-in keyword, but from someone not opted out it is an answer.
    [booked] = exchange(phone, "yes")
    assert booked.startswith("Booked: email,") and "1:45 PM-2:45 PM" in booked
    [event] = [e for e in store.events.list(user.id) if e.source == EventSource.local]
    assert event.start.astimezone(NEW_YORK).strftime("%H:%M") == "13:45"

    [advice] = exchange(phone, "what now")
    assert "before Lunch with Sam at 12:30 PM" in advice
