"""The queue-triggered edge (`nudge.web.queue_triggered`): a payload is validated before the
handler runs (400), and anything the handler raises afterwards is a logged 500 with its
traceback, never a quiet "invalid payload"."""

from __future__ import annotations

import base64
import json
import time

import flask
import functions_framework
import pytest
from pydantic import BaseModel

from emulators import stack
from nudge.web import queue_triggered
from tests.conftest import clear_caches

SECRET = "edge-test-secret"


class Task(BaseModel):
    user_id: str
    count: int = 1


@pytest.fixture
def local_auth(monkeypatch):
    monkeypatch.setenv("NUDGE_ENVIRONMENT", "local")
    monkeypatch.setenv("NUDGE_TASK_AUTH", "secret")
    monkeypatch.setenv("NUDGE_TASK_SECRET", SECRET)
    clear_caches()


def call(handler, body, headers=None):
    app = flask.Flask(__name__)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"X-Nudge-Task-Secret": SECRET} if headers is None else headers
    with app.test_request_context(
        "/", method="POST", data=data, headers=headers, content_type="application/json"
    ):
        body, status, _ = handler(flask.request)
    return status, json.loads(body)


def test_the_handler_gets_the_validated_model(local_auth):
    seen = []

    @queue_triggered("edge", Task)
    def handler(task, caller):
        seen.append(task)
        return {"user": task.user_id}

    assert call(handler, {"user_id": "u1", "count": "3"}) == (200, {"user": "u1"})
    assert seen == [Task(user_id="u1", count=3)]


@pytest.mark.parametrize(
    "body",
    [{}, {"user_id": 5}, {"user_id": "u1", "count": "many"}, [1, 2], "not json"],
    ids=["missing-field", "wrong-type", "bad-int", "array", "not-json"],
)
def test_a_bad_payload_is_400_and_the_handler_never_runs(local_auth, caplog, body):
    ran = []

    @queue_triggered("edge", Task)
    def handler(task, caller):
        ran.append(task)

    with caplog.at_level("WARNING", logger="nudge"):
        status, answer = call(handler, body)
    assert status == 400
    assert answer["error"]
    assert ran == []
    # Field names, never the values (they may be personal data).
    assert "many" not in caplog.text


@pytest.mark.parametrize("bug", [KeyError("user"), ValueError("bad math"), RuntimeError("boom")])
def test_a_bug_inside_the_handler_is_a_logged_500_with_its_traceback(local_auth, caplog, bug):
    @queue_triggered("edge", Task)
    def handler(task, caller):
        raise bug

    with caplog.at_level("ERROR", logger="nudge"):
        status, answer = call(handler, {"user_id": "u1"}, {"X-Nudge-Task-Secret": SECRET})
    assert status == 500
    assert answer == {"error": "internal error"}
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "edge failed" in record.getMessage()
    assert record.exc_info and record.exc_info[1] is bug  # the traceback goes to the log


def test_without_a_model_the_handler_gets_the_dict(local_auth):
    @queue_triggered("edge")
    def handler(payload, caller):
        return {"keys": sorted(payload)}

    assert call(handler, {"b": 1, "a": 2}) == (200, {"keys": ["a", "b"]})


def test_secret_header_auth_is_refused_in_the_cloud(monkeypatch):
    monkeypatch.setenv("NUDGE_ENVIRONMENT", "cloud")
    monkeypatch.setenv("NUDGE_TASK_AUTH", "secret")
    monkeypatch.setenv("NUDGE_TASK_SECRET", SECRET)
    clear_caches()

    @queue_triggered("edge", Task)
    def handler(task, caller):
        raise AssertionError("must not run")

    assert call(handler, {"user_id": "u1"})[0] == 403


@pytest.mark.parametrize(
    ("module", "payload"),
    [
        ("reminders", {"action": "fire", "user_id": "u1"}),
        ("reminders", {"action": "explode"}),
        ("reminders", {"action": "follow_up", "user_id": "u", "occurrence_id": "o"}),
        ("planner", {"action": "plan_user", "user_id": "u1"}),
        ("planner", {"action": "plan_user", "user_id": "u1", "slot": "yesterday-ish"}),
        ("planner", {"action": "dance"}),
        ("memory_consolidation", {"action": "consolidate"}),
        ("memory_consolidation", {"action": "forget_everything"}),
        ("memory_consolidation", {"action": "rebuild_index"}),
        ("agent_turn", {"user_id": "u1"}),
    ],
)
def test_each_functions_bad_payloads_are_refused_at_the_edge(local_auth, module, payload):
    source = stack.FUNCTIONS_DIR / module / "main.py"
    client = functions_framework.create_app(target=module, source=str(source)).test_client()
    response = client.post("/", json=payload, headers={"X-Nudge-Task-Secret": SECRET})
    assert response.status_code == 400, response.get_json()


# --- SIGNATURE_REMOVED_BY_GOOGLE tokens, through a real function's adapter ---

INVOKER = "nudge-invoker@proj.iam.gserviceaccount.com"
AGENT_TURN_URL = "https://us-central1-proj.cloudfunctions.net/agent_turn"


def stripped_token(audience: str) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {
        "iss": "https://accounts.google.com",
        "aud": audience,
        "email": INVOKER,
        "email_verified": True,
        "exp": int(time.time()) + 600,
    }
    return f"{part({'alg': 'RS256'})}.{part(claims)}.SIGNATURE_REMOVED_BY_GOOGLE"


def agent_turn_client(monkeypatch, *, behind_invoker_iam: bool):
    monkeypatch.setenv("NUDGE_ENVIRONMENT", "cloud")
    monkeypatch.setenv("NUDGE_TASK_AUTH", "oidc")
    monkeypatch.setenv("NUDGE_TASK_INVOKER_SERVICE_ACCOUNT", INVOKER)
    monkeypatch.setenv("NUDGE_FUNCTION_URLS", json.dumps({"agent_turn": AGENT_TURN_URL}))
    monkeypatch.setenv("NUDGE_CALLERS_VERIFIED_BY_PLATFORM", str(behind_invoker_iam).lower())
    clear_caches()
    source = stack.FUNCTIONS_DIR / "agent_turn" / "main.py"
    return functions_framework.create_app(target="agent_turn", source=str(source)).test_client()


def test_a_forged_stripped_token_is_refused_where_terraform_declared_no_invoker_iam(
    monkeypatch,
):
    client = agent_turn_client(monkeypatch, behind_invoker_iam=False)
    headers = {"Authorization": f"Bearer {stripped_token(AGENT_TURN_URL)}"}
    assert client.post("/", json={}, headers=headers).status_code == 403


def test_a_stripped_token_passes_where_the_platform_checked_it(monkeypatch):
    client = agent_turn_client(monkeypatch, behind_invoker_iam=True)
    headers = {"Authorization": f"Bearer {stripped_token(AGENT_TURN_URL)}"}
    # Past authentication, the empty payload is what is refused (400), so no turn runs.
    assert client.post("/", json={}, headers=headers).status_code == 400
    wrong_audience = {"Authorization": f"Bearer {stripped_token('https://elsewhere/')}"}
    assert client.post("/", json={}, headers=wrong_audience).status_code == 403
    assert client.post("/", json={}).status_code == 401
