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


@pytest.mark.parametrize(
    ("text", "name", "place"),
    [
        ("Sam, Toronto", "Sam", "Toronto"),
        ("I'm Sam from Leeds", "Sam", "Leeds"),
        ("Ana in Madrid", "Ana", "Madrid"),
        ("my name is Priya, I live in Austin", "Priya", "Austin"),
        ("Sam Lee - New York", "Sam Lee", "New York"),
    ],
)
def test_a_name_and_a_place_in_one_answer_set_both(text, name, place):
    asked_name = NEW.model_copy(update={"awaiting": "name"})
    calls = [(c.name, c.args) for c in plan(text, asked_name).function_calls]
    assert calls == [("set_name", {"name": name}), ("set_timezone", {"timezone": place})]


@pytest.mark.parametrize("text", ["I'm in London", "Sam from work", "todo: milk, eggs"])
def test_what_is_not_a_name_and_a_place_is_read_as_before(text):
    asked_name = NEW.model_copy(update={"awaiting": "name"})
    calls = [c.name for c in plan(text, asked_name).function_calls]
    assert calls != ["set_name", "set_timezone"]


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


# -- plain language (issue 16) ---------------------------------------------------------------


def compose(text: str, results: list[tuple[str, dict]], facts: TurnFacts = KNOWN) -> str:
    """The reply the offline model writes after its tools answered `results`."""
    calls = plan(text, facts).function_calls
    request = ModelRequest(
        system_instruction="",
        facts=facts,
        messages=[
            ChatMessage(role="user", text=text),
            ChatMessage(role="model", function_calls=calls),
            ChatMessage(
                role="tool",
                function_results=[FunctionResult(name=n, response=r) for n, r in results],
            ),
        ],
    )
    return OfflineModel().generate(request).text


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        # Food and household shopping goes on the grocery list.
        ("ugh I need to buy milk", [("add_groceries", {"items": ["milk"]})]),
        ("ugh I need to buy a birthday card", [("add_task", {"title": "buy a birthday card"})]),
        (
            "buy milk, call mom and email the landlord about the leak",
            [
                ("add_groceries", {"items": ["milk"]}),
                ("add_task", {"title": "call mom"}),
                ("add_task", {"title": "email the landlord about the leak"}),
            ],
        ),
        (
            "don't let me forget to renew my passport",
            [("add_task", {"title": "renew my passport"})],
        ),
        ("take milk off my list", [("drop_task", {"title": "milk"})]),
        ("I'm overwhelmed, what should I do now?", [("what_now", {})]),
        (
            "where do I even start with the report",
            [("break_down_task", {"granularity": "normal", "title": "report"})],
        ),
        (
            "can you remind me in 2 hours to move the laundry",
            [("set_reminder", {"text": "move the laundry", "when": "in 2 hours"})],
        ),
        ("cancel the meds reminder", [("cancel_reminder", {"text": "meds"})]),
        ("move the bank reminder to 5pm", [("move_reminder", {"text": "bank", "when": "5pm"})]),
        ("my name is Sam", [("set_name", {"name": "Sam"})]),
        ("I live in Toronto", [("set_timezone", {"timezone": "Toronto"})]),
        ("i live in manchester uk", [("set_timezone", {"timezone": "manchester uk"})]),
        ("whats on my list", [("list_tasks", {})]),
        ("ugh snooze 10", [("snooze_reminder", {"minutes": 10})]),
        ("also remember my code is 4411", [("remember", {"content": "my code is 4411"})]),
        (
            "can u remind me at 6 to stretch",
            [("set_reminder", {"text": "stretch", "when": "at 6"})],
        ),
        (
            "lol no. remind me at 7 to take my meds",
            [("set_reminder", {"text": "take my meds", "when": "at 7"})],
        ),
        ("what do you know about me", [("about_me", {})]),
        ("feeling a bit better", [("set_energy", {"level": "medium"})]),
        ("good day", [("set_energy", {"level": "medium"})]),
        (
            "brain dump: dentist, taxes, call nana",
            [
                ("add_task", {"title": "dentist"}),
                ("add_task", {"title": "taxes"}),
                ("add_task", {"title": "call nana"}),
            ],
        ),
    ],
)
def test_plain_texts_become_the_right_calls(text, calls):
    assert [(c.name, c.args) for c in plan(text).function_calls] == calls


