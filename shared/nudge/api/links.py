"""Sign-in links: "login" texts one; opening it starts a browser session.

The link carries `nonce.expiry.signature` (HMAC under the api signing key). Only the nonce's
digest is stored (`api_login_links/{sha256}`, Firestore TTL on `expire_at`); redeeming consumes
it in a transaction, so a forwarded or replayed link does nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.cloud import firestore

from nudge.api.secrets import digest, new_secret, same, sign
from nudge.models.access import LoginLink
from nudge.settings import Settings
from nudge.store import Store
from nudge.store.codec import from_document, to_document

LOGIN_LINKS = "api_login_links"


class LinkInvalid(ValueError):
    """Not our link, expired, or already used."""


def issue(store: Store, settings: Settings, user_id: str, now: datetime) -> str:
    """A fresh sign-in URL for `user_id`."""
    nonce = new_secret()
    expires = now + timedelta(minutes=settings.login_link_minutes)
    link = LoginLink(user_id=user_id, expire_at=expires, created_at=now, updated_at=now)
    store.db.collection(LOGIN_LINKS).document(digest(nonce)).create(to_document(link))
    claims = f"{nonce}.{int(expires.timestamp())}"
    return f"{settings.page_url}/login?t={claims}.{sign(settings, 'login', claims)}"


def check(settings: Settings, token: str, now: datetime) -> str:
    """The nonce of a well-formed, correctly signed, unexpired token. Raises LinkInvalid."""
    nonce, _, rest = token.partition(".")
    expiry, _, signature = rest.partition(".")
    if not (nonce and expiry.isdigit() and signature):
        raise LinkInvalid("malformed link")
    if not same(sign(settings, "login", f"{nonce}.{expiry}"), signature):
        raise LinkInvalid("bad signature")
    if now.timestamp() > int(expiry):
        raise LinkInvalid("expired")
    return nonce


def redeem(store: Store, settings: Settings, token: str, now: datetime) -> str:
    """The user the link was issued for, consuming it. Raises LinkInvalid."""
    ref = store.db.collection(LOGIN_LINKS).document(digest(check(settings, token, now)))

    @firestore.transactional
    def consume(tx: firestore.Transaction) -> str:
        snapshot = ref.get(transaction=tx)
        if not snapshot.exists:
            raise LinkInvalid("unknown link")
        link = from_document(LoginLink, snapshot.id, snapshot.to_dict() or {})
        if link.used_at is not None or link.expire_at <= now:
            raise LinkInvalid("already used")
        tx.update(ref, {"used_at": now})
        return link.user_id

    return consume(store.db.transaction())
