"""msal's SerializableTokenCache per user, sealed (AES-GCM) at
`users/{id}/credentials/microsoft`; and getting an access token silently, with a revoked grant
ending in one relink message and stopped syncs (never a retry loop)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from nudge.microsoft import SCOPES
from nudge.models import User
from nudge.models.credentials import Credential, CredentialStatus
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.sealed import Sealer

log = logging.getLogger("nudge.microsoft")
PROVIDER = "microsoft"


class NotConfigured(RuntimeError):
    """No Microsoft app registration (client id and secret) in this deployment."""


class LoginUnavailable(RuntimeError):
    """Microsoft's login service did not answer usefully (an outage): try again later."""


class NeedsRelink(RuntimeError):
    """The grant is gone (revoked, password changed, expired): the person must link again."""


def cache_context(user_id: str) -> str:
    return f"msal-cache:{user_id}"


def make_app(settings: Settings, cache=None, http_client=None):
    """msal's confidential client for our app registration."""
    import msal

    from nudge.microsoft.http import default_session

    if not settings.microsoft_client_id or settings.microsoft_client_secret is None:
        raise NotConfigured("Microsoft is not set up (NUDGE_MICROSOFT_CLIENT_ID and secret)")
    return msal.ConfidentialClientApplication(
        settings.microsoft_client_id,
        client_credential=settings.microsoft_client_secret.get_secret_value(),
        authority=settings.microsoft_authority,
        token_cache=cache,
        http_client=http_client or default_session(),
    )


def load_cache(store: Store, settings: Settings, user_id: str):
    """(credential, msal cache) for the user, or (None, None) when not linked."""
    import msal

    credential = store.credentials.get(user_id, PROVIDER)
    if credential is None:
        return None, None
    cache = msal.SerializableTokenCache()
    plain = Sealer.from_settings(settings).open(credential.sealed, context=cache_context(user_id))
    cache.deserialize(plain.decode())
    return credential, cache


def save_cache(
    store: Store, settings: Settings, user_id: str, cache, *, account: str | None = None,
    home_account_id: str | None = None, status: CredentialStatus = CredentialStatus.ok,
) -> Credential:  # fmt: skip
    sealed = Sealer.from_settings(settings).seal(
        cache.serialize().encode(), context=cache_context(user_id)
    )
    existing = store.credentials.get(user_id, PROVIDER)
    credential = Credential(
        provider=PROVIDER,
        sealed=sealed.model_dump(),
        account=account or (existing.account if existing else None),
        home_account_id=home_account_id or (existing.home_account_id if existing else None),
        status=status,
    )
    if existing is not None:
        credential = credential.model_copy(update={"created_at": existing.created_at})
    return store.credentials.put(user_id, credential)


@dataclass
class TokenSource:
    """Access tokens for one user's Graph calls, refreshed silently by msal."""

    store: Store
    settings: Settings
    user: User
    http_client: Any = None
    on_relink: Any = None  # called once when the grant is revoked

    def access_token(self, *, force_refresh: bool = False) -> str:
        credential, cache = load_cache(self.store, self.settings, self.user.id or "")
        if credential is None:
            raise NeedsRelink("not linked")
        if credential.status == CredentialStatus.needs_relink:
            raise NeedsRelink("relink pending")
        app = make_app(self.settings, cache=cache, http_client=self.http_client)
        accounts = app.get_accounts()
        account = next(
            (a for a in accounts if a.get("home_account_id") == credential.home_account_id),
            accounts[0] if accounts else None,
        )
        result = None
        if account is not None:
            result = app.acquire_token_silent_with_error(
                SCOPES, account=account, force_refresh=force_refresh
            )
        if cache.has_state_changed:  # a refresh rotated the tokens: keep the new ones
            save_cache(self.store, self.settings, self.user.id or "", cache)
        if result and "access_token" in result:
            return result["access_token"]
        error = (result or {}).get("error", "no_account")
        if error in ("invalid_grant", "interaction_required", "no_account"):
            self._needs_relink(error)
            raise NeedsRelink(error)
        # Anything else (the login service down, a timeout) is an outage: retry later.
        raise LoginUnavailable(f"Microsoft token refresh failed: {error}")

    def _needs_relink(self, error: str) -> None:
        log.warning("microsoft grant for %s is gone (%s): asking to relink once", self.user.id,
                    error)  # fmt: skip
        self.store.credentials.patch(
            self.user.id or "", PROVIDER, status=CredentialStatus.needs_relink
        )
        if self.on_relink is not None:
            self.on_relink()
