"""Find a YouTube video id in any of the link forms people paste."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*(?:youtube\.com|youtube-nocookie\.com|youtu\.be)/\S*", re.I
)
_PATH_FORMS = ("shorts", "embed", "live", "v", "e")


def video_id_from(text: str) -> str | None:
    """The video id of the first YouTube link in `text`: youtu.be/ID, watch?v=ID, /shorts/,
    /embed/, /live/, /v/, m., music. and nocookie hosts; None without one."""
    for match in _URL.finditer(text):
        link = match.group(0).rstrip(").,;!?'\"")
        if "://" not in link:
            link = "https://" + link
        parsed = urlparse(link)
        host = (parsed.hostname or "").lower()
        parts = [p for p in parsed.path.split("/") if p]
        candidate = None
        if host.endswith("youtu.be") and parts:
            candidate = parts[0]
        elif parts and parts[0] == "watch":
            candidate = (parse_qs(parsed.query).get("v") or [None])[0]
        elif len(parts) >= 2 and parts[0] in _PATH_FORMS:
            candidate = parts[1]
        elif parts and parts[0] == "attribution_link":
            inner = (parse_qs(parsed.query).get("u") or [""])[0]
            candidate = (parse_qs(urlparse(inner).query).get("v") or [None])[0]
        if candidate and _ID.match(candidate):
            return candidate
    return None


def watch_url(video_id: str) -> str:
    return f"https://youtu.be/{video_id}"
