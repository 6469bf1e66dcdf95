"""Notes synced with Notion through notion-client's own httpx transport (a local Notion API
double answering documented shapes) and the real Firestore emulator."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.integrations.notion.pages import NotionNotes, notion_client
from nudge.integrations.notion.sync import sync_notes
from nudge.llm.types import FunctionCall
from nudge.models import Note, User
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


def link_internal(store, user, monkeypatch, *, data_source_id=DATA_SOURCE_ID):
    """The deployment's internal integration, for its owner, straight to a data source."""
    from nudge.models.notion import NotionAccess, NotionLink

    monkeypatch.setenv("NUDGE_NOTION_TOKEN", "secret_test_token")
    monkeypatch.setenv("NUDGE_NOTION_OWNER", user.phone)
    store.notion_links.put(
        user.id,
        NotionLink(access=NotionAccess.internal, data_source_id=data_source_id,
                   data_source_name="Notes"),
    )  # fmt: skip


@pytest.fixture
def served(task_queue, workspace, monkeypatch):
    from emulators import stack
    from nudge.integrations.notion import pages
    from tests.conftest import clear_caches
    from tests.support.serving import serve_function

    monkeypatch.setattr(pages, "default_http_client", workspace.client)
    with serve_function("notion_sync", stack.FUNCTIONS_DIR / "notion_sync" / "main.py") as url:
        clear_caches()
        yield url


def sync_when_free(run, seconds: float = 20):
    """`run()` once no other sync of the person is running (a queued one may be)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            return run()
        except RetryLater:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for(check, seconds: float = 20):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    return check()


def test_saving_a_note_enqueues_a_sync_that_the_served_function_runs(
    store, served, workspace, monkeypatch
):
    from nudge.queue.client import default_task_queue
    from nudge.reminders.engine import ReminderDeps
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender
    from tests.conftest import clear_caches

    user = store.users.create(User(phone="+15555550181", name="Sam", timezone="Etc/UTC"))
    link_internal(store, user, monkeypatch)
    clear_caches()
    settings = get_settings()
    deps = ReminderDeps(
        store=store, queue=default_task_queue(), sender=default_sender(), settings=settings
    )
    ctx = ToolContext(
        store=store, user=user, settings=settings, now=NOW, turn_id="t9", reminder_deps=deps
    )
    saved = save(ctx, "t9", "garden plan: tomatoes along the south wall")
    note = wait_for(lambda: (n := store.notes.require(user.id, saved["id"])).notion_page_id and n)
    assert note.notion_page_id in workspace.pages


def test_the_scheduled_sync_pulls_edits_made_in_notion_for_each_linked_person(
    store, served, workspace, monkeypatch
):
    """cron `notion-sync` -> the served function's fan-out -> one sync task per linked person
    (Cloud Tasks emulator) -> pages edited since the last sync come back as notes."""
    from emulators.cron import fire, load_jobs
    from nudge.integrations.notion.sync import default_sync_deps, sync_user
    from nudge.models import utcnow
    from nudge.models.notion import NotionAccess, NotionLink
    from nudge.settings import get_settings
    from tests.conftest import clear_caches

    [job] = [j for j in load_jobs() if j.name == "notion-sync"]
    assert (job.function, job.body, job.schedule) == ("notion_sync", {"action": "tick"},
                                                      "*/30 * * * *")  # fmt: skip
    sam = store.users.create(User(phone="+15555550182", name="Sam", timezone="Etc/UTC"))
    lee = store.users.create(User(phone="+15555550183", name="Lee", timezone="Etc/UTC"))
    link_internal(store, sam, monkeypatch)
    store.notion_links.put(lee.id, NotionLink(access=NotionAccess.oauth))  # no database yet
    clear_caches()
    ctx = ToolContext(store=store, user=sam, settings=get_settings(), now=NOW, turn_id="t1")
    note = save(ctx, "t1", "packing list: passport, charger")
    # Saving queued a sync too; whichever runs second waits (RetryLater) or finds the page.
    with contextlib.suppress(RetryLater):
        sync_user(default_sync_deps(), sam.id, utcnow())
    page_id = wait_for(lambda: store.notes.require(sam.id, note["id"]).notion_page_id)
    assert list(workspace.pages) == [page_id]  # one page, however the two syncs interleaved

    # Edited in Notion afterwards (Notion rounds last_edited_time down to the minute).
    edited = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    workspace.edit(page_id, title="packing list", text="passport, charger, socks", at=edited)
    workspace.add_page("book ideas", "The Overstory; the packing list for the trip", edited=edited)
    settings = get_settings()
    assert (
        fire(job, urls=settings.function_urls, secret=settings.task_secret.get_secret_value())
        == 200
    )
    pulled = wait_for(
        lambda: store.notes.require(sam.id, note["id"]).body == "passport, charger, socks"
    )
    assert pulled
    imported = wait_for(lambda: [n for n in store.notes.list(sam.id) if n.title == "book ideas"])
    assert imported[0].untrusted and imported[0].external_source == "notion"
    # The import names the other note's title: linked both ways, and on both pages.
    wait_for(lambda: store.notes.require(sam.id, note["id"]).notion_linked_ids)
    local = store.notes.require(sam.id, note["id"])
    assert local.linked_ids == [imported[0].id] == local.notion_linked_ids
    mentions = [
        part["mention"]["page"]["id"]
        for block in workspace.blocks[page_id]
        for part in block["paragraph"]["rich_text"]
        if part["type"] == "mention"
    ]
    assert mentions == [imported[0].notion_page_id]

    # Lee has no database chosen: the fan-out skips them. The same tick again (the emulator
    # does not deduplicate task names) and a redelivered sync change nothing, and add no page
    # or mention.
    from nudge.integrations.notion.schedule import fan_out
    from nudge.queue.client import default_task_queue

    pages_before, requests_before = len(workspace.pages), len(workspace.blocks[page_id])
    assert fan_out(store, default_task_queue(), settings, utcnow()) == 1
    again = sync_when_free(lambda: sync_user(default_sync_deps(), sam.id, utcnow()))
    assert (again.created, again.pulled, again.imported, again.linked) == (0, 0, 0, 0)
    assert len(workspace.pages) == pages_before
    assert len(workspace.blocks[page_id]) == requests_before
    assert len(store.notes.list(sam.id)) == 2


def test_a_second_sync_of_the_same_person_waits_for_the_first(store, workspace, monkeypatch):
    from nudge.integrations.notion import pages
    from nudge.integrations.notion.sync import SYNC_RUNNING, default_sync_deps, sync_user
    from nudge.models import utcnow
    from tests.conftest import clear_caches

    monkeypatch.setattr(pages, "default_http_client", workspace.client)
    sam = store.users.create(User(phone="+15555550184", name="Sam", timezone="Etc/UTC"))
    link_internal(store, sam, monkeypatch)
    clear_caches()
    store.notes.add(sam.id, Note(title="errands", body="stamps"), doc_id="n-errands")
    assert store.dedup.claim(SYNC_RUNNING, sam.id)  # a sync of Sam's is running
    with pytest.raises(RetryLater):
        sync_user(default_sync_deps(), sam.id, utcnow())
    assert workspace.pages == {}
    store.dedup.release(SYNC_RUNNING, sam.id)
    assert sync_user(default_sync_deps(), sam.id, utcnow()).created == 1
    assert sync_user(default_sync_deps(), sam.id, utcnow()).created == 0  # and it was freed
    assert len(workspace.pages) == 1
