"""The fault suite: a whole local stack (`nudge dev`) probed as a person would, under faults.

Each probe reports texts (or reminders) sent / answered (or delivered) / lost / duplicated and
how many webhook answers were 5xx. Target (issue 11): lost 0, duplicated 0, no 5xx in every
row. Also a sustained-load row (20 users texting for 60 s), the lone-text reply latency and a
burst of three texts, which must get exactly one reply covering all three.

Run it with `make bench` (or `.venv/bin/python -m tests.bench.bench_faults`); it starts its own
stack on a port offset with an empty data folder, and stops it at the end.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from emulators import stack
from tests.bench.common import percentile, record

OFFSET = 2300
NUDGE = Path(sys.executable).parent / "nudge"
# How long a probe waits for every text to be answered: the sweep runs every minute and
# re-drives a text a minute after it arrived, so a lost text is answered within ~2.5 min.
RECOVERY_WAIT = 240


@dataclass
class Row:
    probe: str
    sent: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    http_5xx: int = 0
    notes: str = ""
    extra: dict = field(default_factory=dict)


class Stack:
    """`nudge dev --port-offset OFFSET` in its own process group, and ways to hurt it."""

    def __init__(self, log_path: Path) -> None:
        from emulators.dev import build_env, local_ports

        self.env = build_env(OFFSET) | {
            "NUDGE_DEV_PORT_OFFSET": str(OFFSET),
            "NUDGE_LOG_LEVEL": "WARNING",
        }
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        _, _, self.ports = local_ports(OFFSET)
        self.firestore_host = self.env["FIRESTORE_EMULATOR_HOST"]

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(NUDGE), "dev", f"--port-offset={OFFSET}", "--fresh"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=os.environ | self.env,
            start_new_session=True,
            cwd=stack.REPO_ROOT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if "Nudge local stack is up" in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError("stack did not start:\n" + self.log_path.read_text()[-3000:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

    def url(self, function: str) -> str:
        return f"http://127.0.0.1:{self.ports[function]}"

    def pids_listening(self, port: int) -> list[int]:
        """Processes whose command line names this port (a function or an emulator)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            words = [a.decode(errors="replace") for a in argv]
            if any(w in (f"--port={port}", f"--host-port=127.0.0.1:{port}") for w in words):
                found.append(int(entry.name))
        return found

    def kill_function(self, function: str, sig: int = signal.SIGKILL) -> int:
        pids = self.pids_listening(self.ports[function])
        for pid in pids:
            os.kill(pid, sig)
        return len(pids)

    def wait_healthy(self, function: str, timeout: float = 90) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(self.url(function), timeout=2)
                return True
            except requests.RequestException:
                time.sleep(0.5)
        return False


