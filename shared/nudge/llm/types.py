"""Provider-neutral shapes for a tool-using conversation with a model."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class FunctionCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class FunctionResult(BaseModel):
    name: str
    response: dict[str, Any]
    id: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    role: Literal["user", "model", "tool"]
    text: str | None = None
    function_calls: list[FunctionCall] = Field(default_factory=list)
    function_results: list[FunctionResult] = Field(default_factory=list)
    # The provider's own turn object, replayed unchanged (Gemini's thought signatures).
    provider_content: Any = Field(default=None, exclude=True)


class ToolSpec(BaseModel):
    name: str
    description: str
    parameters: dict[str, Any]


# What the offline model adds to a reply while it does not know the person's name or
# timezone; `awaiting` is set while one of the last few replies asked it.
ASK_NAME = "By the way, I'm Nudge. What should I call you?"
ASK_TIMEZONE = "What city or timezone are you in? So reminders land at the right time."


class TurnFacts(BaseModel):
    """What the offline model needs to know that a prompt would otherwise tell an LLM."""

    user_name: str | None = None
    timezone: str
    timezone_known: bool = False
    local_time: str = ""
    # The onboarding answer our last message asked for, so a bare "Sam" or "Berlin" is read
    # as that answer (and never otherwise).
    awaiting: Literal["name", "timezone"] | None = None
    # A reminder our last message asked a time for: a bare "5pm" answers it.
    pending_reminder: str | None = None
    pending_when: str = ""
    # Nudge's last few replies, oldest first: the list a "delete number 1" refers to, the
    # offer a "yes" accepts, whether the full menu was shown already.
    recent_replies: list[str] = Field(default_factory=list)
    # A reminder sent and not yet answered: "just called mum!!" or "took them" closes it.
    reminder_waiting: str | None = None
    # A time block our last message proposed: a bare "yes" books it.
    pending_timebox: str | None = None


class ModelRequest(BaseModel):
    system_instruction: str
    messages: list[ChatMessage]
    tools: list[ToolSpec] = Field(default_factory=list)
    facts: TurnFacts


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
        )


class ModelReply(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: str
    text: str | None = None
    function_calls: list[FunctionCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    provider_content: Any = Field(default=None, exclude=True)


class ModelUnavailable(RuntimeError):
    """The model could not answer (quota, outage, timeout, not configured)."""


class LanguageModel(Protocol):
    name: str

    def generate(self, request: ModelRequest) -> ModelReply: ...
