"""What a cold start imports: the webhook and the queue client stay clear of heavy unused SDKs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
sys.path.insert(0, {source!r})
import main  # the function's module, as functions-framework loads it
from nudge.queue.client import make_tasks_client
from nudge.settings import get_settings
make_tasks_client(get_settings())
unused = ("aiohttp", "google.genai", "numpy", "nudge.models.life_admin", "nudge.store.calendar")
print(json.dumps(sorted(m for m in unused if m in sys.modules)))
"""


def _heavy_modules_after_start(function: str) -> list[str]:
    source = str(ROOT / "functions" / function)
    env = {
        "PATH": "/usr/bin:/bin",
        "NUDGE_PROJECT_ID": "cold-start-imports",
        "CLOUD_TASKS_EMULATOR_HOST": "127.0.0.1:9",
        "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(source=source)],
        env=env, capture_output=True, text=True, timeout=60, check=True, cwd=source,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_webhook_and_its_task_client_import_nothing_they_do_not_use():
    # aiohttp comes with twilio; api-core's unused async transport would import it (~400 ms).
    # Life-admin models and the calendar stores load when first used.
    assert _heavy_modules_after_start("sms_webhook") == []


def test_the_tasks_client_still_works_without_the_async_transport():
    from nudge.queue.client import import_tasks_v2

    tasks_v2 = import_tasks_v2()
    assert tasks_v2.CloudTasksClient.queue_path("p", "l", "q") == "projects/p/locations/l/queues/q"
