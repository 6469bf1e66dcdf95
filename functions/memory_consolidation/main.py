"""memory_consolidation: nightly fan-out (cron), one user's consolidation, and one user's
memory index rebuild (both on the `memory` queue)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class MemoryTask(BaseModel):
    action: Literal["fan_out", "consolidate", "rebuild_index"]
    user_id: str | None = None

    @model_validator(mode="after")
    def _per_user_actions_name_a_user(self):
        if self.action in ("consolidate", "rebuild_index") and not self.user_id:
            raise ValueError(f"{self.action} needs user_id")
        return self


@functions_framework.http
@queue_triggered("memory_consolidation", MemoryTask)
def memory_consolidation(task: MemoryTask, caller):
    if task.action == "rebuild_index":
        # Asked by a recall that found the index missing or old: no embedder or judge needed.
        from nudge.memory.index_rebuild import rebuild_if_stale
        from nudge.store import Store

        indexed = rebuild_if_stale(Store.default(), task.user_id)
        return {"rebuilt": indexed is not None, "indexed": indexed or 0}

    from nudge.memory.consolidation import consolidate, default_deps, fan_out
    from nudge.models import utcnow

    deps = default_deps()
    if task.action == "fan_out":
        from nudge.queue.client import default_task_queue

        return {"users": fan_out(deps.store, default_task_queue(), deps.settings, utcnow())}
    return consolidate(deps, task.user_id, utcnow()).model_dump()