def test_a_name_in_the_first_text_is_taken():
    assert [(c.name, c.args) for c in plan("im sam", NEW).function_calls] == [
        ("set_name", {"name": "Sam"})
    ]
    first = plan("hi im jordan, remind me at 5 to call mom", NEW).function_calls
    assert [(c.name, c.args) for c in first] == [
        ("set_name", {"name": "Jordan"}),
        ("set_reminder", {"text": "call mom", "when": "at 5"}),
    ]
    assert plan("im tired", NEW).function_calls[0].name == "set_energy"  # not a name


@pytest.mark.parametrize(
    "text",
    [
        "I'm overwhelmed",
        "ok so i didnt do the taxes again and i feel like such a failure... sorry this is a lot",
        "thanks",
        "took them",
        "😊",
        "👍",
    ],
)
def test_feelings_and_thanks_get_words_not_the_menu(text):
    reply = plan(text)
    assert not reply.function_calls
    assert "simple mode" not in reply.text
    assert reply.text.count("?") <= 1  # at most one tiny offer


def test_the_menu_is_shown_once_then_one_line():
    first = plan("blorp")
    assert "simple mode" in first.text
    again = plan("blorp", KNOWN.model_copy(update={"recent_replies": [first.text]}))
    assert "simple mode" not in again.text and "help" in again.text


def test_number_1_is_the_first_item_of_the_list_just_shown():
    shown = KNOWN.model_copy(update={"recent_replies": ["Your list:\n1. buy milk\n2. call mom"]})
    assert [(c.name, c.args) for c in plan("delete number 1", shown).function_calls] == [
        ("drop_task", {"title": "buy milk"})
    ]
    assert plan("done 2", shown).function_calls[0].args == {"title": "call mom"}
    unknown = plan("delete number 1")  # no list shown: ask, never guess
    assert not unknown.function_calls and "Which one?" in unknown.text


def test_yes_accepts_the_offer_just_made():
    asked = plan("the thing with the car")
    assert not asked.function_calls and asked.text.startswith("Should I add")
    facts = KNOWN.model_copy(update={"recent_replies": [asked.text]})
    assert [(c.name, c.args) for c in plan("yes", facts).function_calls] == [
        ("add_task", {"title": "the thing with the car"})
    ]


def test_a_done_text_closes_the_reminder_that_just_fired():
    waiting = KNOWN.model_copy(update={"reminder_waiting": "call mum"})
    assert [c.name for c in plan("just called mum!!", waiting).function_calls] == ["reminder_done"]
    assert [c.name for c in plan("took them", waiting).function_calls] == ["reminder_done"]


def test_replies_turn_pronouns_around():
    reply = compose("todo: take my meds", [("add_task", {"ok": True, "title": "take my meds"})])
    assert "take your meds" in reply and "take my meds" not in reply


def test_a_brain_dump_is_confirmed_in_one_numbered_reply_offering_a_start():
    results = [("add_task", {"ok": True, "title": t}) for t in ("dentist", "taxes", "call nana")]
    reply = compose("brain dump: dentist, taxes, call nana", results)
    assert reply.startswith("Got all 3:\n1. dentist\n2. taxes\n3. call nana\nStart with 1")


def test_what_do_you_know_about_me_summarises_profile_and_memories():
    about = {
        "name": "Sam",
        "timezone": "America/Toronto",
        "open_tasks": 2,
        "memories": ["my sister Anna's birthday is June 3", "I take meds at 8"],
    }
    reply = compose("what do you know about me", [("about_me", about)])
    assert "Sam" in reply and "America/Toronto" in reply
    assert "your sister Anna's birthday is June 3" in reply and "you take meds at 8" in reply


