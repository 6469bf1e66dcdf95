"""Integration credentials, sealed at rest: `users/{id}/credentials/{provider}`."""

from __future__ import annotations

from enum import StrEnum

from nudge.models.base import Document


class CredentialStatus(StrEnum):
    ok = "ok"
    needs_relink = "needs_relink"


class Credential(Document):
    provider: str
    # nudge.store.sealed.SealedValue: key id, nonce, ciphertext (msal's token cache).
    sealed: dict
    # The signed-in account, for "Connected to Outlook as x@y".
    account: str | None = None
    home_account_id: str | None = None
    status: CredentialStatus = CredentialStatus.ok
