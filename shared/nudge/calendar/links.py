"""Linking and unlinking a calendar: the ICS link a person texts, and unlinking it."""

from __future__ import annotations

from nudge.calendar.fetch import FetchError, check_url
from nudge.calendar.sync import enqueue_sync, ics_url_context
from nudge.calendar.urls import find_ics_url
from nudge.models import User
from nudge.models.events import CalendarLink, EventSource
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.sealed import Sealer


def link_ics(
    store: Store,
    queue: TaskQueue,
    settings: Settings,
    user: User,
    url: str,
    *,
    turn_id: str | None = None,
) -> str:
    """Keep the link (sealed: it is a secret) and sync it now. Raises FetchError for a link
    we will not fetch. Returns the normalized URL's host, for the reply. `turn_id`: the turn
    that linked it (its reply goes out before the first sync's)."""
    from urllib.parse import urlsplit

    checked = check_url(url, settings)
    sealed = Sealer.from_settings(settings).seal(
        checked.encode(), context=ics_url_context(user.id or "")
    )
    store.calendar_links.put(
        user.id or "",
        CalendarLink(
            source=EventSource.ics, url_ciphertext=sealed.model_dump(), linked_in_turn=turn_id
        ),
    )
    enqueue_sync(queue, settings, user.id or "", EventSource.ics)
    return urlsplit(checked).hostname or ""


def unlink(store: Store, user_id: str, source: EventSource) -> int:
    """Forget the link and the events it brought (time boxes made locally stay)."""
    store.calendar_links.delete(user_id, source.value)
    events = [e.id for e in store.events.of_source(user_id, source) if e.id]
    return store.events.delete_many(user_id, events)


__all__ = ["FetchError", "find_ics_url", "link_ics", "unlink"]
