"""sign_in_link / new_api_token: reaching your data on the page and from scripts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool


class SignInLinkArgs(BaseModel):
    # Deleting an account and exporting data happen on the page (delete asks twice there).
    purpose: Literal["page", "delete_account", "export"] = "page"


@tool("sign_in_link", SignInLinkArgs)
def sign_in_link(ctx: ToolContext, args: SignInLinkArgs) -> dict:
    """Text a one-time link that signs them in to their Nudge page (their tasks, reminders,
    memories, notes, settings, export and delete). For "login", "sign in", "my page"; also when
    they ask to delete their account or export their data (purpose), which the page does."""
    from nudge.api import links
    from nudge.api.secrets import NotConfigured

    try:
        url = links.issue(ctx.store, ctx.settings, ctx.user.id or "", ctx.now)
    except NotConfigured:
        return {"ok": False, "message": "The web page isn't set up on this Nudge yet."}
    return {
        "ok": True, "url": url, "minutes": ctx.settings.login_link_minutes, "purpose": args.purpose
    }  # fmt: skip


class NewApiTokenArgs(BaseModel):
    name: str = Field("sms", max_length=60, description="what the token is for, if they say")


@tool("new_api_token", NewApiTokenArgs)
def new_api_token(ctx: ToolContext, args: NewApiTokenArgs) -> dict:
    """Make a personal API token for their scripts (only when they ask for an API token)."""
    from nudge.api import tokens

    try:
        secret, _ = tokens.create(ctx.store, ctx.user.id or "", args.name or "sms", ctx.now)
    except tokens.TooManyTokens as exc:
        return {"ok": False, "message": str(exc)}
    return {"ok": True, "token": secret}
