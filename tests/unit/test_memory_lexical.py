"""BM25 over the term index, how entries are written and read, and dates named in questions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nudge.memory import query_dates
from nudge.memory.lexical import Corpus
from nudge.memory.text import terms
from nudge.store.memory_terms import encode_entry, parse_shard, shard_of

SAID = datetime(2023, 5, 8, 13, 0, tzinfo=UTC)


def corpus(texts: dict[str, str], *, past: frozenset[str] = frozenset()) -> Corpus:
    raw = {i: encode_entry(t, (), active=i not in past, said_at=SAID) for i, t in texts.items()}
    return Corpus([parse_shard(raw)])


def test_an_entry_holds_activity_day_and_counted_terms():
    entry = encode_entry("Melanie: running, running and running!", ["Sport"], active=False,
                         said_at=SAID, context=["race", "run"])  # fmt: skip
    assert entry == "P 20230508 sport melani run:3 race:0.5"
    [(memory_id, parsed)] = parse_shard({"m1": entry}).entries.items()
    assert memory_id == "m1" and not parsed.active and parsed.day == date(2023, 5, 8)
    assert parsed.length == 5.5 and parsed.terms == ("sport", "melani", "run", "race")


def test_shards_are_stable_and_spread():
    assert shard_of("src-c1-s6-t4") == shard_of("src-c1-s6-t4")
    assert len({shard_of(f"m{n}") for n in range(500)}) == 32


def test_a_name_in_half_the_memories_weighs_almost_nothing():
    texts = {f"g{n}": f"Melanie: hey Caroline, how was day {n}?" for n in range(50)}
    texts |= {f"h{n}": f"Caroline: hi Melanie! Just wanted to say hi {n}" for n in range(50)}
    texts["answer"] = "Melanie: running farther has been great for my headspace"
    index = corpus(texts)
    [name], [rare] = terms("Melanie"), terms("headspace")
    assert index.idf(index.document_frequency(name)) < 0.8
    assert index.idf(index.document_frequency(rare)) > 4
    scores = index.bm25({t: 1.0 for t in terms("What does Melanie say running is great for?")})
    assert max(scores, key=scores.get) == "answer"


def test_every_memory_counts_not_a_truncated_list():
    # 200 memories share each word; the one holding both is found (no 60-a-word cut).
    texts = {f"a{n}": f"coffee note {n}" for n in range(200)}
    texts |= {f"b{n}": f"budget note {n}" for n in range(200)}
    texts["both"] = "coffee budget"
    index = corpus(texts)
    assert index.size == 401
    scores = index.bm25({t: 1.0 for t in terms("coffee budget")})
    assert max(scores, key=scores.get) == "both"


def test_history_counts_only_when_asked():
    texts = {"now": "I live in Denver", "then": "I live in Boston"}
    index = corpus(texts, past=frozenset({"then"}))
    assert set(index.bm25({"boston": 1.0})) == set()
    with_past = Corpus(index.shards, include_past=True)
    assert set(with_past.bm25({"boston": 1.0})) == {"then"}
    assert with_past.size == 2 and index.size == 1


def test_dates_named_in_a_question():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    [may] = query_dates.spans("What did Jon bake in May 2023?", now)
    assert may == (date(2023, 5, 1), date(2023, 5, 31))
    assert query_dates.spans("What did Jon bake last June?", now) == [(0, 6)]
    assert query_dates.matches(date(2021, 6, 9), [(0, 6)])
    # "may" alone is a verb, not a month
    assert query_dates.spans("May I ask what Jon baked?", now) == []
    [week] = query_dates.spans("what did I say last week", now)
    assert week == (date(2026, 11, 9), date(2026, 11, 16))
