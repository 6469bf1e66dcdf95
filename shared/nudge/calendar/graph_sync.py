"""Outlook calendar through Microsoft Graph: `calendarView/delta` into events (times asked in
UTC with `Prefer: outlook.timezone`), deletions applied; and time boxes created as Graph events.

The first round of a delta window is a full listing, reconciled like an ICS feed; later rounds
apply only the changes (`@removed` items are deleted). The window is fixed when a delta round
starts, so it is restarted once a day to move with the calendar. A revoked grant asks the
person to relink once and stops syncs; throttling waits the Retry-After Graph asked for.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from nudge.calendar.sync import (
    CalendarDeps,
    SyncReport,
    reconcile,
    record_failure,
    record_success,
    window,
)
from nudge.microsoft.graph import GraphClient, GraphError, Throttled
from nudge.microsoft.tokens import LoginUnavailable, NeedsRelink, TokenSource
from nudge.models import User
from nudge.models.events import (
    CalendarLink,
    CalendarLinkStatus,
    Event,
    EventSource,
    TimeBoxProposal,
    event_doc_id,
)
from nudge.sms.outbound import deliver

log = logging.getLogger("nudge.calendar")

PREFER = {"Prefer": 'outlook.timezone="UTC", odata.maxpagesize=100'}
DELTA_RESTART = timedelta(days=1)
MAX_PAGES = 50


def graph_client(deps, user: User, *, on_relink=None, http=None) -> GraphClient:
    from nudge.microsoft.http import default_session

    session = http or getattr(deps, "http", None) or default_session()
    tokens = TokenSource(
        store=deps.store, settings=deps.settings, user=user, http_client=session,
        on_relink=on_relink,
    )  # fmt: skip
    return GraphClient(tokens=tokens, base_url=deps.settings.microsoft_graph_url, session=session)


def ask_to_relink(deps, user: User) -> None:
    """Once per linked account: the grant is gone; syncs stop until they connect again."""
    credential = deps.store.credentials.get(user.id or "", "microsoft")
    deps.store.calendar_links.patch(
        user.id or "", EventSource.microsoft.value, status=CalendarLinkStatus.needs_relink
    )
    generation = int(credential.created_at.timestamp()) if credential else 0
    deliver(
        deps.store, deps.sender, user,
        "I lost access to your Outlook (a password change or revoked access does that). "
        'Text "connect outlook" to link it again; until then I\'ll stop syncing it.',
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"outlook-relink-{generation}", kind="integration",
    )  # fmt: skip


def _parse_time(value: dict) -> datetime:
    # With Prefer: outlook.timezone="UTC", Graph answers "2026-11-03T14:00:00.0000000".
    moment = datetime.fromisoformat(value["dateTime"])
    zone = value.get("timeZone") or "UTC"
    return moment.replace(tzinfo=UTC if zone.upper() == "UTC" else ZoneInfo(zone))


def event_from_graph(item: dict) -> Event:
    start, end = _parse_time(item["start"]), _parse_time(item["end"])
    location = (item.get("location") or {}).get("displayName") or None
    return Event(
        title=(item.get("subject") or "(no title)")[:500],
        start=start,
        end=max(end, start),
        all_day=bool(item.get("isAllDay")),
        location=location[:500] if location else None,
        external_id=item["id"],
        source=EventSource.microsoft,
        web_link=item.get("webLink"),
    )


def sync_microsoft(deps: CalendarDeps, user: User, link: CalendarLink, now: datetime) -> SyncReport:
    client = graph_client(deps, user, on_relink=lambda: ask_to_relink(deps, user))
    start, end = window(deps.settings, now)
    restart = link.delta_link is None or (
        link.last_synced_at is not None and now - _delta_started(link, now) > DELTA_RESTART
    )
    try:
        try:
            changes, delta_link = _read_delta(client, None if restart else link.delta_link,
                                              start, end)  # fmt: skip
        except GraphError as exc:
            if exc.status != 410:  # syncStateNotFound: the delta token expired; start over
                raise
            restart = True
            changes, delta_link = _read_delta(client, None, start, end)
    except NeedsRelink:
        return SyncReport(source=EventSource.microsoft, status="needs_relink")
    except Throttled as exc:
        _retry_later(deps, user, exc.retry_after, now)
        return SyncReport(source=EventSource.microsoft, status="throttled", error=str(exc))
    except GraphError as exc:
        return record_failure(deps, user, link, str(exc), permanent=exc.status in (400, 403))
    except (LoginUnavailable, requests.RequestException) as exc:
        # An outage: recorded; the person hears once if it lasts; the next tick tries again.
        return record_failure(deps, user, link, type(exc).__name__, permanent=False)
    upserts = [event_from_graph(i) for i in changes if "@removed" not in i and
               not i.get("isCancelled")]  # fmt: skip
    removed = [event_doc_id(EventSource.microsoft, i["id"]) for i in changes
               if "@removed" in i or i.get("isCancelled")]  # fmt: skip
    if restart:
        upserted, deleted = reconcile(deps.store, user.id or "", EventSource.microsoft, upserts,
                                      start)  # fmt: skip
    else:
        upserted = len(deps.store.events.upsert_many(user.id or "", upserts))
        deleted = deps.store.events.delete_many(user.id or "", removed)
    fields = {"delta_link": delta_link}
    if restart:
        fields["delta_started_at"] = now
    deps.store.calendar_links.patch(user.id or "", EventSource.microsoft.value, **fields)
    return record_success(deps, user, link, now, upserted, deleted)


def _delta_started(link: CalendarLink, now: datetime) -> datetime:
    return link.delta_started_at or now


def _read_delta(
    client: GraphClient, delta_link: str | None, start: datetime, end: datetime
) -> tuple[list[dict], str | None]:
    """Every change of one delta round (following nextLink pages) and the next deltaLink."""
    if delta_link:
        url, params = delta_link, None
    else:
        url = "/me/calendarView/delta"
        params = {"startDateTime": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "endDateTime": end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
    changes: list[dict] = []
    for _ in range(MAX_PAGES):
        page = client.call("GET", url, params=params, headers=PREFER)
        changes += page.get("value", [])
        if "@odata.nextLink" in page:
            url, params = page["@odata.nextLink"], None
            continue
        return changes, page.get("@odata.deltaLink")
    raise GraphError(508, "too many delta pages")


def _retry_later(deps: CalendarDeps, user: User, seconds: int, now: datetime) -> None:
    """Graph asked us to wait: one sync task at that time (not a queue retry storm)."""
    at = now + timedelta(seconds=seconds)
    deps.queue.enqueue(
        deps.settings.queues.integrations,
        "calendar_sync",
        {"action": "sync_user", "user_id": user.id, "source": EventSource.microsoft.value},
        schedule_time=at,
        task_name=f"calendar-{user.id}-microsoft-retry-{int(at.timestamp()) // 60}",
    )


def create_graph_event(deps, user: User, proposal: TimeBoxProposal, task, *, transaction_id: str,
                       http=None) -> Event:  # fmt: skip
    """The time box as an Outlook event. `transactionId` makes Graph create it once even if
    this call is repeated (a redelivered confirmation)."""
    zone = user.timezone or deps.settings.default_timezone
    local = ZoneInfo(zone)
    body = {
        "subject": proposal.title,
        "start": {"dateTime": proposal.start.astimezone(local).strftime("%Y-%m-%dT%H:%M:%S"),
                  "timeZone": zone},
        "end": {"dateTime": proposal.end.astimezone(local).strftime("%Y-%m-%dT%H:%M:%S"),
                "timeZone": zone},
        "body": {"contentType": "text", "content": "Time block booked by Nudge."},
        "showAs": "busy",
        "transactionId": transaction_id,
    }  # fmt: skip
    client = graph_client(deps, user, on_relink=lambda: ask_to_relink(deps, user), http=http)
    created = client.call("POST", "/me/events", json=body, headers=PREFER)
    return event_from_graph(created).model_copy(update={"task_id": task.id})
