"""Cold-start proxy (import time of each function module) and a store round trip.

Run with `make bench`; results go to tests/bench/results.json and the README.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from emulators import stack
from tests.bench.common import emulators, record, summary_ms

IMPORT_RUNS = 7
ROUND_TRIPS = 300

IMPORT_PROBE = """
import importlib.util, sys, time
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - start)
"""


def bench_function_imports() -> dict[str, dict]:
    """Each function's main.py imported in a fresh interpreter, as a cold instance would."""
    results = {}
    env = stack.read_env_file() | dict(os.environ)
    for name in stack.discover_functions():
        source = stack.FUNCTIONS_DIR / name / "main.py"
        samples = []
        for _ in range(IMPORT_RUNS):
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE, str(source)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout
            samples.append(float(out.strip().splitlines()[-1]))
        results[name] = summary_ms(samples)
    return results


def bench_store_round_trip() -> dict:
    """One document write then read through the store, against the Firestore emulator."""
    with emulators() as hosts:
        os.environ.update(stack.read_env_file() | hosts)
        os.environ["NUDGE_PROJECT_ID"] = f"bench-{uuid.uuid4().hex[:8]}"
        from nudge.models import Note, User
        from nudge.store import Store

        store = Store.default()
        user = store.users.create(User(phone="+15555550100"))
        for _ in range(20):  # warm the channel
            store.notes.add(user.id, Note(title="warm"))
        samples = []
        for i in range(ROUND_TRIPS):
            started = time.perf_counter()
            note = store.notes.add(user.id, Note(title=f"note {i}", body="x" * 200))
            store.notes.get(user.id, note.id)
            samples.append(time.perf_counter() - started)
        return summary_ms(samples)


def main() -> None:
    imports = bench_function_imports()
    record("function_import", imports)
    for name, stats in imports.items():
        print(
            f"import functions/{name}/main.py: p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms"
        )
    round_trip = bench_store_round_trip()
    record("store_round_trip", round_trip)
    print(
        f"store write+read round trip: p50 {round_trip['p50_ms']} ms, "
        f"p95 {round_trip['p95_ms']} ms (n={round_trip['n']})"
    )


if __name__ == "__main__":
    main()
