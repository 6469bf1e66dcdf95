"""The document store: typed repositories over Firestore, every query scoped to one user."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from google.cloud import firestore

from nudge.store.collections import (
    AgentLogRepository,
    GoalRepository,
    MemoryRepository,
    MessageRepository,
    NoteRepository,
    OccurrenceRepository,
    ReminderRepository,
    TaskRepository,
)
from nudge.store.idempotency import AlreadyInProgress, IdempotencyStore
from nudge.store.leases import TurnLeases
from nudge.store.markers import DedupMarkers
from nudge.store.notion import NotionLinkRepository
from nudge.store.repository import NotFound
from nudge.store.users import UserRepository

if TYPE_CHECKING:  # loaded on first use: most functions never touch calendars or mail
    from nudge.store.calendar import (
        CalendarLinkRepository,
        CredentialRepository,
        EventRepository,
        MailOfferRepository,
    )

__all__ = ["AlreadyInProgress", "NotFound", "Store"]


class Store:
    """Every repository over one Firestore client."""

    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    @classmethod
    def default(cls) -> Store:
        from nudge.store.client import default_firestore_client

        return cls(default_firestore_client())

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.db)

    @cached_property
    def messages(self) -> MessageRepository:
        return MessageRepository(self.db)

    @cached_property
    def memories(self) -> MemoryRepository:
        return MemoryRepository(self.db)

    @cached_property
    def tasks(self) -> TaskRepository:
        return TaskRepository(self.db)

    @cached_property
    def goals(self) -> GoalRepository:
        return GoalRepository(self.db)

    @cached_property
    def reminders(self) -> ReminderRepository:
        return ReminderRepository(self.db)

    @cached_property
    def occurrences(self) -> OccurrenceRepository:
        return OccurrenceRepository(self.db)

    @cached_property
    def notes(self) -> NoteRepository:
        return NoteRepository(self.db)

    @cached_property
    def agent_logs(self) -> AgentLogRepository:
        return AgentLogRepository(self.db)

    @cached_property
    def events(self) -> EventRepository:
        from nudge.store.calendar import EventRepository

        return EventRepository(self.db)

    @cached_property
    def calendar_links(self) -> CalendarLinkRepository:
        from nudge.store.calendar import CalendarLinkRepository

        return CalendarLinkRepository(self.db)

    @cached_property
    def credentials(self) -> CredentialRepository:
        from nudge.store.calendar import CredentialRepository

        return CredentialRepository(self.db)

    @cached_property
    def notion_links(self) -> NotionLinkRepository:
        return NotionLinkRepository(self.db)

    @cached_property
    def mail_offers(self) -> MailOfferRepository:
        from nudge.store.calendar import MailOfferRepository

        return MailOfferRepository(self.db)

    @cached_property
    def dedup(self) -> DedupMarkers:
        return DedupMarkers(self.db)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self.db)

    @cached_property
    def leases(self) -> TurnLeases:
        return TurnLeases(self.db)
