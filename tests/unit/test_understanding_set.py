"""The offline model over the written phrasing sets: the targets are 85% right and under 3%
wrong actions (a wrong action, such as dropping the wrong task, is worse than a question)."""

from __future__ import annotations

import pytest

from nudge.llm.offline import OfflineModel
from nudge.understanding.intents import load_examples
from tests.bench.bench_understanding import SETS, evaluate, load_messages


@pytest.fixture(scope="module")
def model(embedder):
    return OfflineModel(embedder=embedder)


@pytest.mark.parametrize("name", SETS)
def test_the_set_is_disjoint_from_the_intent_examples(name):
    examples = {text.lower() for texts in load_examples().values() for text in texts}
    assert not [m["text"] for m in load_messages(name) if m["text"].lower() in examples]


@pytest.mark.parametrize("name", SETS)
def test_the_offline_model_meets_the_targets(model, name):
    messages = load_messages(name)
    assert len(messages) >= 90
    results = evaluate(model, messages)
    outcomes = [outcome for _, _, outcome in results]
    right = outcomes.count("right") / len(outcomes)
    wrong = outcomes.count("wrong") / len(outcomes)
    failures = [
        (m["text"], [(r.intent, r.slots) for r in rs]) for m, rs, o in results if o == "wrong"
    ]
    assert right >= 0.85, failures
    assert wrong < 0.03, failures


def test_the_first_set_has_at_least_200_messages_in_many_voices():
    messages = load_messages("understanding.json")
    assert len(messages) >= 200
    intents = {a["intent"] for m in messages for a in m["expect"]}
    assert len(intents) >= 20
