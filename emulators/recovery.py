"""What the local stack redoes when an emulator lost state, so nothing waits forever.

The Cloud Tasks emulator keeps its tasks in memory: it starts empty with every `nudge dev`, and
again after it is restarted. Firestore keeps the data (see `firestore_data`), so its reminder
occurrences still say `scheduled` with no task left to fire them. The stack then

- re-arms them: one firing task for each occurrence due from now on (and those due in the
  last 90 s, which the catch-up would not take yet), so a stated time still fires at its minute;
- fires the recovery cron jobs at once (the reminder catch-up and any sweep), so whatever fell
  due while the stack or an emulator was down goes through the catch-up policy now, not at the
  next scheduled run.

- re-arms pending follow-ups the same way (each sent occurrence keeps its next follow-up's due
  time; the catch-up sends those whose time passed).

Other lost tasks are re-driven by their sweeps (agent turns) or their next scheduled run
(planner, memory).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from emulators.supervisor import notice

REARM_LIMIT = 10_000
RETRY_AFTER = 5.0


def rearm_reminders(now: datetime | None = None) -> int:
    """Enqueue a firing task for every scheduled occurrence the catch-up does not cover yet."""
    from nudge.models import OccurrenceStatus
    from nudge.reminders import engine
    from nudge.reminders.handler import default_deps

    now = now or datetime.now(UTC)
    deps = default_deps()
    armed = 0
    for occurrence in deps.store.occurrences.overdue(now + engine.TASK_HORIZON, limit=REARM_LIMIT):
        if occurrence.status != OccurrenceStatus.scheduled:
            continue  # a stuck `sending` one is the catch-up's
        if occurrence.due_at <= now - engine.SWEEP_AFTER:
            continue  # overdue: the catch-up applies the lateness policy
        engine.enqueue_firing(deps, occurrence)
        armed += 1
    for occurrence in deps.store.occurrences.follow_ups_due(
        now + engine.TASK_HORIZON, limit=REARM_LIMIT
    ):
        due = occurrence.follow_up_due_at
        if due is None or due <= now - engine.SWEEP_AFTER:
            continue  # overdue: the catch-up's
        engine.enqueue_follow_up_at(deps, occurrence, occurrence.follow_ups_sent + 1, due)
        armed += 1
    return armed


class Recovery:
    """Pending recovery work, done once Firestore, Cloud Tasks and the functions are up."""

    def __init__(
        self,
        out: IO[str],
        *,
        ensure_queues: Callable[[], None],
        rearm: Callable[[], int],
        fire_recovery_jobs: Callable[[], list[str]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.ensure_queues = ensure_queues
        self.rearm = rearm
        self.fire_recovery_jobs = fire_recovery_jobs
        self.clock = clock
        self.queues_lost = False
        self.catch_up_due = False
        self.retry_at = 0.0

    def tasks_lost(self) -> None:
        """The Cloud Tasks emulator (re)started empty."""
        self.queues_lost = True
        self.catch_up_due = True

    def outage_ended(self) -> None:
        """Firestore came back (from its last snapshot): catch up what fell due meanwhile."""
        self.catch_up_due = True

    @property
    def pending(self) -> bool:
        return self.queues_lost or self.catch_up_due

    def run(self, *, announce: bool = True) -> None:
        """Do what is pending; on failure try again in a few seconds (one line each time)."""
        if not self.pending or self.clock() < self.retry_at:
            return
        try:
            if self.queues_lost:
                self.ensure_queues()
                armed = self.rearm()
                self.queues_lost = False
                if announce or armed:
                    notice(self.out, f"re-armed {armed} scheduled reminder(s) in Cloud Tasks")
            if self.catch_up_due:
                fired = self.fire_recovery_jobs()
                self.catch_up_due = False
                if announce and fired:
                    notice(self.out, f"catching up now: {', '.join(fired)}")
        except Exception as exc:
            self.retry_at = self.clock() + RETRY_AFTER
            notice(self.out, f"recovery failed, retrying in {RETRY_AFTER:g} s: {exc!r}")
