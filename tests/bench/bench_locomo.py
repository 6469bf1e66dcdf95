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
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emulators import stack
from tests.bench.bench_memory import MEMORY_SETTINGS, evidence_recall, textbook_bm25
from tests.bench.common import emulators, record

# LoCoMo's question categories (its paper's numbering).
KINDS = {1: "multi_hop", 2: "temporal", 3: "open_domain", 4: "single_hop", 5: "adversarial"}
PATHS = ("lexical", "vector", "fused")
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


def evidence(item: dict, known: set[str]) -> list[str]:
    """The question's evidence turns that exist (a few entries in the file hold several ids,
    "D8:6; D9:17" or "D9:1 D4:4 D4:6"; each part that names a turn counts)."""
    found = []
    for entry in item.get("evidence", []):
        for dia_id in re.split(r"[;,\s]+", str(entry)):
            if dia_id in known and dia_id not in found:
                found.append(dia_id)
    return found


def main() -> None:
    source = os.environ.get("NUDGE_LOCOMO")
    if not source:
        print("LoCoMo is not on this machine: set NUDGE_LOCOMO=/path/to/locomo10.json to run it")
        return
    samples = json.loads(Path(source).read_text())
    chosen = os.environ.get("NUDGE_LOCOMO_CONVERSATIONS")
    numbers = [int(n) for n in chosen.split(",")] if chosen else range(1, len(samples) + 1)
    with emulators() as hosts:
        local = {k: v for k, v in stack.read_env_file().items() if k in MEMORY_SETTINGS}
        os.environ.update(local | {k: os.environ[k] for k in MEMORY_SETTINGS if k in os.environ})
        os.environ.update(hosts | {"NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}"})
        from nudge.embeddings import make_embedder
        from nudge.memory import admin
        from nudge.models import User
        from nudge.settings import Settings
        from nudge.store import Store
        from nudge.store.client import make_firestore_client

        store = Store(make_firestore_client(Settings()))
        embedder = make_embedder(Settings())
        ranked: dict[str, dict[str, list[str]]] = {p: {} for p in ("bm25_textbook", *PATHS)}
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
                ranked["bm25_textbook"][key] = baseline(item["question"])
                for path in PATHS:
                    hits = admin.search(store, embedder, owner, item["question"], k=10, mode=path)
                    ranked[path][key] = [admin.source_id(h) for h in hits]
            print(f"conversation {number}: {len(items)} turns", flush=True)
        result: dict = {
            "embedder": embedder.name,
            "conversations": list(numbers),
            "questions": len(questions),
            "turns": sizes,
            "all": {path: evidence_recall(questions, ranked[path]) for path in ranked},
        }
        for kind in sorted({q["kind"] for q in questions}):
            of_kind = [q for q in questions if q["kind"] == kind]
            result[kind] = {"questions": len(of_kind)} | {
                path: evidence_recall(of_kind, ranked[path]) for path in ranked
            }
        record("memory_locomo_heldout", result)
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
