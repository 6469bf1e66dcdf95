"""How long a reply waits for the rest of a burst (`nudge.conversation.bursts`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudge.conversation.bursts import (
    invites_more,
    join_reply_parts,
    looks_unfinished,
    settle_seconds,
)
from nudge.models import Direction, Message

NOW = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)


def inbound(body: str, seconds_ago: float) -> Message:
    return Message(
        direction=Direction.inbound, body=body, created_at=NOW - timedelta(seconds=seconds_ago)
    )


def window(texts, earlier=()):
    return settle_seconds(
        texts=texts, earlier_inbound=lambda: list(earlier), short=0.6, long=2.0, now=NOW
    )


@pytest.mark.parametrize(
    "body",
    [
        "ok so",
        "Quick question!",
        "quick question",
        "remind me to",
        "todo:",
        "I need to call the bank and",
        "so for tomorrow...",
        "things for the weekend,",
        "hey so",
    ],
)
def test_openers_and_trailing_connectors_read_as_unfinished(body):
    assert looks_unfinished(body)


@pytest.mark.parametrize(
    "body",
    [
        "todo: take out the recycling",
        "remind me to call mom at 5",
        "what's on my list?",
        "done",
        "snooze 10",
        "hey, can you remind me to stretch at 3pm",
        # A bare greeting or "ok" is a whole text as often as not: it is answered at once.
        "hey",
        "Hi!",
        "hello",
        "ok",
        "",
    ],
)
def test_complete_texts_do_not(body):
    assert not looks_unfinished(body)


def test_a_text_cut_at_an_sms_segment_boundary_reads_as_unfinished():
    part = ("I have to sort out the car insurance renewal before friday " * 5)[:153]
    assert len(part) == 153
    assert looks_unfinished(part)
    assert not looks_unfinished(part[:150])


def test_a_lone_complete_text_gets_the_short_window():
    assert window([inbound("todo: buy stamps", 0.1)]) == 0.6


def test_an_opener_gets_the_long_window():
    assert window([inbound("quick question", 0.1)]) == 2.0


@pytest.mark.parametrize("body", ["hey", "Hi!", "hello", "hey nudge", "Good morning!", "heyyy"])
def test_a_bare_greeting_waits_for_the_point_that_usually_follows(body):
    assert invites_more(body)
    assert not looks_unfinished(body)  # still answered as a greeting when nothing follows
    assert window([inbound(body, 0.1)]) == 2.0


@pytest.mark.parametrize(
    "body",
    [
        "ok",
        "hey, can you remind me to stretch at 3pm",
        "hi sam how are you",
        "todo: hello kitty mug",
    ],
)
def test_a_greeting_with_more_in_it_or_an_ok_does_not_wait(body):
    assert not invites_more(body)
    assert window([inbound(body, 0.1)]) == 0.6


def test_several_texts_in_one_turn_get_the_long_window():
    assert window([inbound("todo: a", 1.0), inbound("todo: b", 0.1)]) == 2.0


def test_a_text_moments_after_the_previous_one_gets_the_long_window():
    earlier = [inbound("todo: a", 2.5)]
    assert window([inbound("todo: b", 0.1)], earlier) == 2.0


def test_a_burst_a_few_minutes_ago_keeps_the_long_window_for_a_while():
    burst = [inbound("todo: a", 200), inbound("todo: b", 199)]
    assert window([inbound("todo: c", 0.1)], burst) == 2.0
    old_burst = [inbound("todo: a", 900), inbound("todo: b", 899)]
    assert window([inbound("todo: c", 0.1)], old_burst) == 0.6


def test_a_steady_conversation_is_not_a_burst():
    earlier = [inbound("todo: a", 60), inbound("what's on my list?", 30)]
    assert window([inbound("thanks", 0.1)], earlier) == 0.6


def test_a_burst_reply_says_the_onboarding_question_once_at_the_end():
    parts = [
        'Got it, added "stamps" to your list.\nBy the way, I\'m Nudge. What should I call you?',
        'Got it, added "laundry" to your list.\nBy the way, I\'m Nudge. What should I call you?',
    ]
    assert join_reply_parts(parts, set()) == (
        'Got it, added "stamps" to your list.\nGot it, added "laundry" to your list.\n'
        "By the way, I'm Nudge. What should I call you?"
    )


def test_a_part_that_only_answered_an_opener_is_left_out_when_more_follow():
    parts = ["I'm listening, go on.", 'Got it, added "laundry" to your list.']
    assert join_reply_parts(parts, {0}) == 'Got it, added "laundry" to your list.'
    # Alone (nothing followed), it is the reply.
    assert join_reply_parts(parts[:1], {0}) == "I'm listening, go on."
