"""`nudge dev`: the whole local stack in the foreground; Ctrl-C (or SIGTERM) stops all of it.

Every process is supervised (a crashed function or emulator is started again, see
`supervisor`), Firestore's data is kept in a folder across restarts (`firestore_data`), and
what an emulator restart lost is re-driven (`recovery`).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from emulators import stack
from emulators.cron import CronRunLog, CronRunner, cron_runs_file, load_jobs
from emulators.firestore_data import FirestoreData, PeriodicSnapshots
from emulators.recovery import Recovery, rearm_reminders
from emulators.supervisor import Service, Supervisor, notice


def _line(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()


PORT_OFFSET_ENV = "NUDGE_DEV_PORT_OFFSET"
# A kill -9 of the Firestore emulator (or of the machine) loses at most this much.
SNAPSHOT_EVERY = 30.0
# A task whose function is restarting waits this long for it without using up an attempt.
HOLD_UNREACHABLE = 120.0


# After the functions last printed anything, keep saving this long (a turn may still write).
ACTIVE_FOR = 90.0


class Activity:
    """When a function or the queue last printed a line: every write of the stack's functions
    comes with some (a task created or dispatched, a reply sent), so a quiet stack is idle."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def seen(self, line: str) -> list[str]:
        self.last = time.monotonic()
        return [line]

    def recent(self, within: float = ACTIVE_FOR) -> bool:
        return time.monotonic() - self.last < within


@dataclass
class DevOptions:
    port_offset: int = 0
    fresh: bool = False
    data_dir: Path | None = None
    snapshot_every: float = SNAPSHOT_EVERY


def default_data_dir(port_offset: int = 0) -> Path:
    """`.nudge/data`; a stack started with --port-offset N keeps its own `.nudge/data-N`."""
    return stack.STATE_DIR / ("data" if port_offset == 0 else f"data-{port_offset}")


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


def run(
    out: IO[str] = sys.stdout, *, port_offset: int = 0, options: DevOptions | None = None
) -> int:
    options = options or DevOptions(port_offset=port_offset)
    try:
        lock = stack.STATE_DIR / f"dev-{options.port_offset}.lock"
        with stack.single_instance_lock(lock):
            return _run_locked(out, options)
    except stack.StackError as exc:
        _line(out, f"nudge dev: {exc}")
        return 1


