"""The hard long-conversation benchmark files are what their seeded script writes."""

from __future__ import annotations

import importlib
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parents[1] / "bench" / "data"


def scripts_output(name: str) -> tuple[list[dict], list[dict]]:
    """The set's turns and questions as its seeded script builds them, checked to be exactly
    what is stored in `{name}_conversations.jsonl` and `{name}_questions.jsonl`."""
    sys.path.insert(0, str(DATA))
    try:
        script = importlib.import_module(f"make_{name}_conversations")
    finally:
        sys.path.remove(str(DATA))
    turns, questions = [], []
    for number, (a, b, seed, split) in enumerate(script.CONVERSATIONS, 1):
        said, asked = script.build(number, a, b, seed)
        turns += [t | {"conversation": number} for t in said]
        questions += [q | {"split": split} for q in asked]
    stored_turns = [json.loads(line) for line in (DATA / f"{name}_conversations.jsonl").open()]
    stored_questions = [json.loads(line) for line in (DATA / f"{name}_questions.jsonl").open()]
    assert turns == stored_turns and questions == stored_questions
    return turns, questions


def test_the_hard_set_is_its_scripts_output_and_has_the_shape_it_claims():
    turns, questions = scripts_output("hard")
    sizes = Counter(t["conversation"] for t in turns)
    assert all(580 <= n <= 750 for n in sizes.values())
    ids = {t["id"] for t in turns}
    assert all(set(q["evidence"]) <= ids for q in questions)
    assert {q["kind"] for q in questions} == {"single_hop", "multi_hop", "temporal", "adversarial"}
    assert {q["split"] for q in questions} == {"test", "dev"}
    melanie = [q for q in questions if q["question"].startswith("What does Melanie say running")]
    assert len(melanie) == 1 and melanie[0]["split"] == "test"


def test_the_chatty_set_is_its_scripts_output_and_has_the_shape_it_claims():
    turns, questions = scripts_output("chatty")
    # The hard set's fields, one of its kinds or open-domain.
    assert all(set(t) == {"id", "speaker", "text", "timestamp", "conversation"} for t in turns)
    assert all(set(q) == {"question", "evidence", "kind", "conversation", "split"}
               for q in questions)  # fmt: skip
    sizes = Counter(t["conversation"] for t in turns)
    assert len(sizes) == 7 and all(370 <= n <= 700 for n in sizes.values())
    sessions = Counter(t["id"].rsplit("-", 1)[0] for t in turns)
    per_chat = Counter(s.split("-")[0] for s in sessions)
    assert all(19 <= n <= 28 for n in per_chat.values())
    ids = {t["id"] for t in turns}
    assert all(q["evidence"] and set(q["evidence"]) <= ids for q in questions)
    # Within a chat a question's text names one question (the bench keys rankings by it).
    assert len({(q["conversation"], q["question"]) for q in questions}) == len(questions)
    kinds = Counter(q["kind"] for q in questions)
    assert set(kinds) == {"single_hop", "multi_hop", "temporal", "adversarial", "open_domain"}
    assert 0.3 <= kinds["single_hop"] / len(questions) <= 0.45
    assert 0.2 <= kinds["adversarial"] / len(questions) <= 0.3
    # Multi-hop evidence is two to four turns from two sessions or more.
    for q in (q for q in questions if q["kind"] == "multi_hop"):
        assert 2 <= len(q["evidence"]) <= 4
        assert len({e.rsplit("-", 1)[0] for e in q["evidence"]}) >= 2
    # Long chatty turns: most of 15-45 words (none over 50), a third asking back.
    words = [len(t["text"].split()) for t in turns]
    assert max(words) <= 50 and sum(15 <= n <= 45 for n in words) / len(words) > 0.85
    assert sum(t["text"].endswith("?") for t in turns) / len(turns) > 0.3
    # Adversarial questions name the one who did not say it: the evidence is the other's turn.
    speaker_of = {t["id"]: t["speaker"] for t in turns}
    for q in (q for q in questions if q["kind"] == "adversarial"):
        [turn] = q["evidence"]
        assert speaker_of[turn] not in q["question"]
    assert {q["split"] for q in questions if q["conversation"] >= 6} == {"dev"}
    assert {q["split"] for q in questions if q["conversation"] <= 5} == {"test"}
