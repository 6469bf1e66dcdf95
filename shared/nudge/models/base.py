"""Shared base for stored documents."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class Document(BaseModel):
    """A Firestore document: `id` is the document id, never stored as a field."""

    # Schemas are built on first use: a function pays only for the documents it touches.
    model_config = ConfigDict(extra="ignore", validate_assignment=True, defer_build=True)

    id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
