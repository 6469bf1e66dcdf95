"""`nudge dev` as a person's own assistant: it outlives crashes and keeps what it was told."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from emulators import stack
from tests.e2e.devstack import (
    Phone,
    alive,
    child_matching,
    descendant_matching,
    descendants,
    health,
    start_dev,
    wait_for_line,
)

PHONE = "+15555550177"


@pytest.fixture
def offset() -> int:
    # Beside test_dev_stack's block of ports (same formula, ten ports further).
    return 1010 + (os.getpid() % 50) * 20


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} not within {timeout:.0f}s")


def saved_after(data_dir: Path, moment: float) -> bool:
    latest = data_dir / "firestore" / "LATEST"
    return latest.exists() and latest.stat().st_mtime > moment


def stop_group(proc, log: Path) -> None:
    """SIGTERM to the stack's process group, as Ctrl-C or a service manager would."""
    children = descendants(proc.pid)
    assert len(children) >= 8  # emulators (and java), six functions
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
    assert "Local stack stopped." in log.read_text()


@pytest.mark.timeout(420)
def test_dev_stack_restarts_what_dies_and_keeps_every_user_task_memory_and_reminder(
    tmp_path, offset
):
    data_dir = tmp_path / "data"
    log = tmp_path / "dev.log"
    args = ("--data-dir", str(data_dir), "--snapshot-every", "1")
    phone = Phone(offset)
    functions_port = stack.function_ports()
    proc = start_dev(offset, log, *args)
    try:
        wait_for_line(log, "Nudge local stack is up", timeout=120, proc=proc)
        assert "No saved data" in log.read_text()

        assert 'added "renew passport"' in phone.text("todo: renew passport", PHONE)
        assert "remember" in phone.text("remember my dentist is Dr. Okafor", PHONE).lower()
        later = phone.text("remind me in 3 hours to water the plants", PHONE)
        assert "I'll remind you to water the plants" in later, later
        soon = phone.text("remind me in 2 minutes to stretch", PHONE)
        assert "I'll remind you to stretch" in soon, soon
        before = phone.inventory()
        mine = before[PHONE]
        assert mine["tasks"] == ["renew passport"]
        [(memory, dimension)] = mine["memories"]
        assert "Okafor" in memory and dimension > 0
        assert sorted(mine["reminders"]) == ["stretch", "water the plants"]
        assert [o[1] for o in mine["occurrences"]] == ["scheduled", "scheduled"]

        # Stopped and started again: everything is still there, the reminders re-armed.
        stop_group(proc, log)
        assert "Saved the Firestore data" in log.read_text()
        mark = len(log.read_text())
        proc = start_dev(offset, log, *args)
        wait_for_line(log, "Nudge local stack is up", timeout=120, proc=proc, after=mark)
        restarted = log.read_text()[mark:]
        assert "Loading the saved data" in restarted
        assert "re-armed 2 scheduled reminder(s)" in restarted
        assert phone.inventory() == before
        recalled = phone.text("what do you know about my dentist?", PHONE)
        assert "Okafor" in recalled, recalled

        # A function killed outright is started again, and the next text is answered.
        turn = child_matching(proc.pid, "--target=agent_turn")
        mark = len(log.read_text())
        os.kill(turn, signal.SIGKILL)
        wait_for_line(log, "agent_turn stopped (killed by SIGKILL); restarting it in 1 s",
                      timeout=10, proc=proc, after=mark)  # fmt: skip
        port = functions_port["agent_turn"] + offset
        wait_until(lambda: stack.port_in_use(port), 60, "agent_turn listening again")
        assert child_matching(proc.pid, "--target=agent_turn") != turn
        assert "renew passport" in phone.text("what's on my list?", PHONE)

        # The Firestore emulator killed outright comes back with the data it had saved.
        written = time.time()
        wait_until(lambda: saved_after(data_dir, written), 30, "a save after the last write")
        java = descendant_matching(proc.pid, "cloud-firestore-emulator.jar")
        mark = len(log.read_text())
        os.kill(java, signal.SIGKILL)
        wait_for_line(log, "firestore stopped", timeout=10, proc=proc, after=mark)
        wait_until(lambda: health(offset)["firestore"]["ok"], 120, "Firestore answering again")
        assert phone.inventory() == before
        assert "renew passport" in phone.text("what's on my list?", PHONE)

        # The Cloud Tasks emulator killed outright comes back empty: queues and reminders are
        # re-armed, and texts are answered through it again.
        queue = child_matching(proc.pid, "tasks_emulator.py")
        mark = len(log.read_text())
        os.kill(queue, signal.SIGKILL)
        wait_for_line(log, "tasks stopped (killed by SIGKILL)", timeout=10, proc=proc, after=mark)
        # (2, or 1 if "stretch" already fired on a slow machine; its time is checked below.)
        wait_for_line(log, "scheduled reminder(s) in Cloud Tasks", timeout=60, proc=proc,
                      after=mark)  # fmt: skip
        assert "renew passport" in phone.text("what's on my list?", PHONE)

        # The reminder set before all that still fires at its minute.
        arrived = phone.run("inbox", "--from", PHONE, "--follow", "--wait", "150",
                            "--count", "1", timeout=180)  # fmt: skip
        assert arrived.returncode == 0, arrived.stdout + arrived.stderr
        assert "Reminder: stretch" in arrived.stdout
        assert "sorry it's late" not in arrived.stdout
        [stretch] = [o for o in phone.inventory()[PHONE]["occurrences"] if o[0] == "stretch"]
        assert stretch[1] == "sent"
        assert 0 <= stretch[3] < 5, stretch  # seconds late: its own task, not the catch-up
        stop_group(proc, log)

        # --fresh starts empty (the old data is set aside, not destroyed).
        mark = len(log.read_text())
        proc = start_dev(offset, log, *args, "--fresh")
        wait_for_line(log, "Nudge local stack is up", timeout=120, proc=proc, after=mark)
        assert "Starting empty (--fresh)" in log.read_text()[mark:]
        assert phone.inventory() == {}
        assert (data_dir / "firestore-before-fresh" / "LATEST").exists()
        stop_group(proc, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
