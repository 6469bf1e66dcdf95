"""`nudge inbox` when the local stack is not running: a clear message at once, not the
Firestore client's five minutes of retries and a traceback."""

from __future__ import annotations

import os
import socket

from emulators.dev import local_ports
from nudge.cli.phone import inbox_command


def _listened_on(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stopped_stack_offset() -> int:
    """A port offset whose Firestore emulator port nothing listens on."""
    for offset in range(5100, 9000, 37):
        if not _listened_on(local_ports(offset)[0]):
            return offset
    raise AssertionError("no free port offset")


def test_inbox_says_the_stack_is_not_running(capsys):
    os.environ["NUDGE_DEV_PORT_OFFSET"] = str(stopped_stack_offset())
    assert inbox_command("+15555550100", None, follow=False, wait=0) == 1
    assert "The local stack is not running" in capsys.readouterr().err


def test_inbox_follow_waits_for_a_stopped_stack_and_says_so_once(capsys):
    os.environ["NUDGE_DEV_PORT_OFFSET"] = str(stopped_stack_offset())
    assert inbox_command("+15555550100", None, follow=True, wait=1.2, count=1) == 1
    err = capsys.readouterr().err
    assert err.count("Waiting for it.") == 1 and "Traceback" not in err
