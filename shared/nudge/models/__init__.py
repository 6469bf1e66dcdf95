"""pydantic models in and out of the document store."""

from nudge.models.base import Document, utcnow
from nudge.models.records import (
    AgentLog,
    Direction,
    Energy,
    Goal,
    Memory,
    MemoryType,
    Message,
    Note,
    Reminder,
    ReminderStatus,
    Task,
    TaskStatus,
)
from nudge.models.user import OnboardingStep, User, UserSettings, UserStatus, validate_e164

__all__ = [
    "AgentLog",
    "Direction",
    "Document",
    "Energy",
    "Goal",
    "Memory",
    "MemoryType",
    "Message",
    "Note",
    "OnboardingStep",
    "Reminder",
    "ReminderStatus",
    "Task",
    "TaskStatus",
    "User",
    "UserSettings",
    "UserStatus",
    "utcnow",
    "validate_e164",
]
