"""Who is calling: a personal API token (Authorization: Bearer) or a browser session cookie.

Token use and sessions are rate limited per credential; presenting bad tokens is rate limited
per client address, so guessing is slow. A session's writes need its CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from nudge.api import rate_limits, sessions, tokens
from nudge.api.problems import Problem
from nudge.settings import Settings
from nudge.store import Store

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user_id: str
    via: Literal["token", "session"]
    # The stored credential's id (a digest): a session's CSRF token is derived from it.
    credential_id: str


def unauthenticated(detail: str = "sign in, or send a personal API token") -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="nudge"'})


def authenticate(
    store: Store,
    settings: Settings,
    *,
    authorization: str | None,
    cookie: str | None,
    client: str,
    now: datetime,
) -> Principal | None:
    """The caller, or None when they present nothing. A bad bearer token is 401 (never a
    fallback to the cookie)."""
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise unauthenticated("use Authorization: Bearer <token>")
        token = tokens.find(store, secret.strip())
        if token is None:
            rate_limits.hit(
                store,
                f"bad-token:{client}",
                limit=settings.sign_in_per_10_minutes,
                window_seconds=600,
                now=now,
            )
            raise unauthenticated("that token is not valid (revoked, or mistyped)")
        _count_use(store, settings, f"token:{token.id}", token.user_id, now)
        tokens.touch(store, token, now)
        return Principal(token.user_id, "token", token.id or "")
    if cookie:
        session = sessions.find(store, cookie, now)
        if session is None:
            return None
        _count_use(store, settings, f"session:{session.id}", session.user_id, now)
        return Principal(session.user_id, "session", session.id or "")
    return None


def _count_use(store: Store, settings: Settings, key: str, user_id: str, now: datetime) -> None:
    rate_limits.hit(
        store,
        key,
        limit=settings.api_requests_per_minute,
        window_seconds=60,
        now=now,
        user_id=user_id,
    )


def require_csrf(settings: Settings, principal: Principal, method: str, presented: str | None):
    """Cookie-authenticated writes carry the session's CSRF token (header or form field);
    a bearer token is not sent by browsers on their own, so it needs none."""
    if principal.via != "session" or method in SAFE_METHODS:
        return
    if not sessions.csrf_ok(settings, principal.credential_id, presented):
        raise Problem(403, f"missing or wrong {CSRF_HEADER}")
