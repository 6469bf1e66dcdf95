"""Fetching a private ICS link: https only (webcal:// is https), bounded in size and time, and
never an internal address in the cloud (the link comes from a text, so it is untrusted)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests

from nudge.calendar.urls import normalize_ics_url
from nudge.settings import Settings


class FetchError(RuntimeError):
    """The calendar could not be fetched; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def check_url(url: str, settings: Settings) -> str:
    """The URL to fetch, or FetchError(permanent) for one we will not fetch."""
    url = normalize_ics_url(url)
    parts = urlsplit(url)
    allowed = {"https"} | ({"http"} if settings.calendar_allow_private_urls else set())
    if parts.scheme.lower() not in allowed or not parts.hostname:
        raise FetchError("calendar links must start with https://", permanent=True)
    if not settings.calendar_allow_private_urls:
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve {parts.hostname}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise FetchError("that link points at a private address", permanent=True)
    return urlunsplit(parts)


def fetch_ics(url: str, settings: Settings, session: requests.Session | None = None) -> bytes:
    url = check_url(url, settings)
    http = session or requests.Session()
    try:
        # Redirects are followed by hand so each hop is checked like the first.
        for _ in range(5):
            response = http.get(
                url,
                timeout=settings.calendar_fetch_timeout_seconds,
                stream=True,
                allow_redirects=False,
                headers={"Accept": "text/calendar, */*;q=0.5", "User-Agent": "Nudge calendar"},
            )
            if response.is_redirect and response.headers.get("Location"):
                location = requests.compat.urljoin(url, response.headers["Location"])
                url = check_url(location, settings)
                response.close()
                continue
            break
        else:
            raise FetchError("too many redirects", permanent=True)
        if response.status_code in (401, 403, 404, 410):
            raise FetchError(f"the calendar link answered {response.status_code}", permanent=True)
        if response.status_code >= 400:
            raise FetchError(f"the calendar link answered {response.status_code}")
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > settings.calendar_max_ics_bytes:
                raise FetchError("the calendar is too large", permanent=True)
        return bytes(body)
    except requests.RequestException as exc:
        raise FetchError(f"fetching the calendar failed ({type(exc).__name__})") from exc
