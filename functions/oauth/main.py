"""oauth: Microsoft account linking, public. GET /start?t=<signed link> shows a "Continue"
button (link previews that fetch the URL must not use up the single-use link); its POST
consumes the link and redirects to Microsoft's sign-in (msal auth code flow, PKCE); Microsoft
POSTs the code to /callback (response_mode=form_post), which finishes the flow.
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
<button type="submit" style="font-size:1.2rem;padding:.6rem 1.2rem">Continue to Microsoft
</button></form>"""


def page(title: str, body: str, status: int = 200, form: str = ""):
    text = PAGE.format(title=html.escape(title), body=html.escape(body), form=form)
    return text, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                          "Referrer-Policy": "no-referrer"}  # fmt: skip


@functions_framework.http
def oauth(request):
    from nudge.microsoft import link_tokens
    from nudge.microsoft.linking import LinkError, default_deps, finish, start
    from nudge.microsoft.tokens import NotConfigured
    from nudge.models import utcnow

    path = request.path.rstrip("/").rsplit("/", 1)[-1]
    if request.method not in ("GET", "POST") or (request.method == "GET" and path == "callback"):
        return page("Not here", "This address only takes a browser visit.", 405)
    try:
        if path == "start" and request.method == "GET":
            token = request.args.get("t", "")
            link_tokens.check(default_deps().settings, token, utcnow())
            return page("Connect Outlook", "Nudge will read your calendar and unread mail, and "
                        "add time blocks you confirm. It never sends or deletes mail.",
                        form=CONTINUE.format(token=html.escape(token, quote=True)))  # fmt: skip
        if path == "start":
            auth_uri = start(default_deps(), request.form.get("t", ""), utcnow())
            return "", 302, {"Location": auth_uri, "Cache-Control": "no-store",
                             "Referrer-Policy": "no-referrer"}  # fmt: skip
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
