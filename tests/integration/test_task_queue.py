"""Enqueue through the real Cloud Tasks emulator; the target function authenticates the call."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.support.serving import serve_function

ECHO_SOURCE = Path(__file__).parent.parent / "support" / "echo_function" / "main.py"


def deliveries(store) -> list[dict]:
    from tests.support.echo_function.main import DELIVERIES

    return [doc.to_dict() for doc in store.db.collection(DELIVERIES).stream()]


def wait_for_deliveries(store, count: int, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = deliveries(store)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} deliveries, got {len(deliveries(store))}")


@pytest.fixture
def echo_url(local_env):
    from nudge.settings import get_settings

    with serve_function("echo", ECHO_SOURCE) as url:
        get_settings.cache_clear()
        yield url


@pytest.fixture
def queue(echo_url, task_queue):
    # task_queue was built before echo's URL was registered; rebuild with fresh settings.
    from nudge.queue.client import TaskQueue
    from nudge.settings import get_settings

    get_settings.cache_clear()
    return TaskQueue(get_settings(), client=task_queue.client)


def test_enqueued_task_reaches_the_function_with_body_and_headers(queue, store):
    name = queue.enqueue("agent-turns", "echo", {"user_id": "u1", "n": 1}, task_name="turn/u1/1")
    assert name.endswith("/queues/agent-turns/tasks/turn-u1-1")

    [delivery] = wait_for_deliveries(store, 1)
    assert delivery["payload"] == {"user_id": "u1", "n": 1}
    caller = delivery["caller"]
    assert caller["queue_name"] == "agent-turns"
    assert caller["task_name"] == "turn-u1-1"
    assert caller["retry_count"] == 0


def test_a_failed_delivery_is_retried_and_the_retry_count_is_read(queue, store):
    queue.enqueue("reminders", "echo", {"fail_on_first_attempt": True})
    found = wait_for_deliveries(store, 2)
    assert sorted(d["caller"]["retry_count"] for d in found[:2]) == [0, 1]


def test_a_scheduled_task_waits_for_its_time(queue, store):
    queue.enqueue(
        "reminders", "echo", {"due": True}, schedule_time=datetime.now(UTC) + timedelta(seconds=2)
    )
    time.sleep(1.0)
    assert deliveries(store) == []
    [delivery] = wait_for_deliveries(store, 1, timeout=10)
    assert delivery["payload"] == {"due": True}


def test_calls_without_the_secret_are_rejected_and_change_nothing(echo_url, store):
    missing = requests.post(echo_url, json={"x": 1}, timeout=5)
    wrong = requests.post(
        echo_url, json={"x": 1}, headers={"X-Nudge-Task-Secret": "guess"}, timeout=5
    )
    assert missing.status_code == 401
    assert wrong.status_code == 403
    assert deliveries(store) == []


def test_a_body_that_is_not_a_json_object_is_a_400(echo_url, settings, store):
    secret = {"X-Nudge-Task-Secret": settings.task_secret.get_secret_value()}
    not_json = requests.post(echo_url, data=b"{oops", headers=secret, timeout=5)
    a_list = requests.post(echo_url, json=[1, 2], headers=secret, timeout=5)
    too_big = requests.post(echo_url, json={"x": "a" * 70_000}, headers=secret, timeout=5)
    assert (not_json.status_code, a_list.status_code, too_big.status_code) == (400, 400, 413)
    assert deliveries(store) == []


def test_queues_declared_in_settings_exist_on_the_emulator(task_queue, settings):
    for name in settings.queues.model_dump().values():
        task_queue.ping(name)  # raises NotFound if missing
