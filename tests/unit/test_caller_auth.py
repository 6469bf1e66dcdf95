"""Caller authentication for queue- and cron-triggered functions."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt
from google.oauth2 import id_token

from nudge.queue.auth import (
    Forbidden,
    Unauthenticated,
    authenticate_caller,
)
from nudge.settings import Settings

AUDIENCE = "https://us-central1-proj.cloudfunctions.net/agent_turn"
INVOKER = "tasks-invoker@proj.iam.gserviceaccount.com"
CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


@pytest.fixture(scope="module")
def signing_key():
    """An RSA key and a self-signed certificate standing in for one of Google's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    pem_cert = cert.public_bytes(serialization.Encoding.PEM).decode()
    return crypt.RSASigner.from_string(pem_key, key_id="kid-1"), {"kid-1": pem_cert}


class CertsResponse:
    status = 200

    def __init__(self, certs):
        self.data = json.dumps(certs).encode()
        self.headers = {}


def verifier_with(certs):
    """google-auth's real verification, with the certificate fetch answered locally."""

    def fake_http(url, method="GET", **_kwargs):
        assert url == CERTS_URL
        return CertsResponse(certs)

    def verify(token, audience):
        return id_token.verify_token(token, fake_http, audience=audience, certs_url=CERTS_URL)

    return verify


def claims(**overrides):
    now = int(time.time())
    base = {
        "iss": "https://accounts.google.com",
        "aud": AUDIENCE,
        "email": INVOKER,
        "email_verified": True,
        "iat": now,
        "exp": now + 600,
        "sub": "1234",
    }
    return base | overrides


def oidc_settings(**overrides):
    values = {"task_auth": "oidc", "task_invoker_service_account": INVOKER} | overrides
    return Settings(**values)


def stripped(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.SIGNATURE_REMOVED_BY_GOOGLE"


def bearer(token: str | bytes) -> dict[str, str]:
    value = token.decode() if isinstance(token, bytes) else token
    return {"Authorization": f"Bearer {value}", "X-CloudTasks-TaskRetryCount": "2"}


def test_a_signed_token_from_the_invoker_is_accepted(signing_key):
    signer, certs = signing_key
    token = jwt.encode(signer, claims())
    caller = authenticate_caller(
        bearer(token), oidc_settings(), audience=AUDIENCE, verify_token=verifier_with(certs)
    )
    assert caller.retry_count == 2


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"aud": "https://elsewhere"}, Forbidden),
        ({"email": "someone@evil.example"}, Forbidden),
        ({"email_verified": False}, Forbidden),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, Forbidden),
    ],
    ids=["audience", "email", "unverified-email", "expired"],
)
def test_a_signed_token_with_wrong_claims_is_refused(signing_key, overrides, error):
    signer, certs = signing_key
    token = jwt.encode(signer, claims(**overrides))
    with pytest.raises(error):
        authenticate_caller(
            bearer(token), oidc_settings(), audience=AUDIENCE, verify_token=verifier_with(certs)
        )


def test_a_token_signed_by_another_key_is_refused(signing_key):
    _, certs = signing_key
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    forged = jwt.encode(crypt.RSASigner.from_string(pem, key_id="kid-1"), claims())
    with pytest.raises(Forbidden):
        authenticate_caller(
            bearer(forged), oidc_settings(), audience=AUDIENCE, verify_token=verifier_with(certs)
        )


def behind_invoker_iam(**overrides):
    """A private function's settings: Terraform declares invoker IAM and internal ingress."""
    return oidc_settings(callers_verified_by_platform=True, **overrides)


def test_a_platform_verified_token_is_checked_on_its_claims():
    ok = authenticate_caller(bearer(stripped(claims())), behind_invoker_iam(), audience=AUDIENCE)
    assert ok.retry_count == 2
    for bad in (
        claims(aud="https://elsewhere"),
        claims(email="other@proj.iam.gserviceaccount.com"),
        claims(iss="https://evil.example"),
        claims(exp=int(time.time()) - 1),
    ):
        with pytest.raises(Forbidden):
            authenticate_caller(bearer(stripped(bad)), behind_invoker_iam(), audience=AUDIENCE)


