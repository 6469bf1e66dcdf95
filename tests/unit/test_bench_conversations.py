"""The hard long-conversation benchmark files are what their seeded script writes."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parents[1] / "bench" / "data"


def test_the_hard_set_is_its_scripts_output_and_has_the_shape_it_claims():
    sys.path.insert(0, str(DATA))
    try:
        import make_hard_conversations as script
    finally:
        sys.path.remove(str(DATA))
    turns, questions = [], []
    for number, (a, b, seed, split) in enumerate(script.CONVERSATIONS, 1):
        said, asked = script.build(number, a, b, seed)
        turns += [t | {"conversation": number} for t in said]
        questions += [q | {"split": split} for q in asked]
    stored_turns = [json.loads(line) for line in (DATA / "hard_conversations.jsonl").open()]
    stored_questions = [json.loads(line) for line in (DATA / "hard_questions.jsonl").open()]
    assert turns == stored_turns and questions == stored_questions
    sizes = Counter(t["conversation"] for t in turns)
    assert all(580 <= n <= 750 for n in sizes.values())
    ids = {t["id"] for t in turns}
    assert all(set(q["evidence"]) <= ids for q in questions)
    assert {q["kind"] for q in questions} == {"single_hop", "multi_hop", "temporal", "adversarial"}
    assert {q["split"] for q in questions} == {"test", "dev"}
    melanie = [q for q in questions if q["question"].startswith("What does Melanie say running")]
    assert len(melanie) == 1 and melanie[0]["split"] == "test"
