"""Shared fixtures: the real emulators, started once per session; isolation per test.

Every test gets its own Firestore project id (the emulator keeps projects apart), so nothing
leaks between tests and no clearing is needed. Environment changes are undone after each test
and the cached settings and clients are dropped.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator

import pytest

from emulators import stack


def _clear_caches() -> None:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender
    from nudge.store.client import default_firestore_client

    get_settings.cache_clear()
    default_firestore_client.cache_clear()
    default_task_queue.cache_clear()
    default_sender.cache_clear()


class EmulatorLog(io.StringIO):
    """Collects emulator output; shown only if a test fails to start them."""


@pytest.fixture(scope="session")
def emulator_hosts() -> Iterator[dict[str, str]]:
    stack.require_tools()
    log = EmulatorLog()
    env = dict(os.environ)
    firestore_port, tasks_port = stack.free_port(), stack.free_port()
    firestore = stack.start_firestore(firestore_port, env=env, sink=log)
    tasks = stack.start_tasks(tasks_port, env=env, sink=log, max_retries=3)
    try:
        stack.wait_for_firestore(firestore, firestore_port)
        stack.wait_for_tasks(tasks, tasks_port)
    except stack.StackError:
        stack.stop([tasks, firestore])
        raise RuntimeError("emulators did not start:\n" + log.getvalue()[-4000:]) from None
    yield {
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{firestore_port}",
        "CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{tasks_port}",
    }
    stack.stop([tasks, firestore])


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    _clear_caches()
    yield
    os.environ.clear()
    os.environ.update(saved)
    _clear_caches()


@pytest.fixture
def local_env(emulator_hosts: dict[str, str]) -> dict[str, str]:
    """The local stack's environment against the session emulators, with a fresh project."""
    env = stack.read_env_file() | emulator_hosts
    env["NUDGE_PROJECT_ID"] = f"test-{uuid.uuid4().hex[:12]}"
    # The tests embed with WordLlama (static, fast); the MiniLM embedder has its own tests.
    env |= {"NUDGE_EMBEDDING_MODEL": "wordllama", "NUDGE_EMBEDDING_DIMENSION": "256"}
    # Tasks for functions a test does not serve go to a closed local port, never to a real host.
    env["NUDGE_FUNCTION_URLS"] = json.dumps(
        {name: "http://127.0.0.1:9" for name in stack.discover_functions()}
    )
    os.environ.update(env)
    _clear_caches()
    return env


def clear_caches() -> None:
    """For tests that change the environment after the settings were first read."""
    _clear_caches()


@pytest.fixture
def settings(local_env: dict[str, str]):
    from nudge.settings import get_settings

    return get_settings()


@pytest.fixture
def store(settings):
    from nudge.store import Store

    return Store.default()


@pytest.fixture
def task_queue(settings):
    from nudge.queue.client import default_task_queue

    queue = default_task_queue()
    queue.ensure_queues(list(settings.queues.model_dump().values()))
    return queue


@pytest.fixture(scope="session")
def embedder():
    """The real local embedder (WordLlama; its weights ship in the wheel)."""
    from nudge.embeddings.wordllama import WordLlamaEmbedder

    return WordLlamaEmbedder()
