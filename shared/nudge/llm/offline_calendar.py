"""The offline model's calendar and mail commands: a calendar link, "what's on today?", "block
2 hours tomorrow for taxes", "book it" for a proposed time block, "connect outlook", "check my
email", "add 1"; and the replies for those tools' results. Kept apart from `offline.py`,
which calls in here once each way."""

from __future__ import annotations

import re

from nudge.calendar.urls import find_ics_url
from nudge.llm.types import FunctionCall, TurnFacts

_DAY = r"today|tonight|tomorrow|(?:on |next |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_PART = r"(?:\s+(?:morning|afternoon|evening))?"
_WHEN = rf"(?:(?:{_DAY}){_PART}|this (?:morning|afternoon|evening))"
_AGENDA = re.compile(
    r"^(?:what'?s|what is|anything|is there anything|what do i have)\s+(?:on\s+)?"
    r"(?:(?:my|the)\s+(?:calendar|schedule|agenda)\s*)?(?:for\s+|on\s+)?"
    rf"(?P<day>{_DAY})?\s*\??$|^(?:my\s+)?(?:calendar|schedule|agenda)\s*(?P<day2>{_DAY})?\s*\??$",
    re.I,
)
_NUMBER = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "half an": 0.5,
    "half a": 0.5,
}
_BLOCK = re.compile(
    r"^(?:please\s+)?(?:block|book|reserve|set aside|time ?box|schedule)(?:\s+(?:out|off))?\s+"
    r"(?:(?:me|some)\s+)?(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|half an?)\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?|m)\b\s*"
    rf"(?P<when>{_WHEN})?\s*(?:for|to)\s+(?P<title>.+?)(?:\s+(?P<when2>{_WHEN}))?\s*[.!]?$",
    re.I,
)
_YES = re.compile(
    r"^(?:y|yes|yep|yeah|yup|sure|ok(?:ay)?|do it|book it|sounds good|perfect)"
    r"[.! ]*$",
    re.I,
)
_MAIL = re.compile(
    r"^(?:what'?s in my (?:e-?mail|inbox)|(?:any )?important (?:e-?mails?|mail)|"
    r"check my (?:e-?mail|inbox)|my (?:e-?mail|inbox))\s*\??$",
    re.I,
)
_ADD_OFFER = re.compile(r"^add\s+(?P<numbers>\d(?:\s*(?:,|and|&)\s*\d)*)\s*[.!]?$", re.I)
_DIGEST = re.compile(
    r"^(?:turn\s+)?(?:e-?mail|inbox|mail) digest\s+(?P<on>on|off)\s*$|"
    r"^turn (?P<on2>on|off) (?:the )?(?:e-?mail|inbox|mail) digest\s*$",
    re.I,
)
_LEAVE = re.compile(
    r"^(?:turn\s+)?(?:leave|leaving) (?:reminders|nudges)\s+(?P<on>on|off)\s*$|"
    r"^(?P<ask>remind me when to leave|tell me when to leave)\s*[.!]?$",
    re.I,
)
_UNLINK = re.compile(
    r"^(?:unlink|remove|delete|forget|stop syncing)\s+(?:my\s+)?calendar(?:\s+link)?\s*$", re.I
)
_CONNECT = re.compile(
    r"^(?:connect|link|add|set up)\s+(?:my\s+)?(?:outlook|microsoft|office ?365|m365)"
    r"(?:\s+(?:account|calendar|email|mail))?\s*[.!]?$",
    re.I,
)
_DISCONNECT = re.compile(
    r"^(?:disconnect|unlink|remove)\s+(?:my\s+)?(?:outlook|microsoft|office ?365|m365)"
    r"(?:\s+(?:account|calendar|email|mail))?\s*[.!]?$",
    re.I,
)


def understand_calendar(line: str, facts: TurnFacts) -> FunctionCall | None:
    """The calendar tool call a plain line asks for, or None (other commands then apply)."""
    text = line.strip()
    if facts.pending_timebox and _YES.match(text):
        return FunctionCall(name="confirm_time_box", args={})
    if (url := find_ics_url(text)) is not None:
        return FunctionCall(name="link_calendar", args={"url": url})
    if m := _AGENDA.match(text):
        day = (m["day"] or m["day2"] or "today").lower()
        return FunctionCall(name="list_events", args={"day": day})
    if m := _BLOCK.match(text):
        return FunctionCall(name="block_time", args=_block_args(m))
    if _CONNECT.match(text):
        return FunctionCall(name="connect_outlook", args={})
    if _DISCONNECT.match(text):
        return FunctionCall(name="disconnect_outlook", args={})
    if _UNLINK.match(text):
        return FunctionCall(name="unlink_calendar", args={})
    if m := _LEAVE.match(text):
        switched_on = bool(m["ask"]) or (m["on"] or "").lower() == "on"
        return FunctionCall(name="set_leave_nudges", args={"on": switched_on})
    if _MAIL.match(text):
        return FunctionCall(name="list_mail_offers", args={})
    if m := _ADD_OFFER.match(text):
        numbers = [int(n) for n in re.findall(r"\d", m["numbers"])]
        return FunctionCall(name="accept_mail_offer", args={"numbers": numbers})
    if m := _DIGEST.match(text):
        return FunctionCall(
            name="set_mail_digest", args={"on": (m["on"] or m["on2"]).lower() == "on"}
        )
    return None


