"""The document store against the real Firestore emulator."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest

from nudge.models import (
    AgentLog,
    Direction,
    Energy,
    Goal,
    Memory,
    Message,
    Note,
    OccurrenceStatus,
    Reminder,
    ReminderOccurrence,
    ReminderStatus,
    Task,
    TaskStatus,
    User,
    UserSettings,
)
from nudge.store import NotFound


def make_user(store, phone: str = "+15555550100") -> User:
    return store.users.create(User(phone=phone, name="Sam", timezone="Europe/Berlin"))


# --- users and the phone routing index ---------------------------------------------------


def test_user_is_created_and_routed_by_phone(store):
    user = make_user(store)
    assert user.id
    found = store.users.find_by_phone("+15555550100")
    assert found is not None
    assert (found.id, found.name, found.timezone) == (user.id, "Sam", "Europe/Berlin")
    assert store.users.find_by_phone("+15555550199") is None


def test_same_phone_twice_returns_the_first_user(store):
    first = make_user(store)
    second = store.users.create(User(phone="+15555550100", name="Impostor"))
    assert second.id == first.id
    assert second.name == "Sam"
    assert len(store.users.list_ids()) == 1


def test_user_update_and_delete_removes_everything_under_them(store):
    user = make_user(store)
    updated = store.users.update(user.id, timezone="America/Toronto", status="opted_out")
    assert updated.timezone == "America/Toronto"
    assert updated.status == "opted_out"
    store.tasks.add(user.id, Task(title="renew passport"))
    store.users.delete(user.id)
    assert store.users.get(user.id) is None
    assert store.users.find_by_phone(user.phone) is None
    assert store.tasks.list(user.id) == []
    with pytest.raises(NotFound):
        store.users.update(user.id, name="ghost")


def test_user_settings_round_trip_with_defaults(store):
    user = make_user(store)
    assert store.users.get_settings(user.id) == UserSettings()
    custom = UserSettings(quiet_hours_start=time(21, 30), morning_briefing=None)
    store.users.save_settings(user.id, custom)
    loaded = store.users.get_settings(user.id)
    assert loaded.quiet_hours_start == time(21, 30)
    assert loaded.morning_briefing is None


# --- CRUD for each per-user repository ------------------------------------------------------

RECORDS = [
    (
        "messages",
        Message(direction=Direction.inbound, body="hi", media_urls=["https://m/1"]),
        {"body": "hello again"},
    ),
    (
        "tasks",
        Task(
            title="call mom",
            energy=Energy.low,
            estimate_minutes=10,
            due_at=datetime(2026, 12, 1, 17, tzinfo=UTC),
        ),
        {"status": TaskStatus.done},
    ),
    ("goals", Goal(title="get healthy", target_date=date(2027, 6, 1)), {"progress": 40}),
    (
        "reminders",
        Reminder(
            text="drink water",
            timezone="Europe/Berlin",
            rrule="FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
            next_due_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
        ),
        {"status": ReminderStatus.done},
    ),
    (
        "occurrences",
        ReminderOccurrence(
            user_id="u",
            reminder_id="r",
            text="drink water",
            due_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
            slot_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
        ),
        {"status": OccurrenceStatus.sent, "late_seconds": 3},
    ),
    ("notes", Note(title="ideas", body="buy plants", tags=["home"]), {"body": "buy more plants"}),
    (
        "agent_logs",
        AgentLog(turn_id="t1", model="offline", tools_called=["add_task"]),
        {"latency_ms": 42},
    ),
    ("memories", Memory(content="likes tea", embedding=[0.1, 0.2, 0.3]), {"importance": 0.9}),
]


@pytest.mark.parametrize(("repo_name", "item", "change"), RECORDS, ids=[r[0] for r in RECORDS])
def test_crud_for_each_repository(store, repo_name, item, change):
    repo = getattr(store, repo_name)
    user = make_user(store)

    created = repo.add(user.id, item)
    assert created.id

    loaded = repo.get(user.id, created.id)
    assert loaded == created  # every field survives the round trip, types included

    updated = repo.update(user.id, created.id, **change)
    for field, value in change.items():
        assert getattr(updated, field) == value
    assert updated.updated_at > created.updated_at

    assert [doc.id for doc in repo.list(user.id)] == [created.id]

    repo.delete(user.id, created.id)
    assert repo.get(user.id, created.id) is None
    with pytest.raises(NotFound):
        repo.update(user.id, created.id, **change)


def test_add_with_an_existing_id_is_refused(store):
    from google.api_core.exceptions import Conflict

    user = make_user(store)
    store.notes.add(user.id, Note(title="a"), doc_id="fixed")
    with pytest.raises(Conflict):
        store.notes.add(user.id, Note(title="b"), doc_id="fixed")
    assert store.notes.require(user.id, "fixed").title == "a"


def test_recent_messages_come_oldest_first_and_unanswered_are_found(store):
    user = make_user(store)
    base = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for i in range(5):
        store.messages.add(
            user.id,
            Message(
                direction=Direction.inbound,
                body=f"m{i}",
                created_at=base + timedelta(seconds=i),
                answered_by_turn="t0" if i < 2 else None,
            ),
        )
    assert [m.body for m in store.messages.recent(user.id, limit=3)] == ["m2", "m3", "m4"]
    assert [m.body for m in store.messages.unanswered_inbound(user.id)] == ["m2", "m3", "m4"]


def test_open_tasks_excludes_done_ones(store):
    user = make_user(store)
    store.tasks.add(user.id, Task(title="open one"))
    store.tasks.add(user.id, Task(title="doing", status=TaskStatus.in_progress))
    store.tasks.add(user.id, Task(title="finished", status=TaskStatus.done))
    assert sorted(t.title for t in store.tasks.open_tasks(user.id)) == ["doing", "open one"]


# --- per-user scoping ------------------------------------------------------------------------


def test_a_query_for_one_user_never_returns_another_users_documents(store):
    alice = make_user(store, "+15555550101")
    bob = make_user(store, "+15555550102")
    for repo_name, item, _ in RECORDS:
        repo = getattr(store, repo_name)
        repo.add(alice.id, item)
        bob_item = repo.add(bob.id, item)
        assert repo.get(alice.id, bob_item.id) is None
        assert [d.id for d in repo.list(bob.id)] == [bob_item.id]
        assert bob_item.id not in {d.id for d in repo.list(alice.id)}
    hits = store.memories.nearest(alice.id, [0.1, 0.2, 0.3], limit=10)
    assert len(hits) == 1


def test_an_empty_or_path_like_user_id_is_refused(store):
    with pytest.raises(ValueError):
        store.tasks.list("")
    with pytest.raises(ValueError):
        store.tasks.list("alice/../bob")


# --- vector search ---------------------------------------------------------------------------


def test_vector_search_returns_nearest_first_within_the_pre_filter(store):
    user = make_user(store)
    vectors = {
        "exact": ([1.0, 0.0, 0.0], True),
        "close": ([0.8, 0.2, 0.0], True),
        "far": ([0.0, 0.0, 1.0], True),
        "closest but retired": ([0.99, 0.01, 0.0], False),
    }
    for content, (vector, active) in vectors.items():
        store.memories.add(user.id, Memory(content=content, embedding=vector, active=active))

    hits = store.memories.nearest(user.id, [1.0, 0.0, 0.0], limit=3)
    assert [m.content for m, _ in hits] == ["exact", "close", "far"]
    distances = [d for _, d in hits]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(0.0, abs=1e-6)
    assert hits[0][0].embedding == pytest.approx([1.0, 0.0, 0.0])

    with_history = store.memories.nearest(user.id, [1.0, 0.0, 0.0], limit=2, active_only=False)
    assert [m.content for m, _ in with_history] == ["exact", "closest but retired"]


# --- dedup markers and idempotency records ----------------------------------------------------


def test_dedup_marker_has_exactly_one_winner_among_20_racing_threads(store):
    barrier = threading.Barrier(20)
    results: list[bool] = []
    lock = threading.Lock()

    def claim() -> None:
        barrier.wait()
        won = store.dedup.claim("twilio-sid", "SM0123456789abcdef")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=claim) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert results.count(True) == 1
    assert store.dedup.claim("twilio-sid", "SM_other") is True


def test_an_expired_dedup_marker_can_be_claimed_again(store):
    assert store.dedup.claim("k", "1", ttl=timedelta(seconds=-1)) is True
    assert store.dedup.claim("k", "1") is True
    assert store.dedup.claim("k", "1") is False


def test_dedup_keys_with_odd_characters_are_safe(store):
    assert store.dedup.claim("task", "projects/p/queues/q/tasks/1") is True
    assert store.dedup.claim("task", "projects/p/queues/q/tasks/1") is False
    assert store.dedup.claim("task", "projects/p/queues/q/tasks/2") is True


def test_idempotency_record_in_progress_then_completed(store):
    from nudge.store.idempotency import AlreadyInProgress, IdempotencyStatus

    records = store.idempotency
    assert records.begin("turn", "abc") is None  # we own it
    with pytest.raises(AlreadyInProgress):
        records.begin("turn", "abc")
    records.complete("turn", "abc", {"reply_sid": "SM1"})
    again = records.begin("turn", "abc")
    assert again is not None
    assert again.status == IdempotencyStatus.completed
    assert again.result == {"reply_sid": "SM1"}


def test_idempotency_release_and_stale_in_progress_allow_a_retry(store):
    from nudge.store.idempotency import IdempotencyStore

    records = store.idempotency
    assert records.begin("turn", "failed") is None
    records.release("turn", "failed")
    assert records.begin("turn", "failed") is None

    crashed = IdempotencyStore(store.db, in_progress_timeout=timedelta(seconds=-1))
    assert crashed.begin("turn", "crashed") is None
    assert records.begin("turn", "crashed") is None  # the stale attempt is taken over


def test_idempotency_has_one_owner_under_concurrency(store):
    from nudge.store.idempotency import AlreadyInProgress

    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append("owner" if store.idempotency.begin("turn", "race") is None else "done")
        except AlreadyInProgress:
            outcomes.append("busy")
        except Exception as exc:  # anything else is a failure of the claim itself
            outcomes.append(f"error: {exc}")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["busy"] * 19 + ["owner"]
