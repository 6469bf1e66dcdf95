"""Idempotency records with in-progress / completed states and expiry.

Shaped after Powertools for AWS Lambda's idempotency utility: the first delivery of a key
records IN_PROGRESS and does the work; a redelivery while it runs is told so (the queue retries
later); a redelivery after it completed gets the saved result without redoing the work. An
IN_PROGRESS record older than `in_progress_timeout` belongs to a crashed attempt and is taken
over; a COMPLETED one expires after `expiry` so keys can be reused eventually.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from google.api_core.exceptions import Conflict
from google.cloud import firestore
from pydantic import BaseModel

from nudge.models import utcnow
from nudge.store.markers import marker_id

IDEMPOTENCY_RECORDS = "idempotency_records"
# Takeovers are rare (a crashed attempt, an expired record) but may still race each other.
TAKEOVER_ATTEMPTS = 20


class IdempotencyStatus(StrEnum):
    in_progress = "in_progress"
    completed = "completed"


class IdempotencyRecord(BaseModel):
    status: IdempotencyStatus
    started_at: datetime
    in_progress_expire_at: datetime
    expire_at: datetime
    result: dict[str, Any] | None = None


class AlreadyInProgress(RuntimeError):
    """Another attempt holds this key right now; try again later."""


class IdempotencyStore:
    def __init__(
        self,
        db: firestore.Client,
        *,
        in_progress_timeout: timedelta = timedelta(minutes=5),
        expiry: timedelta = timedelta(days=2),
    ) -> None:
        self.db = db
        self.in_progress_timeout = in_progress_timeout
        self.expiry = expiry

    def _ref(self, namespace: str, key: str) -> firestore.DocumentReference:
        return self.db.collection(IDEMPOTENCY_RECORDS).document(marker_id(namespace, key))

    def begin(
        self, namespace: str, key: str, *, in_progress_timeout: timedelta | None = None
    ) -> IdempotencyRecord | None:
        """Claim the key. None: you own it, do the work. A record: it was already completed.

        Raises AlreadyInProgress when a live attempt holds it. The common path is a single
        `create()`, which has exactly one winner without transaction contention; only an
        expired or abandoned record is taken over in a transaction. `in_progress_timeout`
        (default: the store's) must exceed the longest a live attempt can run and fall well
        inside the queue's retry window, so a crashed attempt's retries can take over.
        """
        timeout = in_progress_timeout or self.in_progress_timeout
        ref = self._ref(namespace, key)
        try:
            ref.create(self._fresh(utcnow(), timeout).model_dump(mode="python"))
            return None
        except Conflict:
            pass
        transaction = self.db.transaction(max_attempts=TAKEOVER_ATTEMPTS)

        @firestore.transactional
        def take_over(tx: firestore.Transaction) -> IdempotencyRecord | None:
            snapshot = ref.get(transaction=tx)
            now = utcnow()
            if snapshot.exists:
                record = IdempotencyRecord.model_validate(snapshot.to_dict())
                if record.expire_at > now:
                    if record.status == IdempotencyStatus.completed:
                        return record
                    if record.in_progress_expire_at > now:
                        raise AlreadyInProgress(f"{namespace}:{key}")
            tx.set(ref, self._fresh(now, timeout).model_dump(mode="python"))
            return None

        return take_over(transaction)

    def _fresh(self, now: datetime, in_progress_timeout: timedelta) -> IdempotencyRecord:
        return IdempotencyRecord(
            status=IdempotencyStatus.in_progress,
            started_at=now,
            in_progress_expire_at=now + in_progress_timeout,
            expire_at=now + self.expiry,
        )

    def complete(self, namespace: str, key: str, result: dict[str, Any] | None = None) -> None:
        now = utcnow()
        self._ref(namespace, key).set(
            {
                "status": IdempotencyStatus.completed.value,
                "started_at": now,
                "in_progress_expire_at": now,
                "expire_at": now + self.expiry,
                "result": result or {},
            }
        )

    def release(self, namespace: str, key: str) -> None:
        """Give the key up after a failure so the next delivery runs the work again."""
        self._ref(namespace, key).delete()
