"""Carrier keywords. Twilio acts on these itself (it stops delivering after STOP and sends its
own confirmations), so we only keep our state in agreement and stay quiet."""

from __future__ import annotations

from enum import StrEnum


class Keyword(StrEnum):
    stop = "stop"
    start = "start"
    help = "help"


_KEYWORDS = {
    **dict.fromkeys(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"], Keyword.stop),
    **dict.fromkeys(["START", "YES", "UNSTOP"], Keyword.start),
    **dict.fromkeys(["HELP", "INFO"], Keyword.help),
}


def classify(body: str) -> Keyword | None:
    """Twilio matches the whole message, case-insensitive, ignoring surrounding spaces/punct."""
    word = body.strip().strip(".!").upper()
    return _KEYWORDS.get(word)


HELP_TEXT = (
    'Nudge helps you keep track. Try: "todo: call the dentist", "what\'s on my list?", '
    '"done dentist", "remember Anna\'s birthday is June 3", "my timezone is Toronto". '
    "Reply STOP to stop all messages."
)
