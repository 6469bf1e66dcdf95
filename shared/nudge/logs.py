"""Logging for the functions: one line per record on stderr (Cloud Logging picks it up).

Never log message bodies or secrets at INFO: ids, counts and outcomes only.
"""

from __future__ import annotations

import logging

_configured = False


def configure_logging(level: str | None = None) -> None:
    global _configured
    if _configured:
        return
    from nudge.settings import get_settings

    logging.basicConfig(
        level=(level or get_settings().log_level).upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    _configured = True
