"""What a user keeps: messages, memories, tasks, goals, reminders, notes, agent logs.

Fields follow the seed's relational model (LTM_MEMORIES, TASKS, USER_GOALS, NOTES, AGENT_LOGS)
where they carry meaning.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from nudge.models.base import Document


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


# `answered_by_turn` of inbound texts that no turn answers.
KEYWORD_HANDLED = "keyword:"  # + the keyword: "keyword:stop"
KEPT_WHILE_OPTED_OUT = "opted-out"


class Message(Document):
    direction: Direction
    body: str
    # reply, reminder, briefing, keyword...; inbound messages are "text".
    kind: str = "text"
    # Where it was said: "sms", or "web" (the page and POST /v1/chat; the history is one).
    channel: str = "sms"
    # Outbound: sending -> sent. Inbound: received.
    status: str = "received"
    provider_sid: str | None = None
    media_urls: list[str] = Field(default_factory=list)
    media_types: list[str] = Field(default_factory=list)
    # Inbound: the turn that claimed the text (or "keyword:stop", "opted-out"...).
    answered_by_turn: str | None = None
    # Inbound: False until the text is answered, handled by a keyword or kept silently; the
    # unanswered-text sweep looks for False (outbound messages leave it None).
    settled: bool | None = None
    # Inbound: how often the sweep re-drove a turn for this text.
    redrives: int = 0

    @property
    def handled_without_turn(self) -> bool:
        """STOP/START/HELP, and texts kept while opted out: never answered by a turn."""
        handled_by = self.answered_by_turn or ""
        return handled_by.startswith(KEYWORD_HANDLED) or handled_by == KEPT_WHILE_OPTED_OUT

    # Firestore TTL field: raw messages expire once consolidated into memory.
    expire_at: datetime | None = None


class MemoryType(StrEnum):
    fact = "fact"
    preference = "preference"
    event = "event"
    person = "person"
    routine = "routine"
    insight = "insight"
    episode = "episode"


class Memory(Document):
    content: str
    memory_type: MemoryType = MemoryType.fact
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    # Normalized words for the lexical recall path (Firestore has no full-text search).
    keywords: list[str] = Field(default_factory=list)
    importance: float = Field(0.5, ge=0, le=1)
    confidence: float = Field(0.8, ge=0, le=1)
    dynamic_importance: float = Field(0.5, ge=0, le=1)
    source_ids: list[str] = Field(default_factory=list)
    related_ids: list[str] = Field(default_factory=list)
    last_accessed_at: datetime | None = None
    access_count: int = 0
    valid_from: datetime | None = None
    invalidated_at: datetime | None = None
    # Recall searches only active memories; invalidated/archived ones stay as history.
    active: bool = True
    archived_reason: str | None = None
    embedding: list[float] | None = None
    # The memory this one answers (an imported chat turn after a question): in-process vector
    # recall gives it a share of that one's similarity.
    lead_in_id: str | None = None
    # Each sentence's vector, for a memory of several (`nudge.memory.embedding`): written to
    # the vector shards with the embedding, never to the memory document, never read back.
    sentence_embeddings: list[list[float]] = Field(default_factory=list, exclude=True)


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class Energy(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Task(Document):
    title: str
    notes: str | None = None
    status: TaskStatus = TaskStatus.open
    priority: int = Field(3, ge=1, le=5)
    due_at: datetime | None = None
    estimate_minutes: int | None = Field(None, ge=1)
    energy: Energy | None = None
    goal_id: str | None = None
    # Micro-steps are tasks too, pointing at the task they break down (in `order`).
    parent_task_id: str | None = None
    order: int = 0
    completed_at: datetime | None = None
    stalled_nudged_at: datetime | None = None


class Goal(Document):
    title: str
    description: str | None = None
    parent_goal_id: str | None = None
    progress: int = Field(0, ge=0, le=100)
    target_date: date | None = None
    status: str = "active"


class ReminderStatus(StrEnum):
    active = "active"
    done = "done"
    cancelled = "cancelled"


class Reminder(Document):
    """What to remind about and when it repeats; each firing is a ReminderOccurrence."""

    text: str
    timezone: str
    rrule: str | None = None
    status: ReminderStatus = ReminderStatus.active
    next_due_at: datetime | None = None
    # Urgent reminders ignore quiet hours.
    urgent: bool = False
    # Gentle follow-ups when unanswered: 1 by default, more in nag mode.
    max_follow_ups: int = Field(1, ge=0, le=6)
    task_id: str | None = None


class OccurrenceStatus(StrEnum):
    scheduled = "scheduled"
    sending = "sending"
    sent = "sent"
    acknowledged = "acknowledged"
    snoozed = "snoozed"
    missed = "missed"
    cancelled = "cancelled"


OPEN_OCCURRENCE = (OccurrenceStatus.scheduled, OccurrenceStatus.sending)


class ReminderOccurrence(Document):
    """One firing of a reminder. It ends sent (then acknowledged), snoozed, missed or
    cancelled; every step is a field here, so the store shows what happened."""

    user_id: str
    reminder_id: str
    text: str
    due_at: datetime
    # The recurrence slot this occurrence fills (snoozes and deferrals keep it).
    slot_at: datetime
    status: OccurrenceStatus = OccurrenceStatus.scheduled
    # Bumped when due_at changes; a firing task carries the version it was scheduled for.
    version: int = 1
    snooze_of: str | None = None
    enqueued: bool = False
    sent_at: datetime | None = None
    # When the person answered it done (the week's "when things get done" reads it).
    acknowledged_at: datetime | None = None
    late_seconds: int | None = None
    follow_ups_sent: int = 0
    # When the next follow-up is due, kept beside its task: the catch-up sends it if the task
    # was lost (an emulator restart, retries exhausted). None when none is pending.
    follow_up_due_at: datetime | None = None
    reason: str | None = None
    deferred_for_quiet_hours: bool = False  # written by earlier versions only: stated times fire
    mentioned: bool = False


class NoteAppendState(StrEnum):
    pending = "pending"  # not on the Notion page yet
    sending = "sending"  # sent once, maybe lost on the way: look at the page before resending
    sent = "sent"  # on the page (appended, or in the page the note was created as)
    gone = "gone"  # the page was deleted in Notion: kept here only


class NoteAppend(BaseModel):
    """Text added to a note after it was saved (`body` has it), and whether its Notion page
    has it too; keyed by an id made from the turn, so a repeated turn adds it once."""

    text: str
    at: datetime
    seq: int  # its order among the note's appends
    notion: NoteAppendState = NoteAppendState.pending


class Note(Document):
    """The seed's NOTES; `body` is its content."""

    title: str
    body: str = ""
    summary: str | None = None
    tags: list[str] = Field(default_factory=list)
    category: str | None = None
    parent_id: str | None = None
    # Normalized words of title, body, summary and tags (the notes search reads them).
    keywords: list[str] = Field(default_factory=list)
    # Notes that mention this one's title or whose title this one mentions (kept both ways).
    linked_ids: list[str] = Field(default_factory=list)
    source_url: str | None = None
    # Where the note also lives or came from: ("notion", page id), ("youtube", video id).
    external_source: str | None = None
    external_id: str | None = None
    # Written from third-party content (a transcript, a page): quoted to a model as data only.
    untrusted: bool = False
    # The Notion page this note is synced with, and the linked notes whose link is on Notion.
    notion_page_id: str | None = None
    notion_linked_ids: list[str] = Field(default_factory=list)
    appends: dict[str, NoteAppend] = Field(default_factory=dict)

    def unsent_appends(self) -> list[tuple[str, NoteAppend]]:
        """Appends its Notion page may lack, oldest first."""
        waiting = (NoteAppendState.pending, NoteAppendState.sending)
        found = [(i, a) for i, a in self.appends.items() if a.notion in waiting]
        return sorted(found, key=lambda item: item[1].seq)


class AgentLog(Document):
    turn_id: str
    model: str
    tools_called: list[str] = Field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    error: str | None = None
