"""Linking Outlook end to end against the real emulators, with Microsoft answered at the HTTP
boundary (msal's authority metadata and token endpoint): the texted link, msal's auth code
flow with PKCE through the served oauth function, the sealed token cache, a silent refresh,
and a revoked grant ending in exactly one relink text."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import User, utcnow
from nudge.models.events import CalendarLinkStatus, EventSource
from tests.support.microsoft import (  # noqa: F401 - fixtures
    CLIENT_ID,
    LOGIN,
    connect,
    link_outlook,
    microsoft_fixture,
    oauth_url_fixture,
    open_link,
    respond,
)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/New_York"))


def outbox(store) -> list[str]:
    return [d.get("body") for d in store.db.collection("local_outbox").stream()]


def test_the_link_flow_seals_the_token_cache_and_says_who_is_connected(
    oauth_url, microsoft, store, user
):
    from nudge.microsoft.tokens import load_cache
    from nudge.settings import get_settings

    settings = get_settings()  # with the served oauth URL
    link = connect(store, settings, user)
    assert link.startswith(f"{oauth_url}/start?t=")
    # A link preview fetching the URL (GET) shows a page and uses nothing up.
    for _ in range(2):
        preview = requests.get(link, allow_redirects=False, timeout=10)
        assert preview.status_code == 200 and "Continue to Microsoft" in preview.text
    assert not any("/authorize" in u for _, u, _ in microsoft.calls)
    started = open_link(link)
    assert started.status_code == 302
    auth_uri = started.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(auth_uri).query).items()}
    assert auth_uri.startswith(f"{LOGIN}/common/oauth2/v2.0/authorize?")
    assert set(query["scope"].split()) == {"Calendars.ReadWrite", "Mail.Read", "User.Read",
                                           "offline_access", "openid", "profile"}  # fmt: skip
    assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{oauth_url}/callback"
    # The texted link works once.
    token = parse_qs(urlsplit(link).query)["t"][0]
    replay = requests.post(f"{oauth_url}/start", data={"t": token}, timeout=10)
    assert replay.status_code == 400 and "used up or expired" in replay.text

    callback = microsoft.sign_in(auth_uri)
    assert query["response_mode"] == "form_post"  # the code never travels in a URL
    finished = requests.post(f"{oauth_url}/callback", data=callback, timeout=10)
    assert finished.status_code == 200, finished.text
    assert "Nudge is connected to Outlook (sam@contoso.com)" in finished.text
    # The flow state is single-use too: a replayed callback connects nothing.
    assert requests.post(f"{oauth_url}/callback", data=callback, timeout=10).status_code == 400

    stored = store.credentials.require(user.id, "microsoft")
    assert stored.account == "sam@contoso.com"
    assert stored.sealed["key_id"] == "local-1"
    assert microsoft.refresh_tokens[0] not in str(stored.model_dump())  # sealed, not in clear
    _, cache = load_cache(store, settings, user.id)
    assert microsoft.refresh_tokens[0] in cache.serialize()
    assert store.calendar_links.require(user.id, "microsoft").status == CalendarLinkStatus.pending
    assert "Connected to Outlook as sam@contoso.com. I'm reading your calendar now." in outbox(
        store
    )


def test_a_tampered_or_foreign_link_is_refused(oauth_url, microsoft, store, user):
    from nudge.settings import get_settings

    link = connect(store, get_settings(), user)
    payload, signature = link.split("t=", 1)[1].split(".")
    forged = f"{payload}.{signature[:-2]}AA"
    assert requests.get(f"{oauth_url}/start?t={forged}", timeout=10).status_code == 400
    assert requests.post(f"{oauth_url}/start", data={"t": forged}, timeout=10).status_code == 400
    assert not any(u.endswith("/authorize") for _, u, _ in microsoft.calls)


def test_silent_refresh_then_a_revoked_grant_asks_to_relink_once(oauth_url, microsoft, store, user):
    from nudge.calendar.sync import CalendarDeps, fan_out, sync_user
    from nudge.microsoft.tokens import TokenSource, load_cache
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    settings = get_settings()
    link_outlook(store, user, microsoft)
    tokens = TokenSource(store=store, settings=settings, user=user)
    cached = tokens.access_token()
    assert microsoft.grants("refresh_token") == 0  # still valid: from the cache
    refreshed = tokens.access_token(force_refresh=True)
    assert refreshed != cached and microsoft.grants("refresh_token") == 1
    _, cache = load_cache(store, settings, user.id)
    assert microsoft.refresh_tokens[-1] in cache.serialize()  # the rotated token was kept

    # The person changed their password: Graph refuses the cached access token (401) and
    # the refresh token is revoked.
    microsoft.revoked = True
    microsoft.graph = lambda request, *_: respond(request, 401, {"error": {
        "code": "InvalidAuthenticationToken", "message": "Lifetime validation failed, the token "
        "is expired."}})  # fmt: skip
    deps = CalendarDeps(store=store, queue=None, sender=default_sender(), settings=settings)
    first = sync_user(deps, user.id, EventSource.microsoft, utcnow())
    again = sync_user(deps, user.id, EventSource.microsoft, utcnow())
    assert first.status == "needs_relink" and again.skipped == "needs relink"
    relinks = [b for b in outbox(store) if "lost access to your Outlook" in b]
    assert len(relinks) == 1
    assert store.calendar_links.require(user.id, "microsoft").status == (
        CalendarLinkStatus.needs_relink
    )
    assert fan_out(deps, utcnow()) == 0  # no sync is even queued until they relink
    assert microsoft.grants("refresh_token") == 2  # one failed refresh, no loop


def test_disconnect_deletes_the_tokens_and_stops_syncs(oauth_url, microsoft, store, user):
    from nudge.settings import get_settings

    settings = get_settings()
    link_outlook(store, user, microsoft)
    ctx = ToolContext(store=store, user=user, settings=settings, now=utcnow(), turn_id="t")
    assert registry.execute(FunctionCall(name="disconnect_outlook"), ctx).response["ok"]
    assert store.credentials.get(user.id, "microsoft") is None
    assert store.calendar_links.get(user.id, "microsoft") is None
    again = registry.execute(FunctionCall(name="disconnect_outlook"), ctx).response
    assert again["ok"] is False
