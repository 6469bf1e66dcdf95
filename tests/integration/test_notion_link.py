"""Linking Notion and choosing the database by text, against the real emulators, with Notion
answered at notion-client's own httpx transport (tests/support/notion_api.py): the texted
link, the served oauth function's authorize redirect, the code exchange (HTTP Basic, JSON
body) with the documented token response, the sealed token, the internal-token path, and
"save notes to my Inbox database" with one, several and no matches."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from emulators import stack
from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import User, utcnow
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


def tool(store, user, tool_name: str, **args) -> dict:
    from nudge.settings import get_settings

    ctx = ToolContext(store=store, user=user, settings=get_settings(), now=utcnow(), turn_id="t")
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
    chosen = tool(store, user, "choose_notion_database", name="my Notes database")
    assert chosen == {"ok": True, "database": "Notes", "notes": 0}
    # The search went out with the internal token and the data source filter.
    [search] = [body for _, path, body in workspace.requests if path == "/search"]
    assert search["filter"] == {"property": "object", "value": "data_source"}
    assert search["query"] == "notes"


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
    result = tool(store, user, "choose_notion_database", name="Inbox")
    assert result == {"ok": True, "database": "Inbox", "notes": 0}
    link = store.notion_links.of(user.id)
    assert link.data_source_id == "2c3d4e5f-0000-4000-8000-0000000011b0"
    assert link.title_property == "Title"  # read from the data source's properties
    assert link.database_id == "db-11b0"


def test_several_matches_ask_which_and_a_number_picks_one(linked, store, user):
    from nudge.llm.offline_integrations import describe_integration

    linked.data_sources += [
        data_source("2c3d4e5f-0000-4000-8000-0000000021a0", "Reading list (work)"),
        data_source("2c3d4e5f-0000-4000-8000-0000000021a1", "Reading list (home)"),
    ]
    asked = tool(store, user, "choose_notion_database", name="reading list")
    assert asked == {"ok": False, "ask": True,
                     "choices": ["Reading list (work)", "Reading list (home)"]}  # fmt: skip
    assert describe_integration("choose_notion_database", asked) == (
        "A few databases match:\n1. Reading list (work)\n2. Reading list (home)\n"
        'Which one? Text "notion 1" (or 2, ...).'
    )
    assert store.notion_links.of(user.id).data_source_id is None  # nothing guessed
    picked = tool(store, user, "choose_notion_database", choice=2)
    assert picked["ok"] and picked["database"] == "Reading list (home)"
    link = store.notion_links.of(user.id)
    assert link.data_source_id == "2c3d4e5f-0000-4000-8000-0000000021a1" and link.choices == []


def test_no_match_is_said_kindly_and_nothing_changes(linked, store, user):
    result = tool(store, user, "choose_notion_database", name="Recipes")
    assert result["ok"] is False and result["none_found"] is True
    assert 'couldn\'t find a database called "Recipes"' in result["message"]
    assert "Connections" in result["message"]  # how to share it with Nudge
    assert store.notion_links.of(user.id).data_source_id is None
    before = tool(store, user, "choose_notion_database", choice=1)
    assert before["ok"] is False  # no list was offered


def test_a_refused_token_is_refreshed_once_then_asks_to_link_again_once(
    oauth_url, workspace, store, user
):
    from nudge.integrations.notion.sync import NotionSyncDeps, sync_user
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    _, callback = sign_in(workspace, oauth_url, tool(store, user, "link_notion")["url"])
    assert requests.get(callback, timeout=10).status_code == 200
    assert tool(store, user, "choose_notion_database", name="Notes")["ok"]
    deps = NotionSyncDeps(store=store, sender=default_sender(), settings=get_settings())
    workspace.revoke_all()  # the access token expired: the refresh token still works
    assert sync_user(deps, user.id, utcnow()).skipped is None
    # Both grants passed the double's HTTP Basic check (it answers 401 otherwise).
    grants = [b["grant_type"] for _, p, b in workspace.requests if p == "/oauth/token"]
    assert grants == ["authorization_code", "refresh_token"]

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
    to my Notes database" -> chosen, and the saved note reaches Notion on the next sync."""
    import contextlib
    import os
    from datetime import UTC, datetime

    from nudge.integrations.notion.sync import default_sync_deps, sync_user
    from tests.support.conversation import Phone

    with contextlib.ExitStack() as functions:
        for name in ("sms_webhook", "agent_turn"):
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
        assert phone.text("save notes to my Notes database").status == 200
        [reply] = phone.wait_for_replies(since=started, wait=30, settle=1)
    assert reply.startswith('Done: notes go to "Notes" in Notion.')
    user = store.users.find_by_phone("+15555550100")
    assert store.notion_links.of(user.id).data_source_id == "1a2b3c4d-0000-4000-8000-00000000d5d5"
    assert sync_user(default_sync_deps(), user.id, utcnow()).created == 1
    [page] = workspace.pages.values()
    assert page["properties"]["Name"]["title"][0]["plain_text"] == "garden plan"


def test_an_oversized_request_is_refused(oauth_url):
    big = requests.post(f"{oauth_url}/notion/start", data={"t": "x" * 70_000}, timeout=10)
    assert big.status_code == 413
