"""The tool registry: a tool is a pydantic argument model plus a function.

Adding a tool is one small module: define its argument model, decorate its function with
`@tool`, and import the module in `nudge.agent.tools`. Declarations for the LLM are generated
from the argument models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from nudge.llm.types import FunctionCall, FunctionResult, ToolSpec
from nudge.models import User
from nudge.settings import Settings
from nudge.store import Store

log = logging.getLogger("nudge.tools")


@dataclass
class ToolContext:
    """What a tool may touch: one user's data, the clock, the embedder."""

    store: Store
    user: User
    settings: Settings
    now: datetime
    turn_id: str
    source_message_ids: list[str] = field(default_factory=list)
    embedder_factory: Callable[[], Any] | None = None
    # The queue and SMS port for reminder tools; None means the process defaults.
    reminder_deps: Any = None

    @cached_property
    def embedder(self):
        if self.embedder_factory is None:
            from nudge.embeddings import default_embedder

            return default_embedder()
        return self.embedder_factory()

    @property
    def timezone(self) -> str:
        return self.user.timezone or self.settings.default_timezone

    def refresh_user(self) -> User:
        self.user = self.store.users.require(self.user.id)
        return self.user


Handler = Callable[[ToolContext, Any], dict[str, Any]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args_model: type[BaseModel]
    handler: Handler

    def spec(self) -> ToolSpec:
        schema = _inline_refs(self.args_model.model_json_schema())
        schema.pop("title", None)
        schema.pop("description", None)
        return ToolSpec(name=self.name, description=self.description, parameters=schema)


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace `$ref`s to `$defs` (enums, nested models) with the definitions themselves:
    function-declaration schemas accept no references."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = definitions[node["$ref"].rsplit("/", 1)[1]]
                merged = {**resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}
                return merged
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def register(self, tool: Tool) -> Tool:
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name} registered twice")
        self._tools[tool.name] = tool
        return tool

    def names(self) -> list[str]:
        return sorted(self._tools)

    def specs(self) -> list[ToolSpec]:
        return [self._tools[name].spec() for name in self.names()]

    def execute(self, call: FunctionCall, ctx: ToolContext) -> FunctionResult:
        """Run one call; bad arguments and tool failures become an error the model can read."""
        tool = self._tools.get(call.name)
        if tool is None:
            response: dict[str, Any] = {"error": f"unknown tool {call.name}"}
        else:
            try:
                args = tool.args_model.model_validate(call.args)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                )
                response = {"error": f"invalid arguments: {problems}"}
            else:
                try:
                    response = tool.handler(ctx, args)
                except Exception as exc:  # one broken tool must not lose the whole turn
                    log.exception("tool %s failed", call.name)
                    response = {"error": f"{call.name} failed ({type(exc).__name__})"}
        return FunctionResult(name=call.name, response=response, id=call.id)


registry = ToolRegistry()


def tool(name: str, args_model: type[BaseModel]) -> Callable[[Handler], Handler]:
    """Register `handler` as tool `name`; its docstring is the description the model sees."""

    def decorate(handler: Handler) -> Handler:
        description = " ".join((handler.__doc__ or name).split())
        registry.register(Tool(name, description, args_model, handler))
        return handler

    return decorate
