"""Authenticate whoever calls a queue- or cron-triggered function, and read its headers.

Cloud: Cloud Tasks and Cloud Scheduler send an OIDC ID token for the invoker service account,
audience = the function URL. Cloud Run's IAM check (run.invoker) verifies the signature first
and then forwards the token with its signature replaced by SIGNATURE_REMOVED_BY_GOOGLE. Such a
token proves nothing by itself (anyone can write one), so it is accepted on its claims
(audience, issuer, email, expiry) only in a function Terraform declared private
(`callers_verified_by_platform`: invoker IAM and internal-only ingress in front of it); anywhere
else it is refused. A token with a signature is verified fully against Google's keys.
Local: the shared secret header, compared in constant time, and only when the environment is
local. A token that does not parse is 401, like no token.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nudge.queue.client import TASK_SECRET_HEADER
from nudge.settings import Settings

PLATFORM_STRIPPED_SIGNATURE = "SIGNATURE_REMOVED_BY_GOOGLE"
GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})


class Unauthenticated(Exception):
    """The caller proved no identity (401)."""


class Forbidden(Exception):
    """The caller is someone we do not accept (403)."""


class CallerContext(BaseModel):
    """What Cloud Tasks / Cloud Scheduler tell the handler about this delivery."""

    queue_name: str | None = None
    task_name: str | None = None
    retry_count: int = 0
    execution_count: int = 0
    eta: float | None = None
    scheduler_job: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> CallerContext:
        def number(name: str) -> int:
            try:
                return int(headers.get(name, "0"))
            except ValueError:
                return 0

        eta = headers.get("X-CloudTasks-TaskETA")
        try:
            eta_value = float(eta) if eta else None
        except ValueError:
            eta_value = None
        queue = headers.get("X-CloudTasks-QueueName")
        return cls(
            # Cloud Tasks sends the short name; the emulator sends the full path.
            queue_name=queue.rsplit("/", 1)[-1] if queue else None,
            task_name=headers.get("X-CloudTasks-TaskName"),
            retry_count=number("X-CloudTasks-TaskRetryCount"),
            execution_count=number("X-CloudTasks-TaskExecutionCount"),
            eta=eta_value,
            scheduler_job=headers.get("X-CloudScheduler-JobName"),
        )


# Verifies a signed ID token and returns its claims; replaceable so tests can point it at
# their own key set instead of Google's certificate endpoint.
TokenVerifier = Callable[[str, str], Mapping[str, Any]]


def google_token_verifier(token: str, audience: str) -> Mapping[str, Any]:
    from google.auth.transport import requests as google_requests
    from google.oauth2 import id_token

    return id_token.verify_oauth2_token(token, google_requests.Request(), audience=audience)


def authenticate_caller(
    headers: Mapping[str, str],
    settings: Settings,
    *,
    audience: str,
    verify_token: TokenVerifier = google_token_verifier,
) -> CallerContext:
    """Raise Unauthenticated/Forbidden unless the caller is our queue or scheduler."""
    if settings.task_auth == "secret":
        if not settings.is_local:
            # A shared secret is the local stack's stand-in; in the cloud only OIDC counts.
            raise Forbidden("secret-header auth is only accepted when NUDGE_ENVIRONMENT=local")
        _check_secret(headers, settings)
    else:
        _check_oidc(headers, settings, audience, verify_token)
    return CallerContext.from_headers(headers)


def _check_secret(headers: Mapping[str, str], settings: Settings) -> None:
    presented = headers.get(TASK_SECRET_HEADER)
    if not presented:
        raise Unauthenticated(f"missing {TASK_SECRET_HEADER}")
    expected = settings.task_secret.get_secret_value() if settings.task_secret else ""
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Forbidden("wrong task secret")


def _check_oidc(
    headers: Mapping[str, str], settings: Settings, audience: str, verify_token: TokenVerifier
) -> None:
    authorization = headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("missing bearer token")
    if token.count(".") != 2:
        raise Unauthenticated("malformed bearer token")
    unverified = _unverified_claims(token)  # 401 for what is not a JWT at all, signed or not
    if token.rsplit(".", 1)[1] == PLATFORM_STRIPPED_SIGNATURE:
        if not settings.callers_verified_by_platform:
            raise Forbidden("unsigned token refused: this function is not behind invoker IAM")
        claims = unverified
        _check_standard_claims(claims, audience)
    else:
        try:
            claims = TokenClaims.model_validate(verify_token(token, audience))
        except ValidationError as exc:
            raise Unauthenticated("malformed bearer token") from exc
        except ValueError as exc:  # google-auth reports every verification failure this way
            raise Forbidden(f"invalid token: {exc}") from exc
    expected_email = settings.task_invoker_service_account
    if not expected_email:
        raise Forbidden("NUDGE_TASK_INVOKER_SERVICE_ACCOUNT is not configured")
    if claims.email != expected_email or not claims.email_verified:
        raise Forbidden("token is not from the invoker service account")


class TokenClaims(BaseModel):
    """The claims we read from an ID token; anything else in it is ignored."""

    model_config = ConfigDict(extra="ignore")

    aud: str | None = None
    iss: str | None = None
    exp: float = Field(0, allow_inf_nan=False)
    email: str | None = None
    email_verified: bool = False


def _unverified_claims(token: str) -> TokenClaims:
    header, payload, _signature = token.split(".")
    try:
        if not isinstance(_decode_segment(header), dict):
            raise ValueError("header is not a JSON object")
        return TokenClaims.model_validate(_decode_segment(payload))
    except (ValueError, ValidationError) as exc:  # bad base64, bad JSON, not an object, bad exp
        raise Unauthenticated("malformed bearer token") from exc


def _decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _check_standard_claims(claims: TokenClaims, audience: str) -> None:
    if claims.aud != audience:
        raise Forbidden("token audience does not match this function")
    if claims.iss not in GOOGLE_ISSUERS:
        raise Forbidden("token issuer is not Google")
    if claims.exp < time.time():
        raise Forbidden("token expired")
