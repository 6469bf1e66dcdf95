"""The seed's AI_TASKS (one request for background work) and TASK_RESULTS (what it produced)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nudge.models import Document


class AITaskType(StrEnum):
    youtube_summary = "youtube_summary"
    web_search = "web_search"
    # Finding the Notion data source notes go to, by the name the person said.
    notion_database = "notion_database"


# The function that does each type of work (a directory under functions/).
FUNCTION_FOR_TYPE: dict[AITaskType, str] = {
    AITaskType.youtube_summary: "youtube",
    AITaskType.web_search: "web_search",
    AITaskType.notion_database: "notion_sync",
}


class AITaskStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


FINISHED = (AITaskStatus.done, AITaskStatus.failed)


class Source(BaseModel):
    title: str
    url: str


class AITaskResult(BaseModel):
    """TASK_RESULTS: the text the person got, plus what was kept from it."""

    text: str
    sources: list[Source] = Field(default_factory=list)
    note_id: str | None = None
    memory_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class AITask(Document):
    type: AITaskType
    parameters: dict[str, Any] = Field(default_factory=dict)
    # What "what are you working on?" says about it: "summarizing youtu.be/abc".
    label: str
    status: AITaskStatus = AITaskStatus.queued
    result: AITaskResult | None = None
    # Deliveries that started work; `attempt` is the Cloud Tasks retry count of the latest.
    attempts: int = 0
    attempt: int = -1
    turn_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # A short reason (an exception type or provider state), never third-party content.
    last_error: str | None = None
    # The SMS that told the person the outcome (sent once, by this id).
    reply_message_id: str | None = None
    notified: bool = False


class AITaskRef(BaseModel):
    """The payload of a task on the `integrations` queue: which AI task of whom to run."""

    model_config = ConfigDict(extra="forbid")

    # Tells an AI task apart where a function takes other work too (notion_sync's syncs).
    action: Literal["ai_task"] = "ai_task"
    user_id: str
    task_id: str
