"""Personal API tokens for scripts: shown once, stored only as their digest, listed and revoked
by a separate short id."""

from __future__ import annotations

import secrets
from datetime import datetime

from google.cloud.firestore_v1.base_query import FieldFilter

from nudge.api.secrets import digest, new_secret
from nudge.models.access import ApiToken
from nudge.store import Store
from nudge.store.codec import from_document, to_document

TOKENS = "api_tokens"
PREFIX = "nudge_pat_"
MAX_TOKENS = 20


class TooManyTokens(ValueError):
    pass


def create(store: Store, user_id: str, name: str, now: datetime) -> tuple[str, ApiToken]:
    """(the secret, shown once; the stored token)."""
    if len(listed(store, user_id)) >= MAX_TOKENS:
        raise TooManyTokens(f"at most {MAX_TOKENS} tokens; revoke one first")
    secret = new_secret(PREFIX)
    token = ApiToken(
        user_id=user_id,
        token_id=secrets.token_hex(6),
        name=name,
        prefix=secret[: len(PREFIX) + 4],
        created_at=now,
        updated_at=now,
    )
    store.db.collection(TOKENS).document(digest(secret)).create(to_document(token))
    return secret, token.model_copy(update={"id": digest(secret)})


def find(store: Store, secret: str) -> ApiToken | None:
    """The live token for a presented secret, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    snapshot = store.db.collection(TOKENS).document(digest(secret)).get()
    if not snapshot.exists:
        return None
    token = from_document(ApiToken, snapshot.id, snapshot.to_dict() or {})
    return None if token.revoked_at is not None else token


def touch(store: Store, token: ApiToken, now: datetime) -> None:
    # At most one write a minute per token: last use is for the person's eyes, not accounting.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        store.db.collection(TOKENS).document(token.id or "").update({"last_used_at": now})


def _query(store: Store, user_id: str):
    return store.db.collection(TOKENS).where(filter=FieldFilter("user_id", "==", user_id))


def listed(store: Store, user_id: str) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    found = [
        from_document(ApiToken, d.id, d.to_dict() or {}) for d in _query(store, user_id).stream()
    ]
    live = [t for t in found if t.revoked_at is None]
    return sorted(live, key=lambda t: t.created_at, reverse=True)


def revoke(store: Store, user_id: str, token_id: str, now: datetime) -> bool:
    """Revoke the user's token with this id; False when they have none such."""
    for token in listed(store, user_id):
        if token.token_id == token_id:
            store.db.collection(TOKENS).document(token.id or "").update({"revoked_at": now})
            return True
    return False


def of_user(store: Store, user_id: str) -> list[str]:
    return [doc.id for doc in _query(store, user_id).select([]).stream()]
