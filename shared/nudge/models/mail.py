"""Email triage: an unread message worth acting on becomes an offer, `users/{id}/mail_offers/
{message id}`; it becomes a task only when the person says so."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from nudge.models.base import Document


class OfferStatus(StrEnum):
    offered = "offered"
    accepted = "accepted"
    dismissed = "dismissed"


class MailOffer(Document):
    # The action item ("Reply to Dana about: Lease renewal"), from the subject (untrusted).
    title: str = Field(max_length=200)
    sender: str = Field(max_length=200)
    received_at: datetime
    web_link: str | None = None
    reason: str  # flagged, high importance, someone you wrote to
    status: OfferStatus = OfferStatus.offered
    # The number it had in the digest ("add 2").
    number: int | None = None
    task_id: str | None = None
