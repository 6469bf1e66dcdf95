"""pydantic models in and out of the document store."""

from nudge.models.base import Document, utcnow
from nudge.models.records import (
    OPEN_OCCURRENCE,
    AgentLog,
    Direction,
    Energy,
    Goal,
    Memory,
    MemoryType,
    Message,
    Note,
    OccurrenceStatus,
    Reminder,
    ReminderOccurrence,
    ReminderStatus,
    Task,
    TaskStatus,
)
from nudge.models.user import OnboardingStep, User, UserSettings, UserStatus, validate_e164

__all__ = [
    "OPEN_OCCURRENCE",
    "AgentLog",
    "Direction",
    "Document",
    "Energy",
    "Goal",
    "Memory",
    "MemoryType",
    "Message",
    "Note",
    "OccurrenceStatus",
    "OnboardingStep",
    "Reminder",
    "ReminderOccurrence",
    "ReminderStatus",
    "Task",
    "TaskStatus",
    "User",
    "UserSettings",
    "UserStatus",
    "utcnow",
    "validate_e164",
]
