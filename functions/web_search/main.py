"""web_search: answer a web question for an AI task (Cloud Tasks `integrations`) by SMS."""

import functions_framework

from nudge.integrations.models import AITaskRef
from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


@functions_framework.http
@queue_triggered("web_search", AITaskRef)
def web_search(task: AITaskRef, caller):
    from nudge.integrations.websearch.search import default_search_client
    from nudge.integrations.websearch.work import web_search as answer
    from nudge.integrations.worker import Delivery, default_worker_deps, run_ai_task
    from nudge.models import utcnow

    deps = default_worker_deps()
    client = default_search_client()
    return run_ai_task(
        deps,
        user_id=task.user_id,
        task_id=task.task_id,
        delivery=Delivery(caller.retry_count),
        work=lambda ai_task, user: answer(deps, ai_task, user, client),
        now=utcnow(),
    )