class Phone:
    """Signed Twilio posts to the stack's webhook, and what the stack kept and sent."""

    def __init__(self, stack_: Stack) -> None:
        from google.cloud import firestore
        from twilio.request_validator import RequestValidator

        os.environ["FIRESTORE_EMULATOR_HOST"] = stack_.firestore_host
        self.db = firestore.Client(project=stack_.env["NUDGE_PROJECT_ID"])
        self.url = stack_.url("sms_webhook")
        self.to = stack_.env["NUDGE_TWILIO_FROM_NUMBER"]
        self.validator = RequestValidator(stack_.env["NUDGE_TWILIO_AUTH_TOKEN"])
        self.session = requests.Session()

    def form(self, phone: str, body: str, **extra: str) -> dict[str, str]:
        sid = "SM" + uuid.uuid4().hex
        return {"MessageSid": sid, "From": phone, "To": self.to, "Body": body,
                "NumMedia": "0", **extra}  # fmt: skip

    def post(self, form: dict[str, str], session: requests.Session | None = None) -> int:
        signature = self.validator.compute_signature(self.url, form)
        for attempt in range(3):  # Twilio retries a connection failure; so do we
            try:
                response = (session or requests).post(
                    self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
                )
                return response.status_code
            except requests.ConnectionError:
                time.sleep(1 + attempt)
        return 599

    def text(self, phone: str, body: str) -> tuple[str, int]:
        form = self.form(phone, body)
        return form["MessageSid"], self.post(form)

    # -- what happened ---------------------------------------------------------------------

    def user_id(self, phone: str) -> str | None:
        doc = self.db.collection("phone_numbers").document(phone).get()
        return (doc.to_dict() or {}).get("user_id") if doc.exists else None

    def outbox(self, phone: str) -> list[dict]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self.db.collection("local_outbox").where(filter=FieldFilter("to", "==", phone))
        return sorted((d.to_dict() for d in query.stream()), key=lambda m: m["created_at"])

    def texts(self, phone: str) -> list[dict]:
        user_id = self.user_id(phone)
        if user_id is None:
            return []
        messages = self.db.collection("users").document(user_id).collection("messages")
        return [d.to_dict() | {"id": d.id} for d in messages.stream()]

    def tally(self, phones: list[str], sids: set[str]) -> tuple[int, int, int]:
        """(answered, lost, duplicated) over the texts `sids` sent from `phones`."""
        answered = lost = duplicated = 0
        for phone in phones:
            messages = self.texts(phone)
            replies = {m["id"]: m for m in messages if m["direction"] == "outbound"}
            sent_replies = [m for m in replies.values() if m.get("status") == "sent"]
            for text in (m for m in messages if m["id"] in sids):
                turn = text.get("answered_by_turn") or ""
                handled = turn.startswith("keyword:") or turn == "opted-out"
                reply = replies.get(f"reply-{turn}")
                if handled or (text.get("settled") and reply and reply["status"] == "sent"):
                    answered += 1
                else:
                    lost += 1
            duplicated += max(0, len(self.outbox(phone)) - len(sent_replies))
        return answered, lost, duplicated

    def wait_answered(self, phones: list[str], sids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, lost, _ = self.tally(phones, sids)
            if lost == 0:
                break
            time.sleep(2)
        time.sleep(3)  # let any duplicate show itself


def phones_for(probe: int, count: int) -> list[str]:
    return [f"+1555{probe:03d}{i:04d}" for i in range(count)]


def _finish(row: Row, phone: Phone, phones: list[str], sids: set[str]) -> Row:
    row.answered, row.lost, row.duplicated = phone.tally(phones, sids)
    return row


def probe_baseline(phone: Phone) -> Row:
    """10 people, 5 texts each, a few seconds apart (no bursts)."""
    phones = phones_for(101, 10)
    row, sids = Row("baseline: 10 users x 5 texts"), set()
    bodies = ["todo: buy milk", "what's on my list?", "remember my bike lock is 4412",
              "todo: call the dentist", "done buy milk"]  # fmt: skip

    def person(p: str) -> list[tuple[str, int]]:
        out = []
        for body in bodies:
            out.append(phone.text(p, body))
            time.sleep(3)
        return out

    with ThreadPoolExecutor(10) as pool:
        for results in pool.map(person, phones):
            for sid, status in results:
                row.sent += 1
                sids.add(sid)
                row.http_5xx += status >= 500
    phone.wait_answered(phones, sids, 60)
    return _finish(row, phone, phones, sids)


def probe_same_form_five_times(phone: Phone) -> Row:
    """Twilio redelivers: the very same signed form POSTed 5 times at once, for 10 texts."""
    phones = phones_for(102, 10)
    row, sids = Row("the same form POSTed 5x concurrently (10 texts)"), set()
    for p in phones:
        form = phone.form(p, "todo: water the plants")
        with ThreadPoolExecutor(5) as pool:
            statuses = list(pool.map(phone.post, [form] * 5, [requests.Session() for _ in "12345"]))
        row.sent += 1
        sids.add(form["MessageSid"])
        row.http_5xx += sum(s >= 500 for s in statuses)
    phone.wait_answered(phones, sids, 60)
    return _finish(row, phone, phones, sids)


def probe_kill_agent_turn(phone: Phone, stack_: Stack) -> Row:
    """20 texts in flight, then `kill -9` of the agent_turn process."""
    phones = phones_for(103, 20)
    row, sids = Row("agent_turn killed (-9) with 20 texts in flight"), set()
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda p: phone.text(p, "todo: fix the bike"), phones))
    killed = stack_.kill_function("agent_turn")
    for sid, status in results:
        row.sent += 1
        sids.add(sid)
        row.http_5xx += status >= 500
    phone.wait_answered(phones, sids, RECOVERY_WAIT)
    row.notes = f"killed {killed} process(es)"
    return _finish(row, phone, phones, sids)


