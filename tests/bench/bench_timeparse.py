"""The time-phrase corpus (`data/time_phrases.jsonl`) through `parse_when`: right / asked / wrong.

- right: the instant expected (and, for a repeat, the same next occurrences), or a question
  where a question is the right answer;
- asked: a question where the meaning was clear (safe, but a round trip for the person);
- wrong: a different time, a time where a question was due, or a repeat read as one-off (or
  the other way round). Every one of these would fire at the wrong moment.

Targets (issue 10): wrong under 2%, right at least 75%.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nudge.reminders.recurrence import next_occurrence
from nudge.reminders.timeparse import parse_when

CORPUS = Path(__file__).parent / "data" / "time_phrases.jsonl"
REPEATS_COMPARED = 3


def load_corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def entry_id(entry: dict) -> str:
    return f"{entry['tz']} {entry['now']} | {entry['phrase']}"


def _occurrences(rule: str, first: datetime, zone: str) -> list[datetime]:
    found = [first]
    while len(found) < REPEATS_COMPARED:
        nxt = next_occurrence(rule, found[-1], zone)
        if nxt is None:
            break
        found.append(nxt)
    return found


def grade(entry: dict) -> tuple[str, str]:
    """("right" | "asked" | "wrong", what the parser said)."""
    zone = ZoneInfo(entry["tz"])
    now = datetime.fromisoformat(entry["now"]).replace(tzinfo=zone)
    result = parse_when(entry["phrase"], timezone=entry["tz"], now=now)
    if not result.ok:
        said = f"asks: {result.question}"
        return ("right" if entry["expect"] == "ask" else "asked"), said
    local = result.due.astimezone(zone)
    said = f"{local:%a %Y-%m-%d %H:%M:%S%z}" + (f" + {result.rrule!r}" if result.rrule else "")
    if entry["expect"] == "ask":
        return "wrong", said
    expected = datetime.fromisoformat(entry["expect"])
    if result.due != expected:
        return "wrong", said
    if bool(result.rrule) != ("rrule" in entry):
        return "wrong", said
    if result.rrule:
        mine = _occurrences(result.rrule, result.due, entry["tz"])
        meant = _occurrences(entry["rrule"], expected, entry["tz"])
        if mine != meant:
            return "wrong", said
    return "right", said


def run() -> dict:
    corpus = load_corpus()
    counts: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    asked: list[str] = []
    for entry in corpus:
        verdict, said = grade(entry)
        for group in ("overall", entry["tz"], entry["kind"]):
            counts[group][verdict] += 1
        if verdict == "wrong":
            wrong.append(f"{entry_id(entry)} -> {said} (meant {entry['expect']})")
        elif verdict == "asked":
            asked.append(f"{entry_id(entry)} -> {said} (meant {entry['expect']})")
    zones = sorted({entry["tz"] for entry in corpus})
    kinds = list(dict.fromkeys(entry["kind"] for entry in corpus))
    summary = {}
    for group in ["overall", *zones, *kinds]:
        counter = counts[group]
        total = sum(counter.values())
        summary[group] = {"n": total} | {
            v: {"count": counter[v], "pct": round(100 * counter[v] / total, 1)}
            for v in ("right", "asked", "wrong")
        }
    return {"summary": summary, "wrong": wrong, "asked": asked}


def main() -> None:
    from tests.bench.common import record

    result = run()
    for group, row in result["summary"].items():
        cells = "  ".join(
            f"{v} {row[v]['count']} ({row[v]['pct']}%)" for v in ("right", "asked", "wrong")
        )
        print(f"{group:>20}: n={row['n']}  {cells}")
    print(f"wrong ({len(result['wrong'])}):")
    for line in result["wrong"]:
        print(f"  {line}")
    record("timeparse_corpus", {"summary": result["summary"], "wrong": result["wrong"]})


if __name__ == "__main__":
    main()
