"""Linking Notion. With a public integration (OAuth): "link notion" texts a signed,
single-use link; the `oauth` function turns it into Notion's authorize URL with a state bound
to the person (`oauth_flows`, as for Microsoft), and Notion's redirect back brings a code that
is exchanged (HTTP Basic client id:secret) for a token kept sealed. With the deployment's
internal integration token, "link notion" from its owner links at once, no browser."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from nudge.integrations.notion.access import (
    PROVIDER,
    NotConfigured,
    is_internal_owner,
    oauth_configured,
    save_tokens,
    token_exchange,
    tokens_from,
)
from nudge.linking import link_tokens
from nudge.linking.flows import LinkError, flow_id, put_flow, take_flow
from nudge.models import User
from nudge.models.notion import NotionAccess, NotionLink
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.notion")
AUTHORIZE_URL = "https://api.notion.com/v1/oauth/authorize"
__all__ = ["PROVIDER", "LinkError", "NotConfigured", "finish", "link_for_text", "start"]


@dataclass
class NotionLinkDeps:
    store: Store
    queue: TaskQueue
    sender: SmsSender
    settings: Settings
    http_client: Any = None  # notion-client's httpx client (tests answer it at the transport)


def redirect_uri(settings: Settings) -> str:
    return settings.notion_redirect_uri or (
        settings.function_url("oauth").rstrip("/") + "/notion/callback"
    )


def start_url(settings: Settings, token: str) -> str:
    return f"{settings.function_url('oauth').rstrip('/')}/notion/start?t={token}"


def link_for_text(
    deps: NotionLinkDeps, user: User, now: datetime
) -> dict:  # what the "link notion" tool answers
    """A sign-in link to text (OAuth), or the internal integration linked at once."""
    settings = deps.settings
    # The client id is plain configuration everywhere; only `oauth` holds the secret.
    if settings.notion_client_id:
        token = link_tokens.issue(deps.store, settings, user.id or "", now, provider=PROVIDER)
        return {"ok": True, "url": start_url(settings, token),
                "minutes": settings.oauth_link_minutes}  # fmt: skip
    if is_internal_owner(settings, user):
        existing = deps.store.notion_links.of(user.id or "")
        link = NotionLink(access=NotionAccess.internal, workspace_name="your workspace")
        if existing is not None and existing.access == NotionAccess.internal:
            link = existing.model_copy(update={"status": "ok"})
        elif settings.notion_data_source_id:
            link = link.model_copy(update={
                "data_source_id": settings.notion_data_source_id,
                "data_source_name": "the configured database",
                "title_property": settings.notion_title_property,
            })  # fmt: skip
        deps.store.notion_links.put(user.id or "", link)
        if link.data_source_id:
            from nudge.integrations.notion.schedule import enqueue_sync

            enqueue_sync(deps.queue, settings, user.id or "", "linked")
        return {"ok": True, "linked": True, "internal": True,
                "data_source": link.data_source_name if link.data_source_id else None}  # fmt: skip
    return {"ok": False, "message": "Notion linking isn't set up on this Nudge yet. Your notes "
            'are kept here meanwhile: "find my note about ..." finds them.'}  # fmt: skip


def start(deps: NotionLinkDeps, token: str, now: datetime) -> str:
    """Redeem the texted link; returns Notion's authorize URL for this person."""
    if not oauth_configured(deps.settings):
        raise NotConfigured("Notion is not set up")
    user_id = link_tokens.redeem(deps.store, deps.settings, token, now, provider=PROVIDER)
    state = secrets.token_urlsafe(32)
    put_flow(deps.store, deps.settings, state=state, user_id=user_id, provider=PROVIDER, now=now)
    query = {
        "owner": "user",
        "client_id": deps.settings.notion_client_id,
        "redirect_uri": redirect_uri(deps.settings),
        "response_type": "code",
        "state": state,
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def finish(deps: NotionLinkDeps, params: dict[str, str], now: datetime) -> tuple[User, str]:
    """Notion's redirect back (`code` and `state`, or `error`): (user, workspace name)."""
    from notion_client.errors import HTTPResponseError

    state = params.get("state") or ""
    record = take_flow(deps.store, state, now, provider=PROVIDER)
    user = deps.store.users.require(record["user_id"])
    if params.get("error") or not params.get("code"):
        raise LinkError(params.get("error") or "no code")
    try:
        answer = token_exchange(
            deps.settings, deps.http_client, grant_type="authorization_code",
            code=params["code"], redirect_uri=redirect_uri(deps.settings),
        )  # fmt: skip
    except HTTPResponseError as exc:  # 400 invalid_grant (an OAuth error body), 401
        log.warning("notion link for %s refused: %s", user.id, exc.status)
        raise LinkError(f"Notion refused the code ({exc.status})") from None
    tokens = tokens_from(answer)
    workspace = answer.get("workspace_name") or "your workspace"
    save_tokens(deps.store, deps.settings, user.id or "", tokens, workspace)
    link = NotionLink(
        access=NotionAccess.oauth,
        workspace_name=workspace,
        workspace_id=tokens.workspace_id,
        bot_id=tokens.bot_id,
    )
    existing = deps.store.notion_links.of(user.id or "")
    if existing is not None and existing.workspace_id == tokens.workspace_id:
        # Linked again to the same workspace: keep the chosen data source and sync point.
        link = existing.model_copy(update={"access": NotionAccess.oauth, "status": "ok",
                                           "bot_id": tokens.bot_id})  # fmt: skip
    deps.store.notion_links.put(user.id or "", link)
    deliver(
        deps.store, deps.sender, user, _connected_text(deps, user, link),
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"notion-connected-{flow_id(state)[:24]}", kind="integration",
    )  # fmt: skip
    return user, workspace


def _connected_text(deps: NotionLinkDeps, user: User, link: NotionLink) -> str:
    head = f"Connected to Notion ({link.workspace_name})."
    if link.data_source_id:
        from nudge.integrations.notion.schedule import enqueue_sync

        enqueue_sync(deps.queue, deps.settings, user.id or "", "relinked")
        return f'{head} Notes keep going to "{link.data_source_name}".'
    return (
        f"{head} Which database should your notes go to? Text e.g. "
        '"save notes to my Inbox database".'
    )


def disconnect(store: Store, user_id: str) -> bool:
    """Forget the token and the link (notes stay); False when not linked."""
    link = store.notion_links.of(user_id)
    if link is None and store.credentials.get(user_id, PROVIDER) is None:
        return False
    store.credentials.delete(user_id, PROVIDER)
    store.notion_links.delete(user_id, "notion")
    return True


def default_deps() -> NotionLinkDeps:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return NotionLinkDeps(
        store=Store.default(), queue=default_task_queue(), sender=default_sender(),
        settings=get_settings(),
    )  # fmt: skip