def _run_locked(out: IO[str], options: DevOptions) -> int:
    started = time.monotonic()
    stack.require_tools()
    env = build_env(options.port_offset)
    os.environ.update(env)  # this process enqueues and fires cron jobs with the same settings
    _, _, ports = local_ports(options.port_offset)
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

    from nudge.queue.client import TaskQueue
    from nudge.settings import Settings

    settings = Settings()
    data_dir = (options.data_dir or default_data_dir(options.port_offset)).resolve()
    data = FirestoreData(
        data_dir,
        host=env["FIRESTORE_EMULATOR_HOST"],
        project=settings.project_id,
        database=settings.firestore_database,
    )
    if options.fresh and (aside := data.move_aside()) is not None:
        _line(out, f"Starting empty (--fresh); the previous data was moved to {aside}")
    saved = data.latest()
    if saved is not None:
        _line(out, f"Loading the saved data from {saved.parent.parent}")
    else:
        _line(out, f"No saved data in {data.root}: starting empty.")

    stopping = threading.Event()

    def request_stop(signum, _frame) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[stack.ManagedProcess] = []
    supervisor: Supervisor | None = None
    cron: CronRunner | None = None
    snapshots: PeriodicSnapshots | None = None
    try:
        _line(out, "Starting the Firestore and Cloud Tasks emulators...")
        activity = Activity()

        def start_firestore() -> stack.ManagedProcess:
            # Each start loads the newest snapshot, so a restart comes back with the data.
            latest = data.latest()
            return stack.start_firestore(firestore_port, env=env, sink=out, import_data=latest)

        def start_tasks() -> stack.ManagedProcess:
            return stack.start_tasks(
                tasks_port,
                env=env,
                sink=out,
                hold_unreachable=HOLD_UNREACHABLE,
                keep=activity.seen,
            )

        firestore = start_firestore()
        processes.append(firestore)
        tasks = start_tasks()
        processes.append(tasks)
        try:
            stack.wait_for_firestore(firestore, firestore_port, timeout=120)
        except stack.StackError as exc:
            if saved is None:
                raise
            raise stack.StackError(
                f"{exc}: it could not load the saved data in {saved.parent.parent} (the one "
                "before it is beside it); `nudge dev --fresh` starts empty, moving it aside."
            ) from None
        stack.wait_for_tasks(tasks, tasks_port)

        queue = TaskQueue(settings)
        queue_names = list(settings.queues.model_dump().values())
        queue.ensure_queues(queue_names)

        _line(out, f"Starting {len(ports)} function(s)...")

        background = stack.background_functions()

        def function_starter(name: str, port: int):
            return lambda: stack.start_function(
                name, port, env=env, sink=out, keep=activity.seen, background=name in background
            )

        functions = {name: (function_starter(name, port)(), port) for name, port in ports.items()}
        processes.extend(proc for proc, _ in functions.values())
        stack.wait_for_functions(functions, timeout=60)

        jobs = load_jobs()
        cron = CronRunner(
            jobs,
            urls=settings.function_urls,
            secret=settings.task_secret.get_secret_value() if settings.task_secret else "",
            runs=CronRunLog(cron_runs_file(options.port_offset)),
        )
        recovery = Recovery(
            out,
            ensure_queues=lambda: queue.ensure_queues(queue_names),
            rearm=rearm_reminders,
            fire_recovery_jobs=lambda: cron.fire_now(cron.recovery_job_names()),
        )
        # The queue emulator always starts empty: re-arm what the saved data still expects,
        # and catch up what fell due while the stack was stopped.
        recovery.tasks_lost()
        recovery.run(announce=False)
        cron.start()

        firestore_url = f"http://127.0.0.1:{firestore_port}/"
        services = [
            Service(
                "firestore",
                start_firestore,
                ready=lambda: stack.http_ok(firestore_url),
                proc=firestore,
                on_restart=recovery.outage_ended,
                ready_timeout=120,
            ),
            Service(
                "tasks",
                start_tasks,
                ready=lambda: stack.port_in_use(tasks_port),
                proc=tasks,
                on_restart=recovery.tasks_lost,
            ),
        ]
        services += [
            Service(
                name,
                function_starter(name, port),
                ready=lambda p=port: stack.port_in_use(p),
                proc=proc,
            )
            for name, (proc, port) in functions.items()
        ]
        supervisor = Supervisor(services, out)
        snapshots = PeriodicSnapshots(
            data,
            options.snapshot_every,
            is_up=lambda: supervisor.running("firestore"),
            on_error=lambda text: notice(out, text),
            active=activity.recent,
        )
        snapshots.start()

        elapsed = time.monotonic() - started
        _line(out, "")
        _line(out, f"Nudge local stack is up in {elapsed:.1f}s. Ctrl-C stops everything.")
        _line(out, f"  Firestore emulator    127.0.0.1:{firestore_port}")
        _line(out, f"  Cloud Tasks emulator  127.0.0.1:{tasks_port}")
        _line(out, f"  Cron runner           {len(jobs)} job(s) from infra/cron_jobs.json")
        for name, port in sorted(ports.items()):
            _line(out, f"  {name:<21} http://127.0.0.1:{port}/")
        every = f"{options.snapshot_every:g} s"
        _line(out, f"  Data folder           {data_dir} (saved every {every} while busy)")
        _line(out, "")

        essentials = ("firestore", "tasks", "reminders")
        while not stopping.is_set():
            supervisor.check()
            if recovery.pending and all(supervisor.running(name) for name in essentials):
                recovery.run()
            stopping.wait(0.25)
        _line(out, "Stopping the local stack...")
        return 0
    finally:
        if cron is not None:
            cron.stop()
        if snapshots is not None:
            snapshots.stop()
        if supervisor is not None:
            processes = supervisor.processes()
        _shut_down(
            out, processes, data, saving=supervisor is not None and supervisor.running("firestore")
        )
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if processes:
            _line(out, "Local stack stopped.")


def _shut_down(
    out: IO[str], processes: list[stack.ManagedProcess], data: FirestoreData, *, saving: bool
) -> None:
    """Functions first (no write is cut in half), then the last save, then the emulators."""
    emulators = [p for p in processes if p.name in ("firestore", "tasks")]
    functions = [p for p in processes if p not in emulators]
    stack.stop(list(reversed(functions)))
    if saving:
        try:
            saved = data.save()
            _line(out, f"Saved the Firestore data to {saved.parent.parent}")
        except Exception as exc:  # stop anyway; the last periodic save remains
            _line(out, f"nudge dev: could not save the Firestore data on the way out: {exc}")
    stack.stop(emulators)
