"""A queue-triggered function for tests: records each delivery it accepts in Firestore."""

import functions_framework

from nudge.store import Store
from nudge.web import queue_triggered

DELIVERIES = "test_deliveries"


@functions_framework.http
@queue_triggered("echo")
def echo(payload, caller):
    Store.default().db.collection(DELIVERIES).add(
        {"payload": payload, "caller": caller.model_dump()}
    )
    if payload.get("fail_on_first_attempt") and caller.retry_count == 0:
        raise RuntimeError("failing the first attempt on purpose")
    return {"received": True}
