"""Twilio's inbound-message webhook: signature check and the form, validated."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, ValidationError, field_validator

from nudge.models.user import validate_e164


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
    auth_token: str, public_url: str, form: Mapping[str, str], signature: str | None
) -> bool:
    """Twilio signs the URL it called (scheme, host, path and query) plus the sorted form."""
    if not signature:
        return False
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).validate(public_url, dict(form), signature)


def public_url(base_url: str, full_path: str) -> str:
    """The URL Twilio called: the configured public URL of this function (behind Cloud Run's
    TLS proxy the request's own URL says http and an internal host), plus any sub-path and the
    query string. `base_url` is exactly what was pasted into Twilio's console."""
    path, _, query = full_path.partition("?")
    url = base_url if path in ("", "/") else base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url
