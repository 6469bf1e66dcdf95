"""reminders: fire an occurrence, follow up, and the sweeps (Cloud Tasks `reminders` + cron)."""

import functions_framework
from pydantic import BaseModel

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class ReminderTask(BaseModel):
    action: str
    user_id: str | None = None
    occurrence_id: str | None = None
    version: int | None = None
    number: int | None = None


@functions_framework.http
@queue_triggered("reminders")
def reminders(payload, caller):
    from nudge.models import utcnow
    from nudge.reminders.handler import handle_reminder_task

    return handle_reminder_task(ReminderTask.model_validate(payload).model_dump(), now=utcnow())
