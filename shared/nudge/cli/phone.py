"""The local phone: text the running local stack exactly as Twilio would, read what it sends.

Outbound messages land in the local outbox (Firestore emulator) instead of Twilio; immediate
TwiML replies (HELP, invite-only refusals) come back in the webhook's answer, as with Twilio.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from xml.etree import ElementTree

import requests

from nudge.settings import Settings
from nudge.sms.keywords import classify

# The phone of `nudge text`, `nudge phone` and `nudge inbox` unless --from says otherwise.
DEFAULT_PHONE = "+15555550100"
DEFAULT_INBOX_SINCE = 3600.0
NOT_RUNNING = "The local stack is not running: start it with `make run` in another terminal."

# Twilio answers these keywords itself (default opt-out handling); the local phone shows the
# same confirmations so the conversation reads as it would on a real phone.
TWILIO_CONFIRMATIONS = {
    "stop": "You have successfully been unsubscribed. You will not receive any more messages "
    "from this number. Reply START to resubscribe.",
    "start": "You have successfully been re-subscribed to messages from this number. "
    "Reply HELP for help. Reply STOP to unsubscribe.",
}


def local_settings() -> Settings:
    """Settings of the running local stack (the one started with the same port offset)."""
    from emulators.dev import build_env, port_offset_from_env

    os.environ.update(build_env(port_offset_from_env()))
    return Settings()


@dataclass
class SentText:
    status: int
    sent_at: datetime
    twiml_replies: list[str]


def send_text(settings: Settings, from_number: str, body: str) -> SentText:
    """POST a signed inbound-message webhook to the local sms_webhook."""
    from twilio.request_validator import RequestValidator

    sid = "SM" + uuid.uuid4().hex
    form = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.twilio_account_sid or "",
        "From": from_number,
        "To": settings.twilio_from_number or "",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    signature = RequestValidator(token).compute_signature(settings.public_base_url, form)
    sent_at = datetime.now(UTC)
    keyword = classify(body)
    response = requests.post(
        settings.function_url("sms_webhook"),
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=15,
    )
    replies = []
    if response.ok and response.text.strip():
        root = ElementTree.fromstring(response.text)
        replies = [m.text or "" for m in root.iter("Message")]
    if response.ok and keyword is not None and keyword.value in TWILIO_CONFIRMATIONS:
        replies.append(f"(Twilio) {TWILIO_CONFIRMATIONS[keyword.value]}")
    return SentText(status=response.status_code, sent_at=sent_at, twiml_replies=replies)


@lru_cache(maxsize=4)
def _client(project_id: str, database: str, emulator_host: str | None):
    """One client per stack (the phone polls several times a second). The emulator host is
    part of the key because the client reads it from the environment when created."""
    from google.cloud import firestore

    return firestore.Client(project=project_id, database=database)


def outbox(settings: Settings, to: str, since: datetime) -> list[dict]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    from nudge.sms.senders import LOCAL_OUTBOX

    db = _client(settings.project_id, settings.firestore_database, settings.firestore_emulator_host)
    query = db.collection(LOCAL_OUTBOX).where(filter=FieldFilter("to", "==", to))
    found = [doc.to_dict() for doc in query.stream()]
    return sorted((m for m in found if m["created_at"] > since), key=lambda m: m["created_at"])


def wait_for_messages(
    settings: Settings, to: str, since: datetime, wait: float, *, settle: float = 1.5
) -> list[dict]:
    """Messages to `to` after `since`; returns once some arrived and `settle` s passed quietly."""
    deadline = time.monotonic() + wait
    seen: list[dict] = []
    quiet_since = None
    while time.monotonic() < deadline:
        current = outbox(settings, to, since)
        if len(current) > len(seen):
            seen, quiet_since = current, time.monotonic()
        elif seen and quiet_since is not None and time.monotonic() - quiet_since >= settle:
            break
        time.sleep(0.25)
    return seen


def _stamp(message: dict) -> str:
    return message["created_at"].astimezone().strftime("%H:%M:%S")


def _check_stack(settings: Settings) -> str | None:
    try:
        requests.get(settings.function_url("health"), timeout=10)
    except requests.ConnectionError:
        return NOT_RUNNING
    except requests.RequestException:
        return None  # listening but slow to answer (its first request, a busy machine)
    return None


def _check_store(settings: Settings) -> str | None:
    """Whether the stack's Firestore emulator takes connections: reading the outbox of a
    stopped stack would wait out the client's retries (5 minutes) before failing."""
    import socket

    host, _, port = (settings.firestore_emulator_host or "").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 0)), timeout=2).close()
    except (OSError, ValueError):
        return NOT_RUNNING
    return None


