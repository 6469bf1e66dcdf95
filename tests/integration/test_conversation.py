"""The whole conversation path against the real emulators: signed webhook in, Cloud Tasks,
agent turn (offline model), reply in the local outbox."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudge.conversation.bursts import BURST_GAP
from tests.support.conversation import conversation_stack


@pytest.fixture
def phone(task_queue):
    with conversation_stack(task_queue) as phone:
        yield phone


def agent_logs(store, phone_number="+15555550100"):
    user = store.users.find_by_phone(phone_number)
    return store.agent_logs.list(user.id) if user else []


def test_todo_then_list(phone, store):
    started = datetime.now(UTC)
    assert phone.text("todo: renew passport").status == 200
    [reply] = phone.wait_for_replies(since=started)
    assert 'added "renew passport"' in reply
    assert "What should I call you?" in reply  # onboarding rides along

    started = datetime.now(UTC)
    phone.text("what's on my list?")
    [reply] = phone.wait_for_replies(since=started)
    assert "1. renew passport" in reply

    user = store.users.find_by_phone("+15555550100")
    assert [t.title for t in store.tasks.open_tasks(user.id)] == ["renew passport"]
    logs = agent_logs(store)
    assert len(logs) == 2
    assert {log.model for log in logs} == {"offline"}
    assert sorted(tool for log in logs for tool in log.tools_called) == ["add_task", "list_tasks"]


def test_duplicate_message_sid_gives_one_turn_and_one_reply(phone, store, settings):
    import requests
    from twilio.request_validator import RequestValidator

    form = {
        "MessageSid": "SM" + "d" * 32,
        "From": "+15555550100",
        "To": settings.twilio_from_number,
        "Body": "todo: water plants",
        "NumMedia": "0",
    }
    signature = RequestValidator(settings.twilio_auth_token.get_secret_value()).compute_signature(
        phone.settings().public_base_url, form
    )
    started = datetime.now(UTC)
    url = phone.settings().function_url("sms_webhook")
    for _ in range(2):
        response = requests.post(
            url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10
        )
        assert response.status_code == 200
    assert len(phone.wait_for_replies(since=started, settle=3)) == 1
    user = store.users.find_by_phone("+15555550100")
    assert len(store.tasks.open_tasks(user.id)) == 1
    assert len(store.agent_logs.list(user.id)) == 1
    assert len([m for m in store.messages.list(user.id) if m.direction == "inbound"]) == 1


def test_a_burst_of_three_texts_gets_one_turn_that_sees_all_three(phone, store):
    started = datetime.now(UTC)
    for body in ("todo: call mom", "todo: buy stamps", "what's on my list?"):
        assert phone.text(body).status == 200
    replies = phone.wait_for_replies(since=started, settle=3)
    assert len(replies) == 1
    assert "call mom" in replies[0] and "buy stamps" in replies[0]
    [log] = agent_logs(store)
    # Each text acted on once. (The order of the calls can differ: a turn that lost a
    # transaction race hands its texts back and the turn that answers takes them later.)
    assert log.tools_called.count("add_task") == 2 and "list_tasks" in log.tools_called
    user = store.users.find_by_phone("+15555550100")
    assert sorted(t.title for t in store.tasks.open_tasks(user.id)) == ["buy stamps", "call mom"]
    assert store.messages.unanswered_inbound(user.id) == []


def test_a_burst_that_opens_unfinished_waits_for_the_rest_and_answers_all_of_it(phone, store):
    # Texts 1.2 s apart: past the short settle window, but "ok so" reads as unfinished, so the
    # reply waits; once a burst is under way the long window covers the third text too.
    phone.text("todo: water plants")  # a first turn (onboarding, warm-up) well before
    phone.wait_for_replies(since=datetime(2000, 1, 1, tzinfo=UTC))
    time.sleep(BURST_GAP.total_seconds())
    started = datetime.now(UTC)
    for body in ("ok so", "remind me to call mom in 2 days at 5pm", "oh and todo: laundry"):
        assert phone.text(body).status == 200
        time.sleep(1.2)
    replies = phone.wait_for_replies(since=started, settle=4)
    assert len(replies) == 1
    assert "laundry" in replies[0] and "call mom" in replies[0]
    user = store.users.find_by_phone("+15555550100")
    assert {t.title for t in store.tasks.open_tasks(user.id)} == {"water plants", "laundry"}
    assert [r.text for r in store.reminders.list(user.id)] == ["call mom"]


def test_stop_then_nothing_is_sent_and_start_opts_back_in(phone, store, settings):
    from nudge.models import UserStatus
    from nudge.sms.outbound import deliver
    from nudge.sms.senders import default_sender

    phone.text("hello")
    phone.wait_for_replies(since=datetime(2000, 1, 1, tzinfo=UTC))
    sent = phone.text("STOP")
    assert sent.twiml_replies[-1].startswith("(Twilio) You have successfully been unsubscribed")
    user = store.users.find_by_phone("+15555550100")
    assert user.status == UserStatus.opted_out

    before = len(phone.replies())
    # A reminder (or any proactive message) attempted now sends nothing.
    assert (
        deliver(
            store,
            default_sender(),
            user,
            "Time to drink water",
            from_number="+1555",
            message_id="reminder-1",
            kind="reminder",
        )
        is None
    )
    phone.text("are you still there?")
    time.sleep(3)
    assert len(phone.replies()) == before

    phone.text("START")
    assert store.users.require(user.id).status == UserStatus.active
    started = datetime.now(UTC)
    phone.text("todo: stretch")
    replies = phone.wait_for_replies(since=started)
    assert len(replies) == 1 and "stretch" in replies[0]
    # What was sent while opted out is not answered later, and the keywords are not read as
    # words of the next text ("Nice to meet you, Stop!").
    assert replies[0].startswith('Got it, added "stretch"'), replies[0]
    assert "Stop" not in replies[0] and "Start" not in replies[0]


def test_help_is_answered_immediately(phone, store):
    sent = phone.text("help")
    assert len(sent.twiml_replies) == 1
    assert "todo:" in sent.twiml_replies[0] and "STOP" in sent.twiml_replies[0]


def test_unknown_sender_open_policy_welcomes_and_onboards(phone, store):
    started = datetime.now(UTC)
    phone.text("hi there", from_number="+15555550177")
    [reply] = phone.wait_for_replies("+15555550177", since=started)
    assert "What should I call you?" in reply
    started = datetime.now(UTC)
    phone.text("Robin", from_number="+15555550177")
    [reply] = phone.wait_for_replies("+15555550177", since=started)
    assert "Robin" in reply and "timezone" in reply
    started = datetime.now(UTC)
    phone.text("Berlin", from_number="+15555550177")
    [reply] = phone.wait_for_replies("+15555550177", since=started)
    assert "Europe/Berlin" in reply
    user = store.users.find_by_phone("+15555550177")
    assert (user.name, user.timezone, user.onboarding) == ("Robin", "Europe/Berlin", "done")


def test_unknown_sender_invite_only_is_refused_politely_and_nothing_is_stored(
    phone, store, monkeypatch
):
    from tests.conftest import clear_caches

    monkeypatch.setenv("NUDGE_UNKNOWN_SENDER_POLICY", "invite-only")
    clear_caches()
    sent = phone.text("todo: something", from_number="+15555550188")
    assert sent.status == 200
    assert "invite-only" in sent.twiml_replies[0]
    assert store.users.find_by_phone("+15555550188") is None
    assert store.users.list_ids() == []


def test_remember_then_recall_without_gemini(phone):
    started = datetime.now(UTC)
    phone.text("remember that my sister Anna's birthday is June 3")
    assert "remember" in phone.wait_for_replies(since=started)[0].lower()
    started = datetime.now(UTC)
    phone.text("when is Anna's birthday?")
    [reply] = phone.wait_for_replies(since=started)
    assert "June 3" in reply


def test_remind_me_then_snooze_without_gemini(phone, store):
    started = datetime.now(UTC)
    phone.text("remind me in 1 minute to drink water")
    [reply] = phone.wait_for_replies(since=started)
    assert reply.startswith("Okay! I'll remind you to drink water today at ")
    user = store.users.find_by_phone("+15555550100")
    [occurrence] = store.occurrences.list(user.id)
    local = occurrence.due_at.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%-I:%M %p") in reply  # the local time it will fire

    started = datetime.now(UTC)
    phone.text("snooze 10")
    [reply] = phone.wait_for_replies(since=started)
    assert reply.startswith("Snoozed. I'll remind you to drink water")
    moved = [o for o in store.occurrences.list(user.id) if o.status == "scheduled"]
    assert [o.due_at for o in moved] == [occurrence.due_at + timedelta(minutes=10)]
    [log] = [entry for entry in store.agent_logs.list(user.id) if entry.model == "shortcut"]
    assert log.tools_called == ["quick_reply"]


def test_an_ambiguous_time_gets_a_question(phone, store):
    started = datetime.now(UTC)
    phone.text("remind me to call the bank")
    [reply] = phone.wait_for_replies(since=started)
    assert "When should I remind you?" in reply
    user = store.users.find_by_phone("+15555550100")
    assert store.occurrences.list(user.id) == []