def _block_args(m: re.Match) -> dict:
    raw = m["n"].lower()
    amount = _NUMBER.get(raw) or float(raw)
    minutes = amount * (1 if m["unit"].lower().startswith("m") else 60)
    when = (m["when"] or m["when2"] or "today").lower()
    return {"minutes": int(minutes), "title": m["title"].strip(), "when": when}


def describe_calendar(name: str, result: dict) -> str | None:
    """The reply for a calendar tool's result; None for tools this module does not answer."""
    match name:
        case "link_calendar" if result.get("ok"):
            return "On it! I'm reading your calendar now and will text you when it's in."
        case "unlink_calendar":
            return "Calendar unlinked." if result.get("ok") else result.get("message")
        case "list_events":
            return _agenda(result)
        case "block_time" if result.get("proposed"):
            return (
                f"{result['day']}, {result['from']}-{result['to']} is free for "
                f"{result['title']} ({result['length']}). "
                "Reply yes to book it."
            )
        case "confirm_time_box":
            if not result.get("ok"):
                return result.get("message")
            return (
                f"Booked: {result['title']}, {result['day']} {result['from']}-{result['to']}"
                f" ({result['calendar']} calendar). I'll remind you when it starts."
            )
        case "connect_outlook":
            if not result.get("ok"):
                return result.get("message")
            return (
                f"Tap to connect Outlook (works once, for {result['minutes']} minutes): "
                f"{result['url']}"
            )
        case "disconnect_outlook":
            if not result.get("ok"):
                return result.get("message")
            return (
                "Outlook disconnected: its tokens and events are deleted. To also remove "
                "Nudge's access on Microsoft's side: account.microsoft.com > Privacy > Apps."
            )
        case "list_mail_offers":
            offers = result.get("offers", [])
            if not offers:
                if not result.get("outlook_linked"):
                    return 'Outlook isn\'t connected. Text "connect outlook" to link it.'
                return "Nothing in your inbox needs you right now."
            lines = [f"{o['number']}. {o['title']} ({o['from']})" for o in offers]
            return "From your inbox:\n" + "\n".join(lines) + '\nText "add 1" to make one a task.'
        case "accept_mail_offer":
            if not result.get("ok"):
                return result.get("message")
            return "Added to your list: " + "; ".join(result["added"]) + "."
        case "set_leave_nudges":
            if result.get("on"):
                return (f"Okay: I'll text you {result['minutes']} minutes before events that "
                        "have a place, so you can head out.")  # fmt: skip
            return "Okay, no more leave reminders."
        case "set_mail_digest":
            if result.get("on"):
                return "Okay, I'll text you a short inbox digest when something important comes in."
            return "Okay, no more inbox digests."
        case "what_now" if result.get("pick") and result.get("next_event"):
            event = result["next_event"]
            minutes = f" (about {result['minutes']} min)" if result.get("minutes") else ""
            if event["minutes_away"] == 0:
                return (
                    f"You're in {event['title']} until {event['until']}. After that: "
                    f"{result['pick']}{minutes}."
                )
            return (
                f"Do this now: {result['pick']}{minutes}. You have {event['minutes_away']} "
                f"min before {event['title']} at {event['at']}."
            )
    return None


def _agenda(result: dict) -> str:
    events = result.get("events", [])
    day = result.get("day", "today")
    label = day.capitalize() if day in ("today", "tomorrow") else result.get("date", day)
    if not events:
        if not result.get("calendar_linked"):
            return (
                "No calendar linked yet. Text me your calendar's private ICS link, or "
                '"connect outlook".'
            )
        return f"Nothing on your calendar {day}. Open time!"
    lines = [f"{label} ({result['date']}):" if label != result.get("date") else f"{label}:"]
    for event in events:
        where = f" @ {event['location']}" if event.get("location") else ""
        lines.append(f"- {event['when']} {event['title']}{where}")
    if result.get("more"):
        lines.append(f"(+{result['more']} more)")
    return "\n".join(lines)
