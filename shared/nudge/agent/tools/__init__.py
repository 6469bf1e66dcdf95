"""Every tool the agent can call; importing this package registers them all."""

from nudge.agent.tools import (  # noqa: F401 - registration
    goals,
    integrations,
    memory,
    notes,
    planning,
    profile,
    reminders,
    tasks,
)
from nudge.agent.tools.registry import ToolContext, registry

__all__ = ["ToolContext", "registry"]
