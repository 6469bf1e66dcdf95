"""Helpers for the benchmarks: percentiles, the emulators, and one results file."""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from emulators import stack

RESULTS_FILE = Path(__file__).parent / "results.json"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms), 2),
    }


@contextmanager
def emulators() -> Iterator[dict[str, str]]:
    log = io.StringIO()
    env = dict(os.environ)
    fs_port, tasks_port = stack.free_port(), stack.free_port()
    firestore = stack.start_firestore(fs_port, env=env, sink=log)
    tasks = stack.start_tasks(tasks_port, env=env, sink=log)
    try:
        stack.wait_for_firestore(firestore, fs_port)
        stack.wait_for_tasks(tasks, tasks_port)
        yield {
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{fs_port}",
            "CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{tasks_port}",
        }
    finally:
        stack.stop([tasks, firestore])


def record(name: str, result: dict) -> None:
    """Merge one benchmark's result into results.json (quoted in the README)."""
    existing = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else {}
    existing[name] = {
        **result,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    RESULTS_FILE.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
