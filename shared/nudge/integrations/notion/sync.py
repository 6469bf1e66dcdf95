"""Two-way sync of a person's notes with their Notion data source.

Push: notes without a page get one (a page of the same title found first is reused, so a crash
between creating and recording it does not make a second). Links: each pair of linked notes gets
a page mention on both pages, once. Pull: pages edited in Notion since the last sync (Notion
rounds `last_edited_time` down to the minute, so the window starts a little earlier; an edit
seen twice changes nothing) update their note's title and text, or become notes, linked by
title like any saved note. Where it got to is kept on the person's Notion link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from pydantic import BaseModel

from nudge.integrations.notion.pages import NotionNotes, NotionUnauthorized
from nudge.models import Note
from nudge.models.notion import NotionLinkStatus
from nudge.notes.capture import note_keywords
from nudge.settings import Settings
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.notion")
# Notion's last_edited_time is rounded down to the minute: look back past that, and a little
# clock skew.
PULL_OVERLAP = timedelta(minutes=2)
RELINK_TEXT = (
    "Notion stopped letting me in (access was removed or expired), so your notes stay here "
    'for now. Text "link notion" to connect it again.'
)


class SyncReport(BaseModel):
    created: int = 0
    linked: int = 0
    pulled: int = 0
    imported: int = 0
    skipped: str | None = None


def sync_notes(store: Store, user_id: str, notion: NotionNotes, *, now: datetime) -> SyncReport:
    from nudge.notes.capture import link_note, save_note

    report = SyncReport()
    relink = False
    link = store.notion_links.of(user_id)
    last_synced = link.last_synced_at if link else None
    notes = store.notes.list(user_id)
    by_page = {n.notion_page_id: n for n in notes if n.notion_page_id}

    # Pull first: an edit in Notion is newer than what we would push over it.
    since = last_synced - PULL_OVERLAP if last_synced else None
    for page in notion.changed_since(since):
        note = by_page.get(page.page_id)
        if note is not None and page.last_edited_time and page.last_edited_time <= note.updated_at:
            continue
        body = notion.text(page.page_id)
        if note is not None and (page.title, body) == (note.title, _page_text(note)):
            continue  # the page as we wrote it: nothing edited there
        if note is None:
            # Notion pages may hold others' words (a shared workspace): data, never commands.
            imported = Note(
                title=page.title or "Untitled",
                body=body,
                notion_page_id=page.page_id,
                source_url=page.url or None,
                external_source="notion",
                external_id=page.page_id,
                untrusted=True,
            )
            created, _ = save_note(store, user_id, imported, doc_id=f"notion-{page.page_id}")
            by_page[page.page_id] = created
            notes.append(created)
            report.imported += 1
            relink = True
            continue
        changed = note.model_copy(
            update={"title": page.title or note.title, "body": body, "untrusted": True}
        )
        store.notes.patch(
            user_id,
            note.id or "",
            title=changed.title,
            body=changed.body,
            keywords=note_keywords(changed),
            untrusted=True,  # edited in Notion: maybe by someone else
        )
        link_note(store, user_id, changed)
        relink = True
        report.pulled += 1

    for note in notes:
        if note.notion_page_id:
            continue
        existing = [p for p in notion.search(note.title, limit=5) if p.title == note.title]
        page = existing[0] if existing else notion.create(note.title, _page_text(note))
        store.notes.patch(user_id, note.id or "", notion_page_id=page.page_id)
        note.notion_page_id = page.page_id
        by_page[page.page_id] = note
        report.created += 0 if existing else 1

    # Imports and pulled edits were linked by title: read the links back.
    if relink:
        notes = store.notes.list(user_id)
    by_id = {n.id: n for n in notes}
    for note in notes:
        for other_id in note.linked_ids:
            other = by_id.get(other_id)
            if other is None or (note.id or "") > other_id or other_id in note.notion_linked_ids:
                continue  # each pair once, from its smaller id
            if not (note.notion_page_id and other.notion_page_id):
                continue
            notion.link(note.notion_page_id, other.notion_page_id)
            store.notes.patch(
                user_id, note.id or "", notion_linked_ids=firestore.ArrayUnion([other_id])
            )
            store.notes.patch(user_id, other_id, notion_linked_ids=firestore.ArrayUnion([note.id]))
            report.linked += 1

    if link is not None:
        store.notion_links.set_fields(user_id, last_synced_at=now)
    return report


def _page_text(note: Note) -> str:
    if note.summary:
        return f"{note.summary}\n\n{note.body}"
    return note.body


@dataclass
class NotionSyncDeps:
    store: Store
    sender: SmsSender
    settings: Settings
    http_client: Any = None  # notion-client's httpx client (tests answer it at the transport)


# One sync of a person at a time: two (a saved note's and the cron's, or a redelivery) could
# both miss a note's page and create it twice. Longer than the function's timeout, so a sync
# that died frees it.
SYNC_RUNNING = "notion-sync-running"
SYNC_LEASE = timedelta(minutes=6)


def sync_user(deps: NotionSyncDeps, user_id: str, now: datetime) -> SyncReport:
    """One person's sync, through their link; a refused token is refreshed once, else they
    hear once that Notion needs linking again and the scheduled syncs skip them. While another
    sync of theirs runs, RetryLater (the queue runs this one again shortly)."""
    from nudge.web import RetryLater

    if not deps.store.dedup.claim(SYNC_RUNNING, user_id, ttl=SYNC_LEASE):
        raise RetryLater("another sync of this person's notes is running", 10)
    try:
        return _sync_user(deps, user_id, now)
    finally:
        deps.store.dedup.release(SYNC_RUNNING, user_id)


def _sync_user(deps: NotionSyncDeps, user_id: str, now: datetime) -> SyncReport:
    from nudge.integrations.notion.access import NotionAccessFor
    from nudge.sms.outbound import deliver

    user = deps.store.users.get(user_id)
    link = deps.store.notion_links.of(user_id)
    if user is None or link is None:
        return SyncReport(skipped="not linked")
    if link.status == NotionLinkStatus.needs_relink:
        return SyncReport(skipped="needs relink")
    access = NotionAccessFor(deps.store, deps.settings, user, link, deps.http_client)
    for attempt in range(2):
        notion = access.notes()
        if notion is None:
            return SyncReport(skipped="no data source" if access.token() else "no token")
        try:
            return sync_notes(deps.store, user_id, notion, now=now)
        except NotionUnauthorized:
            if attempt == 0 and access.refresh():
                continue
            break
    access.needs_relink()
    deliver(
        deps.store, deps.sender, user, RELINK_TEXT,
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"notion-relink-{int(link.updated_at.timestamp())}", kind="integration",
    )  # fmt: skip
    return SyncReport(skipped="needs relink")


def default_sync_deps() -> NotionSyncDeps:
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return NotionSyncDeps(store=Store.default(), sender=default_sender(), settings=get_settings())
