"""The local stack runs background functions at a lower CPU priority than the reply path."""

from __future__ import annotations

import os
import sys
import time

from emulators import stack


def test_the_reply_path_is_not_background_and_slow_integrations_are():
    background = stack.background_functions()
    assert background <= set(stack.function_ports())
    assert {"sms_webhook", "agent_turn", "reminders", "api"}.isdisjoint(background)
    assert {"memory_consolidation", "youtube", "web_search", "notion_sync"} <= background


def exec_done(pid: int, timeout: float = 10) -> None:
    """The launcher sets the niceness just before it becomes the command: wait for that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:  # noqa: PTH123
            if b"exec_child.py" not in cmdline.read():
                return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} still in its launcher after {timeout}s")


def test_a_spawned_process_gets_the_niceness_asked_for(tmp_path):
    argv = [sys.executable, "-c", "import time; time.sleep(30)"]
    procs = [
        stack.spawn(f"p{n}", argv, env=os.environ, sink=None, cwd=tmp_path, niceness=n)
        for n in (0, stack.BACKGROUND_NICENESS)
    ]
    try:
        for proc in procs:
            exec_done(proc.popen.pid)
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        niceness = [os.getpriority(os.PRIO_PROCESS, p.popen.pid) for p in procs]
        assert niceness == [ours, min(ours + stack.BACKGROUND_NICENESS, 19)]
    finally:
        stack.stop(procs, grace=2)
