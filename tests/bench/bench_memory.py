"""Retrieval quality and speed of memory recall, against the Firestore emulator.

The local stack's memory settings (local.env: MiniLM embeddings, in-process vectors) unless the
environment names others (`NUDGE_EMBEDDING_MODEL=wordllama NUDGE_EMBEDDING_DIMENSION=256`).

- Long conversations: the hard set (`make_hard_conversations.py`, quoted first: six chats of
  585-746 turns with same-topic distractors by both speakers), the chatty set
  (`make_chatty_conversations.py`: long chatty turns and answers that lean on the previous
  turn, where MiniLM alone finds only some 70% of the evidence at 10, as on real chats) and
  the first long set (`make_long_conversations.py`), two-person chats over dated sessions,
  each ingested for its own user as `nudge memory ingest` does ("Name: text", the session
  date as timestamp) and asked as `nudge memory search --k 10` does. Evidence recall@1/5/10
  (the share of a question's evidence turns in the top k) and MRR@10 per kind and per path,
  with a textbook BM25 over the same turns for comparison. The test split is quoted; the
  development split is the only one recall's constants were chosen on (`--tune`,
  `NUDGE_TUNE`).
- The first sets (one person's texts, `make_conversation.py`): recall@5/@10 and MRR@10.
- Latency p50/p95 with 1k and 10k memories for one user (lexical; vector and fused with each
  vector search), and ingest time; a user's first recall in a new process (fresh caches: the
  term and vector shards read and parsed); and for a user whose memories predate the index's
  version, their first recall in a new process (`stale_first_recall_ms`: the old term shards,
  `find_nearest`, the rebuild's enqueue) and the one-time index build the background task
  then runs (`rebuild_s`).
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import random
import re
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emulators import stack
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


# A textbook BM25, as a 30-line baseline: k1 1.5, b 0.75, lower-cased words, English stop
# words removed (the NLTK list), no stemming, over "Name: text" exactly as stored.
_STOP_WORD_TEXT = """
    i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
    yourselves he him his himself she she's her hers herself it it's its itself they them
    their theirs themselves what which who whom this that that'll these those am is are was
    were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after
    above below to from up down in out on off over under again further then once here there
    when where why how all any both each few more most other some such no nor not only own
    same so than too very s t can will just don don't should should've now d ll m o re ve y
    ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven
    haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
    shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


def textbook_bm25(texts: dict[str, str], k1: float = 1.5, b: float = 0.75):
    def tokens(text: str) -> list[str]:
        return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOP_WORDS]

    docs = {i: Counter(tokens(t)) for i, t in texts.items()}
    lengths = {i: sum(c.values()) for i, c in docs.items()}
    average = sum(lengths.values()) / len(docs)
    df = Counter(w for c in docs.values() for w in c)
    n = len(docs)

    def rank(query: str, k: int = 10) -> list[str]:
        scores: Counter = Counter()
        for word in set(tokens(query)):
            if word not in df:
                continue
            idf = math.log(1 + (n - df[word] + 0.5) / (df[word] + 0.5))
            for i, c in docs.items():
                if word in c:
                    tf = c[word]
                    norm = k1 * (1 - b + b * lengths[i] / average)
                    scores[i] += idf * tf * (k1 + 1) / (tf + norm)
        return [i for i, _ in scores.most_common(k)]

    return rank


def evidence_recall(questions: list[dict], ranked: dict[str, list[str]]) -> dict[str, float]:
    """Evidence recall@1/5/10: the share of each question's evidence turns in its top k,
    averaged; MRR@10: the mean of 1/rank of the first evidence turn."""
    result = {}
    for k in (1, 5, 10):
        shares = [
            len(set(q["evidence"]) & set(ranked[q["question"]][:k])) / len(q["evidence"])
            for q in questions
        ]
        result[f"recall@{k}"] = round(100 * sum(shares) / len(shares), 1)
    first = [
        next((n for n, i in enumerate(ranked[q["question"]][:10], 1) if i in q["evidence"]), None)
        for q in questions
    ]
    result["mrr@10"] = round(sum(1 / r for r in first if r) / len(first), 3)
    return result


def either_top_10s(questions: list[dict], ranked: dict[str, dict[str, list[str]]]) -> float:
    """Evidence recall of the lexical and vector top 10s taken together (up to 20 turns): the
    most a fusion choosing its 10 from them could find at 10, a measure of how much the paths
    add to each other. Recall's fusion reads 30 deep on each path and adds a second hop, so it
    can pass this, but seldom by much."""
    shares = []
    for q in questions:
        either = set(ranked["lexical"][q["question"]][:10]) | set(
            ranked["vector"][q["question"]][:10]
        )
        shares.append(len(set(q["evidence"]) & either) / len(q["evidence"]))
    return round(100 * sum(shares) / len(shares), 1)


