"""Reading reminder requests and quick replies from plain text (no LLM needed)."""

from __future__ import annotations

import re
from datetime import datetime

from nudge.reminders.timeparse import When, is_time_phrase, parse_when

# Lead-ins people put before a request: "ugh can u remind me...", "lol no. remind me...".
_PREAMBLE = (
    r"(?:(?:hey|hi|ok|okay|so|also|and|oh|ah|ugh|lol|no|yes|yeah|pls|please|plz|nudge|actually|"
    r"wait|hmm|um|can you|could you|can u|could u|would you|will you|would u|will u|"
    r"pls can you|you need to|i need you to|i want you to|don't forget to|dont forget to)"
    r"[\s,.!:;-]+)*"
)
_REMIND = re.compile(
    rf"^{_PREAMBLE}(?:remind me|remind|reminder|set a reminder|set reminder|"
    r"nudge me|ping me|text me)\b[\s:,-]*(?P<rest>.*)$",
    re.I | re.S,
)
_WHAT_WORDS = re.compile(r"^(?:to|about|that|of|re|abt)\s+(?P<body>.+)$", re.I | re.S)
_WHEN_FIRST = re.compile(r"\s(?:to|about|that|abt)\s", re.I)
_WHEN_START = re.compile(
    r"\s(?=(?:in\s+\S+\s+(?:min|hour|hr|day|week)|at\s|on\s|tomorrow|tonight|today|this\s|next\s|"
    r"every\s|monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|midnight|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm)))",
    re.I,
)


def _longest_time_suffix(body: str) -> tuple[str, str] | None:
    """("call mom", "at 5 on friday") from "call mom at 5 on friday": the longest run of
    words at the end that is entirely a time."""
    words = body.split()
    for start in range(1, len(words)):
        if words[start - 1].lower() in _DETERMINERS:
            continue  # "sit in the sun at 3": "sun" is a thing here, not Sunday
        when = " ".join(words[start:])
        if is_time_phrase(when):
            return " ".join(words[:start]), when
    return None


# A word after one of these names a thing ("the sun", "my wed dress"), never a time.
_DETERMINERS = frozenset(
    ["the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "that"]
)


def split_reminder(text: str) -> tuple[str, str] | None:
    """("drink water", "in 1 minute") from "remind me in 1 minute to drink water" and from
    "remind me to drink water in 1 minute"; None if it is not a reminder request."""
    m = _REMIND.match(text.strip())
    if m is None:
        return None
    rest = m["rest"].strip().rstrip(".!")
    # what first: "to drink water in 1 minute" / "about the dentist tomorrow at 9"
    if what_first := _WHAT_WORDS.match(rest):
        body = what_first["body"].strip()
        if found := _longest_time_suffix(body):
            return found
        for cut in _WHEN_START.finditer(body):  # a time we can't read: ask about it
            what, when = body[: cut.start()].strip(), body[cut.end() :].strip()
            if what and when:
                return what, when
        return body, ""
    # when first: "in 1 minute to drink water" / "every weekday at 8 to take meds"
    for cut in _WHEN_FIRST.finditer(rest):
        when, what = rest[: cut.start()].strip(), rest[cut.end() :].strip()
        if what and is_time_phrase(when):
            return what, when
    if split := re.match(r"^(?P<when>.+?)\s+(?:to|about|that)\s+(?P<what>.+)$", rest, re.I):
        return split["what"].strip(), split["when"].strip()
    if is_time_phrase(rest):
        return "", rest
    if found := _longest_time_suffix(rest):  # "remind me call mom at 5"
        return found
    return rest, ""


def read_when(when: str, *, timezone: str, now: datetime, quiet_hours, hint: str = "") -> When:
    if not when:
        return When(question='When should I remind you? For example "in 20 minutes" or "at 5pm".')
    return parse_when(when, timezone=timezone, now=now, quiet_hours=quiet_hours, hint=hint)


_SNOOZE = re.compile(
    r"^(?:snooze|remind me again)(?:\s+(?:for\s+|in\s+)?(?P<n>\d{1,3}))?"
    r"\s*(?:m|min|mins|minutes?|h|hours?)?$",
    re.I,
)
_DONE = re.compile(
    r"^(?:done|did it|ok|okay|got it|on it|yes done|finished|k|took (?:it|them)|👍|✅)$", re.I
)
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
