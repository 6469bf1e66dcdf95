"""Run a command and take everything it started down with it.

The Firestore emulator is a shell script that runs java; when the script is killed, java stays,
holding the port. The stack starts the emulator under this guard, the leader of the emulator's
process group: a SIGTERM or SIGINT to the guard (from the stack, or from the kernel when the
stack itself is killed, see PR_SET_PDEATHSIG in `exec_child.py`) goes to the whole group, and
when the command exits by itself its leftovers are stopped too. The guard then exits with the
command's status.

    python emulators/group_guard.py COMMAND [ARG...]
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE = 5.0


def group_members() -> list[int]:
    """Other processes in our process group, from /proc."""
    group, me, found = os.getpgrp(), os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115, PTH123
            # Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry))
    return found


def stop_group() -> None:
    """SIGTERM the rest of the group, then SIGKILL whatever is left after GRACE seconds."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(os.getpgrp(), signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    while group_members() and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in group_members():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    child = subprocess.Popen(argv)

    def on_signal(_signum, _frame) -> None:
        stop_group()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = child.wait()
    stop_group()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