# Questions timed a path and size: enough for a p95, and the run stays within minutes.
LATENCY_QUESTIONS = 40
# New processes whose first recall is timed (each a new client, so fresh caches).
COLD_PROCESSES = 5
MEMORY_SETTINGS = (
    "NUDGE_EMBEDDING_MODEL",
    "NUDGE_EMBEDDING_DIMENSION",
    "NUDGE_MEMORY_VECTOR_SEARCH",
)
VECTOR_SEARCHES = ("in_process", "find_nearest")
LONG_PATHS = ("bm25_textbook", "lexical", "vector", "fused")


# (set, conversation) -> the user it was ingested for (once a run)
_OWNERS: dict[tuple[str, int], str] = {}
# The hard set (`make_hard_conversations.py`), quoted first; the chatty set
# (`make_chatty_conversations.py`: long turns, answers that lean on the previous turn, where the
# vector path is weak as on real chats); the first long set kept.
LONG_SETS = ("hard", "chatty", "long")


def long_conversations(
    store,
    embedder,
    make_user,
    *,
    split: str | None,
    modes=("lexical", "vector", "fused"),
    name: str = "hard",
) -> dict:
    """Every conversation for its own user; every question through `admin.search`."""
    from nudge.memory import admin

    turns = [json.loads(line) for line in (DATA / f"{name}_conversations.jsonl").open()]
    asked = [json.loads(line) for line in (DATA / f"{name}_questions.jsonl").open()]
    if split:
        asked = [q for q in asked if q["split"] == split]
    ranked: dict[str, dict[str, list[str]]] = {path: {} for path in LONG_PATHS}
    for number in sorted({q["conversation"] for q in asked}):
        said = [t for t in turns if t["conversation"] == number]
        if (name, number) not in _OWNERS:
            _OWNERS[name, number] = make_user(f"+155555{LONG_SETS.index(name)}{number:04d}")
            # The speaker in the text, as the public benchmark's turns are ingested.
            items = [
                admin.IngestItem(id=t["id"], text=f"{t['speaker']}: {t['text']}",
                                 timestamp=t["timestamp"])
                for t in said
            ]  # fmt: skip
            admin.ingest(store, embedder, _OWNERS[name, number], items)
        owner = _OWNERS[name, number]
        baseline = textbook_bm25({t["id"]: f"{t['speaker']}: {t['text']}" for t in said})
        for q in (q for q in asked if q["conversation"] == number):
            ranked["bm25_textbook"][q["question"]] = baseline(q["question"])
            for mode in modes:
                hits = admin.search(store, embedder, owner, q["question"], k=10, mode=mode)
                ranked[mode][q["question"]] = [admin.source_id(h) for h in hits]
    result: dict = {"turns": sum(t["conversation"] in {q["conversation"] for q in asked}
                                 for t in turns), "questions": len(asked)}  # fmt: skip
    paths = [p for p in LONG_PATHS if ranked[p]]
    result["all"] = {path: evidence_recall(asked, ranked[path]) for path in paths}
    for kind in sorted({q["kind"] for q in asked}):
        of_kind = [q for q in asked if q["kind"] == kind]
        result[kind] = {"questions": len(of_kind)} | {
            path: evidence_recall(of_kind, ranked[path]) for path in paths
        }
    if ranked["lexical"] and ranked["vector"]:
        for kind, measured in result.items():
            if isinstance(measured, dict) and "lexical" in measured:
                of_kind = [q for q in asked if kind in ("all", q["kind"])]
                measured["either_top_10s"] = either_top_10s(of_kind, ranked)
    melanie = "What does Melanie say running has been great for?"
    if melanie in ranked["fused"]:
        [answer] = next(q["evidence"] for q in asked if q["question"] == melanie)
        result["melanie_example_rank"] = {
            path: (ranked[path][melanie].index(answer) + 1 if answer in ranked[path][melanie]
                   else None)
            for path in paths
        }  # fmt: skip
    return result


def below_better_path(result: dict) -> list[str]:
    """The cells (kind and measure) where fused is below the better of lexical and vector."""
    cells = []
    for kind, paths in result.items():
        if not isinstance(paths, dict) or not isinstance(paths.get("fused"), dict):
            continue  # the run's sizes, the Melanie example's ranks
        for measure in ("recall@1", "recall@5", "recall@10", "mrr@10"):
            better = max(paths["lexical"][measure], paths["vector"][measure])
            if paths["fused"][measure] < better:
                cells.append(f"{kind} {measure} {paths['fused'][measure]} < {better}")
    return cells


