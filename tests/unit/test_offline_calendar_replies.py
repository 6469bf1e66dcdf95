"""The offline model's SMS replies for calendar and mail tool results."""

from __future__ import annotations

from nudge.llm.offline import OfflineModel
from nudge.llm.offline_calendar import describe_calendar
from nudge.llm.types import FunctionCall


def test_agenda_replies():
    assert describe_calendar("list_events", {"day": "today", "events": [],
                                             "calendar_linked": False}).startswith(
        "No calendar linked yet."
    )  # fmt: skip
    assert (
        describe_calendar(
            "list_events",
            {"day": "tomorrow", "date": "Wed Nov 4", "events": [], "calendar_linked": True},
        )
        == "Nothing on your calendar tomorrow. Open time!"
    )
    agenda = describe_calendar("list_events", {
        "day": "friday", "date": "Fri Nov 6", "calendar_linked": True, "more": 2,
        "events": [{"when": "all day", "title": "Dad's birthday"},
                   {"when": "9:30-10 AM", "title": "Standup", "location": "Room 4"}],
    })  # fmt: skip
    assert (
        agenda == "Fri Nov 6:\n- all day Dad's birthday\n- 9:30-10 AM Standup @ Room 4\n(+2 more)"
    )


def test_time_box_and_outlook_replies_go_through_the_offline_model():
    model = OfflineModel()
    proposal = {"proposed": True, "title": "taxes", "length": "2 hours", "day": "Wed Nov 4",
                "from": "2:15 PM", "to": "4:15 PM"}  # fmt: skip
    assert model._describe(FunctionCall(name="block_time"), proposal) == (
        "Wed Nov 4, 2:15 PM-4:15 PM is free for taxes (2 hours). Reply yes to book it."
    )
    not_set_up = {"ok": False, "message": "Outlook linking isn't set up on this Nudge yet."}
    assert (
        model._describe(FunctionCall(name="connect_outlook"), not_set_up) == (not_set_up["message"])
    )
    link = {"ok": True, "url": "https://x.example/oauth/start?t=abc", "minutes": 15}
    assert model._describe(FunctionCall(name="connect_outlook"), link) == (
        "Tap to connect Outlook (works once, for 15 minutes): https://x.example/oauth/start?t=abc"
    )


def test_what_now_mentions_the_next_event_or_the_one_under_way():
    soon = {"pick": "reply to Dana", "minutes": 20,
            "next_event": {"title": "Dentist", "at": "11:00 AM", "minutes_away": 60}}  # fmt: skip
    assert describe_calendar("what_now", soon) == (
        "Do this now: reply to Dana (about 20 min). You have 60 min before Dentist at 11:00 AM."
    )
    busy = {"pick": "reply to Dana", "minutes": None,
            "next_event": {"title": "Dentist", "until": "12:00 PM", "minutes_away": 0}}  # fmt: skip
    assert describe_calendar("what_now", busy) == (
        "You're in Dentist until 12:00 PM. After that: reply to Dana."
    )
    assert describe_calendar("what_now", {"pick": "x", "next_event": None}) is None


def test_leave_nudge_commands():
    from nudge.llm.offline_calendar import understand_calendar
    from nudge.llm.types import TurnFacts

    facts = TurnFacts(timezone="America/New_York")
    assert understand_calendar("remind me when to leave", facts).args == {"on": True}
    assert understand_calendar("leave reminders off", facts).args == {"on": False}
    reply = describe_calendar("set_leave_nudges", {"ok": True, "on": True, "minutes": 15})
    assert reply.startswith("Okay: I'll text you 15 minutes before events that have a place")
