"""Calendar syncs: the 15-minute fan-out and one user's sync of one source.

A sync is a reconciliation: it writes every event the source has in the window at its
deterministic document and removes the source's events that are gone, so a redelivered task
or two overlapping runs leave the same state. Outcomes are recorded on the link; the person
hears once when a calendar is linked and once when it keeps failing, never per attempt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from nudge.models import User
from nudge.models.events import CalendarLink, CalendarLinkStatus, Event, EventSource
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.calendar")

# This many failed syncs in a row (about 45 minutes of cron ticks) earn one message.
FAILURES_BEFORE_NOTICE = 3
SLOT = timedelta(minutes=15)


@dataclass
class CalendarDeps:
    store: Store
    queue: TaskQueue
    sender: SmsSender
    settings: Settings
    # The HTTP session for ICS links and Graph (tests answer it at the transport).
    http: object | None = None
    # The LLM for mail action items (None: offline, the heuristic).
    model: object | None = None


class SyncReport(BaseModel):
    source: str
    upserted: int = 0
    deleted: int = 0
    status: str = "ok"
    skipped: str | None = None
    error: str | None = None
    leave_nudges: int = 0


def ics_url_context(user_id: str) -> str:
    return f"ics-url:{user_id}"


def window(settings: Settings, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=1), now + timedelta(days=settings.calendar_sync_days)


def fan_out(deps: CalendarDeps, now: datetime) -> int:
    """One sync task per linked calendar for this 15-minute slot (named, so a repeated tick
    adds none in the cloud); relink-needed links wait for the person."""
    slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    count = 0
    for user_id, link in deps.store.calendar_links.every_link():
        if link.status == CalendarLinkStatus.needs_relink:
            continue
        enqueue_sync(deps.queue, deps.settings, user_id, link.source, slot=slot)
        count += 1
    return count


def enqueue_sync(
    queue: TaskQueue,
    settings: Settings,
    user_id: str,
    source: EventSource,
    *,
    slot: datetime | None = None,
) -> None:
    queue.enqueue(
        settings.queues.integrations,
        "calendar_sync",
        {"action": "sync_user", "user_id": user_id, "source": source.value},
        task_name=f"calendar-{user_id}-{source.value}-{int(slot.timestamp())}" if slot else None,
    )


def sync_user(deps: CalendarDeps, user_id: str, source: EventSource, now: datetime) -> SyncReport:
    user = deps.store.users.get(user_id)
    link = deps.store.calendar_links.get(user_id, source.value)
    if user is None or link is None:
        return SyncReport(source=source, skipped="not linked")
    if link.status == CalendarLinkStatus.needs_relink:
        return SyncReport(source=source, skipped="needs relink")
    if source == EventSource.ics:
        return _sync_ics(deps, user, link, now)
    from nudge.calendar.graph_sync import sync_microsoft

    return sync_microsoft(deps, user, link, now)


def _sync_ics(deps: CalendarDeps, user: User, link: CalendarLink, now: datetime) -> SyncReport:
    from nudge.calendar.fetch import FetchError, fetch_ics
    from nudge.calendar.ics import IcsError, parse_ics
    from nudge.store.sealed import Sealer

    timezone = user.timezone or deps.settings.default_timezone
    start, end = window(deps.settings, now)
    try:
        url = Sealer.from_settings(deps.settings).open(
            link.url_ciphertext or {}, context=ics_url_context(user.id or "")
        )
        data = fetch_ics(url.decode(), deps.settings, session=deps.http)  # type: ignore[arg-type]
        events = parse_ics(data, timezone=timezone, window_start=start, window_end=end)
    except FetchError as exc:
        return record_failure(deps, user, link, str(exc), permanent=exc.permanent)
    except IcsError as exc:
        return record_failure(deps, user, link, str(exc), permanent=True)
    upserted, deleted = reconcile(deps.store, user.id or "", EventSource.ics, events, start)
    return record_success(deps, user, link, now, upserted, deleted)


def reconcile(
    store: Store, user_id: str, source: EventSource, events: list[Event], window_start: datetime
) -> tuple[int, int]:
    """Make the source's stored events in the window exactly `events`."""
    kept = set(store.events.upsert_many(user_id, events))
    gone = [
        e.id
        for e in store.events.of_source(user_id, source)
        if e.id not in kept and e.end >= window_start and e.id
    ]
    return len(kept), store.events.delete_many(user_id, gone)


def _from_number(deps: CalendarDeps, user: User) -> str:
    return user.assistant_number or deps.settings.twilio_from_number or ""


def record_success(
    deps: CalendarDeps, user: User, link: CalendarLink, now: datetime, upserted: int, deleted: int
) -> SyncReport:
    first = link.status == CalendarLinkStatus.pending
    deps.store.calendar_links.patch(
        user.id or "",
        link.source.value,
        status=CalendarLinkStatus.ok,
        last_synced_at=now,
        last_error=None,
        consecutive_failures=0,
        failure_notified=False,
        event_count=upserted,
    )
    if first:
        if link.linked_in_turn:
            from nudge.conversation.reply_order import wait_for_turn_reply

            wait_for_turn_reply(deps.store, deps.settings, user.id or "", link.linked_in_turn)
        name = "Outlook calendar" if link.source == EventSource.microsoft else "calendar"
        days = deps.settings.calendar_sync_days
        deliver(
            deps.store,
            deps.sender,
            user,
            f"Your {name} is linked: {upserted} events in the next {days} days. "
            'Text "what\'s on today?" to see today.',
            from_number=_from_number(deps, user),
            message_id=f"calendar-linked-{link.source.value}-{int(link.created_at.timestamp())}",
            kind="calendar",
        )
    log.info(
        "calendar sync %s for %s: %d events, %d removed", link.source, user.id, upserted, deleted
    )
    return SyncReport(source=link.source, upserted=upserted, deleted=deleted)


def record_failure(
    deps: CalendarDeps, user: User, link: CalendarLink, error: str, *, permanent: bool
) -> SyncReport:
    """Record the failure; the person hears once (at once if retrying cannot help)."""
    failures = link.consecutive_failures + 1
    notify = not link.failure_notified and (permanent or failures >= FAILURES_BEFORE_NOTICE)
    deps.store.calendar_links.patch(
        user.id or "",
        link.source.value,
        status=CalendarLinkStatus.failing,
        last_error=error[:300],
        consecutive_failures=failures,
        failure_notified=link.failure_notified or notify,
    )
    log.warning(
        "calendar sync %s for %s failed (%d in a row): %s", link.source, user.id, failures, error
    )
    if notify:
        what = (
            "I couldn't read your calendar link"
            if permanent
            else "I haven't been able to reach your calendar for a while"
        )
        deliver(
            deps.store,
            deps.sender,
            user,
            f"{what} ({error}). I'll keep what I have. If the link changed, text me the new one.",
            from_number=_from_number(deps, user),
            message_id=f"calendar-failing-{link.source.value}-{failures}-"
            f"{int(link.created_at.timestamp())}",
            kind="calendar",
        )
    return SyncReport(source=link.source, status="failed", error=error)


def default_deps() -> CalendarDeps:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return CalendarDeps(
        store=Store.default(),
        queue=default_task_queue(),
        sender=default_sender(),
        settings=get_settings(),
    )
