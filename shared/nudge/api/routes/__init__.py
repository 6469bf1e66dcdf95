"""Every REST route; importing this package registers them all on `nudge.api.router.router`."""

from nudge.api.routes import (  # noqa: F401 - registration
    account,
    chat,
    events,
    me,
    memories,
    messages,
    meta,
    notes,
    reminders,
    tasks,
    tokens,
)
