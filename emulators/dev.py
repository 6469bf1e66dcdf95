"""`nudge dev`: the whole local stack in the foreground; Ctrl-C (or SIGTERM) stops all of it."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from typing import IO

from emulators import stack
from emulators.cron import CronRunner, load_jobs


def _line(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()


PORT_OFFSET_ENV = "NUDGE_DEV_PORT_OFFSET"


def port_offset_from_env() -> int:
    """`nudge dev --port-offset` and the phone commands default to this variable."""
    return int(os.environ.get(PORT_OFFSET_ENV, "0") or 0)


def local_ports(offset: int = 0) -> tuple[int, int, dict[str, int]]:
    """Firestore port, Cloud Tasks port and every function's port, shifted by `offset`."""
    defaults = stack.read_env_file()
    firestore = _port_of(defaults["FIRESTORE_EMULATOR_HOST"]) + offset
    tasks = _port_of(defaults["CLOUD_TASKS_EMULATOR_HOST"]) + offset
    functions = {name: port + offset for name, port in stack.function_ports().items()}
    return firestore, tasks, functions


def build_env(offset: int = 0, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the local stack.

    local.env, then the process environment (so `NUDGE_GEMINI_API_KEY=... make run` works),
    then the addresses the stack itself owns, which always win so they match what it starts.
    """
    firestore, tasks, functions = local_ports(offset)
    env = stack.read_env_file() | (base if base is not None else dict(os.environ))
    env |= {
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{firestore}",
        "CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{tasks}",
        "NUDGE_FUNCTION_URLS": json.dumps(stack.function_urls(functions)),
        "PYTHONUNBUFFERED": "1",
    }
    if "sms_webhook" in functions:
        env["NUDGE_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{functions['sms_webhook']}"
    return env


def _port_of(host_port: str) -> int:
    return int(host_port.rsplit(":", 1)[1])


def run(out: IO[str] = sys.stdout, *, port_offset: int = 0) -> int:
    try:
        with stack.single_instance_lock(stack.STATE_DIR / f"dev-{port_offset}.lock"):
            return _run_locked(out, port_offset)
    except stack.StackError as exc:
        _line(out, f"nudge dev: {exc}")
        return 1


def _run_locked(out: IO[str], port_offset: int) -> int:
    started = time.monotonic()
    stack.require_tools()
    env = build_env(port_offset)
    os.environ.update(env)  # this process enqueues and fires cron jobs with the same settings
    _, _, ports = local_ports(port_offset)
    missing = set(stack.discover_functions()) - set(ports)
    if missing:
        raise stack.StackError(
            f"no local port for {sorted(missing)} in {stack.FUNCTION_PORTS_FILE}"
        )
    firestore_port = _port_of(env["FIRESTORE_EMULATOR_HOST"])
    tasks_port = _port_of(env["CLOUD_TASKS_EMULATOR_HOST"])
    wanted = {"Firestore emulator": firestore_port, "Cloud Tasks emulator": tasks_port}
    wanted |= {f"function {name}": port for name, port in ports.items()}
    busy = [f"{what} (port {port})" for what, port in wanted.items() if stack.port_in_use(port)]
    if busy:
        raise stack.StackError(
            "these ports are taken, is another stack or program using them? " + ", ".join(busy)
        )

    stopping = threading.Event()

    def request_stop(signum, _frame) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[stack.ManagedProcess] = []
    cron: CronRunner | None = None
    try:
        _line(out, "Starting the Firestore and Cloud Tasks emulators...")
        firestore = stack.start_firestore(firestore_port, env=env, sink=out)
        processes.append(firestore)
        tasks = stack.start_tasks(tasks_port, env=env, sink=out)
        processes.append(tasks)
        stack.wait_for_firestore(firestore, firestore_port)
        stack.wait_for_tasks(tasks, tasks_port)

        from nudge.queue.client import TaskQueue
        from nudge.settings import Settings

        settings = Settings()
        TaskQueue(settings).ensure_queues(list(settings.queues.model_dump().values()))

        _line(out, f"Starting {len(ports)} function(s)...")
        functions = {
            name: (stack.start_function(name, port, env=env, sink=out), port)
            for name, port in ports.items()
        }
        processes.extend(proc for proc, _ in functions.values())
        stack.wait_for_functions(functions, timeout=60)

        jobs = load_jobs()
        cron = CronRunner(
            jobs,
            urls=settings.function_urls,
            secret=settings.task_secret.get_secret_value() if settings.task_secret else "",
        )
        cron.start()

        elapsed = time.monotonic() - started
        _line(out, "")
        _line(out, f"Nudge local stack is up in {elapsed:.1f}s. Ctrl-C stops everything.")
        _line(out, f"  Firestore emulator    127.0.0.1:{firestore_port}")
        _line(out, f"  Cloud Tasks emulator  127.0.0.1:{tasks_port}")
        _line(out, f"  Cron runner           {len(jobs)} job(s) from infra/cron_jobs.json")
        for name, port in sorted(ports.items()):
            _line(out, f"  {name:<21} http://127.0.0.1:{port}/")
        _line(out, "")

        while not stopping.is_set():
            dead = [p for p in processes if not p.alive()]
            if dead:
                names = ", ".join(f"{p.name} (exit {p.popen.returncode})" for p in dead)
                _line(out, f"nudge dev: {names} stopped unexpectedly; shutting down.")
                return 1
            stopping.wait(0.5)
        _line(out, "Stopping the local stack...")
        return 0
    finally:
        if cron is not None:
            cron.stop()
        stack.stop(list(reversed(processes)))
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if processes:
            _line(out, "Local stack stopped.")
