"""set_name / set_timezone / set_preferences: the profile and onboarding."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import OnboardingStep
from nudge.timezones import describe_local_time, resolve_timezone


def _next_onboarding_step(name: str | None, timezone: str | None) -> OnboardingStep:
    if not name:
        return OnboardingStep.ask_name
    if not timezone:
        return OnboardingStep.ask_timezone
    return OnboardingStep.done


class SetNameArgs(BaseModel):
    name: str = Field(min_length=1, max_length=60)


@tool("set_name", SetNameArgs)
def set_name(ctx: ToolContext, args: SetNameArgs) -> dict:
    """Save what the user wants to be called."""
    name = args.name.strip()
    ctx.store.users.update(
        ctx.user.id, name=name, onboarding=_next_onboarding_step(name, ctx.user.timezone)
    )
    ctx.refresh_user()
    return {"ok": True, "name": name}


class SetTimezoneArgs(BaseModel):
    timezone: str = Field(description="IANA name like America/Toronto, or a city")


@tool("set_timezone", SetTimezoneArgs)
def set_timezone(ctx: ToolContext, args: SetTimezoneArgs) -> dict:
    """Set the user's timezone from an IANA name or a city; every time is shown in it."""
    resolved = resolve_timezone(args.timezone)
    if resolved is None:
        return {
            "error": f"I don't know the timezone for '{args.timezone}'. Try a big city near you."
        }
    ctx.store.users.update(
        ctx.user.id, timezone=resolved, onboarding=_next_onboarding_step(ctx.user.name, resolved)
    )
    ctx.refresh_user()
    return {"ok": True, "timezone": resolved, "local_time": describe_local_time(resolved, ctx.now)}


class SetPreferencesArgs(BaseModel):
    quiet_hours_start: time | None = Field(None, description="HH:MM local")
    quiet_hours_end: time | None = Field(None, description="HH:MM local")
    morning_briefing: time | None = Field(None, description="HH:MM local")
    follow_up_minutes: int | None = Field(None, ge=1, le=24 * 60)
    tone: str | None = Field(None, max_length=40)
    weekly_review: bool | None = Field(None, description="the Sunday-evening look back, opt-in")


@tool("set_preferences", SetPreferencesArgs)
def set_preferences(ctx: ToolContext, args: SetPreferencesArgs) -> dict:
    """Change the user's preferences: quiet hours, morning briefing time, follow-up delay, tone,
    the weekly look back."""
    current = ctx.store.users.get_settings(ctx.user.id)
    changes = args.model_dump(exclude_none=True)
    if not changes:
        return {"error": "nothing to change"}
    updated = ctx.store.users.save_settings(ctx.user.id, current.model_copy(update=changes))
    return {"ok": True, "preferences": updated.model_dump(mode="json")}
