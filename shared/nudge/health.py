"""Health: the version and whether Firestore and the task queue answer."""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel, computed_field

import nudge
from nudge.settings import Settings

CHECK_TIMEOUT_SECONDS = 3.0


class ComponentHealth(BaseModel):
    ok: bool
    latency_ms: float
    error: str | None = None


class HealthReport(BaseModel):
    version: str
    environment: str
    firestore: ComponentHealth
    task_queue: ComponentHealth

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.firestore.ok and self.task_queue.ok


def _probe(check: Callable[[], object]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure means "not reachable"; the class name is enough
        elapsed = (time.perf_counter() - started) * 1000
        return ComponentHealth(ok=False, latency_ms=round(elapsed, 1), error=type(exc).__name__)
    elapsed = (time.perf_counter() - started) * 1000
    return ComponentHealth(ok=True, latency_ms=round(elapsed, 1))


def check_health(settings: Settings) -> HealthReport:
    from nudge.queue.client import default_task_queue
    from nudge.store.client import default_firestore_client

    def firestore_answers() -> None:
        db = default_firestore_client()
        db.collection("_health").document("ping").get(retry=None, timeout=CHECK_TIMEOUT_SECONDS)

    def queue_answers() -> None:
        default_task_queue().ping(settings.queues.agent_turns, timeout=CHECK_TIMEOUT_SECONDS)

    return HealthReport(
        version=nudge.__version__,
        environment=settings.environment,
        firestore=_probe(firestore_answers),
        task_queue=_probe(queue_answers),
    )
