"""Triage of a linked Outlook inbox, a few times a day.

Only what triage needs is read: unread messages received since the last run (Graph `$select`,
`$filter`, `$top`, never the full mailbox) and the recipients of recent sent mail. A message
is worth an offer when it is flagged, marked high importance, or from someone the person wrote
to; automated senders never are. At most `MAX_OFFERS` a run. Each offer is created at the
message's id, so a redelivered task offers nothing twice. Mail is untrusted: an offer is text
shown to the person, and becomes a task only on their own "add 1". Nothing is ever sent,
moved or deleted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from google.api_core.exceptions import Conflict
from pydantic import BaseModel

from nudge.calendar.sync import CalendarDeps
from nudge.models import User
from nudge.models.events import CalendarLinkStatus, EventSource
from nudge.models.mail import MailOffer
from nudge.sms.outbound import deliver

log = logging.getLogger("nudge.mail")

MAX_OFFERS = 3
FETCH = 25
FIRST_LOOK_BACK = timedelta(days=2)
AUTOMATED = re.compile(r"no-?reply|do-?not-?reply|notifications?@|mailer-daemon|newsletter|"
                       r"marketing|bounce", re.I)  # fmt: skip
SELECT = "id,subject,from,receivedDateTime,importance,flag,isRead,webLink,bodyPreview"


class TriageReport(BaseModel):
    looked_at: int = 0
    offered: int = 0
    skipped: str | None = None
    digest_sent: bool = False


@dataclass
class Candidate:
    message: dict
    reason: str
    action: str | None = None  # the LLM's wording; else made from the subject


def fan_out(deps: CalendarDeps, now: datetime) -> int:
    """One triage task per user with Outlook linked (and not waiting for a relink)."""
    slot = now.replace(minute=0, second=0, microsecond=0)
    count = 0
    for user_id, link in deps.store.calendar_links.every_link():
        if link.source != EventSource.microsoft or link.status == CalendarLinkStatus.needs_relink:
            continue
        deps.queue.enqueue(
            deps.settings.queues.integrations,
            "mail_triage",
            {"action": "triage_user", "user_id": user_id},
            task_name=f"mail-{user_id}-{int(slot.timestamp())}",
        )
        count += 1
    return count


def _sender(message: dict) -> tuple[str, str]:
    address = (message.get("from") or {}).get("emailAddress") or {}
    return (address.get("name") or address.get("address") or "someone"), (
        address.get("address") or ""
    ).lower()


def worth_offering(message: dict, written_to: set[str]) -> str | None:
    """Why this message deserves an offer, or None (the offline heuristic)."""
    _, address = _sender(message)
    if _automated(message):
        return None
    if (message.get("flag") or {}).get("flagStatus") == "flagged":
        return "flagged"
    if message.get("importance") == "high":
        return "high importance"
    if address in written_to:
        return "someone you wrote to"
    return None


def action_item(message: dict) -> str:
    name, _ = _sender(message)
    first = name.split()[0] if name and "@" not in name else name
    subject = " ".join((message.get("subject") or "(no subject)").split())
    subject = re.sub(r"^(?:re|fw|fwd):\s*", "", subject, flags=re.I)
    return f"Reply to {first} about: {subject}"[:200]


def triage_user(deps: CalendarDeps, user_id: str, now: datetime) -> TriageReport:
    from nudge.calendar.graph_sync import ask_to_relink, graph_client
    from nudge.microsoft.graph import GraphError, Throttled
    from nudge.microsoft.tokens import NeedsRelink

    user = deps.store.users.get(user_id)
    link = deps.store.calendar_links.get(user_id, EventSource.microsoft.value)
    if user is None or link is None or link.status == CalendarLinkStatus.needs_relink:
        return TriageReport(skipped="outlook not linked")
    since = link.mail_seen_until or now - FIRST_LOOK_BACK
    client = graph_client(deps, user, on_relink=lambda: ask_to_relink(deps, user))
    try:
        inbox = client.call("GET", "/me/mailFolders/inbox/messages", params={
            "$select": SELECT,
            "$filter": f"isRead eq false and receivedDateTime ge {_graph_time(since)}",
            "$orderby": "receivedDateTime desc",
            "$top": str(FETCH),
        }).get("value", [])  # fmt: skip
        sent = client.call("GET", "/me/mailFolders/sentitems/messages", params={
            "$select": "toRecipients", "$top": "50", "$orderby": "sentDateTime desc",
        }).get("value", [])  # fmt: skip
    except NeedsRelink:
        return TriageReport(skipped="needs relink")
    except (Throttled, GraphError) as exc:
        log.warning("mail triage for %s: %s (the next run tries again)", user_id, exc)
        return TriageReport(skipped=str(exc))
    written_to = {
        (r.get("emailAddress") or {}).get("address", "").lower()
        for m in sent
        for r in m.get("toRecipients") or []
    }
    candidates = _pick(deps, user, inbox, written_to)
    offered = [o for c in candidates if (o := _offer(deps, user_id, c)) is not None]
    newest = max((_received(m) for m in inbox), default=None)
    if newest is not None:
        deps.store.calendar_links.patch(user_id, EventSource.microsoft.value,
                                        mail_seen_until=newest)  # fmt: skip
    report = TriageReport(looked_at=len(inbox), offered=len(offered))
    if offered and deps.store.users.get_settings(user_id).mail_digest:
        report.digest_sent = _digest(deps, user, now)
    return report


def _pick(deps: CalendarDeps, user: User, inbox: list[dict], written_to: set[str]):
    """The LLM's picks when a model is configured and answers; else the heuristic."""
    from nudge.mail.extract import extract_actions

    unread = [m for m in inbox if not m.get("isRead")]
    people = [m for m in unread if not _automated(m)]
    picked = extract_actions(deps.model, people, user.timezone or deps.settings.default_timezone)
    if picked is not None:
        by_id = {m["id"]: m for m in people}
        return [Candidate(by_id[i], "suggested", action) for i, action in picked][:MAX_OFFERS]
    return [Candidate(m, reason) for m in unread if (reason := worth_offering(m, written_to))][
        :MAX_OFFERS
    ]