def probe_kill_reminders(phone: Phone, stack_: Stack) -> Row:
    """20 reminders due in 40 s; the reminders process is killed (-9) 30 s before."""
    phones = phones_for(104, 20)
    row = Row("reminders killed (-9) 30 s before 20 reminders are due")
    sids = set()
    for p in phones:  # each person sets one reminder by text
        sid, status = phone.text(p, "remind me in 1 minute to stretch")
        sids.add(sid)
        row.http_5xx += status >= 500
    phone.wait_answered(phones, sids, 60)
    time.sleep(max(0, 30 - 5))  # the reminders fall due ~60 s after they were set
    killed = stack_.kill_function("reminders")
    deadline = time.monotonic() + RECOVERY_WAIT
    delivered = []
    while time.monotonic() < deadline:
        delivered = [p for p in phones if any("stretch" in m["body"] and "Reminder" in m["body"]
                                              for m in phone.outbox(p))]  # fmt: skip
        if len(delivered) == len(phones):
            break
        time.sleep(2)
    time.sleep(3)
    row.sent = len(phones)
    row.answered = len(delivered)
    row.lost = len(phones) - len(delivered)
    row.duplicated = sum(
        max(0, sum("Reminder" in m["body"] for m in phone.outbox(p)) - 1) for p in phones
    )
    row.notes = f"killed {killed} process(es); counts reminders delivered"
    return row


def probe_lost_tasks(phone: Phone, stack_: Stack) -> Row:
    """10 texts accepted, then every queued agent-turn task is lost: agent_turn is frozen so
    the tasks wait in its socket, then the Cloud Tasks emulator and agent_turn are both killed."""
    phones = phones_for(105, 10)
    row, sids = Row("queued agent-turn tasks lost (10 texts)"), set()
    stack_.kill_function("agent_turn", signal.SIGSTOP)
    try:
        for p in phones:
            sid, status = phone.text(p, "todo: renew the library books")
            row.sent += 1
            sids.add(sid)
            row.http_5xx += status >= 500
        time.sleep(2)
        tasks_port = int(stack_.env["CLOUD_TASKS_EMULATOR_HOST"].rsplit(":", 1)[1])
        for pid in stack_.pids_listening(tasks_port):
            os.kill(pid, signal.SIGKILL)
    finally:
        stack_.kill_function("agent_turn", signal.SIGKILL)  # a stopped process dies too
    phone.wait_answered(phones, sids, RECOVERY_WAIT)
    return _finish(row, phone, phones, sids)


HOSTILE_VALUES = [
    "", " ", "x" * 5000, "\x00\x01\x02", "%zz%", "%E0%A4%A", "\u202e\u200b", "😀" * 300,
    "<script>alert(1)</script>", "'; DROP TABLE users; --", "{{7*7}}", "\r\n\r\n",
]  # fmt: skip


def probe_hostile(phone: Phone) -> Row:
    """300 signed posts with hostile field values: each is answered or refused with a 4xx."""
    rng = random.Random(11)
    phones = phones_for(106, 6)
    row, sids = Row("300 signed hostile posts"), set()
    statuses: dict[int, int] = {}
    session = requests.Session()
    for i in range(300):
        p = phones[i % len(phones)]
        form = phone.form(p, rng.choice(HOSTILE_VALUES))
        kind = i % 6
        if kind == 1:
            form["NumMedia"] = "abc"
        elif kind == 2:
            form["NumMedia"] = "2"  # without MediaUrl0/1
        elif kind == 3:
            form["From"] = "+1555ABC" + str(i)
        elif kind == 4:
            form.pop("To")
        status = phone.post(form, session)
        statuses[status] = statuses.get(status, 0) + 1
        row.http_5xx += status >= 500
        if status == 200 and kind in (0, 2, 5):
            sids.add(form["MessageSid"])
        if i % 30 == 29:
            time.sleep(3)  # people do not send 300 texts a second
    row.sent = len(sids)
    phone.wait_answered(phones, sids, RECOVERY_WAIT)
    row.notes = "statuses " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    return _finish(row, phone, phones, sids)


def probe_sustained(phone: Phone) -> Row:
    """20 people texting for 60 s at a steady rate (one text each every 6 s)."""
    phones = phones_for(107, 20)
    row, sids = Row("sustained: 20 users texting for 60 s"), set()
    lock = threading.Lock()

    def person(p: str, start_delay: float) -> None:
        time.sleep(start_delay)
        session = requests.Session()
        end = time.monotonic() + 60
        n = 0
        while time.monotonic() < end:
            sid, status = (
                phone.text(p, f"todo: errand {n}")
                if n % 2 == 0
                else phone.text(p, "what's on my list?")
            )
            n += 1
            with lock:
                row.sent += 1
                sids.add(sid)
                row.http_5xx += status >= 500
            session.close()
            time.sleep(6)

    threads = [threading.Thread(target=person, args=(p, i * 0.3)) for i, p in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phone.wait_answered(phones, sids, 120)
    latencies = reply_latencies(phone, phones, sids)
    row.extra = latency_summary(latencies)
    return _finish(row, phone, phones, sids)


def reply_latencies(phone: Phone, phones: list[str], sids: set[str]) -> list[float]:
    """Seconds from the webhook keeping a text to its reply being handed to the SMS port."""
    out = []
    for p in phones:
        messages = {m["id"]: m for m in phone.texts(p)}
        for sid in sids & set(messages):
            text = messages[sid]
            reply = messages.get(f"reply-{text.get('answered_by_turn')}")
            if reply and reply.get("status") == "sent":
                out.append((reply["created_at"] - text["created_at"]).total_seconds())
    return out


def latency_summary(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000),
        "p95_ms": round(percentile(samples, 95) * 1000),
        "max_ms": round(max(samples) * 1000),
    }


