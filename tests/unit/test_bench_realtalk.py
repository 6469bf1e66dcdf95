"""The REALTALK held-out bench reads the public release's chat files as documented: sessions of
turns each with its own send time ("DD.MM.YYYY, HH:MM:SS"), photo-only turns, and questions
whose evidence names turns ("D1:3"), a few entries holding several ids."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.bench.bench_realtalk import KINDS, chat_files, sent_at, turns
from tests.bench.heldout import evidence


def turn(dia_id: str, speaker: str, text: str, when: str) -> dict:
    return {"clean_text": text, "speaker": speaker, "date_time": when, "img_file": [],
            "img_url": [], "dia_id": dia_id}  # fmt: skip


CHAT = {
    "name": {"speaker_1": "Emi", "speaker_2": "Elise"},
    "session_2": [turn("D2:1", "Elise", "Back from  Turks and Caicos!", "03.01.2024, 09:15:00")],
    "session_1": [
        turn("D1:1", "Emi", "Hey! How are you?", "29.12.2023, 22:42:04"),
        turn("D1:2", "Elise", "", "30.12.2023, 00:32:20"),  # a photo alone
        turn("D1:3", "Elise", "Taking a cooking class today", "30.12.2023, 00:33:00"),
    ],
    "session_1_date_time": "29.12.2023, 22:42:04",
    "events_session_1": {"agent_a": [], "agent_b": []},
    "qa": [
        {
            "question": "When did Elise get back?",
            "answer": "3 Jan",
            "evidence": ["D2:1"],
            "category": 2,
        },
        {
            "question": "What did they do?",
            "answer": "...",
            "evidence": ["D1:3. D2:1", "D1:2"],
            "category": 1,
        },
        {"question": "Why?", "answer": "...", "evidence": ["D7:7"], "category": 3},
    ],  # fmt: skip
}


def test_send_times_are_read_as_the_files_write_them():
    assert sent_at("29.12.2023, 22:42:04") == datetime(2023, 12, 29, 22, 42, 4, tzinfo=UTC)


def test_turns_with_text_come_in_session_order_at_the_time_they_were_sent():
    said = turns(CHAT)
    assert [d for d, _, _ in said] == ["D1:1", "D1:3", "D2:1"]
    assert said[2][1] == "Elise: Back from Turks and Caicos!"  # whitespace folded
    assert said[1][2] == datetime(2023, 12, 30, 0, 33, tzinfo=UTC)


def test_evidence_keeps_turns_with_text_and_splits_entries_with_several_ids():
    known = {d for d, _, _ in turns(CHAT)}
    assert [evidence(q, known) for q in CHAT["qa"]] == [["D2:1"], ["D1:3", "D2:1"], []]
    assert [KINDS[q["category"]] for q in CHAT["qa"]] == ["temporal", "fact", "inference"]


def test_chat_files_are_taken_in_release_order(tmp_path):
    for name in ("Chat_10_Kevin_Elise.json", "Chat_2_Nebraas_Vanessa.json", "notes.json"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in chat_files(tmp_path)] == [
        "Chat_2_Nebraas_Vanessa.json",
        "Chat_10_Kevin_Elise.json",
    ]
    assert chat_files(tmp_path / "Chat_2_Nebraas_Vanessa.json")[0].name.startswith("Chat_2")
