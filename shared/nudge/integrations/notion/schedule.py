"""Ask for Notion syncs (kept apart from the sync itself): soon after a note is saved, and
from the cron fan-out, once per linked person per slot."""

from __future__ import annotations

from datetime import datetime

from nudge.models.notion import NotionLinkStatus

SLOT_MINUTES = 30  # the `notion-sync` cron job's period (infra/cron_jobs.json)


def enqueue_sync(queue, settings, user_id: str, reason: str) -> None:
    """Ask for a sync soon (named per reason, so a repeated turn asks once)."""
    from nudge.queue.client import task_id

    queue.enqueue(
        settings.queues.integrations,
        "notion_sync",
        {"action": "sync_user", "user_id": user_id},
        task_name=task_id("notion-sync", user_id, reason),
    )


def fan_out(store, queue, settings, now: datetime) -> int:
    """One sync task per person with a data source chosen and a working link, named by the
    slot so a repeated tick adds none in the cloud (and the sync itself is idempotent)."""
    slot = now.replace(minute=now.minute - now.minute % SLOT_MINUTES, second=0, microsecond=0)
    count = 0
    for user_id, link in store.notion_links.every_link():
        if link.status == NotionLinkStatus.needs_relink or not link.data_source_id:
            continue
        queue.enqueue(
            settings.queues.integrations,
            "notion_sync",
            {"action": "sync_user", "user_id": user_id},
            task_name=f"notion-{user_id}-{int(slot.timestamp())}",
        )
        count += 1
    return count
