"""Nightly memory consolidation against the real emulator; Gemini scripted at its HTTP layer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from nudge.memory.consolidation import ConsolidationDeps, consolidate
from nudge.memory.extraction import GeminiJudge, OfflineJudge
from nudge.memory.recall import recall
from nudge.memory.text import dated, keywords
from nudge.models import Direction, Memory, Message, User
from tests.support.gemini_api import ScriptedGeminiApi, text_response

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="Etc/UTC"))


def said(store, user, body, at):
    return store.messages.add(
        user.id, Message(direction=Direction.inbound, body=body, created_at=at, updated_at=at)
    )


def remembered(store, embedder, user, content, at, doc_id):
    return store.memories.add(
        user.id,
        Memory(content=content, keywords=keywords(content), created_at=at, updated_at=at,
               importance=0.8, dynamic_importance=0.8,
               embedding=embedder.embed_documents([dated(content, at.date())])[0]),
        doc_id=doc_id,
    )  # fmt: skip


def gemini(*answers) -> GeminiJudge:
    api = ScriptedGeminiApi(*[text_response(json.dumps(a)) for a in answers])
    return GeminiJudge(api_key="k", model="gemini-2.5-flash", http_client=api.client())


def deps(store, embedder, settings, judge):
    return ConsolidationDeps(store=store, embedder=embedder, judge=judge, settings=settings)


def snapshot(store, user):
    memories = {m.id: m.model_dump(exclude={"embedding"}) for m in store.memories.list(user.id)}
    messages = {m.id: m.model_dump() for m in store.messages.list(user.id)}
    return memories, messages


def test_a_contradicted_fact_is_invalidated_not_deleted(store, embedder, settings, user):
    week_ago = NOW - timedelta(days=8)
    remembered(store, embedder, user, "I live in Boston", week_ago, "boston")
    said(store, user, "big news, I moved to Toronto last weekend!", NOW - timedelta(days=1))
    judge = gemini(
        {"facts": [{"content": "I live in Toronto", "memory_type": "fact", "importance": 0.8}]},
        {"action": "invalidate", "target_id": "boston"},
        {"summary": "They moved to Toronto and were excited about it."},
    )
    report = consolidate(deps(store, embedder, settings, judge), user.id, NOW)
    assert (report.facts_seen, report.invalidated) == (1, 1)
    old = store.memories.require(user.id, "boston")
    assert old.active is False and old.invalidated_at == NOW
    assert old.archived_reason == "contradicted: I live in Toronto"
    hits = recall(store, embedder, user.id, "where do I live?", now=NOW, k=5, touch=False)
    assert hits[0].memory.content == "I live in Toronto"
    assert "I live in Boston" not in [h.memory.content for h in hits]
    assert hits[0].memory.related_ids == ["boston"]
    [episode] = [m for m in store.memories.list(user.id) if m.memory_type == "episode"]
    day = (NOW - timedelta(days=1)).date().isoformat()
    assert episode.content == f"On {day}: They moved to Toronto and were excited about it."


def test_tags_written_at_consolidation_let_the_lexical_path_reach_paraphrases(
    store, embedder, settings, user
):
    said(store, user, "my favourite takeaway is the pho place on Queen Street", NOW - timedelta(1))
    fact = {
        "content": "Their favourite takeaway is the pho place on Queen Street",
        "memory_type": "preference",
        "tags": ["food", "restaurant", "ordering in", "  ", "dinner"],
    }
    api = ScriptedGeminiApi(
        text_response(json.dumps({"facts": [fact]})),
        text_response('{"action": "add"}'),
        text_response('{"summary": "They talked about food."}'),
    )
    judge = GeminiJudge(api_key="k", model="gemini-2.5-flash", http_client=api.client())
    consolidate(deps(store, embedder, settings, judge), user.id, NOW)

    schema = api.requests[0]["body"]["generationConfig"]["responseSchema"]
    assert "tags" in json.dumps(schema)  # the model is asked for them
    [memory] = [m for m in store.memories.list(user.id) if m.memory_type == "preference"]
    assert memory.tags == ["food", "restaurant", "ordering in", "dinner"]
    assert {"food", "restaurant", "order", "pho", "takeaway"} <= set(memory.keywords)
    question = "where do I like to order food from?"  # not one word of the sentence
    hits = recall(store, embedder, user.id, question, now=NOW, mode="lexical", touch=False)
    # First; the day's episode ("They talked about food.") shares a word too.
    assert [h.memory.id for h in hits][:1] == [memory.id]


def test_an_unusable_judge_answer_degrades_to_offline_behaviour(store, embedder, settings, user):
    said(store, user, "Lunch with Priya went well", NOW - timedelta(days=1))
    judge = gemini({"facts": "not a list"})  # every answer is outside the schema
    report = consolidate(deps(store, embedder, settings, judge), user.id, NOW)
    assert (report.facts_seen, report.episodes) == (0, 1)
    [episode] = store.memories.list(user.id)
    assert "Lunch with Priya went well" in episode.content  # the offline digest


def test_the_same_fact_extracted_again_stays_one_memory(store, embedder, settings, user):
    fact = {"content": "My cat is called Miso", "memory_type": "fact", "importance": 0.6}
    for day in (3, 2, 1):
        said(store, user, "Miso knocked over my plant again", NOW - timedelta(days=day))
        judge = gemini({"facts": [fact]}, {"action": "add"})
        consolidate(deps(store, embedder, settings, judge), user.id, NOW - timedelta(days=day - 1))
    facts = [m for m in store.memories.list(user.id) if m.memory_type == "fact"]
    assert [m.content for m in facts] == ["My cat is called Miso"]


def test_two_runs_give_the_same_store(store, embedder, settings, user):
    for day in (3, 2, 1):
        said(store, user, f"todo: thing {day}", NOW - timedelta(days=day, hours=2))
        said(store, user, f"worked on thing {day} for ten minutes", NOW - timedelta(days=day))
    said(store, user, "today's message is not consolidated yet", NOW - timedelta(minutes=5))
    remembered(store, embedder, user, "I take meds at 8", NOW - timedelta(days=400), "meds-old")
    first = consolidate(deps(store, embedder, settings, OfflineJudge()), user.id, NOW)
    assert first.episodes == 3 and first.messages_expiring == 6 and first.archived == 1
    after_first = snapshot(store, user)
    second = consolidate(deps(store, embedder, settings, OfflineJudge()), user.id, NOW)
    assert snapshot(store, user) == after_first
    assert (second.episodes, second.decayed, second.archived, second.messages_expiring) == (
        0,
        0,
        0,
        0,
    )
    episode = store.memories.require(user.id, f"episode-{(NOW - timedelta(days=1)).date()}")
    assert episode.memory_type == "episode" and "worked on thing 1" in episode.content
    assert episode.content.startswith(f"On {(NOW - timedelta(days=1)).date()}: They texted 2")
    faded = store.memories.require(user.id, "meds-old")
    assert faded.active is False and faded.archived_reason.startswith("faded")
    today = [m for m in store.messages.list(user.id) if m.body.startswith("today's")]
    assert today[0].expire_at is None


def test_a_crash_halfway_and_a_retry_end_like_a_clean_run(store, embedder, settings, user):
    clean_user = store.users.create(User(phone="+15555550101", timezone="Etc/UTC"))
    facts = {"facts": [
        {"content": "My brother Felix lives in Lisbon", "memory_type": "person", "importance": 0.7},
        {"content": "I prefer texting to calls", "memory_type": "preference", "importance": 0.6},
    ]}  # fmt: skip
    for who in (user, clean_user):
        said(
            store,
            who,
            "Felix called from Lisbon, and you know I hate calls",
            NOW - timedelta(days=1),
        )

    class CrashesOnSecondDecision(GeminiJudge):
        calls = 0

        def decide(self, candidate, neighbours):
            type(self).calls += 1
            if type(self).calls == 2:
                raise RuntimeError("instance died")
            return super().decide(candidate, neighbours)

    api = ScriptedGeminiApi(text_response(json.dumps(facts)), text_response('{"action": "add"}'))
    crashing = CrashesOnSecondDecision(api_key="k", model="m", http_client=api.client())
    with pytest.raises(RuntimeError):
        consolidate(deps(store, embedder, settings, crashing), user.id, NOW)
    retry = gemini(facts, {"action": "add"}, {"action": "add"})
    consolidate(deps(store, embedder, settings, retry), user.id, NOW)
    clean = gemini(facts, {"action": "add"}, {"action": "add"})
    consolidate(deps(store, embedder, settings, clean), clean_user.id, NOW)

    def contents(who):
        return sorted((m.content, m.active) for m in store.memories.list(who.id))

    assert contents(user) == contents(clean_user)
    assert ("My brother Felix lives in Lisbon", True) in contents(user)


def test_todays_facts_are_taken_once_but_today_is_not_an_episode_yet(
    store, embedder, settings, user
):
    said(store, user, "my new dentist is Dr. Okafor", NOW - timedelta(minutes=30))
    api = ScriptedGeminiApi(
        text_response(json.dumps({"facts": [{"content": "My dentist is Dr. Okafor"}]})),
        text_response('{"action": "add"}'),
    )
    judge = GeminiJudge(api_key="k", model="m", http_client=api.client())
    first = consolidate(deps(store, embedder, settings, judge), user.id, NOW)
    assert (first.added, first.episodes, first.messages_expiring) == (1, 0, 0)
    consolidate(deps(store, embedder, settings, judge), user.id, NOW + timedelta(minutes=5))
    assert len(api.requests) == 2  # nothing new to extract the second time
    tomorrow = consolidate(deps(store, embedder, settings, judge), user.id, NOW + timedelta(days=1))
    assert (tomorrow.episodes, tomorrow.messages_expiring) == (1, 1)


def test_every_nth_turn_enqueues_a_consolidation(store, settings, task_queue, user, monkeypatch):
    from nudge.conversation.turn import TurnDeps, run_agent_turn
    from nudge.llm.offline import OfflineModel
    from nudge.queue.client import TaskQueue
    from nudge.sms.senders import LocalOutbox

    enqueued = []

    class RecordingQueue(TaskQueue):
        def enqueue(self, queue, function, payload, **kwargs):
            enqueued.append((queue, function, payload, kwargs.get("task_name")))
            return super().enqueue(queue, function, payload, **kwargs)

    settings = settings.model_copy(update={"consolidate_every_turns": 2})
    turn_deps = TurnDeps(
        store=store, settings=settings, model=OfflineModel(), sender=LocalOutbox(store.db),
        queue=RecordingQueue(settings, client=task_queue.client),
    )  # fmt: skip
    for n in range(1, 5):
        said_message = said(store, user, f"todo: thing {n}", NOW + timedelta(minutes=n))
        run_agent_turn(turn_deps, user_id=user.id, message_id=said_message.id, now=NOW)
    memory_tasks = [e for e in enqueued if e[1] == "memory_consolidation"]
    assert [e[3] for e in memory_tasks] == [f"memory-{user.id}-turn-2", f"memory-{user.id}-turn-4"]
    assert all(e[0] == "memory" and e[2]["user_id"] == user.id for e in memory_tasks)
