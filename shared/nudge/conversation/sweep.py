"""The reminder catch-up's twin for texts: no inbound text is left unanswered.

A text's turn task can be lost (retries exhausted, a queue outage, an emulator restart) or its
turn can die mid-way. Every minute (cron `unanswered-sweep`) this finds texts still unsettled a
minute after they arrived, with no live turn for their user, and re-drives one turn per user:
the sweep takes the user's lease first, so a turn that merely outlived its lease can no longer
send, gives the stuck texts back, and enqueues a turn that answers them all in one reply.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from pydantic import BaseModel

from nudge.models import Message
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.leases import LeaseOutcome

log = logging.getLogger("nudge.sweep")


class SweepReport(BaseModel):
    redriven_users: int = 0
    redriven_texts: int = 0
    busy_users: int = 0
    given_up_texts: int = 0


def sweep_unanswered(
    store: Store, queue: TaskQueue, settings: Settings, now: datetime
) -> SweepReport:
    report = SweepReport()
    cutoff = now - timedelta(seconds=settings.unanswered_sweep_after_seconds)
    stuck: dict[str, list[Message]] = defaultdict(list)
    for user_id, message in store.messages.unsettled_before(cutoff):
        stuck[user_id].append(message)
    for user_id, texts in stuck.items():
        newest = texts[-1]
        if newest.redrives >= settings.max_redrives:
            # Re-driven again and again without an answer: stop, loudly, rather than loop.
            store.messages.settle(user_id, [m.id for m in texts if m.id])
            report.given_up_texts += len(texts)
            log.error("gave up on %d text(s) of user %s after re-drives", len(texts), user_id)
            continue
        turn_id = f"sweep-{newest.id}-{newest.redrives + 1}"
        lease_ttl = timedelta(seconds=settings.turn_lease_seconds)
        outcome, _ = store.leases.acquire_or_knock(user_id, turn_id, lease_ttl)
        if outcome == LeaseOutcome.knocked:
            report.busy_users += 1  # a live turn will answer them
            continue
        if not store.messages.count_redrive(user_id, newest.id or "", newest.redrives):
            continue  # a concurrent sweep got here first
        store.messages.release_claims(user_id, [m.id for m in texts if m.id])
        late = now - texts[0].created_at > timedelta(seconds=settings.late_reply_after_seconds)
        queue.enqueue(
            settings.queues.agent_turns,
            "agent_turn",
            {"user_id": user_id, "message_id": newest.id, "turn_id": turn_id, "late": late},
            task_name=turn_id,
        )
        report.redriven_users += 1
        report.redriven_texts += len(texts)
        log.warning(
            "re-drove a turn for %d unanswered text(s) of user %s (%s)",
            len(texts),
            user_id,
            turn_id,
        )
    return report
