"""calendar_sync: the 15-minute fan-out (cron) and one user's calendar sync (queue
`integrations`): a private ICS link or Microsoft Graph into the user's events."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class CalendarSyncTask(BaseModel):
    action: Literal["tick", "sync_user"]
    user_id: str | None = None
    source: Literal["ics", "microsoft"] | None = None

    @model_validator(mode="after")
    def _sync_user_names_user_and_source(self):
        if self.action == "sync_user" and not (self.user_id and self.source):
            raise ValueError("sync_user needs user_id and source")
        return self


@functions_framework.http
@queue_triggered("calendar_sync", CalendarSyncTask)
def calendar_sync(task: CalendarSyncTask, caller):
    from nudge.calendar.leave import sync_then_nudge
    from nudge.calendar.sync import default_deps, fan_out
    from nudge.models import utcnow
    from nudge.models.events import EventSource

    if task.action == "tick":
        return {"links": fan_out(default_deps(), utcnow())}
    report = sync_then_nudge(default_deps(), task.user_id, EventSource(task.source), utcnow())
    return report.model_dump()
