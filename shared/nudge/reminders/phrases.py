"""Reading reminder requests and quick replies from plain text (no LLM needed)."""

from __future__ import annotations

import re
from datetime import datetime

from nudge.reminders.timeparse import When, parse_when

_REMIND = re.compile(
    r"^(?:please\s+)?(?:remind me|reminder|set a reminder)\b\s*(?P<rest>.*)$", re.I
)
_WHEN_START = re.compile(
    r"\s(?=(?:in\s+\S+\s+(?:min|hour|hr|day|week)|at\s|on\s|tomorrow|tonight|today|this\s|next\s|"
    r"every\s|first\s|second\s|third\s|fourth\s|last\s|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|noon|midnight|\d{1,2}(?::\d{2})?\s*(?:am|pm)))",
    re.I,
)


def split_reminder(text: str) -> tuple[str, str] | None:
    """("drink water", "in 1 minute") from "remind me in 1 minute to drink water" and from
    "remind me to drink water in 1 minute"; None if it is not a reminder request."""
    m = _REMIND.match(text.strip())
    if m is None:
        return None
    rest = m["rest"].strip().rstrip(".!")
    # what first: "to drink water in 1 minute" / "about the dentist tomorrow at 9"
    if what_first := re.match(r"^(?:to|about|that)\s+(?P<body>.+)$", rest, re.I):
        body = what_first["body"]
        for cut in _WHEN_START.finditer(body):
            what, when = body[: cut.start()].strip(), body[cut.end() :].strip()
            if what and when:
                return what, when
        return body, ""
    # when first: "in 1 minute to drink water" / "every weekday at 8 to take meds"
    if split := re.match(r"^(?P<when>.+?)\s+(?:to|about|that)\s+(?P<what>.+)$", rest, re.I):
        return split["what"].strip(), split["when"].strip()
    return "", rest


def read_when(when: str, *, timezone: str, now: datetime, quiet_hours) -> When:
    if not when:
        return When(question='When should I remind you? For example "in 20 minutes" or "at 5pm".')
    return parse_when(when, timezone=timezone, now=now, quiet_hours=quiet_hours)


_SNOOZE = re.compile(
    r"^(?:snooze|remind me again)(?:\s+(?:for\s+|in\s+)?(?P<n>\d{1,3}))?"
    r"\s*(?:m|min|mins|minutes?|h|hours?)?$",
    re.I,
)
_DONE = re.compile(r"^(?:done|did it|ok|okay|got it|on it|yes done|finished|k|👍|✅)$", re.I)
_LATER = re.compile(r"^(?:later|not now|remind me later)$", re.I)
_SKIP = re.compile(r"^(?:skip|skip it|skip this one|not today)$", re.I)


def quick_reply(text: str) -> tuple[str, int] | None:
    """("done"|"snooze"|"skip", minutes) for the short replies a reminder invites."""
    cleaned = text.strip().strip(".!").strip()
    if m := _SNOOZE.match(cleaned):
        minutes = int(m["n"] or 10)
        if re.search(r"\d\s*h", cleaned, re.I):
            minutes *= 60
        return "snooze", max(1, min(minutes, 24 * 60))
    if _LATER.match(cleaned):
        return "snooze", 30
    if _SKIP.match(cleaned):
        return "skip", 0
    if _DONE.match(cleaned):
        return "done", 0
    return None