def tune(store, embedder, make_user) -> None:
    """A grid of recall constants on the development splits only (of every long set), printed
    with the cells where fused is below its better path, to choose them.
    `NUDGE_TUNE="recall.LEXICAL_WEIGHT=0.4,0.6;lexical.IDF=lucene,robertson"` (module.NAME
    = values; a number is read as one). Run it with each embedder (`NUDGE_EMBEDDING_MODEL`)."""
    from nudge.memory import lexical as lexical_module
    from nudge.memory import recall as recall_module

    modules = {"recall": recall_module, "lexical": lexical_module}
    spec = os.environ.get("NUDGE_TUNE", "recall.MARGIN_AT=2,3,5,10")
    grid: dict[str, list] = {}
    for part in spec.split(";"):
        name, _, values = part.partition("=")
        grid[name.strip()] = [_value(v) for v in values.split(",")]
    # The single paths do not depend on fusion's constants: measured once.
    paths = {
        name: long_conversations(store, embedder, make_user, split="dev", name=name,
                                 modes=("lexical", "vector"))
        for name in LONG_SETS
    }  # fmt: skip
    for values in itertools.product(*grid.values()):
        for name, value in zip(grid, values, strict=True):
            module, _, attribute = name.partition(".")
            setattr(modules[module], attribute, value)
        recall_module.VECTOR_WEIGHT = 1 - recall_module.LEXICAL_WEIGHT
        line, below = [], []
        for set_name in LONG_SETS:
            result = long_conversations(store, embedder, make_user, split="dev", name=set_name,
                                        modes=("fused",))  # fmt: skip
            for kind, measured in result.items():
                if isinstance(measured, dict) and isinstance(measured.get("fused"), dict):
                    measured |= {p: paths[set_name][kind][p] for p in ("lexical", "vector")}
            line.append(f"{set_name} {result['all']['fused']}")
            below += [f"{set_name} {cell}" for cell in below_better_path(result)]
        print(dict(zip(grid, values, strict=True)), *line, f"below: {below}", flush=True)


def _value(text: str):
    for number in (int, float):  # a count stays an int (MARGIN_AT slices)
        try:
            return number(text)
        except ValueError:
            pass
    return text.strip()


class LineVectors:
    """An embedder for the latency haystack ("line line" texts): each text gets the real
    vector of the first line it starts with, each line embedded once."""

    def __init__(self, embedder, lines: list[str]) -> None:
        self.name, self.dimension = embedder.name, embedder.dimension
        unique = sorted(set(lines), key=len, reverse=True)  # the longest match first
        self._vectors = dict(zip(unique, embedder.embed_documents(unique), strict=True))
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        found = []
        for text in texts:
            body = re.sub(r"^\(\d{4}-\d{2}-\d{2}\) ", "", text)
            line = next(line for line in self._vectors if body.startswith(line))
            found.append(self._vectors[line])
        return found

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_query(text)


def predating_the_index(store, user_id: str) -> None:
    """The user as stored before the vector shards: a version-1 marker, no vector shards."""
    from nudge.store import memory_terms, vector_shards

    user = store.db.collection("users").document(user_id)
    user.collection(memory_terms.COLLECTION).document(memory_terms.BUILT).set({"built": True})
    for snapshot in user.collection(vector_shards.COLLECTION).stream():
        snapshot.reference.delete()


