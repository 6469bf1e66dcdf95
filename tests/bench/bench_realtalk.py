"""Held-out check of memory recall on REALTALK: 21 days of real text messages between two
people (one chat a day, short turns as people text), with memory-probing questions that name
their evidence turns; the kind of data the memory issue's held-out check is, and nearer to what
people text Nudge than LoCoMo's written sessions.

The data is in no package the registries here offer, so it is not fetched: point
NUDGE_REALTALK at the folder of the public release's chat files (`Chat_<n>_<A>_<B>.json`) or at
one of them. Never used to choose a constant. Each chat is one user; every turn with text is
ingested as `nudge memory ingest` does ("Speaker: text" at the minute it was sent) and every
question with evidence asked as `nudge memory search --k 10` does; evidence recall@1/5/10 and
MRR@10 per path and per kind, beside a textbook BM25 over the same turns.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.heldout import ask_conversation, memory_store, rankings, report

# REALTALK's question categories: a fact (often from several turns), a date, an inference.
KINDS = {1: "fact", 2: "temporal", 3: "inference"}


def sent_at(text: str) -> datetime:
    """ "29.12.2023, 22:42:04" -> that second (the file gives no zone: read as UTC)."""
    return datetime.strptime(text.strip(), "%d.%m.%Y, %H:%M:%S").replace(tzinfo=UTC)


def turns(chat: dict) -> list[tuple[str, str, datetime]]:
    """(dia_id, "Speaker: text", when sent) for every turn with text, in session order."""
    numbers = sorted(int(key[8:]) for key in chat if re.fullmatch(r"session_\d+", key))
    said = []
    for number in numbers:
        for turn in chat[f"session_{number}"]:
            text = " ".join(str(turn.get("clean_text") or "").split())
            if text:  # a photo alone says nothing to find
                said.append(
                    (turn["dia_id"], f"{turn['speaker']}: {text}", sent_at(turn["date_time"]))
                )
    return said


def chat_files(source: Path) -> list[Path]:
    """The chat files in release order (Chat_1_..., Chat_2_..., ...), or the one file named."""
    if source.is_file():
        return [source]
    found = [p for p in source.glob("*.json") if re.match(r"Chat_\d+_", p.name)]
    return sorted(found, key=lambda p: int(p.name.split("_")[1]))


def main() -> None:
    source = os.environ.get("NUDGE_REALTALK")
    if not source:
        print("REALTALK is not on this machine: set NUDGE_REALTALK=/path/to/its/data to run it")
        return
    files = chat_files(Path(source))
    with memory_store() as (store, embedder):
        ranked = rankings()
        questions, sizes = [], []
        for number, path in enumerate(files, 1):
            chat = json.loads(path.read_text())
            asked, size = ask_conversation(
                store, embedder, ranked, f"r{number}", f"+15556661{number:03d}",
                turns(chat), chat.get("qa", []), KINDS,
            )  # fmt: skip
            questions += asked
            sizes.append(size)
            print(f"{path.name}: {size} turns", flush=True)
        report(
            "memory_realtalk_heldout",
            questions,
            ranked,
            embedder=embedder.name,
            chats=[p.name for p in files],
            turns=sizes,
        )


if __name__ == "__main__":
    main()
