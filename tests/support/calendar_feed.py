"""A calendar provider's ICS origin on 127.0.0.1, serving whatever a test puts in `feeds`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from nudge.calendar.sample_server import serve_in_background

CALENDARS = Path(__file__).parent / "calendars"


@contextlib.contextmanager
def ics_origin(files: dict[str, bytes]) -> Iterator[tuple[dict[str, bytes], str]]:
    """Yields (feeds, base URL); GET base/<name> answers feeds[name], read at each request,
    so a test changes the calendar by changing the dict (and deletes it for a 404)."""
    feeds = dict(files)
    server, base = serve_in_background(feeds)
    try:
        yield feeds, base
    finally:
        server.shutdown()
        server.server_close()
