"""Every tool the agent can call; importing this package registers them all."""

from nudge.agent.tools import memory, profile, reminders, tasks  # noqa: F401 - registration
from nudge.agent.tools.registry import ToolContext, registry

__all__ = ["ToolContext", "registry"]
