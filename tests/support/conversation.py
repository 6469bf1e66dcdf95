"""The conversation functions served for real (in-process HTTP), texted like Twilio would."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from emulators import stack
from tests.support.serving import serve_function


@dataclass
class Phone:
    """Texts the served sms_webhook with Twilio's signature and reads the local outbox."""

    def settings(self):
        from nudge.settings import get_settings

        return get_settings()

    def text(self, body: str, from_number: str = "+15555550100"):
        from nudge.cli.phone import send_text

        return send_text(self.settings(), from_number, body)

    def replies(self, to: str = "+15555550100", since: datetime | None = None) -> list[str]:
        from nudge.cli.phone import outbox

        since = since or datetime(2000, 1, 1, tzinfo=UTC)
        return [m["body"] for m in outbox(self.settings(), to, since)]

    def wait_for_replies(
        self, to: str = "+15555550100", *, since: datetime, wait: float = 20, settle: float = 2.5
    ) -> list[str]:
        from nudge.cli.phone import wait_for_messages

        found = wait_for_messages(self.settings(), to, since, wait, settle=settle)
        return [m["body"] for m in found]


@contextlib.contextmanager
def conversation_stack(task_queue) -> Iterator[Phone]:
    """sms_webhook and agent_turn on real ports, wired to the session emulators."""
    from nudge.queue.client import default_task_queue
    from tests.conftest import clear_caches

    with contextlib.ExitStack() as stack_:
        for name in ("sms_webhook", "agent_turn"):
            url = stack_.enter_context(serve_function(name, stack.FUNCTIONS_DIR / name / "main.py"))
            if name == "sms_webhook":
                os.environ["NUDGE_PUBLIC_BASE_URL"] = url
        clear_caches()
        default_task_queue()  # rebuilt with the served URLs
        yield Phone()
