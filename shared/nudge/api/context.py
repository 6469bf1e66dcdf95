"""What a route may touch: the signed-in user's data and the process's ports."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nudge.api.access import Principal
from nudge.models import User, utcnow
from nudge.settings import Settings
from nudge.store import Store


@dataclass
class ApiDeps:
    store: Store
    settings: Settings
    # The reminder queue and SMS port (reminders, chat, the last SMS on deletion).
    queue: Any
    sender: Any
    # A fresh language model for a chat turn (Gemini with the offline fallback).
    model_factory: Callable[[], Any]
    embedder_factory: Callable[[], Any] | None = None
    clock: Callable[[], datetime] = field(default=utcnow)

    def reminder_deps(self):
        from nudge.reminders.engine import ReminderDeps

        return ReminderDeps(
            store=self.store, queue=self.queue, sender=self.sender, settings=self.settings
        )


@dataclass
class ApiContext:
    deps: ApiDeps
    user: User
    principal: Principal
    now: datetime

    @property
    def store(self) -> Store:
        return self.deps.store

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def user_id(self) -> str:
        return self.user.id or ""

    @property
    def timezone(self) -> str:
        return self.user.timezone or self.settings.default_timezone

    def tools(self):
        """The agent tools' context: routes call the same use cases the agent does."""
        from nudge.agent.tools import ToolContext

        return ToolContext(
            store=self.store,
            user=self.user,
            settings=self.settings,
            now=self.now,
            turn_id=f"api-{uuid.uuid4().hex}",
            embedder_factory=self.deps.embedder_factory,
            reminder_deps=self.deps.reminder_deps(),
        )


def default_deps() -> ApiDeps:
    from nudge.llm.fallback import model_for_turn
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    settings = get_settings()
    return ApiDeps(
        store=Store.default(),
        settings=settings,
        queue=default_task_queue(),
        sender=default_sender(),
        model_factory=lambda: model_for_turn(settings),
    )
