"""Turning the person's words around for Nudge's replies: "take my meds" -> "take your meds"."""

from __future__ import annotations

import re

_SWAPS = {
    "my": "your", "me": "you", "mine": "yours", "myself": "yourself", "i": "you",
    "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've", "i'll": "you'll",
    "i'd": "you'd", "our": "your", "ours": "yours", "ourselves": "yourselves", "we": "you",
    "us": "you", "we're": "you're",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z']+")


def second_person(text: str) -> str:
    """The person's first-person words as Nudge says them back. "am" after "I" becomes "are";
    everything else (names, "your" already turned) is left as written."""
    out: list[str] = []
    last = 0
    previous = ""
    for match in _WORD.finditer(text):
        word = match[0]
        lower = word.lower().replace("\u2019", "'")
        swapped = _SWAPS.get(lower)
        if lower == "am" and previous == "i":
            swapped = "are"
        if lower == "was" and previous == "i":
            swapped = "were"
        out.append(text[last : match.start()])
        out.append(swapped if swapped is not None else word)
        last = match.end()
        previous = lower
    out.append(text[last:])
    return "".join(out)
