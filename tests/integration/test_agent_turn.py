"""The agent turn against the real Firestore emulator, with Gemini scripted at HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudge.conversation.turn import TurnDeps, TurnStatus, run_agent_turn
from nudge.llm.fallback import FallbackModel
from nudge.llm.offline import OfflineModel
from nudge.llm.types import FunctionCall, ModelReply, ModelRequest
from nudge.models import Direction, Message, User
from nudge.sms.senders import LocalOutbox
from tests.support.gemini_api import (
    ScriptedGeminiApi,
    error_response,
    function_call_response,
    gemini_model,
    text_response,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))


def inbound(store, user, body, sid, at=NOW):
    return store.messages.add(
        user.id, Message(direction=Direction.inbound, body=body, created_at=at), doc_id=sid
    )


def outbox(store):
    return [doc.to_dict()["body"] for doc in store.db.collection("local_outbox").stream()]


def deps(store, settings, model):
    return TurnDeps(store=store, settings=settings, model=model, sender=LocalOutbox(store.db))


def test_gemini_calls_a_tool_then_answers(store, settings, user):
    api = ScriptedGeminiApi(
        function_call_response("add_task", {"title": "Renew passport", "priority": 2}),
        text_response("Added. First tiny step: find your old passport."),
    )
    inbound(store, user, "I need to renew my passport", "SM1")
    outcome = run_agent_turn(
        deps(store, settings, FallbackModel(gemini_model(api), OfflineModel())),
        user_id=user.id,
        message_id="SM1",
        now=NOW,
    )
    assert outcome.status == TurnStatus.answered
    assert outcome.model == "gemini:gemini-2.5-flash"
    assert outbox(store) == ["Added. First tiny step: find your old passport."]
    [task] = store.tasks.open_tasks(user.id)
    assert (task.title, task.priority) == ("Renew passport", 2)
    [log] = store.agent_logs.list(user.id)
    assert log.model == "gemini:gemini-2.5-flash"
    assert log.tools_called == ["add_task"]
    assert (log.input_tokens, log.output_tokens) == (812 + 900, 14 + 21)
    # The prompt carried the user's local time and the text they sent.
    first = api.requests[0]["body"]
    assert "2026-11-23 10:00 (America/Toronto)" in first["systemInstruction"]["parts"][0]["text"]
    assert first["contents"][-1]["parts"][0]["text"] == "I need to renew my passport"


@pytest.mark.parametrize("code", [429, 500])
def test_gemini_failing_falls_back_offline_and_nothing_is_lost(store, settings, user, code):
    api = ScriptedGeminiApi(error_response(code))
    inbound(store, user, "todo: renew passport", "SM1")
    outcome = run_agent_turn(
        deps(store, settings, FallbackModel(gemini_model(api, attempts=2), OfflineModel())),
        user_id=user.id,
        message_id="SM1",
        now=NOW,
    )
    assert outcome.model == "offline"
    assert [t.title for t in store.tasks.open_tasks(user.id)] == ["renew passport"]
    assert 'added "renew passport"' in outbox(store)[0]
    assert store.agent_logs.list(user.id)[0].model == "offline"


class AlwaysCallsATool:
    """A scripted model that never stops calling tools."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, request: ModelRequest) -> ModelReply:
        self.calls += 1
        if request.tools:
            return ModelReply(model=self.name, function_calls=[FunctionCall(name="list_tasks")])
        return ModelReply(model=self.name, text="Here is where we are.")


def test_the_tool_loop_is_bounded(store, settings, user):
    model = AlwaysCallsATool()
    inbound(store, user, "loop forever", "SM1")
    outcome = run_agent_turn(
        deps(store, settings, model), user_id=user.id, message_id="SM1", now=NOW
    )
    assert model.calls == settings.max_tool_iterations + 1  # the last one offers no tools
    assert outcome.tools_called == ["list_tasks"] * settings.max_tool_iterations
    assert outbox(store) == ["Here is where we are."]


def test_a_redelivered_task_sends_no_second_reply(store, settings, user):
    inbound(store, user, "todo: call mom", "SM1")
    first = run_agent_turn(
        deps(store, settings, OfflineModel()), user_id=user.id, message_id="SM1", now=NOW
    )
    again = run_agent_turn(
        deps(store, settings, OfflineModel()), user_id=user.id, message_id="SM1", now=NOW
    )
    assert first.status == TurnStatus.answered
    assert again.status == TurnStatus.already_done
    assert len(outbox(store)) == 1
    assert len(store.tasks.open_tasks(user.id)) == 1


