"""The offline model's account commands: "login" texts a sign-in link, "new api token" a token.

Kept apart from `offline.py`, which calls `understand_account` for each line and
`describe_account` for each tool result before its own rules.
"""

from __future__ import annotations

import re

from nudge.llm.types import FunctionCall
from nudge.sms.keywords import is_login

_TOKEN = re.compile(
    r"^\s*(?:(?:can i |could i |please )?(?:get|make|create|give me|send me|new)\s+)?"
    r"(?:an?\s+|a new\s+|new\s+)?api\s+(?:token|key)(?:\s+please)?\s*[.!?]*\s*$",
    re.I,
)


def understand_account(line: str) -> FunctionCall | None:
    if is_login(line):
        return FunctionCall(name="sign_in_link", args={})
    if _TOKEN.match(line):
        return FunctionCall(name="new_api_token", args={})
    return None


def describe_account(name: str, result: dict) -> str | None:
    """The offline reply for one of these tools' results; None for any other tool."""
    match name:
        case "sign_in_link":
            if not result.get("ok"):
                return result.get("message")
            return (
                f"Here's your sign-in link (works once, for {result['minutes']} minutes): "
                f"{result['url']}"
            )
        case "new_api_token":
            if not result.get("ok"):
                return result.get("message")
            return (
                f"Your API token (keep it secret; revoke it on your page any time): "
                f"{result['token']}"
            )
    return None
