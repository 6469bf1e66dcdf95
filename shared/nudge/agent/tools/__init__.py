"""Every tool the agent can call; importing this package registers them all."""

from nudge.agent.tools import (  # noqa: F401 - registration
    about_me,
    account,
    calendar,
    goals,
    groceries,
    integrations,
    mail,
    meals,
    memory,
    money,
    notes,
    notion,
    places,
    planning,
    profile,
    reminder_moves,
    reminders,
    review,
    tasks,
)
from nudge.agent.tools.registry import ToolContext, registry

__all__ = ["ToolContext", "registry"]
