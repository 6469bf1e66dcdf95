"""No text left behind: the sweep re-drives texts whose turn was lost or died, once."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from emulators import stack
from emulators.cron import fire, load_jobs
from nudge.models import Direction, Message, User
from tests.conftest import clear_caches
from tests.support.serving import serve_function

PHONES = [f"+1555555020{i}" for i in range(5)]


def outbox_to(store, phone: str) -> list[str]:
    docs = store.db.collection("local_outbox").stream()
    found = sorted((d.to_dict() for d in docs), key=lambda m: m["created_at"])
    return [m["body"] for m in found if m["to"] == phone]


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def sweep_now(task_queue, settings):
    """agent_turn served for real; returns a function that fires the `unanswered-sweep` job."""
    os.environ["NUDGE_UNANSWERED_SWEEP_AFTER_SECONDS"] = "1"
    with serve_function("agent_turn", stack.FUNCTIONS_DIR / "agent_turn" / "main.py") as url:
        clear_caches()
        job = {j.name: j for j in load_jobs()}["unanswered-sweep"]

        def sweep() -> int:
            secret = settings.task_secret.get_secret_value()
            return fire(job, urls={"agent_turn": url}, secret=secret)

        yield sweep


def test_texts_whose_turn_tasks_were_lost_are_answered_once_by_the_sweep(
    task_queue, store, settings
):
    from nudge.cli.phone import send_text

    # The webhook accepts the texts, but their agent-turn tasks go nowhere (agent_turn is not
    # served: its URL is a closed port) and the queue gives up on them: lost tasks.
    with serve_function("sms_webhook", stack.FUNCTIONS_DIR / "sms_webhook" / "main.py") as url:
        os.environ["NUDGE_PUBLIC_BASE_URL"] = url
        clear_caches()
        from nudge.settings import get_settings

        for i, phone in enumerate(PHONES):
            assert send_text(get_settings(), phone, f"todo: lost thing {i}").status == 200
    time.sleep(1.5)
    assert all(outbox_to(store, phone) == [] for phone in PHONES)

    os.environ["NUDGE_UNANSWERED_SWEEP_AFTER_SECONDS"] = "1"
    with serve_function("agent_turn", stack.FUNCTIONS_DIR / "agent_turn" / "main.py") as url:
        clear_caches()
        job = {j.name: j for j in load_jobs()}["unanswered-sweep"]
        secret = settings.task_secret.get_secret_value()
        assert fire(job, urls={"agent_turn": url}, secret=secret) == 200
        assert wait_until(lambda: all(outbox_to(store, p) for p in PHONES))
        # Sweeping again, and again, sends nothing more.
        assert fire(job, urls={"agent_turn": url}, secret=secret) == 200
        assert fire(job, urls={"agent_turn": url}, secret=secret) == 200
        time.sleep(2)
    for i, phone in enumerate(PHONES):
        [reply] = outbox_to(store, phone)
        assert f'"lost thing {i}"' in reply
        user = store.users.find_by_phone(phone)
        assert [t.title for t in store.tasks.open_tasks(user.id)] == [f"lost thing {i}"]
        [text] = [m for m in store.messages.list(user.id) if m.direction == Direction.inbound]
        assert text.settled is True and text.redrives == 1


def stuck_text(store, user, sid: str, body: str, *, age: timedelta, claimed_by=None):
    at = datetime.now(UTC) - age
    return store.messages.add(
        user.id,
        Message(direction=Direction.inbound, body=body, settled=False,
                answered_by_turn=claimed_by, created_at=at, updated_at=at),
        doc_id=sid,
    )  # fmt: skip


def test_texts_claimed_by_a_turn_that_died_are_recovered(sweep_now, store):
    user = store.users.create(User(phone=PHONES[0], name="Sam", timezone="America/Toronto"))
    # A turn claimed both texts, then its instance died: its lease ran out, no reply was sent.
    stuck_text(store, user, "SMa", "todo: call the vet", age=timedelta(minutes=3),
               claimed_by="SMb")  # fmt: skip
    stuck_text(store, user, "SMb", "todo: buy cat food", age=timedelta(minutes=3),
               claimed_by="SMb")  # fmt: skip
    store.leases._ref(user.id).set(
        {"holder": "SMb", "expires_at": datetime.now(UTC) - timedelta(seconds=5), "knocks": 0}
    )
    assert sweep_now() == 200
    assert wait_until(lambda: outbox_to(store, PHONES[0]))
    time.sleep(1)
    [reply] = outbox_to(store, PHONES[0])
    assert "call the vet" in reply and "buy cat food" in reply
    assert not reply.startswith("Sorry")  # within the grace window: no apology needed
    assert {t.title for t in store.tasks.open_tasks(user.id)} == {"call the vet", "buy cat food"}


def test_a_live_turn_is_left_alone(sweep_now, store):
    user = store.users.create(User(phone=PHONES[1], name="Sam", timezone="America/Toronto"))
    stuck_text(store, user, "SMa", "todo: slow one", age=timedelta(minutes=2), claimed_by="SMa")
    store.leases._ref(user.id).set(
        {"holder": "SMa", "expires_at": datetime.now(UTC) + timedelta(minutes=1), "knocks": 0}
    )
    assert sweep_now() == 200
    time.sleep(2)
    assert outbox_to(store, PHONES[1]) == []
    assert store.messages.require(user.id, "SMa").redrives == 0


def test_a_text_missed_for_long_is_answered_with_an_apology(sweep_now, store):
    user = store.users.create(User(phone=PHONES[2], name="Sam", timezone="America/Toronto"))
    stuck_text(store, user, "SMa", "todo: water the plants", age=timedelta(hours=2))
    assert sweep_now() == 200
    assert wait_until(lambda: outbox_to(store, PHONES[2]))
    [reply] = outbox_to(store, PHONES[2])
    assert reply.startswith("Sorry, I missed this earlier.") and "water the plants" in reply


def test_texts_handled_by_a_keyword_or_kept_while_opted_out_are_never_swept(
    sweep_now, store, settings
):
    from nudge.conversation.sweep import sweep_unanswered
    from nudge.queue.client import default_task_queue

    user = store.users.create(User(phone=PHONES[3], name="Sam", timezone="America/Toronto"))
    at = datetime.now(UTC) - timedelta(minutes=5)
    for sid, handled_by in (("SMs", "keyword:stop"), ("SMo", "opted-out")):
        store.messages.add(
            user.id,
            Message(direction=Direction.inbound, body="x", settled=True,
                    answered_by_turn=handled_by, created_at=at, updated_at=at),
            doc_id=sid,
        )  # fmt: skip
    report = sweep_unanswered(store, default_task_queue(), settings, datetime.now(UTC))
    assert report.redriven_texts == 0


def test_a_text_redriven_too_often_is_given_up_loudly_not_looped(store, settings, task_queue):
    from nudge.conversation.sweep import sweep_unanswered

    user = store.users.create(User(phone=PHONES[4], name="Sam", timezone="America/Toronto"))
    stuck_text(store, user, "SMa", "todo: x", age=timedelta(minutes=30))
    store.messages.patch(user.id, "SMa", redrives=settings.max_redrives)
    report = sweep_unanswered(store, task_queue, settings, datetime.now(UTC))
    assert (report.given_up_texts, report.redriven_texts) == (1, 0)
    assert store.messages.require(user.id, "SMa").settled is True
