"""api: a person's own data over HTTP, public. REST under /v1 (OpenAPI 3.1 at
/v1/openapi.json, problem+json errors) and the page at /. Callers are authenticated by a
personal API token or the session cookie a texted sign-in link sets (`nudge.api.access`)."""

import functions_framework

from nudge.logs import configure_logging

configure_logging()


@functions_framework.http
def api(request):
    from nudge.api.app import handle
    from nudge.api.context import default_deps

    return handle(request, default_deps())
