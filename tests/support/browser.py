"""Headless Chromium for page tests: Debian's browser driven by Playwright, axe-core checks,
phone and desktop screenshots, and a tiny local HTTP server for pages.

No downloads at test time: the browser is `/usr/bin/chromium` (`make browser`, a dependency
of `make install`; never `playwright install`), and axe-core is the copy bundled in the
`axe-playwright-python` wheel.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from emulators.stack import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without the background-networking flags Chromium keeps trying
# (and failing) to reach Google's hosts. Playwright gives every launch a fresh, empty
# --user-data-dir of its own (a temporary folder, removed when the browser closes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots and anything else a browser test leaves for a person to look at (gitignored).
OUTPUT_DIR = REPO_ROOT / "test-output" / "screenshots"
# axe-core impacts that fail a test; moderate and minor ones are printed, not failed.
FAILING_IMPACTS = ("serious", "critical")


def launch_chromium(playwright):
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def format_violations(violations: list[dict]) -> str:
    """axe's violations as lines a person can act on: rule, impact, what to fix, where."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def axe_check(page, *, context: str | None = None) -> list[dict]:
    """Run axe-core on the page (or the part `context` selects); fail on any serious or
    critical violation with a readable list. Returns every violation (the milder ones too)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    violations = results.response["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if failing:
        raise AssertionError(
            f"axe-core found {len(failing)} serious or critical accessibility violation(s) "
            f"on {page.url}:\n{format_violations(failing)}"
        )
    milder = [v for v in violations if v not in failing]
    if milder:
        print(f"axe-core, not failing ({page.url}):\n{format_violations(milder)}")
    return violations


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    if not cleaned:
        raise ValueError(f"a screenshot needs a name with letters or digits, not {name!r}")
    return cleaned


def take_screenshots(page, name: str, output_dir: Path = OUTPUT_DIR) -> dict[str, Path]:
    """Full-page PNGs at phone (390 px) and desktop (1280 px) widths, `NAME-phone.png` and
    `NAME-desktop.png`; the page's own viewport is put back afterwards."""
    output_dir.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    saved = {}
    try:
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            path = output_dir / f"{_safe_name(name)}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            saved[label] = path
    finally:
        if before:
            page.set_viewport_size(before)
    print("screenshots: " + ", ".join(str(p) for p in saved.values()))
    return saved


@contextmanager
def serve_pages(pages: Mapping[str, str]) -> Iterator[str]:
    """Serve `{path: html}` on 127.0.0.1 (a free port) as text/html; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
