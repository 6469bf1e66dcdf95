"""The per-user term index and vector shards against the real Firestore emulator: kept with
every memory write, idempotent, built for memories that predate them; and the rankings they
serve. (Recall on an index that is not current, and its background rebuild:
test_memory_index_rebuild.py.)"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.memory import admin
from nudge.memory.recall import recall
from nudge.models import Memory, User
from nudge.store import vector_shards
from nudge.store.codec import to_document

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def jon(store):
    return store.users.create(User(phone="+15555550111", name="Jon", timezone="Etc/UTC"))


def entries(store, user_id: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for snapshot in store.memories.terms.db.collection(f"users/{user_id}/memory_terms").stream():
        found |= (snapshot.to_dict() or {}).get("entries", {})
    return found


def shard_field(store, user_id: str, field: str) -> dict:
    """One map of the user's vector shards (vectors, sentences, lead_ins, questions), merged."""
    found: dict = {}
    for snapshot in store.db.collection(f"users/{user_id}/{vector_shards.COLLECTION}").stream():
        found |= (snapshot.to_dict() or {}).get(field, {})
    return found


def vectors(store, user_id: str) -> dict[str, bytes]:
    return shard_field(store, user_id, "vectors")


def assert_in_step(store, user_id: str) -> None:
    """The vector shards hold exactly each memory's embedding, encoded, and no other."""
    expected = {
        m.id: vector_shards.encode(m.embedding) for m in store.memories.list(user_id) if m.embedding
    }
    assert expected and vectors(store, user_id) == expected
    assert set(entries(store, user_id)) == {m.id for m in store.memories.list(user_id)}


def predating_the_index(store, user_id: str) -> None:
    """Make the user look as if created before the index's current version: the marker of
    version 1 (terms only), no vector shards."""
    terms = store.db.collection(f"users/{user_id}/memory_terms")
    terms.document("built").set({"built": True})
    for snapshot in store.db.collection(f"users/{user_id}/{vector_shards.COLLECTION}").stream():
        snapshot.reference.delete()


def ingest(store, embedder, user_id, turns):
    lines = [
        json.dumps({"id": i, "text": text, "timestamp": ts, "speaker": speaker})
        for i, speaker, text, ts in turns
    ]
    return admin.ingest(store, embedder, user_id, admin.read_jsonl(io.StringIO("\n".join(lines))))


def ids(hits):
    return [admin.source_id(h) for h in hits]


CHAT = [
    ("t1", "Caroline", "Hey Melanie! Just wanted to say hi!", "2023-03-10T13:00:00Z"),
    ("t2", "Melanie", "Hi Caroline! So good to hear from you.", "2023-03-10T13:02:00Z"),
    ("t3", "Caroline", "How's the running going, Melanie?", "2023-03-10T13:04:00Z"),
    ("t4", "Melanie", "It's been great for my headspace, I go farther to de-stress.",
     "2023-03-10T13:06:00Z"),
    ("t5", "Caroline", "Wow, Melanie, that's amazing!", "2023-03-10T13:08:00Z"),
    ("t6", "Melanie", "I baked a lemon tart for the neighbours.", "2023-05-08T10:00:00Z"),
    ("t7", "Melanie", "I baked cinnamon rolls for the office.", "2023-08-20T10:00:00Z"),
]  # fmt: skip
GREETINGS = [
    (f"g{n}", "Caroline" if n % 2 else "Melanie",
     "Hey Melanie! Just wanted to say hi!" if n % 2 else "Thanks Caroline, you're the best!",
     f"2023-04-{n % 28 + 1:02d}T09:00:00Z")
    for n in range(60)
]  # fmt: skip


def test_ingest_writes_one_entry_a_memory_and_again_changes_nothing(store, embedder, jon):
    ingest(store, embedder, jon.id, CHAT)
    first = entries(store, jon.id)
    assert set(first) == {f"src-{i}" for i, *_ in CHAT}
    assert first["src-t6"].startswith("A 20230508 ") and "lemon" in first["src-t6"].split()
    ingest(store, embedder, jon.id, CHAT)  # a redelivered import
    assert entries(store, jon.id) == first


