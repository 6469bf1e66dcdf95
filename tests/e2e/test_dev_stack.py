"""`nudge dev` as a person runs it: no terminal, output to a file, stopped by a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from emulators import stack
from tests.e2e.devstack import NUDGE, alive, descendants, start_dev, wait_for_line


def daytime_zone() -> str:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    zones = [
        "America/New_York",
        "Europe/Berlin",
        "Asia/Tokyo",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Pacific/Auckland",
        "Europe/London",
        "America/Sao_Paulo",
    ]
    for zone in zones:
        if 9 <= datetime.now(UTC).astimezone(ZoneInfo(zone)).hour < 20:
            return zone
    raise AssertionError("no daytime zone found")


def reminder_lateness(env: dict[str, str], phone: str) -> float:
    """Seconds between the occurrence's due time and its SMS reaching the outbox."""
    script = (
        "import sys\n"
        "from nudge.cli.phone import local_settings\n"
        "from nudge.store import Store\n"
        "from nudge.store.client import make_firestore_client\n"
        "store = Store(make_firestore_client(local_settings()))\n"
        "user = store.users.find_by_phone(sys.argv[1])\n"
        "[occ] = [o for o in store.occurrences.list(user.id) if o.status == 'sent']\n"
        "sent = [d.to_dict() for d in store.db.collection('local_outbox').stream()\n"
        "        if d.to_dict()['body'].startswith('Reminder: stretch')]\n"
        "print((sent[0]['created_at'] - occ.due_at).total_seconds())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, phone], capture_output=True, text=True, env=env,
        cwd=stack.REPO_ROOT, timeout=60, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


@pytest.fixture
def offset() -> int:
    # A block of ports unlikely to collide with a developer's own stack (offset 0).
    return 1000 + (os.getpid() % 50) * 20


def test_dev_stack_starts_answers_health_refuses_a_second_copy_and_stops_cleanly(tmp_path, offset):
    log = tmp_path / "dev.log"
    # Its own data folder: the default one under .nudge/ would carry users from run to run.
    proc = start_dev(offset, log, "--data-dir", str(tmp_path / "data"))
    try:
        wait_for_line(log, "Nudge local stack is up", timeout=90, proc=proc)
        port = stack.function_ports()["health"] + offset
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            body = json.loads(response.read())
        assert body["ok"] is True
        assert body["firestore"]["ok"] and body["task_queue"]["ok"]

        phone_env = os.environ | {"NUDGE_DEV_PORT_OFFSET": str(offset)}

        def nudge(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
            return subprocess.run(
                [str(NUDGE), *args],
                input=stdin,
                capture_output=True,
                text=True,
                env=phone_env,
                cwd=stack.REPO_ROOT,
                timeout=60,
            )

        todo = nudge("text", "todo: renew passport")
        assert todo.returncode == 0, todo.stdout + todo.stderr
        assert 'added "renew passport"' in todo.stdout
        listed = nudge("text", "what's on my list?")
        assert listed.returncode == 0
        assert "1. renew passport" in listed.stdout
        inbox = nudge("inbox", "--since", "120")
        lines = inbox.stdout.strip().splitlines()
        assert len(lines) == 2 and "renew passport" in lines[1]
        silent = nudge("text", "STOP", "--wait", "3")
        assert "unsubscribed" in silent.stdout
        nothing = nudge("text", "hello?", "--wait", "3")
        assert nothing.returncode == 1 and "No reply within 3s" in nothing.stdout
        nudge("text", "START", "--wait", "3")
        chat = nudge("phone", "--from", "+15555550133", stdin="todo: buy stamps\n")
        assert chat.returncode == 0
        assert "Texting Nudge as +15555550133" in chat.stdout
        assert "Nudge (" in chat.stdout and 'added "buy stamps"' in chat.stdout

        # Memory tools against the running stack.
        items = tmp_path / "memories.jsonl"
        items.write_text(
            '{"id": "t1", "text": "My sister Anna\'s birthday is June 3", '
            '"timestamp": "2026-03-02T10:00:00Z"}\n'
            '{"id": "t2", "text": "Dr. Okafor is my dentist", '
            '"timestamp": "2026-03-03T10:00:00Z"}\n'
        )
        ingested = nudge("memory", "ingest", str(items), "--user", "+15555550166")
        assert "ingested 2 memories" in ingested.stdout, ingested.stdout + ingested.stderr
        found = nudge("memory", "search", "who is my dentist", "--user", "+15555550166", "--json")
        first = json.loads(found.stdout.splitlines()[0])
        assert first["id"] == "t2" and first["score"] > 0

        # A reminder set by text arrives at its minute. Quiet hours are local, so this phone
        # lives in a timezone where it is daytime now.
        zone = daytime_zone()
        reminder_phone = "+15555550144"
        nudge("text", f"my timezone is {zone}", "--from", reminder_phone)
        confirmed = nudge("text", "remind me in 1 minute to stretch", "--from", reminder_phone)
        assert "I'll remind you to stretch today at" in confirmed.stdout, confirmed.stdout
        follow = subprocess.run(
            [str(NUDGE), "inbox", "--from", reminder_phone, "--since", "1", "--follow",
             "--wait", "80", "--count", "1"],
            capture_output=True, text=True, env=phone_env, cwd=stack.REPO_ROOT, timeout=120,
        )  # fmt: skip
        arrived = [line for line in follow.stdout.splitlines() if "Reminder: stretch" in line]
        assert arrived, follow.stdout
        lateness = reminder_lateness(phone_env, reminder_phone)
        assert 0 <= lateness < 5, lateness

        second = subprocess.run(
            [str(NUDGE), "dev", f"--port-offset={offset}"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=stack.REPO_ROOT,
            timeout=30,
        )
        assert second.returncode == 1
        assert "already running" in second.stdout

        children = descendants(proc.pid)
        assert len(children) >= 3  # emulators, java, functions
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        assert [pid for pid in children if alive(pid)] == []
        assert "Local stack stopped." in log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_dev_stack_says_what_to_install_when_java_is_missing(tmp_path, offset):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gcloud").symlink_to("/bin/true")
    env = {k: v for k, v in os.environ.items() if k != "PATH"} | {"PATH": str(bin_dir)}
    result = subprocess.run(
        [str(NUDGE), "dev", f"--port-offset={offset + 7}"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=stack.REPO_ROOT,
        timeout=30,
    )
    assert result.returncode == 1
    assert "Java is not installed" in result.stdout
    assert "openjdk-17" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
