"""planner: every 15 minutes, fan out per user; briefings, check-ins, stalled-task nudges."""

import functions_framework
from pydantic import BaseModel

from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


class PlannerTask(BaseModel):
    action: str
    user_id: str | None = None
    slot: str | None = None


@functions_framework.http
@queue_triggered("planner")
def planner(payload, caller):
    from datetime import datetime

    from nudge.models import utcnow
    from nudge.planner.briefing import default_deps, fan_out, plan_user

    task = PlannerTask.model_validate(payload)
    if task.action == "tick":
        return {"users": fan_out(default_deps(), utcnow())}
    if task.action == "plan_user" and task.user_id and task.slot:
        slot = datetime.fromisoformat(task.slot)
        return plan_user(default_deps(), task.user_id, slot).model_dump()
    raise ValueError(f"unknown planner action {task.action}")
