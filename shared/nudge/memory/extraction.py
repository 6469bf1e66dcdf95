"""Deciding what to keep: durable facts from conversation, and how each relates to what is
already known (mem0's ADD / UPDATE / INVALIDATE / NONE).

Gemini answers with JSON constrained by a pydantic response schema. Offline there is no
extraction: only what the user explicitly asked to remember (already stored by `remember`) is
kept, and nothing is invalidated on a guess.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field


class CandidateFact(BaseModel):
    content: str = Field(description="one durable fact about the user, in one sentence")
    memory_type: Literal["fact", "preference", "event", "person", "routine", "insight"] = "fact"
    importance: float = Field(0.5, ge=0, le=1)


class Extraction(BaseModel):
    facts: list[CandidateFact] = Field(default_factory=list)


class Decision(BaseModel):
    action: Literal["add", "update", "invalidate", "none"]
    target_id: str | None = Field(None, description="the existing memory updated or invalidated")
    content: str | None = Field(None, description="for update: the merged sentence")


class MemoryJudge(Protocol):
    name: str

    def extract(self, conversation: str) -> Extraction: ...

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision: ...


class OfflineJudge:
    name = "offline"

    def extract(self, conversation: str) -> Extraction:
        return Extraction()

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision:
        return Decision(action="add")


EXTRACT_PROMPT = """From these text messages of one person, list durable facts about them worth
remembering for months (people, places, preferences, routines, decisions, commitments). Skip
small talk, one-off moods and anything about the assistant. One sentence each.

{conversation}"""

DECIDE_PROMPT = """A new fact about the user, and the closest facts already remembered. Decide:
- "none" if it is already known,
- "update" (target_id, content) if it adds detail to one of them: give the merged sentence,
- "invalidate" (target_id) if it contradicts one of them, which is no longer true,
- "add" if it is new.

New fact: {candidate}
Remembered: {neighbours}"""


class GeminiJudge:
    def __init__(self, *, api_key: str, model: str, http_client: Any = None) -> None:
        from google import genai
        from google.genai import types

        self.name = f"gemini:{model}"
        self.model = model
        self._client = genai.Client(
            api_key=api_key, http_options=types.HttpOptions(httpx_client=http_client)
        )

    def _ask(self, prompt: str, schema: type[BaseModel]) -> BaseModel:
        from google.genai import types

        response = self._client.models.generate_content(
            model=self.model,
            contents=prompt,
            config=types.GenerateContentConfig(
                response_mime_type="application/json", response_schema=schema, temperature=0
            ),
        )
        return schema.model_validate_json(response.text or "{}")

    def extract(self, conversation: str) -> Extraction:
        return self._ask(EXTRACT_PROMPT.format(conversation=conversation), Extraction)  # type: ignore[return-value]

    def decide(self, candidate: CandidateFact, neighbours: list[dict[str, Any]]) -> Decision:
        import json

        prompt = DECIDE_PROMPT.format(
            candidate=candidate.content, neighbours=json.dumps(neighbours)
        )
        return self._ask(prompt, Decision)  # type: ignore[return-value]


def judge_for(settings) -> MemoryJudge:
    if settings.gemini_api_key is None:
        return OfflineJudge()
    return GeminiJudge(
        api_key=settings.gemini_api_key.get_secret_value(), model=settings.gemini_model
    )
