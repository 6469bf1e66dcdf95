"""A person who texts Nudge, and their preferences."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from nudge.models.base import Document
from nudge.models.events import TimeBoxProposal

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def validate_e164(value: str) -> str:
    value = value.strip()
    if not E164.match(value):
        raise ValueError("phone number must be E.164, like +15555550100")
    return value


class UserStatus(StrEnum):
    active = "active"
    opted_out = "opted_out"


class OnboardingStep(StrEnum):
    ask_name = "ask_name"
    ask_timezone = "ask_timezone"
    done = "done"


class PendingReminder(BaseModel):
    """A reminder Nudge asked a question about ("What time today?"), kept so the answer
    ("5pm") completes it."""

    text: str
    when: str = ""
    asked_at: datetime


class User(Document):
    phone: str
    # The Twilio number they text; with one shared number it is the same for everyone.
    assistant_number: str | None = None
    name: str | None = None
    timezone: str | None = None
    status: UserStatus = UserStatus.active
    onboarding: OnboardingStep = OnboardingStep.ask_name
    # Set when a reminder was recorded as missed; the next message mentions it, then clears it.
    missed_reminders_pending: bool = False
    pending_reminder: PendingReminder | None = None
    # A time box Nudge proposed; "yes" books it (README "Calendar").
    pending_timebox: TimeBoxProposal | None = None

    @field_validator("phone")
    @classmethod
    def _phone_is_e164(cls, value: str) -> str:
        return validate_e164(value)


class UserSettings(BaseModel):
    """Per-user preferences, one document at `users/{id}/settings/preferences`."""

    quiet_hours_start: time = time(22, 0)
    quiet_hours_end: time = time(8, 0)
    morning_briefing: time | None = time(8, 30)
    evening_checkin: time | None = None
    follow_up_minutes: int = Field(20, ge=1, le=24 * 60)
    # New reminders follow up until answered (nag mode) unless they say otherwise.
    nag_by_default: bool = False
    tone: str = "warm"
    # Today's energy as the user reported it ("bad_day" shrinks everything to tiny steps).
    energy: str | None = None
    energy_date: date | None = None
    # Opt-in: a shame-free look back on Sunday evening (what got done, what slipped).
    weekly_review: bool = False
    # A task untouched this many days gets one gentle offer to break it down.
    stale_task_days: int = Field(5, ge=1, le=60)
    # Where time boxes may go ("block 2 hours tomorrow for taxes").
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(18, 0)
    # "Leave in 15 minutes" before events with a location (opt-in).
    leave_nudges: bool = False
    leave_minutes: int = Field(15, ge=5, le=120)
    # A daily "From your inbox" text when Outlook triage finds something (opt-in).
    mail_digest: bool = False
