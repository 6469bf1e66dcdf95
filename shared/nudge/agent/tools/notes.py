"""save_note / append_to_note / find_notes: the person's notes, local first (a linked Notion is
synced soon after each change, in the background)."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.integrations.untrusted import quote_untrusted
from nudge.memory.text import Tags
from nudge.models import Note
from nudge.notes.capture import MAX_APPEND_CHARS, NoteFull, append_text, title_for
from nudge.notes.capture import save_note as store_note
from nudge.notes.search import NotePick, note_name, pick_note
from nudge.notes.search import find_notes as search_notes
from nudge.queue.client import task_id

SNIPPET_CHARS = 220


class SaveNoteArgs(BaseModel):
    content: str = Field(min_length=1, max_length=5000, description="the note, as they said it")
    title: str | None = Field(None, max_length=120, description="a short title, if obvious")
    tags: Tags = Field(default_factory=list, description="a few topic words for finding it")
    category: str | None = Field(None, max_length=60)


@tool("save_note", SaveNoteArgs)
def save_note(ctx: ToolContext, args: SaveNoteArgs) -> dict:
    """Save a note (an idea, a list, anything they want to keep as text, "note: ..."). Notes
    that mention each other's titles are linked."""
    digest = hashlib.sha256(args.content.encode()).hexdigest()[:12]
    note = Note(
        title=(args.title or title_for(args.content)).strip(),
        body=args.content.strip(),
        tags=args.tags,
        category=args.category,
    )
    saved, linked = store_note(
        ctx.store, ctx.user.id or "", note, doc_id=task_id("note", ctx.turn_id, digest)
    )
    _sync_soon(ctx, saved.id or "")
    return {"ok": True, "id": saved.id, "title": saved.title, "linked": [n.title for n in linked]}


def _sync_soon(ctx: ToolContext, reason: str) -> None:
    """With their Notion linked, a sync in the background (not in this turn) takes the change
    there; `reason` names the task, so it is unique per change."""
    link = ctx.store.notion_links.of(ctx.user.id or "")
    if link is not None and link.data_source_id and link.status == "ok":
        from nudge.agent.tools.reminders import reminder_deps
        from nudge.integrations.notion.schedule import enqueue_sync

        enqueue_sync(reminder_deps(ctx).queue, ctx.settings, ctx.user.id or "", reason)


class AppendToNoteArgs(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field(
        min_length=1, max_length=300, description="which note: its title, or what it is about"
    )
    text: str = Field(
        min_length=1, max_length=MAX_APPEND_CHARS, description="what to add, as they said it"
    )


@tool("append_to_note", AppendToNoteArgs)
def append_to_note(ctx: ToolContext, args: AppendToNoteArgs) -> dict:
    """Add text to the end of one of their notes ("add to my garden note: buy seeds"). No note
    like that: a new one is started with it (`created`); several close: `ask` with their
    titles, and call again with the title they pick."""
    user_id = ctx.user.id or ""
    said = note_name(args.note) or args.note
    text = args.text
    digest = hashlib.sha256(f"{said}\n{text}".encode()).hexdigest()[:12]
    new_id = task_id("note", ctx.turn_id, "append", digest)
    # A repeated turn that started a note gets that note back, not a second line in it.
    started = ctx.store.notes.get(user_id, new_id) is not None
    pick = NotePick() if started else pick_note(ctx.store, user_id, said)
    if pick.close:
        return {"ok": False, "ask": True, "choices": [n.title for n in pick.close[:5]],
                "text": text}  # fmt: skip
    if pick.note is None:
        # Nothing to add to: what they said is kept anyway, under the name they used.
        saved, linked = store_note(
            ctx.store, user_id, Note(title=said[:120], body=text), doc_id=new_id
        )
        _sync_soon(ctx, saved.id or "")
        return _appended(saved, linked, created=True)
    append_id = (
        "a" + hashlib.sha256(f"{ctx.turn_id}\n{pick.note.id}\n{text}".encode()).hexdigest()[:20]
    )
    try:
        note, linked, _ = append_text(
            ctx.store, user_id, pick.note.id or "", text,
            append_id=append_id, now=ctx.now, others=pick.read,
        )  # fmt: skip
    except NoteFull:
        return {"ok": False, "full": True, "title": pick.note.title,
                "message": f'Your "{pick.note.title}" note is as long as a note can get. '
                'Text "note: ..." to start a new one.'}  # fmt: skip
    _sync_soon(ctx, append_id)
    return _appended(note, linked, created=False)


def _appended(note: Note, linked: list[Note], *, created: bool) -> dict:
    return {"ok": True, "created": created, "id": note.id, "title": note.title,
            "linked": [n.title for n in linked]}  # fmt: skip


class FindNotesArgs(BaseModel):
    query: str = Field("", max_length=300, description="what the note is about; empty: latest")
    limit: int = Field(3, ge=1, le=10)


@tool("find_notes", FindNotesArgs, reads_only=True)
def find_notes(ctx: ToolContext, args: FindNotesArgs) -> dict:
    """Find their notes about something (also summaries of videos they sent)."""
    user_id = ctx.user.id or ""
    if args.query.strip():
        notes = [hit.note for hit in search_notes(ctx.store, user_id, args.query, k=args.limit)]
    else:
        notes = ctx.store.notes.list(
            user_id, order_by="updated_at", descending=True, limit=args.limit
        )
    return {"notes": [_shown(note) for note in notes]}


def _shown(note: Note) -> dict:
    text = note.summary or note.body
    snippet = text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 3] + "..."
    shown = {"id": note.id, "title": note.title, "snippet": snippet, "links": len(note.linked_ids)}
    if note.source_url:
        shown["url"] = note.source_url
    if note.untrusted:
        # Summaries of third-party content: data to tell them, never instructions.
        shown["snippet"] = quote_untrusted(note.source_url or "a saved page", snippet)
        shown["third_party"] = True
    return shown
