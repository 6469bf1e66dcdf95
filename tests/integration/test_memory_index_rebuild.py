"""An index that is not current (older version, or none) against the real emulators: recall
answers without building it (older term shards, `find_nearest`), asks once for a background
rebuild on the `memory` queue, and the memory_consolidation function's task builds it."""

from __future__ import annotations

import logging

import functions_framework
import pytest

from emulators import stack
from nudge.memory import admin
from nudge.memory.consolidation import ConsolidationDeps, consolidate
from nudge.memory.extraction import OfflineJudge
from nudge.memory.index_rebuild import rebuild_if_stale, task_name
from nudge.memory.recall import recall
from nudge.models import Memory, User
from nudge.queue.client import TaskQueue
from nudge.store import memory_terms
from nudge.store.codec import to_document
from nudge.store.collections import MemoryRepository
from tests.integration.test_memory_index import (
    CHAT,
    GREETINGS,
    NOW,
    assert_in_step,
    entries,
    ids,
    ingest,
    predating_the_index,
    use_search,
    vectors,
)

QUESTION = "What does Melanie say running has been great for?"
SOURCE = stack.FUNCTIONS_DIR / "memory_consolidation" / "main.py"


@pytest.fixture
def jon(store):
    return store.users.create(User(phone="+15555550112", name="Jon", timezone="Etc/UTC"))


class RecordingQueue(TaskQueue):
    """The emulator's queue, with a record of what was enqueued (the emulator does not refuse
    a second task of the same name, as Cloud Tasks does, so the count is taken here)."""

    def __init__(self, settings, client):
        super().__init__(settings, client=client)
        self.sent: list[tuple[str, str, dict, str | None]] = []

    def enqueue(self, queue, function, payload, **kwargs):
        self.sent.append((queue, function, payload, kwargs.get("task_name")))
        return super().enqueue(queue, function, payload, **kwargs)


@pytest.fixture
def queue(settings, task_queue):
    return RecordingQueue(settings, client=task_queue.client)


@pytest.fixture
def nearest_calls(monkeypatch):
    """Each `find_nearest` recall asks (the path that needs no vector shards)."""
    calls: list[str] = []
    real = MemoryRepository.nearest

    def counted(self, user_id, *args, **kwargs):
        calls.append(user_id)
        return real(self, user_id, *args, **kwargs)

    monkeypatch.setattr(MemoryRepository, "nearest", counted)
    return calls


def marker(store, user_id: str) -> dict | None:
    return store.db.document(f"users/{user_id}/memory_terms/built").get().to_dict()


def run_task(payload: dict) -> tuple[int, dict]:
    """POST a task to the memory_consolidation function, as the queue delivers it."""
    client = functions_framework.create_app(
        target="memory_consolidation", source=str(SOURCE)
    ).test_client()
    response = client.post(
        "/", json=payload, headers={"X-Nudge-Task-Secret": "local-only-task-secret"}
    )
    return response.status_code, response.get_json()


def rebuild_tasks(queue: RecordingQueue) -> list[tuple[str, str, dict, str | None]]:
    return [s for s in queue.sent if s[2].get("action") == "rebuild_index"]


