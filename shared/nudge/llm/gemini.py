"""Gemini through google-genai: our own tool loop (automatic function calling off)."""

from __future__ import annotations

import logging
from typing import Any

from nudge.llm.types import (
    ChatMessage,
    FunctionCall,
    ModelReply,
    ModelRequest,
    ModelUnavailable,
    ToolSpec,
    Usage,
)

log = logging.getLogger("nudge.llm")

RETRYABLE_STATUS = [408, 429, 500, 502, 503, 504]


class GeminiModel:
    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        timeout_seconds: float = 20.0,
        attempts: int = 3,
        initial_retry_delay: float = 1.0,
        http_client: Any = None,
    ) -> None:
        from google import genai
        from google.genai import types

        self.name = f"gemini:{model}"
        self.model = model
        retry = types.HttpRetryOptions(
            attempts=attempts,
            initial_delay=initial_retry_delay,
            max_delay=initial_retry_delay * 8,
            http_status_codes=RETRYABLE_STATUS,
        )
        self._client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                timeout=int(timeout_seconds * 1000), retry_options=retry, httpx_client=http_client
            ),
        )

    def generate(self, request: ModelRequest) -> ModelReply:
        from google.genai import errors, types

        config = types.GenerateContentConfig(
            system_instruction=request.system_instruction,
            tools=[types.Tool(function_declarations=[_declaration(t) for t in request.tools])]
            if request.tools
            else None,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            temperature=0.4,
        )
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=[_content(m) for m in request.messages], config=config
            )
        except errors.APIError as exc:
            raise ModelUnavailable(f"Gemini answered {exc.code}") from exc
        except Exception as exc:  # transport errors and timeouts from the HTTP client
            if type(exc).__module__.startswith(("httpx", "httpcore", "httpx2")):
                raise ModelUnavailable(f"Gemini unreachable: {type(exc).__name__}") from exc
            raise
        return _reply(self.name, response)


def gemini_from_settings(settings, http_client: Any = None) -> GeminiModel:
    """The configured Gemini (`http_client`: an httpx2 client; tests answer at its transport)."""
    return GeminiModel(
        api_key=settings.gemini_api_key.get_secret_value(),
        model=settings.gemini_model,
        timeout_seconds=settings.gemini_timeout_seconds,
        attempts=settings.gemini_attempts,
        http_client=http_client,
    )


def _declaration(spec: ToolSpec):
    from google.genai import types

    # Schema.from_json_schema gives the API's own schema shape (the raw JSON-schema field is
    # sent un-camelCased by this SDK version).
    schema = types.Schema.from_json_schema(
        json_schema=types.JSONSchema.model_validate(spec.parameters), api_option="GEMINI_API"
    )
    return types.FunctionDeclaration(
        name=spec.name, description=spec.description, parameters=schema
    )


def _content(message: ChatMessage):
    from google.genai import types

    if message.provider_content is not None:
        return message.provider_content
    if message.role == "tool":
        return types.Content(
            role="user",
            parts=[
                types.Part(
                    function_response=types.FunctionResponse(
                        name=r.name, response=r.response, id=r.id
                    )
                )
                for r in message.function_results
            ],
        )
    parts = [types.Part(text=message.text)] if message.text else []
    parts += [
        types.Part(function_call=types.FunctionCall(name=c.name, args=c.args, id=c.id))
        for c in message.function_calls
    ]
    return types.Content(role=message.role, parts=parts)


def _reply(name: str, response) -> ModelReply:
    usage = response.usage_metadata
    calls = [
        FunctionCall(name=c.name, args=dict(c.args or {}), id=c.id)
        for c in (response.function_calls or [])
    ]
    candidate = response.candidates[0] if response.candidates else None
    text = None
    if not calls and candidate and candidate.content and candidate.content.parts:
        text = "".join(p.text for p in candidate.content.parts if p.text and not p.thought)
    if not calls and not text:
        reason = getattr(candidate, "finish_reason", None) if candidate else "no candidates"
        raise ModelUnavailable(f"Gemini returned nothing usable ({reason})")
    return ModelReply(
        model=name,
        text=text,
        function_calls=calls,
        usage=Usage(
            input_tokens=(usage.prompt_token_count or 0) if usage else 0,
            output_tokens=(usage.candidates_token_count or 0) if usage else 0,
        ),
        provider_content=candidate.content if candidate else None,
    )
