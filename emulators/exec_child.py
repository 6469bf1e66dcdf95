"""Set up a child of the local stack, then become the command: parent-death signal, niceness.

The stack holds gRPC clients (Cloud Tasks, Firestore) whose threads and file descriptors do not
survive a fork. `subprocess` runs a `preexec_fn` in a forked copy of the stack, where gRPC's
fork handlers restart its poller just before the descriptors are closed for the exec; the
child then died with SIGABRT ("epoll_wait error: Bad file descriptor") about once in twenty
starts. So the stack spawns without a `preexec_fn` (no Python runs between fork and exec), and
this launcher, already a fresh process, does that setup and execs the command.

    python -I -S emulators/exec_child.py PARENT_PID NICENESS COMMAND [ARG...]
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys


def set_parent_death_signal() -> None:
    # If the stack is killed outright, the kernel sends its child SIGTERM; the setting survives
    # exec. It follows the spawning *thread*: the stack spawns only from long-lived threads.
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    parent, niceness, command = int(argv[0]), int(argv[1]), argv[2:]
    set_parent_death_signal()
    if os.getppid() != parent:
        return 1  # the stack died before the signal was set: nobody wants this child now
    if niceness:
        os.nice(niceness)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"cannot run {command[0]}: {exc}", file=sys.stderr)
        return 127
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
