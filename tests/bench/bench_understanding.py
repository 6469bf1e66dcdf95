"""Offline understanding: the written phrasing set through the offline model, scored by intent.

Each message has the actions it asks for (intent and key slots) or "ask". A reading is right
when every action matches; a wrong action is a state-changing action that was not asked for
(or the right one with the wrong details, such as dropping another task). A question instead of
an action is neither. Run: `python -m tests.bench.bench_understanding`.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from nudge.llm.offline import OfflineModel
from nudge.llm.types import TurnFacts
from nudge.understanding.reader import ACTIONS

DATA = Path(__file__).parent / "data"
SETS = ("understanding.json", "understanding_second.json")
QUESTIONS = {"ask", "unknown"}
_IGNORED = {"the", "a", "an", "my", "your", "to", "me", "please", "pls", "i", "at", "for", "on"}


def load_messages(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["messages"]


def facts_for(message: dict) -> TurnFacts:
    context = message.get("context", {})
    return TurnFacts(
        user_name=context.get("user_name", "Sam"),
        timezone="America/Toronto",
        timezone_known="user_name" not in context,
        awaiting=context.get("awaiting"),
    )


def _words(value) -> list[str]:
    text = re.sub(r"[^\w\s'#-]", " ", str(value).lower()).replace("'s", "")
    return [w for w in text.split() if w not in _IGNORED]


def slot_matches(key: str, expected, got) -> bool:
    if got is None:
        return False
    if isinstance(expected, bool | int):
        return expected == got
    if key.endswith("~"):  # every expected word appears
        return set(_words(expected)) <= set(_words(got))
    return _words(expected) == _words(got)


def action_matches(expected: dict, got) -> bool:
    if expected["intent"] != got.intent:
        return False
    for key, value in expected.get("slots", {}).items():
        if not slot_matches(key, value, got.slots.get(key.rstrip("~"))):
            return False
    return True


def score(message: dict, readings) -> str:
    """ "right", "wrong" (an action not asked for) or "miss" (a question, or a wrong answer
    that changes nothing)."""
    expected = message["expect"]
    if [e["intent"] for e in expected] == ["ask"]:
        if all(r.intent in QUESTIONS for r in readings):
            return "right"
        return "wrong" if any(r.intent in ACTIONS for r in readings) else "miss"
    if len(readings) == len(expected) and all(
        action_matches(e, r) for e, r in zip(expected, readings, strict=True)
    ):
        return "right"
    for reading in readings:
        if reading.intent in ACTIONS and not any(action_matches(e, reading) for e in expected):
            return "wrong"
    return "miss"


def evaluate(model: OfflineModel, messages: list[dict]) -> list[tuple[dict, list, str]]:
    results = []
    for message in messages:
        readings = model.understand(message["text"], facts_for(message))
        results.append((message, readings, score(message, readings)))
    return results


def by_intent(results) -> dict[str, Counter]:
    table: dict[str, Counter] = defaultdict(Counter)
    for message, _, outcome in results:
        intent = message["expect"][0]["intent"] if len(message["expect"]) == 1 else "several"
        table[intent][outcome] += 1
    return dict(table)


def report(model: OfflineModel, name: str) -> dict:
    messages = load_messages(name)
    started = time.perf_counter()
    results = evaluate(model, messages)
    per_message_ms = (time.perf_counter() - started) * 1000 / len(messages)
    totals = Counter(outcome for _, _, outcome in results)
    n = len(results)
    print(f"{name}: {n} messages: right {totals['right'] / n:.1%}, "
          f"wrong action {totals['wrong'] / n:.1%}, missed/asked {totals['miss'] / n:.1%}; "
          f"{per_message_ms:.1f} ms a message")  # fmt: skip
    print(f"{'intent':22} {'n':>4} {'right':>7} {'wrong':>7}")
    for intent, counts in sorted(by_intent(results).items()):
        total = sum(counts.values())
        right, wrong = counts["right"] / total, counts["wrong"] / total
        print(f"{intent:22} {total:>4} {right:>7.0%} {wrong:>7.0%}")
    for message, readings, outcome in results:
        if outcome != "right":
            got = "; ".join(f"{r.intent} {r.slots}" for r in readings)
            print(f"  {outcome:5} {message['text'][:60]!r} -> {got}")
    return {
        "messages": n,
        "right": round(totals["right"] / n, 4),
        "wrong_action": round(totals["wrong"] / n, 4),
        "ms_per_message": round(per_message_ms, 2),
    }


def main() -> None:
    from nudge.embeddings.wordllama import WordLlamaEmbedder

    model = OfflineModel(embedder=WordLlamaEmbedder())
    model.understand("warm up", facts_for({}))
    model.understand("i live in manchester uk", facts_for({}))  # the gazetteer loads once
    from tests.bench.common import record

    record("offline_understanding", {name: report(model, name) for name in SETS})


if __name__ == "__main__":
    main()