def main() -> None:
    with emulators() as hosts:
        # The local stack's memory settings (local.env), unless the environment says otherwise.
        local = {k: v for k, v in stack.read_env_file().items() if k in MEMORY_SETTINGS}
        os.environ.update(local | {k: os.environ[k] for k in MEMORY_SETTINGS if k in os.environ})
        os.environ.update(hosts | {"NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}"})
        from nudge.embeddings import make_embedder
        from nudge.memory import admin
        from nudge.memory.index_rebuild import rebuild_if_stale
        from nudge.memory.recall import recall
        from nudge.models import User
        from nudge.queue.client import TaskQueue
        from nudge.settings import Settings, get_settings
        from nudge.store import Store
        from nudge.store.client import make_firestore_client

        store = Store(make_firestore_client(Settings()))
        # Where a stale user's recall asks for its rebuild: the emulator's memory queue, its
        # tasks sent to a closed local port (the bench runs the rebuild itself, timed).
        rebuilds = TaskQueue(Settings(function_urls={"memory_consolidation": "http://127.0.0.1:9"}))
        rebuilds.ensure_queues([Settings().queues.memory])
        # The local stack's embedder (`NUDGE_EMBEDDING_MODEL`, as `nudge memory` uses it).
        embedder = make_embedder(Settings())
        now = datetime(2026, 11, 23, tzinfo=UTC)
        conversation = (DATA / "conversation.jsonl").read_text().splitlines()
        questions = [
            json.loads(line) for line in (DATA / "questions.jsonl").read_text().splitlines()
        ]

        def user(phone: str) -> str:
            return store.users.create(User(phone=phone)).id

        if "--tune" in sys.argv:
            tune(store, embedder, user)
            return
        latency_only = bool(os.environ.get("NUDGE_BENCH_LATENCY_ONLY"))
        for name in os.environ.get("NUDGE_BENCH_SETS", ",".join(LONG_SETS)).split(","):
            if latency_only:
                break
            if not name:
                continue  # NUDGE_BENCH_SETS="": the first sets and latency only
            long = {"embedder": embedder.name} | {
                split: long_conversations(store, embedder, user, split=split, name=name)
                for split in ("test", "dev")
            }
            record(f"memory_{name}_conversations", long)
            print(json.dumps(long, indent=1))
        if os.environ.get("NUDGE_BENCH_LONG_ONLY"):
            return

        quality = {}
        for name, suffix in SETS.items():
            if latency_only:
                break
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
        if quality:
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
        lines = LineVectors(embedder, filler)
        for size in (1_000, 10_000):
            uid = user(f"+155555{size:05d}")
            # At 10k, each memory gets the vector of its first line (the encoder's cost is
            # ingest's, measured at 1k; recall's does not depend on the values).
            ingesting = embedder if size <= 1_000 or embedder.name == "wordllama" else lines
            started = time.perf_counter()
            admin.ingest(
                store, ingesting, uid, admin.read_jsonl(io.StringIO("\n".join(padded(size, "p"))))
            )
            ingest_s = time.perf_counter() - started
            latency[f"{size}"] = {"ingest_s": round(ingest_s, 1)} if ingesting is embedder else {}
            # A new process (a new client: fresh caches) recalls first: term and vector shards
            # are read and parsed. Several new processes, one recall each.
            os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = "in_process"
            get_settings.cache_clear()
            cold = []
            for q in questions[:COLD_PROCESSES]:
                fresh = Store(make_firestore_client(Settings()))
                t0 = time.perf_counter()
                recall(fresh, embedder, uid, q["question"], now=now, k=10, touch=False)
                cold.append(time.perf_counter() - t0)
            latency[f"{size}"]["cold_fused_in_process"] = summary_ms(cold)
            # The first recall after a write parses the changed shards: measured apart.
            t0 = time.perf_counter()
            recall(store, embedder, uid, "first", now=now, k=10, mode="lexical", touch=False)
            latency[f"{size}"]["first_lexical_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            # The first vector recall of a process reads the user's embeddings (in process).
            os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = "in_process"
            get_settings.cache_clear()
            t0 = time.perf_counter()
            recall(store, embedder, uid, "first", now=now, k=10, mode="vector", touch=False)
            latency[f"{size}"]["first_vector_in_process_ms"] = round(
                (time.perf_counter() - t0) * 1000, 1
            )
            runs = [("lexical", False, "in_process")] + [
                (mode, touch, search)
                for search in VECTOR_SEARCHES
                for mode, touch in (("vector", False), ("fused", False), ("fused", True))
            ]
            for mode, touch, search in runs:
                os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = search
                get_settings.cache_clear()  # recall reads the choice from the settings
                samples = []
                for q in questions[:LATENCY_QUESTIONS]:
                    t0 = time.perf_counter()
                    recall(store, embedder, uid, q["question"], now=now, k=10, mode=mode,
                           touch=touch)  # fmt: skip
                    samples.append(time.perf_counter() - t0)
                name = mode + ("_with_access_write" if touch else "")
                if mode != "lexical":
                    name += f"_{search}"
                latency[f"{size}"][name] = summary_ms(samples)
            # A user whose memories predate the index's version (no vector shards): their
            # first recall in a new process reads the old term shards, asks find_nearest and
            # enqueues the rebuild (it builds nothing); the background task then builds the
            # index, reading every memory with its embedding.
            predating_the_index(store, uid)
            os.environ["NUDGE_MEMORY_VECTOR_SEARCH"] = "in_process"
            get_settings.cache_clear()
            fresh = Store(make_firestore_client(Settings()))
            t0 = time.perf_counter()
            recall(fresh, embedder, uid, "first", now=now, k=10, touch=False, queue=rebuilds)
            latency[f"{size}"]["stale_first_recall_ms"] = round(
                (time.perf_counter() - t0) * 1000, 1
            )
            t0 = time.perf_counter()
            rebuild_if_stale(fresh, uid)
            latency[f"{size}"]["rebuild_s"] = round(time.perf_counter() - t0, 1)
            os.environ.update(local)
            get_settings.cache_clear()
            print(f"{size} memories: {latency[str(size)]}")
        record("memory_recall_latency", {"embedder": embedder.name} | latency)


if __name__ == "__main__":
    main()
