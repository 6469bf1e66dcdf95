"""Ask for a Notion sync (kept apart from the sync itself, which enqueues nothing)."""

from __future__ import annotations


def enqueue_sync(queue, settings, user_id: str, reason: str) -> None:
    """Ask for a sync soon (named per reason, so a repeated turn asks once)."""
    if not settings.notion_data_source_id:
        return
    from nudge.queue.client import task_id

    queue.enqueue(
        settings.queues.integrations,
        "notion_sync",
        {"user_id": user_id},
        task_name=task_id("notion-sync", user_id, reason),
    )
