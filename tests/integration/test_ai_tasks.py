"""The shape every background request follows, against the real Firestore and Cloud Tasks
emulators: recorded once per turn, run once, texted once, failed honestly on the last try."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudge.integrations.models import AITaskResult, AITaskStatus, AITaskType
from nudge.integrations.repository import AITaskRepository
from nudge.integrations.submit import submit_ai_task
from nudge.integrations.worker import CannotDo, Delivery, WorkerDeps, run_ai_task
from nudge.models import User
from nudge.store import AlreadyInProgress
from nudge.web import RetryLater

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def deps(store, settings):
    from nudge.sms.senders import default_sender

    # No turn replies in these tests: results do not wait for one.
    quick = settings.model_copy(update={"integration_reply_wait_seconds": 0})
    return WorkerDeps(store=store, sender=default_sender(), settings=quick)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550123", name="Sam", timezone="Etc/UTC"))


def outbox(store, phone="+15555550123") -> list[str]:
    return [d.get("body") for d in store.db.collection("local_outbox").stream()
            if d.get("to") == phone]  # fmt: skip


def submit(store, task_queue, settings, user, turn_id="turn-1", query="dmv hours"):
    task, created = submit_ai_task(
        store,
        task_queue,
        settings,
        user_id=user.id,
        turn_id=turn_id,
        type_=AITaskType.web_search,
        parameters={"query": query},
        label=f'the search for "{query}"',
    )
    return task, created


def test_a_repeated_turn_records_one_task(store, task_queue, settings, user):
    first, created = submit(store, task_queue, settings, user)
    again, created_again = submit(store, task_queue, settings, user)
    other, _ = submit(store, task_queue, settings, user, query="library hours")
    assert created and not created_again
    assert first.id == again.id != other.id
    tasks = AITaskRepository(store.db).list(user.id)
    assert sorted(t.id for t in tasks) == sorted([first.id, other.id])
    assert {t.status for t in tasks} == {AITaskStatus.queued}


def test_done_once_texted_once_and_a_redelivery_does_nothing(
    store, task_queue, settings, user, deps
):
    task, _ = submit(store, task_queue, settings, user)
    calls = []

    def work(ai_task, person):
        calls.append(ai_task.parameters["query"])
        return AITaskResult(text="The DMV is open 8-5 on weekdays. Source: dmv.example")

    first = run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(0), work=work, now=NOW
    )
    again = run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(1), work=work, now=NOW
    )
    assert first == {"result": "done"}
    assert again == {"result": "already_finished", "status": "done"}
    assert calls == ["dmv hours"]
    assert outbox(store) == ["The DMV is open 8-5 on weekdays. Source: dmv.example"]
    stored = AITaskRepository(store.db).require(user.id, task.id)
    assert stored.status == AITaskStatus.done
    assert stored.attempts == 1 and stored.notified
    assert stored.result.text.startswith("The DMV is open")
    assert stored.finished_at == NOW


def test_rate_limited_is_retried_then_the_last_attempt_fails_with_one_sms(
    store, task_queue, settings, user, deps
):
    task, _ = submit(store, task_queue, settings, user)

    def rate_limited(ai_task, person):
        raise RetryLater("rate limited", retry_after_seconds=30)

    last = settings.integration_max_attempts - 1
    for attempt in range(last):
        with pytest.raises(RetryLater):
            run_ai_task(
                deps,
                user_id=user.id,
                task_id=task.id,
                delivery=Delivery(attempt),
                work=rate_limited,
                now=NOW,
            )
        stored = AITaskRepository(store.db).require(user.id, task.id)
        assert stored.status == AITaskStatus.queued
        assert stored.last_error == "rate limited"
    assert outbox(store) == []
    outcome = run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(last), work=rate_limited,
        now=NOW,
    )  # fmt: skip
    assert outcome == {"result": "failed", "reason": "rate limited"}
    # A redelivery after the end changes nothing and sends nothing.
    run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(last), work=rate_limited,
        now=NOW,
    )  # fmt: skip
    [sms] = outbox(store)
    assert sms.startswith('Sorry, I couldn\'t finish the search for "dmv hours"')
    stored = AITaskRepository(store.db).require(user.id, task.id)
    assert stored.status == AITaskStatus.failed
    assert stored.attempts == settings.integration_max_attempts


def test_a_crash_is_retried_and_a_later_attempt_succeeds(store, task_queue, settings, user, deps):
    task, _ = submit(store, task_queue, settings, user)
    attempts = []

    def flaky(ai_task, person):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("reset")
        return AITaskResult(text="Found it.")

    with pytest.raises(ConnectionError):
        run_ai_task(
            deps, user_id=user.id, task_id=task.id, delivery=Delivery(0), work=flaky, now=NOW
        )
    assert AITaskRepository(store.db).require(user.id, task.id).last_error == "ConnectionError"
    run_ai_task(deps, user_id=user.id, task_id=task.id, delivery=Delivery(1), work=flaky, now=NOW)
    assert outbox(store) == ["Found it."]


def test_what_cannot_be_done_ends_failed_with_its_own_message(
    store, task_queue, settings, user, deps
):
    task, _ = submit(store, task_queue, settings, user)

    def disabled(ai_task, person):
        raise CannotDo("That video has no transcript, so I can't summarize it.", "disabled")

    outcome = run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(0), work=disabled, now=NOW
    )
    assert outcome == {"result": "failed", "reason": "disabled"}
    assert outbox(store) == ["That video has no transcript, so I can't summarize it."]


def test_a_duplicate_delivery_while_running_waits_and_a_stale_one_takes_over(
    store, task_queue, settings, user, deps
):
    task, _ = submit(store, task_queue, settings, user)
    repo = AITaskRepository(store.db)
    stale = timedelta(seconds=settings.integration_stale_after_seconds)
    claim, _ = repo.claim(user.id, task.id, attempt=0, now=NOW, stale_after=stale)
    assert claim == "mine"

    def work(ai_task, person):
        return AITaskResult(text="ok")

    with pytest.raises(AlreadyInProgress):
        run_ai_task(
            deps, user_id=user.id, task_id=task.id, delivery=Delivery(0), work=work, now=NOW
        )
    later = NOW + stale + timedelta(seconds=1)
    assert run_ai_task(
        deps, user_id=user.id, task_id=task.id, delivery=Delivery(0), work=work, now=later
    ) == {"result": "done"}
    assert outbox(store) == ["ok"]
    assert repo.require(user.id, task.id).attempts == 2


def test_what_are_you_working_on_lists_the_pending_ones(store, task_queue, settings, user, deps):
    from nudge.agent.tools import ToolContext, registry
    from nudge.llm.offline_integrations import describe_integration
    from nudge.llm.types import FunctionCall

    done, _ = submit(store, task_queue, settings, user, query="dmv hours")
    submit(store, task_queue, settings, user, query="library hours")
    run_ai_task(
        deps,
        user_id=user.id,
        task_id=done.id,
        delivery=Delivery(0),
        work=lambda t, u: AITaskResult(text="8-5"),
        now=NOW,
    )
    ctx = ToolContext(store=store, user=user, settings=settings, now=NOW, turn_id="t")
    result = registry.execute(FunctionCall(name="working_on"), ctx).response
    assert result == {"pending": [{"what": 'the search for "library hours"', "status": "queued"}]}
    assert describe_integration("working_on", result) == (
        'Still working on:\n- the search for "library hours"\n'
        "I'll text you each one when it's ready."
    )
