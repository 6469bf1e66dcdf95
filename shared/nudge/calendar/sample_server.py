"""A local HTTP origin for ICS feeds: `nudge calendar-sample` serves the bundled sample
calendar (events every day, so "what's on today?" always has an answer) for trying the whole
path without a real calendar; the tests serve their own `.ics` files with it."""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLE_ICS = Path(__file__).with_name("sample.ics")

# name -> the feed's bytes (or a function making them), read at each request.
Feeds = MutableMapping[str, bytes | Callable[[], bytes]]


def make_server(feeds: Feeds, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server answering GET `/<name>` with `feeds[name]` as text/calendar (404 when
    absent)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            produce = feeds.get(self.path.lstrip("/").split("?", 1)[0])
            if produce is None:
                self.send_error(404)
                return
            body = produce() if callable(produce) else produce
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_background(feeds: Feeds, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = make_server(feeds, port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, bound = server.server_address[:2]
    return server, f"http://{host}:{bound}"
