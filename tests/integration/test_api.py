"""The api function through functions-framework against the emulators: sign-in by texted link,
sessions, tokens, CSRF, rate limits, the REST routes over the product's use cases, chat."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import clear_caches
from tests.support.api import Texts, api_client, link_token, new_person, sign_in


@pytest.fixture
def client(settings):
    return api_client()


@pytest.fixture
def person(store):
    return new_person(store)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"]
    return body


# -- sign-in, sessions, CSRF ----------------------------------------------------------------


def test_login_by_text_gives_a_link_that_signs_in_once(store, settings, client, person, embedder):
    texts = Texts(store, settings, person.user_id, embedder)
    reply = texts.say("login")
    assert "sign-in link" in reply and "http://127.0.0.1:9/login?t=" in reply
    token = link_token(reply.split()[-1])
    # A link preview (GET) does not use the link up.
    assert client.get(f"/login?t={token}").status_code == 200
    assert client.get(f"/login?t={token}").status_code == 200
    response = client.post("/login", data={"t": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # local: plain http
    page = client.get("/")
    assert page.status_code == 200 and 'id="your-week"' in page.text
    # Single use: a second browser with the same link gets nothing.
    other = api_client()
    again = other.post("/login", data={"t": token})
    assert again.status_code == 400 and "expired" in again.text
    assert other.get("/v1/me").status_code == 401
    # Only the link's digest is stored.
    stored = [d.id for d in store.db.collection("api_login_links").stream()]
    assert stored and token.split(".")[0] not in json.dumps(stored)


def test_the_session_cookie_is_secure_in_the_cloud(store, settings, person):
    from nudge.api import links

    os.environ["NUDGE_ENVIRONMENT"] = "cloud"
    os.environ["NUDGE_TASK_AUTH"] = "oidc"
    clear_caches()
    from nudge.models import utcnow
    from nudge.settings import get_settings

    client = api_client()
    token = link_token(links.issue(store, get_settings(), person.user_id, utcnow()))
    response = client.post("/login", data={"t": token})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_tampered_or_expired_link_signs_nobody_in(store, settings, client, person):
    from datetime import timedelta

    from nudge.api import links
    from nudge.models import utcnow

    token = link_token(links.issue(store, settings, person.user_id, utcnow()))
    nonce, expiry, signature = token.split(".")
    forged = f"{nonce}.{int(expiry) + 3600}.{signature}"
    assert client.post("/login", data={"t": forged}).status_code == 400
    old = link_token(links.issue(store, settings, person.user_id, utcnow() - timedelta(hours=1)))
    assert client.post("/login", data={"t": old}).status_code == 400
    assert client.post("/login", data={"t": "not-a-link"}).status_code == 400
    assert client.get("/v1/me").status_code == 401
    # Another site cannot post a link of its own to sign this browser in (login CSRF).
    fresh = link_token(links.issue(store, settings, person.user_id, utcnow()))
    cross = client.post("/login", data={"t": fresh}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    # A page that hides where it is (a sandboxed frame, no-referrer) posts `Origin: null`.
    hidden = client.post("/login", data={"t": fresh}, headers={"Origin": "null"})
    assert hidden.status_code == 403
    assert (
        client.post("/login", data={"t": fresh}, headers={"Origin": "http://localhost"}).status_code
        == 303
    )
    assert client.get("/v1/me").status_code == 200


def test_cookie_writes_need_the_csrf_token_and_bearer_writes_do_not(
    store, settings, client, person
):
    csrf = sign_in(client, store, settings, person.user_id)
    assert client.get("/v1/me").get_json()["id"] == person.user_id
    problem(client.post("/v1/tasks", json={"title": "call mom"}), 403)
    problem(
        client.post("/v1/tasks", json={"title": "call mom"}, headers={"X-CSRF-Token": "wrong"}), 403
    )
    made = client.post("/v1/tasks", json={"title": "call mom"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    script = api_client()
    assert (
        script.post("/v1/tasks", json={"title": "pay rent"}, headers=person.auth).status_code == 201
    )
    # The page's forms carry it as a field.
    task_id = made.get_json()["id"]
    assert client.post(f"/tasks/{task_id}/complete").status_code == 403
    done = client.post(f"/tasks/{task_id}/complete", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert store.tasks.get(person.user_id, task_id).status == "done"


def test_signing_out_revokes_the_session(store, settings, client, person):
    csrf = sign_in(client, store, settings, person.user_id)
    cookie = client.get_cookie("nudge_session").value
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    fresh = api_client()
    fresh.set_cookie("nudge_session", cookie)
    problem(fresh.get("/v1/me"), 401)


def test_bad_and_revoked_tokens_are_401_with_a_challenge(store, client, person):
    body = problem(client.get("/v1/me", headers={"Authorization": "Bearer nudge_pat_nope"}), 401)
    assert "not valid" in body["detail"]
    response = client.get("/v1/me", headers={"Authorization": "Basic abc"})
    assert problem(response, 401) and response.headers["WWW-Authenticate"].startswith("Bearer")
    made = client.post("/v1/tokens", json={"name": "backup script"}, headers=person.auth)
    assert made.status_code == 201
    second = made.get_json()
    assert second["token"].startswith("nudge_pat_")
    assert (
        client.get("/v1/me", headers={"Authorization": f"Bearer {second['token']}"}).status_code
        == 200
    )
    listed = client.get("/v1/tokens", headers=person.auth).get_json()["tokens"]
    assert {t["name"] for t in listed} == {"tests", "backup script"}
    assert all("token" not in t for t in listed)
    # Stored only as hashes: no secret anywhere in the collection.
    stored = json.dumps(
        [d.to_dict() | {"id": d.id} for d in store.db.collection("api_tokens").stream()],
        default=str,
    )
    assert second["token"] not in stored and person.token not in stored
    assert client.delete(f"/v1/tokens/{second['id']}", headers=person.auth).status_code == 204
    problem(client.get("/v1/me", headers={"Authorization": f"Bearer {second['token']}"}), 401)
    problem(client.delete(f"/v1/tokens/{second['id']}", headers=person.auth), 404)


def test_new_api_token_by_text(store, settings, client, person, embedder):
    reply = Texts(store, settings, person.user_id, embedder).say("new api token")
    secret = next(word for word in reply.split() if word.startswith("nudge_pat_"))
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.get_json()["id"] == person.user_id


def test_token_use_is_rate_limited_across_instances_with_retry_after(store, settings, person):
    os.environ["NUDGE_API_REQUESTS_PER_MINUTE"] = "3"
    clear_caches()
    first, second = api_client(), api_client()  # two instances share the count in Firestore
    statuses = [c.get("/v1/me", headers=person.auth).status_code for c in (first, second, first)]
    assert statuses == [200, 200, 200]
    limited = second.get("/v1/me", headers=person.auth)
    problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_sign_in_is_rate_limited(store, settings, person):
    os.environ["NUDGE_SIGN_IN_PER_10_MINUTES"] = "2"
    clear_caches()
    client = api_client()
    assert client.get("/login?t=x.1.y").status_code == 400
    assert client.get("/login?t=x.1.y").status_code == 400
    limited = client.get("/login?t=x.1.y")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


# -- the routes -----------------------------------------------------------------------------


def test_tasks_created_completed_and_broken_down_are_what_sms_sees(
    store, settings, client, person, embedder
):
    auth = person.auth
    made = client.post("/v1/tasks", json={"title": "renew passport", "priority": 1}, headers=auth)
    assert made.status_code == 201
    task_id = made.get_json()["id"]
    other = client.post("/v1/tasks", json={"title": "water plants"}, headers=auth).get_json()
    patched = client.patch(f"/v1/tasks/{task_id}", json={"notes": "photos first"}, headers=auth)
    assert patched.get_json()["notes"] == "photos first"
    steps = client.post(f"/v1/tasks/{task_id}/break-down", json={}, headers=auth).get_json()
    assert 3 <= len(steps["steps"]) <= 7 and all(
        s["parent_task_id"] == task_id for s in steps["steps"]
    )
    done = client.post(f"/v1/tasks/{other['id']}/complete", headers=auth).get_json()
    assert done["status"] == "done" and done["completed_at"]
    listed = client.get("/v1/tasks", headers=auth).get_json()["tasks"]
    assert "water plants" not in [t["title"] for t in listed]
    everything = client.get("/v1/tasks?status=all", headers=auth).get_json()["tasks"]
    assert "water plants" in [t["title"] for t in everything]
    reply = Texts(store, settings, person.user_id, embedder).say("what's on my list?")
    assert "renew passport" in reply and "water plants" not in reply
    problem(client.patch(f"/v1/tasks/{task_id}", json={"status": "done"}, headers=auth), 400)
    problem(client.post("/v1/tasks", json={"title": ""}, headers=auth), 400)


def test_goals(client, person):
    auth = person.auth
    goal = client.post("/v1/goals", json={"title": "run a 5k"}, headers=auth).get_json()
    task = client.post(
        "/v1/tasks", json={"title": "buy shoes", "goal_id": goal["id"]}, headers=auth
    )
    assert task.status_code == 201
    problem(client.post("/v1/tasks", json={"title": "x", "goal_id": "nope"}, headers=auth), 400)
    assert (
        client.patch(f"/v1/goals/{goal['id']}", json={"progress": 40}, headers=auth).get_json()[
            "progress"
        ]
        == 40
    )
    done = client.post(f"/v1/goals/{goal['id']}/complete", headers=auth).get_json()
    assert done["status"] == "done" and done["progress"] == 100


def test_reminders_from_words_snoozed_cancelled_with_their_history(
    store, client, person, task_queue
):
    auth = person.auth
    made = client.post(
        "/v1/reminders", json={"text": "call the dentist", "when": "in 2 days at 9am"}, headers=auth
    )
    assert made.status_code == 201, made.text
    reminder = made.get_json()
    assert reminder["next_due_at"] and reminder["status"] == "active"
    asked = client.post("/v1/reminders", json={"text": "x", "when": "sometime"}, headers=auth)
    assert "?" in problem(asked, 422)["detail"]
    problem(client.post("/v1/reminders", json={"text": "x"}, headers=auth), 400)
    snoozed = client.post(
        f"/v1/reminders/{reminder['id']}/snooze", json={"minutes": 30}, headers=auth
    ).get_json()
    from datetime import datetime, timedelta

    before = datetime.fromisoformat(reminder["next_due_at"])
    assert datetime.fromisoformat(snoozed["next_due_at"]) == before + timedelta(minutes=30)
    cancelled = client.post(f"/v1/reminders/{reminder['id']}/cancel", headers=auth).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["next_due_at"] is None
    history = client.get(f"/v1/reminders/{reminder['id']}/occurrences", headers=auth).get_json()
    assert [o["status"] for o in history["occurrences"]] == ["cancelled", "snoozed"]
    assert client.get("/v1/reminders", headers=auth).get_json()["reminders"] == []
    assert len(client.get("/v1/reminders?status=all", headers=auth).get_json()["reminders"]) == 1
    exact = client.post(
        "/v1/reminders",
        json={
            "text": "stretch",
            "due_at": (datetime.now().astimezone() + timedelta(hours=2)).isoformat(),
        },
        headers=auth,
    )
    assert exact.status_code == 201


def test_memories_searched_like_recall_and_forgotten(store, settings, client, person, embedder):
    texts = Texts(store, settings, person.user_id, embedder)
    texts.say("remember my locker code is 4411")
    texts.say("remember anna's birthday is june 3")
    auth = person.auth
    listed = client.get("/v1/memories", headers=auth).get_json()["memories"]
    assert len(listed) == 2 and all("embedding" not in m for m in listed)
    hits = client.get("/v1/memories/search?q=locker", headers=auth).get_json()["hits"]
    assert "4411" in hits[0]["memory"]["content"]
    forgotten = client.delete(f"/v1/memories/{hits[0]['memory']['id']}", headers=auth).get_json()
    assert forgotten["forgotten_ids"] == [hits[0]["memory"]["id"]]
    assert "4411" not in texts.say("what's my locker code?")
    assert client.get("/v1/memories/history", headers=auth).get_json()["memories"] == []
    problem(client.get("/v1/memories/search", headers=auth), 400)


def test_notes(client, person):
    auth = person.auth
    made = client.post("/v1/notes", json={"body": "garden: raised beds by the fence"}, headers=auth)
    assert made.status_code == 201
    note = made.get_json()
    found = client.get("/v1/notes?q=garden", headers=auth).get_json()["notes"]
    assert [n["id"] for n in found] == [note["id"]]
    assert client.delete(f"/v1/notes/{note['id']}", headers=auth).status_code == 204
    problem(client.get(f"/v1/notes/{note['id']}", headers=auth), 404)


def test_chat_runs_the_sms_turn_answers_here_and_shares_the_history(
    store, client, person, task_queue
):
    from nudge.sms.senders import LOCAL_OUTBOX

    answer = client.post("/v1/chat", json={"text": "todo: buy stamps"}, headers=person.auth)
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    assert body["status"] == "answered" and "buy stamps" in body["reply"]
    assert [t.title for t in store.tasks.open_tasks(person.user_id)] == ["buy stamps"]
    assert list(store.db.collection(LOCAL_OUTBOX).stream()) == []  # no SMS for it
    messages = client.get("/v1/messages?limit=1", headers=person.auth).get_json()
    assert messages["messages"][0]["direction"] == "outbound"
    assert messages["messages"][0]["channel"] == "web" and messages["next_before"]
    older = client.get(
        f"/v1/messages?before={messages['next_before']}", headers=person.auth
    ).get_json()
    assert [m["body"] for m in older["messages"]] == ["todo: buy stamps"]
    assert older["messages"][0]["channel"] == "web" and older["next_before"] is None


def test_me_settings_and_events(client, person):
    auth = person.auth
    me = client.get("/v1/me", headers=auth).get_json()
    assert me["timezone"] == "America/Toronto" and me["calendar_linked"] is False
    changed = client.patch("/v1/me", json={"timezone": "london uk"}, headers=auth).get_json()
    assert changed["timezone"] == "Europe/London"
    problem(client.patch("/v1/me", json={"timezone": "qqzx vvbn"}, headers=auth), 400)
    settings = client.patch(
        "/v1/settings",
        json={"quiet_hours_start": "23:00", "morning_briefing": None, "nag_by_default": True},
        headers=auth,
    ).get_json()
    assert settings["quiet_hours_start"] == "23:00" and settings["morning_briefing"] is None
    assert settings["nag_by_default"] is True
    problem(client.patch("/v1/settings", json={"follow_up_minutes": 0}, headers=auth), 400)
    events = client.get("/v1/events", headers=auth).get_json()
    assert events == {"calendar_linked": False, "events": []}


def test_errors_are_problem_details(client, person):
    auth = person.auth
    problem(client.get("/v1/nothing", headers=auth), 404)
    problem(client.get("/v1/tasks/..", headers=auth), 404)
    response = client.put("/v1/tasks", json={}, headers=auth)
    problem(response, 405)
    assert "GET" in response.headers["Allow"]
    problem(
        client.post("/v1/tasks", data="{", headers=auth | {"Content-Type": "application/json"}), 400
    )
    problem(client.post("/v1/tasks", json=["a"], headers=auth), 400)
    problem(client.post("/v1/tasks", data="x" * 70000, headers=auth), 413)
    body = problem(
        client.post("/v1/tasks", json={"title": "a", "colour": "red"}, headers=auth), 400
    )
    assert body["errors"][0]["field"] == "colour"
    problem(client.get("/v1/tasks?limit=0", headers=auth), 400)


def test_the_openapi_document_is_generated_from_the_routes(client):
    from nudge.api.router import router

    document = client.get("/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    declared = {(r.path, r.method.lower()) for r in router.routes}
    served = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert served == declared
    assert document["paths"]["/v1/tasks"]["post"]["requestBody"]["content"]["application/json"]
    schemas = document["components"]["schemas"]
    assert {"TaskCreate", "TaskOut", "ProblemDetails", "ReminderCreate"} <= set(schemas)
