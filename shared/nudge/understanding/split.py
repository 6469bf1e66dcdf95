"""Several requests in one text: "buy milk, call mom and email the landlord about the leak"."""

from __future__ import annotations

import re

# Verbs that start a to-do; a part that starts with one is a request of its own, a part that
# doesn't ("eggs", "bread") belongs to the verb before it.
TASK_VERBS = {
    "buy", "call", "text", "email", "e-mail", "message", "phone", "ring", "book", "pay",
    "clean", "wash", "do", "finish", "send", "write", "read", "make", "fix", "schedule",
    "cancel", "renew", "return", "take", "get", "go", "check", "reply", "respond", "submit",
    "file", "order", "water", "feed", "walk", "vacuum", "sort", "print", "sign", "mail",
    "update", "study", "practice", "clear", "tidy", "cook", "prep", "plan", "pick", "drop",
    "collect", "post", "ship", "apply", "register", "refill", "organize", "organise", "pack",
    "unpack", "change", "replace", "look", "find", "research", "review", "start",
    "empty", "fold", "iron", "mow", "shower", "exercise", "meditate", "visit", "see", "ask",
    "tell", "remind", "confirm", "move", "put", "bring", "charge", "backup", "back", "install",
    "dust", "mop", "sweep", "hang", "grab", "download", "upload", "shop", "laundry",
    "dishes", "groceries", "declutter", "wrap", "contact", "invite", "add",
}  # fmt: skip

_VERB_AHEAD = "(?=(?:" + "|".join(sorted(TASK_VERBS, key=len, reverse=True)) + r")\b)"
# Where one request ends and the next begins; a bare "then"/"also" only before a verb ("pay
# rent then call mom"), so "I also need to..." stays whole.
_SEPARATORS = re.compile(
    r"\s*(?:\n+|;|,?\s+and\s+(?:then|also)\s+|,\s*(?:then|also|plus)\s+|"
    rf"\s+(?:then|also|plus)\s+{_VERB_AHEAD})\s*",
    re.I,
)
_LIST = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+and\s+|\s+&\s+", re.I)


_LEAD = re.compile(
    r"^(?:(?:i|we)\s+)?(?:(?:really|also|still|just)\s+)*(?:need to|have to|gotta|got to|should|"
    r"must|want to|wanna|ought to)\s+",
    re.I,
)


def _starts_with_verb(part: str) -> bool:
    words = _LEAD.sub("", part.lower()).split()
    return bool(words) and words[0] in TASK_VERBS


def split_requests(text: str) -> list[str]:
    """The requests in a text, in order. A list whose parts each start with a verb is split;
    "buy milk, eggs and bread" stays one request (one verb, three things)."""
    requests: list[str] = []
    for chunk in _SEPARATORS.split(text):
        chunk = chunk.strip(" .!,")
        if not chunk:
            continue
        parts = [p.strip(" .!") for p in _LIST.split(chunk) if p.strip(" .!")]
        if (
            len(parts) > 1
            and sum(_starts_with_verb(p) for p in parts) >= (1 if _LEAD.match(parts[-1]) else 2)
            and all(_starts_with_verb(p) or len(p.split()) >= 2 for p in parts[1:])
        ):
            # Parts without a verb of their own ride on the request before them.
            merged: list[str] = []
            for part in parts:
                if merged and not _starts_with_verb(part):
                    merged[-1] = f"{merged[-1]} and {part}"
                else:
                    merged.append(part)
            requests.extend(merged)
        else:
            requests.append(chunk)
    return requests


def list_items(text: str) -> list[str]:
    """ "milk, eggs and bread" -> ["milk", "eggs", "bread"]."""
    return [p.strip(" .!") for p in _LIST.split(text) if p.strip(" .!")]
