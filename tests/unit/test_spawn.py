"""How the local stack starts its children: never Python between fork and exec (gRPC), and a
child still dies with a stack that is killed outright."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

from emulators import exec_child, stack

# A stack-like parent: gRPC threads busy (a channel trying to connect), then many spawns.
SPAWN_UNDER_GRPC = textwrap.dedent(
    """
    import io, sys, grpc
    sys.path.insert(0, sys.argv[1])
    from emulators import stack
    channel = grpc.insecure_channel("127.0.0.1:1")
    try:
        grpc.channel_ready_future(channel).result(timeout=0.3)
    except grpc.FutureTimeoutError:
        pass
    argv = [sys.executable, "-c", "import time; time.sleep(0.05)"]
    sinks = [io.StringIO() for _ in range(int(sys.argv[2]))]
    procs = [stack.spawn(f"c{n}", argv, env={}, sink=sink, cwd=stack.REPO_ROOT)
             for n, sink in enumerate(sinks)]
    bad = 0
    for proc, sink in zip(procs, sinks):
        code = proc.popen.wait()
        for pump in proc.pumps:
            pump.join(timeout=5)
        if code != 0 or sink.getvalue():
            bad += 1
            print(code, sink.getvalue()[:160])
    print("bad", bad)
    """
)


def test_children_spawned_beside_live_grpc_threads_start_clean():
    # Before the launcher, about 1 in 20 children got gRPC's fork handlers' broken poller and
    # printed "Bad file descriptor" or died with SIGABRT; 80 starts saw it nearly always.
    result = subprocess.run(
        [sys.executable, "-c", SPAWN_UNDER_GRPC, str(stack.REPO_ROOT), "80"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "bad 0", result.stdout


STACK_KILLED_OUTRIGHT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from emulators import stack
    proc = stack.spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"],
                       env={}, sink=None, cwd=stack.REPO_ROOT)
    print(proc.popen.pid, flush=True)
    time.sleep(60)
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:  # noqa: PTH123
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_child_goes_down_when_the_stack_is_killed_outright():
    parent = subprocess.Popen(
        [sys.executable, "-c", STACK_KILLED_OUTRIGHT, str(stack.REPO_ROOT)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        time.sleep(0.5)  # the launcher has exec'd the sleeper
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()


def test_the_launcher_runs_nothing_when_its_stack_is_already_gone():
    # In its own process: the launcher sets a parent-death signal, not for pytest to carry.
    gone = str(os.getpid() + 10**6)
    result = subprocess.run(
        [sys.executable, "-I", "-S", exec_child.__file__, gone, "0", "/bin/echo", "ran"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "ran" not in result.stdout


def test_the_launcher_says_when_the_command_cannot_run(tmp_path):
    missing = str(tmp_path / "no-such-program")
    sink = io.StringIO()
    proc = stack.spawn("missing", [missing], env={}, sink=sink, cwd=tmp_path)
    assert proc.popen.wait(timeout=10) == 127
    for pump in proc.pumps:
        pump.join(timeout=5)
    assert f"cannot run {missing}" in sink.getvalue()
