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


def served_context(store, monkeypatch, phone: str, *, turn_id: str) -> ToolContext:
    """A linked person's tool context whose queue reaches the served notion_sync."""
    from nudge.queue.client import default_task_queue
    from nudge.reminders.engine import ReminderDeps
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender
    from tests.conftest import clear_caches

    user = store.users.create(User(phone=phone, name="Sam", timezone="Etc/UTC"))
    link_internal(store, user, monkeypatch)
    clear_caches()
    settings = get_settings()
    deps = ReminderDeps(
        store=store, queue=default_task_queue(), sender=default_sender(), settings=settings
    )
    return ToolContext(
        store=store, user=user, settings=settings, now=NOW, turn_id=turn_id, reminder_deps=deps
    )


def test_saving_a_note_enqueues_a_sync_that_the_served_function_runs(
    store, served, workspace, monkeypatch
):
    ctx = served_context(store, monkeypatch, "+15555550181", turn_id="t9")
    user = ctx.user
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


def append(ctx, turn, note, text):
    ctx.turn_id = turn
    call = FunctionCall(name="append_to_note", args={"note": note, "text": text})
    return registry.execute(call, ctx).response


def page_lines(workspace, page_id):
    return [
        "".join(part["plain_text"] for part in block["paragraph"]["rich_text"])
        for block in workspace.blocks[page_id]
    ]


def appends_to(workspace, page_id):
    return [
        body for method, path, body in workspace.requests
        if method == "PATCH" and path == f"/blocks/{page_id}/children"
    ]  # fmt: skip


def test_an_append_goes_to_the_end_of_its_page_once_and_comes_back_as_one_copy(
    ctx, store, notion, workspace
):
    saved = save(ctx, "t1", "garden: raised beds by the fence")
    sync_notes(store, ctx.user.id, notion, now=NOW)
    page_id = store.notes.require(ctx.user.id, saved["id"]).notion_page_id
    assert append(ctx, "t2", "my garden note", "buy seeds")["title"] == "garden"
    assert appends_to(workspace, page_id) == []  # not in the turn: the sync sends it

    # Notion's clock for the append: inside the next sync's pull window, so the pull reads
    # the page it just appended to.
    workspace.clock = lambda: NOW + timedelta(minutes=5)
    report = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=5))
    assert (report.appended, report.pulled, report.created) == (1, 0, 0)
    [sent] = appends_to(workspace, page_id)
    assert sent == {"children": [{"object": "block", "type": "paragraph", "paragraph": {
        "rich_text": [{"type": "text", "text": {"content": "buy seeds"}}]}}]}  # fmt: skip
    assert page_lines(workspace, page_id) == ["garden: raised beds by the fence", "buy seeds"]
    note = store.notes.require(ctx.user.id, saved["id"])
    assert note.body == "garden: raised beds by the fence\nbuy seeds"
    assert [a.notion for a in note.appends.values()] == ["sent"]

    # Redelivered, and the cron's sync later: nothing sent again, the note keeps one copy.
    for minutes in (5, 30):
        again = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=minutes))
        assert (again.appended, again.pulled) == (0, 0)
    assert len(appends_to(workspace, page_id)) == 1
    assert store.notes.require(ctx.user.id, saved["id"]).body.count("buy seeds") == 1

    # Edited in Notion afterwards: the edit comes back, with the appended line once.
    edited = NOW + timedelta(minutes=40)
    workspace.edit(page_id, title="garden", text="raised beds by the south fence", at=edited)
    workspace.blocks[page_id].append(workspace._paragraph("buy seeds"))
    pulled = sync_notes(store, ctx.user.id, notion, now=edited + timedelta(minutes=1))
    assert (pulled.pulled, pulled.appended) == (1, 0)
    note = store.notes.require(ctx.user.id, saved["id"])
    assert note.body == "raised beds by the south fence\nbuy seeds"


def test_an_append_made_after_an_edit_in_notion_keeps_both(ctx, store, notion, workspace):
    """Appending only adds to the page, so the Notion edit is not overwritten, and the pull
    that follows takes the page (the edit and the append, once each)."""
    saved = save(ctx, "t1", "garden: raised beds")
    sync_notes(store, ctx.user.id, notion, now=NOW)
    page_id = store.notes.require(ctx.user.id, saved["id"]).notion_page_id
    edited = NOW + timedelta(minutes=10)
    workspace.edit(page_id, title="garden", text="garden: raised beds, and a pond", at=edited)
    append(ctx, "t2", "garden", "buy seeds")  # locally, after the edit in Notion
    report = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=20))
    assert (report.appended, report.pulled) == (1, 1)
    assert page_lines(workspace, page_id) == ["garden: raised beds, and a pond", "buy seeds"]
    note = store.notes.require(ctx.user.id, saved["id"])
    assert note.body == "garden: raised beds, and a pond\nbuy seeds"
    assert note.untrusted  # edited in Notion: maybe by someone else


