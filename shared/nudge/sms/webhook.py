"""Twilio's inbound-message webhook: signature check and the form, validated."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pydantic import BaseModel, Field, ValidationError, field_validator

from nudge.models.user import validate_e164

log = logging.getLogger("nudge.sms.webhook")


class InvalidWebhook(ValueError):
    """The form is not a Twilio inbound message we can use (400)."""


class InboundSms(BaseModel):
    message_sid: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9]+$")
    from_number: str
    to_number: str
    body: str = Field("", max_length=5000)
    media_urls: list[str] = Field(default_factory=list)
    media_types: list[str] = Field(default_factory=list)

    @field_validator("from_number", "to_number")
    @classmethod
    def _is_e164(cls, value: str) -> str:
        return validate_e164(value)

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> InboundSms:
        try:
            num_media = int(form.get("NumMedia", "0") or 0)
        except ValueError as exc:
            raise InvalidWebhook("NumMedia is not a number") from exc
        num_media = max(0, min(num_media, 10))  # Twilio allows at most 10
        try:
            return cls(
                message_sid=form.get("MessageSid") or form.get("SmsMessageSid") or "",
                from_number=form.get("From", ""),
                to_number=form.get("To", ""),
                body=form.get("Body", ""),
                media_urls=[
                    form[f"MediaUrl{i}"] for i in range(num_media) if f"MediaUrl{i}" in form
                ],
                media_types=[
                    form[f"MediaContentType{i}"]
                    for i in range(num_media)
                    if f"MediaContentType{i}" in form
                ],
            )
        except ValidationError as exc:
            fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
            raise InvalidWebhook(f"invalid fields: {', '.join(fields)}") from exc


def signature_is_valid(
    auth_token: str, urls: str | Sequence[str], form: Mapping[str, str], signature: str | None
) -> bool:
    """Twilio signs the URL it called (scheme, host, path and query) plus the sorted form.

    Any of `urls` may be the one it signed (see `signed_url_candidates`); twilio's validator
    itself also tries each with and without the port."""
    if not signature:
        return False
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(auth_token)
    params = dict(form)
    candidates = [urls] if isinstance(urls, str) else urls
    return any(validator.validate(url, params, signature) for url in candidates)


def public_url(base_url: str, full_path: str) -> str:
    """The URL Twilio called: the configured public URL of this function (behind Cloud Run's
    TLS proxy the request's own URL says http and an internal host), plus any sub-path and the
    query string. `base_url` is exactly what was pasted into Twilio's console."""
    path, _, query = full_path.partition("?")
    url = base_url if path in ("", "/") else base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def signed_url_candidates(base_url: str, full_path: str) -> list[str]:
    """Every URL Twilio may have signed for this request: the public URL as configured, and
    the same with the trailing slash added or removed, because Twilio signs whatever was
    pasted into its console ("https://host/fn" and "https://host/fn/" reach the same
    function, and a bare host is called at "/")."""
    url = public_url(base_url, full_path)
    address, mark, query = url.partition("?")
    other = address.rstrip("/") if address.endswith("/") else address + "/"
    return list(dict.fromkeys(f"{a}{mark}{query}" for a in (address, other)))


def loggable_url(url: str) -> str:
    """A URL fit for a log line: no user:password part, query values masked (they may carry
    tokens); scheme, host, port, path and query names are what a misconfiguration shows in."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "&".join(f"{name}=..." for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def verify_signature(
    auth_token: str | None,
    base_url: str,
    full_path: str,
    form: Mapping[str, str],
    signature: str | None,
    *,
    received_url: str,
) -> bool:
    """Check X-Twilio-Signature against every URL Twilio may have signed; on failure, log at
    WARNING why and which URLs were checked (never the token, the signature or the form),
    so a number pointed at the wrong URL can be diagnosed from the log."""
    candidates = signed_url_candidates(base_url, full_path)
    if not auth_token:
        reason = "no Twilio auth token is configured"
    elif not signature:
        reason = "the request has no X-Twilio-Signature"
    elif signature_is_valid(auth_token, candidates, form, signature):
        return True
    else:
        reason = "the signature matches none of the URLs checked"
    log.warning(
        "refused a webhook post: %s; checked %s (NUDGE_PUBLIC_BASE_URL=%s); received at %s",
        reason,
        ", ".join(loggable_url(url) for url in candidates),
        loggable_url(base_url),
        loggable_url(received_url),
    )
    return False
