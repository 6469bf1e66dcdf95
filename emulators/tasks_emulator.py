"""Run `gcloud-tasks-emulator` the way the local stack needs it.

Started with the Python of `.venv-tasks` (the emulator pins protobuf<5), so this file imports
nothing from the `nudge` package. Compared with the emulator's own `start` command it:

- listens on 127.0.0.1 only (upstream binds `[::]`, every interface of the machine);
- drops the two lines the emulator logs each time it re-polls a task scheduled for later
  (every 0.1 s per pending task: about 50 MB an hour with four reminders pending);
- with `--hold-unreachable SECONDS`, keeps a task whose target refused the connection (its
  function is restarting) for up to that long, re-trying it every second without counting an
  attempt, as Cloud Tasks would keep it until the function is back. Tasks whose target answered
  with an error are retried and given up exactly as before.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib import error

from gcloud_tasks_emulator import server

LOOPBACK = "127.0.0.1"
# Messages logged on every re-poll of a task that is not due yet.
REPOLL_CHATTER = (
    "[TASKS] Processing next task",
    "is scheduled for future execution",
    "[TASKS] Requesting ",
)
UNREACHABLE_RETRY = timedelta(seconds=1)


class DropRepollChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(part in message for part in REPOLL_CHATTER)


def bind_to_loopback() -> None:
    """Replace the API thread's `[::]:port` with 127.0.0.1:port."""

    def run(self) -> None:
        from concurrent import futures

        import grpc

        self._httpd = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        server.add_CloudTasksServicer_to_server(server.Greeter(self._state), self._httpd)
        interface = f"{LOOPBACK}:{self._port}"
        if self._httpd.add_insecure_port(interface) == 0:
            server.logger.error("[API] could not listen on %s", interface)
            sys.exit(1)
        server.logger.info("[API] Starting API server at %s", interface)
        self._httpd.start()
        while self._is_running.is_set():
            time.sleep(server._LOOP_SLEEP_TIME)

    server.APIThread.run = run


def hold_unreachable(hold_for: float) -> None:
    """A refused connection does not use up an attempt for `hold_for` seconds per task."""
    dispatch = server._make_task_request
    first_refused: dict[str, float] = {}

    def make_task_request(queue_name, task, host, port):
        try:
            response = dispatch(queue_name, task, host, port)
        except error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            since = first_refused.setdefault(task.name, time.monotonic())
            if time.monotonic() - since > hold_for:
                first_refused.pop(task.name, None)
                raise
            # Not an attempt: undo the count and look again in a second. The HTTP error sends
            # the task to the back of the queue, where its new schedule time holds it.
            task.dispatch_count -= 1
            task.schedule_time = datetime.now(UTC) + UNREACHABLE_RETRY
            raise error.HTTPError(task.http_request.url, 503, "target unreachable", {}, None)  # noqa: B904
        first_refused.pop(task.name, None)
        return response

    server._make_task_request = make_task_request


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Cloud Tasks emulator for the Nudge stack")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-retries", type=int, default=-1)
    parser.add_argument("--hold-unreachable", type=float, default=0, metavar="SECONDS")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(DropRepollChatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    bind_to_loopback()
    if args.hold_unreachable > 0:
        hold_unreachable(args.hold_unreachable)
    print("Starting Cloud Tasks Emulator", flush=True)
    # Targets are the full URLs in each task, so the default target host/port are unused.
    return server.create_server(LOOPBACK, args.port, max_retries=args.max_retries).run()


if __name__ == "__main__":
    sys.exit(main())
