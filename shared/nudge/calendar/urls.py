"""Calendar links in texts (no network, no heavy imports: the offline model reads these)."""

from __future__ import annotations

import re

ICS_URL = re.compile(r"(?:https?|webcal)://\S+", re.I)


def find_ics_url(text: str) -> str | None:
    """A calendar link in a text: webcal://, or an http(s) link that looks like a feed."""
    for match in ICS_URL.finditer(text):
        url = match.group(0).rstrip(".,;)>\"'")
        if url.lower().startswith("webcal://") or re.search(r"\.ics\b|/ical/|calendar", url, re.I):
            return url
    return None


def normalize_ics_url(url: str) -> str:
    """webcal:// links (what Apple and Google hand out) are https underneath."""
    url = url.strip().strip("<>")
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    return url
