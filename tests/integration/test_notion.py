"""Notes synced with Notion through notion-client's own httpx transport (a local Notion API
double answering documented shapes) and the real Firestore emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.integrations.notion.pages import NotionNotes, notion_client
from nudge.integrations.notion.sync import sync_notes
from nudge.llm.types import FunctionCall
from nudge.models import User
from nudge.web import RetryLater
from tests.support.notion_api import DATA_SOURCE_ID, NotionWorkspace

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def workspace():
    return NotionWorkspace()


@pytest.fixture
def notion(workspace):
    client = notion_client("secret_test_token", http_client=workspace.client())
    return NotionNotes(client, DATA_SOURCE_ID)


@pytest.fixture
def ctx(store, settings):
    user = store.users.create(User(phone="+15555550180", name="Sam", timezone="Etc/UTC"))
    return ToolContext(store=store, user=user, settings=settings, now=NOW, turn_id="turn-no1")


def save(ctx, turn, content):
    ctx.turn_id = turn
    return registry.execute(FunctionCall(name="save_note", args={"content": content}), ctx).response


def test_create_search_and_link_both_ways(ctx, store, notion, workspace):
    garden = save(ctx, "t1", "garden plan: tomatoes along the south wall")
    seeds = save(ctx, "t2", "seed shopping: tomato seeds for the garden plan")
    report = sync_notes(store, ctx.user.id, notion, now=NOW)
    assert (report.created, report.linked) == (2, 1)
    garden_page = store.notes.require(ctx.user.id, garden["id"]).notion_page_id
    seeds_page = store.notes.require(ctx.user.id, seeds["id"]).notion_page_id
    assert garden_page in workspace.pages and seeds_page in workspace.pages
    assert workspace.blocks[garden_page][0]["paragraph"]["rich_text"][0]["plain_text"] == (
        "garden plan: tomatoes along the south wall"
    )
    mentions = {
        page: [
            part["mention"]["page"]["id"]
            for block in workspace.blocks[page]
            for part in block["paragraph"]["rich_text"]
            if part["type"] == "mention"
        ]
        for page in (garden_page, seeds_page)
    }
    assert mentions == {garden_page: [seeds_page], seeds_page: [garden_page]}
    assert [p.title for p in notion.search("garden")] == ["garden plan"]

    # A second sync creates and links nothing again.
    again = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=5))
    assert (again.created, again.linked) == (0, 0)
    assert len(workspace.pages) == 2


def test_edits_made_in_notion_come_back_on_the_next_sync(ctx, store, notion, workspace):
    note = save(ctx, "t1", "packing list: passport, charger")
    sync_notes(store, ctx.user.id, notion, now=NOW)
    page_id = store.notes.require(ctx.user.id, note["id"]).notion_page_id
    later = datetime.now(UTC) + timedelta(minutes=1)
    workspace.edit(page_id, title="packing list", text="passport, charger, socks", at=later)
    new_page = workspace.add_page("book ideas", "The Overstory", edited=later)
    report = sync_notes(store, ctx.user.id, notion, now=later)
    assert (report.pulled, report.imported) == (1, 1)
    local = store.notes.require(ctx.user.id, note["id"])
    assert local.body == "passport, charger, socks"
    imported = store.notes.require(ctx.user.id, f"notion-{new_page}")
    assert (imported.title, imported.body) == ("book ideas", "The Overstory")


def test_a_rate_limited_notion_is_retried_later(ctx, store, notion, workspace):
    save(ctx, "t1", "garden plan: tomatoes")
    workspace.rate_limit_next = 1
    with pytest.raises(RetryLater) as caught:
        sync_notes(store, ctx.user.id, notion, now=NOW)
    assert caught.value.retry_after_seconds == 7
    assert sync_notes(store, ctx.user.id, notion, now=NOW).created == 1


def test_saving_a_note_enqueues_a_sync_that_the_served_function_runs(
    store, task_queue, workspace, monkeypatch
):
    import time

    from emulators import stack
    from nudge.integrations.notion import sync
    from nudge.queue.client import default_task_queue
    from nudge.reminders.engine import ReminderDeps
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender
    from tests.conftest import clear_caches
    from tests.support.serving import serve_function

    monkeypatch.setenv("NUDGE_NOTION_DATA_SOURCE_ID", DATA_SOURCE_ID)
    monkeypatch.setattr(
        sync,
        "default_notion",
        lambda: NotionNotes(
            notion_client("secret_test_token", http_client=workspace.client()), DATA_SOURCE_ID
        ),
    )
    source = stack.FUNCTIONS_DIR / "notion_sync" / "main.py"
    with serve_function("notion_sync", source):
        clear_caches()
        settings = get_settings()
        user = store.users.create(User(phone="+15555550181", name="Sam", timezone="Etc/UTC"))
        deps = ReminderDeps(
            store=store, queue=default_task_queue(), sender=default_sender(), settings=settings
        )
        ctx = ToolContext(
            store=store, user=user, settings=settings, now=NOW, turn_id="t9", reminder_deps=deps
        )
        saved = save(ctx, "t9", "garden plan: tomatoes along the south wall")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            note = store.notes.require(user.id, saved["id"])
            if note.notion_page_id:
                break
            time.sleep(0.2)
    assert note.notion_page_id in workspace.pages
