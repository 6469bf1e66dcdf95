"""The Gemini adapter through google-genai's HTTP layer, with API-shaped responses."""

from __future__ import annotations

import httpx2
import pytest

from nudge.agent.tools import registry
from nudge.llm.fallback import FallbackModel
from nudge.llm.offline import OfflineModel
from nudge.llm.types import ChatMessage, FunctionResult, ModelRequest, ModelUnavailable, TurnFacts
from tests.support.gemini_api import (
    ScriptedGeminiApi,
    error_response,
    function_call_response,
    gemini_model,
    text_response,
)


def request(text: str = "todo: renew passport") -> ModelRequest:
    return ModelRequest(
        system_instruction="You are Nudge.",
        messages=[ChatMessage(role="user", text=text)],
        tools=registry.specs(),
        facts=TurnFacts(user_name="Sam", timezone="America/Toronto", timezone_known=True),
    )


def test_a_function_call_then_text():
    api = ScriptedGeminiApi(
        function_call_response("add_task", {"title": "renew passport"}),
        text_response("Added renew passport. What's the first tiny step?"),
    )
    model = gemini_model(api)
    first = model.generate(request())
    assert [(c.name, c.args) for c in first.function_calls] == [
        ("add_task", {"title": "renew passport"})
    ]
    assert first.usage.input_tokens == 812

    body = api.requests[0]["body"]
    assert api.requests[0]["url"].endswith("/models/gemini-2.5-flash:generateContent")
    assert body["systemInstruction"]["parts"][0]["text"] == "You are Nudge."
    declared = {d["name"]: d for d in body["tools"][0]["functionDeclarations"]}
    assert set(declared) == set(registry.names())
    assert declared["add_task"]["parameters"]["required"] == ["title"]
    assert declared["add_task"]["parameters"]["properties"]["energy"]["enum"] == [
        "low",
        "medium",
        "high",
    ]

    follow_up = request().model_copy(
        update={
            "messages": [
                *request().messages,
                ChatMessage(
                    role="model",
                    function_calls=first.function_calls,
                    provider_content=first.provider_content,
                ),
                ChatMessage(
                    role="tool",
                    function_results=[
                        FunctionResult(
                            name="add_task", response={"ok": True, "title": "renew passport"}
                        )
                    ],
                ),
            ]
        }
    )
    second = model.generate(follow_up)
    assert second.text == "Added renew passport. What's the first tiny step?"
    contents = api.requests[1]["body"]["contents"]
    assert contents[1]["role"] == "model"
    assert contents[1]["parts"][0]["functionCall"]["name"] == "add_task"
    assert contents[2]["parts"][0]["functionResponse"] == {
        "name": "add_task",
        "response": {"ok": True, "title": "renew passport"},
    }


@pytest.mark.parametrize("code", [429, 500, 503])
def test_retryable_errors_are_retried_then_reported_unavailable(code):
    api = ScriptedGeminiApi(error_response(code))
    model = gemini_model(api, attempts=3)
    with pytest.raises(ModelUnavailable):
        model.generate(request())
    assert len(api.requests) == 3


def test_a_retry_that_succeeds_is_used():
    api = ScriptedGeminiApi(error_response(429), text_response("Hi Sam!"))
    reply = gemini_model(api, attempts=3).generate(request("hi"))
    assert reply.text == "Hi Sam!"
    assert len(api.requests) == 2


def test_a_timeout_is_unavailable():
    api = ScriptedGeminiApi(httpx2.ReadTimeout("slow"))
    with pytest.raises(ModelUnavailable):
        gemini_model(api, attempts=1).generate(request())


def test_an_empty_answer_is_unavailable():
    api = ScriptedGeminiApi({"candidates": [], "usageMetadata": {"promptTokenCount": 5}})
    with pytest.raises(ModelUnavailable):
        gemini_model(api, attempts=1).generate(request())


@pytest.mark.parametrize("failure", [error_response(429), error_response(500)], ids=["429", "500"])
def test_fallback_answers_with_the_offline_model(failure):
    api = ScriptedGeminiApi(failure)
    model = FallbackModel(gemini_model(api, attempts=2), OfflineModel())
    reply = model.generate(request())
    assert reply.model == "offline"
    assert [c.name for c in reply.function_calls] == ["add_task"]
    # Once failed over, the rest of the turn stays offline (no second wait on Gemini).
    model.generate(request())
    assert len(api.requests) == 2


def test_tool_specs_carry_no_generated_titles_but_keep_a_property_named_title():
    import json

    from nudge.agent.tools import registry

    specs = {spec.name: spec for spec in registry.specs()}
    add_task = specs["add_task"].parameters
    assert "title" in add_task["properties"] and add_task["required"] == ["title"]

    def titles(node):
        if isinstance(node, dict):
            found = [v for k, v in node.items() if k == "title" and isinstance(v, str)]
            for key, value in node.items():
                if key == "properties":
                    found += [t for prop in value.values() for t in titles(prop)]
                else:
                    found += titles(value)
            return found
        if isinstance(node, list):
            return [t for v in node for t in titles(v)]
        return []

    assert [t for spec in specs.values() for t in titles(spec.parameters)] == []
    assert '"title":"Due At"' not in json.dumps(add_task, separators=(",", ":"))


def test_tool_specs_are_built_once_a_process(monkeypatch):
    from nudge.agent.tools import registry
    from nudge.agent.tools.tasks import AddTaskArgs

    first = registry.specs()
    built = []
    real = AddTaskArgs.model_json_schema

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(AddTaskArgs, "model_json_schema", counted)
    assert registry.specs() == first
    assert built == []  # each turn reuses the first turn's schemas (~30 ms CPU saved)
