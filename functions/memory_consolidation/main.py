"""memory_consolidation: nightly fan-out (cron) and one user's consolidation (`memory` queue)."""

import functions_framework
from pydantic import BaseModel

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class MemoryTask(BaseModel):
    action: str
    user_id: str | None = None


@functions_framework.http
@queue_triggered("memory_consolidation")
def memory_consolidation(payload, caller):
    from nudge.memory.consolidation import consolidate, default_deps, fan_out
    from nudge.models import utcnow

    task = MemoryTask.model_validate(payload)
    deps = default_deps()
    if task.action == "fan_out":
        from nudge.queue.client import default_task_queue

        return {"users": fan_out(deps.store, default_task_queue(), deps.settings, utcnow())}
    if task.action == "consolidate" and task.user_id:
        return consolidate(deps, task.user_id, utcnow()).model_dump()
    raise ValueError(f"unknown memory action {task.action}")
