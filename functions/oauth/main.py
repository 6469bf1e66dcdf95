"""oauth: account linking, public. Microsoft: GET /start?t=<signed link> shows a "Continue"
button (link previews that fetch the URL must not use up the single-use link); its POST
consumes the link and redirects to Microsoft's sign-in (msal auth code flow, PKCE); Microsoft
POSTs the code to /callback (response_mode=form_post), which finishes the flow. Notion: the
same under /notion/start, and Notion redirects back with GET /notion/callback?code&state.
Callers are people's browsers: the signed, single-use link is the authentication."""

import html
import logging

import functions_framework

from nudge.logs import configure_logging

configure_logging()
log = logging.getLogger("nudge.oauth")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Nudge</title></head><body
style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>{title}</h1><p>{body}</p>{form}</body></html>"""
CONTINUE = """<form method="post" action="start"><input type="hidden" name="t" value="{token}">
<button type="submit" style="font-size:1.2rem;padding:.6rem 1.2rem">Continue to {provider}
</button></form>"""
MAX_FORM_BYTES = 64 * 1024


def page(title: str, body: str, status: int = 200, form: str = ""):
    text = PAGE.format(title=html.escape(title), body=html.escape(body), form=form)
    return text, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                          "Referrer-Policy": "no-referrer"}  # fmt: skip


def redirect(location: str):
    return "", 302, {"Location": location, "Cache-Control": "no-store",
                     "Referrer-Policy": "no-referrer"}  # fmt: skip


@functions_framework.http
def oauth(request):
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return page("Too big", "That request is too large.", 413)
    parts = [p for p in request.path.split("/") if p]
    if parts[:1] == ["notion"]:
        return notion(request, parts[1] if len(parts) == 2 else "")
    return microsoft(request, parts[-1] if parts else "")


def microsoft(request, path: str):
    from nudge.linking import link_tokens
    from nudge.linking.flows import LinkError
    from nudge.microsoft.linking import default_deps, finish, start
    from nudge.microsoft.tokens import PROVIDER, NotConfigured
    from nudge.models import utcnow

    if request.method not in ("GET", "POST") or (request.method == "GET" and path == "callback"):
        return page("Not here", "This address only takes a browser visit.", 405)
    try:
        if path == "start" and request.method == "GET":
            token = request.args.get("t", "")
            link_tokens.check(default_deps().settings, token, utcnow(), provider=PROVIDER)
            return page("Connect Outlook", "Nudge will read your calendar and unread mail, and "
                        "add time blocks you confirm. It never sends or deletes mail.",
                        form=CONTINUE.format(token=html.escape(token, quote=True),
                                             provider="Microsoft"))  # fmt: skip
        if path == "start":
            return redirect(start(default_deps(), request.form.get("t", ""), utcnow()))
        if path == "callback":
            _, account = finish(default_deps(), request.form.to_dict(), utcnow())
            return page("Connected", f"Nudge is connected to Outlook as {account}. "
                        "You can close this page.")  # fmt: skip
    except link_tokens.LinkInvalid:
        return page("Link expired", 'This link is used up or expired. Text "connect outlook" '
                    "for a fresh one.", 400)  # fmt: skip
    except LinkError as exc:
        log.warning("microsoft link not finished: %s", exc)
        return page("Not connected", 'Outlook was not connected. Text "connect outlook" to '
                    "try again.", 400)  # fmt: skip
    except NotConfigured:
        return page("Not set up", "Outlook linking is not set up on this Nudge.", 503)
    return page("Not found", "Nothing here.", 404)


def notion(request, path: str):
    from nudge.integrations.notion.access import PROVIDER
    from nudge.integrations.notion.linking import LinkError, NotConfigured, default_deps, finish
    from nudge.integrations.notion.linking import start as start_notion
    from nudge.linking import link_tokens
    from nudge.models import utcnow
    from nudge.web import RetryLater

    allowed = {"start": ("GET", "POST"), "callback": ("GET",)}.get(path)
    if allowed is None:
        return page("Not found", "Nothing here.", 404)
    if request.method not in allowed:
        return page("Not here", "This address only takes a browser visit.", 405)
    try:
        if path == "start" and request.method == "GET":
            token = request.args.get("t", "")
            link_tokens.check(default_deps().settings, token, utcnow(), provider=PROVIDER)
            return page("Connect Notion", "Nudge will keep your notes in the Notion pages and "
                        "databases you share with it, and bring back edits you make there.",
                        form=CONTINUE.format(token=html.escape(token, quote=True),
                                             provider="Notion"))  # fmt: skip
        if path == "start":
            return redirect(start_notion(default_deps(), request.form.get("t", ""), utcnow()))
        _, workspace = finish(default_deps(), request.args.to_dict(), utcnow())
        return page("Connected", f"Nudge is connected to Notion ({workspace}). Check your "
                    "texts for the next step; you can close this page.")  # fmt: skip
    except link_tokens.LinkInvalid:
        return page("Link expired", 'This link is used up or expired. Text "link notion" for '
                    "a fresh one.", 400)  # fmt: skip
    except LinkError as exc:
        log.warning("notion link not finished: %s", exc)
        return page("Not connected", 'Notion was not connected. Text "link notion" to try '
                    "again.", 400)  # fmt: skip
    except NotConfigured:
        return page("Not set up", "Notion linking is not set up on this Nudge.", 503)
    except RetryLater:
        busy = 'Notion didn\'t answer just now. Text "link notion" in a few minutes to retry.'
        text, status, headers = page("Notion is busy", busy, 503)
        return text, status, {**headers, "Retry-After": "120"}
