"""Fixed-window rate limits counted in Firestore, so they hold across instances.

One document per key and window (`api_rate_limits/{sha256(key)}-{window}`, Firestore TTL on
`expire_at`), incremented in a transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.cloud import firestore

from nudge.api.secrets import digest
from nudge.store import Store

RATE_LIMITS = "api_rate_limits"


class RateLimited(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


def hit(
    store: Store,
    key: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
    user_id: str | None = None,
) -> None:
    """Count one use of `key`; raises RateLimited past `limit` in the current window."""
    window = int(now.timestamp()) // window_seconds
    ref = store.db.collection(RATE_LIMITS).document(f"{digest(key)[:32]}-{window}")
    window_end = (window + 1) * window_seconds

    @firestore.transactional
    def count(tx: firestore.Transaction) -> int:
        snapshot = ref.get(transaction=tx)
        used = int((snapshot.to_dict() or {}).get("count", 0)) if snapshot.exists else 0
        if used >= limit:
            return used + 1
        record = {"count": used + 1, "expire_at": now + timedelta(seconds=window_seconds * 2)}
        if user_id:
            record["user_id"] = user_id  # so deleting the account finds it
        tx.set(ref, record)
        return used + 1

    if count(store.db.transaction()) > limit:
        raise RateLimited(max(1, window_end - int(now.timestamp())))
