"""Two-way sync of a person's notes with their Notion data source.

Appends first: text added to a note here (`Note.appends`) goes to the end of its page as
paragraph blocks, each once (marked `sending` before the call and `sent` after; one still
`sending` is a try whose answer was lost, so the page is looked at before sending it again).
Appending only adds, so nothing edited in Notion is overwritten, and the pull that follows
reads pages that already hold them. Pull: pages edited in Notion since the last sync (Notion
rounds `last_edited_time` down to the minute, so the window starts a little earlier) whose
title or text differ from their note's update it (the note wins no race: a note appended to
meanwhile is left for the next sync, which sends the append first), or become notes, linked by
title like any saved note. Push: notes without a page get one holding their appends (a page of
the same title found first is reused, so a crash between creating and recording it does not
make a second). Links: each pair of linked notes gets a page mention on both pages, once.
Where it got to is kept on the person's Notion link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from pydantic import BaseModel

from nudge.integrations.notion.pages import NotionNotes, NotionUnauthorized
from nudge.models import Note, NoteAppendState
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
    appended: int = 0
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

    for note in notes:
        if note.notion_page_id and note.unsent_appends():
            report.appended += _push_appends(store, user_id, notion, note)

    since = last_synced - PULL_OVERLAP if last_synced else None
    for page in notion.changed_since(since):
        note = by_page.get(page.page_id)
        body = notion.text(page.page_id)
        if note is not None and _as_written(page.title, body, note):
            continue  # the page as we wrote it (or an edit seen before): nothing new there
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
        changed = _pulled(store, user_id, note, page.title, body)
        if changed is None:
            continue
        link_note(store, user_id, changed)
        relink = True
        report.pulled += 1

    for note in notes:
        if note.notion_page_id:
            continue
        existing = [p for p in notion.search(note.title, limit=5) if p.title == note.title]
        page = existing[0] if existing else notion.create(note.title, _page_text(note))
        # A page made now holds the appends read with the note; one found was made by a sync
        # that died, maybe before some: those are looked for on it, and sent if missing.
        state = NoteAppendState.sending if existing else NoteAppendState.sent
        unsent = note.unsent_appends()
        store.notes.patch(
            user_id, note.id or "", notion_page_id=page.page_id,
            **{f"appends.{append_id}.notion": state.value for append_id, _ in unsent},
        )  # fmt: skip
        for _, append in unsent:
            append.notion = state
        note.notion_page_id = page.page_id
        by_page[page.page_id] = note
        report.created += 0 if existing else 1
        if existing and unsent:
            report.appended += _push_appends(store, user_id, notion, note)

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


def _squashed(text: str) -> str:
    """Text without its whitespace: Notion splits long text into blocks, read back one a line."""
    return "".join(text.split())


def _as_written(title: str, body: str, note: Note) -> bool:
    return title == note.title and _squashed(body) == _squashed(_page_text(note))


def _pulled(store: Store, user_id: str, note: Note, title: str, body: str) -> Note | None:
    """Take the page's title and text into its note, unless the note has appends the page
    lacks (added since this sync read it): the next sync sends those first, then pulls."""
    if note.summary and body.startswith(note.summary):
        body = body.removeprefix(note.summary).lstrip("\n")  # the summary we put first
    changed: list[Note] = []

    def decide(current: Note) -> dict | None:
        if current.unsent_appends():
            return None
        edited = current.model_copy(
            update={"title": title or current.title, "body": body, "untrusted": True}
        )
        changed[:] = [edited]
        return {
            "title": edited.title,
            "body": edited.body,
            "keywords": note_keywords(edited),
            "untrusted": True,  # edited in Notion: maybe by someone else
        }

    _, written = store.notes.change(user_id, note.id or "", decide)
    return changed[0] if written else None


# Of the text before an append, how much must also end the page for it to count as there.
APPEND_CONTEXT_CHARS = 80


def _push_appends(store: Store, user_id: str, notion: NotionNotes, note: Note) -> int:
    """Send the note's unsent appends to its page, oldest first; how many were sent."""
    sent = 0
    for append_id, append in note.unsent_appends():
        if append.notion == NoteAppendState.sending and _page_has(notion, note, append_id):
            state = NoteAppendState.sent  # the earlier try got there; its answer was lost
        else:
            _mark(store, user_id, note, append_id, NoteAppendState.sending)
            added = notion.append(note.notion_page_id or "", append.text)
            state = NoteAppendState.sent if added else NoteAppendState.gone
            sent += 1 if added else 0
            if not added:
                log.warning("notion page of note %s is gone; its append stays local", note.id)
        _mark(store, user_id, note, append_id, state)
    return sent


def _mark(store: Store, user_id: str, note: Note, append_id: str, state: NoteAppendState) -> None:
    store.notes.patch(user_id, note.id or "", **{f"appends.{append_id}.notion": state.value})
    note.appends[append_id].notion = state


def _page_has(notion: NotionNotes, note: Note, append_id: str) -> bool:
    """Whether the page already ends as the note did once this append was added (with a little
    of the text before it, so a repeat of the previous line is not taken for it)."""
    seq = note.appends[append_id].seq
    later = "".join(f"\n{a.text}" for _, a in note.unsent_appends() if a.seq > seq)
    through = note.body.removesuffix(later) if later else note.body
    wanted = _squashed(through)
    key = wanted[-(len(_squashed(note.appends[append_id].text)) + APPEND_CONTEXT_CHARS) :]
    return _squashed(notion.text(note.notion_page_id or "")).endswith(key)


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
