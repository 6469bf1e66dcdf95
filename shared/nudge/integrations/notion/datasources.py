"""Choosing the data source notes go to, by text: "save notes to my Inbox database" searches
the person's Notion for data sources by that name (API 2025-09-03: a database holds data
sources; Notion's search with the `data_source` object filter). One match is chosen; several
are offered numbered and kept, so the answer ("notion 2", "the second one", or its name) needs
no new search; none is said kindly, with what is shared."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from nudge.integrations.notion.pages import DataSource, find_data_sources
from nudge.models.notion import DataSourceChoice

MAX_OFFERED = 5
_FILLER = re.compile(r"\b(?:my|the|notion|database|db|data source|table|page)\b", re.I)


class Pick(BaseModel):
    chosen: DataSourceChoice | None = None
    choices: list[DataSourceChoice] = Field(default_factory=list)


def _norm(name: str) -> str:
    return " ".join(_FILLER.sub(" ", name).casefold().split())


def said_name(name: str) -> str:
    """The name as said, less the filler words ("my Notes database" -> "Notes")."""
    return " ".join(_FILLER.sub(" ", name).split()) or " ".join(name.split())


def pick_data_source(client, name: str) -> Pick:
    """Search by `name`: the one match, or the several to ask about (none: both empty)."""
    wanted = _norm(name) or name.casefold().strip()
    found = find_data_sources(client, wanted)
    exact = [d for d in found if _norm(d.name) == wanted]
    close = exact or [d for d in found if wanted in _norm(d.name)]
    if len(close) == 1:
        return Pick(chosen=_choice(close[0]))
    return Pick(choices=[_choice(d) for d in close[:MAX_OFFERED]])


def shared_data_sources(client) -> list[str]:
    """The names of the data sources shared with the integration (for "none found")."""
    return [d.name for d in find_data_sources(client, "", limit=MAX_OFFERED + 1)]


def match_choice(choices: list[DataSourceChoice], name: str) -> DataSourceChoice | None:
    """The offered data source called `name` (as `pick_data_source` compares names)."""
    wanted = _norm(name) or name.casefold().strip()
    named = [c for c in choices if _norm(c.name) == wanted]
    return named[0] if len(named) == 1 else None


def _choice(found: DataSource) -> DataSourceChoice:
    return DataSourceChoice.model_validate(found.model_dump())
