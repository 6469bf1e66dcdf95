"""How a person reaches their data over HTTP: sign-in links, browser sessions, API tokens.

Secrets are never stored: each document's id is the SHA-256 of its secret, so a leaked
database copy opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from nudge.models.base import Document


class LoginLink(Document):
    """A texted sign-in link (single use, short-lived); `api_login_links/{sha256(nonce)}`."""

    user_id: str
    expire_at: datetime
    used_at: datetime | None = None


class Session(Document):
    """A browser session (cookie); `api_sessions/{sha256(cookie)}`."""

    user_id: str
    expire_at: datetime
    revoked_at: datetime | None = None


class ApiToken(Document):
    """A personal API token for scripts; `api_tokens/{sha256(token)}`. `token_id` is what
    lists and revocations name (never the secret)."""

    user_id: str
    token_id: str
    name: str
    # The token's first characters, so a person can tell their tokens apart.
    prefix: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
