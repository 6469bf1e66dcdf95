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


# "delete my account", "close my account", "delete everything you know about me", "export my data"
_DELETE_ACCOUNT = re.compile(
    r"\b(?:delete|close|remove|erase|cancel|deactivate)\s+(?:my\s+)?(?:nudge\s+)?account\b|"
    r"\b(?:delete|erase|wipe|remove)\s+(?:all\s+)?(?:of\s+)?(?:my\s+data|everything\s+(?:you\s+"
    r"(?:know|have|keep)\s+)?about\s+me)\b",
    re.I,
)
_EXPORT = re.compile(
    r"\b(?:export|download)\s+(?:all\s+)?(?:of\s+)?my\s+(?:data|stuff|everything)\b|"
    r"\bcopy\s+of\s+(?:all\s+)?my\s+data\b",
    re.I,
)


def understand_account(line: str) -> FunctionCall | None:
    if is_login(line):
        return FunctionCall(name="sign_in_link", args={})
    if _DELETE_ACCOUNT.search(line):
        return FunctionCall(name="sign_in_link", args={"purpose": "delete_account"})
    if _EXPORT.search(line):
        return FunctionCall(name="sign_in_link", args={"purpose": "export"})
    if _TOKEN.match(line):
        return FunctionCall(name="new_api_token", args={})
    return None


def describe_account(name: str, result: dict) -> str | None:
    """The offline reply for one of these tools' results; None for any other tool."""
    match name:
        case "sign_in_link":
            if not result.get("ok"):
                return result.get("message")
            link = f"(works once, for {result['minutes']} minutes): {result['url']}"
            if result.get("purpose") == "delete_account":
                return (
                    "You can delete your account and everything I keep on your page; it asks "
                    f"twice before anything goes. Sign in here {link}"
                )
            if result.get("purpose") == "export":
                return f"Your page has Export: all your data in one file. Sign in here {link}"
            return f"Here's your sign-in link {link}"
        case "new_api_token":
            if not result.get("ok"):
                return result.get("message")
            return (
                f"Your API token (keep it secret; revoke it on your page any time): "
                f"{result['token']}"
            )
    return None
