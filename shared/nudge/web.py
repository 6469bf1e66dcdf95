"""Helpers every function adapter uses to turn requests into use-case calls and back."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    import flask

    from nudge.queue.auth import CallerContext

log = logging.getLogger("nudge")

# Twilio form posts and our task payloads are small; anything bigger is refused (413).
MAX_BODY_BYTES = 64 * 1024

Response = tuple[str, int, dict[str, str]]


def json_response(body: Any, status: int = 200) -> Response:
    return json.dumps(body, default=str), status, {"Content-Type": "application/json"}


def error_response(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


def twiml_response(message: str | None = None) -> Response:
    """TwiML for Twilio: empty (we answer later by REST) or one immediate reply."""
    from twilio.twiml.messaging_response import MessagingResponse

    response = MessagingResponse()
    if message:
        response.message(message)
    return str(response), 200, {"Content-Type": "text/xml"}


class RetryLater(Exception):
    """A provider asked us to wait (429 / Retry-After) or is down: answered 503 so Cloud Tasks
    retries the task later (with its own backoff; `retry_after_seconds` is passed on)."""

    def __init__(self, reason: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_seconds = retry_after_seconds


QueueHandler = Callable[[Any, "CallerContext"], Any]


def queue_triggered(
    function_name: str, payload_model: type[BaseModel] | None = None
) -> Callable[[QueueHandler], Callable[..., Response]]:
    """Wrap a Cloud Tasks / Scheduler target: authenticate, validate the body, map errors.

    401/403 for callers we do not accept; 400 for a body that is not a JSON object or does not
    fit `payload_model` (the handler then gets the validated model; without a model, the dict);
    409 while another attempt holds the same idempotency key (Cloud Tasks retries it later).
    Anything the handler raises after that is a bug or an outage, not a bad payload: it is
    logged with its traceback and answered 500, so it is seen and Cloud Tasks retries it.
    """

    def decorate(handler: QueueHandler) -> Callable[..., Response]:
        @functools.wraps(handler)
        def wrapper(request: flask.Request) -> Response:
            from pydantic import ValidationError

            from nudge.queue.auth import Forbidden, Unauthenticated, authenticate_caller
            from nudge.settings import get_settings
            from nudge.store.idempotency import AlreadyInProgress

            settings = get_settings()
            try:
                caller = authenticate_caller(
                    request.headers, settings, audience=settings.function_url(function_name)
                )
            except Unauthenticated as exc:
                return error_response(401, str(exc))
            except Forbidden as exc:
                log.warning("refused caller for %s: %s", function_name, exc)
                return error_response(403, "forbidden")
            if (request.content_length or 0) > MAX_BODY_BYTES:
                return error_response(413, "body too large")
            payload = request.get_json(silent=True) if request.data else {}
            if not isinstance(payload, dict):
                return error_response(400, "body must be a JSON object")
            task: Any = payload
            if payload_model is not None:
                try:
                    task = payload_model.model_validate(payload)
                except ValidationError as exc:
                    # Field names only: values may be personal data.
                    fields = sorted({".".join(map(str, e["loc"])) or "body" for e in exc.errors()})
                    log.warning("malformed %s task: invalid %s", function_name, ", ".join(fields))
                    return error_response(400, "invalid task payload")
            try:
                result = handler(task, caller)
            except AlreadyInProgress:
                return error_response(409, "already in progress")
            except RetryLater as exc:
                log.warning("%s: retry later (%s)", function_name, exc)
                body, status, headers = error_response(503, "retry later")
                if exc.retry_after_seconds is not None:
                    headers["Retry-After"] = str(max(1, round(exc.retry_after_seconds)))
                return body, status, headers
            except Exception:
                log.exception(
                    "%s failed (task %s, attempt %d)",
                    function_name,
                    caller.task_name or caller.scheduler_job or "-",
                    caller.retry_count + 1,
                )
                return error_response(500, "internal error")
            return json_response(result if result is not None else {"ok": True})

        return wrapper

    return decorate
