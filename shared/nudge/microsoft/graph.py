"""Microsoft Graph over HTTP: bearer tokens from msal, one silent refresh on 401, and 429/503
turned into a `Throttled` that carries Graph's Retry-After."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nudge.microsoft.tokens import TokenSource

TIMEOUT_SECONDS = 30
DEFAULT_RETRY_AFTER = 30


class Throttled(RuntimeError):
    def __init__(self, retry_after: int, status: int) -> None:
        super().__init__(f"Graph answered {status}; retry after {retry_after}s")
        self.retry_after = retry_after


class GraphError(RuntimeError):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"Graph answered {status} ({code})")
        self.status = status
        self.code = code


@dataclass
class GraphClient:
    tokens: TokenSource
    base_url: str
    session: Any

    def call(
        self, method: str, path_or_url: str, *, params: dict | None = None,
        json: dict | None = None, headers: dict | None = None,
    ) -> dict:  # fmt: skip
        url = path_or_url if path_or_url.startswith("https://") else self.base_url + path_or_url
        refreshed = False
        while True:
            token = self.tokens.access_token(force_refresh=refreshed)
            response = self.session.request(
                method, url, params=params, json=json, timeout=TIMEOUT_SECONDS,
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
            )  # fmt: skip
            if response.status_code == 401 and not refreshed:
                refreshed = True  # the token may have been revoked early: refresh once
                continue
            if response.status_code in (429, 503, 504):
                raise Throttled(_retry_after(response.headers), response.status_code)
            if response.status_code >= 400:
                raise GraphError(response.status_code, _error_code(response))
            return response.json() if response.content else {}


def _retry_after(headers) -> int:
    try:
        return max(1, int(headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _error_code(response) -> str:
    try:
        return str(response.json().get("error", {}).get("code", "unknown"))
    except ValueError:
        return "unknown"
