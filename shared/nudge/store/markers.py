"""Dedup markers: claim a key exactly once (Twilio MessageSid, task deliveries).

`dedup_markers/{key}` is created with `create()`, which fails if the document exists, so of any
number of concurrent claims exactly one wins. `expire_at` is a Firestore TTL field; because TTL
deletion lags (up to a day), an expired marker is also treated as absent here.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from google.api_core.exceptions import Conflict
from google.cloud import firestore

from nudge.models import utcnow

DEDUP_MARKERS = "dedup_markers"


def marker_id(namespace: str, key: str) -> str:
    """A safe document id: readable when it can be, hashed when the key has odd characters."""
    raw = f"{namespace}:{key}"
    if len(raw) <= 200 and all(c.isalnum() or c in "-_:.+" for c in raw):
        return raw
    return f"{namespace}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


class DedupMarkers:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def claim(self, namespace: str, key: str, *, ttl: timedelta = timedelta(days=7)) -> bool:
        """True for the first caller with this key (until it expires), False for every other."""
        ref = self.db.collection(DEDUP_MARKERS).document(marker_id(namespace, key))
        now = utcnow()
        try:
            ref.create({"claimed_at": now, "expire_at": now + ttl})
            return True
        except Conflict:
            return self._take_over_if_expired(ref, ttl)

    def _take_over_if_expired(self, ref: firestore.DocumentReference, ttl: timedelta) -> bool:
        transaction = self.db.transaction(max_attempts=20)

        @firestore.transactional
        def take_over(tx: firestore.Transaction) -> bool:
            snapshot = ref.get(transaction=tx)
            now = utcnow()
            if snapshot.exists and (snapshot.get("expire_at") or now) > now:
                return False
            tx.set(ref, {"claimed_at": now, "expire_at": now + ttl})
            return True

        return take_over(transaction)

    def release(self, namespace: str, key: str) -> None:
        """Give a claim back (the work it guarded failed and must be retried)."""
        self.db.collection(DEDUP_MARKERS).document(marker_id(namespace, key)).delete()
