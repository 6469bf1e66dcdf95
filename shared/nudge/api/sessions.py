"""Browser sessions: an HttpOnly cookie whose digest is the session document's id.

Revocable (sign out, delete account) and expiring (`NUDGE_SESSION_DAYS`). The CSRF token of
a session is derived from it with the signing key, so nothing else needs storing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.cloud.firestore_v1.base_query import FieldFilter

from nudge.api.secrets import digest, new_secret, same, sign
from nudge.models.access import Session
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.codec import from_document, to_document

SESSIONS = "api_sessions"
COOKIE = "nudge_session"


def start(store: Store, settings: Settings, user_id: str, now: datetime) -> tuple[str, Session]:
    """A new session for `user_id`: (the cookie value, the stored session)."""
    secret = new_secret()
    session = Session(
        user_id=user_id,
        expire_at=now + timedelta(days=settings.session_days),
        created_at=now,
        updated_at=now,
    )
    store.db.collection(SESSIONS).document(digest(secret)).create(to_document(session))
    return secret, session.model_copy(update={"id": digest(secret)})


def find(store: Store, secret: str, now: datetime) -> Session | None:
    """The live session a cookie names, or None (unknown, expired, revoked)."""
    if not secret or len(secret) > 200:
        return None
    snapshot = store.db.collection(SESSIONS).document(digest(secret)).get()
    if not snapshot.exists:
        return None
    session = from_document(Session, snapshot.id, snapshot.to_dict() or {})
    if session.revoked_at is not None or session.expire_at <= now:
        return None
    return session


def revoke(store: Store, session_id: str, now: datetime) -> None:
    store.db.collection(SESSIONS).document(session_id).update({"revoked_at": now})


def csrf_token(settings: Settings, session_id: str) -> str:
    return sign(settings, "csrf", session_id)


def csrf_ok(settings: Settings, session_id: str, presented: str | None) -> bool:
    return bool(presented) and same(csrf_token(settings, session_id), presented or "")


def of_user(store: Store, user_id: str) -> list[str]:
    """Every session document id of a user (for deleting the account)."""
    query = store.db.collection(SESSIONS).where(filter=FieldFilter("user_id", "==", user_id))
    return [doc.id for doc in query.select([]).stream()]
