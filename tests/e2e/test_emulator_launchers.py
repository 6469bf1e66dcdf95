"""How the local stack runs its emulators: loopback only, quiet, and patient with restarts."""

from __future__ import annotations

import http.server
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulators import stack

LISTEN = "0A"


def listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as the kernel shows them) of sockets listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.append(address)
    return found


class Receiver(http.server.ThreadingHTTPServer):
    """A stand-in function: records each task body it is sent."""

    def __init__(self, port: int) -> None:
        self.bodies: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", port), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def tasks_emulator() -> Iterator[tuple[int, io.StringIO]]:
    port, log = stack.free_port(), io.StringIO()
    proc = stack.start_tasks(port, env=dict(os.environ), sink=log, max_retries=1,
                             hold_unreachable=60)  # fmt: skip
    try:
        stack.wait_for_tasks(proc, port)
        yield port, log
    finally:
        stack.stop([proc])


def queue_for(port: int, function_port: int):
    from nudge.queue.client import TaskQueue
    from nudge.settings import Settings

    os.environ.update(stack.read_env_file())
    os.environ["CLOUD_TASKS_EMULATOR_HOST"] = f"127.0.0.1:{port}"
    os.environ["NUDGE_FUNCTION_URLS"] = json.dumps(
        {"reminders": f"http://127.0.0.1:{function_port}"}
    )
    queue = TaskQueue(Settings())
    queue.ensure_queues(["reminders"])
    return queue


def wait_for(check, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout:.0f}s")


def test_the_tasks_emulator_listens_on_loopback_only(tasks_emulator):
    port, _ = tasks_emulator
    addresses = listening_addresses(port)
    ipv4_loopback, ipv6_mapped_loopback = "0100007F", "0000000000000000FFFF00000100007F"
    assert addresses and set(addresses) <= {ipv4_loopback, ipv6_mapped_loopback}, addresses


def test_tasks_scheduled_for_later_are_not_logged_on_every_poll(tasks_emulator):
    port, log = tasks_emulator
    receiver = Receiver(stack.free_port())
    try:
        queue = queue_for(port, receiver.server_address[1])
        later = datetime.now(UTC) + timedelta(hours=1)
        queue.enqueue("reminders", "reminders", {"n": "later"}, schedule_time=later)
        # Each task due now is dispatched on a later pass over the queue than the one before,
        # so by the third the pending task has been re-polled many times.
        for n in range(3):
            queue.enqueue("reminders", "reminders", {"n": n})
            wait_for(lambda n=n: {"n": n} in receiver.bodies, f"task {n} delivered")
    finally:
        receiver.shutdown()
    output = log.getvalue()
    assert output.count("[TASKS] Created task") == 4
    assert output.count("[TASKS] Submitting task") == 3
    assert "scheduled for future execution" not in output
    assert "Processing next task" not in output
    assert {"n": "later"} not in receiver.bodies


def test_a_task_waits_for_its_function_to_come_back_without_using_up_attempts(tasks_emulator):
    port, log = tasks_emulator
    function_port = stack.free_port()
    queue = queue_for(port, function_port)
    queue.enqueue("reminders", "reminders", {"n": "while down"})
    # With max_retries=1 a task that failed twice is given up; a refused one keeps waiting.
    wait_for(lambda: log.getvalue().count("target unreachable") >= 3, "three refused tries")
    receiver = Receiver(function_port)
    try:
        wait_for(lambda: receiver.bodies == [{"n": "while down"}], "delivery after restart")
    finally:
        receiver.shutdown()
    assert "Giving up" not in log.getvalue()


def test_firestore_noise_is_dropped_and_everything_else_kept():
    keep = stack.firestore_line_filter()
    header = "[firestore] Dec 01, 2026 3:47:27 PM io.gapi.emulators.netty.HttpVersionRoutingHandler channelRead"  # noqa: E501
    export = "[firestore] Dec 01, 2026 3:56:07 PM com.google.cloud.datastore.emulator.impl.firestore.CloudFirestoreV1 exportData"  # noqa: E501
    shown = []
    for line in [
        header, "[firestore] INFO: Detected HTTP/2 connection.",
        header, "[firestore] INFO: Detected non-HTTP/2 connection.",
        export, "[firestore] INFO: Exporting emulator data to /tmp/x/firestore_export_1",
        header, "[firestore] WARNING: something worth reading",
        "[firestore] API endpoint: http://127.0.0.1:8686",
        # Run without gcloud, the emulator's lines come unprefixed.
        header.removeprefix("[firestore] "), "INFO: Detected HTTP/2 connection.",
        "API endpoint: http://127.0.0.1:8686",
    ]:  # fmt: skip
        shown += keep(line)
    assert shown == [
        header,
        "[firestore] WARNING: something worth reading",
        "[firestore] API endpoint: http://127.0.0.1:8686",
        "API endpoint: http://127.0.0.1:8686",
    ]


def test_firestore_already_exists_warnings_and_their_traces_are_dropped():
    # What a redelivered text or a retried turn makes the emulator print (its create() of an
    # idempotency record that exists): 35 lines each, some 39 KB for one crashed turn.
    keep = stack.firestore_line_filter()
    header = "[firestore] Dec 02, 2026 3:21:12 PM com.google.cloud.datastore.emulator.impl.util.WrappedStreamObserver onError"  # noqa: E501
    entity = "EntityRef{partitionRef=dev~nudge-local, path=/idempotency_records/agent-turn:SM98}"
    shown = []
    for line in [
        header, f"[firestore] WARNING: Operation failed: entity already exists: {entity}",
        f"[firestore] com.google.cloud.datastore.core.exception.DatastoreException: entity already exists: {entity}",  # noqa: E501
        "[firestore] \tat com.google.cloud.datastore.core.exception.DatastoreException.withProblem(DatastoreException.java:207)",  # noqa: E501
        "[firestore] \tat io.grpc.internal.SerializingExecutor.run(SerializingExecutor.java:133)",
        "[firestore] Caused by: java.lang.IllegalStateException: x",
        "[firestore] \t... 12 more",
        "[firestore] API endpoint: http://127.0.0.1:8686",
        header, "[firestore] SEVERE: a real failure",
        "[firestore] \tat something.Else(Else.java:1)",
    ]:  # fmt: skip
        shown += keep(line)
    assert shown == [
        "[firestore] API endpoint: http://127.0.0.1:8686",
        header,
        "[firestore] SEVERE: a real failure",
        "[firestore] \tat something.Else(Else.java:1)",
    ]


STACK_THAT_DIES = """
import os, sys, time
from emulators import stack
port = int(sys.argv[1])
proc = stack.start_firestore(port, env=dict(os.environ), sink=None)
stack.wait_for_firestore(proc, port, timeout=120)
print(proc.popen.pid, flush=True)
time.sleep(600)
"""


def group_of(leader: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == leader and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_the_firestore_emulator_goes_with_a_stack_that_is_killed_outright():
    port = stack.free_port()
    holder = subprocess.Popen(
        [sys.executable, "-c", STACK_THAT_DIES, str(port)], stdout=subprocess.PIPE, text=True,
        cwd=stack.REPO_ROOT,
    )  # fmt: skip
    try:
        guard = int(holder.stdout.readline())
        members = group_of(guard)
        assert len(members) >= 3  # the guard, the emulator's launcher script, java
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        wait_for(lambda: group_of(guard) == [], "the emulator's group gone", timeout=30)
        assert not stack.port_in_use(port)
    finally:
        if holder.poll() is None:
            holder.kill()