def test_an_answer_is_found_by_the_words_of_the_question_it_answers(store, embedder, jon):
    ingest(store, embedder, jon.id, CHAT)
    # t4 never says "running": the question it answers (t3) does, at half weight.
    assert "run:0.5" in entries(store, jon.id)["src-t4"].split()
    hits = recall(store, embedder, jon.id, "Melanie running", now=NOW, mode="lexical",
                  touch=False)  # fmt: skip
    assert "t4" in ids(hits)[:2]


def test_the_melanie_example_answer_is_in_the_fused_top_three(store, embedder, jon):
    ingest(store, embedder, jon.id, CHAT + GREETINGS)
    question = "What does Melanie say running has been great for?"
    hits = recall(store, embedder, jon.id, question, now=NOW, k=10, touch=False)
    assert "t4" in ids(hits)[:3]


def test_a_month_in_the_question_is_read_from_when_it_was_said(store, embedder, jon):
    ingest(store, embedder, jon.id, CHAT + GREETINGS)
    for month, answer in (("May 2023", "t6"), ("August 2023", "t7")):
        hits = recall(store, embedder, jon.id, f"What did Melanie bake in {month}?", now=NOW,
                      touch=False)  # fmt: skip
        assert ids(hits)[0] == answer


def tool(store, settings, user, embedder, name, **args):
    ctx = ToolContext(
        store=store, user=user, settings=settings, now=NOW, turn_id="t",
        embedder_factory=lambda: embedder,
    )  # fmt: skip
    return registry.execute(FunctionCall(name=name, args=args), ctx).response


def test_remember_forget_and_invalidate_keep_the_index(store, settings, embedder, jon):
    saved = tool(store, settings, jon, embedder, "remember", content="My locker code is 4471")
    assert entries(store, jon.id)[saved["id"]].startswith("A ")
    lexical = recall(store, embedder, jon.id, "locker", now=NOW, mode="lexical", touch=False)
    assert [h.memory.id for h in lexical] == [saved["id"]]

    # Invalidated (consolidation) or archived: history, found only with include_past.
    store.memories.patch(jon.id, saved["id"], active=False, archived_reason="updated")
    assert entries(store, jon.id)[saved["id"]].startswith("P ")
    assert recall(store, embedder, jon.id, "locker", now=NOW, mode="lexical", touch=False) == []
    past = recall(store, embedder, jon.id, "locker", now=NOW, mode="lexical", touch=False,
                  include_past=True)  # fmt: skip
    assert [h.memory.id for h in past] == [saved["id"]]

    forgot = tool(store, settings, jon, embedder, "forget", memory_id=saved["id"])
    assert forgot["ok"] and saved["id"] not in entries(store, jon.id)


def test_memories_stored_before_the_index_are_indexed_by_its_rebuild(
    store, embedder, jon, task_queue
):
    from nudge.memory.index_rebuild import rebuild_if_stale

    predating_the_index(store, jon.id)
    old = Memory(content="Dr. Okafor is my dentist", keywords=["okafor", "dentist"],
                 embedding=embedder.embed_documents(["Dr. Okafor is my dentist"])[0])  # fmt: skip
    store.memories._collection(jon.id).document("legacy").set(to_document(old))
    assert entries(store, jon.id) == {}
    # Recall does not build it: the old index has no entry for the memory yet.
    assert recall(store, embedder, jon.id, "Okafor", now=NOW, mode="lexical", touch=False) == []
    assert entries(store, jon.id) == {}
    assert rebuild_if_stale(store, jon.id) == 1  # what the background task runs
    hits = recall(store, embedder, jon.id, "Okafor", now=NOW, mode="lexical", touch=False)
    assert [h.memory.id for h in hits] == ["legacy"]
    assert set(entries(store, jon.id)) == {"legacy"}
    assert_in_step(store, jon.id)


