"""How memories are written for search: normalized keywords and the dated text embedded."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

_WORD = re.compile(r"[a-z0-9']+")
_STOPWORD_TEXT = (
    "a an and are as at be but by did do does for from had has have i i'm in is it its me "
    "my of on or our she he that the their them they this to was we were what when where "
    "which who why will with you your about just can could would should there here how "
    "know tell remember any anything some"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Two memories this close (cosine distance) say the same thing.
SAME_FACT_DISTANCE = 0.04
# The words of a query looked up (one count each): a whole incoming text can be the query.
MAX_QUERY_KEYWORDS = 16
MAX_TAGS = 8
MAX_TAG_CHARS = 40


def _stem(word: str) -> str:
    """A light stemmer: enough to match "birthday"/"birthdays", "moved"/"move"."""
    word = word.strip("'").removesuffix("'s")
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as every writer stores them (LLM, tool call, ingest file): a long list is trimmed,
    not refused (refusing would lose the fact), and a tag cannot crowd out the words."""
    cleaned: dict[str, None] = {}
    for tag in tags:
        tag = " ".join(str(tag).split())[:MAX_TAG_CHARS]
        if tag:
            cleaned.setdefault(tag)
    return list(cleaned)[:MAX_TAGS]


# Tags as a pydantic field type: every model that carries tags cleans them the same way.
Tags = Annotated[list[str], AfterValidator(clean_tags)]


def keywords(text: str, *, tags: Iterable[str] = (), limit: int = 60) -> list[str]:
    """The normalized words a memory is found by (stored sorted).

    Tags come first when the list is cut: they are the words the LLM chose for later searches,
    broader topics and synonyms the sentence lacks ("food" for a favourite takeaway), which is
    how the lexical path reaches paraphrases. Then the text's words in the order said.
    """
    chosen: dict[str, None] = {}
    for source in (" ".join(tags), text):
        for word in _WORD.findall(source.lower()):
            stem = _stem(word)
            if stem and stem not in _STOPWORDS and len(stem) > 1:
                chosen.setdefault(stem)
    return sorted(list(chosen)[:limit])


def dated(content: str, day: date) -> str:
    """What is embedded and shown: the date is part of the memory."""
    return f"({day.isoformat()}) {content}"
