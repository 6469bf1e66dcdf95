"""reminders: fire an occurrence, follow up, and the sweeps (Cloud Tasks `reminders` + cron)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()

# The fields each action needs; a task without them is a bad payload (400), not a crash.
REQUIRED_FIELDS = {
    "fire": ("user_id", "occurrence_id", "version"),
    "follow_up": ("user_id", "occurrence_id", "number"),
    "catch_up": (),
    "horizon": (),
}


class ReminderTask(BaseModel):
    action: Literal["fire", "follow_up", "catch_up", "horizon"]
    user_id: str | None = None
    occurrence_id: str | None = None
    version: int | None = None
    number: int | None = None

    @model_validator(mode="after")
    def _has_what_its_action_needs(self):
        missing = [f for f in REQUIRED_FIELDS[self.action] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.action} needs {', '.join(missing)}")
        return self


@functions_framework.http
@queue_triggered("reminders", ReminderTask)
def reminders(task: ReminderTask, caller):
    from nudge.models import utcnow
    from nudge.reminders.handler import handle_reminder_task

    return handle_reminder_task(task.model_dump(), now=utcnow())