def test_a_stripped_token_is_refused_where_the_platform_did_not_verify_it():
    """Anyone can write `header.claims.SIGNATURE_REMOVED_BY_GOOGLE`; only Cloud Run's invoker
    check in front of a private function makes that form mean something."""
    forged = bearer(stripped(claims()))
    with pytest.raises(Forbidden, match="not behind invoker IAM"):
        authenticate_caller(forged, oidc_settings(), audience=AUDIENCE)


def segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


HEADER = segment(b'{"alg": "RS256", "typ": "JWT"}')


def unsigned(payload: bytes) -> str:
    return f"{HEADER}.{segment(payload)}.SIGNATURE_REMOVED_BY_GOOGLE"


@pytest.mark.parametrize(
    "token",
    [
        unsigned(b"[1, 2, 3]"),
        unsigned(b'"just a string"'),
        stripped(claims(exp="tomorrow")),
        stripped(claims(exp=None)),
        stripped(claims(exp=[1])),
        unsigned(b'{"exp": NaN}'),
        f"{HEADER}.!!!not-base64!!!.SIGNATURE_REMOVED_BY_GOOGLE",
        unsigned(b"{not json"),
        unsigned(bytes([0xFF, 0xFE])),
        f"{segment(b'[]')}.{segment(json.dumps(claims()).encode())}.SIGNATURE_REMOVED_BY_GOOGLE",
        f"{HEADER}.{segment(b'7')}.c2lnbmF0dXJl",
    ],
    ids=[
        "array",
        "string",
        "exp-word",
        "exp-null",
        "exp-list",
        "exp-nan",
        "bad-base64",
        "bad-json",
        "bad-utf8",
        "header-not-object",
        "signed-not-object",
    ],
)
def test_malformed_token_payloads_are_unauthenticated_not_a_crash(token):
    with pytest.raises(Unauthenticated):
        authenticate_caller(bearer(token), behind_invoker_iam(), audience=AUDIENCE)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-jwt"}],
    ids=["none", "basic", "malformed"],
)
def test_missing_or_malformed_credentials_are_unauthenticated(headers):
    with pytest.raises(Unauthenticated):
        authenticate_caller(headers, oidc_settings(), audience=AUDIENCE)


def test_without_a_configured_invoker_nobody_is_accepted():
    with pytest.raises(Forbidden):
        authenticate_caller(
            bearer(stripped(claims())),
            behind_invoker_iam(task_invoker_service_account=None),
            audience=AUDIENCE,
        )


def test_local_secret_mode():
    settings = Settings(environment="local", task_auth="secret", task_secret="s3cret")
    caller = authenticate_caller(
        {"X-Nudge-Task-Secret": "s3cret", "X-CloudTasks-QueueName": "projects/p/queues/memory"},
        settings,
        audience="ignored",
    )
    assert caller.queue_name == "memory"
    with pytest.raises(Unauthenticated):
        authenticate_caller({}, settings, audience="ignored")
    with pytest.raises(Forbidden):
        authenticate_caller({"X-Nudge-Task-Secret": "nope"}, settings, audience="ignored")
    with pytest.raises(Forbidden):  # an unset secret never matches, not even an empty one
        authenticate_caller(
            {"X-Nudge-Task-Secret": "x"},
            Settings(environment="local", task_auth="secret"),
            audience="ignored",
        )


def test_secret_header_auth_is_refused_outside_the_local_environment():
    settings = Settings(environment="cloud", task_auth="secret", task_secret="s3cret")
    with pytest.raises(Forbidden, match="NUDGE_ENVIRONMENT=local"):
        authenticate_caller({"X-Nudge-Task-Secret": "s3cret"}, settings, audience="ignored")


def test_scheduler_headers_are_read():
    settings = Settings(environment="local", task_auth="secret", task_secret="s")
    caller = authenticate_caller(
        {"X-Nudge-Task-Secret": "s", "X-CloudScheduler-JobName": "reminder-sweep"},
        settings,
        audience="ignored",
    )
    assert caller.scheduler_job == "reminder-sweep"
    assert caller.queue_name is None
