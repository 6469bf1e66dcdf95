"""The LoCoMo held-out bench reads the public file's shape as documented: dated sessions of
turns, questions whose evidence names turns ("D1:3"), a few evidence ids malformed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.bench.bench_locomo import KINDS, TURN_GAP, session_time, turns
from tests.bench.heldout import evidence

SAMPLE = {
    "sample_id": "conv-test",
    "conversation": {
        "speaker_a": "Caroline",
        "speaker_b": "Melanie",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Caroline", "dia_id": "D1:1", "text": "Hey Mel!  Good to see you!"},
            {"speaker": "Melanie", "dia_id": "D1:2", "text": "Hey Caroline!", "img_url": ["x"]},
        ],
        "session_2_date_time": "12:09 am on 13 September, 2023",
        "session_2": [{"speaker": "Melanie", "dia_id": "D2:1", "text": "I ran a charity race."}],
        # The file ends some conversations with dates that have no turns.
        "session_3_date_time": "4:10 pm on 26 October, 2023",
    },
    "qa": [
        {"question": "When did Melanie run a charity race?", "evidence": ["D2:1"], "category": 2},
        {"question": "What did they say?", "evidence": ["D1:1; D1:2", "D9:9"], "category": 1},
        {"question": "Would she?", "evidence": [], "category": 3},
        {"question": "And both?", "evidence": ["D2:1 D1:1", "D2:1"], "category": 4},
    ],
}


def test_session_times_are_read_as_the_file_writes_them():
    assert session_time("1:56 pm on 8 May, 2023") == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert session_time("12:09 am on 13 September, 2023") == datetime(2023, 9, 13, 0, 9, tzinfo=UTC)


def test_turns_come_in_session_order_with_speaker_and_their_sessions_time():
    said = turns(SAMPLE)
    assert [d for d, _, _ in said] == ["D1:1", "D1:2", "D2:1"]
    assert said[0][1] == "Caroline: Hey Mel! Good to see you!"  # whitespace folded
    assert said[1][2] - said[0][2] == TURN_GAP
    assert said[2][2] == datetime(2023, 9, 13, 0, 9, tzinfo=UTC)


def test_evidence_keeps_the_turns_that_exist_and_splits_malformed_ids():
    known = {d for d, _, _ in turns(SAMPLE)}
    found = [evidence(q, known) for q in SAMPLE["qa"]]
    assert found == [["D2:1"], ["D1:1", "D1:2"], [], ["D2:1", "D1:1"]]
    kinds = [KINDS[q["category"]] for q in SAMPLE["qa"]]
    assert kinds == ["temporal", "multi_hop", "open_domain", "single_hop"]