def bench_lone_texts(phone: Phone) -> dict:
    """40 lone texts (one person at a time, well apart): webhook kept -> reply handed over."""
    phones = phones_for(108, 40)
    sids = set()
    for p in phones:
        sid, _ = phone.text(p, "todo: take out the recycling")
        sids.add(sid)
        time.sleep(1.5)
    phone.wait_answered(phones, sids, 60)
    return latency_summary(reply_latencies(phone, phones, sids))


# (what the burst is, its three texts, the word of each that the reply must mention)
BURSTS = {
    "three todos": (
        ["todo: buy stamps", "todo: post the parcel", "todo: laundry"],
        ["stamps", "parcel", "laundry"],
    ),
    "opens unfinished": (
        ["ok so", "remind me to call mom tomorrow at 5pm", "oh and todo: laundry"],
        [None, "call mom", "laundry"],
    ),
    "opens with a greeting": (
        ["hey", "remind me to call mom tomorrow at 5pm", "todo: laundry"],
        [None, "call mom", "laundry"],
    ),
}
BURST_GAPS = (0.2, 0.5, 1.0, 1.5)


def bench_bursts(phone: Phone) -> dict:
    """5 people per kind and gap each send three texts `gap` apart: one reply each, covering
    all three?

    A lone complete text is answered about 0.6 s after it arrives, so a text coming later than
    that after a complete first text finds its reply already sent; an opener ("ok so") waits for
    the rest (`conversation.bursts`). The wider gaps show where those boundaries lie."""
    cases = [(kind, gap) for kind in BURSTS for gap in BURST_GAPS]
    phones = phones_for(109, 5 * len(cases))
    groups = {case: phones[i * 5 : (i + 1) * 5] for i, case in enumerate(cases)}

    def person(p: str, bodies: list[str], gap: float) -> None:
        for body in bodies:
            phone.text(p, body)
            time.sleep(gap)

    # One person at a time, so what is measured is the settle window, not a queue of turns.
    for (kind, gap), group in groups.items():
        for p in group:
            person(p, BURSTS[kind][0], gap)
    time.sleep(8)
    results: dict[str, dict] = {}
    for (kind, gap), group in groups.items():
        mentions = [m for m in BURSTS[kind][1] if m]
        one_reply = covers_all = 0
        replies_sent = []
        for p in group:
            replies = [m["body"] for m in phone.outbox(p)]
            replies_sent.append(len(replies))
            one_reply += len(replies) == 1
            joined = " ".join(replies)
            covers_all += all(word in joined for word in mentions)
        results[f"{kind}, {gap}s apart"] = {
            "people": len(group),
            "one_reply": one_reply,
            "all_three_acted_on": covers_all,
            "replies_per_person": replies_sent,
        }
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack_ = Stack(Path(tmp) / "dev.log")
        stack_.start()
        try:
            phone = Phone(stack_)
            lone = bench_lone_texts(phone)
            bursts = bench_bursts(phone)
            rows = [probe_baseline(phone), probe_same_form_five_times(phone),
                    probe_hostile(phone), probe_sustained(phone),
                    probe_kill_agent_turn(phone, stack_), probe_kill_reminders(phone, stack_),
                    probe_lost_tasks(phone, stack_)]  # fmt: skip
            log_bytes = (Path(tmp) / "dev.log").stat().st_size
        finally:
            stack_.stop()
    print(f"lone text, webhook kept -> reply handed to the SMS port: {lone}")
    print(f"bursts of three texts: {bursts}")
    print(f"{'probe':<58} {'sent':>5} {'answered':>8} {'lost':>5} {'dup':>4} {'5xx':>4}")
    for row in rows:
        print(f"{row.probe:<58} {row.sent:>5} {row.answered:>8} {row.lost:>5} "
              f"{row.duplicated:>4} {row.http_5xx:>4}  {row.notes} {row.extra or ''}")  # fmt: skip
    record("faults", {
        "lone_text_reply_latency": lone,
        "bursts_of_three": bursts,
        "rows": [row.__dict__ for row in rows],
        "stack_log_bytes": log_bytes,
    })  # fmt: skip


if __name__ == "__main__":
    main()
