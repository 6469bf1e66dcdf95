"""The time-phrase corpus (tests/bench/data/time_phrases.jsonl) as a table.

Each entry must be right (the expected instant and repeats, or a question where one is due) or,
at worst, asked (a question where the meaning was clear). A wrong time fails the test unless
the entry is in KNOWN_WRONG below, and the README lists every one of those. The corpus as a
whole must stay at wrong < 2% and right >= 75% (issue 10).
"""

from __future__ import annotations

import pytest

from tests.bench.bench_timeparse import entry_id, grade, load_corpus

CORPUS = load_corpus()

# Entries the parser gets wrong today, by id ("zone now | phrase"). Each is in the README.
KNOWN_WRONG: set[str] = set()


def test_the_corpus_is_broad():
    phrases = {entry["phrase"] for entry in CORPUS}
    zones = {entry["tz"] for entry in CORPUS}
    assert len(phrases) >= 350
    assert {"America/New_York", "Europe/London"} <= zones
    assert any(entry["kind"] == "dst" for entry in CORPUS)


@pytest.mark.parametrize("entry", CORPUS, ids=[entry_id(e) for e in CORPUS])
def test_phrase(entry):
    verdict, said = grade(entry)
    if entry_id(entry) in KNOWN_WRONG:
        assert verdict == "wrong", f"fixed, take it off KNOWN_WRONG: {said}"
        return
    assert verdict in ("right", "asked"), f"{entry['phrase']!r} -> {said}, meant {entry['expect']}"


def test_overall_rates():
    verdicts = [grade(entry)[0] for entry in CORPUS]
    total = len(verdicts)
    right, wrong = verdicts.count("right") / total, verdicts.count("wrong") / total
    assert wrong < 0.02, f"wrong {wrong:.1%}"
    assert right >= 0.75, f"right {right:.1%}"
