"""Keeps the local stack's processes running: a process that dies is started again.

Each restart is one line in the stack's output. A process that keeps dying is retried with a
backoff that doubles up to a cap, so a crash loop neither spins nor takes the stack down; the
backoff resets once a process has stayed up for a while. Only the stack itself stops them.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import IO

from emulators import stack


class State(StrEnum):
    running = "running"
    waiting = "waiting"  # dead, restart not due yet
    starting = "starting"  # started, not ready yet


@dataclass
class Backoff:
    first: float = 1.0
    cap: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2 ** max(0, failures - 1))


@dataclass
class Service:
    """One supervised process: how to start it, how to tell it is ready, what to redo then."""

    name: str
    start: Callable[[], stack.ManagedProcess]
    ready: Callable[[], bool]
    proc: stack.ManagedProcess
    # Runs after each restart once the process is ready (re-create queues, catch up...).
    on_restart: Callable[[], None] | None = None
    ready_timeout: float = 90.0
    state: State = State.running
    failures: int = 0  # consecutive short-lived runs, for the backoff
    restarts: int = 0
    up_since: float = field(default_factory=time.monotonic)
    due_at: float = 0.0  # waiting: when to start; starting: when to give up


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-returncode).name}"
        return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def notice(out: IO[str], text: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        out.write(f"{datetime.now().strftime('%H:%M:%S')} nudge dev: {text}\n")
        out.flush()


class Supervisor:
    def __init__(
        self,
        services: list[Service],
        out: IO[str],
        *,
        backoff: Backoff | None = None,
        stable_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.out = out
        self.backoff = backoff or Backoff()
        self.stable_after = stable_after
        self.clock = clock

    def processes(self) -> list[stack.ManagedProcess]:
        return [service.proc for service in self.services]

    def running(self, name: str) -> bool:
        return any(s.name == name and s.state == State.running for s in self.services)

    def check(self) -> None:
        """One pass over every service; call it a few times a second."""
        for service in self.services:
            self._check(service)

    def _check(self, service: Service) -> None:
        now = self.clock()
        if service.state == State.running:
            if not service.proc.alive():
                stable = now - service.up_since >= self.stable_after
                service.failures = 1 if stable else service.failures + 1
                self._schedule_restart(service, describe_exit(service.proc.popen.returncode))
        elif service.state == State.waiting:
            if now >= service.due_at:
                service.restarts += 1
                service.proc = service.start()
                service.state = State.starting
                service.due_at = now + service.ready_timeout
        elif service.state == State.starting:
            if not service.proc.alive():
                service.failures += 1
                why = f"exited while starting ({describe_exit(service.proc.popen.returncode)})"
                self._schedule_restart(service, why)
            elif self._ready(service):
                service.state = State.running
                service.up_since = now
                if service.on_restart is not None:
                    try:
                        service.on_restart()
                    except Exception as exc:  # the stack keeps running; say what failed
                        notice(self.out, f"after restarting {service.name}: {exc!r}")
            elif now >= service.due_at:
                service.failures += 1
                why = f"not ready within {service.ready_timeout:.0f} s"
                self._schedule_restart(service, why)

    def _ready(self, service: Service) -> bool:
        try:
            return bool(service.ready())
        except OSError:
            return False

    def _schedule_restart(self, service: Service, why: str) -> None:
        # Whatever the dead leader left in its process group (java under gcloud, workers
        # under gunicorn) goes too, so the port is free for the next start.
        stack.stop([service.proc], grace=0 if not service.proc.alive() else 3)
        delay = self.backoff.delay(service.failures)
        service.state = State.waiting
        service.due_at = self.clock() + delay
        notice(self.out, f"{service.name} stopped ({why}); restarting it in {delay:g} s")
