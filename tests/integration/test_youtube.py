"""YouTube summaries through the real clients (googleapiclient with its HttpMockSequence,
youtube-transcript-api with a requests session answered locally) and the real emulators."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from googleapiclient.http import HttpMockSequence

from nudge.integrations.models import AITaskResult, AITaskStatus, AITaskType
from nudge.integrations.repository import AITaskRepository
from nudge.integrations.submit import submit_ai_task
from nudge.integrations.worker import CannotDo, Delivery, WorkerDeps, run_ai_task
from nudge.integrations.youtube.metadata import parse_duration
from nudge.integrations.youtube.work import YouTubeHttp, summarize_video
from nudge.models import User
from nudge.web import RetryLater
from tests.conftest import clear_caches
from tests.support.youtube_http import (
    VIDEO_ID,
    YouTubeSite,
    recording_data_api,
    session_for,
    videos_list_json,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def keyed(local_env, monkeypatch):
    monkeypatch.setenv("NUDGE_YOUTUBE_API_KEY", "test-youtube-key")
    clear_caches()
    from nudge.settings import get_settings

    return get_settings()


@pytest.fixture
def deps(store, keyed):
    from nudge.sms.senders import default_sender

    quick = keyed.model_copy(update={"integration_reply_wait_seconds": 0})
    return WorkerDeps(store=store, sender=default_sender(), settings=quick)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550150", name="Sam", timezone="Etc/UTC"))


def queued(store, task_queue, settings, user):
    task, _ = submit_ai_task(
        store,
        task_queue,
        settings,
        user_id=user.id,
        turn_id="turn-yt",
        type_=AITaskType.youtube_summary,
        parameters={"video_id": VIDEO_ID},
        label=f"the summary of https://youtu.be/{VIDEO_ID}",
    )
    return task


def data_api(*responses):
    return recording_data_api([({"status": "200"}, body) for body in responses])


def test_a_video_is_summarized_and_kept_as_a_note(store, task_queue, deps, user):
    task = queued(store, task_queue, deps.settings, user)
    site = YouTubeSite()
    api = data_api(videos_list_json())
    result = summarize_video(
        deps, task, user, YouTubeHttp(data_api=api, transcripts=session_for(site))
    )
    assert isinstance(result, AITaskResult)
    head, *points, tail = result.text.splitlines()
    assert head == '"How to fall asleep faster" (Sleep Lab, 13 min), 3 things worth remembering:'
    assert len(points) == 3 and tail == "Saved as a note."
    assert not any("microphone" in p or "Thanks for watching" in p for p in points)
    assert result.data["summary_by"] == "extractive"  # no Gemini key here
    note = store.notes.require(user.id, result.note_id)
    assert note.title == "How to fall asleep faster"
    assert note.untrusted and note.external_source == "youtube" and note.external_id == VIDEO_ID
    assert note.summary.count("\n- ") == 2
    memory = store.memories.require(user.id, result.memory_id)
    assert memory.content.startswith('Sent me the YouTube video "How to fall asleep faster"')
    from nudge.memory.text import keywords

    # Stored as the lexical path's stems ("youtube" -> "youtub").
    assert set(keywords("sleep video youtube")) <= set(memory.keywords)
    assert memory.embedding is not None  # WordLlama here
    assert [method for method, _ in site.requests] == ["GET", "POST", "GET"]
    assert site.requests[0][1] == f"https://www.youtube.com/watch?v={VIDEO_ID}"
    [(uri, method)] = api.calls
    assert method == "GET"
    assert uri.startswith("https://youtube.googleapis.com/youtube/v3/videos?")
    assert f"id={VIDEO_ID}" in uri and "key=test-youtube-key" in uri
    assert "part=snippet%2CcontentDetails" in uri


@pytest.mark.parametrize(
    ("scenario", "told"),
    [
        ("disabled", "transcripts turned off"),
        ("unavailable", "isn't available"),
    ],
)
def test_what_youtube_refuses_is_told_plainly(store, task_queue, deps, user, scenario, told):
    task = queued(store, task_queue, deps.settings, user)
    http = YouTubeHttp(
        data_api=data_api(videos_list_json()), transcripts=session_for(YouTubeSite(scenario))
    )
    with pytest.raises(CannotDo) as caught:
        summarize_video(deps, task, user, http)
    assert caught.value.message.startswith('"How to fall asleep faster": ')
    assert told in caught.value.message


@pytest.mark.parametrize("scenario", ["blocked", "rate_limited"])
def test_a_blocked_or_rate_limited_transcript_is_retried_later(
    store, task_queue, deps, user, scenario
):
    task = queued(store, task_queue, deps.settings, user)
    http = YouTubeHttp(
        data_api=data_api(videos_list_json()), transcripts=session_for(YouTubeSite(scenario))
    )
    with pytest.raises(RetryLater):
        summarize_video(deps, task, user, http)


def test_an_unknown_video_and_a_rate_limited_data_api(store, task_queue, deps, user):
    task = queued(store, task_queue, deps.settings, user)
    empty = YouTubeHttp(data_api=data_api(videos_list_json(items=[])))
    with pytest.raises(CannotDo, match="not found"):
        summarize_video(deps, task, user, empty)
    limited = HttpMockSequence([({"status": "429", "retry-after": "17"}, '{"error": {}}')])
    with pytest.raises(RetryLater) as caught:
        summarize_video(deps, task, user, YouTubeHttp(data_api=limited))
    assert caught.value.retry_after_seconds == 17


def test_without_a_key_the_task_says_youtube_is_not_set_up(store, task_queue, settings, user):
    from nudge.sms.senders import default_sender

    quick = settings.model_copy(update={"integration_reply_wait_seconds": 0})
    deps = WorkerDeps(store=store, sender=default_sender(), settings=quick)
    task = queued(store, task_queue, settings, user)
    outcome = run_ai_task(
        deps,
        user_id=user.id,
        task_id=task.id,
        delivery=Delivery(0),
        work=lambda t, u: summarize_video(deps, t, u, YouTubeHttp()),
        now=NOW,
    )
    assert outcome == {"result": "failed", "reason": "no youtube api key"}
    stored = AITaskRepository(store.db).require(user.id, task.id)
    assert stored.status == AITaskStatus.failed
    assert stored.result.text.startswith("YouTube isn't set up")


def test_iso_durations():
    assert parse_duration("PT12M33S") == 753
    assert parse_duration("PT1H") == 3600
    assert parse_duration("P1DT2M") == 86520
    assert parse_duration("P0D") == 0
    assert parse_duration("") is None


def test_what_was_that_video_about_sleep_is_recalled_later(store, task_queue, deps, user, embedder):
    from nudge.agent.tools import ToolContext, registry
    from nudge.llm.types import FunctionCall

    task = queued(store, task_queue, deps.settings, user)
    http = YouTubeHttp(
        data_api=data_api(videos_list_json()), transcripts=session_for(YouTubeSite())
    )
    summarize_video(deps, task, user, http)
    ctx = ToolContext(
        store=store,
        user=user,
        settings=deps.settings,
        now=NOW,
        turn_id="t2",
        embedder_factory=lambda: embedder,
    )
    found = registry.execute(
        FunctionCall(name="recall", args={"query": "that video about sleep"}), ctx
    ).response["memories"]
    assert found[0]["content"].startswith('Sent me the YouTube video "How to fall asleep')
