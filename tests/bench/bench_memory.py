"""Retrieval quality and speed of memory recall, against the Firestore emulator.

Evidence recall@5/@10 for vector-only, lexical-only and fused ranking on the conversation sets
in tests/bench/data (56 questions with the turns that answer them, over 480 turns with
near-miss texts and over 360 turns of small talk); fused recall latency p50/p95 with 1k and 10k
memories for one user; and ingest time.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.bench.common import emulators, record, summary_ms

DATA = Path(__file__).parent / "data"
MODES = ("vector", "lexical", "fused")
# The quoted set (near-miss texts on the same topics) and the first, small-talk-only one.
SETS = {"near_miss": "", "filler_only": "_filler"}


def recall_at(questions: list[dict], ranked: dict[str, list[str]]) -> dict[str, float]:
    """Evidence recall@5 and @10 (the share of questions with an answering turn in the top k),
    and MRR@10 (the mean of 1/rank of the first answering turn): where recall saturates, it
    still shows which ranking puts the answer first."""
    first = [
        next((n for n, i in enumerate(ranked[q["question"]], 1) if i in q["evidence"]), None)
        for q in questions
    ]
    result = {
        f"recall@{k}": round(sum(r is not None and r <= k for r in first) / len(first), 3)
        for k in (5, 10)
    }
    result["mrr@10"] = round(sum(1 / r for r in first if r is not None) / len(first), 3)
    return result


def main() -> None:
    with emulators() as hosts:
        os.environ.update(hosts | {"NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}"})
        from nudge.embeddings.wordllama import WordLlamaEmbedder
        from nudge.memory import admin
        from nudge.memory.recall import recall
        from nudge.models import User
        from nudge.settings import Settings
        from nudge.store import Store
        from nudge.store.client import make_firestore_client

        store = Store(make_firestore_client(Settings()))
        embedder = WordLlamaEmbedder()
        now = datetime(2026, 11, 23, tzinfo=UTC)
        conversation = (DATA / "conversation.jsonl").read_text().splitlines()
        questions = [
            json.loads(line) for line in (DATA / "questions.jsonl").read_text().splitlines()
        ]

        def user(phone: str) -> str:
            return store.users.create(User(phone=phone)).id

        quality = {}
        for name, suffix in SETS.items():
            lines = (DATA / f"conversation{suffix}.jsonl").read_text().splitlines()
            asked = [
                json.loads(line)
                for line in (DATA / f"questions{suffix}.jsonl").read_text().splitlines()
            ]
            owner = user(f"+1555556{len(quality):04d}")
            admin.ingest(store, embedder, owner, admin.read_jsonl(io.StringIO("\n".join(lines))))
            quality[name] = {"turns": len(lines), "questions": len(asked)}
            for mode in MODES:
                ranked = {
                    q["question"]: [
                        admin.source_id(h)
                        for h in recall(
                            store, embedder, owner, q["question"], now=now, k=10, mode=mode,
                            touch=False,
                        )
                    ]
                    for q in asked
                }  # fmt: skip
                quality[name][mode] = recall_at(asked, ranked)
                for kind in sorted({q["kind"] for q in asked}):
                    of_kind = [q for q in asked if q["kind"] == kind]
                    quality[name].setdefault("by_kind", {}).setdefault(
                        kind, {"questions": len(of_kind)}
                    )[mode] = recall_at(of_kind, ranked)
        record("memory_retrieval_quality", quality)
        print(json.dumps(quality))

        rng = random.Random(7)
        filler = [json.loads(line)["text"] for line in conversation]

        def padded(size: int, prefix: str) -> list[str]:
            items = list(conversation)
            start = datetime(2026, 1, 1, tzinfo=UTC)
            for i in range(size - len(items)):
                text = f"{rng.choice(filler)} {rng.choice(filler)}"
                stamp = (start + timedelta(minutes=17 * i)).isoformat()
                items.append(json.dumps({"id": f"{prefix}{i}", "text": text, "timestamp": stamp}))
            return items

        if os.environ.get("NUDGE_BENCH_QUALITY_ONLY"):
            return
        latency = {}
        for size in (1_000, 10_000):
            uid = user(f"+155555{size:05d}")
            started = time.perf_counter()
            admin.ingest(
                store, embedder, uid, admin.read_jsonl(io.StringIO("\n".join(padded(size, "p"))))
            )
            ingest_s = time.perf_counter() - started
            samples = []
            for q in questions:
                t0 = time.perf_counter()
                recall(store, embedder, uid, q["question"], now=now, k=10, touch=False)
                samples.append(time.perf_counter() - t0)
            latency[f"{size}"] = {**summary_ms(samples), "ingest_s": round(ingest_s, 1)}
            print(f"{size} memories: ingest {ingest_s:.1f}s, fused recall {latency[str(size)]}")
        record("memory_recall_latency", latency)


if __name__ == "__main__":
    main()
