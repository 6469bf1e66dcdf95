"""Serve a function target over real HTTP in this process, as functions-framework would."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from emulators.stack import free_port


@contextmanager
def serve_function(name: str, source: Path) -> Iterator[str]:
    """Serve `name` from `source` on a free port and register its URL; yields the URL."""
    import functions_framework

    app = functions_framework.create_app(target=name, source=str(source))
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    urls = json.loads(os.environ.get("NUDGE_FUNCTION_URLS") or "{}")
    os.environ["NUDGE_FUNCTION_URLS"] = json.dumps(urls | {name: url})
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)
