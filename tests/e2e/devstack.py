"""Running `nudge dev` as a person does, from a test: a subprocess in its own process group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulators import stack

NUDGE = Path(sys.executable).parent / "nudge"

# Everything the stack keeps for the people using it, read straight from its Firestore.
INVENTORY_SCRIPT = """
import json
from nudge.cli.phone import local_settings
from nudge.store import Store
from nudge.store.client import make_firestore_client
store = Store(make_firestore_client(local_settings()))
found = {}
for user_id in store.users.list_ids():
    user = store.users.get(user_id)
    found[user.phone] = {
        "tasks": sorted(t.title for t in store.tasks.list(user_id)),
        "memories": sorted(
            (m.content, len(m.embedding or [])) for m in store.memories.list(user_id)
        ),
        "reminders": sorted(r.text for r in store.reminders.list(user_id)),
        "occurrences": sorted(
            (o.text, o.status.value, o.due_at.isoformat(), o.late_seconds)
            for o in store.occurrences.list(user_id)
        ),
    }
print(json.dumps(found))
"""


def start_dev(offset: int, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(NUDGE), "dev", f"--port-offset={offset}", *extra],
        stdin=subprocess.DEVNULL,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        cwd=stack.REPO_ROOT,
        start_new_session=True,  # its own process group, as `make run` in a shell would have
    )


def wait_for_line(
    log: Path, text: str, timeout: float, proc: subprocess.Popen, *, after: int = 0
) -> None:
    """Wait until `text` appears in the log past byte `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text()[after:]:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"{text!r} not seen; log:\n{log.read_text()[-3000:]}")


def process_table() -> list[tuple[int, int, str]]:
    out = subprocess.run(
        ["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True
    ).stdout
    rows = []
    for line in out.splitlines():
        pid, ppid, *args = line.split(maxsplit=2)
        rows.append((int(pid), int(ppid), args[0] if args else ""))
    return rows


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, parent, _ in process_table():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def child_matching(pid: int, text: str) -> int:
    """The direct child of `pid` (a supervised process) whose command line contains `text`."""
    found = [child for child, parent, args in process_table() if parent == pid and text in args]
    assert len(found) == 1, f"children of {pid} with {text!r}: {found}"
    return found[0]


def descendant_matching(pid: int, text: str) -> int:
    mine = descendants(pid)
    found = [p for p, _, args in process_table() if p in mine and text in args]
    assert len(found) == 1, f"processes under {pid} with {text!r}: {found}"
    return found[0]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


class Phone:
    """The `nudge` commands against the stack at `offset`."""

    def __init__(self, offset: int) -> None:
        self.env = os.environ | {"NUDGE_DEV_PORT_OFFSET": str(offset)}

    def run(self, *args: str, stdin: str | None = None, timeout: float = 60):
        return subprocess.run(
            [str(NUDGE), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=stack.REPO_ROOT,
            timeout=timeout,
        )

    def text(self, message: str, phone: str) -> str:
        result = self.run("text", message, "--from", phone)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def inventory(self) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", INVENTORY_SCRIPT], capture_output=True, text=True,
            env=self.env, cwd=stack.REPO_ROOT, timeout=60, check=True,
        )  # fmt: skip
        return json.loads(result.stdout)


def health(offset: int) -> dict:
    import urllib.request

    port = stack.function_ports()["health"] + offset
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:  # noqa: S310
        return json.loads(response.read())
