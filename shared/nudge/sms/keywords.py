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
    return _KEYWORDS.get(_word(body))


def classify_from(body: str, *, opted_out: bool) -> Keyword | None:
    """The keyword a text is for this person: "yes" is how people answer a question ("shall I
    book it?"), so only from someone opted out is it the opt-in keyword."""
    keyword = classify(body)
    if keyword == Keyword.start and not opted_out and _word(body) == "YES":
        return None
    return keyword


# Not a carrier keyword: "login" goes to the agent, which texts a sign-in link for the page
# (the offline model reads it by this list too).
LOGIN_WORDS = frozenset({"LOGIN", "LOG IN", "SIGN IN", "SIGNIN", "LOGON", "LOG ON", "MY PAGE"})


def is_login(body: str) -> bool:
    return " ".join(_word(body).split()) in LOGIN_WORDS


def _word(body: str) -> str:
    return body.strip().strip(".!").upper()


HELP_TEXT = (
    'Nudge helps you keep track. Try: "todo: call the dentist", "what\'s on my list?", '
    '"done dentist", "remember Anna\'s birthday is June 3", "my timezone is Toronto". '
    "Reply STOP to stop all messages."
)