def test_a_turn_that_crashed_after_claiming_answers_on_retry(store, settings, user):
    class Crashes:
        name = "crashes"

        def generate(self, request):
            raise RuntimeError("instance died")

    inbound(store, user, "todo: call mom", "SM1")
    with pytest.raises(RuntimeError):
        run_agent_turn(deps(store, settings, Crashes()), user_id=user.id, message_id="SM1", now=NOW)
    retry = run_agent_turn(
        deps(store, settings, OfflineModel()), user_id=user.id, message_id="SM1", now=NOW
    )
    assert retry.status == TurnStatus.answered
    assert retry.answered_message_ids == ["SM1"]
    assert len(outbox(store)) == 1


def test_texts_that_arrive_while_a_turn_runs_are_answered_in_its_reply(store, settings, user):
    class TextsMeanwhile(OfflineModel):
        """The person sends two more texts while the model is thinking about the first."""

        sent = False

        def generate(self, request):
            if not self.sent:
                self.sent = True
                for sid, body in (("SM2", "todo: b"), ("SM3", "oh and todo: laundry")):
                    inbound(store, user, body, sid, at=NOW + timedelta(seconds=1))
                    # Their own turns start at once and find this one holding the user.
                    meanwhile = run_agent_turn(
                        deps(store, settings, OfflineModel()), user_id=user.id,
                        message_id=sid, now=NOW,
                    )  # fmt: skip
                    assert meanwhile.status == TurnStatus.handed_over
            return super().generate(request)

    inbound(store, user, "todo: a", "SM1")
    outcome = run_agent_turn(
        deps(store, settings, TextsMeanwhile()), user_id=user.id, message_id="SM1", now=NOW
    )
    assert outcome.answered_message_ids == ["SM1", "SM2", "SM3"]
    [reply] = outbox(store)
    assert '"a"' in reply and "1. b" in reply and "2. laundry" in reply
    assert sorted(t.title for t in store.tasks.open_tasks(user.id)) == ["a", "b", "laundry"]
    assert all(m.settled for m in store.messages.list(user.id) if m.direction == "inbound")
    # Each later task, redelivered, does nothing more.
    again = run_agent_turn(
        deps(store, settings, OfflineModel()), user_id=user.id, message_id="SM3", now=NOW
    )
    assert again.status == TurnStatus.already_done and len(outbox(store)) == 1


def test_a_turn_whose_lease_was_taken_over_sends_nothing(store, settings, user):
    class Slow(OfflineModel):
        def generate(self, request):
            # Meanwhile the lease expired and the sweep took the user over.
            store.leases._ref(user.id).set(
                {"holder": "sweep-SM1-1", "expires_at": NOW + timedelta(days=1), "knocks": 0}
            )
            return super().generate(request)

    inbound(store, user, "todo: a", "SM1")
    outcome = run_agent_turn(
        deps(store, settings, Slow()), user_id=user.id, message_id="SM1", now=NOW
    )
    assert outcome.status == TurnStatus.abandoned
    assert outbox(store) == []


def test_context_stays_within_the_token_budget(store, settings, user):
    from nudge.agent.context import build_request, estimate_tokens
    from nudge.agent.tools import registry
    from nudge.models import Task

    for i in range(60):
        inbound(
            store,
            user,
            f"message {i} " + "blah " * 80,
            f"SMold{i}",
            at=NOW - timedelta(hours=1, minutes=60 - i),
        )
    for i in range(40):
        store.tasks.add(user.id, Task(title=f"task number {i} " + "x" * 60))
    new = inbound(store, user, "what now?", "SMnew")
    request = build_request(
        store=store,
        settings=settings,
        user=user,
        new_messages=[new],
        tools=registry.specs(),
        now=NOW,
    )
    total = (
        estimate_tokens(request.system_instruction)
        + sum(estimate_tokens(m.text or "") for m in request.messages)
        + sum(estimate_tokens(t.model_dump_json()) for t in request.tools)
    )
    assert total <= settings.context_token_budget
    assert request.messages[-1].text.endswith("what now?")
    assert request.messages[0].role == "user"


HOSTILE_BODIES = ["", " ", "x" * 5000, "\x00\x01\x02", "%zz%", "%E0%A4%A", "\u202e\u200b",
                  "😀" * 300, "<script>alert(1)</script>", "{{7*7}}", "\r\n\r\n"]  # fmt: skip


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_texts_while_onboarding_are_answered(store, settings, body):
    # Onboarding is waiting for their name: the text is also tried as a place and a name.
    user = store.users.create(User(phone="+15555550111"))
    store.messages.add(
        user.id,
        Message(direction=Direction.outbound, body="Hi! What should I call you?", kind="reply",
                created_at=NOW - timedelta(minutes=1)),
        doc_id="reply-SM0",
    )  # fmt: skip
    inbound(store, user, body, "SM1")
    outcome = run_agent_turn(
        deps(store, settings, OfflineModel()), user_id=user.id, message_id="SM1", now=NOW
    )
    assert outcome.status == TurnStatus.answered
