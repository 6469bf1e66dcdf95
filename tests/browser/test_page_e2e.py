"""The page end to end in a real headless Chromium, against the api function running as its
own functions-framework process on the emulators: sign in by the texted link, Today with the
person's tasks, reminders and week, complete a task by keyboard (seen in Firestore and by SMS),
forget a memory, download the export, delete the account with both confirmations (nothing of
theirs left in the emulator). axe-core checks every page visited; screenshots at phone and
desktop widths land in test-output/screenshots/."""

from __future__ import annotations

import io
import json
import os
import re

import pytest

from emulators import stack
from tests.conftest import clear_caches
from tests.support.api import Texts, new_person, walk

LINK = re.compile(r"https?://\S+/login\?t=[\w.-]+")


@pytest.fixture
def served_api(store, task_queue):
    """The api function as its own `python -m functions_framework` process (as `make run`
    starts it) on this test's emulators; sign-in links texted from now on point at it."""
    port = stack.free_port()
    url = f"http://127.0.0.1:{port}"
    urls = json.loads(os.environ["NUDGE_FUNCTION_URLS"])
    os.environ["NUDGE_FUNCTION_URLS"] = json.dumps(urls | {"api": url})
    clear_caches()  # settings read again: page_url is the served function's URL
    log = io.StringIO()
    process = stack.start_function("api", port, env=dict(os.environ), sink=log)
    try:
        stack.wait_until(lambda: stack.port_in_use(port), timeout=60, what="api", proc=process)
        yield url
    finally:
        stack.stop([process])
        print("api function's log:\n" + log.getvalue()[-4000:])


def tab_to(page, name: str, limit: int = 80) -> list[str]:
    """Press Tab until the focused control's accessible name is `name` (as a keyboard user);
    returns the names focused on the way, in order."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        visited.append(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " return el.getAttribute('aria-label') || el.textContent.trim(); }"
            )
        )
        if visited[-1] == name:
            return visited
    raise AssertionError(f"{name!r} is not reachable with Tab (went through {visited})")


def go_to(page, section: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=section).click()
    page.wait_for_load_state()


def described(scope, chart: str) -> str:
    """What a screen reader hears for a chart: its description (the numbers in words)."""
    return scope.get_by_role("img", name=chart, exact=True).evaluate(
        "svg => document.getElementById(svg.getAttribute('aria-describedby')).textContent"
    )


def test_a_person_uses_the_page_from_sign_in_to_delete(
    page, served_api, store, embedder, task_queue, axe_check, screenshot
):
    from nudge.models import TaskStatus
    from nudge.settings import get_settings
    from nudge.sms.senders import LOCAL_OUTBOX

    settings = get_settings()
    page.set_default_timeout(10_000)
    person = new_person(store)
    texts = Texts(store, settings, person.user_id, embedder, queue=task_queue)
    for text in (
        "todo: renew passport",
        "todo: water plants",
        "remind me in 2 hours to call mom",
        "remember my locker code is 4411",
        "remember my sister's birthday is May 3",
    ):
        assert texts.say(text), text

    # Sign in: the texted link, opened, asks for one tap (link previews must not use it up).
    reply = texts.say("login")
    [link] = LINK.findall(reply)
    assert link.startswith(served_api + "/login?t=")
    page.goto(link)
    axe_check(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served_api + "/")

    # Today: the one thing (one of their tasks), the next reminder, their week.
    assert page.get_by_role("heading", level=1).inner_text() == "Hi, Sam"
    one_thing = page.locator(".one-thing").inner_text()
    assert "renew passport" in one_thing or "water plants" in one_thing
    reminders = page.get_by_role("region", name="Next reminders")
    assert "call mom" in reminders.inner_text()
    week = page.get_by_role("region", name="Your week")
    assert week.get_by_role("img").count() == 3
    assert "nothing marked done these 7 days" in described(week, "Things done each day")
    axe_check(page)

    # Tasks: complete one by keyboard (Tab to its Done button, Enter).
    go_to(page, "Tasks and goals")
    page.wait_for_url(served_api + "/tasks")
    axe_check(page)
    screenshot(page, "page-tasks")
    visited = tab_to(page, "Done: water plants")
    assert visited[0] == "Skip to content"
    assert visited.index("Done: renew passport") < visited.index("Done: water plants")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tasks\?said=task-done$"))
    assert page.get_by_role("status").inner_text() == "Done. Nice one."
    assert "water plants" not in page.get_by_role("region", name="Open tasks").inner_text()
    axe_check(page)
    [water] = [t for t in store.tasks.list(person.user_id) if t.title == "water plants"]
    assert water.status == TaskStatus.done and water.completed_at is not None
    listed = texts.say("what's on my list?")
    assert "renew passport" in listed and "water plants" not in listed
    # The week counts it, in the person's own day.
    go_to(page, "Today")
    assert "1 thing done over these 7 days." in described(page, "Things done each day")
    screenshot(page, "page-today")

    # Memories: forget one.
    go_to(page, "Memories")
    axe_check(page)
    screenshot(page, "page-memories")
    page.get_by_role("button", name=re.compile(r"^Forget: .*4411")).click()
    page.wait_for_url(re.compile(r"/memories\?said=forgotten$"))
    assert "4411" not in page.locator("main").inner_text()
    assert "birthday" in page.locator("main").inner_text()
    assert not [m for m in store.memories.list(person.user_id) if "4411" in m.content]
    axe_check(page)

    # Reminders (with the one set by text) and notes pass axe too.
    go_to(page, "Reminders")
    assert "call mom" in page.locator("main").inner_text()
    axe_check(page)
    go_to(page, "Notes")
    axe_check(page)

    go_to(page, "Settings")
    axe_check(page)
    screenshot(page, "page-settings")

    # Export: the JSON download has their tasks and memories, no embeddings.
    go_to(page, "Your data")
    axe_check(page)
    screenshot(page, "page-your-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="all of it (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "nudge-export.json"
    exported = download.path().read_text()
    document = json.loads(exported)
    titles = {t["title"]: t["status"] for t in document["collections"]["tasks"]}
    assert titles == {"renew passport": "open", "water plants": "done"}
    contents = [m["content"] for m in document["collections"]["memories"]]
    assert any("birthday" in c for c in contents) and not any("4411" in c for c in contents)
    assert '"embedding"' not in exported

    # Delete: asked on the page, then once more.
    page.get_by_role("button", name="Delete my account…").click()
    page.wait_for_url(served_api + "/account/delete")
    assert page.get_by_role("heading", level=1).inner_text() == "Delete your account?"
    axe_check(page)
    assert store.users.get(person.user_id) is not None
    page.get_by_role("button", name="Yes, delete everything").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Deleted"
    axe_check(page)
    assert store.users.get(person.user_id) is None
    marks = (person.user_id, person.phone)
    leftovers = [
        path
        for path, data in walk(store.db)
        if not path.startswith(LOCAL_OUTBOX + "/")  # the outbox stands in for their phone
        and any(mark in path or mark in json.dumps(data, default=str) for mark in marks)
    ]
    assert leftovers == []
    # Signed out: the cookie is gone, and going back shows how to sign in.
    page.goto(served_api + "/tasks")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    axe_check(page)
