"""One live agent turn per user at a time: a lease with knocks.

A text's turn starts at once. If another turn of the same user holds the lease, the newcomer
knocks (increments `knocks`) and leaves its text to the holder. The holder releases the lease
only if nobody knocked since it last looked; otherwise it claims the new texts and answers them
in the same reply. Knock and release are transactions on the same document, so they are
serialised: a knock is either seen by the holder's release, or lands after it and takes the
lease itself. A holder that dies simply lets the lease expire; the unanswered-text sweep then
re-drives its texts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from google.cloud import firestore
from pydantic import BaseModel

from nudge.models import utcnow

TURN_LEASES = "turn_leases"


class LeaseOutcome(StrEnum):
    acquired = "acquired"
    knocked = "knocked"


class TurnLease(BaseModel):
    holder: str
    expires_at: datetime
    knocks: int = 0


class LeaseLost(RuntimeError):
    """The lease expired and another turn took it: this turn must not send anything."""


class TurnLeases:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _ref(self, user_id: str) -> firestore.DocumentReference:
        return self.db.collection(TURN_LEASES).document(user_id)

    def acquire_or_knock(
        self, user_id: str, holder: str, ttl: timedelta
    ) -> tuple[LeaseOutcome, int]:
        """Take the lease (free, expired, or already ours), or knock on a live holder's.

        Returns the outcome and the knock count the caller has now seen.
        """
        ref = self._ref(user_id)

        @firestore.transactional
        def attempt(tx: firestore.Transaction) -> tuple[LeaseOutcome, int]:
            snapshot = ref.get(transaction=tx)
            now = utcnow()
            lease = TurnLease.model_validate(snapshot.to_dict()) if snapshot.exists else None
            if lease and lease.holder != holder and lease.expires_at > now:
                tx.update(ref, {"knocks": lease.knocks + 1})
                return LeaseOutcome.knocked, lease.knocks + 1
            knocks = lease.knocks if lease else 0
            fresh = TurnLease(holder=holder, expires_at=now + ttl, knocks=knocks)
            tx.set(ref, fresh.model_dump(mode="python"))
            return LeaseOutcome.acquired, knocks

        return attempt(self.db.transaction())

    def release_if_quiet(self, user_id: str, holder: str, seen_knocks: int, ttl: timedelta) -> int:
        """Release the lease if nobody knocked since `seen_knocks`; return the knocks now seen.

        A returned value equal to `seen_knocks` means released. Otherwise the lease is renewed
        for another `ttl` and the caller must answer the new texts first. Raises LeaseLost when
        another turn holds the lease (ours expired).
        """
        ref = self._ref(user_id)

        @firestore.transactional
        def attempt(tx: firestore.Transaction) -> int:
            snapshot = ref.get(transaction=tx)
            lease = TurnLease.model_validate(snapshot.to_dict()) if snapshot.exists else None
            if lease is None or lease.holder != holder:
                raise LeaseLost(user_id)
            if lease.knocks == seen_knocks:
                tx.delete(ref)
            else:
                tx.update(ref, {"expires_at": utcnow() + ttl})
            return lease.knocks

        return attempt(self.db.transaction())

    def drop(self, user_id: str, holder: str) -> None:
        """Give the lease up after a failure (only if still ours), so a retry can take it."""
        ref = self._ref(user_id)

        @firestore.transactional
        def attempt(tx: firestore.Transaction) -> None:
            snapshot = ref.get(transaction=tx)
            if snapshot.exists and (snapshot.to_dict() or {}).get("holder") == holder:
                tx.delete(ref)

        attempt(self.db.transaction())

    def is_live(self, user_id: str, now: datetime) -> bool:
        snapshot = self._ref(user_id).get()
        if not snapshot.exists:
            return False
        return TurnLease.model_validate(snapshot.to_dict()).expires_at > now
