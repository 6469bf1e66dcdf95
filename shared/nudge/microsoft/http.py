"""The process's HTTP session for Microsoft (msal's login calls and Graph): one pooled
`requests.Session`; tests mount a transport adapter on it to answer as Microsoft would."""

from __future__ import annotations

from functools import lru_cache

import requests


@lru_cache(maxsize=1)
def default_session() -> requests.Session:
    return requests.Session()
