"""The signed-in person and their settings."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from nudge.api.context import ApiContext
from nudge.api.problems import FieldProblem, Problem
from nudge.api.router import router


class Me(BaseModel):
    id: str
    phone: str
    name: str | None
    timezone: str = Field(description="IANA name; the default until they tell us theirs")
    sms_opted_out: bool
    calendar_linked: bool
    created_at: datetime


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=60)
    timezone: str | None = Field(
        None, min_length=1, max_length=64, description="an IANA name (America/Toronto) or a city"
    )


def _me(ctx: ApiContext) -> Me:
    user = ctx.user
    return Me(
        id=ctx.user_id,
        phone=user.phone,
        name=user.name,
        timezone=ctx.timezone,
        sms_opted_out=user.status == "opted_out",
        calendar_linked=bool(ctx.store.calendar_links.list(ctx.user_id, limit=1)),
        created_at=user.created_at,
    )


@router.route("GET", "/v1/me", tag="me", response=Me)
def get_me(ctx: ApiContext) -> Me:
    """Who is signed in."""
    return _me(ctx)


@router.route("PATCH", "/v1/me", tag="me", body=MeUpdate, response=Me)
def update_me(ctx: ApiContext, body: MeUpdate) -> Me:
    """Change your name or timezone (the same as texting "my name is ..." or "I live in ...")."""
    from nudge.agent.tools.profile import SetNameArgs, SetTimezoneArgs, set_name, set_timezone

    tools = ctx.tools()
    if body.timezone is not None:
        result = set_timezone(tools, SetTimezoneArgs(timezone=body.timezone))
        if not result.get("ok"):
            raise Problem(
                400,
                "unknown timezone",
                errors=[FieldProblem(field="timezone", message="not a place or zone")],
            )
    if body.name is not None:
        set_name(tools, SetNameArgs(name=body.name))
    ctx.user = ctx.store.users.require(ctx.user_id)
    return _me(ctx)


# A local clock time, "22:00" (JSON Schema's `time` format would demand a UTC offset).
ClockTime = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "examples": ["22:00"]}
    ),
]


class SettingsOut(BaseModel):
    timezone: str
    quiet_hours_start: ClockTime
    quiet_hours_end: ClockTime
    morning_briefing: ClockTime | None = Field(description="null: no morning briefing")
    evening_checkin: ClockTime | None
    follow_up_minutes: int = Field(description="a gentle follow-up after this many minutes")
    nag_by_default: bool = Field(description="reminders follow up until answered (up to 3)")
    weekly_review: bool


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(None, min_length=1, max_length=64)
    quiet_hours_start: ClockTime | None = None
    quiet_hours_end: ClockTime | None = None
    morning_briefing: ClockTime | None = None
    evening_checkin: ClockTime | None = None
    follow_up_minutes: int | None = Field(None, ge=1, le=24 * 60)
    nag_by_default: bool | None = None
    weekly_review: bool | None = None


def _settings(ctx: ApiContext) -> SettingsOut:
    prefs = ctx.store.users.get_settings(ctx.user_id)
    return SettingsOut(
        timezone=ctx.timezone, **prefs.model_dump(include=set(SettingsOut.model_fields))
    )


@router.route("GET", "/v1/settings", tag="me", response=SettingsOut)
def get_settings(ctx: ApiContext) -> SettingsOut:
    """Timezone, quiet hours, briefing time and reminder follow-up defaults."""
    return _settings(ctx)


@router.route("PATCH", "/v1/settings", tag="me", body=SettingsUpdate, response=SettingsOut)
def update_settings(ctx: ApiContext, body: SettingsUpdate) -> SettingsOut:
    """Change settings; fields left out stay as they are (null turns a briefing off)."""
    # The values themselves (a dump would turn clock times into strings).
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    timezone = changes.pop("timezone", None)
    if timezone is not None:
        update_me(ctx, MeUpdate(timezone=timezone))
    for field in (
        "quiet_hours_start",
        "quiet_hours_end",
        "follow_up_minutes",
        "nag_by_default",
        "weekly_review",
    ):
        if changes.get(field, 0) is None:
            changes.pop(field)  # these cannot be turned off, only changed
    prefs = ctx.store.users.get_settings(ctx.user_id)
    ctx.store.users.save_settings(ctx.user_id, prefs.model_copy(update=changes))
    return _settings(ctx)