def test_a_new_user_s_index_is_complete_from_the_start(store, embedder, jon):
    # Created with the marker: the first recall after an ingest reads, it does not rebuild.
    marker = store.db.document(f"users/{jon.id}/memory_terms/built").get()
    assert marker.to_dict() == {"version": 2}
    ingest(store, embedder, jon.id, CHAT)
    before = marker.update_time
    recall(store, embedder, jon.id, "lemon tart", now=NOW, touch=False)
    assert store.db.document(f"users/{jon.id}/memory_terms/built").get().update_time == before


def test_a_write_before_the_rebuild_does_not_hide_older_memories(
    store, settings, embedder, jon, task_queue
):
    from nudge.memory.index_rebuild import rebuild_if_stale
    from nudge.store.memory_terms import VERSION

    predating_the_index(store, jon.id)
    old = Memory(content="Dr. Okafor is my dentist", keywords=["okafor", "dentist"],
                 embedding=embedder.embed_documents(["Dr. Okafor is my dentist"])[0])  # fmt: skip
    store.memories._collection(jon.id).document("legacy").set(to_document(old))
    tool(store, settings, jon, embedder, "remember", content="My dentist moved to King Street")
    # The write adds its own entry; the index is still not marked complete.
    assert store.memories.terms.built_version(jon.id) == 1 < VERSION
    assert rebuild_if_stale(store, jon.id) == 2
    hits = recall(store, embedder, jon.id, "dentist Okafor", now=NOW, mode="lexical",
                  touch=False)  # fmt: skip
    assert ids(hits)[0] == "legacy" and len(hits) == 2


def test_the_recall_tool_and_the_turn_context_rank_alike(store, settings, embedder, jon):
    ingest(store, embedder, jon.id, CHAT + GREETINGS)
    question = "What does Melanie say running has been great for?"
    # The direct recall first: the tool's recall records access, which breaks near-ties.
    direct = recall(store, embedder, jon.id, question, now=NOW, k=5, touch=False)
    shown = tool(store, settings, jon, embedder, "recall", query=question, limit=5)
    assert [m["id"] for m in shown["memories"]] == [h.memory.id for h in direct]


# -- the vector shards --


def use_search(search: str) -> None:
    import os

    from tests.conftest import clear_caches

    os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = search  # restored after each test (conftest)
    clear_caches()


@pytest.fixture
def in_process():
    use_search("in_process")


def test_the_vector_shards_stay_in_step_with_every_write(store, settings, embedder, jon):
    ingest(store, embedder, jon.id, CHAT)
    assert_in_step(store, jon.id)
    first = vectors(store, jon.id)
    ingest(store, embedder, jon.id, CHAT)  # a redelivered import
    assert vectors(store, jon.id) == first

    saved = tool(store, settings, jon, embedder, "remember", content="My locker code is 4471")
    assert_in_step(store, jon.id)
    far = embedder.embed_documents(["quantum chromodynamics lecture notes"])[0]
    store.memories.patch(jon.id, "src-t6", embedding=far)  # a new embedding
    assert vectors(store, jon.id)["src-t6"] == vector_shards.encode(far)
    store.memories.patch(jon.id, "src-t7", active=False, archived_reason="updated")
    assert_in_step(store, jon.id)  # invalidated: still searchable as history
    store.memories.patch(jon.id, "src-t5", embedding=None)
    assert "src-t5" not in vectors(store, jon.id)

    assert admin.reembed(store, embedder, [jon.id]) == len(CHAT) + 1
    assert_in_step(store, jon.id)
    assert vectors(store, jon.id)["src-t6"] != vector_shards.encode(far)

    tool(store, settings, jon, embedder, "forget", memory_id=saved["id"])
    store.memories.delete(jon.id, "src-t1")
    assert_in_step(store, jon.id)
    assert saved["id"] not in vectors(store, jon.id) and "src-t1" not in vectors(store, jon.id)


