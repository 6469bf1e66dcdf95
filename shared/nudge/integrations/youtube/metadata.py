"""Video details through the YouTube Data API v3 (`videos.list`, google-api-python-client)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nudge.integrations.worker import CannotDo
from nudge.web import RetryLater

_DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")


class VideoInfo(BaseModel):
    video_id: str
    title: str
    channel: str
    duration_seconds: int | None = None
    published_at: datetime | None = None
    description: str = ""

    @property
    def duration_text(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes = round(self.duration_seconds / 60)
        if minutes >= 60:
            return f"{minutes // 60} h {minutes % 60} min"
        return f"{max(1, minutes)} min"


def parse_duration(value: str) -> int | None:
    """ISO 8601 durations as YouTube gives them ("PT1H2M3S", "P1DT2H") in seconds."""
    m = _DURATION.match(value or "")
    if not m or not any(m.groupdict().values()):
        return None
    d, h, mi, s = (int(m[k] or 0) for k in ("d", "h", "m", "s"))
    return ((d * 24 + h) * 60 + mi) * 60 + s


def youtube_client(api_key: str, http: Any = None):
    """The Data API client from the discovery document shipped in the package (no download)."""
    from googleapiclient.discovery import build

    return build(
        "youtube",
        "v3",
        developerKey=api_key,
        http=http,
        static_discovery=True,
        cache_discovery=False,
    )


def fetch_video_info(video_id: str, *, api_key: str, http: Any = None) -> VideoInfo:
    from googleapiclient.errors import HttpError

    client = youtube_client(api_key, http)
    try:
        response = (
            client.videos().list(part="snippet,contentDetails", id=video_id, maxResults=1).execute()
        )
    except HttpError as exc:
        status = int(exc.resp.status)
        if status == 429 or status >= 500:
            retry_after = exc.resp.get("retry-after")
            raise RetryLater(
                f"youtube data api {status}", float(retry_after) if retry_after else None
            ) from None
        if status == 403 and "quotaExceeded" in str(exc.content):
            raise RetryLater("youtube data api quota exceeded", 3600) from None
        raise CannotDo(
            "YouTube didn't accept my request (the API key may be wrong), so I can't "
            "summarize that video right now.",
            f"youtube data api {status}",
        ) from None
    items = response.get("items") or []
    if not items:
        raise CannotDo(
            "I couldn't find that video: it may be private, deleted or the link is off.",
            "video not found",
        )
    snippet = items[0].get("snippet", {})
    details = items[0].get("contentDetails", {})
    return VideoInfo(
        video_id=video_id,
        title=snippet.get("title") or "a video",
        channel=snippet.get("channelTitle") or "",
        duration_seconds=parse_duration(details.get("duration", "")),
        published_at=snippet.get("publishedAt"),
        description=snippet.get("description") or "",
    )
