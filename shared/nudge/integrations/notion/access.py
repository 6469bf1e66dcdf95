"""Reaching one person's Notion: their OAuth token (sealed with AES-GCM at
`users/{id}/credentials/notion`, like the Microsoft cache) or, for the one person the
deployment names (`NUDGE_NOTION_OWNER`), its internal integration token. A 401 refreshes an
OAuth token once when Notion gave a refresh token; a token that stays refused ends in one
"link notion again" text and stopped syncs."""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel

from nudge.integrations.notion.pages import NotionNotes, call_notion, notion_client
from nudge.models import User
from nudge.models.credentials import Credential
from nudge.models.notion import NotionAccess, NotionLink, NotionLinkStatus
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.sealed import Sealer

log = logging.getLogger("nudge.notion")
PROVIDER = "notion"


class NotionTokens(BaseModel):
    """What the token endpoint answered that Nudge keeps (sealed as one value)."""

    access_token: str
    refresh_token: str | None = None
    bot_id: str | None = None
    workspace_id: str | None = None


class NotConfigured(RuntimeError):
    """No Notion public integration (client id and secret) in this deployment."""


def token_context(user_id: str) -> str:
    return f"notion-token:{user_id}"


def save_tokens(
    store: Store, settings: Settings, user_id: str, tokens: NotionTokens, account: str | None
) -> None:
    sealed = Sealer.from_settings(settings).seal(
        tokens.model_dump_json().encode(), context=token_context(user_id)
    )
    store.credentials.put(
        user_id, Credential(provider=PROVIDER, sealed=sealed.model_dump(), account=account)
    )


def load_tokens(store: Store, settings: Settings, user_id: str) -> NotionTokens | None:
    credential = store.credentials.get(user_id, PROVIDER)
    if credential is None:
        return None
    plain = Sealer.from_settings(settings).open(credential.sealed, context=token_context(user_id))
    return NotionTokens.model_validate(json.loads(plain))


def is_internal_owner(settings: Settings, user: User) -> bool:
    """The one person the deployment's internal integration token is for."""
    return bool(
        settings.notion_token and settings.notion_owner and user.phone == settings.notion_owner
    )


def oauth_configured(settings: Settings) -> bool:
    return bool(settings.notion_client_id and settings.notion_client_secret)


def token_exchange(settings: Settings, http_client: Any = None, **body: str) -> dict:
    """POST /v1/oauth/token (HTTP Basic client id:secret) through notion-client."""
    if not oauth_configured(settings):
        raise NotConfigured("Notion is not set up (NUDGE_NOTION_CLIENT_ID and secret)")
    client = notion_client(None, http_client, settings.notion_timeout_seconds)
    return call_notion(
        client.oauth.token,
        client_id=settings.notion_client_id or "",
        client_secret=settings.notion_client_secret.get_secret_value(),  # type: ignore[union-attr]
        **body,
    )


def tokens_from(answer: dict) -> NotionTokens:
    return NotionTokens(
        access_token=answer["access_token"],
        refresh_token=answer.get("refresh_token"),
        bot_id=answer.get("bot_id"),
        workspace_id=answer.get("workspace_id"),
    )


class NotionAccessFor:
    """One person's Notion client, and what to do when Notion refuses its token."""

    def __init__(
        self, store: Store, settings: Settings, user: User, link: NotionLink,
        http_client: Any = None,
    ) -> None:  # fmt: skip
        self.store, self.settings, self.user, self.link = store, settings, user, link
        self.http_client = http_client

    def token(self) -> str | None:
        if self.link.access == NotionAccess.internal:
            if not is_internal_owner(self.settings, self.user):
                return None  # the deployment's token is not (or no longer) theirs
            return self.settings.notion_token.get_secret_value()  # type: ignore[union-attr]
        tokens = load_tokens(self.store, self.settings, self.user.id or "")
        return tokens.access_token if tokens else None

    def client(self):
        token = self.token()
        if token is None:
            return None
        return notion_client(token, self.http_client, self.settings.notion_timeout_seconds)

    def notes(self) -> NotionNotes | None:
        """The data source notes sync with, or None (not linked, or no data source yet)."""
        client = self.client()
        if client is None or not self.link.data_source_id:
            return None
        return NotionNotes(client, self.link.data_source_id, self.link.title_property)

    def refresh(self) -> bool:
        """Swap a refused OAuth token for a fresh one, once; False when that cannot work."""
        if self.link.access != NotionAccess.oauth or not oauth_configured(self.settings):
            return False
        tokens = load_tokens(self.store, self.settings, self.user.id or "")
        if tokens is None or not tokens.refresh_token:
            return False
        from nudge.integrations.notion.pages import NotionUnauthorized

        try:
            answer = token_exchange(
                self.settings, self.http_client,
                grant_type="refresh_token", refresh_token=tokens.refresh_token,
            )  # fmt: skip
        except NotionUnauthorized:
            return False
        except Exception as exc:  # a 400 invalid_grant: the grant is gone
            from notion_client.errors import HTTPResponseError

            if isinstance(exc, HTTPResponseError) and exc.status < 500:
                return False
            raise
        fresh = tokens_from(answer)
        if fresh.refresh_token is None:
            fresh = fresh.model_copy(update={"refresh_token": tokens.refresh_token})
        save_tokens(self.store, self.settings, self.user.id or "", fresh, self.link.workspace_name)
        return True

    def needs_relink(self) -> None:
        log.warning("notion token of %s refused: asking to link again once", self.user.id)
        self.store.notion_links.set_fields(self.user.id or "", status=NotionLinkStatus.needs_relink)
