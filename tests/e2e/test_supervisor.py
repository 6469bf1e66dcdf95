"""The supervisor of `nudge dev`, step by step with real child processes and its own clock."""

from __future__ import annotations

import io
import sys

from emulators import stack
from emulators.supervisor import Backoff, Service, State, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def crashing(code: int = 3):
    def start() -> stack.ManagedProcess:
        argv = [sys.executable, "-c", f"import sys; print('failing'); sys.exit({code})"]
        return stack.spawn("crasher", argv, env={}, sink=None, cwd=stack.REPO_ROOT)

    return start


def sleeping() -> stack.ManagedProcess:
    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    return stack.spawn("sleeper", argv, env={}, sink=None, cwd=stack.REPO_ROOT)


def test_a_crash_loop_is_retried_with_doubling_capped_backoff_one_line_each():
    clock, out = Clock(), io.StringIO()
    start = crashing()
    service = Service("crasher", start, ready=lambda: False, proc=start(), up_since=clock.now)
    supervisor = Supervisor(
        [service], out, backoff=Backoff(first=1, cap=8), stable_after=60, clock=clock
    )
    delays = []
    for _ in range(6):
        service.proc.popen.wait(timeout=30)
        supervisor.check()  # notices the exit, schedules the restart
        assert service.state == State.waiting
        delays.append(service.due_at - clock.now)
        supervisor.check()  # not due yet: nothing is started
        assert service.state == State.waiting and not service.proc.alive()
        clock.now = service.due_at
        supervisor.check()  # due: started again
        assert service.state == State.starting
    assert delays == [1, 2, 4, 8, 8, 8]
    lines = out.getvalue().splitlines()
    assert len(lines) == 6
    assert lines[0].endswith("nudge dev: crasher stopped (exit code 3); restarting it in 1 s")
    assert "crasher stopped (exited while starting (exit code 3)); restarting it in 8 s" in lines[5]
    assert service.restarts == 6
    stack.stop([service.proc])


def test_a_process_that_ran_a_while_restarts_fast_and_reruns_its_recovery():
    clock, out = Clock(), io.StringIO()
    recovered = []
    service = Service(
        "sleeper", sleeping, ready=lambda: True, proc=sleeping(), up_since=clock.now,
        on_restart=lambda: recovered.append(clock.now), failures=4,
    )  # fmt: skip
    supervisor = Supervisor([service], out, backoff=Backoff(first=1, cap=60), clock=clock)
    first = service.proc
    clock.now += 3600  # up for an hour, then killed
    stack.stop([first])
    supervisor.check()
    assert service.state == State.waiting and service.due_at - clock.now == 1
    assert "sleeper stopped (killed by SIGTERM); restarting it in 1 s" in out.getvalue()
    clock.now = service.due_at
    supervisor.check()
    supervisor.check()
    assert service.state == State.running and service.proc is not first
    assert recovered == [clock.now]
    assert supervisor.running("sleeper")
    stack.stop(supervisor.processes())


def test_a_process_that_never_becomes_ready_is_stopped_and_retried():
    clock, out = Clock(), io.StringIO()
    service = Service(
        "sleeper", sleeping, ready=lambda: False, proc=sleeping(), state=State.starting,
        ready_timeout=30,
    )  # fmt: skip
    service.due_at = clock.now + 30
    supervisor = Supervisor([service], out, clock=clock)
    hung = service.proc
    supervisor.check()
    assert service.state == State.starting
    clock.now += 31
    supervisor.check()
    assert not hung.alive()
    assert service.state == State.waiting
    assert "sleeper stopped (not ready within 30 s); restarting it in 1 s" in out.getvalue()
