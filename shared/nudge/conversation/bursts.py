"""One reply for a burst: how long it waits for more texts, and how its parts are joined.

A lone text should be answered at once (well under a second), and a burst of quick texts should
get one reply that covers all of them. Those pull apart: a reply sent 0.6 s after a text cannot
cover a second text sent a second later. So the wait is short by default and long when there is
a sign that more is coming:

- the turn already answers several texts, or the person texted moments before (a burst is
  under way);
- the person sent a burst a few minutes ago (people who text in bursts keep doing it);
- the text reads as unfinished: a bare opener ("ok so", "quick question"), a trailing "and" / ","
  / ":" / "...", or a body cut exactly at an SMS segment boundary (a long text a carrier
  delivered in parts);
- the text is a bare greeting ("hey", "good morning"): by text, the point usually follows.
  Its reply has no promise in it worth 1.4 s, so it waits (a lone "hi" is still answered as a
  greeting: it is not treated as unfinished).

A burst whose first text is complete and whose next text comes after the short window gets two
replies; that is the price of answering a lone text fast (see the README's burst figures).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from nudge.models import Message

# Texts closer together than this are one burst (someone texting every few seconds in a
# steady conversation is not bursting, and gets the short window).
BURST_GAP = timedelta(seconds=3)
# A burst this recent makes the person's next texts wait the long window too.
RECENT_BURST = timedelta(minutes=5)

# Openers that do not stand alone: the point follows in the next text. Not a bare greeting or
# "ok": "hi" is a whole first text as often as not (and "ok" answers a reminder), so those are
# answered as they are (a greeting still waits the long window: `invites_more`).
_OPENERS = {
    "ok so", "so", "so um", "um", "umm", "uh", "oh", "oh and", "wait", "also", "and", "and also",
    "plus", "btw", "question", "quick question", "one sec", "one more thing", "ok listen",
    "listen", "right so", "hey so", "hi so", "so basically", "basically",
}  # fmt: skip
# A text ending like this is mid-thought.
_TRAILING = re.compile(
    r"(?:[,:;&+\-–—]|\.\.\.|…|\b(?:and|also|or|but|so|then|plus|because|with|to|the|a|my))\s*$",
    re.IGNORECASE,
)
# Lengths at which a carrier splits a long text (GSM-7: 160 alone, 153 per part; UCS-2: 70
# alone, 67 per part).
_SEGMENT_LENGTHS = {160, 70} | {153 * n for n in range(1, 11)} | {67 * n for n in range(1, 11)}


def looks_unfinished(body: str) -> bool:
    """Whether a text reads as the start of something the next text will finish."""
    text = body.strip()
    if not text:
        return False
    if len(body) in _SEGMENT_LENGTHS and len(text) >= 60:
        return True
    bare = re.sub(r"[!?.\s]+$", "", text.lower())
    bare = re.sub(r"\s+", " ", bare)
    if bare in _OPENERS:
        return True
    return bool(_TRAILING.search(text))


# A greeting alone, maybe with a name or a word of warmth ("hey nudge", "hi there!").
_BARE_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|heya|hiya|yo|howdy|good (?:morning|afternoon|evening)|morning)"
    r"(?: (?:there|again|nudge|you|all))?$",
    re.IGNORECASE,
)


def invites_more(body: str) -> bool:
    """Whether another text is likely to follow this one at once: it reads as unfinished, or
    it is a bare greeting."""
    bare = re.sub(r"[!?.,\s]+$", "", " ".join(body.split()))
    return looks_unfinished(body) or bool(_BARE_GREETING.match(bare))


def settle_seconds(
    *,
    texts: Sequence[Message],
    earlier_inbound: Callable[[], Sequence[Message]],
    short: float,
    long: float,
    now: datetime,
) -> float:
    """The settle window for a reply covering `texts`.

    `earlier_inbound` reads the person's recent inbound texts this reply does not cover, oldest
    first; it is called only when the texts themselves do not decide."""
    if len(texts) > 1:
        return long
    newest = max(texts, key=lambda m: m.created_at)
    if invites_more(newest.body):
        return long
    first = min(m.created_at for m in texts)
    earlier_inbound = earlier_inbound()
    if earlier_inbound and timedelta(0) <= first - earlier_inbound[-1].created_at <= BURST_GAP:
        return long  # the previous text came moments before: a burst under way
    if _burst_among(earlier_inbound, since=now - RECENT_BURST):
        return long
    return short


def _burst_among(messages: Sequence[Message], *, since: datetime) -> bool:
    times = sorted(m.created_at for m in messages if m.created_at >= since)
    return any(b - a <= BURST_GAP for a, b in zip(times, times[1:], strict=False))


def join_reply_parts(parts: Sequence[str], fragments: set[int]) -> str:
    """The reply for a turn that answered texts in several rounds.

    A part that only answered unfinished texts ("ok so" -> "I'm listening") is left out once
    later parts follow; a line every part ends with (the onboarding question) is said once, at
    the end. Both keep a burst's reply within its SMS segments, so no confirmation is cut off.
    """
    last = len(parts) - 1
    kept = [part for i, part in enumerate(parts) if part and not (i in fragments and i < last)]
    lines = [line for part in kept for line in part.splitlines()]
    seen: set[str] = set()
    out: list[str] = []
    for line in reversed(lines):
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(reversed(out))
