"""Linking a Microsoft account: "connect outlook" texts a signed link; the `oauth` function
starts msal's auth code flow (PKCE; state bound to the user, kept sealed in the store with a
TTL) and finishes it on the callback, sealing the token cache and texting who is connected."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nudge.linking import link_tokens
from nudge.linking.flows import LinkError, flow_id, put_flow, take_flow
from nudge.microsoft import SCOPES
from nudge.microsoft.tokens import PROVIDER, NotConfigured, make_app, save_cache
from nudge.models import User
from nudge.models.events import CalendarLink, EventSource
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store
from nudge.store.sealed import Sealer

log = logging.getLogger("nudge.microsoft")
__all__ = [
    "PROVIDER", "LinkError", "NotConfigured", "connect_link", "disconnect", "finish", "start"
]  # fmt: skip


@dataclass
class LinkDeps:
    store: Store
    queue: TaskQueue
    sender: SmsSender
    settings: Settings
    http_client: Any = None


def redirect_uri(settings: Settings) -> str:
    return settings.microsoft_redirect_uri or (
        settings.function_url("oauth").rstrip("/") + "/callback"
    )


def start_url(settings: Settings, token: str) -> str:
    return f"{settings.function_url('oauth').rstrip('/')}/start?t={token}"


def connect_link(store: Store, settings: Settings, user: User, now: datetime) -> str:
    """The link "connect outlook" texts back."""
    token = link_tokens.issue(store, settings, user.id or "", now, provider=PROVIDER)
    return start_url(settings, token)


def _flow_context(state: str) -> str:
    return f"oauth-flow:{state}"


def start(deps: LinkDeps, token: str, now: datetime) -> str:
    """Redeem the texted link and begin the flow; returns Microsoft's sign-in URL."""
    user_id = link_tokens.redeem(deps.store, deps.settings, token, now, provider=PROVIDER)
    app = make_app(deps.settings, http_client=deps.http_client)
    # form_post: the code comes back in a POST body, never in a URL (RFC 9700 4.3.1).
    flow = app.initiate_auth_code_flow(
        SCOPES, redirect_uri=redirect_uri(deps.settings), prompt="select_account",
        response_mode="form_post",
    )  # fmt: skip

    sealed = Sealer.from_settings(deps.settings).seal(
        json.dumps(flow).encode(), context=_flow_context(flow["state"])
    )
    put_flow(
        deps.store, deps.settings, state=flow["state"], user_id=user_id, provider=PROVIDER,
        now=now, data={"flow": sealed.model_dump()},
    )  # fmt: skip
    return flow["auth_uri"]


def finish(deps: LinkDeps, params: dict[str, str], now: datetime) -> tuple[User, str]:
    """Handle Microsoft's redirect back: (user, signed-in account)."""

    import msal

    state = params.get("state") or ""
    record = take_flow(deps.store, state, now, provider=PROVIDER)
    flow = json.loads(
        Sealer.from_settings(deps.settings).open(record["flow"], context=_flow_context(state))
    )
    user = deps.store.users.require(record["user_id"])
    if "error" in params:
        raise LinkError(params.get("error_description") or params["error"])
    cache = msal.SerializableTokenCache()
    app = make_app(deps.settings, cache=cache, http_client=deps.http_client)
    result = app.acquire_token_by_auth_code_flow(flow, params, scopes=SCOPES)
    if "error" in result:
        log.warning("microsoft link for %s refused: %s", user.id, result.get("error"))
        raise LinkError(result.get("error_description") or result["error"])
    claims = result.get("id_token_claims") or {}
    account = claims.get("preferred_username") or claims.get("email") or "your account"
    accounts = app.get_accounts()
    save_cache(
        deps.store, deps.settings, user.id or "", cache, account=account,
        home_account_id=accounts[0]["home_account_id"] if accounts else None,
    )  # fmt: skip
    deps.store.calendar_links.put(user.id or "", CalendarLink(source=EventSource.microsoft))
    from nudge.calendar.sync import enqueue_sync

    enqueue_sync(deps.queue, deps.settings, user.id or "", EventSource.microsoft)
    deliver(
        deps.store, deps.sender, user,
        f"Connected to Outlook as {account}. I'm reading your calendar now.",
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"outlook-connected-{flow_id(state)[:24]}", kind="integration",
    )  # fmt: skip
    return user, account


def disconnect(store: Store, user_id: str) -> bool:
    """Delete the token cache and the Outlook link and events; syncs stop. False when not
    connected."""
    from nudge.calendar.links import unlink

    credential = store.credentials.get(user_id, PROVIDER)
    link = store.calendar_links.get(user_id, EventSource.microsoft.value)
    if credential is None and link is None:
        return False
    store.credentials.delete(user_id, PROVIDER)
    unlink(store, user_id, EventSource.microsoft)
    return True


def default_deps() -> LinkDeps:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return LinkDeps(
        store=Store.default(), queue=default_task_queue(), sender=default_sender(),
        settings=get_settings(),
    )  # fmt: skip
