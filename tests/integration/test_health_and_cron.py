"""The health function and the local cron runner, against the real emulators."""

from __future__ import annotations

import time
from pathlib import Path

import functions_framework
import pytest

from emulators import stack
from emulators.cron import CronJob, CronRunner, fire
from tests.integration.test_task_queue import ECHO_SOURCE, deliveries, wait_for_deliveries
from tests.support.serving import serve_function

HEALTH_SOURCE = Path(stack.FUNCTIONS_DIR / "health" / "main.py")


def health_client():
    return functions_framework.create_app(target="health", source=str(HEALTH_SOURCE)).test_client()


def test_health_reports_version_and_reachable_backends(task_queue):
    import nudge

    response = health_client().get("/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == nudge.__version__
    assert body["environment"] == "local"
    assert body["firestore"]["ok"] is True
    assert body["task_queue"]["ok"] is True
    assert body["ok"] is True


def test_health_is_503_when_firestore_is_unreachable(task_queue, monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{stack.free_port()}")
    from nudge.store.client import default_firestore_client

    default_firestore_client.cache_clear()
    response = health_client().get("/")
    assert response.status_code == 503
    body = response.get_json()
    assert body["firestore"]["ok"] is False
    assert body["firestore"]["error"]
    assert body["task_queue"]["ok"] is True


def test_health_is_503_when_the_queue_does_not_exist(local_env):
    # No queues were created for this test's project.
    response = health_client().get("/")
    assert response.status_code == 503
    assert response.get_json()["task_queue"]["ok"] is False


@pytest.fixture
def echo_urls(local_env):
    from nudge.settings import get_settings

    with serve_function("echo", ECHO_SOURCE):
        get_settings.cache_clear()
        yield get_settings().function_urls


def test_cron_runner_fires_jobs_as_cloud_scheduler_would(echo_urls, settings, store):
    secret = settings.task_secret.get_secret_value()
    job = CronJob(name="every-second", schedule="* * * * * *", function="echo", body={"k": 1})
    runner = CronRunner([job], urls=echo_urls, secret=secret)
    runner.start()
    try:
        found = wait_for_deliveries(store, 2, timeout=10)
    finally:
        runner.stop()
        runner.join(timeout=5)
    assert all(d["payload"] == {"k": 1} for d in found)
    assert {d["caller"]["scheduler_job"] for d in found} == {"every-second"}
    assert all(status == 200 for _, _, status in runner.fired)


def test_a_cron_call_with_the_wrong_secret_is_refused(echo_urls, store):
    job = CronJob(name="sweep", schedule="*/5 * * * *", function="echo")
    assert fire(job, urls=echo_urls, secret="wrong") == 403
    time.sleep(0.2)
    assert deliveries(store) == []
