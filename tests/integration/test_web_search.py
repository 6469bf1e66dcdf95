"""Web search against the real emulators, ddgs replaced at its narrowest seam (its client's
`text`/`news`, answering ddgs' documented result shape or raising its exceptions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ddgs.exceptions import RatelimitException, TimeoutException

from nudge.integrations.models import AITaskStatus, AITaskType
from nudge.integrations.repository import AITaskRepository
from nudge.integrations.submit import submit_ai_task
from nudge.integrations.websearch.work import web_search
from nudge.integrations.worker import Delivery, WorkerDeps, run_ai_task
from nudge.models import User
from nudge.web import RetryLater
from tests.support.ddgs_client import SearchClientDouble

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def deps(store, settings):
    from nudge.sms.senders import default_sender

    # No turn replies in these tests: results do not wait for one.
    quick = settings.model_copy(update={"integration_reply_wait_seconds": 0})
    return WorkerDeps(store=store, sender=default_sender(), settings=quick)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550160", name="Sam", timezone="Etc/UTC"))


def queued(deps, task_queue, user, query="DMV hours", news=False):
    task, _ = submit_ai_task(
        deps.store,
        task_queue,
        deps.settings,
        user_id=user.id,
        turn_id="turn-ws",
        type_=AITaskType.web_search,
        parameters={"query": query, "news": news},
        label=f'the search for "{query}"',
    )
    return task


def test_offline_the_answer_is_the_top_two_results_with_links(deps, task_queue, user):
    client = SearchClientDouble()
    result = web_search(deps, queued(deps, task_queue, user), user, client)
    assert result.text == (
        'Top results for "DMV hours":\n'
        "1. DMV Office Hours and Locations | Department of Motor Vehi... "
        "https://dmv.example.gov/locations\n"
        "2. Make an appointment https://dmv.example.gov/appointments"
    )
    assert [s.url for s in result.sources] == [
        "https://dmv.example.gov/locations",
        "https://dmv.example.gov/appointments",
    ]
    [(kind, query, kwargs)] = client.calls
    assert (kind, query) == ("text", "DMV hours")
    assert kwargs["region"] == "us-en" and kwargs["max_results"] == 5


def test_news_results_use_their_url_field(deps, task_queue, user):
    client = SearchClientDouble()
    task = queued(deps, task_queue, user, query="transit strike", news=True)
    result = web_search(deps, task, user, client)
    assert client.calls[0][0] == "news"
    assert "Transit strike ends after deal reached https://news.example.com/strike-ends" in (
        result.text
    )


def test_no_results_is_an_answer_not_a_failure(deps, task_queue, user):
    result = web_search(deps, queued(deps, task_queue, user), user, SearchClientDouble(empty=True))
    assert result.text.startswith('I searched for "DMV hours" and found nothing.')


@pytest.mark.parametrize("error", [RatelimitException("202 Ratelimit"), TimeoutException("t")])
def test_a_rate_limit_is_retried_like_a_429_and_ends_with_one_sms(
    deps, task_queue, user, store, error
):
    task = queued(deps, task_queue, user)
    client = SearchClientDouble(raises=error)

    def attempt(number):
        return run_ai_task(
            deps,
            user_id=user.id,
            task_id=task.id,
            delivery=Delivery(number),
            work=lambda t, u: web_search(deps, t, u, client),
            now=NOW,
        )

    with pytest.raises(RetryLater) as caught:
        attempt(0)
    if isinstance(error, RatelimitException):
        assert caught.value.retry_after_seconds == 60
    assert attempt(deps.settings.integration_max_attempts - 1)["result"] == "failed"
    stored = AITaskRepository(store.db).require(user.id, task.id)
    assert stored.status == AITaskStatus.failed
    sent = [d.get("body") for d in store.db.collection("local_outbox").stream()]
    assert len(sent) == 1 and sent[0].startswith("Sorry, I couldn't finish the search for \"DMV")
