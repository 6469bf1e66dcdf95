"""Gemini API responses shaped like the real `generateContent` JSON, served through the SDK's
own HTTP client (httpx2) with a mock transport: the adapter runs unchanged, no network."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2


def function_call_response(name: str, args: dict[str, Any]) -> dict:
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"functionCall": {"name": name, "args": args}}],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 812,
            "candidatesTokenCount": 14,
            "totalTokenCount": 826,
        },
        "modelVersion": "gemini-2.5-flash",
    }


def text_response(text: str) -> dict:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 900,
            "candidatesTokenCount": 21,
            "totalTokenCount": 921,
        },
        "modelVersion": "gemini-2.5-flash",
    }


def error_response(code: int) -> httpx2.Response:
    status = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}.get(code, "UNKNOWN")
    return httpx2.Response(
        code, json={"error": {"code": code, "message": f"scripted {code}", "status": status}}
    )


class ScriptedGeminiApi:
    """Answers each request with the next scripted item (a dict, a Response or an exception)."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.requests: list[dict] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append({"url": str(request.url), "body": json.loads(request.content)})
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx2.Response):
            return item
        return httpx2.Response(200, json=item)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handler))


def gemini_model(api: ScriptedGeminiApi, **options: Any):
    from nudge.llm.gemini import GeminiModel

    return GeminiModel(
        api_key="test-key",
        model="gemini-2.5-flash",
        http_client=api.client(),
        initial_retry_delay=0.01,
        **options,
    )


Handler = Callable[[httpx2.Request], httpx2.Response]
