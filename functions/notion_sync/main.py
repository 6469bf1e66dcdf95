"""notion_sync: the scheduled fan-out (cron `notion-sync`) and one person's sync with their
Notion data source (Cloud Tasks `integrations`, also enqueued when a note is saved)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, ConfigDict, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class NotionSyncTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["tick", "sync_user"] = "sync_user"
    user_id: str | None = None

    @model_validator(mode="after")
    def _sync_user_names_the_user(self):
        if self.action == "sync_user" and not self.user_id:
            raise ValueError("sync_user needs user_id")
        return self


@functions_framework.http
@queue_triggered("notion_sync", NotionSyncTask)
def notion_sync(task: NotionSyncTask, caller):
    from nudge.integrations.notion.sync import default_sync_deps, sync_user
    from nudge.models import utcnow

    deps = default_sync_deps()
    if task.action == "tick":
        from nudge.integrations.notion.schedule import fan_out
        from nudge.queue.client import default_task_queue

        return {"users": fan_out(deps.store, default_task_queue(), deps.settings, utcnow())}
    return sync_user(deps, task.user_id, utcnow()).model_dump()
