"""The SMS port: Twilio REST `messages.create` in the cloud, a local outbox on this machine."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from nudge.models import utcnow
from nudge.settings import Settings, get_settings

if TYPE_CHECKING:
    from google.cloud import firestore

LOCAL_OUTBOX = "local_outbox"


class SmsSender(Protocol):
    name: str

    def send(self, *, to: str, from_: str, body: str) -> str:
        """Send one message; returns the provider's message id."""


class TwilioSender:
    name = "twilio"

    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        from twilio.rest import Client

        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise RuntimeError("Twilio credentials are not configured")
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=http_client,
        )
        self._status_callback = settings.twilio_status_callback_url

    def send(self, *, to: str, from_: str, body: str) -> str:
        extra = {"status_callback": self._status_callback} if self._status_callback else {}
        message = self._client.messages.create(to=to, from_=from_, body=body, **extra)
        return message.sid


class LocalOutbox:
    """What Twilio would deliver, written where the local phone (`nudge phone`) reads it."""

    name = "local-outbox"

    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def send(self, *, to: str, from_: str, body: str) -> str:
        sid = "SMLOCAL" + uuid.uuid4().hex
        self.db.collection(LOCAL_OUTBOX).document(sid).set(
            {"to": to, "from": from_, "body": body, "created_at": utcnow()}
        )
        return sid


@lru_cache(maxsize=1)
def default_sender() -> SmsSender:
    settings = get_settings()
    if settings.is_local:
        from nudge.store.client import default_firestore_client

        return LocalOutbox(default_firestore_client())
    return TwilioSender(settings)
