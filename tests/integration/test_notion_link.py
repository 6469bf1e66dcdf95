"""Linking Notion and choosing the database by text, against the real emulators, with Notion
answered at notion-client's own httpx transport (tests/support/notion_api.py): the texted
link, the served oauth function's authorize redirect, the code exchange (HTTP Basic, JSON
body) with the documented token response, the sealed token, the internal-token path, and
"save notes to my Inbox database" answered "on it" in the turn and by SMS from the background
(one, several and no matches; 429, 401, redelivery), and the conversation through the served
functions."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from emulators import stack
from nudge.agent.tools import ToolContext, registry
from nudge.integrations.repository import AITaskRepository
from nudge.llm.types import FunctionCall
from nudge.models import Note, User, utcnow
from tests.conftest import clear_caches
from tests.support.notion_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    WORKSPACE_ID,
    NotionWorkspace,
    data_source,
)
from tests.support.serving import serve_function

OWNER = "+15555550190"


@pytest.fixture
def workspace(monkeypatch):
    from nudge.integrations.notion import pages

    double = NotionWorkspace()
    monkeypatch.setattr(pages, "default_http_client", double.client)
    return double


@pytest.fixture
def oauth_url(local_env, task_queue, workspace, monkeypatch):
    monkeypatch.setenv("NUDGE_NOTION_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("NUDGE_NOTION_CLIENT_SECRET", CLIENT_SECRET)
    with serve_function("oauth", stack.FUNCTIONS_DIR / "oauth" / "main.py") as url:
        clear_caches()
        yield url


@pytest.fixture
def user(store):
    return store.users.create(User(phone=OWNER, name="Sam", timezone="America/New_York"))


def outbox(store) -> list[str]:
    return [d.get("body") for d in store.db.collection("local_outbox").stream()]


def tool(store, user, tool_name: str, turn_id: str = "t", **args) -> dict:
    from nudge.settings import get_settings

    ctx = ToolContext(
        store=store, user=user, settings=get_settings(), now=utcnow(), turn_id=turn_id
    )
    return registry.execute(FunctionCall(name=tool_name, args=args), ctx).response


def sign_in(workspace, oauth_url, link: str) -> tuple[dict, str]:
    """The browser: the texted link, "Continue to Notion", Notion's authorize page allowing
    access; returns the authorize URL's query and the redirect back Notion would make."""
    shown = requests.get(link, timeout=10)
    assert shown.status_code == 200 and "Continue to Notion" in shown.text
    token = parse_qs(urlsplit(link).query)["t"][0]
    started = requests.post(
        f"{oauth_url}/notion/start", data={"t": token}, allow_redirects=False, timeout=10
    )
    assert started.status_code == 302, started.text
    location = started.headers["Location"]
    assert location.startswith("https://api.notion.com/v1/oauth/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    code = workspace.issue_code(query["redirect_uri"])
    return query, f"{query['redirect_uri']}?code={code}&state={query['state']}"


def test_link_notion_by_oauth_seals_the_token_and_asks_for_the_database(
    oauth_url, workspace, store, user
):
    from nudge.integrations.notion.access import load_tokens
    from nudge.settings import get_settings

    result = tool(store, user, "link_notion")
    assert result["ok"] and result["url"].startswith(f"{oauth_url}/notion/start?t=")
    query, callback = sign_in(workspace, oauth_url, result["url"])
    assert query == {
        "owner": "user",
        "client_id": CLIENT_ID,
        "redirect_uri": f"{oauth_url}/notion/callback",
        "response_type": "code",
        "state": query["state"],
    }
    assert len(query["state"]) >= 40
    finished = requests.get(callback, timeout=10)
    assert finished.status_code == 200, finished.text
    assert "connected to Notion (Sam&#x27;s Notion)" in finished.text

    # The exchange, as notion-client sent it: HTTP Basic client id:secret and a JSON body.
    [(method, path, body)] = [r for r in workspace.requests if r[1] == "/oauth/token"]
    assert (method, body["grant_type"]) == ("POST", "authorization_code")
    assert body["redirect_uri"] == f"{oauth_url}/notion/callback" and body["code"]
    # Sealed at rest: the stored credential holds no token in clear.
    stored = store.credentials.require(user.id, "notion")
    assert stored.account == "Sam's Notion" and stored.sealed["key_id"] == "local-1"
    assert "ntn_" not in json.dumps(stored.model_dump(), default=str)
    tokens = load_tokens(store, get_settings(), user.id)
    assert tokens.access_token in workspace.tokens and tokens.workspace_id == WORKSPACE_ID
    link = store.notion_links.of(user.id)
    assert (link.access, link.workspace_name) == ("oauth", "Sam's Notion")
    assert link.data_source_id is None  # they pick one next
    assert outbox(store) == [
        "Connected to Notion (Sam's Notion). Which database should your notes go to? Text "
        'e.g. "save notes to my Inbox database".'
    ]
    # The state works once: a replayed redirect links nothing and texts nothing more.
    assert requests.get(callback, timeout=10).status_code == 400
    assert len(outbox(store)) == 1


def test_a_declined_or_refused_sign_in_links_nothing(oauth_url, workspace, store, user):
    link = tool(store, user, "link_notion")["url"]
    query, _ = sign_in(workspace, oauth_url, link)
    declined = requests.get(
        f"{oauth_url}/notion/callback?error=access_denied&state={query['state']}", timeout=10
    )
    assert declined.status_code == 400 and "Notion was not connected" in declined.text
    # A code Notion does not know (400 invalid_grant from the token endpoint).
    query, _ = sign_in(workspace, oauth_url, tool(store, user, "link_notion")["url"])
    refused = requests.get(
        f"{oauth_url}/notion/callback?code=made-up&state={query['state']}", timeout=10
    )
    assert refused.status_code == 400
    # A Microsoft link cannot start a Notion sign-in, nor a bad path or method anything.
    assert requests.get(f"{oauth_url}/notion/start?t=abc.def", timeout=10).status_code == 400
    assert requests.post(f"{oauth_url}/notion/callback", timeout=10).status_code == 405
    assert requests.get(f"{oauth_url}/notion/elsewhere", timeout=10).status_code == 404
    assert store.credentials.get(user.id, "notion") is None
    assert store.notion_links.of(user.id) is None and outbox(store) == []


def test_the_link_token_names_its_provider(settings, store, user):
    from nudge.linking import link_tokens

    token = link_tokens.issue(store, settings, user.id, utcnow(), provider="notion")
    with pytest.raises(link_tokens.LinkInvalid):
        link_tokens.redeem(store, settings, token, utcnow(), provider="microsoft")
    assert link_tokens.redeem(store, settings, token, utcnow(), provider="notion") == user.id


def test_without_oauth_the_internal_token_links_its_owner_only(
    settings, task_queue, store, user, workspace, monkeypatch
):
    stranger = store.users.create(User(phone="+15555550191", name="Lee", timezone="Etc/UTC"))
    assert tool(store, user, "link_notion")["ok"] is False  # nothing configured
    monkeypatch.setenv("NUDGE_NOTION_TOKEN", "secret_test_token")
    monkeypatch.setenv("NUDGE_NOTION_OWNER", OWNER)
    clear_caches()
    refused = tool(store, stranger, "link_notion")
    assert refused["ok"] is False and "isn't set up" in refused["message"]
    assert tool(store, user, "link_notion") == {
        "ok": True, "linked": True, "internal": True, "data_source": None
    }  # fmt: skip
    assert store.notion_links.of(user.id).access == "internal"
    assert store.credentials.get(user.id, "notion") is None  # the token stays in Secret Manager
    answer = tool(store, user, "choose_notion_database", name="my Notes database")
    # Nothing asked of Notion inside the turn: the search is an AI task on the queue.
    assert answer == {
        "ok": True,
        "queued": answer["queued"],
        "message": 'On it, I\'ll look for "Notes" in your Notion and text you.',
    }
    assert not [r for r in workspace.requests if r[1] == "/search"]  # fmt: skip
    assert run_choice(store, user, answer["queued"]) == {"result": "done"}
    assert outbox(store) == ['Done: notes go to "Notes" in Notion.']
    # The search went out with the internal token and the data source filter.
    [search] = [body for _, path, body in workspace.requests if path == "/search"]
    assert search["filter"] == {"property": "object", "value": "data_source"}
    assert search["query"] == "notes"


def run_choice(store, user, task_id: str, attempt: int = 0) -> dict:
    """One delivery of the `notion_database` AI task, as the notion_sync function runs it."""
    from nudge.integrations.notion.choose import choose_database
    from nudge.integrations.worker import Delivery, WorkerDeps, run_ai_task
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    # No turn replies here: the result does not wait for one.
    settings = get_settings().model_copy(update={"integration_reply_wait_seconds": 0})
    deps = WorkerDeps(store=store, sender=default_sender(), settings=settings)
    queue = default_task_queue()
    return run_ai_task(
        deps, user_id=user.id, task_id=task_id, delivery=Delivery(attempt),
        work=lambda task, person: choose_database(deps, queue, task, person), now=utcnow(),
    )  # fmt: skip


def choose(store, user, name: str, turn_id: str = "t") -> str:
    """ "save notes to my <name> database": "on it", then the background answer (texted)."""
    answer = tool(store, user, "choose_notion_database", turn_id, name=name)
    assert answer["ok"] and answer["message"].startswith("On it"), answer
    before = outbox(store)
    assert run_choice(store, user, answer["queued"])["result"] == "done"
    sent = AITaskRepository(store.db).require(user.id, answer["queued"]).result.text
    after = outbox(store)  # (stored by message id, not in order)
    assert len(after) == len(before) + 1 and after.count(sent) == before.count(sent) + 1
    return sent


def searches(workspace) -> int:
    return len([r for r in workspace.requests if r[1] == "/search"])


@pytest.fixture
def linked(task_queue, store, user, workspace, monkeypatch):
    monkeypatch.setenv("NUDGE_NOTION_TOKEN", "secret_test_token")
    monkeypatch.setenv("NUDGE_NOTION_OWNER", OWNER)
    clear_caches()
    assert tool(store, user, "link_notion")["linked"]
    return workspace


def test_save_notes_to_my_inbox_database_picks_it_by_name(linked, store, user):
    linked.data_sources += [
        data_source("2c3d4e5f-0000-4000-8000-0000000011b0", "Inbox", "Title"),
        data_source("2c3d4e5f-0000-4000-8000-0000000011b1", "Inbox archive"),
    ]
    store.notes.add(user.id, Note(title="garden plan", body="tomatoes"))
    assert choose(store, user, "Inbox") == (
        'Done: notes go to "Inbox" in Notion. I\'m copying your note there now.'
    )
    link = store.notion_links.of(user.id)
    assert link.data_source_id == "2c3d4e5f-0000-4000-8000-0000000011b0"
    assert link.title_property == "Title"  # read from the data source's properties
    assert link.database_id == "db-11b0"
    [task] = AITaskRepository(store.db).list(user.id)
    assert (task.type, task.status, task.label) == (
        "notion_database",
        "done",
        'the search for "Inbox" in your Notion',
    )
    assert task.result.data["outcome"] == "chosen" and task.notified


def test_several_matches_are_texted_and_the_answer_needs_no_new_search(linked, store, user):
    from nudge.llm.offline_integrations import understand_integration
    from nudge.llm.types import TurnFacts

    linked.data_sources += [
        data_source("2c3d4e5f-0000-4000-8000-0000000021a0", "Reading list (work)"),
        data_source("2c3d4e5f-0000-4000-8000-0000000021a1", "Reading list (home)"),
    ]
    asked = choose(store, user, "reading list")
    assert asked == (
        "A few databases match:\n1. Reading list (work)\n2. Reading list (home)\n"
        'Which one? Text "notion 1" (or 2, ...).'
    )
    link = store.notion_links.of(user.id)
    assert link.data_source_id is None  # nothing guessed
    assert [c.name for c in link.choices] == ["Reading list (work)", "Reading list (home)"]
    # The next text answers that list: "the second one", a number, or a name as listed.
    facts = TurnFacts(timezone="Etc/UTC", recent_replies=[asked])
    for said, args in [("the second one", {"choice": 2}), ("2", {"choice": 2}),
                       ("notion 2", {"choice": 2}), ("First", {"choice": 1}),
                       ("Reading list (home)", {"name": "Reading list (home)"})]:  # fmt: skip
        call = understand_integration(said, facts)
        assert (call.name, call.args) == ("choose_notion_database", args), said
    searched = searches(linked)
    picked = tool(store, user, "choose_notion_database", name="reading list (home)")
    assert picked == {"ok": True, "database": "Reading list (home)", "notes": 0}
    link = store.notion_links.of(user.id)
    assert link.data_source_id == "2c3d4e5f-0000-4000-8000-0000000021a1" and link.choices == []
    assert searches(linked) == searched  # picked from the kept list
    # Asked again (another turn), then picked by number: again no new search for the pick.
    choose(store, user, "reading list", turn_id="t2")
    searched = searches(linked)
    picked = tool(store, user, "choose_notion_database", choice=1)
    assert picked["ok"] and picked["database"] == "Reading list (work)"
    assert searches(linked) == searched


def test_no_match_says_so_with_what_is_shared_and_nothing_changes(linked, store, user):
    linked.data_sources.append(data_source("2c3d4e5f-0000-4000-8000-0000000031c0", "Tasks"))
    assert choose(store, user, "Recipes") == (
        'I couldn\'t find a database called "Recipes" in your Notion. Shared with Nudge: '
        '"Notes", "Tasks". If it\'s another one, open it in Notion, tap ... > Connections and '
        "add Nudge, then tell me again."
    )
    assert store.notion_links.of(user.id).data_source_id is None
    before = tool(store, user, "choose_notion_database", choice=1)
    assert before["ok"] is False  # no list was offered
    # Everything shared is listed by a search without a query.
    assert "query" not in [b for _, p, b in linked.requests if p == "/search"][-1]
    linked.data_sources.clear()
    nothing = choose(store, user, "Recipes", turn_id="t2")
    assert "nothing in your Notion is shared with Nudge yet" in nothing


def test_a_rate_limited_search_is_retried_then_fails_with_one_sms(linked, store, user, settings):
    from nudge.web import RetryLater

    answer = tool(store, user, "choose_notion_database", name="Notes")
    linked.rate_limit_next = 100  # Notion keeps answering 429 rate_limited
    with pytest.raises(RetryLater) as caught:
        run_choice(store, user, answer["queued"], attempt=0)
    assert caught.value.retry_after_seconds == 7  # Notion's Retry-After
    repo = AITaskRepository(store.db)
    assert repo.require(user.id, answer["queued"]).status == "queued"
    assert outbox(store) == []
    last = settings.integration_max_attempts - 1
    assert run_choice(store, user, answer["queued"], attempt=last)["result"] == "failed"
    assert run_choice(store, user, answer["queued"], attempt=last)["result"] == "already_finished"
    assert outbox(store) == [
        "Sorry, I couldn't finish the search for \"Notes\" in your Notion: the service didn't "
        "answer after several tries. Nothing was lost; text me again later and I'll have "
        "another go."
    ]
    assert repo.require(user.id, answer["queued"]).status == "failed"
    assert store.notion_links.of(user.id).data_source_id is None


def test_an_outage_goes_back_to_the_queue_and_the_retry_answers(linked, store, user):
    from nudge.web import RetryLater

    answer = tool(store, user, "choose_notion_database", name="Notes")
    linked.unavailable_next = 1  # 503 service_unavailable
    with pytest.raises(RetryLater):
        run_choice(store, user, answer["queued"], attempt=0)
    stored = AITaskRepository(store.db).require(user.id, answer["queued"])
    assert (stored.status, stored.last_error, outbox(store)) == ("queued", "notion 503", [])
    assert run_choice(store, user, answer["queued"], attempt=1) == {"result": "done"}
    assert outbox(store) == ['Done: notes go to "Notes" in Notion.']


def test_a_redelivered_choice_does_nothing_twice(linked, store, user):
    answer = tool(store, user, "choose_notion_database", name="Notes")
    # The same turn run again records no second task.
    assert tool(store, user, "choose_notion_database", name="Notes")["queued"] == answer["queued"]
    assert run_choice(store, user, answer["queued"]) == {"result": "done"}
    searched = searches(linked)
    again = run_choice(store, user, answer["queued"], attempt=1)
    assert again == {"result": "already_finished", "status": "done"}
    assert searches(linked) == searched and len(outbox(store)) == 1
    assert len(AITaskRepository(store.db).list(user.id)) == 1


def test_a_refused_internal_token_ends_failed_with_one_relink_sms(linked, store, user):
    answer = tool(store, user, "choose_notion_database", name="Notes")
    linked.revoke_all()  # the internal integration was removed in Notion: no refresh possible
    assert run_choice(store, user, answer["queued"])["result"] == "failed"
    assert run_choice(store, user, answer["queued"], attempt=1)["result"] == "already_finished"
    assert outbox(store) == [
        'Notion stopped letting me in. Text "link notion" to connect it again.'
    ]
    assert store.notion_links.of(user.id).status == "needs_relink"
    # Until they link again, the tool says so without asking Notion.
    searched = searches(linked)
    assert "isn't linked" in tool(store, user, "choose_notion_database", name="Notes")["message"]
    assert searches(linked) == searched


def test_a_refused_token_is_refreshed_once_then_asks_to_link_again_once(
    oauth_url, workspace, store, user
):
    from nudge.integrations.notion.sync import NotionSyncDeps, sync_user
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    _, callback = sign_in(workspace, oauth_url, tool(store, user, "link_notion")["url"])
    assert requests.get(callback, timeout=10).status_code == 200
    workspace.revoke_all()  # expired before the choice: its search refreshes it once
    assert choose(store, user, "Notes").startswith('Done: notes go to "Notes"')
    deps = NotionSyncDeps(store=store, sender=default_sender(), settings=get_settings())
    workspace.revoke_all()  # the access token expired: the refresh token still works
    assert sync_user(deps, user.id, utcnow()).skipped is None
    # Both grants passed the double's HTTP Basic check (it answers 401 otherwise).
    grants = [b["grant_type"] for _, p, b in workspace.requests if p == "/oauth/token"]
    assert grants == ["authorization_code", "refresh_token", "refresh_token"]

    workspace.revoke_all()
    workspace.refresh_tokens.clear()  # access removed in Notion: nothing works any more
    assert sync_user(deps, user.id, utcnow()).skipped == "needs relink"
    assert sync_user(deps, user.id, utcnow()).skipped == "needs relink"
    relinks = [b for b in outbox(store) if "link notion" in b and "stopped" in b]
    assert len(relinks) == 1


def test_link_notion_by_sms_then_the_database_by_sms(
    oauth_url, workspace, store, task_queue, monkeypatch
):
    """Texted: "link notion" (the offline model) -> the link by SMS -> sign-in -> "save notes
    to my reading list database" -> "on it" at once, then the two matches by SMS from the
    served notion_sync -> "the second one" -> chosen, and the first sync copies the note."""
    import contextlib
    import os
    import time
    from datetime import UTC, datetime

    from tests.support.conversation import Phone
    from tests.support.notion_api import DATA_SOURCE_ID

    workspace.data_sources = [
        data_source("2c3d4e5f-0000-4000-8000-0000000021a0", "Reading list (work)"),
        data_source(DATA_SOURCE_ID, "Reading list (home)"),
    ]
    with contextlib.ExitStack() as functions:
        for name in ("sms_webhook", "agent_turn", "notion_sync"):
            url = functions.enter_context(
                serve_function(name, stack.FUNCTIONS_DIR / name / "main.py")
            )
            if name == "sms_webhook":
                os.environ["NUDGE_PUBLIC_BASE_URL"] = url
        clear_caches()
        phone = Phone()
        started = datetime.now(UTC)
        assert phone.text("note: garden plan: tomatoes by the wall").status == 200
        phone.wait_for_replies(since=started, wait=30, settle=1)
        started = datetime.now(UTC)
        assert phone.text("link notion").status == 200
        [reply] = phone.wait_for_replies(since=started, wait=30, settle=1)
        assert reply.startswith("Tap to connect Notion (works once, for 15 minutes): ")
        link = reply.split(": ", 1)[1].split()[0]
        assert link.startswith(f"{oauth_url}/notion/start?t=")
        _, callback = sign_in(workspace, oauth_url, link)
        assert requests.get(callback, timeout=10).status_code == 200
        started = datetime.now(UTC)
        assert phone.text("save notes to my reading list database").status == 200
        replies = phone.wait_for_replies(since=started, wait=30, settle=3)
        assert len(replies) == 2, replies
        # (The turn's reply may go on to ask their name: they have not given it yet.)
        assert replies[0].startswith(
            'On it, I\'ll look for "reading list" in your Notion and text you.'
        )
        assert replies[1] == (
            "A few databases match:\n1. Reading list (work)\n2. Reading list (home)\n"
            'Which one? Text "notion 1" (or 2, ...).'
        )
        started = datetime.now(UTC)
        searched = searches(workspace)
        assert phone.text("the second one").status == 200
        [reply] = phone.wait_for_replies(since=started, wait=30, settle=1)
        assert reply.startswith(
            'Done: notes go to "Reading list (home)" in Notion. I\'m copying your note there now.'
        )
        assert searches(workspace) == searched  # picked from the list kept, not searched again
        user = store.users.find_by_phone("+15555550100")
        assert store.notion_links.of(user.id).data_source_id == DATA_SOURCE_ID
        # The first sync, asked for by the choice, runs in the served notion_sync.
        deadline = time.monotonic() + 30
        while not workspace.pages and time.monotonic() < deadline:
            time.sleep(0.2)
    [page] = workspace.pages.values()
    assert page["properties"]["Name"]["title"][0]["plain_text"] == "garden plan"
    [task] = AITaskRepository(store.db).list(user.id)
    assert (task.status, task.result.data["outcome"], task.notified) == ("done", "ask", True)


def test_an_oversized_request_is_refused(oauth_url):
    big = requests.post(f"{oauth_url}/notion/start", data={"t": "x" * 70_000}, timeout=10)
    assert big.status_code == 413


def test_notion_sync_takes_an_ai_task_only_with_its_task_id(task_queue, settings, workspace):
    from nudge.queue.client import TASK_SECRET_HEADER

    headers = {TASK_SECRET_HEADER: settings.task_secret.get_secret_value()}
    with serve_function("notion_sync", stack.FUNCTIONS_DIR / "notion_sync" / "main.py") as url:
        clear_caches()
        for body in (
            {"action": "ai_task", "user_id": "u1"},  # which task?
            {"user_id": "u1", "task_id": "ai_t_1"},  # a sync does not take a task id
            {"action": "ai_task", "user_id": "u1", "task_id": "ai_t_1", "extra": 1},
        ):
            answer = requests.post(url, json=body, headers=headers, timeout=10)
            assert (answer.status_code, answer.json()) == (
                400, {"error": "invalid task payload"}
            ), body  # fmt: skip
        missing = {"action": "ai_task", "user_id": "u1", "task_id": "ai_t_1"}
        answer = requests.post(url, json=missing, headers=headers, timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"result": "missing"})
