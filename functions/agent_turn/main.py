"""agent_turn: one reply to a user's unanswered texts (Cloud Tasks `agent-turns`), and the
sweep that re-drives texts whose turn was lost (cron `unanswered-sweep`)."""

from typing import Literal

import functions_framework
from pydantic import BaseModel, ConfigDict, RootModel

from nudge.logs import configure_logging
from nudge.web import queue_triggered


class AgentTurnTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str
    message_id: str
    # Set by the sweep when it re-drives a lost turn.
    turn_id: str | None = None
    late: bool = False


class SweepTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["sweep"]


class AgentTurnPayload(RootModel[AgentTurnTask | SweepTask]):
    pass


configure_logging()


@functions_framework.http
@queue_triggered("agent_turn", AgentTurnPayload)
def agent_turn(payload: AgentTurnPayload, caller):
    from nudge.models import utcnow

    task = payload.root
    if isinstance(task, SweepTask):
        from nudge.conversation.sweep import sweep_unanswered
        from nudge.queue.client import default_task_queue
        from nudge.settings import get_settings
        from nudge.store import Store

        report = sweep_unanswered(Store.default(), default_task_queue(), get_settings(), utcnow())
        return report.model_dump(mode="json")

    from nudge.conversation.turn import default_turn_deps, run_agent_turn

    outcome = run_agent_turn(
        default_turn_deps(),
        user_id=task.user_id,
        message_id=task.message_id,
        now=utcnow(),
        turn_id=task.turn_id,
        late=task.late,
    )
    return outcome.model_dump(mode="json")
