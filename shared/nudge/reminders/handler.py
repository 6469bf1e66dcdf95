"""The reminders function's use case: dispatch a queue task or cron call to the engine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nudge.reminders import engine


def default_deps() -> engine.ReminderDeps:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender
    from nudge.store import Store

    return engine.ReminderDeps(
        store=Store.default(),
        queue=default_task_queue(),
        sender=default_sender(),
        settings=get_settings(),
    )


class UnknownAction(ValueError):
    pass


def handle_reminder_task(
    task: dict[str, Any], *, now: datetime, deps: engine.ReminderDeps | None = None
) -> dict[str, Any]:
    deps = deps or default_deps()
    action = task["action"]
    if action == "fire":
        result = engine.fire(
            deps,
            user_id=task["user_id"],
            occurrence_id=task["occurrence_id"],
            version=int(task["version"]),
            now=now,
        )
        also_sent = engine.fire_due(deps, now)
        return {"result": result.value, "also_sent": also_sent}
    if action == "follow_up":
        result = engine.follow_up(
            deps,
            user_id=task["user_id"],
            occurrence_id=task["occurrence_id"],
            number=int(task["number"]),
            now=now,
        )
        return {"result": result}
    if action == "catch_up":
        return engine.catch_up(deps, now).model_dump()
    if action == "horizon":
        return engine.enqueue_horizon(deps, now).model_dump()
    raise UnknownAction(action)
