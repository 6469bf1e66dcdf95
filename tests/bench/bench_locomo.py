"""Held-out check of memory recall on LoCoMo, the public long-conversation benchmark the memory
issue names (two people chatting over many sessions; each question names its evidence turns).

The data is in no package the registries here offer, so it is not fetched: point
NUDGE_LOCOMO at a copy of `locomo10.json` (snap-research/LoCoMo, `data/locomo10.json`) and,
optionally, NUDGE_LOCOMO_CONVERSATIONS at the 1-based conversations to run ("1,2,3"; all by
default). Never used to choose a constant. Each conversation is one user; every turn is
ingested as `nudge memory ingest` does ("Speaker: text", its session's date and time, a
turn 30 s after the one before it) and every question with evidence asked as `nudge memory
search --k 10` does; evidence recall@1/5/10 and MRR@10 per path and per kind, beside a textbook
BM25 over the same turns.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.bench.bench_memory import textbook_bm25
from tests.bench.heldout import ask, evidence, memory_store, rankings, report

# LoCoMo's question categories (its paper's numbering).
KINDS = {1: "multi_hop", 2: "temporal", 3: "open_domain", 4: "single_hop", 5: "adversarial"}
TURN_GAP = timedelta(seconds=30)


def session_time(text: str) -> datetime:
    """ "1:56 pm on 8 May, 2023" -> that minute, in UTC."""
    return datetime.strptime(" ".join(text.split()), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def turns(sample: dict) -> list[tuple[str, str, datetime]]:
    """(dia_id, "Speaker: text", when) for every turn of a conversation, in order."""
    conversation = sample["conversation"]
    # Sessions in number order; a session_N_date_time with no session_N (the file ends some
    # conversations with dates alone) has nothing to ingest.
    numbers = sorted(int(key[8:]) for key in conversation if re.fullmatch(r"session_\d+", key))
    said = []
    for number in numbers:
        start = session_time(conversation[f"session_{number}_date_time"])
        for n, turn in enumerate(conversation[f"session_{number}"]):
            text = f"{turn['speaker']}: {' '.join(turn['text'].split())}"
            said.append((turn["dia_id"], text, start + n * TURN_GAP))
    return said


def main() -> None:
    source = os.environ.get("NUDGE_LOCOMO")
    if not source:
        print("LoCoMo is not on this machine: set NUDGE_LOCOMO=/path/to/locomo10.json to run it")
        return
    samples = json.loads(Path(source).read_text())
    chosen = os.environ.get("NUDGE_LOCOMO_CONVERSATIONS")
    numbers = [int(n) for n in chosen.split(",")] if chosen else range(1, len(samples) + 1)
    with memory_store() as (store, embedder):
        from nudge.memory import admin
        from nudge.models import User

        ranked = rankings()
        questions, sizes = [], []
        for number in numbers:
            sample = samples[number - 1]
            said = turns(sample)
            items = [
                admin.IngestItem(id=f"c{number}-{d}", text=t[: admin.MAX_TEXT], timestamp=w)
                for d, t, w in said
            ]
            owner = store.users.create(User(phone=f"+15556660{number:03d}")).id
            admin.ingest(store, embedder, owner, items)
            sizes.append(len(items))
            baseline = textbook_bm25({i.id: i.text for i in items})
            known = {d for d, _, _ in said}
            for item in sample["qa"]:
                found = evidence(item, known)
                if not found:
                    continue  # a question whose evidence names no turn
                key = f"c{number}: {item['question']}"  # the same words asked of two people
                questions.append(
                    {
                        "question": key,
                        "evidence": [f"c{number}-{d}" for d in found],
                        "kind": KINDS.get(item.get("category"), "other"),
                    }
                )
                ask(ranked, key, item["question"], baseline, store, embedder, owner)
            print(f"conversation {number}: {len(items)} turns", flush=True)
        report(
            "memory_locomo_heldout",
            questions,
            ranked,
            embedder=embedder.name,
            conversations=list(numbers),
            turns=sizes,
        )


if __name__ == "__main__":
    main()
