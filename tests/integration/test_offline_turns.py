"""Offline conversations through the real agent turn and emulators: the list just shown,
the menu once, names and places in plain words, feelings, brain dumps, moved reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudge.conversation.turn import TurnDeps, TurnStatus, run_agent_turn
from nudge.llm.offline import OfflineModel
from nudge.models import Direction, Message, ReminderStatus, TaskStatus, User
from nudge.sms.senders import LocalOutbox

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Chat:
    """One person texting the offline model, a minute apart."""

    def __init__(self, store, settings, user, embedder, queue=None):
        self.store, self.user, self.count = store, user, 0
        self.deps = TurnDeps(
            store=store, settings=settings, model=OfflineModel(embedder=embedder),
            sender=LocalOutbox(store.db), embedder_factory=lambda: embedder, queue=queue,
        )  # fmt: skip

    @property
    def now(self):
        return NOW + timedelta(minutes=self.count)

    def send(self, body: str):
        self.count += 1
        sid = f"SM{self.user.id[:6]}{self.count:03d}"
        self.store.messages.add(
            self.user.id,
            Message(direction=Direction.inbound, body=body, created_at=self.now),
            doc_id=sid,
        )
        return sid, run_agent_turn(self.deps, user_id=self.user.id, message_id=sid, now=self.now)

    def say(self, body: str) -> str:
        _, outcome = self.send(body)
        assert outcome.status == TurnStatus.answered
        return outcome.reply or ""


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))


@pytest.fixture
def chat(store, settings, user, embedder):
    return Chat(store, settings, user, embedder)


def titles(store, user, status=TaskStatus.open):
    return sorted(t.title for t in store.tasks.list(user.id) if t.status == status)


def test_delete_number_1_drops_the_first_task_shown_once_and_only_theirs(
    store, settings, chat, user, embedder
):
    other = store.users.create(User(phone="+15555550199", name="Kim", timezone="Europe/Paris"))
    Chat(store, settings, other, embedder).say("todo: call the bank")
    chat.say("todo: call the bank")
    chat.say("todo: buy milk")
    listed = chat.say("whats on my list")
    first = listed.splitlines()[1].removeprefix("1. ")
    sid, outcome = chat.send("delete number 1")
    assert f'Dropped "{first}"' in (outcome.reply or "")
    again = run_agent_turn(chat.deps, user_id=user.id, message_id=sid, now=chat.now)
    assert again.status == TurnStatus.already_done  # a redelivery drops nothing more
    assert len(titles(store, user)) == 1 and first not in titles(store, user)
    assert titles(store, other) == ["call the bank"]  # another person's list is untouched


def test_the_menu_is_shown_at_most_once(chat):
    assert "simple mode" in chat.say("blorp")
    later = chat.say("zork")
    assert "simple mode" not in later and "help" in later


def test_a_name_in_the_first_text_ends_that_question(store, settings, embedder):
    newcomer = store.users.create(User(phone="+15555550123"))
    reply = Chat(store, settings, newcomer, embedder).say("hi im jordan")
    assert store.users.require(newcomer.id).name == "Jordan"
    assert "What should I call you?" not in reply
    assert "What city or timezone" in reply  # the next question rides along instead


def test_a_place_in_plain_words_sets_the_timezone(store, chat, user):
    chat.say("i live in manchester uk")
    assert store.users.require(user.id).timezone == "Europe/London"


def test_what_do_you_know_about_me_summarises_profile_and_memories(chat):
    chat.say("remember that my sister Anna's birthday is June 3")
    chat.say("remember I take my meds at 8")
    reply = chat.say("what do you know about me")
    assert "Sam" in reply and "America/Toronto" in reply
    assert "Anna's birthday is June 3" in reply and "you take your meds at 8" in reply


def test_a_brain_dump_becomes_several_tasks_and_one_numbered_reply(store, chat, user):
    reply = chat.say("brain dump: dentist, taxes, call nana, fix the bike light")
    assert titles(store, user) == ["call nana", "dentist", "fix the bike light", "taxes"]
    assert reply.startswith("Got all 4:\n1. dentist")
    assert "Start with 1" in reply


def test_feelings_get_a_warm_answer_and_bad_day_mode_ends_in_ordinary_words(store, chat, user):
    assert "simple mode" not in chat.say("I'm overwhelmed")
    chat.say("bad day")
    assert store.users.get_settings(user.id).energy == "bad_day"
    chat.say("feeling a bit better")
    assert store.users.get_settings(user.id).energy == "medium"


def test_bad_day_mode_never_shows_only_the_hardest_task(store, chat, user):
    for title in ("sort the garage", "do the taxes", "call the landlord", "clean the car"):
        chat.say(f"todo: {title}")
    chat.say("break down the taxes")
    chat.say("bad day")
    listed = chat.say("list")
    assert len([line for line in listed.splitlines() if line[:2] in ("1.", "2.", "3.")]) == 3
    assert "more can wait" in listed


def test_a_reminder_moves_to_a_new_time(store, settings, user, embedder, task_queue):
    chat = Chat(store, settings, user, embedder, queue=task_queue)
    chat.say("remind me tomorrow at 9am to call the bank")
    reply = chat.say("move the bank reminder to 5pm")
    assert reply.startswith("Moved. I'll remind you to call the bank")
    active = store.reminders.list(user.id, where=[("status", "==", ReminderStatus.active)])
    assert [r.text for r in active] == ["call the bank"]
    local = active[0].next_due_at.astimezone(ZoneInfo("America/Toronto"))
    assert (local.hour, local.minute) == (17, 0)
    assert "5:00 PM" in reply


def test_a_number_picks_that_item_never_a_look_alike(store, chat, user):
    chat.say("todo: call my mom back")
    chat.say("todo: call my mom")
    listed = chat.say("list").splitlines()
    second = listed[2].removeprefix("2. ")
    chat.say("delete number 2")
    [left] = titles(store, user)
    assert second.replace("your", "my") != left  # the one shown as 2 went, the other stayed
    assert titles(store, user, TaskStatus.dropped) == [second.replace("your", "my")]
