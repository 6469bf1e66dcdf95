"""memory_consolidation: nightly fan-out (cron) and one user's consolidation (`memory` queue)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class MemoryTask(BaseModel):
    action: Literal["fan_out", "consolidate"]
    user_id: str | None = None

    @model_validator(mode="after")
    def _consolidate_names_a_user(self):
        if self.action == "consolidate" and not self.user_id:
            raise ValueError("consolidate needs user_id")
        return self


@functions_framework.http
@queue_triggered("memory_consolidation", MemoryTask)
def memory_consolidation(task: MemoryTask, caller):
    from nudge.memory.consolidation import consolidate, default_deps, fan_out
    from nudge.models import utcnow

    deps = default_deps()
    if task.action == "fan_out":
        from nudge.queue.client import default_task_queue

        return {"users": fan_out(deps.store, default_task_queue(), deps.settings, utcnow())}
    return consolidate(deps, task.user_id, utcnow()).model_dump()
