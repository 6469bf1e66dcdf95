"""Summaries that fit a text message: Gemini when configured, else extractive, offline.

The model gets the content fenced as untrusted data and no tools (see `untrusted`). The
offline model is never used here: it reads text as commands, and this text is not the user's.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from nudge.integrations.untrusted import UNTRUSTED_INSTRUCTION, quote_untrusted
from nudge.memory.text import keywords
from nudge.settings import Settings

log = logging.getLogger("nudge.integrations")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Summary(BaseModel):
    text: str
    points: list[str] = Field(default_factory=list)
    by: str  # "gemini" or "extractive"


def sentences(text: str, *, words_per_chunk: int = 25) -> list[str]:
    """Sentences; text without punctuation (auto captions) is cut into chunks of words."""
    found = [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
    chunked: list[str] = []
    for sentence in found:
        words = sentence.split()
        for start in range(0, len(words), words_per_chunk * 2):
            if len(words) <= words_per_chunk * 2:
                chunked.append(sentence)
                break
            chunked.append(" ".join(words[start : start + words_per_chunk]))
    return chunked


def extractive_points(text: str, count: int = 3, max_chars: int = 160) -> list[str]:
    """The `count` sentences whose words recur most in the text, in their original order."""
    candidates = sentences(text)
    if not candidates:
        return []
    frequency = Counter(keywords(text, limit=10_000))
    scored = []
    for index, sentence in enumerate(candidates):
        words = keywords(sentence, limit=100)
        if len(words) < 3:
            continue
        score = sum(frequency[w] for w in set(words)) / (len(set(words)) ** 0.5)
        scored.append((score, index, sentence))
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:count]
    return [_clip(sentence, max_chars) for _, _, sentence in sorted(best, key=lambda s: s[1])]


def _clip(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 3].rsplit(" ", 1)[0] + "..."


def summarize(
    settings: Settings, *, what: str, source: str, content: str, gemini_http: Any = None
) -> Summary:
    """Three points worth remembering about `content` (`what`: "a YouTube video", ...).
    `gemini_http`: the httpx2 client Gemini speaks through (None: its own)."""
    if settings.gemini_api_key is not None:
        try:
            return _with_gemini(
                settings, what=what, source=source, content=content, http_client=gemini_http
            )
        except Exception as exc:  # an outage must not lose the summary: fall back
            log.warning("summary by Gemini failed (%s); extractive instead", type(exc).__name__)
    points = extractive_points(content)
    return Summary(text=" ".join(points), points=points, by="extractive")


def _with_gemini(
    settings: Settings, *, what: str, source: str, content: str, http_client: Any
) -> Summary:
    from nudge.llm.gemini import gemini_from_settings
    from nudge.llm.types import ChatMessage, ModelRequest, TurnFacts

    model = gemini_from_settings(settings, http_client)
    instruction = (
        f"You summarize {what} for an adult with ADHD, read by SMS. {UNTRUSTED_INSTRUCTION} "
        "Answer in plain text, no markdown: exactly three lines, each starting with '- ', "
        "each one thing worth remembering, under 100 characters."
    )
    request = ModelRequest(
        system_instruction=instruction,
        messages=[ChatMessage(role="user", text=quote_untrusted(source, content))],
        tools=[],  # third-party text can never reach a tool
        facts=TurnFacts(timezone=settings.default_timezone),
    )
    reply = model.generate(request)
    if reply.function_calls:  # no tools were offered: a call is the content talking
        raise ValueError("the summary model asked for a tool")
    lines = [line.strip().lstrip("-* ").strip() for line in (reply.text or "").splitlines()]
    points = [_clip(line, 160) for line in lines if line][:3]
    if not points:
        raise ValueError("empty summary")
    return Summary(text=" ".join(points), points=points, by="gemini")
