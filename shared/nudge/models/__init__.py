"""pydantic models in and out of the document store.

The core documents (users, messages, tasks, reminders, memories, events) load with the package;
life-admin models load when first named, so a function that never touches them (the SMS
webhook's cold start) does not import them.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from nudge.models.base import Document, utcnow
from nudge.models.events import CalendarLink, CalendarLinkStatus, Event, EventSource
from nudge.models.records import (
    KEPT_WHILE_OPTED_OUT,
    KEYWORD_HANDLED,
    OPEN_OCCURRENCE,
    AgentLog,
    Direction,
    Energy,
    Goal,
    Memory,
    MemoryType,
    Message,
    Note,
    NoteAppend,
    NoteAppendState,
    OccurrenceStatus,
    Reminder,
    ReminderOccurrence,
    ReminderStatus,
    Task,
    TaskStatus,
)
from nudge.models.user import OnboardingStep, User, UserSettings, UserStatus, validate_e164

_LAZY = {
    "nudge.models.life_admin": (
        "Expense", "ExpenseCategory", "GroceryItem", "GroceryStatus", "Ingredient", "Money",
        "Place", "PlannedMeal", "Recipe",
    ),
}  # fmt: skip
_LAZY_MODULE = {name: module for module, names in _LAZY.items() for name in names}

if TYPE_CHECKING:
    from nudge.models.life_admin import (
        Expense,
        ExpenseCategory,
        GroceryItem,
        GroceryStatus,
        Ingredient,
        Money,
        Place,
        PlannedMeal,
        Recipe,
    )


def __getattr__(name: str):
    module = _LAZY_MODULE.get(name)
    if module is None:
        raise AttributeError(f"module 'nudge.models' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "KEPT_WHILE_OPTED_OUT",
    "KEYWORD_HANDLED",
    "OPEN_OCCURRENCE",
    "AgentLog",
    "CalendarLink",
    "CalendarLinkStatus",
    "Direction",
    "Document",
    "Energy",
    "Expense",
    "ExpenseCategory",
    "Event",
    "EventSource",
    "Goal",
    "GroceryItem",
    "GroceryStatus",
    "Ingredient",
    "Memory",
    "MemoryType",
    "Message",
    "Money",
    "Note",
    "NoteAppend",
    "NoteAppendState",
    "OccurrenceStatus",
    "OnboardingStep",
    "Place",
    "PlannedMeal",
    "Recipe",
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
