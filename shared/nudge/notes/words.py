"""The words notes are searched by: the same normalization as memory keywords, with counts."""

from __future__ import annotations

import re

from nudge.memory.text import keywords

_RAW_WORD = re.compile(r"[A-Za-z0-9']+")


def terms(text: str) -> list[str]:
    """Every normalized word of `text`, repeats kept (term frequency matters to ranking)."""
    found: list[str] = []
    for word in _RAW_WORD.findall(text):
        found.extend(keywords(word, limit=1))
    return found