def test_a_stale_user_s_recall_is_fused_without_rebuilding_and_asks_once(
    store, embedder, jon, queue, nearest_calls, monkeypatch
):
    from nudge.memory import recall as recall_module

    # find_nearest sees one vector a memory, no lead-ins: compared without them.
    monkeypatch.setattr(recall_module, "LEAD_IN_WEIGHT", 0.0)
    use_search("in_process")
    ingest(store, embedder, jon.id, CHAT + GREETINGS)
    current = recall(store, embedder, jon.id, QUESTION, now=NOW, touch=False)
    assert nearest_calls == []  # current: the in-process vectors
    predating_the_index(store, jon.id)  # version 1: the same term entries, no vector shards
    use_search("in_process")  # a new process: nothing cached

    first = recall(store, embedder, jon.id, QUESTION, now=NOW, touch=False, queue=queue)
    second = recall(store, embedder, jon.id, "lemon tart", now=NOW, touch=False, queue=queue)

    # Fused from the old term shards and find_nearest: the same ranking as the current index
    # (past the answers, the sixty alike greetings tie within float16's rounding).
    assert ids(first)[:5] == ids(current)[:5]
    assert first[0].lexical_rank is not None and first[0].vector_rank is not None
    assert ids(second)[0] == "t6"
    assert nearest_calls == [jon.id, jon.id]
    # Nothing was built inside the recall...
    assert marker(store, jon.id) == {"built": True}
    assert vectors(store, jon.id) == {}
    # ...and one rebuild was asked for, named by the user and the index version.
    assert rebuild_tasks(queue) == [
        (
            "memory",
            "memory_consolidation",
            {"action": "rebuild_index", "user_id": jon.id},
            f"memory-index-{jon.id}-v{memory_terms.VERSION}",
        )
    ]
    assert task_name(jon.id) == f"memory-index-{jon.id}-v2"


def test_the_rebuild_task_builds_the_index_and_the_next_recall_reads_the_shards(
    store, embedder, jon, queue, nearest_calls
):
    use_search("in_process")
    ingest(store, embedder, jon.id, CHAT + GREETINGS)
    current = ids(recall(store, embedder, jon.id, QUESTION, now=NOW, touch=False))
    predating_the_index(store, jon.id)
    use_search("in_process")
    recall(store, embedder, jon.id, QUESTION, now=NOW, touch=False, queue=queue)
    [(_, _, payload, _)] = rebuild_tasks(queue)

    assert run_task(payload) == (200, {"rebuilt": True, "indexed": len(CHAT + GREETINGS)})
    assert marker(store, jon.id) == {"version": memory_terms.VERSION}
    assert_in_step(store, jon.id)

    use_search("in_process")  # a new process
    nearest_calls.clear()
    after = recall(store, embedder, jon.id, QUESTION, now=NOW, touch=False, queue=queue)
    assert ids(after) == current
    assert nearest_calls == []  # the in-process copy, from the new vector shards
    assert len(rebuild_tasks(queue)) == 1  # current now: nothing more to ask

    # A redelivery after the rebuild finds the marker current and writes nothing.
    built_at = store.db.document(f"users/{jon.id}/memory_terms/built").get().update_time
    assert run_task(payload) == (200, {"rebuilt": False, "indexed": 0})
    assert store.db.document(f"users/{jon.id}/memory_terms/built").get().update_time == built_at


def legacy_memories(store, embedder, user_id: str) -> None:
    """Memories written straight to their documents: no term entry, no vector shard."""
    for doc_id, text in [
        ("okafor", "Dr. Okafor is my dentist"),
        ("locker", "My locker code at the gym is 4471"),
        ("sister", "My sister Ada lives in Lisbon"),
    ]:
        memory = Memory(
            content=text,
            keywords=text.lower().split(),
            embedding=embedder.embed_documents([text])[0],
        )
        store.memories._collection(user_id).document(doc_id).set(to_document(memory))


def no_index_at_all(store, user_id: str) -> None:
    for snapshot in store.db.collection(f"users/{user_id}/memory_terms").stream():
        snapshot.reference.delete()


