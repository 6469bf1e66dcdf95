"""A person's Notion link: `users/{id}/notion_links/notion`. How Nudge reaches their
workspace (their own OAuth token, sealed in `credentials/notion`, or the deployment's internal
integration), the data source notes go to, and where the sync got to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from nudge.models.base import Document


class NotionAccess(StrEnum):
    oauth = "oauth"  # a public integration's token for this person
    internal = "internal"  # the deployment's internal integration token (one person)


class NotionLinkStatus(StrEnum):
    ok = "ok"
    needs_relink = "needs_relink"


class DataSourceChoice(BaseModel):
    """One data source offered when a name matched several ("notion 2" picks the second)."""

    data_source_id: str
    name: str
    database_id: str | None = None
    title_property: str = "Name"


class NotionLink(Document):
    access: NotionAccess
    workspace_name: str | None = None
    workspace_id: str | None = None
    bot_id: str | None = None
    status: NotionLinkStatus = NotionLinkStatus.ok
    # The data source notes are created in and pulled from; None until the person picks one.
    data_source_id: str | None = None
    data_source_name: str | None = None
    database_id: str | None = None
    title_property: str = "Name"
    # Offered when a name matched several data sources, numbered from 1.
    choices: list[DataSourceChoice] = Field(default_factory=list)
    # Pages edited at or after this (less Notion's minute rounding) are pulled next time.
    last_synced_at: datetime | None = None
