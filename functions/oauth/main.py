"""oauth: account linking, public. Microsoft: GET /start?t=<signed link> shows a "Continue"
button (link previews that fetch the URL must not use up the single-use link); its POST
consumes the link and redirects to Microsoft's sign-in (msal auth code flow, PKCE); Microsoft
POSTs the code to /callback (response_mode=form_post), which finishes the flow. Notion: the
same under /notion/start, and Notion redirects back with GET /notion/callback?code&state.
Callers are people's browsers: the signed, single-use link is the authentication."""

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

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


@dataclass(frozen=True)
class Provider:
    """What differs between the services linked here; the flow around them is the same."""

    service: str  # as the person knows it
    signs_in_at: str  # whose sign-in page the Continue button leads to
    relink: str  # the text that sends a fresh link
    consent: str  # what the Continue page promises
    callback_method: str  # Microsoft POSTs the code (form_post); Notion redirects with GET
    load: Callable[[], ModuleType]  # its linking module: default_deps, start, finish, PROVIDER

    def connected(self, account: str) -> str:
        return (f"Nudge is connected to {self.service} ({account}). Check your texts; you can "
                "close this page.")  # fmt: skip


def _microsoft() -> ModuleType:
    from nudge.microsoft import linking

    return linking


def _notion() -> ModuleType:
    from nudge.integrations.notion import linking

    return linking


PROVIDERS = {
    "notion": Provider(
        service="Notion",
        signs_in_at="Notion",
        relink="link notion",
        consent="Nudge will keep your notes in the Notion pages and databases you share with "
        "it, and bring back edits you make there.",
        callback_method="GET",
        load=_notion,
    ),
    "microsoft": Provider(
        service="Outlook",
        signs_in_at="Microsoft",
        relink="connect outlook",
        consent="Nudge will read your calendar and unread mail, and add time blocks you "
        "confirm. It never sends or deletes mail.",
        callback_method="POST",
        load=_microsoft,
    ),
}


@functions_framework.http
def oauth(request):
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return page("Too big", "That request is too large.", 413)
    parts = [p for p in request.path.split("/") if p]
    if parts[:1] == ["notion"]:
        return link(request, PROVIDERS["notion"], parts[1] if len(parts) == 2 else "")
    # Microsoft's addresses predate the per-service prefix: /start and /callback.
    return link(request, PROVIDERS["microsoft"], parts[-1] if parts else "")


def link(request, provider: Provider, path: str):
    from nudge.linking import link_tokens
    from nudge.linking.flows import LinkError
    from nudge.models import utcnow
    from nudge.web import RetryLater

    allowed = {"start": ("GET", "POST"), "callback": (provider.callback_method,)}.get(path)
    if allowed is None:
        return page("Not found", "Nothing here.", 404)
    if request.method not in allowed:
        return page("Not here", "This address only takes a browser visit.", 405)
    linking = provider.load()
    try:
        if path == "start" and request.method == "GET":
            token = request.args.get("t", "")
            link_tokens.check(linking.default_deps().settings, token, utcnow(),
                              provider=linking.PROVIDER)  # fmt: skip
            return page(f"Connect {provider.service}", provider.consent,
                        form=CONTINUE.format(token=html.escape(token, quote=True),
                                             provider=provider.signs_in_at))  # fmt: skip
        if path == "start":
            return redirect(linking.start(linking.default_deps(), request.form.get("t", ""),
                                          utcnow()))  # fmt: skip
        params = request.form if provider.callback_method == "POST" else request.args
        _, account = linking.finish(linking.default_deps(), params.to_dict(), utcnow())
        return page("Connected", provider.connected(account))
    except link_tokens.LinkInvalid:
        return page("Link expired", f'This link is used up or expired. Text "{provider.relink}" '
                    "for a fresh one.", 400)  # fmt: skip
    except LinkError as exc:
        log.warning("%s link not finished: %s", provider.service, exc)
        return page("Not connected", f'{provider.service} was not connected. Text '
                    f'"{provider.relink}" to try again.', 400)  # fmt: skip
    except linking.NotConfigured:
        return page("Not set up", f"{provider.service} linking is not set up on this Nudge.", 503)
    except RetryLater:
        busy = (f"{provider.service} didn't answer just now. Text \"{provider.relink}\" in a few "
                "minutes to retry.")  # fmt: skip
        text, status, headers = page(f"{provider.service} is busy", busy, 503)
        return text, status, {**headers, "Retry-After": "120"}