def test_overwhelmed_with_a_question_gets_warmth_and_one_pick():
    pick = {"pick": "reply to Dana", "minutes": 5}
    reply = compose("I'm overwhelmed, what should I do now?", [("what_now", pick)])
    assert reply.startswith("That sounds like a lot")
    assert "Do this now: reply to Dana" in reply
    assert "simple mode" not in reply


def test_lists_do_not_all_end_the_same_way():
    endings = {
        compose(
            "list", [("list_tasks", {"tasks": [{"title": f"t{i}"} for i in range(n)]})]
        ).splitlines()[-1]
        for n in (2, 3, 4)
    }
    assert len(endings) == 3


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("manchester uk", "Europe/London"),
        ("Portland, Oregon", "America/Los_Angeles"),
        ("glasgow scotland", "Europe/London"),
        ("paris france", "Europe/Paris"),
    ],
)
def test_places_resolve_through_the_gazetteer(text, zone):
    assert resolve_timezone(text) == zone


def test_a_bare_number_answers_which_task():
    facts = KNOWN.model_copy(
        update={
            "recent_replies": ["Your list:\n1. buy milk\n2. call mom", "Which task should I drop?"]
        }
    )
    assert [(c.name, c.args) for c in plan("1", facts).function_calls] == [
        ("drop_task", {"title": "buy milk"})
    ]


def test_a_hard_moment_gets_no_onboarding_question_on_top():
    reply = plan("I'm overwhelmed", NEW).text
    assert "What should I call you?" not in reply and reply.count("?") == 1


def test_an_unclear_statement_gets_one_short_question_not_an_offer_to_add_it():
    reply = plan("i'm back from the thing").text
    assert reply.count("?") == 1 and "Should I add" not in reply


@pytest.mark.parametrize("text", ["ok so", "quick question", "so um"])
def test_an_opener_that_cannot_stand_alone_is_answered_with_go_on_not_the_menu(text):
    reply = plan(text)
    assert not reply.function_calls
    assert reply.text == "I'm listening, go on."


def test_the_name_question_is_asked_once_in_a_few_replies_not_on_every_one():
    from nudge.llm.types import ASK_NAME, ASK_TIMEZONE

    assert ASK_NAME in plan("blorp", NEW).text
    asked = NEW.model_copy(update={"recent_replies": [f"Added it.\n{ASK_NAME}", "Done."]})
    assert ASK_NAME not in plan("blorp", asked).text  # asked two replies ago: not again yet
    later = NEW.model_copy(update={"recent_replies": ["Added it.", "Done.", "Ok.", "Sure."]})
    assert ASK_NAME in plan("blorp", later).text  # four replies without it: asked again
    named = TurnFacts(user_name="Sam", timezone="America/New_York")
    assert ASK_TIMEZONE in plan("blorp", named).text
    zone_asked = named.model_copy(update={"recent_replies": [ASK_TIMEZONE]})
    assert ASK_TIMEZONE not in plan("blorp", zone_asked).text


@pytest.mark.parametrize("text", ["qs good", "ok thanks", "sounds good", "all good"])
def test_a_short_reply_after_the_name_question_is_not_taken_for_a_name(text):
    asked_name = NEW.model_copy(update={"awaiting": "name"})
    assert [c.name for c in plan(text, asked_name).function_calls] != ["set_name"]


def test_a_name_is_awaited_only_while_a_recent_reply_asked_for_it():
    from nudge.agent.context import RECENT_REPLIES, _awaiting
    from nudge.llm.types import ASK_NAME
    from nudge.models import Direction, Message, User

    def said(direction, body):
        return Message(user_id="u1", direction=direction, body=body)

    user = User(phone="+15555550100")
    asked = [said(Direction.inbound, "hi"), said(Direction.outbound, f"Hi!\n{ASK_NAME}")]
    assert _awaiting(user, asked) == "name"
    later = asked + [said(Direction.outbound, "Added it.")] * RECENT_REPLIES
    assert _awaiting(user, later) is None
    assert _awaiting(user.model_copy(update={"name": "Sam"}), asked) is None
