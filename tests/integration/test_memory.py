"""Long-term memory against the real Firestore emulator, with the real WordLlama embedder."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.memory import admin
from nudge.memory.recall import recall
from nudge.models import User

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def alice(store):
    return store.users.create(User(phone="+15555550101", name="Alice", timezone="Etc/UTC"))


@pytest.fixture
def bob(store):
    return store.users.create(User(phone="+15555550102", name="Bob", timezone="Etc/UTC"))


def tool(store, settings, user, embedder, name, **args):
    ctx = ToolContext(
        store=store, user=user, settings=settings, now=NOW, turn_id="t",
        embedder_factory=lambda: embedder,
    )  # fmt: skip
    return registry.execute(FunctionCall(name=name, args=args), ctx).response


ITEMS = [
    ("m1", "My sister Anna's birthday is June 3", "2026-03-02T10:00:00Z"),
    ("m2", "I take my ADHD meds at 8am with breakfast", "2026-03-03T10:00:00Z"),
    ("m3", "Dr. Okafor is my dentist, on King Street", "2026-03-04T10:00:00Z"),
    ("m4", "I hate phone calls, texting is easier for me", "2026-03-05T10:00:00Z"),
    ("m5", "My landlord's name is Mr. Brzezinski", "2026-03-06T10:00:00Z"),
    ("m6", "Walking in the morning helps me focus", "2026-03-07T10:00:00Z"),
]


def ingest(store, embedder, user):
    lines = [json.dumps({"id": i, "text": t, "timestamp": ts}) for i, t, ts in ITEMS]
    return admin.ingest(store, embedder, user.id, admin.read_jsonl(io.StringIO("\n".join(lines))))


def top_ids(store, embedder, user, query, mode="fused", k=3):
    hits = recall(store, embedder, user.id, query, now=NOW, k=k, mode=mode, touch=False)
    return [admin.source_id(h) for h in hits]


def test_fused_recall_finds_paraphrases_and_rare_names(store, embedder, alice):
    assert ingest(store, embedder, alice) == len(ITEMS)
    assert top_ids(store, embedder, alice, "when is Anna's birthday?")[0] == "m1"
    assert top_ids(store, embedder, alice, "what time should I take my medication")[0] == "m2"
    # A rare surname: the lexical path carries it.
    assert top_ids(store, embedder, alice, "Brzezinski")[0] == "m5"
    assert "m5" in top_ids(store, embedder, alice, "Brzezinski", mode="lexical")


def test_the_lexical_path_weighs_a_rare_word_over_a_common_one(store, embedder, alice):
    said = [
        "dentist on Monday",
        "dentist was fine",
        "hate the dentist",
        "dentist again, ugh",
        "Okafor's office moved to a new building on King Street",
    ]
    lines = [
        json.dumps({"id": f"d{n}", "text": text, "timestamp": "2026-10-01T09:00:00+00:00"})
        for n, text in enumerate(said)
    ]
    admin.ingest(store, embedder, alice.id, admin.read_jsonl(io.StringIO("\n".join(lines))))
    # One word each: the name is in one memory, "dentist" in four (BM25's idf), so the longer
    # memory holding the name comes first.
    assert top_ids(store, embedder, alice, "dentist Okafor", mode="lexical", k=5)[0] == "d4"


def test_dates_are_embedded_and_shown(store, embedder, alice):
    ingest(store, embedder, alice)
    [hit] = recall(store, embedder, alice.id, "dentist", now=NOW, k=1, touch=False)
    assert hit.memory.created_at.date().isoformat() == "2026-03-04"
    assert hit.memory.keywords == sorted(hit.memory.keywords) and "dentist" in hit.memory.keywords


def test_ingest_twice_changes_nothing_and_search_json_carries_source_ids(store, embedder, alice):
    ingest(store, embedder, alice)
    ingest(store, embedder, alice)
    assert len(store.memories.list(alice.id)) == len(ITEMS)
    exported = [json.loads(line) for line in admin.export(store, alice.id)]
    assert {e["source_ids"][0] for e in exported} == {i for i, _, _ in ITEMS}
    assert all("embedding" not in e for e in exported)


def test_a_chat_of_long_turns_is_ingested_whole(store, embedder, alice):
    # 400 turns of 4,000 characters (the longest an item may be) are some 5 MB in one batch:
    # more than the emulator's 4 MiB message. They are written in parts that fit.
    sentence = "We talked about the garden, the plumber and the long drive north again. "
    items = [
        admin.IngestItem(
            id=f"long{n}",
            text=(f"Turn {n} about topic{n}. " + sentence * 60)[:4000],
            timestamp=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=n),
        )
        for n in range(400)
    ]
    assert admin.ingest(store, embedder, alice.id, items) == 400
    assert len(store.memories.list(alice.id)) == 400
    hits = admin.search(store, embedder, alice.id, "topic399", k=1, mode="lexical")
    assert [admin.source_id(h) for h in hits] == ["long399"]


def test_user_a_never_recalls_user_b(store, embedder, alice, bob):
    ingest(store, embedder, bob)
    assert recall(store, embedder, alice.id, "Anna birthday", now=NOW, k=5) == []
    assert top_ids(store, embedder, bob, "Anna birthday")[0] == "m1"


def test_remember_with_tags_is_found_by_a_tag_the_sentence_lacks(store, settings, embedder, alice):
    content = "I hate phone calls, texting is easier for me"
    tags = ["communication", "messages", "preference"]
    tool(store, settings, alice, embedder, "remember", content=content, tags=tags)
    [memory] = store.memories.list(alice.id)
    assert memory.tags == tags
    question = "which communication style do I like?"  # "communication" is only a tag
    hits = recall(store, embedder, alice.id, question, now=NOW, mode="lexical", touch=False)
    assert [h.memory.content for h in hits] == [content]


def test_the_same_fact_said_three_times_is_one_memory(store, settings, embedder, alice):
    for _ in range(3):
        tool(store, settings, alice, embedder, "remember", content="My cat is called Miso")
    memories = store.memories.list(alice.id)
    assert [m.content for m in memories] == ["My cat is called Miso"]
    assert memories[0].importance > 0.7  # saying it again makes it matter more


def test_forget_removes_the_memory_and_its_embedding(store, settings, embedder, alice):
    tool(store, settings, alice, embedder, "remember", content="My cat is called Miso")
    tool(store, settings, alice, embedder, "remember", content="I like green tea")
    result = tool(store, settings, alice, embedder, "forget", query="my cat's name")
    assert result == {"ok": True, "forgot": "My cat is called Miso"}
    assert [m.content for m in store.memories.list(alice.id)] == ["I like green tea"]
    vector = embedder.embed_query("cat Miso")
    assert [m.content for m, _ in store.memories.nearest(alice.id, vector, limit=5)] == [
        "I like green tea"
    ]


def no_longer_true(store, settings, user, embedder, content, replaced_by):
    """A remembered fact that consolidation then found contradicted (kept, inactive)."""
    old = tool(store, settings, user, embedder, "remember", content=content)["id"]
    new = tool(store, settings, user, embedder, "remember", content=replaced_by)["id"]
    store.memories.patch(user.id, new, related_ids=[old])  # as consolidation links them
    store.memories.patch(
        user.id,
        old,
        active=False,
        invalidated_at=NOW,
        archived_reason=f"contradicted: {replaced_by}",
    )
    return old


def test_history_is_recalled_only_when_asked_and_marked_as_past(store, settings, embedder, alice):
    no_longer_true(store, settings, alice, embedder, "I live in Boston", "I live in Toronto")
    now = tool(store, settings, alice, embedder, "recall", query="where do I live")
    assert [m["content"] for m in now["memories"]] == ["I live in Toronto"]
    past = tool(store, settings, alice, embedder, "recall", query="Boston", include_past=True)
    [boston] = [m for m in past["memories"] if m["content"] == "I live in Boston"]
    assert boston["no_longer_true_since"] == NOW.date().isoformat()
    assert boston["why"] == "contradicted: I live in Toronto"


def test_forget_reaches_a_fact_that_is_no_longer_true(store, settings, embedder, alice):
    old = no_longer_true(store, settings, alice, embedder, "I live in Boston", "I live in Toronto")
    result = tool(store, settings, alice, embedder, "forget", query="that I lived in Boston")
    assert result == {"ok": True, "forgot": "I live in Boston"}
    assert store.memories.get(alice.id, old) is None
    assert [m.content for m in store.memories.list(alice.id)] == ["I live in Toronto"]


def test_forgetting_a_fact_in_force_takes_its_older_versions_with_it(
    store, settings, embedder, alice
):
    no_longer_true(store, settings, alice, embedder, "I live in Boston", "I live in Toronto")
    tool(store, settings, alice, embedder, "remember", content="I like green tea")
    result = tool(store, settings, alice, embedder, "forget", query="I live in Toronto")
    assert result == {"ok": True, "forgot": "I live in Toronto"}
    assert [m.content for m in store.memories.list(alice.id)] == ["I like green tea"]


def test_a_faded_memory_is_shown_as_archived_not_as_untrue(store, settings, embedder, alice):
    kept = tool(store, settings, alice, embedder, "remember", content="I like green tea")["id"]
    store.memories.patch(alice.id, kept, active=False, archived_reason="faded: never recalled")
    past = tool(store, settings, alice, embedder, "recall", query="green tea", include_past=True)
    [tea] = past["memories"]
    assert tea["archived"] == "faded: never recalled" and "no_longer_true_since" not in tea


def test_recall_records_access_statistics_before_returning(store, embedder, alice):
    ingest(store, embedder, alice)
    recall(store, embedder, alice.id, "dentist", now=NOW, k=1)
    # Written in the call, not by a thread a serverless instance may never run.
    memory = store.memories.require(alice.id, "src-m3")
    assert memory.access_count == 1 and memory.last_accessed_at == NOW


def test_recall_respects_a_token_budget(store, embedder, alice):
    ingest(store, embedder, alice)
    hits = recall(store, embedder, alice.id, "me", now=NOW, k=10, token_budget=30, touch=False)
    assert 1 <= len(hits) <= 2


def test_reembed_restores_every_embedding(store, embedder, alice):
    ingest(store, embedder, alice)
    for memory in store.memories.list(alice.id):
        store.memories.patch(alice.id, memory.id, embedding=[0.0] * 255 + [1.0])
    assert admin.reembed(store, embedder, [alice.id]) == len(ITEMS)
    assert top_ids(store, embedder, alice, "when is Anna's birthday?", mode="vector")[0] == "m1"


def test_recency_breaks_ties_between_equally_relevant_memories(store, embedder, alice):
    lines = [
        json.dumps(
            {"id": "old", "text": "Standup is at 9:30", "timestamp": "2025-01-01T00:00:00Z"}
        ),
        json.dumps(
            {"id": "new", "text": "Standup is at 9:30", "timestamp": "2026-11-20T00:00:00Z"}
        ),
    ]
    admin.ingest(store, embedder, alice.id, admin.read_jsonl(io.StringIO("\n".join(lines))))
    # The same text twice is shown once: the recent one.
    assert top_ids(store, embedder, alice, "when is standup", k=5) == ["new"]


@pytest.mark.parametrize("search", ["in_process", "find_nearest"])
def test_both_vector_searches_rank_alike_and_see_new_embeddings(store, embedder, alice, search):
    import os

    from tests.conftest import clear_caches

    os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = search
    clear_caches()
    ingest(store, embedder, alice)
    assert top_ids(store, embedder, alice, "when is Anna's birthday?", mode="vector")[0] == "m1"
    # A new embedding reaches the next recall (the in-process copy re-reads changed shards).
    far = embedder.embed_documents(["quantum chromodynamics lecture notes"])[0]
    store.memories.patch(alice.id, "src-m1", embedding=far)
    ranked = top_ids(store, embedder, alice, "when is Anna's birthday?", mode="vector", k=6)
    assert ranked[0] != "m1"
    # An archived memory leaves the vector path's answers (its entry is no longer active).
    store.memories.patch(alice.id, "src-m3", active=False)
    ranked = top_ids(store, embedder, alice, "who is my dentist?", mode="vector", k=6)
    assert "m3" not in ranked


def test_a_turns_context_and_the_recall_tool_rank_memories_alike(store, settings, embedder, alice):
    from nudge.agent.context import MAX_MEMORIES, build_request
    from nudge.agent.tools import registry as tools
    from nudge.models import Direction, Message

    ingest(store, embedder, alice)
    text = "who is my dentist and when is Anna's birthday?"
    new = store.messages.add(
        alice.id, Message(direction=Direction.inbound, body=text, created_at=NOW), doc_id="SMq"
    )
    request = build_request(
        store=store, settings=settings, user=alice, new_messages=[new], tools=tools.specs(),
        now=NOW, embedder=embedder,
    )  # fmt: skip
    recalled = tool(store, settings, alice, embedder, "recall", query=text, limit=MAX_MEMORIES)
    contents = [m["content"] for m in recalled["memories"]]
    assert contents[:2] and {"Dr. Okafor is my dentist, on King Street"} <= set(contents[:2])
    positions = [request.system_instruction.find(c) for c in contents]
    assert -1 not in positions and positions == sorted(positions)


def test_the_in_process_vectors_read_again_only_the_shards_that_changed(store, embedder, alice):
    from nudge.memory.recall import load_index
    from nudge.store import vector_shards
    from nudge.store.memory_terms import shard_of
    from nudge.store.memory_vectors import MemoryVectorCache

    ingest(store, embedder, alice)
    reads: list[list[str]] = []

    def counted(user_id, shards):
        reads.append(list(shards))
        return store.memories.vector_shards.read(user_id, shards)

    cache = MemoryVectorCache(counted)
    query = embedder.embed_query("when is Anna's birthday?")
    first = cache.similarities(alice.id, load_index(store, alice.id).corpus.shards, query)
    assert max(first, key=first.get) == "src-m1" and len(first) == len(ITEMS)
    # The vector shards of the memories' term shards, in one read.
    held = {vector_shards.shard_of(f"src-{i}") for i, _, _ in ITEMS}
    assert held <= set(reads.pop())
    cache.similarities(alice.id, load_index(store, alice.id).corpus.shards, query)
    assert reads == []  # nothing written: nothing read
    store.memories.patch(alice.id, "src-m4", embedding=embedder.embed_documents(["x"])[0])
    cache.similarities(alice.id, load_index(store, alice.id).corpus.shards, query)
    [again] = reads  # only the vector shards of the one term shard written
    assert vector_shards.shard_of("src-m4") in again
    assert sorted(again) == vector_shards.shards_of_term_shard(int(shard_of("src-m4")))


def test_each_request_s_new_store_reuses_the_process_s_embeddings_copy(
    store, embedder, alice, monkeypatch
):
    # Every agent turn builds a new Store over the process's one client: the second turn's
    # vector recall must not read every embedding again.
    import os

    from nudge.memory.recall import load_index
    from nudge.store import Store
    from nudge.store.vector_shards import VectorShards
    from tests.conftest import clear_caches

    os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = "in_process"
    clear_caches()
    ingest(store, embedder, alice)
    reads: list[int] = []
    real = VectorShards.read

    def counted(self, user_id, shards):
        found = real(self, user_id, shards)
        reads.append(len(found.vectors))
        return found

    monkeypatch.setattr(VectorShards, "read", counted)
    query = embedder.embed_query("when is Anna's birthday?")
    for turn_store in (Store(store.db), Store(store.db)):
        shards = load_index(turn_store, alice.id).corpus.shards
        found = turn_store.memories.vectors.similarities(alice.id, shards, query)
        assert max(found, key=found.get) == "src-m1"
    assert reads == [len(ITEMS)]  # read once, by the first turn only