def test_a_user_without_any_index_gets_vector_results_and_one_task(
    store, embedder, jon, queue, nearest_calls, caplog
):
    use_search("in_process")
    no_index_at_all(store, jon.id)
    legacy_memories(store, embedder, jon.id)

    with caplog.at_level(logging.INFO, logger="nudge.memory"):
        hits = recall(store, embedder, jon.id, "who is my dentist", now=NOW, touch=False,
                      queue=queue)  # fmt: skip
        again = recall(store, embedder, jon.id, "locker code", now=NOW, touch=False, queue=queue)
    assert hits[0].memory.id == "okafor" and again[0].memory.id == "locker"
    assert {h.memory.id for h in hits} == {"okafor", "locker", "sister"}
    assert all(h.lexical_rank is None and h.vector_rank is not None for h in hits + again)
    assert nearest_calls == [jon.id, jon.id]
    assert marker(store, jon.id) is None and entries(store, jon.id) == {}
    assert len(rebuild_tasks(queue)) == 1
    # Said at INFO, without what was asked.
    assert "no memory term index yet" in caplog.text
    assert "dentist" not in caplog.text and "locker" not in caplog.text

    [(_, _, payload, _)] = rebuild_tasks(queue)
    assert run_task(payload) == (200, {"rebuilt": True, "indexed": 3})
    lexical = recall(store, embedder, jon.id, "Okafor", now=NOW, mode="lexical", touch=False)
    assert [h.memory.id for h in lexical] == ["okafor"]


def test_a_queue_failure_never_fails_the_recall_and_a_later_one_asks_again(
    store, embedder, jon, settings, task_queue, caplog
):
    predating_the_index(store, jon.id)
    legacy_memories(store, embedder, jon.id)
    # A project whose queues the emulator does not have: it answers FAILED_PRECONDITION.
    elsewhere = settings.model_copy(update={"project_id": f"{settings.project_id}-no-queues"})
    broken = RecordingQueue(elsewhere, client=task_queue.client)
    use_search("find_nearest")

    with caplog.at_level(logging.WARNING, logger="nudge.memory"):
        hits = recall(store, embedder, jon.id, "who is my dentist", now=NOW, touch=False,
                      queue=broken)  # fmt: skip
    assert hits[0].memory.id == "okafor"
    assert "could not enqueue the memory index rebuild" in caplog.text
    # Not remembered as asked: the next recall tries again.
    recall(store, embedder, jon.id, "locker", now=NOW, touch=False, queue=broken)
    assert len(rebuild_tasks(broken)) == 2
    assert marker(store, jon.id) == {"built": True}


@pytest.mark.parametrize(
    "payload",
    [{"action": "rebuild_index"}, {"action": "rebuild_index", "user_id": ""}],
    ids=["no-user", "empty-user"],
)
def test_the_function_refuses_a_rebuild_without_a_user(settings, payload):
    status, answer = run_task(payload)
    assert status == 400 and answer == {"error": "invalid task payload"}


def test_a_rebuild_for_a_deleted_user_writes_nothing(store, settings):
    assert run_task({"action": "rebuild_index", "user_id": "gone"}) == (
        200,
        {"rebuilt": False, "indexed": 0},
    )
    assert marker(store, "gone") is None


def test_the_nightly_consolidation_rebuilds_a_stale_index_first(store, embedder, settings, jon):
    predating_the_index(store, jon.id)
    legacy_memories(store, embedder, jon.id)
    deps = ConsolidationDeps(store=store, embedder=embedder, judge=OfflineJudge(),
                             settings=settings)  # fmt: skip
    report = consolidate(deps, jon.id, NOW)
    assert report.reindexed == 3
    assert marker(store, jon.id) == {"version": memory_terms.VERSION}
    assert_in_step(store, jon.id)
    assert consolidate(deps, jon.id, NOW).reindexed == 0  # current: not built again


def test_nudge_memory_search_builds_a_stale_index_inline(store, embedder, jon, nearest_calls):
    """The CLI has no queue: its search builds the index first, then recalls as a turn."""
    use_search("in_process")
    predating_the_index(store, jon.id)
    legacy_memories(store, embedder, jon.id)
    hits = admin.search(store, embedder, jon.id, "who is my dentist", k=3)
    assert hits[0].memory.id == "okafor" and hits[0].lexical_rank == 1
    assert marker(store, jon.id) == {"version": memory_terms.VERSION}
    assert nearest_calls == []  # current by the time it recalled: the in-process vectors
    assert rebuild_if_stale(store, jon.id) is None
