"""Two-way sync of a person's notes with one Notion data source.

Push: notes without a page get one (a page of the same title found first is reused, so a crash
between creating and recording it does not make a second). Links: each pair of linked notes gets
a page mention on both pages, once. Pull: pages edited in Notion since the last sync update
their note's title and text (or become notes). The state is one document per user.
"""

from __future__ import annotations

from datetime import datetime

from google.cloud import firestore
from pydantic import BaseModel

from nudge.integrations.notion.pages import NotionNotes
from nudge.models import Note
from nudge.notes.capture import note_keywords
from nudge.store import Store

SYNC_STATE = "sync_state"


class SyncReport(BaseModel):
    created: int = 0
    linked: int = 0
    pulled: int = 0
    imported: int = 0


def _state_ref(store: Store, user_id: str) -> firestore.DocumentReference:
    return store.db.collection("users").document(user_id).collection(SYNC_STATE).document("notion")


def sync_notes(store: Store, user_id: str, notion: NotionNotes, *, now: datetime) -> SyncReport:
    report = SyncReport()
    state = (_state_ref(store, user_id).get().to_dict()) or {}
    last_synced: datetime | None = state.get("last_synced_at")
    notes = store.notes.list(user_id)
    by_page = {n.notion_page_id: n for n in notes if n.notion_page_id}

    # Pull first: an edit in Notion is newer than what we would push over it.
    for page in notion.changed_since(last_synced):
        note = by_page.get(page.page_id)
        if note is not None and page.last_edited_time and page.last_edited_time <= note.updated_at:
            continue
        body = notion.text(page.page_id)
        if note is not None and (page.title, body) == (note.title, _page_text(note)):
            continue  # the page as we wrote it: nothing edited there
        if note is None:
            imported = Note(
                title=page.title or "Untitled",
                body=body,
                notion_page_id=page.page_id,
                source_url=page.url or None,
            )
            imported = imported.model_copy(update={"keywords": note_keywords(imported)})
            created = store.notes.add(user_id, imported, doc_id=f"notion-{page.page_id}")
            by_page[page.page_id] = created
            notes.append(created)
            report.imported += 1
            continue
        changed = note.model_copy(update={"title": page.title or note.title, "body": body})
        store.notes.patch(
            user_id,
            note.id or "",
            title=changed.title,
            body=changed.body,
            keywords=note_keywords(changed),
        )
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

    _state_ref(store, user_id).set({"last_synced_at": now}, merge=True)
    return report


def _page_text(note: Note) -> str:
    if note.summary:
        return f"{note.summary}\n\n{note.body}"
    return note.body


def default_notion() -> NotionNotes | None:
    """The configured data source, or None when Notion is not set up."""
    from nudge.integrations.notion.pages import notion_client
    from nudge.settings import get_settings

    settings = get_settings()
    if settings.notion_token is None or not settings.notion_data_source_id:
        return None
    client = notion_client(settings.notion_token.get_secret_value())
    return NotionNotes(client, settings.notion_data_source_id, settings.notion_title_property)
