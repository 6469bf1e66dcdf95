"""Random secrets, their stored digests, and the signing key."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from nudge.settings import Settings


class NotConfigured(RuntimeError):
    """No signing key: the api cannot sign links or CSRF tokens."""


def new_secret(prefix: str = "") -> str:
    # Hex: it survives SMS (no "__" for the markdown stripper to eat) and URLs as it is.
    return prefix + secrets.token_hex(24)


def digest(secret: str) -> str:
    """What is stored for a secret (its document id): SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def sign(settings: Settings, purpose: str, message: str) -> str:
    """HMAC-SHA256 of `message` under a key derived for `purpose` from the signing key."""
    if settings.api_signing_key is None:
        raise NotConfigured("NUDGE_API_SIGNING_KEY is not set")
    root = settings.api_signing_key.get_secret_value().encode()
    key = hmac.new(root, f"nudge api {purpose} v1".encode(), hashlib.sha256).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
