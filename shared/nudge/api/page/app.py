"""The page's requests: sign-in by link, sign-out, the sections, their forms, the stylesheet.

Forms post back here (no JavaScript needed); every post carries the session's CSRF token.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from nudge.api import access, links, sessions
from nudge.api.context import ApiContext, ApiDeps
from nudge.api.page import render, views
from nudge.api.problems import Problem
from nudge.api.rate_limits import RateLimited

if TYPE_CHECKING:
    import flask

HEADERS = {
    "Cache-Control": "no-store",
    # Not "no-referrer": with it Chromium posts forms with `Origin: null`, which the sign-in
    # form's login-CSRF check must refuse. Other sites still get no referrer (nor the link).
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    import flask

    response = flask.Response(body, status, mimetype="text/html")
    response.headers.update(HEADERS | (headers or {}))
    return response


def redirect(location: str) -> flask.Response:
    import flask

    response = flask.Response("", 303)
    response.headers.update(HEADERS | {"Location": location})
    return response


def stylesheet() -> flask.Response:
    import flask

    from nudge.insights import WEEK_CSS

    # The week's charts bring their own rules; one stylesheet keeps the CSP at style-src 'self'.
    css = resources.files("nudge.api.page").joinpath("style.css").read_text() + WEEK_CSS
    response = flask.Response(css, 200, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def handle_page(request: flask.Request, deps: ApiDeps) -> flask.Response:
    from nudge.api.app import client_address

    path = request.path.rstrip("/") or "/"
    # Not under /static: functions-framework's Flask app owns that prefix.
    if path == "/style.css" and request.method == "GET":
        return stylesheet()
    if request.method not in ("GET", "HEAD", "POST"):
        return html(
            render.message_page("Not here", "This address only takes a browser visit."), 405
        )
    if (request.content_length or 0) > 64 * 1024:
        return html(render.message_page("Too big", "That was more than this page takes."), 413)
    now = deps.clock()
    try:
        if path == "/login":
            return _login(request, deps, now, client_address(request))
        principal = access.authenticate(
            deps.store,
            deps.settings,
            authorization=None,
            cookie=request.cookies.get(sessions.COOKIE),
            client=client_address(request),
            now=now,
        )
        user = deps.store.users.get(principal.user_id) if principal else None
        if principal is None or user is None:
            if path == "/":
                return html(render.signed_out_page())
            return redirect("/")
        ctx = ApiContext(deps=deps, user=user, principal=principal, now=now)
        if request.method == "POST":
            access.require_csrf(
                deps.settings, principal, "POST", request.form.get(access.CSRF_FIELD)
            )
            if path == "/logout":
                sessions.revoke(deps.store, principal.credential_id, now)
                response = redirect("/")
                response.delete_cookie(sessions.COOKIE, path="/")
                return response
            return views.post(ctx, path, request.form)
        return views.get(ctx, path, request.args)
    except RateLimited as exc:
        return html(
            render.message_page(
                "One moment", "That was a lot of requests at once. Try again in a minute."
            ),
            429,
            {"Retry-After": str(exc.retry_after_seconds)},
        )
    except Problem as problem:
        return html(
            render.message_page("That didn't work", problem.detail or "Sorry."), problem.status
        )


def _login(request: flask.Request, deps: ApiDeps, now, client: str) -> flask.Response:
    """GET shows a button (link previews must not use up the single-use link); its POST
    redeems the link and starts a session."""
    from urllib.parse import urlsplit

    from nudge.api import rate_limits

    settings = deps.settings
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and urlsplit(origin).netloc != request.host:
        # Another site posting a link of its own would sign this browser in as someone else.
        return html(render.message_page("Not from here", "Open your sign-in link directly."), 403)
    token = request.args.get("t", "") if request.method == "GET" else request.form.get("t", "")
    rate_limits.hit(
        deps.store,
        f"sign-in:{client}",
        limit=settings.sign_in_per_10_minutes,
        window_seconds=600,
        now=now,
    )
    expired = render.message_page(
        "This link has expired",
        'Sign-in links work once, for a few minutes. Text "login" to Nudge for a fresh one.',
    )
    try:
        if request.method == "GET":
            links.check(settings, token, now)
            return html(render.continue_page(token))
        user_id = links.redeem(deps.store, settings, token, now)
    except links.LinkInvalid:
        return html(expired, 400)
    secret, session = sessions.start(deps.store, settings, user_id, now)
    response = redirect("/")
    response.set_cookie(
        sessions.COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        path="/",
        httponly=True,
        secure=not settings.is_local,
        samesite="Lax",
    )
    return response
