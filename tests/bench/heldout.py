"""What the held-out recall benches share: a store and the local stack's embedder against
fresh emulators, each question asked of every path, and results by kind."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from emulators import stack
from tests.bench.bench_memory import (
    MEMORY_SETTINGS,
    either_top_10s,
    evidence_recall,
    textbook_bm25,
)
from tests.bench.common import emulators, record

PATHS = ("lexical", "vector", "fused")
# A turn id as the public files write them, "D<session>:<turn>".
TURN_ID = re.compile(r"D\d+:\d+")


@contextmanager
def memory_store() -> Iterator[tuple]:
    """(store, embedder) with the local stack's memory settings (`local.env`, overridden by
    the environment), against emulators started for the run."""
    with emulators() as hosts:
        local = {k: v for k, v in stack.read_env_file().items() if k in MEMORY_SETTINGS}
        os.environ.update(local | {k: os.environ[k] for k in MEMORY_SETTINGS if k in os.environ})
        os.environ.update(hosts | {"NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}"})
        from nudge.embeddings import make_embedder
        from nudge.settings import Settings
        from nudge.store import Store
        from nudge.store.client import make_firestore_client

        yield Store(make_firestore_client(Settings())), make_embedder(Settings())


def evidence(item: dict, known: set[str]) -> list[str]:
    """A question's evidence turns that exist. A few entries in the public files hold several
    ids ("D8:6; D9:17", "D9:1 D4:4 D4:6", "D13:4. D14:4"): each id that names a turn counts."""
    found = []
    for entry in item.get("evidence", []):
        for dia_id in TURN_ID.findall(str(entry)):
            if dia_id in known and dia_id not in found:
                found.append(dia_id)
    return found


def rankings() -> dict[str, dict[str, list[str]]]:
    """An empty ranking per path and for the textbook BM25: question key -> source ids."""
    return {path: {} for path in ("bm25_textbook", *PATHS)}


def ask(ranked: dict, key: str, question: str, baseline, store, embedder, owner: str) -> None:
    """Rank `question` with the textbook BM25 (`baseline`) and the top 10 of each path as
    `nudge memory search --k 10` gives them, under `key` in `ranked`."""
    from nudge.memory import admin

    ranked["bm25_textbook"][key] = baseline(question)
    for path in PATHS:
        hits = admin.search(store, embedder, owner, question, k=10, mode=path)
        ranked[path][key] = [admin.source_id(h) for h in hits]


def ask_conversation(
    store, embedder, ranked: dict, tag: str, phone: str, said: list, qa: list[dict], kinds: dict
) -> tuple[list[dict], int]:
    """Ingest one conversation's turns, (dia_id, "Speaker: text", when), as a new user with
    `phone`, the way `nudge memory ingest` does, and ask each of its questions whose evidence
    names a turn. Returns those questions (keys and ids start with `tag`: the same words are
    asked of several people) and how many turns were ingested."""
    from nudge.memory import admin
    from nudge.models import User

    items = [
        admin.IngestItem(id=f"{tag}-{d}", text=t[: admin.MAX_TEXT], timestamp=w) for d, t, w in said
    ]
    owner = store.users.create(User(phone=phone)).id
    admin.ingest(store, embedder, owner, items)
    baseline = textbook_bm25({i.id: i.text for i in items})
    known = {d for d, _, _ in said}
    questions = []
    for item in qa:
        found = evidence(item, known)
        if not found:
            continue  # a question whose evidence names no turn
        key = f"{tag}: {item['question']}"
        questions.append(
            {
                "question": key,
                "evidence": [f"{tag}-{d}" for d in found],
                "kind": kinds.get(item.get("category"), "other"),
            }
        )
        ask(ranked, key, item["question"], baseline, store, embedder, owner)
    return questions, len(items)


def report(name: str, questions: list[dict], ranked: dict[str, dict[str, list[str]]], **about):
    """Recall of every ranking over all questions and by kind; recorded and printed."""
    result: dict = about | {
        "questions": len(questions),
        "all": {path: evidence_recall(questions, ranked[path]) for path in ranked},
    }
    for kind in sorted({q["kind"] for q in questions}):
        of_kind = [q for q in questions if q["kind"] == kind]
        result[kind] = {"questions": len(of_kind)} | {
            path: evidence_recall(of_kind, ranked[path]) for path in ranked
        }
    for kind, measured in result.items():
        if isinstance(measured, dict) and "lexical" in measured:
            of_kind = [q for q in questions if kind in ("all", q["kind"])]
            measured["either_top_10s"] = either_top_10s(of_kind, ranked)
    record(name, result)
    print(json.dumps(result, indent=1))
