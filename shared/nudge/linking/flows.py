"""A sign-in flow between "Continue" and the provider's callback: `oauth_flows/{hash of
state}` (Firestore TTL on `expire_at`), naming the user, the provider and whatever the flow
needs back (sealed by the caller when secret). Taken in a transaction as it is read, so a
replayed callback finds nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from google.cloud import firestore

from nudge.settings import Settings
from nudge.store import Store

FLOWS = "oauth_flows"


class LinkError(RuntimeError):
    """The flow cannot finish: expired, replayed, declined, or refused by the provider."""


def flow_id(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def put_flow(
    store: Store, settings: Settings, *, state: str, user_id: str, provider: str, now: datetime,
    data: dict | None = None,
) -> None:  # fmt: skip
    store.db.collection(FLOWS).document(flow_id(state)).create(
        {
            "user_id": user_id,
            "provider": provider,
            **(data or {}),
            "expire_at": now + timedelta(minutes=settings.oauth_link_minutes),
        }
    )


def take_flow(store: Store, state: str, now: datetime, *, provider: str) -> dict:
    """The stored flow for `state`, deleted as it is read. Raises LinkError."""
    if not state:
        raise LinkError("the sign-in came back without its state")
    ref = store.db.collection(FLOWS).document(flow_id(state))

    @firestore.transactional
    def take(tx: firestore.Transaction) -> dict | None:
        snapshot = ref.get(transaction=tx)
        if not snapshot.exists:
            return None
        tx.delete(ref)
        return snapshot.to_dict()

    record = take(store.db.transaction())
    if record is None or record["expire_at"] < now:
        raise LinkError("this sign-in link expired or was already used")
    if record.get("provider", "microsoft") != provider:
        raise LinkError("this sign-in was started for another service")
    return record
