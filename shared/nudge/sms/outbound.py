"""Every message Nudge sends goes through here: opt-out respected, SMS-shaped, recorded."""

from __future__ import annotations

import logging

from google.api_core.exceptions import Conflict

from nudge.models import Direction, Message, User, UserStatus
from nudge.sms.segments import fit_segments, segment_count
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.sms")

MAX_SEGMENTS = 3


def deliver(
    store: Store,
    sender: SmsSender,
    user: User,
    body: str,
    *,
    from_number: str,
    message_id: str,
    kind: str = "reply",
    user_is_fresh: bool = False,
    channel: str = "sms",
) -> Message | None:
    """Send `body` to `user` once per `message_id`; None when nothing was sent.

    The outbound record is created (with `create()`) before the provider call, so a
    redelivered task finds it and does not text the person twice.
    """
    # Opt-out may have changed since the caller read the user; re-read unless it just did.
    current = user if user_is_fresh else (store.users.get(user.id) or user)
    # Opting out of SMS does not silence the page: a web reply is answered there.
    if current.status == UserStatus.opted_out and channel == "sms":
        log.info("suppressed %s to user %s: opted out", kind, user.id)
        return None
    text = fit_segments(body, MAX_SEGMENTS)
    record = Message(
        direction=Direction.outbound, body=text, kind=kind, status="sending", channel=channel
    )
    try:
        store.messages.add(user.id, record, doc_id=message_id)
    except Conflict:
        existing = store.messages.get(user.id, message_id)
        if existing is not None and existing.status == "sent":
            log.info("%s %s already sent; not sending again", kind, message_id)
            return None
    sid = sender.send(to=current.phone, from_=from_number, body=text)
    log.info(
        "sent %s to user %s via %s (%d segments)", kind, user.id, sender.name, segment_count(text)
    )
    store.messages.patch(user.id, message_id, status="sent", provider_sid=sid)
    return record.model_copy(update={"id": message_id, "status": "sent", "provider_sid": sid})
