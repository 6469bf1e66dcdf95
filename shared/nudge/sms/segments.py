"""SMS segment rules: GSM-7 fits 160 characters (153 per part when concatenated); anything
outside GSM-7 makes the whole message UCS-2, 70 characters (67 per part)."""

from __future__ import annotations

import re

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets

# Characters LLMs like that would force UCS-2 (and halve the room) for no reason.
_TYPOGRAPHY = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
)
_MARKDOWN = [
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"(?m)^#{1,6}\s*"), ""),
    (re.compile(r"(?m)^\s*[*•]\s+"), "- "),
    (re.compile(r"`([^`]*)`"), r"\1"),
]


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def septets(text: str) -> int:
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


def segment_count(text: str) -> int:
    if not text:
        return 1
    if is_gsm7(text):
        length, single, multi = septets(text), 160, 153
    else:
        # UCS-2 counts UTF-16 code units: an emoji takes two.
        length, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else -(-length // multi)


def plain_sms(text: str) -> str:
    """SMS is plain text: drop markdown, straighten typography, trim blank runs."""
    text = text.translate(_TYPOGRAPHY)
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def fit_segments(text: str, max_segments: int = 3) -> str:
    """Cut `text` to at most `max_segments`, at a sentence end if one is near, else a word."""
    text = plain_sms(text)
    if segment_count(text) <= max_segments:
        return text
    ellipsis = "..."
    low, high = 0, len(text)
    while low < high:  # longest prefix that still fits with the ellipsis
        mid = (low + high + 1) // 2
        if segment_count(text[:mid].rstrip() + ellipsis) <= max_segments:
            low = mid
        else:
            high = mid - 1
    prefix = text[:low]
    sentence_end = max(
        prefix.rfind(". "), prefix.rfind("! "), prefix.rfind("? "), prefix.rfind("\n")
    )
    if sentence_end >= low * 0.6:
        return prefix[: sentence_end + 1].rstrip()
    word_end = prefix.rfind(" ")
    cut = prefix[:word_end] if word_end > 0 else prefix
    return cut.rstrip(" ,;:-") + ellipsis
