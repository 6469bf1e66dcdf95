"""Deciding what to keep: durable facts from conversation, and how each relates to what is
already known (mem0's ADD / UPDATE / INVALIDATE / NONE).

Gemini answers with JSON constrained by a pydantic response schema. Offline there is no
extraction: only what the user explicitly asked to remember (already stored by `remember`) is
kept, and nothing is invalidated on a guess.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from nudge.memory.text import Tags

log = logging.getLogger("nudge.memory")


class CandidateFact(BaseModel):
    content: str = Field(description="one durable fact about the user, in one sentence")
    memory_type: Literal["fact", "preference", "event", "person", "routine", "insight"] = "fact"
    importance: float = Field(0.5, ge=0, le=1)
    tags: Tags = Field(
        default_factory=list,
        description="up to 8 words they might search with later that the sentence lacks: "
        "broader topics and synonyms (e.g. food, restaurant for a favourite takeaway)",
    )


class Extraction(BaseModel):
    facts: list[CandidateFact] = Field(default_factory=list)


class Decision(BaseModel):
    action: Literal["add", "update", "invalidate", "none"]
    target_id: str | None = Field(None, description="the existing memory updated or invalidated")
    content: str | None = Field(None, description="for update: the merged sentence")


class DaySummary(BaseModel):
    summary: str = Field(description="one or two sentences: what the day was about for them")


class MemoryJudge(Protocol):
    name: str

    def extract(self, conversation: str) -> Extraction: ...

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision: ...

    def summarize_day(self, day: str, texts: list[str]) -> str: ...


def digest(texts: list[str]) -> str:
    """The offline day summary: how much they texted and about what, in their own words."""
    topics = "; ".join(text[:60] for text in texts[:6])
    return f"They texted {len(texts)} time(s): {topics}"


class OfflineJudge:
    name = "offline"

    def extract(self, conversation: str) -> Extraction:
        return Extraction()

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision:
        return Decision(action="add")

    def summarize_day(self, day: str, texts: list[str]) -> str:
        return digest(texts)


EXTRACT_PROMPT = """From these text messages of one person, list durable facts about them worth
remembering for months (people, places, preferences, routines, decisions, commitments). Skip
small talk, one-off moods and anything about the assistant. One sentence each, with tags: the
words they might later search with that the sentence lacks (broader topics, synonyms).

{conversation}"""

DECIDE_PROMPT = """A new fact about the user, and the closest facts already remembered. Decide:
- "none" if it is already known,
- "update" (target_id, content) if it adds detail to one of them: give the merged sentence,
- "invalidate" (target_id) if it contradicts one of them, which is no longer true,
- "add" if it is new.

New fact: {candidate}
Remembered: {neighbours}"""


SUMMARY_PROMPT = """In one or two plain sentences, what was {day} about for this person, from
their texts (what they worked on, felt, decided)? No advice.

{texts}"""


class GeminiJudge:
    def __init__(self, *, api_key: str, model: str, http_client: Any = None) -> None:
        from google import genai
        from google.genai import types

        self.name = f"gemini:{model}"
        self.model = model
        self._client = genai.Client(
            api_key=api_key, http_options=types.HttpOptions(httpx_client=http_client)
        )

    def _ask(self, prompt: str, schema: type[BaseModel]) -> BaseModel | None:
        """The answer, or None when Gemini fails or answers outside the schema (the caller
        then does what the offline judge would: nothing is lost, nothing guessed)."""
        from google.genai import errors, types

        try:
            response = self._client.models.generate_content(
                model=self.model,
                contents=prompt,
                config=types.GenerateContentConfig(
                    response_mime_type="application/json", response_schema=schema, temperature=0
                ),
            )
            return schema.model_validate_json(response.text or "{}")
        except (errors.APIError, ValidationError) as exc:
            log.warning(
                "memory judge: unusable %s answer (%s)", schema.__name__, type(exc).__name__
            )
            return None

    def extract(self, conversation: str) -> Extraction:
        answer = self._ask(EXTRACT_PROMPT.format(conversation=conversation), Extraction)
        return answer if isinstance(answer, Extraction) else Extraction()

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision:
        import json

        prompt = DECIDE_PROMPT.format(
            candidate=candidate.content, neighbours=json.dumps(neighbours)
        )
        answer = self._ask(prompt, Decision)
        return answer if isinstance(answer, Decision) else Decision(action="add")

    def summarize_day(self, day: str, texts: list[str]) -> str:
        answer = self._ask(SUMMARY_PROMPT.format(day=day, texts="\n".join(texts)), DaySummary)
        return answer.summary if isinstance(answer, DaySummary) else digest(texts)


def judge_for(settings) -> MemoryJudge:
    if settings.gemini_api_key is None:
        return OfflineJudge()
    return GeminiJudge(
        api_key=settings.gemini_api_key.get_secret_value(), model=settings.gemini_model
    )
