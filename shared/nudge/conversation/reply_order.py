"""Background work a turn asked for answers after the turn's own reply ("On it" goes first).

Quick work (a calendar's first sync, a short AI task) can finish before the turn that asked for
it has replied: that reply waits out its burst settle window. Its result is held until the reply
is out, for a bounded time, then sent anyway (the result must not wait on a turn that died).
"""

from __future__ import annotations

import logging
import time

from nudge.settings import Settings
from nudge.store import Store

log = logging.getLogger("nudge.reply_order")

# The id the conversation gives a turn's reply (nudge.conversation.turn).
TURN_REPLY_ID = "reply-{turn_id}"


def wait_for_turn_reply(store: Store, settings: Settings, user_id: str, turn_id: str) -> bool:
    """Wait (at most `integration_reply_wait_seconds`) until the turn's reply is sent. Returns
    whether it was."""
    deadline = time.monotonic() + settings.integration_reply_wait_seconds
    message_id = TURN_REPLY_ID.format(turn_id=turn_id)
    while True:
        reply = store.messages.get(user_id, message_id)
        if reply is not None and reply.status == "sent":
            return True
        if time.monotonic() >= deadline:
            log.info("turn %s has not replied yet; sending the result anyway", turn_id)
            return False
        time.sleep(0.25)
