"""notion_sync: sync one person's notes with their Notion data source (Cloud Tasks
`integrations`, enqueued when a note is saved)."""

import functions_framework
from pydantic import BaseModel, ConfigDict

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class NotionSyncTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str


@functions_framework.http
@queue_triggered("notion_sync", NotionSyncTask)
def notion_sync(task: NotionSyncTask, caller):
    from nudge.integrations.notion.sync import default_notion, sync_notes
    from nudge.models import utcnow
    from nudge.store import Store

    notion = default_notion()
    if notion is None:
        return {"result": "not_configured"}
    return sync_notes(Store.default(), task.user_id, notion, now=utcnow()).model_dump()
