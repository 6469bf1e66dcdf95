"""Real cold start: from a function's process start to its first answered request.

Each function is started as the cloud starts it (a fresh `functions_framework` process) and
sent its first real request (lazy imports included); beside it, the bare floor function
(`floor_function/`: one Firestore write and one task enqueue with the same clients). Target
(issue 11): sms_webhook within 1.3x of the floor.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests

from emulators import stack
from tests.bench.common import emulators, record

RUNS = 7
FLOOR_SOURCE = Path(__file__).parent / "floor_function" / "main.py"


def _first_answer(name: str, source: Path, env: dict, request) -> float:
    """Seconds from spawning the process to the first 2xx answer of `request(url)`."""
    port = stack.free_port()
    base = f"http://127.0.0.1:{port}"
    env = env | {"NUDGE_PUBLIC_BASE_URL": base}  # what the webhook checks signatures against
    argv = [sys.executable, "-m", "functions_framework", f"--target={name}",
            f"--source={source}", "--host=127.0.0.1", f"--port={port}"]  # fmt: skip
    started = time.perf_counter()
    proc = stack.spawn(name, argv, env=env, sink=io.StringIO(), cwd=source.parent)
    url = base
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                response = request(url)
            except requests.ConnectionError:
                time.sleep(0.005)
                continue
            if response.status_code < 300:
                return time.perf_counter() - started
            raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
        raise RuntimeError(f"{name} did not answer in 60 s")
    finally:
        stack.stop([proc])


def main() -> None:
    from twilio.request_validator import RequestValidator

    with emulators() as hosts:
        project = f"bench-{uuid.uuid4().hex[:8]}"
        env = stack.read_env_file() | dict(os.environ) | hosts | {
            "NUDGE_PROJECT_ID": project,
            "NUDGE_LOG_LEVEL": "WARNING",
            "NUDGE_FUNCTION_URLS": json.dumps(
                {n: "http://127.0.0.1:9" for n in stack.discover_functions()}
            ),
        }  # fmt: skip
        os.environ.update(env)
        from nudge.models import Direction, Message, User
        from nudge.queue.client import TaskQueue
        from nudge.settings import Settings
        from nudge.store import Store

        settings = Settings()
        TaskQueue(settings).ensure_queues(list(settings.queues.model_dump().values()))
        store = Store.default()
        from nudge.queue.client import TASK_SECRET_HEADER

        secret = {TASK_SECRET_HEADER: settings.task_secret.get_secret_value()}
        validator = RequestValidator(settings.twilio_auth_token.get_secret_value())

        def signed_text(url: str) -> requests.Response:
            form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": "+15555550100",
                    "To": settings.twilio_from_number, "Body": "todo: cold start",
                    "NumMedia": "0"}  # fmt: skip
            signature = validator.compute_signature(url, form)
            return requests.post(url, data=form, headers={"X-Twilio-Signature": signature})

        def turn(url: str) -> requests.Response:
            user = store.users.create(User(phone=f"+1555{uuid.uuid4().int % 10**7:07d}"))
            sid = "SM" + uuid.uuid4().hex
            store.messages.add(
                user.id, Message(direction=Direction.inbound, body="todo: cold", settled=False),
                doc_id=sid,
            )  # fmt: skip
            return requests.post(url, json={"user_id": user.id, "message_id": sid}, headers=secret)

        def action(name: str):
            return lambda url: requests.post(url, json={"action": name}, headers=secret)

        probes = {
            "floor": (FLOOR_SOURCE, lambda url: requests.post(url, data={"Body": "x"})),
            "health": (None, lambda url: requests.get(url)),
            "sms_webhook": (None, signed_text),
            "agent_turn": (None, turn),
            "reminders": (None, action("catch_up")),
            "planner": (None, action("tick")),
            "memory_consolidation": (None, action("fan_out")),
        }
        samples: dict[str, list[float]] = {name: [] for name in probes}
        for _ in range(RUNS):  # interleaved, so a busy moment weighs on every function alike
            for name, (source, request) in probes.items():
                source = source or stack.FUNCTIONS_DIR / name / "main.py"
                samples[name].append(_first_answer(name, source, env, request))
        results = {
            name: {
                "runs": RUNS,
                "median_ms": round(statistics.median(found) * 1000),
                "max_ms": round(max(found) * 1000),
            }
            for name, found in samples.items()
        }
    floor = results["floor"]["median_ms"]
    for name, row in results.items():
        row["x_floor"] = round(row["median_ms"] / floor, 2)
        print(f"{name:<22} median {row['median_ms']:>5} ms  max {row['max_ms']:>5} ms  "
              f"{row['x_floor']:.2f}x floor")  # fmt: skip
    record("cold_start", results)


if __name__ == "__main__":
    main()
