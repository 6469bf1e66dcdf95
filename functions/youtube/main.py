"""youtube: summarize a video for an AI task (Cloud Tasks `integrations`) and text it."""

import functions_framework

from nudge.integrations.models import AITaskRef
from nudge.logs import configure_logging
from nudge.web import queue_triggered

configure_logging()


@functions_framework.http
@queue_triggered("youtube", AITaskRef)
def youtube(task: AITaskRef, caller):
    from nudge.integrations.worker import Delivery, default_worker_deps, run_ai_task
    from nudge.integrations.youtube.work import default_youtube_http, summarize_video
    from nudge.models import utcnow

    deps = default_worker_deps()
    http = default_youtube_http()
    return run_ai_task(
        deps,
        user_id=task.user_id,
        task_id=task.task_id,
        delivery=Delivery(caller.retry_count),
        work=lambda ai_task, user: summarize_video(deps, ai_task, user, http),
        now=utcnow(),
    )
