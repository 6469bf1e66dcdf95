"""notion_sync: the scheduled fan-out (cron `notion-sync`), one person's sync with their
Notion data source (Cloud Tasks `integrations`, also enqueued when a note is saved), and the
AI tasks that need their Notion (finding the database notes go to)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, ConfigDict, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class NotionSyncTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["tick", "sync_user", "ai_task"] = "sync_user"
    user_id: str | None = None
    task_id: str | None = None  # ai_task (the payload of nudge.integrations.models.AITaskRef)

    @model_validator(mode="after")
    def _names_what_it_needs(self):
        if self.action in ("sync_user", "ai_task") and not self.user_id:
            raise ValueError(f"{self.action} needs user_id")
        if (self.action == "ai_task") != bool(self.task_id):
            raise ValueError("task_id goes with ai_task, and only with it")
        return self


@functions_framework.http
@queue_triggered("notion_sync", NotionSyncTask)
def notion_sync(task: NotionSyncTask, caller):
    from nudge.models import utcnow

    if task.action == "ai_task":
        from nudge.integrations.notion.choose import choose_database
        from nudge.integrations.worker import Delivery, default_worker_deps, run_ai_task
        from nudge.queue.client import default_task_queue

        workers, queue = default_worker_deps(), default_task_queue()
        return run_ai_task(
            workers,
            user_id=task.user_id,
            task_id=task.task_id,
            delivery=Delivery(caller.retry_count),
            work=lambda ai_task, user: choose_database(workers, queue, ai_task, user),
            now=utcnow(),
        )
    from nudge.integrations.notion.sync import default_sync_deps, sync_user

    deps = default_sync_deps()
    if task.action == "tick":
        from nudge.integrations.notion.schedule import fan_out
        from nudge.queue.client import default_task_queue

        return {"users": fan_out(deps.store, default_task_queue(), deps.settings, utcnow())}
    return sync_user(deps, task.user_id, utcnow()).model_dump()