def test_a_note_appended_to_before_it_has_a_page_is_created_with_it(ctx, store, notion, workspace):
    saved = save(ctx, "t1", "garden: raised beds")
    append(ctx, "t2", "garden", "buy seeds")
    append(ctx, "t3", "garden", "water on sunday")
    report = sync_notes(store, ctx.user.id, notion, now=NOW)
    assert (report.created, report.appended) == (1, 0)
    page_id = store.notes.require(ctx.user.id, saved["id"]).notion_page_id
    assert page_lines(workspace, page_id) == ["garden: raised beds\nbuy seeds\nwater on sunday"]
    assert appends_to(workspace, page_id) == []
    note = store.notes.require(ctx.user.id, saved["id"])
    assert {a.notion for a in note.appends.values()} == {"sent"}
    again = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=5))
    assert (again.created, again.appended, again.pulled) == (0, 0, 0)


def test_an_append_whose_answer_was_lost_is_not_sent_twice(ctx, store, notion, workspace):
    saved = save(ctx, "t1", "garden: raised beds")
    sync_notes(store, ctx.user.id, notion, now=NOW)
    page_id = store.notes.require(ctx.user.id, saved["id"]).notion_page_id
    append(ctx, "t2", "garden", "buy seeds")
    workspace.lose_next_append_answer = True  # applied in Notion, then a 502
    with pytest.raises(RetryLater):
        sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=1))
    [append_state] = store.notes.require(ctx.user.id, saved["id"]).appends.values()
    assert append_state.notion == "sending"
    report = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=2))
    assert report.appended == 0  # it was there already
    assert page_lines(workspace, page_id) == ["garden: raised beds", "buy seeds"]
    [append_state] = store.notes.require(ctx.user.id, saved["id"]).appends.values()
    assert append_state.notion == "sent"

    # The same words again, later: a second line (the previous one is not taken for it).
    append(ctx, "t3", "garden", "buy seeds")
    workspace.rate_limit_next = 1  # refused before it was applied
    with pytest.raises(RetryLater) as caught:
        sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=3))
    assert caught.value.retry_after_seconds == 7
    assert sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=4)).appended == 1
    assert page_lines(workspace, page_id) == ["garden: raised beds", "buy seeds", "buy seeds"]
    assert store.notes.require(ctx.user.id, saved["id"]).body == (
        "garden: raised beds\nbuy seeds\nbuy seeds"
    )


def test_an_append_refused_or_to_a_deleted_page(ctx, store, notion, workspace):
    from nudge.integrations.notion.pages import NotionUnauthorized

    saved = save(ctx, "t1", "garden: raised beds")
    sync_notes(store, ctx.user.id, notion, now=NOW)
    page_id = store.notes.require(ctx.user.id, saved["id"]).notion_page_id
    append(ctx, "t2", "garden", "buy seeds")
    tokens = set(workspace.tokens)
    workspace.revoke_all()  # 401: sync_user refreshes the token or asks them to link again
    with pytest.raises(NotionUnauthorized):
        sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=1))
    assert page_lines(workspace, page_id) == ["garden: raised beds"]
    workspace.tokens |= tokens
    assert sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=2)).appended == 1

    # Deleted in Notion: the append stays here (marked gone) and the sync goes on.
    del workspace.pages[page_id], workspace.blocks[page_id]
    append(ctx, "t3", "garden", "water on sunday")
    report = sync_notes(store, ctx.user.id, notion, now=NOW + timedelta(minutes=3))
    assert report.appended == 0
    note = store.notes.require(ctx.user.id, saved["id"])
    assert note.body.endswith("\nwater on sunday")
    assert sorted(a.notion for a in note.appends.values()) == ["gone", "sent"]


def test_an_append_is_synced_by_the_served_function_in_the_background(
    store, served, workspace, monkeypatch
):
    ctx = served_context(store, monkeypatch, "+15555550185", turn_id="t1")
    user = ctx.user
    saved = save(ctx, "t1", "garden: raised beds")
    page_id = wait_for(lambda: store.notes.require(user.id, saved["id"]).notion_page_id)
    append(ctx, "t2", "garden", "buy seeds")
    assert wait_for(lambda: page_lines(workspace, page_id)[-1:] == ["buy seeds"])
    note = wait_for(
        lambda: (
            (n := store.notes.require(user.id, saved["id"])).appends
            and all(a.notion == "sent" for a in n.appends.values())
            and n
        )
    )
    assert note.body == "garden: raised beds\nbuy seeds"
    assert len(appends_to(workspace, page_id)) == 1


@pytest.mark.parametrize("had_it", [False, True])
def test_a_page_left_by_a_sync_that_died_gets_the_appends_it_lacks(
    ctx, store, notion, workspace, had_it
):
    """A sync died between creating the page and recording it: the next one reuses the page
    and sends the append only if the page was made without it."""
    saved = save(ctx, "t1", "garden: raised beds")
    append(ctx, "t2", "garden", "buy seeds")
    left = "garden: raised beds\nbuy seeds" if had_it else "garden: raised beds"
    page_id = workspace.add_page("garden", left)
    report = sync_notes(store, ctx.user.id, notion, now=NOW)
    assert (report.created, report.appended) == (0, 0 if had_it else 1)
    assert store.notes.require(ctx.user.id, saved["id"]).notion_page_id == page_id
    assert "\n".join(page_lines(workspace, page_id)) == "garden: raised beds\nbuy seeds"
