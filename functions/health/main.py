"""health: HTTP GET -> the version and whether Firestore and the task queue answer."""

import functions_framework

from nudge.health import check_health
from nudge.logs import configure_logging
from nudge.settings import get_settings
from nudge.web import json_response

configure_logging()


@functions_framework.http
def health(request):
    report = check_health(get_settings())
    return json_response(report.model_dump(), 200 if report.ok else 503)
