"""The benchmark floor: a bare functions-framework handler doing one Firestore write and one
task enqueue, with the same clients the real functions use."""

import os
import sys
import uuid

import functions_framework

# As the product does (nudge.queue.client): api-core's unused async transport would import
# aiohttp, and a floor should be the best a bare function can do.
sys.modules.setdefault("google.api_core.operations_v1.transports.rest_asyncio", None)
from google.cloud import firestore, tasks_v2  # noqa: E402

_db = firestore.Client(project=os.environ["NUDGE_PROJECT_ID"])
_tasks = None


def _tasks_client():
    global _tasks
    if _tasks is None:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        channel = grpc.insecure_channel(os.environ["CLOUD_TASKS_EMULATOR_HOST"])
        _tasks = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return _tasks


@functions_framework.http
def floor(request):
    form = request.form.to_dict()
    _db.collection("floor").document(uuid.uuid4().hex).set({"body": form.get("Body", "")})
    parent = f"projects/{os.environ['NUDGE_PROJECT_ID']}/locations/us-central1/queues/agent-turns"
    _tasks_client().create_task(
        parent=parent,
        task=tasks_v2.Task(
            http_request=tasks_v2.HttpRequest(url="http://127.0.0.1:9/", body=b"{}"),
            schedule_time={"seconds": 2_000_000_000},
        ),
    )
    return "<Response/>", 200, {"Content-Type": "text/xml"}
