"""One request to the api function: match, authenticate, validate, call, answer.

REST routes live under /v1 (JSON in and out, problem+json errors); everything else is the page
(`nudge.api.page`). Anything a route raises beyond the mapped errors is a bug or an outage: it
is logged with its traceback and answered 500 as problem+json.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute

from nudge.api import access, routes  # noqa: F401 - routes register themselves
from nudge.api.context import ApiContext, ApiDeps
from nudge.api.problems import PROBLEM_MEDIA_TYPE, Problem, from_validation
from nudge.api.rate_limits import RateLimited
from nudge.api.router import ID_PATTERN, Route, router
from nudge.store import NotFound

if TYPE_CHECKING:
    import flask

log = logging.getLogger("nudge.api")

MAX_BODY_BYTES = 64 * 1024
_ID = re.compile(ID_PATTERN)


def handle(request: flask.Request, deps: ApiDeps) -> flask.Response:
    if request.path == "/v1" or request.path.startswith("/v1/"):
        return handle_api(request, deps)
    from nudge.api.page.app import handle_page

    return handle_page(request, deps)


def problem_response(problem: Problem, instance: str | None = None) -> flask.Response:
    import flask

    body = problem.details(instance).model_dump(mode="json", exclude_none=True)
    response = flask.Response(json.dumps(body), problem.status, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.update(problem.headers)
    return response


def client_address(request: flask.Request) -> str:
    # Behind Cloud Run the first X-Forwarded-For entry is the client (set by Google's front end).
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[0].strip() or request.remote_addr or "-"


def handle_api(request: flask.Request, deps: ApiDeps) -> flask.Response:
    try:
        return _dispatch(request, deps)
    except Problem as problem:
        return problem_response(problem, request.path)
    except RateLimited as exc:
        return problem_response(
            Problem(
                429,
                "too many requests; try again shortly",
                headers={"Retry-After": str(exc.retry_after_seconds)},
            ),
            request.path,
        )
    except Exception:
        log.exception("api %s %s failed", request.method, request.path)
        return problem_response(Problem(500, "something went wrong on our side"), request.path)


def _dispatch(request: flask.Request, deps: ApiDeps) -> flask.Response:
    import flask

    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Problem(413, f"bodies are limited to {MAX_BODY_BYTES} bytes")
    try:
        route, params = router.match(request.method, request.path)
    except MethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.valid_methods or []))
        raise Problem(405, "method not allowed here", headers={"Allow": allowed}) from None
    except NoRoute:
        raise Problem(404, "no such route") from None
    if any(not _ID.match(value) for value in params.values()):
        raise Problem(404, "no such item")
    now = deps.clock()
    if not route.authenticated:
        return _respond(route, route.handler(deps, **params))
    principal = access.authenticate(
        deps.store,
        deps.settings,
        authorization=request.headers.get("Authorization"),
        cookie=request.cookies.get("nudge_session"),
        client=client_address(request),
        now=now,
    )
    if principal is None:
        raise access.unauthenticated()
    access.require_csrf(
        deps.settings, principal, request.method, request.headers.get(access.CSRF_HEADER)
    )
    user = deps.store.users.get(principal.user_id)
    if user is None:  # deleted meanwhile
        raise access.unauthenticated("this account no longer exists")
    ctx = ApiContext(deps=deps, user=user, principal=principal, now=now)
    arguments: dict[str, Any] = dict(params)
    if route.query is not None:
        arguments["query"] = _validate(route.query, request.args.to_dict(), "query")
    if route.body is not None:
        arguments["body"] = _validate(route.body, _json_body(request), "body")
    try:
        result = route.handler(ctx, **arguments)
    except NotFound:
        raise Problem(404, "no such item") from None
    if isinstance(result, flask.Response):
        return result
    return _respond(route, result)


def _json_body(request: flask.Request) -> Any:
    if not request.data:
        return {}
    try:
        payload = json.loads(request.data)
        # Lone surrogates parse as JSON but cannot be stored: refuse them here.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError):
        raise Problem(400, "the body must be JSON (UTF-8)") from None
    if not isinstance(payload, dict):
        raise Problem(400, "the body must be a JSON object")
    return payload


def _validate(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, where) from None


def _respond(route: Route, result: Any) -> flask.Response:
    import flask

    if route.response is None:
        return flask.Response(status=204)
    payload = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    return flask.Response(json.dumps(payload), route.status, mimetype="application/json")
