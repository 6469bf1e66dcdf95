"""Texted end to end against the real emulators: sms_webhook -> agent_turn -> Cloud Tasks
`integrations` -> the served integration function -> SMS, with only the providers answered
locally at their HTTP boundary."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime

import pytest

from emulators import stack
from nudge.integrations.models import AITaskStatus
from nudge.integrations.repository import AITaskRepository
from tests.conftest import clear_caches
from tests.support.serving import serve_function
from tests.support.youtube_http import (
    VIDEO_ID,
    YouTubeSite,
    recording_data_api,
    session_for,
    videos_list_json,
)


@contextlib.contextmanager
def served(*names):
    from nudge.queue.client import default_task_queue
    from tests.support.conversation import Phone

    with contextlib.ExitStack() as functions:
        for name in names:
            url = functions.enter_context(
                serve_function(name, stack.FUNCTIONS_DIR / name / "main.py")
            )
            if name == "sms_webhook":
                os.environ["NUDGE_PUBLIC_BASE_URL"] = url
        clear_caches()
        default_task_queue()
        yield Phone()


@pytest.fixture
def youtube_answered_locally(monkeypatch):
    from nudge.integrations.youtube import work

    def http():
        return work.YouTubeHttp(
            data_api=recording_data_api([({"status": "200"}, videos_list_json())]),
            transcripts=session_for(YouTubeSite()),
        )

    monkeypatch.setattr(work, "default_youtube_http", http)


def test_a_youtube_link_gets_on_it_then_the_summary_by_sms(
    task_queue, store, youtube_answered_locally, monkeypatch
):
    monkeypatch.setenv("NUDGE_YOUTUBE_API_KEY", "test-youtube-key")
    with served("sms_webhook", "agent_turn", "youtube") as phone:
        started = datetime.now(UTC)
        assert phone.text(f"https://youtu.be/{VIDEO_ID} summarize").status == 200
        replies = phone.wait_for_replies(since=started, wait=30, settle=3)
    assert replies[0].startswith("On it, I'll text you the summary of that video")
    assert len(replies) == 2
    assert replies[1].startswith('"How to fall asleep faster" (Sleep Lab, 13 min)')
    assert replies[1].endswith("Saved as a note.")
    user = store.users.find_by_phone("+15555550100")
    [task] = AITaskRepository(store.db).list(user.id)
    assert task.status == AITaskStatus.done and task.notified
    [note] = store.notes.list(user.id)
    assert note.title == "How to fall asleep faster" and note.id == task.result.note_id


def test_without_a_youtube_key_the_reply_says_it_is_not_set_up(task_queue, store):
    with served("sms_webhook", "agent_turn") as phone:
        started = datetime.now(UTC)
        phone.text(f"https://www.youtube.com/watch?v={VIDEO_ID}")
        [reply] = phone.wait_for_replies(since=started)
    assert reply.startswith("YouTube isn't set up here yet")
    user = store.users.find_by_phone("+15555550100")
    assert AITaskRepository(store.db).list(user.id) == []


def test_look_up_gets_on_it_then_results_and_a_redelivery_sends_nothing_more(
    task_queue, store, settings, monkeypatch
):
    from nudge.integrations.websearch import search
    from tests.support.ddgs_client import SearchClientDouble

    client = SearchClientDouble()
    monkeypatch.setattr(search, "default_search_client", lambda: client)
    with served("sms_webhook", "agent_turn", "web_search") as phone:
        started = datetime.now(UTC)
        phone.text("look up DMV hours")
        replies = phone.wait_for_replies(since=started, wait=30, settle=3)
        assert replies[0].startswith('On it, I\'ll text you what I find about "DMV hours"')
        assert replies[1].startswith('Top results for "DMV hours":\n1. DMV Office Hours')
        assert len(replies) == 2
        user = store.users.find_by_phone("+15555550100")
        [task] = AITaskRepository(store.db).list(user.id)
        # Delivered again as Cloud Tasks would (at-least-once): nothing is done or sent again.
        import requests

        from nudge.queue.client import TASK_SECRET_HEADER

        answer = requests.post(
            json.loads(os.environ["NUDGE_FUNCTION_URLS"])["web_search"],
            json={"user_id": user.id, "task_id": task.id},
            headers={
                TASK_SECRET_HEADER: settings.task_secret.get_secret_value(),
                "X-CloudTasks-TaskName": task.id,
                "X-CloudTasks-TaskRetryCount": "0",
            },
            timeout=30,
        )
        assert answer.status_code == 200
        assert answer.json() == {"result": "already_finished", "status": "done"}
        assert phone.replies(since=started) == replies
    assert len(client.calls) == 1
    assert AITaskRepository(store.db).require(user.id, task.id).status == AITaskStatus.done


def test_a_rate_limited_search_answers_503_with_retry_after(
    task_queue, store, settings, monkeypatch
):
    import requests
    from ddgs.exceptions import RatelimitException

    from nudge.integrations.models import AITaskType
    from nudge.integrations.submit import submit_ai_task
    from nudge.integrations.websearch import search
    from nudge.models import User
    from nudge.queue.client import TASK_SECRET_HEADER
    from tests.support.ddgs_client import SearchClientDouble

    limited = SearchClientDouble(raises=RatelimitException("202 Ratelimit"))
    monkeypatch.setattr(search, "default_search_client", lambda: limited)
    user = store.users.create(User(phone="+15555550170", name="Sam", timezone="Etc/UTC"))
    # Enqueued before the function is served: the emulator's own delivery goes to a closed
    # port, so only the delivery below reaches the function.
    task, _ = submit_ai_task(
        store,
        task_queue,
        settings,
        user_id=user.id,
        turn_id="turn-429",
        type_=AITaskType.web_search,
        parameters={"query": "DMV hours"},
        label='the search for "DMV hours"',
    )
    with serve_function("web_search", stack.FUNCTIONS_DIR / "web_search" / "main.py") as url:
        clear_caches()
        answer = requests.post(
            url,
            json={"user_id": user.id, "task_id": task.id},
            headers={
                TASK_SECRET_HEADER: settings.task_secret.get_secret_value(),
                "X-CloudTasks-TaskRetryCount": "1",
            },
            timeout=30,
        )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    stored = AITaskRepository(store.db).require(user.id, task.id)
    assert stored.status == AITaskStatus.queued and stored.last_error == "web search rate limited"
