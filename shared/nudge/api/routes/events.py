"""Calendar events (when a calendar is linked), in the coming days."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from nudge.api.context import ApiContext
from nudge.api.router import router
from nudge.models import Event


class EventOut(BaseModel):
    id: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    location: str | None
    source: str

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls.model_validate(event.model_dump(mode="json"))


class EventList(BaseModel):
    calendar_linked: bool
    events: list[EventOut]


class EventQuery(BaseModel):
    days: int = Field(7, ge=1, le=60, description="from now, this many days ahead")


@router.route("GET", "/v1/events", tag="events", query=EventQuery, response=EventList)
def list_events(ctx: ApiContext, query: EventQuery) -> EventList:
    """Your calendar's events from now on (empty with calendar_linked false when none is)."""
    linked = bool(ctx.store.calendar_links.list(ctx.user_id, limit=1))
    events = ctx.store.events.between(ctx.user_id, ctx.now, ctx.now + timedelta(days=query.days))
    return EventList(calendar_linked=linked, events=[EventOut.of(e) for e in events])
