"""The seed's EVENTS: what is on the person's calendars, and where each one came from.

An event is stored under a deterministic id made from its source and its external id, so a
sync writes the same document however often it runs (idempotent upserts, redelivery included).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from nudge.models.base import Document


class EventSource(StrEnum):
    ics = "ics"  # a read-only private ICS link (Google, Apple, Outlook alike)
    microsoft = "microsoft"  # Microsoft Graph, read and write
    local = "local"  # made by Nudge (a time box) when no writable calendar is linked


class Event(Document):
    title: str = Field(max_length=500)
    start: datetime
    end: datetime
    all_day: bool = False
    location: str | None = Field(None, max_length=500)
    # The provider's id (ICS: UID plus the occurrence's RECURRENCE-ID; Graph: the event id).
    external_id: str
    source: EventSource
    web_link: str | None = None
    # A time box links the task it is for.
    task_id: str | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self):
        if self.end < self.start:
            raise ValueError("an event cannot end before it starts")
        return self


def event_doc_id(source: EventSource | str, external_id: str) -> str:
    """The document id of an event: stable per (source, external id), safe as a path part."""
    digest = hashlib.sha256(f"{source}:{external_id}".encode()).hexdigest()[:32]
    return f"{EventSource(source).value}-{digest}"


class CalendarLinkStatus(StrEnum):
    pending = "pending"  # linked, first sync not done yet
    ok = "ok"
    failing = "failing"  # the last syncs failed; the person was told once
    needs_relink = "needs_relink"  # the grant was revoked; syncs stop until they relink


class CalendarLink(Document):
    """One calendar source of a user, at `users/{id}/calendar_links/{source}`; the cron
    fan-out syncs every link it finds."""

    source: EventSource
    # ICS only: the private link (a secret: whoever has it reads the calendar), encrypted.
    url_ciphertext: dict | None = None
    status: CalendarLinkStatus = CalendarLinkStatus.pending
    last_synced_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failure_notified: bool = False
    # Graph: where the next delta query starts.
    delta_link: str | None = None
    delta_started_at: datetime | None = None
    # Outlook mail triage: the newest message already looked at.
    mail_seen_until: datetime | None = None
    event_count: int = 0
    # The turn whose text linked it: the first sync's "linked" text waits for that turn's reply.
    linked_in_turn: str | None = None


class TimeBoxProposal(BaseModel):
    """A free slot Nudge proposed ("block 2 hours tomorrow for taxes"); "yes" books it."""

    title: str
    start: datetime
    end: datetime
    proposed_at: datetime
    task_id: str | None = None
