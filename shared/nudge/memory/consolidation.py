"""Nightly consolidation of one user's memory (Letta's "sleep-time" work, off the hot path).

0. Index: a user whose memory index is missing or of an older version has it rebuilt first
   (`index_rebuild`), so it never waits for a recall to ask.
1. Facts: durable facts extracted from the conversation since the last run are compared with
   their nearest memories and added, merged (update), or recorded as contradicting an older one
   (invalidate). History is kept: an updated or contradicted memory stays, inactive, with
   `invalidated_at`, and is excluded from recall (Zep's validity instead of deletion).
2. Episodes: each past day of conversation becomes one dated episodic memory.
3. Decay: dynamic importance is computed from the time since a memory was last recalled
   (absolute, not a running product, so running twice changes nothing); memories that faded
   without ever being recalled are archived with a reason.
4. Retention: consolidated raw messages get `expire_at` (Firestore TTL deletes them later).

Every write is idempotent (deterministic ids with `create()`, values computed from dates), so a
crash halfway and a retry, or two runs, end in the same store.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from google.api_core.exceptions import Conflict
from pydantic import BaseModel

from nudge.memory.embedding import embed_memory
from nudge.memory.extraction import CandidateFact, MemoryJudge
from nudge.memory.index_rebuild import rebuild_if_stale
from nudge.memory.text import SAME_FACT_DISTANCE, dated, keywords
from nudge.models import Direction, Memory, MemoryType, Message
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.users import SETTINGS

log = logging.getLogger("nudge.memory")

STATE_DOC = "consolidation"
DECAY_HALF_LIFE_DAYS = 60.0
FADED = 0.1
ARCHIVABLE = {MemoryType.fact, MemoryType.event, MemoryType.episode, MemoryType.insight}


@dataclass
class ConsolidationDeps:
    store: Store
    embedder: object
    judge: MemoryJudge
    settings: Settings


class ConsolidationReport(BaseModel):
    # Memories indexed by a rebuild of a missing or older index (0: it was current).
    reindexed: int = 0
    facts_seen: int = 0
    added: int = 0
    updated: int = 0
    invalidated: int = 0
    unchanged: int = 0
    episodes: int = 0
    decayed: int = 0
    archived: int = 0
    messages_expiring: int = 0


def fact_id(user_id: str, content: str) -> str:
    digest = hashlib.sha256(f"{user_id}:{' '.join(content.casefold().split())}".encode())
    return "fact-" + digest.hexdigest()[:20]


def consolidate(deps: ConsolidationDeps, user_id: str, now: datetime) -> ConsolidationReport:
    store = deps.store
    user = store.users.require(user_id)
    report = ConsolidationReport(reindexed=rebuild_if_stale(store, user_id) or 0)
    zone = ZoneInfo(user.timezone or deps.settings.default_timezone)
    state_ref = (
        store.db.collection("users").document(user_id).collection(SETTINGS).document(STATE_DOC)
    )
    state = state_ref.get().to_dict() or {}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    today = now.astimezone(zone).date()
    # Facts come from everything said since the last run, today included (a run after a
    # user's Nth turn); episodes and retention only from finished days.
    facts_since = state.get("facts_through") or epoch
    days_since = state.get("days_through") or epoch
    recent = store.messages.list(
        user_id, where=[("created_at", ">", min(facts_since, days_since))], order_by="created_at"
    )
    new_for_facts = [m for m in recent if m.created_at > facts_since]
    finished_days = [
        m
        for m in recent
        if m.created_at > days_since and m.created_at.astimezone(zone).date() < today
    ]

    said = [
        m for m in new_for_facts if m.direction == Direction.inbound and m.kind == "text" and m.body
    ]
    if said:
        conversation = "\n".join(f"({m.created_at.astimezone(zone).date()}) {m.body}" for m in said)
        for fact in deps.judge.extract(conversation).facts:
            report.facts_seen += 1
            _apply(deps, user_id, fact, now, today, report, [m.id for m in said if m.id])

    _episodes(deps, user_id, finished_days, zone, report)
    _decay(deps, user_id, now, report)
    _expire(deps, user_id, finished_days, report)
    state_ref.set(
        {
            "facts_through": new_for_facts[-1].created_at if new_for_facts else facts_since,
            "days_through": finished_days[-1].created_at if finished_days else days_since,
            "last_run_at": now,
        }
    )
    log.info("consolidated user %s: %s", user_id, report.model_dump())
    return report


def _apply(deps, user_id, fact: CandidateFact, now, today, report, source_ids) -> None:
    store = deps.store
    vector = deps.embedder.embed_documents([dated(fact.content, today)])[0]
    neighbours = store.memories.nearest(user_id, vector, limit=5)
    if any(distance <= SAME_FACT_DISTANCE for _, distance in neighbours):
        report.unchanged += 1
        return
    decision = deps.judge.decide(
        fact,
        [
            {"id": m.id, "content": m.content, "date": m.created_at.date().isoformat()}
            for m, _ in neighbours
        ],
    )
    known = {m.id: m for m, _ in neighbours}
    target = known.get(decision.target_id or "")
    content = fact.content
    if decision.action == "none":
        report.unchanged += 1
        return
    if decision.action in ("update", "invalidate") and target is not None:
        reason = "updated" if decision.action == "update" else f"contradicted: {fact.content}"
        store.memories.patch(
            user_id, target.id or "", active=False, invalidated_at=now, archived_reason=reason
        )
        if decision.action == "update" and decision.content:
            content = decision.content
        report.updated += decision.action == "update"
        report.invalidated += decision.action == "invalidate"
    vectors = embed_memory(deps.embedder, content, today)
    memory = Memory(
        content=content,
        memory_type=MemoryType(fact.memory_type),
        tags=fact.tags,
        keywords=keywords(content, tags=fact.tags),
        importance=fact.importance,
        dynamic_importance=fact.importance,
        source_ids=source_ids[-20:],
        related_ids=[target.id] if target is not None and target.id else [],
        valid_from=now,
        embedding=vectors.whole,
        sentence_embeddings=vectors.sentences,
    )
    try:
        store.memories.add(user_id, memory, doc_id=fact_id(user_id, content))
        report.added += decision.action == "add"
    except Conflict:
        report.unchanged += decision.action == "add"


def _episodes(deps, user_id, messages: list[Message], zone, report) -> None:
    by_day: dict = defaultdict(list)
    for message in messages:
        by_day[message.created_at.astimezone(zone).date()].append(message)
    for day, day_messages in sorted(by_day.items()):
        said = [m.body for m in day_messages if m.direction == Direction.inbound and m.body]
        if not said:
            continue
        episode_id = f"episode-{day.isoformat()}"
        if deps.store.memories.get(user_id, episode_id) is not None:
            continue  # written by an earlier run: no second summary
        content = f"On {day.isoformat()}: {deps.judge.summarize_day(day.isoformat(), said)}"
        vectors = embed_memory(deps.embedder, content, day)
        memory = Memory(
            content=content,
            memory_type=MemoryType.episode,
            keywords=keywords(" ".join(said)),
            importance=0.3,
            dynamic_importance=0.3,
            created_at=datetime.combine(day, datetime.min.time(), tzinfo=zone),
            valid_from=datetime.combine(day, datetime.min.time(), tzinfo=zone),
            source_ids=[m.id for m in day_messages if m.id][:50],
            embedding=vectors.whole,
            sentence_embeddings=vectors.sentences,
        )
        try:
            deps.store.memories.add(user_id, memory, doc_id=episode_id)
            report.episodes += 1
        except Conflict:
            pass


def _decay(deps, user_id, now: datetime, report) -> None:
    for memory in deps.store.memories.list(user_id, where=[("active", "==", True)]):
        last = memory.last_accessed_at or memory.created_at
        days = max((now - last).total_seconds() / 86400, 0)
        dynamic = round(memory.importance * 0.5 ** (days / DECAY_HALF_LIFE_DAYS), 4)
        changes: dict = {}
        if dynamic != memory.dynamic_importance:
            changes["dynamic_importance"] = dynamic
            report.decayed += 1
        if dynamic < FADED and memory.access_count == 0 and memory.memory_type in ARCHIVABLE:
            changes |= {
                "active": False,
                "archived_reason": f"faded: never recalled in {int(days)} days",
            }
            report.archived += 1
        if changes:
            deps.store.memories.patch(user_id, memory.id or "", **changes)


def _expire(deps, user_id, messages: list[Message], report) -> None:
    keep = timedelta(days=deps.settings.message_retention_days)
    batch = deps.store.db.batch()
    pending = 0
    for message in messages:
        if message.expire_at is None:
            batch.update(
                deps.store.messages._collection(user_id).document(message.id or ""),
                {"expire_at": message.created_at + keep},
            )
            pending += 1
            report.messages_expiring += 1
            if pending == 400:
                batch.commit()
                batch, pending = deps.store.db.batch(), 0
    if pending:
        batch.commit()


def enqueue_for_user(queue, settings: Settings, user_id: str, task_name: str) -> None:
    queue.enqueue(
        settings.queues.memory,
        "memory_consolidation",
        {"action": "consolidate", "user_id": user_id},
        task_name=task_name,
    )


def fan_out(store: Store, queue, settings: Settings, now: datetime) -> int:
    """The nightly job: one consolidation task per active user (named by date: once a night)."""
    from nudge.models import UserStatus

    ids = store.users.list_ids(status=UserStatus.active)
    for user_id in ids:
        enqueue_for_user(queue, settings, user_id, f"memory-{user_id}-{now.date().isoformat()}")
    return len(ids)


def default_deps() -> ConsolidationDeps:
    from nudge.embeddings import default_embedder
    from nudge.memory.extraction import judge_for
    from nudge.settings import get_settings

    settings = get_settings()
    return ConsolidationDeps(
        store=Store.default(),
        embedder=default_embedder(),
        judge=judge_for(settings),
        settings=settings,
    )
