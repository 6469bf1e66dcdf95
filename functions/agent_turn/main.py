"""agent_turn: one reply to a user's unanswered texts (Cloud Tasks `agent-turns`)."""

import functions_framework
from pydantic import BaseModel

from nudge.logs import configure_logging
from nudge.web import queue_triggered


class AgentTurnTask(BaseModel):
    user_id: str
    message_id: str


configure_logging()


@functions_framework.http
@queue_triggered("agent_turn", AgentTurnTask)
def agent_turn(task: AgentTurnTask, caller):
    from nudge.conversation.turn import default_turn_deps, run_agent_turn
    from nudge.models import utcnow

    outcome = run_agent_turn(
        default_turn_deps(), user_id=task.user_id, message_id=task.message_id, now=utcnow()
    )
    return outcome.model_dump(mode="json")
