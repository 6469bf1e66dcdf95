"""Starting and stopping the local stack: Firestore emulator, Cloud Tasks emulator, functions.

`nudge dev` and the test fixtures both use these helpers, so the tests run the stack the same
way a person does.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parent.parent
EMULATORS_DIR = REPO_ROOT / "emulators"
FUNCTIONS_DIR = REPO_ROOT / "functions"
INFRA_DIR = REPO_ROOT / "infra"
LOCAL_ENV_FILE = EMULATORS_DIR / "local.env"
FUNCTION_PORTS_FILE = EMULATORS_DIR / "functions.toml"
TASKS_EMULATOR_BIN = REPO_ROOT / ".venv-tasks" / "bin" / "gcloud-tasks-emulator"
TASKS_PYTHON = REPO_ROOT / ".venv-tasks" / "bin" / "python"
TASKS_LAUNCHER = EMULATORS_DIR / "tasks_emulator.py"
GROUP_GUARD = EMULATORS_DIR / "group_guard.py"
EXEC_CHILD = EMULATORS_DIR / "exec_child.py"
STATE_DIR = REPO_ROOT / ".nudge"

# gcloud must not try to reach the network for update checks or usage reports.
GCLOUD_QUIET_ENV = {
    "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
    "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
    "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
}


# The emulator's google-api-core warns about Python versions on every start.
TASKS_QUIET_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore::FutureWarning"}


class StackError(RuntimeError):
    """Something a person can fix; the message says what."""


def read_env_file(path: Path = LOCAL_ENV_FILE) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise StackError(f"{path}: expected KEY=VALUE, got {raw!r}")
        values[key.strip()] = value.strip()
    return values


def discover_functions() -> list[str]:
    return sorted(p.parent.name for p in FUNCTIONS_DIR.glob("*/main.py"))


def function_ports() -> dict[str, int]:
    table = tomllib.loads(FUNCTION_PORTS_FILE.read_text())
    return {name: int(spec["port"]) for name, spec in table.items()}


def background_functions() -> set[str]:
    """Functions whose work nobody waits on at that moment (run at a lower CPU priority)."""
    table = tomllib.loads(FUNCTION_PORTS_FILE.read_text())
    return {name for name, spec in table.items() if spec.get("background", False)}


BACKGROUND_NICENESS = 10


def function_urls(ports: Mapping[str, int], host: str = "127.0.0.1") -> dict[str, str]:
    return {name: f"http://{host}:{port}" for name, port in ports.items()}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def require_tools() -> None:
    """One clear line for each missing prerequisite of the emulators."""
    problems = []
    if shutil.which("gcloud") is None:
        problems.append(
            "gcloud is not installed: install the Google Cloud CLI with its "
            "cloud-firestore-emulator component (Debian package google-cloud-cli)."
        )
    if shutil.which("java") is None:
        problems.append(
            "Java is not installed: the Firestore emulator needs Java 17 or newer "
            "(apt-get install openjdk-17-jre-headless)."
        )
    if not TASKS_EMULATOR_BIN.exists():
        problems.append(
            f"The Cloud Tasks emulator is missing at {TASKS_EMULATOR_BIN}: run `make install`."
        )
    if problems:
        raise StackError("\n".join(problems))


@dataclass
class ManagedProcess:
    name: str
    popen: subprocess.Popen[bytes]
    pumps: list[threading.Thread] = field(default_factory=list)

    def alive(self) -> bool:
        return self.popen.poll() is None


LineFilter = Callable[[str], list[str]]
"""Takes one output line, returns the lines to show (none, it, or lines it held back)."""


def _pump(name: str, stream: IO[bytes], sink: IO[str] | None, keep: LineFilter | None) -> None:
    for raw in iter(stream.readline, b""):
        if sink is None:
            continue
        line = raw.decode(errors="replace").rstrip()
        for shown in keep(line) if keep is not None else [line]:
            with contextlib.suppress(ValueError, OSError):
                sink.write(f"{name:>14} | {shown}\n")
                sink.flush()
    stream.close()


def spawn(
    name: str,
    argv: list[str],
    *,
    env: Mapping[str, str],
    sink: IO[str] | None,
    cwd: Path,
    keep: LineFilter | None = None,
    niceness: int = 0,
) -> ManagedProcess:
    """Start a child in its own session (so we stop it and all its children as one group).

    `keep` filters the child's output before it reaches `sink` (emulator noise); `niceness`
    lowers its CPU priority."""

    # No preexec_fn: Python between fork and exec in a process holding gRPC clients crashes
    # the child now and then (see exec_child.py); the launcher does that setup after the exec.
    launcher = [sys.executable, "-I", "-S", str(EXEC_CHILD), str(os.getpid()), str(niceness)]
    popen = subprocess.Popen(
        [*launcher, *argv],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pump = threading.Thread(target=_pump, args=(name, popen.stdout, sink, keep), daemon=True)
    pump.start()
    return ManagedProcess(name=name, popen=popen, pumps=[pump])


def stop(processes: list[ManagedProcess], *, grace: float = 8.0) -> None:
    """SIGTERM each process group, then SIGKILL whatever is left after `grace` seconds."""
    for proc in processes:
        if proc.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in processes:
        remaining = max(0.0, deadline - time.monotonic())
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.popen.wait(timeout=remaining)
        # The leader may be gone while its children (java under gcloud) linger.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.popen.wait(timeout=2)
        for pump in proc.pumps:
            pump.join(timeout=1)


def wait_until(check, *, timeout: float, what: str, proc: ManagedProcess | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise StackError(f"{what} exited early (code {proc.popen.returncode}); see its log")
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    raise StackError(f"{what} did not become ready within {timeout:.0f}s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - local URLs only
        return 200 <= response.status < 500


# java.util.logging prints a header line (date, class, method), then "LEVEL: message".
_JUL_HEADER = re.compile(
    r"^(\[firestore\] )?[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M "
)
# Logged by the Firestore emulator for every client connection and every export (the stack
# saves the data every few seconds).
_FIRESTORE_NOISE = re.compile(
    r"^(\[firestore\] )?INFO: (Detected (non-)?HTTP/2 connection\.|Exporting emulator data to )"
)


# A create() of a document that exists: the idempotency and lease records' normal answer
# (a redelivered text, a retried turn), which the emulator logs as a warning with a Java stack
# trace of some 35 lines.
_ALREADY_EXISTS = re.compile(r"^(\[firestore\] )?WARNING: Operation failed: entity already exists")
_TRACE_LINE = re.compile(
    r"^(\[firestore\] )?(\tat |\t\.\.\. \d+ more|Caused by: |\S+Exception: entity already exists)"
)


def firestore_line_filter() -> LineFilter:
    """Drops the per-connection notices and the "already exists" warnings with their stack
    traces (and their header lines); keeps everything else."""
    held: list[str] = []
    in_trace = False

    def keep(line: str) -> list[str]:
        nonlocal in_trace
        if in_trace and _TRACE_LINE.match(line):
            return []
        in_trace = False
        if _JUL_HEADER.match(line):
            shown, held[:] = list(held), [line]
            return shown
        shown, held[:] = list(held), []
        if _FIRESTORE_NOISE.match(line):
            return []
        if _ALREADY_EXISTS.match(line):
            in_trace = True
            return []
        return [*shown, line]

    return keep


def firestore_emulator_command(port: int) -> list[str]:
    """The emulator's own launcher, as `gcloud emulators firestore start` runs it.

    gcloud moves itself into a process group of its own and leaves java behind when it dies;
    run directly (under the group guard), the launcher and java stay in one group that the
    stack stops as a whole. gcloud itself only if the launcher is not where gcloud keeps it."""
    gcloud = shutil.which("gcloud")
    if gcloud is not None:
        sdk_root = Path(os.path.realpath(gcloud)).parents[1]
        launcher = sdk_root / "platform" / "cloud-firestore-emulator" / "cloud_firestore_emulator"
        if launcher.is_file():
            return [
                str(launcher),
                "start",
                "--host=127.0.0.1",
                f"--port={port}",
                "--database-mode=firestore-native",
            ]
    return ["gcloud", "emulators", "firestore", "start", f"--host-port=127.0.0.1:{port}", "--quiet"]


def start_firestore(
    port: int,
    *,
    env: Mapping[str, str],
    sink: IO[str] | None,
    import_data: Path | None = None,
) -> ManagedProcess:
    """Spawn the Firestore emulator; `wait_for_firestore` tells when it answers.

    `import_data` is the `.overall_export_metadata` file of an export to load at start."""
    argv = [sys.executable, str(GROUP_GUARD), *firestore_emulator_command(port)]
    if import_data is not None:
        argv.append(f"--import-data={import_data}")
    return spawn(
        "firestore",
        argv,
        env={**env, **GCLOUD_QUIET_ENV},
        sink=sink,
        cwd=REPO_ROOT,
        keep=firestore_line_filter(),
    )


def wait_for_firestore(proc: ManagedProcess, port: int, timeout: float = 60) -> None:
    url = f"http://127.0.0.1:{port}/"
    wait_until(lambda: http_ok(url), timeout=timeout, what="Firestore emulator", proc=proc)


def start_tasks(
    port: int,
    *,
    env: Mapping[str, str],
    sink: IO[str] | None,
    max_retries: int = 10,
    hold_unreachable: float = 0,
    keep: LineFilter | None = None,
) -> ManagedProcess:
    """Spawn the Cloud Tasks emulator (on 127.0.0.1); `wait_for_tasks` tells when it listens.

    With `hold_unreachable`, a task whose function refuses connections (it is restarting) waits
    up to that many seconds for it without using up an attempt."""
    # Failed tasks are retried at most `max_retries` times: the emulator retries immediately,
    # with no backoff, so an unbounded count would spin on a broken handler.
    argv = [
        str(TASKS_PYTHON),
        str(TASKS_LAUNCHER),
        f"--port={port}",
        f"--max-retries={max_retries}",
        f"--hold-unreachable={hold_unreachable:g}",
    ]
    return spawn("tasks", argv, env={**env, **TASKS_QUIET_ENV}, sink=sink, cwd=REPO_ROOT, keep=keep)


def wait_for_tasks(proc: ManagedProcess, port: int, timeout: float = 30) -> None:
    wait_until(lambda: port_in_use(port), timeout=timeout, what="Cloud Tasks emulator", proc=proc)


def start_function(
    name: str,
    port: int,
    *,
    env: Mapping[str, str],
    sink: IO[str] | None,
    keep: LineFilter | None = None,
    background: bool = False,
) -> ManagedProcess:
    argv = [
        sys.executable,
        "-m",
        "functions_framework",
        f"--target={name}",
        f"--source={FUNCTIONS_DIR / name / 'main.py'}",
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    niceness = BACKGROUND_NICENESS if background else 0
    return spawn(
        name, argv, env=env, sink=sink, cwd=FUNCTIONS_DIR / name, keep=keep, niceness=niceness
    )


def wait_for_functions(procs: Mapping[str, tuple[ManagedProcess, int]], timeout: float) -> None:
    for name, (proc, port) in procs.items():
        wait_until(
            lambda p=port: port_in_use(p), timeout=timeout, what=f"function {name}", proc=proc
        )


@contextlib.contextmanager
def single_instance_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the life of the stack; a second stack is told who holds it."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StackError(
            f"The Nudge local stack is already running (pid {holder}). "
            "Use it, or stop it with Ctrl-C in its terminal (or `kill -INT " + holder + "`)."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        handle.close()
