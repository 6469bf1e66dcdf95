"""Enqueue HTTP tasks to our functions through Cloud Tasks (or its emulator).

In the cloud each task carries an OIDC token minted for the invoker service account with the
target function's URL as audience; locally it carries the shared-secret header instead.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nudge.settings import Settings, get_settings

if TYPE_CHECKING:
    from google.cloud import tasks_v2

TASK_SECRET_HEADER = "X-Nudge-Task-Secret"
_TASK_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def task_id(*parts: str) -> str:
    """A deterministic task id from meaningful parts (Cloud Tasks allows [A-Za-z0-9_-], 500)."""
    return _TASK_ID_UNSAFE.sub("-", "_".join(parts))[:500]


class TaskQueue:
    def __init__(self, settings: Settings, client: tasks_v2.CloudTasksClient | None = None):
        self.settings = settings
        self._client = client

    @property
    def client(self) -> tasks_v2.CloudTasksClient:
        if self._client is None:
            self._client = make_tasks_client(self.settings)
        return self._client

    def queue_path(self, queue: str) -> str:
        return self.client.queue_path(self.settings.project_id, self.settings.region, queue)

    def enqueue(
        self,
        queue: str,
        function: str,
        payload: dict[str, Any],
        *,
        schedule_time: datetime | None = None,
        task_name: str | None = None,
        path: str = "",
        timeout: float | None = None,
    ) -> str:
        """Send `payload` as JSON to `function` via `queue`; returns the task's full name.

        With `task_name`, Cloud Tasks refuses a second task of that name (for about an hour after
        deletion), so an enqueue that is retried does not run twice; that duplicate is not an
        error here. The emulator has no such dedup, so handlers check state as well.
        `timeout` (seconds) bounds the call, for enqueues a person's reply must not wait on.
        """
        from google.api_core.exceptions import AlreadyExists

        tasks_v2 = import_tasks_v2()

        url = self.settings.function_url(function).rstrip("/") + path
        headers = {"Content-Type": "application/json"}
        http_request = tasks_v2.HttpRequest(
            http_method=tasks_v2.HttpMethod.POST,
            url=url,
            headers=headers,
            body=json.dumps(payload).encode(),
        )
        if self.settings.task_auth == "oidc":
            http_request.oidc_token = tasks_v2.OidcToken(
                service_account_email=self.settings.task_invoker_service_account,
                audience=self.settings.function_url(function),
            )
        else:
            secret = self.settings.task_secret
            if secret is None:
                raise RuntimeError("NUDGE_TASK_SECRET is required when NUDGE_TASK_AUTH=secret")
            http_request.headers = {**headers, TASK_SECRET_HEADER: secret.get_secret_value()}

        task = tasks_v2.Task(http_request=http_request)
        parent = self.queue_path(queue)
        if task_name:
            task.name = f"{parent}/tasks/{task_id(task_name)}"
        if schedule_time is not None:
            task.schedule_time = schedule_time
        options = {} if timeout is None else {"timeout": timeout}
        try:
            return self.client.create_task(parent=parent, task=task, **options).name
        except AlreadyExists:
            return task.name

    def ensure_queues(self, names: list[str]) -> None:
        """Create queues that do not exist yet (local stack and tests; Terraform in the cloud)."""
        from google.api_core.exceptions import AlreadyExists

        tasks_v2 = import_tasks_v2()

        parent = f"projects/{self.settings.project_id}/locations/{self.settings.region}"
        existing = {q.name for q in self.client.list_queues(parent=parent)}
        for name in names:
            path = self.queue_path(name)
            if path in existing:
                continue
            with contextlib.suppress(AlreadyExists):
                self.client.create_queue(parent=parent, queue=tasks_v2.Queue(name=path))

    def ping(self, queue: str, *, timeout: float = 3.0) -> None:
        """Raise unless the queue service answers for `queue`."""
        self.client.get_queue(name=self.queue_path(queue), timeout=timeout)


# google-api-core's optional async REST transport for long-running operations imports aiohttp
# (installed with twilio), about 400 ms of a cold start; Cloud Tasks calls here are sync gRPC
# and never use it. api-core skips that transport when its import fails.
_UNUSED_ASYNC_TRANSPORT = "google.api_core.operations_v1.transports.rest_asyncio"


def import_tasks_v2():
    """`google.cloud.tasks_v2`, imported without the unused async transport."""
    import sys

    if "google.cloud.tasks_v2" not in sys.modules:
        sys.modules.setdefault(_UNUSED_ASYNC_TRANSPORT, None)  # type: ignore[arg-type]
    from google.cloud import tasks_v2

    return tasks_v2


def make_tasks_client(settings: Settings) -> tasks_v2.CloudTasksClient:
    tasks_v2 = import_tasks_v2()

    if settings.cloud_tasks_emulator_host:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        # The emulator speaks plain gRPC without auth.
        channel = grpc.insecure_channel(settings.cloud_tasks_emulator_host)
        return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return tasks_v2.CloudTasksClient()


@lru_cache(maxsize=1)
def default_task_queue() -> TaskQueue:
    return TaskQueue(get_settings())
