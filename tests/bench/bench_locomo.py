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

from tests.bench.heldout import ask_conversation, memory_store, rankings, report

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
        ranked = rankings()
        questions, sizes = [], []
        for number in numbers:
            sample = samples[number - 1]
            asked, size = ask_conversation(
                store, embedder, ranked, f"c{number}", f"+15556660{number:03d}",
                turns(sample), sample["qa"], KINDS,
            )  # fmt: skip
            questions += asked
            sizes.append(size)
            print(f"conversation {number}: {size} turns", flush=True)
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