def _automated(message: dict) -> bool:
    name, address = _sender(message)
    return not address or bool(AUTOMATED.search(address) or AUTOMATED.search(name))


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _received(message: dict) -> datetime:
    return datetime.fromisoformat(message["receivedDateTime"].replace("Z", "+00:00"))


def _offer(deps: CalendarDeps, user_id: str, candidate: Candidate) -> MailOffer | None:
    message = candidate.message
    name, address = _sender(message)
    offer = MailOffer(
        title=(candidate.action or action_item(message))[:200], sender=(name or address)[:200],
        received_at=_received(message), web_link=message.get("webLink"),
        reason=candidate.reason,
    )  # fmt: skip
    try:
        return deps.store.mail_offers.add(user_id, offer, doc_id=_offer_id(message["id"]))
    except Conflict:  # offered before (a redelivered task, or an earlier run)
        return None


def _offer_id(message_id: str) -> str:
    import hashlib

    return hashlib.sha256(message_id.encode()).hexdigest()[:32]


def open_offers(store, user_id: str) -> list[MailOffer]:
    """Offers still waiting, newest first, numbered 1.. (what "add 1" refers to)."""
    offers = store.mail_offers.list(user_id, where=[("status", "==", "offered")])
    offers = sorted(offers, key=lambda o: o.received_at, reverse=True)[: MAX_OFFERS * 2]
    for number, offer in enumerate(offers, 1):
        if offer.number != number:
            store.mail_offers.patch(user_id, offer.id or "", number=number)
    return [o.model_copy(update={"number": n}) for n, o in enumerate(offers, 1)]


def _digest(deps: CalendarDeps, user: User, now: datetime) -> bool:
    """The day's digest (opt-in), once a day: numbered, so "add 1" makes a task."""
    offers = open_offers(deps.store, user.id or "")
    if not offers:
        return False
    lines = [f"{n}. {o.title} ({o.sender})" for n, o in enumerate(offers, 1)]
    zone = ZoneInfo(user.timezone or deps.settings.default_timezone)
    sent = deliver(
        deps.store, deps.sender, user,
        "From your inbox:\n" + "\n".join(lines) + '\nText "add 1" to make one a task.',
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"mail-digest-{now.astimezone(zone).date().isoformat()}", kind="mail_digest",
    )  # fmt: skip
    return sent is not None


def default_deps() -> CalendarDeps:
    """The process's deps, with Gemini for action items when a key is configured."""
    from nudge.calendar.sync import default_deps as calendar_deps

    deps = calendar_deps()
    if deps.settings.gemini_api_key is not None:
        from nudge.llm.gemini import GeminiModel

        deps.model = GeminiModel(
            api_key=deps.settings.gemini_api_key.get_secret_value(),
            model=deps.settings.gemini_model,
            timeout_seconds=deps.settings.gemini_timeout_seconds,
        )
    return deps
