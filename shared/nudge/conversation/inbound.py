"""An inbound text, after its signature was checked: dedup, route, keywords, persist, enqueue.

Nothing slow happens here: a few Firestore reads and writes and one task enqueue. The reply
itself comes from the agent turn, which starts at once (see `conversation.turn` for bursts).
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from nudge.models import (
    KEPT_WHILE_OPTED_OUT,
    KEYWORD_HANDLED,
    Direction,
    Message,
    User,
    UserStatus,
)
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.sms.keywords import HELP_TEXT, Keyword, classify_from
from nudge.sms.webhook import InboundSms
from nudge.store import Store

log = logging.getLogger("nudge.inbound")

INVITE_ONLY_REPLY = (
    "Hi! This is Nudge. It's invite-only for now, so I can't help from this number yet. "
    "Ask the person who invited you to add it."
)


class InboundAction(StrEnum):
    duplicate = "duplicate"
    refused = "refused"
    opted_out = "opted_out"
    opted_in = "opted_in"
    help = "help"
    stored_silently = "stored_silently"
    turn_enqueued = "turn_enqueued"


class InboundResult(BaseModel):
    action: InboundAction
    user_id: str | None = None
    # A reply Twilio sends for us from the webhook's TwiML (fast, and costs no REST call).
    twiml_reply: str | None = None


def handle_inbound_sms(
    sms: InboundSms, *, store: Store, queue: TaskQueue, settings: Settings, now: datetime
) -> InboundResult:
    """Twilio may deliver a text twice; the message document's id is its MessageSid and it is
    created with `create()`, so exactly one delivery gets past `_persist`."""
    user = store.users.route(sms.from_number, sms.to_number)
    if user is None:
        if settings.unknown_sender_policy == "invite-only":
            # Only a dedup marker is kept, so a redelivery is not refused twice.
            if not store.dedup.claim("twilio-message", sms.message_sid):
                return InboundResult(action=InboundAction.duplicate)
            log.info("refused a text from an unknown number (invite-only)")
            return InboundResult(action=InboundAction.refused, twiml_reply=INVITE_ONLY_REPLY)
        new_user = User(phone=sms.from_number, assistant_number=sms.to_number)
        user, created = store.users.create_or_get(new_user)
        if created:  # racing first deliveries share one user; only its creator says so
            log.info("welcomed new user %s", user.id)

    keyword = classify_from(sms.body, opted_out=user.status == UserStatus.opted_out)
    # Keywords are answered here (or by Twilio); a text while opted out is kept but never
    # answered later, not even after START.
    handled_by = f"{KEYWORD_HANDLED}{keyword.value}" if keyword else None
    if keyword is None and user.status == UserStatus.opted_out:
        handled_by = KEPT_WHILE_OPTED_OUT
    kind = keyword.value if keyword else "text"
    if not _persist(store, user, sms, now, kind=kind, handled_by=handled_by):
        log.info("duplicate delivery of %s acknowledged", sms.message_sid)
        return InboundResult(action=InboundAction.duplicate, user_id=user.id)

    if keyword == Keyword.stop:
        # Twilio confirms the opt-out itself and blocks further messages; we agree with it.
        store.users.update(user.id, status=UserStatus.opted_out)
        return InboundResult(action=InboundAction.opted_out, user_id=user.id)
    if keyword == Keyword.start:
        store.users.update(user.id, status=UserStatus.active)
        return InboundResult(action=InboundAction.opted_in, user_id=user.id)
    if keyword == Keyword.help:
        return InboundResult(action=InboundAction.help, user_id=user.id, twiml_reply=HELP_TEXT)
    if user.status == UserStatus.opted_out:
        # Kept, but no turn: nothing may be sent until they text START.
        return InboundResult(action=InboundAction.stored_silently, user_id=user.id)

    try:
        queue.enqueue(
            settings.queues.agent_turns,
            "agent_turn",
            {"user_id": user.id, "message_id": sms.message_sid},
            task_name=f"turn-{sms.message_sid}",
        )
    except Exception:
        # Un-keep the text so Twilio's retry is processed in full instead of being taken for
        # a duplicate: it is never silently dropped.
        store.messages.delete(user.id, sms.message_sid)
        raise
    return InboundResult(action=InboundAction.turn_enqueued, user_id=user.id)


def _persist(
    store: Store, user: User, sms: InboundSms, now: datetime, *, kind: str, handled_by: str | None
) -> bool:
    """Keep the text; False when it was already kept (a redelivery)."""
    from google.api_core.exceptions import Conflict

    message = Message(
        direction=Direction.inbound,
        body=sms.body,
        kind=kind,
        provider_sid=sms.message_sid,
        media_urls=sms.media_urls,
        media_types=sms.media_types,
        answered_by_turn=handled_by,
        # A text a keyword handled, or kept for an opted-out person, needs no turn.
        settled=handled_by is not None,
        created_at=now,
        updated_at=now,
    )
    try:
        store.messages.add(user.id, message, doc_id=sms.message_sid)
    except Conflict:
        return False
    return True
