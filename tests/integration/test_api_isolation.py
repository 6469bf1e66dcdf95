"""A's token or cookie never reaches B's data, on every route of the OpenAPI document: B's ids
are 404 for A (and nothing of B's changes), and A's listings never show anything of B's."""

from __future__ import annotations

import json

import pytest

from nudge.api.router import ID_PATTERN
from tests.support.api import api_client, new_person, sign_in

B_MARK = "zebra-umbrella-7731"  # in every text of B's


def minimal_body(document: dict, operation: dict) -> dict | None:
    """The smallest body the operation's schema accepts: its required fields, plainly filled."""
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    model = document["components"]["schemas"][name]
    body = {}
    for field in model.get("required", []):
        prop = model["properties"][field]
        body[field] = "a" * max(prop.get("minLength", 1), 4) if prop.get("type") == "string" else 1
    if name == "ReminderCreate":
        body["when"] = "in 2 days at 9am"  # one of `when` and `due_at` is required
    return body


@pytest.fixture
def people(store, settings, task_queue, embedder):
    client = api_client()
    a, b = new_person(store, name="Ann"), new_person(store, name="Bo")
    made = {}
    for path, body in (
        ("/v1/tasks", {"title": f"task {B_MARK}"}),
        ("/v1/goals", {"title": f"goal {B_MARK}"}),
        ("/v1/reminders", {"text": f"reminder {B_MARK}", "when": "in 2 days at 9am"}),
        ("/v1/notes", {"body": f"note {B_MARK}"}),
        ("/v1/tokens", {"name": f"t-{B_MARK}"}),
    ):
        response = client.post(path, json=body, headers=b.auth)
        assert response.status_code == 201, response.text
        made[path] = response.get_json()["id"]
    from nudge.agent.tools import ToolContext
    from nudge.agent.tools.memory import RememberArgs, remember
    from nudge.models import utcnow

    ctx = ToolContext(
        store=store,
        user=store.users.require(b.user_id),
        settings=settings,
        now=utcnow(),
        turn_id="t1",
        embedder_factory=lambda: embedder,
    )
    remembered = remember(ctx, RememberArgs(content=f"memory {B_MARK}"))
    ids = {
        "task_id": made["/v1/tasks"],
        "goal_id": made["/v1/goals"],
        "reminder_id": made["/v1/reminders"],
        "note_id": made["/v1/notes"],
        "token_id": made["/v1/tokens"],
        "memory_id": remembered["id"],
    }
    return a, b, ids


def snapshot(store, user_id: str) -> str:
    from tests.integration.test_api_export_delete import walk

    mine = [(p, d) for p, d in walk(store.db) if p.startswith(f"users/{user_id}")]
    # Token use stamps `last_used_at` outside the user's tree; B's own tree must not change.
    return json.dumps(sorted(mine, key=lambda pd: pd[0]), default=str)


@pytest.mark.parametrize("via", ["token", "cookie"])
def test_a_never_reaches_b_on_any_route(store, settings, people, via, task_queue):
    a, b, b_ids = people
    client = api_client()
    document = client.get("/v1/openapi.json").get_json()
    headers = a.auth
    if via == "cookie":
        csrf = sign_in(client, store, settings, a.user_id)
        headers = {"X-CSRF-Token": csrf}
    before = snapshot(store, b.user_id)
    tried = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                continue
            params = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
            url = path
            for name in params:
                assert name in b_ids, f"no id of B's for {name} ({path})"
                url = url.replace("{" + name + "}", b_ids[name])
            body = minimal_body(document, operation)
            response = client.open(url, method=method.upper(), json=body, headers=headers)
            tried += 1
            if params:
                assert response.status_code == 404, (method, path, response.status_code)
            else:
                assert response.status_code < 500, (method, path, response.text)
                shown = response.get_data(as_text=True)
                assert B_MARK not in shown, (method, path)
                assert not any(i in shown for i in b_ids.values()), (method, path)
                assert b.user_id not in shown and b.phone not in shown, (method, path)
    assert tried >= 30
    assert snapshot(store, b.user_id) == before
    # B still has everything.
    assert client.get(f"/v1/tasks/{b_ids['task_id']}", headers=b.auth).status_code == 200


def test_ids_in_paths_are_checked_before_they_reach_the_store(people):
    a, _, _ = people
    client = api_client()
    import re

    assert re.match(ID_PATTERN, "..") is None
    for bad in ("..", "a.b", "%2e%2e", "x" * 200):
        assert client.get(f"/v1/tasks/{bad}", headers=a.auth).status_code == 404
