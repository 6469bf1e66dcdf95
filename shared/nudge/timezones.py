"""Turn what people type ("Toronto", "PST", "Europe/Berlin") into an IANA timezone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ALIASES = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "utc": "Etc/UTC",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "ist": "Asia/Kolkata",
    "nyc": "America/New_York",
    "new york city": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "washington": "America/New_York",
    "philadelphia": "America/New_York",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "minneapolis": "America/Chicago",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
}


@lru_cache(maxsize=1)
def _by_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return cities


def resolve_timezone(text: str) -> str | None:
    """The IANA name for `text`, or None if we cannot tell."""
    cleaned = text.strip().strip(".!?").strip()
    if not cleaned:
        return None
    try:
        ZoneInfo(cleaned)
        if "/" in cleaned or cleaned.upper() == "UTC":
            return cleaned if cleaned.upper() != "UTC" else "Etc/UTC"
    except (ZoneInfoNotFoundError, ValueError):
        pass
    key = cleaned.lower()
    if key in ALIASES:
        return ALIASES[key]
    key = key.split(",")[0].strip()  # "Toronto, Canada"
    return ALIASES.get(key) or _by_city().get(key)


def local_now(timezone: str, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def describe_local_time(timezone: str, now: datetime) -> str:
    local = local_now(timezone, now)
    return local.strftime("%A %Y-%m-%d %H:%M") + f" ({timezone})"
