"""Retrieval quality and speed of memory recall, against the Firestore emulator.

Evidence recall@5/@10 for vector-only, lexical-only and fused ranking on the conversation set
in tests/bench/data (360 turns, 40 questions with the turns that answer them); fused recall
latency p50/p95 with 1k and 10k memories for one user; and ingest time for 5,000 items.
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

        quality_user = user("+15555560001")
        admin.ingest(
            store, embedder, quality_user, admin.read_jsonl(io.StringIO("\n".join(conversation)))
        )
        quality = {}
        for mode in MODES:
            found = {5: 0, 10: 0}
            for q in questions:
                hits = recall(
                    store,
                    embedder,
                    quality_user,
                    q["question"],
                    now=now,
                    k=10,
                    mode=mode,
                    touch=False,
                )
                ids = [admin.source_id(h) for h in hits]
                for k in found:
                    found[k] += any(e in ids[:k] for e in q["evidence"])
            quality[mode] = {f"recall@{k}": round(v / len(questions), 3) for k, v in found.items()}
        record(
            "memory_retrieval_quality",
            {"questions": len(questions), "turns": len(conversation), **quality},
        )
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
