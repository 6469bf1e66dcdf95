"""Deleting an account: everything under the user, and every entry elsewhere that names them.

Confirmed twice: the first call answers a confirm token (signed, 10 minutes), the second
presents it. Then the person gets one last SMS, and everything goes: the user document and
every collection under it (tasks, reminders and their occurrences, memories with their
embeddings, messages, notes, life admin, linked-account token caches, ...), the phone routing
entries, sessions, API tokens, sign-in links, rate-limit counters, Outlook link and flow
records, the turn lease, and the idempotency and dedup records of their texts (a finished turn
keeps its reply there). Tasks already queued for them (a reminder's firing, a follow-up, a
turn) find nothing and do nothing: every handler checks state first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.cloud.firestore_v1.base_query import FieldFilter
from pydantic import BaseModel

from nudge.api.secrets import same, sign
from nudge.models import User
from nudge.store import Store
from nudge.store.idempotency import IDEMPOTENCY_RECORDS
from nudge.store.leases import TURN_LEASES
from nudge.store.markers import DEDUP_MARKERS, marker_id
from nudge.store.users import ASSISTANT_NUMBER_INDEX

CONFIRM_MINUTES = 10
GOODBYE = (
    "Your Nudge account is deleted, with everything in it. Thank you for letting me help. "
    "Take care!"
)
# Top-level collections whose documents carry the `user_id` they belong to.
NAMED_BY_USER_ID = (
    "api_sessions",
    "api_tokens",
    "api_login_links",
    "api_rate_limits",
    "oauth_links",
    "oauth_flows",
    ASSISTANT_NUMBER_INDEX,
)


class ConfirmInvalid(ValueError):
    pass


class DeletionReport(BaseModel):
    deleted: bool
    goodbye_sent: bool


def confirm_token(settings, user_id: str, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(minutes=CONFIRM_MINUTES)
    claims = str(int(expires.timestamp()))
    return f"{claims}.{sign(settings, 'delete', f'{user_id}.{claims}')}", expires


def check_confirm(settings, user_id: str, token: str, now: datetime) -> None:
    claims, _, signature = token.partition(".")
    if not claims.isdigit() or not same(sign(settings, "delete", f"{user_id}.{claims}"), signature):
        raise ConfirmInvalid("that confirm token is not for this account")
    if now.timestamp() > int(claims):
        raise ConfirmInvalid("that confirm token expired; ask for a new one")


def _turn_keys(store: Store, user_id: str) -> set[str]:
    """The idempotency keys of this person's turns (each text's id, the sweep's re-drives and
    every turn an agent log names)."""
    keys = {log.turn_id for log in store.agent_logs.list(user_id)}
    for message in store.messages.list(user_id, where=[("direction", "==", "inbound")]):
        keys.add(message.id or "")
        keys |= {f"sweep-{message.id}-{n}" for n in range(1, message.redrives + 2)}
    return keys - {""}


def _delete_refs(store: Store, refs: list) -> None:
    for start in range(0, len(refs), 400):
        batch = store.db.batch()
        for ref in refs[start : start + 400]:
            batch.delete(ref)
        batch.commit()


def delete_account(store: Store, settings, sender, user: User, now: datetime) -> DeletionReport:
    from nudge.sms.outbound import deliver

    user_id = user.id or ""
    sent = deliver(
        store,
        sender,
        user,
        GOODBYE,
        kind="goodbye",
        from_number=user.assistant_number or settings.twilio_from_number or "",
        message_id=f"goodbye-{int(now.timestamp())}",
    )
    message_ids = [m.id or "" for m in store.messages.list(user_id)]
    refs = [
        store.db.collection(IDEMPOTENCY_RECORDS).document(marker_id("agent-turn", key))
        for key in _turn_keys(store, user_id)
    ]
    refs += [
        store.db.collection(DEDUP_MARKERS).document(marker_id("twilio-message", sid))
        for sid in message_ids
    ]
    refs.append(store.db.collection(TURN_LEASES).document(user_id))
    for collection in NAMED_BY_USER_ID:
        query = store.db.collection(collection).where(filter=FieldFilter("user_id", "==", user_id))
        refs += [doc.reference for doc in query.select([]).stream()]
    # The user's own tree and phone index last: a failure before it leaves the account whole
    # (and a retry finishes the job).
    _delete_refs(store, refs)
    store.users.delete(user_id)
    return DeletionReport(deleted=True, goodbye_sent=sent is not None)
