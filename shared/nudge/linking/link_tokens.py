"""The "connect outlook" / "link notion" link: short-lived, single-use and signed.

The token is `payload.signature`: the payload names the user, the provider it links, a random
nonce, the expiry and the key id (so a Notion link cannot start a Microsoft sign-in); the
signature is HMAC-SHA256 under a key derived from the sealing key. The nonce's
record (`oauth_links/{nonce}`, Firestore TTL on `expire_at`) is consumed in a transaction, so a
forwarded or replayed link does nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from google.cloud import firestore

from nudge.settings import Settings
from nudge.store import Store
from nudge.store.sealed import Sealer

LINKS = "oauth_links"


class LinkInvalid(ValueError):
    """Not our link, expired, or already used."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signing_key(sealer: Sealer, key_id: str) -> bytes:
    key = sealer.keys.get(key_id)
    if key is None:
        raise LinkInvalid("unknown key")
    # A key of its own for signing links: never the AES key itself.
    return hmac.new(key, b"nudge oauth link v1", hashlib.sha256).digest()


def issue(store: Store, settings: Settings, user_id: str, now: datetime, *, provider: str) -> str:
    """A fresh link token for `user_id` to link `provider`."""
    sealer = Sealer.from_settings(settings)
    nonce = secrets.token_urlsafe(18)
    expires = now + timedelta(minutes=settings.oauth_link_minutes)
    store.db.collection(LINKS).document(nonce).create(
        {"user_id": user_id, "expire_at": expires, "used_at": None}
    )
    payload = _b64(
        json.dumps(
            {
                "u": user_id,
                "p": provider,
                "n": nonce,
                "e": int(expires.timestamp()),
                "k": sealer.current,
            },
            separators=(",", ":"),
        ).encode()
    )
    signature = _b64(hmac.new(_signing_key(sealer, sealer.current), payload.encode(),
                              hashlib.sha256).digest())  # fmt: skip
    return f"{payload}.{signature}"


def check(settings: Settings, token: str, now: datetime, *, provider: str) -> dict:
    """The token's claims if it is ours, for `provider` and unexpired (not consumed). Raises
    LinkInvalid."""
    payload, _, signature = token.partition(".")
    try:
        claims = json.loads(_unb64(payload))
        expected = hmac.new(
            _signing_key(Sealer.from_settings(settings), str(claims["k"])),
            payload.encode(),
            hashlib.sha256,
        ).digest()
        valid = hmac.compare_digest(expected, _unb64(signature))
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkInvalid("malformed link") from exc
    if not valid:
        raise LinkInvalid("bad signature")
    if claims.get("p") != provider:
        raise LinkInvalid("a link for another provider")
    if now.timestamp() > claims["e"]:
        raise LinkInvalid("expired")
    return claims


def redeem(store: Store, settings: Settings, token: str, now: datetime, *, provider: str) -> str:
    """The user id the token was issued for, consuming it. Raises LinkInvalid."""
    claims = check(settings, token, now, provider=provider)
    ref = store.db.collection(LINKS).document(str(claims["n"]))

    @firestore.transactional
    def consume(tx: firestore.Transaction) -> str:
        snapshot = ref.get(transaction=tx)
        record = snapshot.to_dict() if snapshot.exists else None
        if not record or record.get("used_at") is not None or record["user_id"] != claims["u"]:
            raise LinkInvalid("already used")
        tx.update(ref, {"used_at": now})
        return record["user_id"]

    return consume(store.db.transaction())