def exact_similarities(store, user_id: str, vector, active_only=True) -> dict[str, float]:
    """Cosine from the memory documents' own embeddings: what the copy read before."""
    import numpy as np

    q = np.asarray(vector)
    q /= np.linalg.norm(q)
    found = {}
    for m in store.memories.list(user_id):
        if (m.active or not active_only) and m.embedding:
            v = np.asarray(m.embedding)
            found[m.id] = float(v @ q / np.linalg.norm(v))
    return found


QUESTIONS = [
    "What does Melanie say running has been great for?",
    "What did Melanie bake in May 2023?",
    "Who did Caroline say hi to?",
    "What did Melanie bake for the office?",
]


# The greetings on sixty days: no two memories share a vector (a tie has no one order).
DATED_GREETINGS = [
    (i, speaker, text, f"2023-{4 + n // 28:02d}-{n % 28 + 1:02d}T09:00:00Z")
    for n, (i, speaker, text, _) in enumerate(GREETINGS)
]


def test_in_process_recall_from_the_shards_ranks_as_the_memories_own_embeddings(
    store, embedder, jon, in_process, monkeypatch
):
    from nudge.memory import recall as recall_module
    from nudge.memory.recall import load_index
    from nudge.store.memory_vectors import MemoryVectorCache

    # The memory documents know no lead-ins or questions (each has its own test below).
    monkeypatch.setattr(recall_module, "LEAD_IN_WEIGHT", 0.0)
    monkeypatch.setattr(recall_module, "QUESTION_WEIGHT", 1.0)
    ingest(store, embedder, jon.id, CHAT + DATED_GREETINGS)
    shards = load_index(store, jon.id).corpus.shards
    for question in QUESTIONS:
        exact = exact_similarities(store, jon.id, embedder.embed_query(question))
        found = store.memories.vectors.similarities(jon.id, shards, embedder.embed_query(question))
        assert found.keys() == exact.keys()
        assert max(abs(found[i] - exact[i]) for i in exact) < 2e-3  # float16's rounding
        best = sorted(exact, key=lambda i: (-exact[i], i))[:10]
        top = sorted(found, key=lambda i: (-found[i], i))[:10]
        # The same order, but where two memories are nearer than float16 tells apart.
        assert all(abs(exact[a] - exact[b]) < 2e-3 for a, b in zip(top, best, strict=True))
        assert top[:3] == best[:3]
        # And the whole recall, against the same recall over the memory documents' own
        # embeddings (what the in-process copy read before the shards).
        shown = ids(recall(store, embedder, jon.id, question, now=NOW, touch=False))
        with monkeypatch.context() as patched:
            patched.setattr(
                MemoryVectorCache,
                "similarities",
                lambda _self, user_id, _shards, vector, active_only=True, **_: exact_similarities(
                    store, user_id, vector, active_only
                ),
            )
            assert ids(recall(store, embedder, jon.id, question, now=NOW, touch=False)) == shown


def test_the_build_writes_more_memories_than_one_batch_holds(store, embedder, jon):
    from nudge.store.collections import BULK_LIMIT

    many = [
        (
            f"n{n}",
            "Melanie",
            f"Note {n}: the {n % 7} cats ate",
            f"2023-05-{n % 28 + 1:02d}T09:00:00Z",
        )
        for n in range(BULK_LIMIT + 1)
    ]
    ingest(store, embedder, jon.id, many)
    predating_the_index(store, jon.id)
    for snapshot in store.db.collection(f"users/{jon.id}/memory_terms").stream():
        if snapshot.id != "built":  # no entries either: all come from the build
            snapshot.reference.delete()
    assert entries(store, jon.id) == {}
    assert store.memories.rebuild_terms(jon.id) == BULK_LIMIT + 1
    assert_in_step(store, jon.id)


def unit(n: int, dimension: int = 8) -> list[float]:
    return [1.0 if d == n else 0.0 for d in range(dimension)]


def sentence_vectors(store, user_id: str) -> dict[str, bytes]:
    return shard_field(store, user_id, "sentences")


