"""The tool loop: ask the model, run the tools it calls, send the results back, repeat."""

from __future__ import annotations

from dataclasses import dataclass, field

from nudge.agent.tools.registry import ToolContext, ToolRegistry, carries_third_party
from nudge.llm.types import ChatMessage, LanguageModel, ModelRequest, Usage

OUT_OF_STEPS = "I did what I could for now. What's the one next thing you'd like?"


@dataclass
class LoopResult:
    text: str
    tools_called: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    models: list[str] = field(default_factory=list)
    iterations: int = 0


def run_tool_loop(
    model: LanguageModel,
    request: ModelRequest,
    registry: ToolRegistry,
    ctx: ToolContext,
    *,
    max_iterations: int,
) -> LoopResult:
    result = LoopResult(text="")
    messages = list(request.messages)
    for _ in range(max_iterations):
        reply = model.generate(request.model_copy(update={"messages": messages}))
        result.iterations += 1
        result.usage = result.usage + reply.usage
        result.models.append(reply.model)
        if not reply.function_calls:
            result.text = (reply.text or "").strip() or OUT_OF_STEPS
            return result
        messages.append(
            ChatMessage(
                role="model",
                function_calls=reply.function_calls,
                provider_content=reply.provider_content,
            )
        )
        outcomes = [registry.execute(call, ctx) for call in reply.function_calls]
        # Calls the model makes after reading third-party text are held (see registry).
        if any(carries_third_party(outcome) for outcome in outcomes):
            ctx.hold_writes = True
        result.tools_called += [call.name for call in reply.function_calls]
        messages.append(ChatMessage(role="tool", function_results=outcomes))
    # Out of iterations: one last answer with no tools offered, so it must speak.
    reply = model.generate(request.model_copy(update={"messages": messages, "tools": []}))
    result.usage = result.usage + reply.usage
    result.models.append(reply.model)
    result.text = (reply.text or "").strip() if not reply.function_calls else ""
    result.text = result.text or OUT_OF_STEPS
    return result
