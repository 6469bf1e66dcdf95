"""500 reminders due in the same minute, fired through the emulators by the reminders function.

Reports lateness (sent_at - due_at) p50/p99/max and how many were sent, missed and duplicated.
Target (issue 4): all sent, none duplicated, p99 under 5 s locally.
"""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from emulators import stack
from tests.bench.common import emulators, percentile, record

USERS = 100
PER_USER = 5


def main() -> None:
    with emulators() as hosts:
        port = stack.free_port()
        env = (
            stack.read_env_file()
            | dict(os.environ)
            | hosts
            | {
                "NUDGE_PROJECT_ID": f"bench-{uuid.uuid4().hex[:8]}",
                "NUDGE_FUNCTION_URLS": json.dumps({"reminders": f"http://127.0.0.1:{port}"}),
                "NUDGE_LOG_LEVEL": "WARNING",
            }
        )
        os.environ.update(env)
        from nudge.models import OccurrenceStatus, User, UserSettings
        from nudge.queue.client import TaskQueue
        from nudge.reminders.engine import ReminderDeps, create_reminder
        from nudge.settings import Settings
        from nudge.sms.senders import LocalOutbox
        from nudge.store import Store
        from nudge.store.client import make_firestore_client

        settings = Settings()
        store = Store(make_firestore_client(settings))
        queue = TaskQueue(settings)
        queue.ensure_queues(list(settings.queues.model_dump().values()))
        deps = ReminderDeps(
            store=store, queue=queue, sender=LocalOutbox(store.db), settings=settings
        )
        function = stack.start_function("reminders", port, env=env, sink=io.StringIO())
        stack.wait_until(
            lambda: stack.port_in_use(port), timeout=60, what="reminders", proc=function
        )
        try:
            now = datetime.now(UTC)
            due = (now + timedelta(seconds=75)).replace(second=0, microsecond=0)
            if due - now < timedelta(seconds=40):
                due += timedelta(minutes=1)
            never_quiet = UserSettings(
                quiet_hours_start=datetime.min.time(), quiet_hours_end=datetime.min.time()
            )

            def make_user(i: int) -> None:
                user = store.users.create(
                    User(phone=f"+1555{7000000 + i:07d}", timezone="Etc/UTC", name=f"U{i}")
                )
                store.users.save_settings(user.id, never_quiet)
                for j in range(PER_USER):
                    create_reminder(
                        deps, user, text=f"bench {i}-{j}", due_at=due, rrule=None, now=now
                    )

            with ThreadPoolExecutor(max_workers=16) as pool:
                list(pool.map(make_user, range(USERS)))
            total = USERS * PER_USER
            created = datetime.now(UTC)
            ahead = (due - created).total_seconds()
            print(f"created {total} reminders due {due:%H:%M:%S} ({ahead:.0f}s ahead)")

            deadline = due + timedelta(seconds=90)
            while datetime.now(UTC) < deadline:
                occs = [
                    o.to_dict() for o in store.db.collection_group("reminder_occurrences").stream()
                ]
                if sum(
                    o["status"] == OccurrenceStatus.sent for o in occs
                ) == total and datetime.now(UTC) > due + timedelta(seconds=10):
                    break
                time.sleep(1)
            occs = [o.to_dict() for o in store.db.collection_group("reminder_occurrences").stream()]
            sent = [o for o in occs if o["status"] == OccurrenceStatus.sent]
            outbox = [d.to_dict() for d in store.db.collection("local_outbox").stream()]
            # Lateness: when each SMS was handed to the SMS port, against its due time.
            lateness = [(m["created_at"] - due).total_seconds() for m in outbox]
            bodies = Counter(m["body"] for m in outbox)
            duplicated = sum(count - 1 for count in bodies.values() if count > 1)
        finally:
            stack.stop([function])
        result = {
            "reminders": total,
            "sent": len(sent),
            "missed": sum(o["status"] == OccurrenceStatus.missed for o in occs),
            "not_sent": total - len(sent),
            "duplicated": duplicated,
            "lateness_p50_s": round(percentile(lateness, 50), 3) if lateness else None,
            "lateness_p99_s": round(percentile(lateness, 99), 3) if lateness else None,
            "lateness_max_s": round(max(lateness), 3) if lateness else None,
        }
        record("reminders_500_same_minute", result)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