def test_a_memory_is_as_near_as_its_nearest_sentence(store, jon, in_process):
    from nudge.memory.recall import load_index

    said = datetime(2023, 5, 8, tzinfo=UTC)
    store.memories.put_many(
        jon.id,
        {
            # A long turn: its whole vector points one way, its second sentence another.
            "long": Memory(content="a. b.", created_at=said, embedding=unit(0),
                           sentence_embeddings=[unit(1), unit(2)]),
            "short": Memory(content="c", created_at=said, embedding=[0, 0, 0.6, 0.8, 0, 0, 0, 0]),
        },
    )  # fmt: skip
    shards = load_index(store, jon.id).corpus.shards
    found = store.memories.vectors.similarities(jon.id, shards, unit(2))
    assert found["long"] == pytest.approx(1.0, abs=1e-3)  # its second sentence
    assert found["short"] == pytest.approx(0.6, abs=1e-3)
    found = store.memories.vectors.similarities(jon.id, shards, unit(3))
    assert found["long"] == pytest.approx(0.0, abs=1e-3) and found["short"] > 0.79


def test_sentence_vectors_are_written_and_removed_with_their_memory(store, embedder, jon):
    turn = (
        "I finally signed up for the pottery class downtown. The teacher says I have a knack "
        "for bowls. We fire them next Thursday!"
    )
    ingest(store, embedder, jon.id, [("p1", "Melanie", turn, "2023-07-02T10:00:00Z")] + CHAT)
    stored = sentence_vectors(store, jon.id)
    dimension = len(store.memories.require(jon.id, "src-p1").embedding)
    assert set(stored) == {"src-p1"}  # the chat's turns are one sentence each
    assert len(stored["src-p1"]) == 3 * 2 * dimension  # three sentences, float16
    expected = embedder.embed_documents(
        [
            "Melanie: I finally signed up for the pottery class downtown.",
            "Melanie: The teacher says I have a knack for bowls.",
            "Melanie: We fire them next Thursday!",
        ]
    )
    assert stored["src-p1"] == b"".join(vector_shards.encode(v) for v in expected)
    # Not in the memory document, and a read of it does not bring them back.
    document = store.db.document(f"users/{jon.id}/memories/src-p1").get().to_dict()
    assert "sentence_embeddings" not in document
    assert store.memories.require(jon.id, "src-p1").sentence_embeddings == []

    store.memories.rebuild_terms(jon.id)  # from the documents: the sentences stay
    assert sentence_vectors(store, jon.id) == stored
    store.memories.patch(jon.id, "src-p1", embedding=embedder.embed_documents(["pottery"])[0])
    assert sentence_vectors(store, jon.id) == {}  # a new embedding without sentences
    ingest(store, embedder, jon.id, [("p1", "Melanie", turn, "2023-07-02T10:00:00Z")])
    assert set(sentence_vectors(store, jon.id)) == {"src-p1"}
    assert admin.reembed(store, embedder, [jon.id]) == len(CHAT) + 1
    assert sentence_vectors(store, jon.id) == stored
    store.memories.delete(jon.id, "src-p1")
    assert sentence_vectors(store, jon.id) == {} and "src-p1" not in vectors(store, jon.id)


def lead_ins(store, user_id: str) -> dict[str, str]:
    return shard_field(store, user_id, "lead_ins")


