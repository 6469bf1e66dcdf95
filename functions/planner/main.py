"""planner: every 15 minutes, fan out per user; briefings, check-ins, stalled-task nudges."""

from datetime import datetime
from typing import Literal

import functions_framework
from pydantic import BaseModel, field_validator, model_validator

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class PlannerTask(BaseModel):
    action: Literal["tick", "plan_user"]
    user_id: str | None = None
    slot: str | None = None  # ISO time, read as the planner wrote it

    @field_validator("slot")
    @classmethod
    def _slot_is_an_iso_time(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.fromisoformat(value)  # ValueError -> a 400, not a crash in the handler
        return value

    @model_validator(mode="after")
    def _plan_user_names_user_and_slot(self):
        if self.action == "plan_user" and not (self.user_id and self.slot):
            raise ValueError("plan_user needs user_id and slot")
        return self


@functions_framework.http
@queue_triggered("planner", PlannerTask)
def planner(task: PlannerTask, caller):
    from nudge.models import utcnow
    from nudge.planner.briefing import default_deps, fan_out, plan_user

    if task.action == "tick":
        return {"users": fan_out(default_deps(), utcnow())}
    return plan_user(default_deps(), task.user_id, datetime.fromisoformat(task.slot)).model_dump()
