"""mail_triage: a few times a day (cron), one task per user with Outlook linked (queue
`integrations`): unread important mail offered as tasks; never sends or deletes mail."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class MailTriageTask(BaseModel):
    action: Literal["tick", "triage_user"]
    user_id: str | None = None

    @model_validator(mode="after")
    def _triage_user_names_the_user(self):
        if self.action == "triage_user" and not self.user_id:
            raise ValueError("triage_user needs user_id")
        return self


@functions_framework.http
@queue_triggered("mail_triage", MailTriageTask)
def mail_triage(task: MailTriageTask, caller):
    from nudge.mail.triage import default_deps, fan_out, triage_user
    from nudge.models import utcnow

    if task.action == "tick":
        return {"users": fan_out(default_deps(), utcnow())}
    return triage_user(default_deps(), task.user_id, utcnow()).model_dump()