def test_an_answer_is_at_least_a_share_of_the_question_it_answers(store, embedder, jon, in_process):
    from nudge.memory.recall import load_index

    ingest(store, embedder, jon.id, CHAT)
    # "How's the running going, Melanie?" -> "It's been great for my headspace..." only: a
    # reply to a statement, or to a question hours earlier, answers nothing.
    assert lead_ins(store, jon.id) == {"src-t4": "src-t3"}
    predating_the_index(store, jon.id)  # no vector shards: rebuilt from the documents
    store.memories.rebuild_terms(jon.id)
    assert lead_ins(store, jon.id) == {"src-t4": "src-t3"}

    said = datetime(2023, 5, 8, tzinfo=UTC)
    store.memories.put_many(
        jon.id,
        {
            "asked": Memory(content="What got you into pottery?", created_at=said,
                            embedding=unit(0)),
            "answer": Memory(content="A coworker dragged me along.", created_at=said,
                             embedding=unit(1), lead_in_id="asked"),
        },
    )  # fmt: skip

    def similarity(memory_id: str, weight: float) -> float:
        shards = load_index(store, jon.id).corpus.shards
        vectors = store.memories.vectors
        found = vectors.similarities(jon.id, shards, unit(0), lead_in_weight=weight)
        return found[memory_id]

    assert similarity("answer", 0.0) == pytest.approx(0.0, abs=1e-3)
    assert similarity("answer", 0.8) == pytest.approx(0.8, abs=1e-3)
    assert similarity("asked", 0.8) == pytest.approx(1.0, abs=1e-3)  # only answers gain
    # A new embedding keeps where the turn was said; the lead-in goes with its memory.
    store.memories.patch(jon.id, "answer", embedding=unit(2))
    assert lead_ins(store, jon.id)["answer"] == "asked"
    store.memories.delete(jon.id, "asked")
    assert similarity("answer", 0.8) == pytest.approx(0.0, abs=1e-3)
    store.memories.delete(jon.id, "answer")
    assert "answer" not in lead_ins(store, jon.id)


def questions(store, user_id: str) -> dict[str, int]:
    return shard_field(store, user_id, "questions")


def test_a_question_counts_less_than_what_answers_it(store, embedder, jon, in_process):
    from nudge.memory.recall import load_index

    said = datetime(2023, 5, 8, tzinfo=UTC)
    store.memories.put_many(
        jon.id,
        {
            # Recall's questions are nearest the questions in memory; what answers them follows.
            "asked": Memory(content="Leah: What made you start volunteering?", created_at=said,
                            embedding=unit(0)),
            "answer": Memory(content="Sam: A friend took me along.", created_at=said,
                             embedding=unit(1), lead_in_id="asked"),
            # A long turn whose nearest sentence is its question back.
            "mixed": Memory(content="Sam: I ran a bake sale. It went well. Do you volunteer?",
                            created_at=said, embedding=unit(3),
                            sentence_embeddings=[unit(4), unit(5), unit(0)]),
            "fact": Memory(content="Sam: Volunteering at the shelter.", created_at=said,
                           embedding=[0.9, 0, 0, 0, 0, 0, 0.43589, 0]),
        },
    )  # fmt: skip
    assert questions(store, jon.id) == {"asked": 1, "mixed": 0b1000}

    def similarities(question_weight: float) -> dict[str, float]:
        shards = load_index(store, jon.id).corpus.shards
        return store.memories.vectors.similarities(
            jon.id, shards, unit(0), lead_in_weight=0.8, question_weight=question_weight
        )

    found = similarities(1.0)
    assert found["asked"] == pytest.approx(1.0, abs=1e-3)
    assert found["mixed"] == pytest.approx(1.0, abs=1e-3)
    assert found["fact"] == pytest.approx(0.9, abs=1e-3)
    found = similarities(0.75)
    assert found["asked"] == pytest.approx(0.75, abs=1e-3)
    assert found["mixed"] == pytest.approx(0.75, abs=1e-3)  # its question sentence
    assert found["answer"] == pytest.approx(0.8, abs=1e-3)  # of the question's full 1.0
    assert found["fact"] == pytest.approx(0.9, abs=1e-3)  # a statement stays as near
    assert max(found, key=found.get) == "fact"

    # A rebuild from the documents marks them again, as an edit does; they go with the memory.
    predating_the_index(store, jon.id)
    store.memories.rebuild_terms(jon.id)
    assert questions(store, jon.id) == {"asked": 1, "mixed": 0b1000}
    store.memories.patch(jon.id, "asked", content="Leah: I started volunteering.",
                         embedding=unit(0))  # fmt: skip
    assert questions(store, jon.id) == {"mixed": 0b1000}
    assert similarities(0.75)["asked"] == pytest.approx(1.0, abs=1e-3)
    store.memories.delete(jon.id, "mixed")
    assert questions(store, jon.id) == {}
