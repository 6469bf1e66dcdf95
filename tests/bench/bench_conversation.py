"""Webhook acknowledgement latency under 20 concurrent senders, beside a floor measured in the
same run; agent-turn overhead with a zero-latency scripted model.

Targets (issue 3): webhook p95 within 2x the floor's p95; turn overhead p50 under 150 ms.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

from emulators import stack
from tests.bench.common import emulators, record, summary_ms

SENDERS = 20
TEXTS_PER_SENDER = 25
TURNS = 100
FLOOR_SOURCE = Path(__file__).parent / "floor_function" / "main.py"


def _serve(name: str, source: Path, port: int, env: dict, sink) -> stack.ManagedProcess:
    import sys

    argv = [
        sys.executable,
        "-m",
        "functions_framework",
        f"--target={name}",
        f"--source={source}",
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    proc = stack.spawn(name, argv, env=env, sink=sink, cwd=source.parent)
    stack.wait_until(lambda: stack.port_in_use(port), timeout=60, what=name, proc=proc)
    return proc


def _load(url: str, sign, phones: list[str]) -> list[float]:
    """SENDERS threads, each texting TEXTS_PER_SENDER times in a row; seconds per request."""
    samples: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(phones))

    def sender(phone: str) -> None:
        session = requests.Session()
        barrier.wait()
        for i in range(TEXTS_PER_SENDER):
            form = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "From": phone,
                "To": "+15550001111",
                "Body": f"todo: thing {i}",
                "NumMedia": "0",
            }
            started = time.perf_counter()
            response = session.post(url, data=form, headers={"X-Twilio-Signature": sign(form)})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            with lock:
                samples.append(elapsed)

    threads = [threading.Thread(target=sender, args=(p,)) for p in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def bench_webhook(hosts: dict[str, str]) -> dict:
    from twilio.request_validator import RequestValidator

    from nudge.queue.client import TaskQueue
    from nudge.settings import Settings

    project = f"bench-{uuid.uuid4().hex[:8]}"
    webhook_port, floor_port = stack.free_port(), stack.free_port()
    public = f"http://127.0.0.1:{webhook_port}"
    env = (
        stack.read_env_file()
        | dict(os.environ)
        | hosts
        | {
            "NUDGE_PROJECT_ID": project,
            "NUDGE_PUBLIC_BASE_URL": public,
            "NUDGE_FUNCTION_URLS": json.dumps({"agent_turn": "http://127.0.0.1:9"}),
            # Turns must not run during the measurement (they would compete for the 2 cores).
            "NUDGE_TURN_DELAY_SECONDS": "3600",
            "NUDGE_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.update(env)
    settings = Settings()
    TaskQueue(settings).ensure_queues(list(settings.queues.model_dump().values()))
    token = settings.twilio_auth_token.get_secret_value()
    validator = RequestValidator(token)
    sink = io.StringIO()
    webhook = _serve(
        "sms_webhook", stack.FUNCTIONS_DIR / "sms_webhook" / "main.py", webhook_port, env, sink
    )
    floor = _serve("floor", FLOOR_SOURCE, floor_port, env, sink)
    try:
        phones = [f"+1555555{1000 + i:04d}" for i in range(SENDERS)]
        # Warm both (first requests create clients and the users).
        _load(f"{public}/", lambda f: validator.compute_signature(public, f), phones[:SENDERS])
        _load(f"http://127.0.0.1:{floor_port}/", lambda f: "", phones[:4])
        floor_samples = _load(f"http://127.0.0.1:{floor_port}/", lambda f: "", phones)
        webhook_samples = _load(
            f"{public}/", lambda f: validator.compute_signature(public, f), phones
        )
    finally:
        stack.stop([webhook, floor])
    webhook_stats, floor_stats = summary_ms(webhook_samples), summary_ms(floor_samples)
    return {
        "senders": SENDERS,
        "webhook": webhook_stats,
        "floor": floor_stats,
        "p95_ratio": round(webhook_stats["p95_ms"] / floor_stats["p95_ms"], 2),
    }


class ZeroLatencyModel:
    """Answers at once: one add_task call, then a short text."""

    name = "scripted"

    def generate(self, request):
        from nudge.llm.types import FunctionCall, ModelReply

        if request.messages[-1].role == "tool":
            return ModelReply(model=self.name, text="Added. What's the first tiny step?")
        return ModelReply(
            model=self.name, function_calls=[FunctionCall(name="add_task", args={"title": "x"})]
        )


def bench_turn_overhead(hosts: dict[str, str]) -> dict:
    from nudge.conversation.turn import TurnDeps, run_agent_turn
    from nudge.embeddings import default_embedder
    from nudge.models import Direction, Message, User
    from nudge.settings import Settings
    from nudge.sms.senders import LocalOutbox
    from nudge.store import Store
    from nudge.store.client import make_firestore_client

    os.environ.update(hosts | {"NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}"})
    settings = Settings()
    store = Store(make_firestore_client(settings))
    deps = TurnDeps(
        store=store,
        settings=settings,
        model=ZeroLatencyModel(),
        sender=LocalOutbox(store.db),
        embedder_factory=default_embedder,
    )
    user = store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))
    samples = []
    for i in range(TURNS + 10):
        sid = f"SMbench{i}"
        store.messages.add(
            user.id,
            Message(
                direction=Direction.inbound, body=f"todo: thing {i}", created_at=datetime.now(UTC)
            ),
            doc_id=sid,
        )
        started = time.perf_counter()
        run_agent_turn(deps, user_id=user.id, message_id=sid, now=datetime.now(UTC))
        if i >= 10:  # the first turns warm clients and the embedder
            samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def main() -> None:
    with emulators() as hosts:
        webhook = bench_webhook(hosts)
        record("webhook_ack_20_senders", webhook)
        print(
            f"webhook ack, {SENDERS} concurrent senders: p50 {webhook['webhook']['p50_ms']} ms, "
            f"p95 {webhook['webhook']['p95_ms']} ms; floor p50 {webhook['floor']['p50_ms']} ms, "
            f"p95 {webhook['floor']['p95_ms']} ms; p95 ratio {webhook['p95_ratio']}x"
        )
        turn = bench_turn_overhead(hosts)
        record("agent_turn_overhead", turn)
        print(
            f"agent turn overhead (zero-latency model): p50 {turn['p50_ms']} ms, "
            f"p95 {turn['p95_ms']} ms"
        )


if __name__ == "__main__":
    main()
