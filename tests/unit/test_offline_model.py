"""The offline model: plain commands become tool calls; results become a short SMS."""

from __future__ import annotations

import pytest

from nudge.llm.offline import OfflineModel
from nudge.llm.types import ChatMessage, FunctionCall, FunctionResult, ModelRequest, TurnFacts
from nudge.timezones import resolve_timezone

KNOWN = TurnFacts(user_name="Sam", timezone="America/Toronto", timezone_known=True)
NEW = TurnFacts(timezone="America/New_York")


def plan(text: str, facts: TurnFacts = KNOWN):
    request = ModelRequest(
        system_instruction="", messages=[ChatMessage(role="user", text=text)], facts=facts
    )
    return OfflineModel().generate(request)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("todo: renew passport", "add_task", {"title": "renew passport"}),
        ("TODO renew passport", "add_task", {"title": "renew passport"}),
        ("add buy milk to my list", "add_task", {"title": "buy milk"}),
        ("I need to call the bank", "add_task", {"title": "call the bank"}),
        ("what's on my list?", "list_tasks", {}),
        ("list", "list_tasks", {}),
        ("done passport", "complete_task", {"title": "passport"}),
        ("done", "complete_task", {}),
        (
            "remember that my sister Anna's birthday is June 3",
            "remember",
            {"content": "my sister Anna's birthday is June 3"},
        ),
        ("what do you know about Anna", "recall", {"query": "Anna"}),
        ("when is Anna's birthday?", "recall", {"query": "when is Anna's birthday"}),
        (
            "what app do I use to track runs?",
            "recall",
            {"query": "what app do I use to track runs"},
        ),
        (
            "where did I use to live?",
            "recall",
            {"query": "where did I use to live", "include_past": True},
        ),
        ("my timezone is Europe/Berlin", "set_timezone", {"timezone": "Europe/Berlin"}),
        ("I moved to Toronto", "set_timezone", {"timezone": "Toronto"}),
        ("call me Sammy", "set_name", {"name": "Sammy"}),
    ],
)
def test_commands_become_tool_calls(text, name, args):
    reply = plan(text)
    assert [(c.name, c.args) for c in reply.function_calls] == [(name, args)]


def test_each_line_of_a_burst_is_understood():
    reply = plan("todo: a\ntodo: b\nwhat's on my list?")
    assert [c.name for c in reply.function_calls] == ["add_task", "add_task", "list_tasks"]


def test_onboarding_answers_are_understood_only_when_asked_for():
    asked_name = NEW.model_copy(update={"awaiting": "name"})
    assert plan("Sam", asked_name).function_calls[0].args == {"name": "Sam"}
    assert not plan("Sam", NEW).function_calls  # a first word is not taken as a name
    asked_zone = TurnFacts(user_name="Sam", timezone="America/New_York", awaiting="timezone")
    assert plan("Berlin", asked_zone).function_calls[0].args == {"timezone": "Berlin"}


def test_unknown_text_gets_a_helpful_reply_and_the_onboarding_question():
    reply = plan("blorp", NEW)
    assert not reply.function_calls
    assert "todo:" in reply.text
    assert "What should I call you?" in reply.text


def test_results_are_composed_into_one_short_reply():
    request = ModelRequest(
        system_instruction="",
        facts=KNOWN,
        messages=[
            ChatMessage(role="user", text="todo: a\nwhat's on my list?"),
            ChatMessage(
                role="model", function_calls=plan("todo: a\nwhat's on my list?").function_calls
            ),
            ChatMessage(
                role="tool",
                function_results=[
                    FunctionResult(name="add_task", response={"ok": True, "title": "a"}),
                    FunctionResult(name="list_tasks", response={"tasks": [{"title": "a"}]}),
                ],
            ),
        ],
    )
    text = OfflineModel().generate(request).text
    assert text.startswith('Got it, added "a" to your list.')
    assert "1. a" in text


def test_recall_offers_only_close_memories():
    def recalled(distance):
        request = ModelRequest(
            system_instruction="",
            facts=KNOWN,
            messages=[
                ChatMessage(role="user", text="are you there?"),
                ChatMessage(role="model", function_calls=plan("are you there?").function_calls),
                ChatMessage(
                    role="tool",
                    function_results=[
                        FunctionResult(
                            name="recall",
                            response={
                                "memories": [
                                    {
                                        "content": "I take meds at 8",
                                        "date": "2026-11-01",
                                        "distance": distance,
                                    }
                                ]
                            },
                        )
                    ],
                ),
            ],
        )
        return OfflineModel().generate(request).text

    assert "I take meds at 8" in recalled(0.3)
    assert "I take meds at 8" not in recalled(0.9)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Toronto", "America/Toronto"),
        ("toronto, canada", "America/Toronto"),
        ("PST", "America/Los_Angeles"),
        ("San Francisco", "America/Los_Angeles"),
        ("New York", "America/New_York"),
        ("UTC", "Etc/UTC"),
        ("Blorptown", None),  # (Atlantis is a real town in South Africa)
    ],
)
def test_timezones_resolve_from_what_people_type(text, zone):
    assert resolve_timezone(text) == zone


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        (
            "remind me in 1 minute to drink water",
            "set_reminder",
            {"text": "drink water", "when": "in 1 minute"},
        ),
        ("remind me to call mom at 5", "set_reminder", {"text": "call mom", "when": "at 5"}),
        ("my reminders", "list_reminders", {}),
        ("cancel the reminder about rent", "cancel_reminder", {"text": "rent"}),
        ("snooze 15", "snooze_reminder", {"minutes": 15}),
        ("later", "snooze_reminder", {"minutes": 30}),
        ("what should I do now?", "what_now", {}),
        ("break it down", "break_down_task", {"granularity": "normal"}),
        ("smaller steps", "break_down_task", {"granularity": "smaller"}),
        ("I'm having a bad day", "set_energy", {"level": "bad_day"}),
        ("goal: run a 5k", "add_goal", {"title": "run a 5k"}),
        ("drop it", "drop_task", {}),
        ("drop the garage", "drop_task", {"title": "garage"}),
    ],
)
def test_planning_and_reminder_commands(text, name, args):
    assert [(c.name, c.args) for c in plan(text).function_calls] == [(name, args)]


def test_a_question_about_the_past_is_answered_with_the_past_and_says_so():
    call = FunctionCall(
        name="recall", args={"query": "where did I use to live", "include_past": True}
    )
    found = {
        "memories": [
            {"content": "I live in Toronto", "date": "2026-11-20", "distance": 0.2},
            {
                "content": "I live in Boston",
                "date": "2026-03-02",
                "distance": 0.25,
                "no_longer_true_since": "2026-11-20",
            },
        ]
    }
    request = ModelRequest(
        system_instruction="",
        messages=[
            ChatMessage(role="user", text="where did I use to live?"),
            ChatMessage(role="model", function_calls=[call]),
            ChatMessage(
                role="tool", function_results=[FunctionResult(name="recall", response=found)]
            ),
        ],
        facts=KNOWN,
    )
    reply = OfflineModel().generate(request).text
    assert reply == "You told me (2026-03-02, no longer true since 2026-11-20): I live in Boston"