def text_command(message: str, from_number: str, wait: float) -> int:
    settings = local_settings()
    if problem := _check_stack(settings):
        print(problem)
        return 1
    sent = send_text(settings, from_number, message)
    if sent.status != 200:
        print(f"The webhook refused the text (HTTP {sent.status}).")
        return 1
    if sent.twiml_replies:
        for reply in sent.twiml_replies:
            print(reply)
        return 0
    replies = wait_for_messages(settings, from_number, sent.sent_at, wait)
    if not replies:
        print(f"No reply within {wait:.0f}s.")
        return 1
    for reply in replies:
        print(reply["body"])
    return 0


def _print_message(message: dict) -> None:
    print(f"{_stamp(message)}  {message['body'].replace(chr(10), ' | ')}", flush=True)


def inbox_command(
    from_number: str,
    since_seconds: float | None,
    follow: bool,
    wait: float,
    count: int | None = None,
) -> int:
    """Print what Nudge sent to `from_number`.

    Without --follow: the messages of the last `since_seconds` (default an hour), exit 0.
    With --follow: only messages that arrive from now on (plus the last `since_seconds` if
    given), until `wait` s pass or `count` new ones came; exit 0 only if they came."""
    settings = local_settings()
    started = datetime.now(UTC)
    if not follow and (problem := _check_store(settings)):
        print(problem, file=sys.stderr)
        return 1
    if not follow:
        look_back = DEFAULT_INBOX_SINCE if since_seconds is None else since_seconds
        messages = outbox(settings, from_number, started - timedelta(seconds=look_back))
        for message in messages:
            _print_message(message)
        if not messages:
            print(
                f"(no messages to {from_number} in the last {look_back:g} s; "
                "--from picks another phone)",
                file=sys.stderr,
            )
        return 0
    since = started - timedelta(seconds=since_seconds or 0)
    new = 0
    waiting = False
    deadline = time.monotonic() + wait
    while True:
        arrived = []
        if problem := _check_store(settings):  # a restart: wait for it, not for the client
            if not waiting:
                print(f"({problem} Waiting for it.)", file=sys.stderr)
            waiting = True
        else:
            waiting = False
            try:
                arrived = outbox(settings, from_number, since)
            except Exception as exc:  # keep following through a stack or emulator restart
                print(f"(could not read messages: {type(exc).__name__})", file=sys.stderr)
        for message in arrived:
            _print_message(message)
            since = message["created_at"]
            new += message["created_at"] > started
            if count and new >= count:
                return 0
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    return 0 if new and not count else 1


def phone_command(from_number: str, wait: float = 30) -> int:
    settings = local_settings()
    if problem := _check_stack(settings):
        print(problem)
        return 1
    print(f"Texting Nudge as {from_number}. Type a message and press Enter; Ctrl-D to quit.")
    stop = threading.Event()
    answered = threading.Event()
    since = datetime.now(UTC)
    last_sent: datetime | None = None

    def show_incoming() -> None:
        nonlocal since
        while not stop.is_set():
            try:
                for message in outbox(settings, from_number, since):
                    since = message["created_at"]
                    print(f"\nNudge ({_stamp(message)}): {message['body']}\n> ", end="", flush=True)
                    if last_sent is not None and since > last_sent:
                        answered.set()
            except Exception as exc:  # keep the phone open through a stack restart
                print(f"\n(could not read messages: {type(exc).__name__})", flush=True)
            stop.wait(0.5)

    reader = threading.Thread(target=show_incoming, daemon=True)
    reader.start()
    interactive = sys.stdin.isatty()
    try:
        for line in iter(lambda: input("> ") if interactive else sys.stdin.readline(), ""):
            text = line.strip()
            if not text:
                continue
            answered.clear()
            sent = send_text(settings, from_number, text)
            last_sent = sent.sent_at
            if sent.status != 200:
                print(f"(the webhook refused the text: HTTP {sent.status})")
            for reply in sent.twiml_replies:
                print(f"Nudge: {reply}")
                answered.set()
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        # Piped input ends at once: wait for the answer to the last text before hanging up.
        if last_sent is not None and not interactive:
            answered.wait(wait)
        time.sleep(0.2)
        stop.set()
    print()
    return 0
