"""Export is everything a person has; delete leaves nothing of theirs anywhere (the whole
emulator is walked), and what was queued for them does nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.support.api import Texts, api_client, new_person, sign_in, walk

# Collections a full life in Nudge writes under a user (the walk may find more; each must be
# exported or named as derived).
EXPECTED = {
    "agent_logs",
    "calendar_links",
    "credentials",
    "events",
    "expense_categories",
    "expenses",
    "goals",
    "groceries",
    "meal_plan",
    "memories",
    "messages",
    "notes",
    "places",
    "recipes",
    "reminder_occurrences",
    "reminders",
    "settings",
    "tasks",
}


@pytest.fixture
def client(settings):
    return api_client()


def live_a_little(store, settings, person, embedder, task_queue, client):
    """Texts and calls that touch every kind of thing Nudge keeps."""
    from nudge.models import CalendarLink, Event, EventSource, utcnow
    from nudge.models.credentials import Credential

    texts = Texts(store, settings, person.user_id, embedder, queue=task_queue)
    for text in (
        "todo: renew passport",
        "remind me in 2 hours to call mom",
        "remember my locker code is 4411",
        "note: garden ideas: raised beds",
        "buy milk, eggs and bread",
        "spent 12.50 on lunch",
        "set a budget for food of 200",
        "recipe pancakes: 2 cups flour, 2 eggs, 1 cup milk. steps: mix everything; fry in a pan",
        "plan pancakes for tuesday",
        "the pharmacy is at 12 Main St",
    ):
        assert texts.say(text), text
    client.post("/v1/goals", json={"title": "run a 5k"}, headers=person.auth)
    client.patch("/v1/settings", json={"nag_by_default": True}, headers=person.auth)
    now = utcnow()
    store.calendar_links.put(
        person.user_id,
        CalendarLink(source=EventSource.ics, url_ciphertext={"ciphertext": "c2VjcmV0LWljcw"}),
    )
    store.events.upsert_many(
        person.user_id,
        [
            Event(
                title="Dentist",
                start=now + timedelta(hours=3),
                end=now + timedelta(hours=4),
                external_id="uid-1",
                source=EventSource.ics,
            ),
        ],
    )
    store.credentials.put(
        person.user_id, Credential(provider="microsoft", sealed={"ciphertext": "TOKENCACHE"})
    )
    return texts


def test_export_has_every_collection_without_embeddings_or_secrets(
    store, settings, client, embedder, task_queue
):
    person = new_person(store)
    live_a_little(store, settings, person, embedder, task_queue, client)
    from nudge.api.export import DERIVED
    from nudge.store.repository import USERS

    response = client.get("/v1/export", headers=person.auth)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    stored = {c.id for c in store.db.collection(USERS).document(person.user_id).collections()}
    assert stored >= EXPECTED
    for name in stored:
        assert name in document["collections"] or name in DERIVED, f"{name} is not exported"
        if name not in DERIVED:
            assert document["collections"][name], f"{name} exported empty"
    text = json.dumps(document)
    assert '"embedding"' not in text and "TOKENCACHE" not in text and "c2VjcmV0LWljcw" not in text
    memories = document["collections"]["memories"]
    assert any("4411" in m["content"] for m in memories)
    assert document["user"]["phone"] == person.phone

    tasks = list(
        csv.DictReader(io.StringIO(client.get("/v1/export/tasks.csv", headers=person.auth).text))
    )
    assert [t["title"] for t in tasks] == ["renew passport"]
    expenses_response = client.get("/v1/export/expenses.csv", headers=person.auth)
    assert expenses_response.mimetype == "text/csv"
    expenses = list(csv.DictReader(io.StringIO(expenses_response.text)))
    assert [(e["amount"], e["category"]) for e in expenses] == [("12.50", "food")]


def outbox(store, phone: str) -> list[dict]:
    from nudge.sms.senders import LOCAL_OUTBOX

    found = [
        d.to_dict() for d in store.db.collection(LOCAL_OUTBOX).stream() if d.get("to") == phone
    ]
    return sorted(found, key=lambda m: m["created_at"])


def test_delete_is_confirmed_twice_and_leaves_nothing_of_theirs(
    store, settings, client, embedder, task_queue
):
    from nudge.models import utcnow
    from nudge.reminders.handler import handle_reminder_task
    from nudge.sms.senders import LOCAL_OUTBOX

    person = new_person(store)
    neighbour = new_person(store, name="Alex")
    live_a_little(store, settings, person, embedder, task_queue, client)
    Texts(store, settings, neighbour.user_id, embedder).say("todo: water plants")
    csrf = sign_in(client, store, settings, person.user_id)
    from nudge.api import links

    links.issue(store, settings, person.user_id, utcnow())  # an unused link too
    [pending] = store.occurrences.list(person.user_id)

    first = client.post("/v1/account/delete", json={}, headers=person.auth).get_json()
    assert first["deleted"] is False and first["confirm_token"]
    wrong = client.post("/v1/account/delete", json={"confirm_token": "1.abc"}, headers=person.auth)
    assert wrong.status_code == 400
    other_people = client.post(
        "/v1/account/delete", json={"confirm_token": first["confirm_token"]}, headers=neighbour.auth
    )
    assert other_people.status_code == 400  # a confirm token is for one account
    done = client.post(
        "/v1/account/delete",
        json={"confirm_token": first["confirm_token"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert done.status_code == 200 and done.get_json()["deleted"] is True

    # One last SMS (the outbox stands in for the phone: it is not Nudge's store).
    sent = outbox(store, person.phone)
    assert "deleted" in sent[-1]["body"]
    # Nothing of theirs anywhere else: no path, no field naming them.
    marks = (person.user_id, person.phone)
    leftovers = [
        path
        for path, data in walk(store.db)
        if not path.startswith(LOCAL_OUTBOX + "/")
        and any(mark in path or mark in json.dumps(data, default=str) for mark in marks)
    ]
    assert leftovers == []
    # The neighbour is untouched.
    assert [t.title for t in store.tasks.open_tasks(neighbour.user_id)] == ["water plants"]
    assert client.get("/v1/me", headers=neighbour.auth).status_code == 200
    # Their token and cookie are dead; the reminder task still queued does nothing.
    assert client.get("/v1/me", headers=person.auth).status_code == 401
    assert client.get("/v1/me").status_code == 401
    result = handle_reminder_task(
        {
            "action": "fire",
            "user_id": person.user_id,
            "occurrence_id": pending.id,
            "version": pending.version,
        },
        now=pending.due_at,
    )
    assert result["result"] == "stale"
    assert len(outbox(store, person.phone)) == len(sent)  # nothing after the goodbye
